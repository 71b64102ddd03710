#include "rooms/chat_writer.hpp"

#include <unordered_map>

#include <boost/asio/post.hpp>

namespace samling::rooms {

void chat_writer::submit(chat_message m, std::shared_ptr<std::uint64_t> counter, done_fn done) {
  std::lock_guard lock(mutex_);
  pending_.push_back({std::move(m), std::move(counter), std::move(done)});
  if (draining_) return;
  draining_ = true;
  boost::asio::post(pool_.executor(), [self = shared_from_this()] { self->drain(); });
}

void chat_writer::drain() {
  for (;;) {
    std::vector<job> jobs;
    {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) {
        draining_ = false;
        return;
      }
      jobs.swap(pending_);
    }
    std::vector<stored> results(jobs.size());
    std::vector<std::exception_ptr> errors(jobs.size());
    std::exception_ptr batch_error;
    // The next seq per room within this batch; the rooms' counters move only after the commit.
    std::unordered_map<std::uint64_t*, std::uint64_t> last;
    try {
      store_.begin_batch();
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        auto& m = jobs[i].message;
        try {
          if (auto found = store_.find_by_client_id(m.room, m.user.id, m.client_msg_id)) {
            results[i] = {*found, true};
            continue;
          }
          auto& seq = last.try_emplace(jobs[i].counter.get(), *jobs[i].counter).first->second;
          m.seq = seq + 1;
          if (auto raced = store_.append(m)) {
            results[i] = {*raced, true};
            continue;
          }
          seq = m.seq;
          results[i] = {m, false};
        } catch (...) {
          errors[i] = std::current_exception();
        }
      }
      store_.commit_batch();
      for (auto& [counter, seq] : last) *counter = seq;
    } catch (...) {
      batch_error = std::current_exception();
      try {
        store_.rollback_batch();
      } catch (...) {
      }
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      auto error = batch_error ? batch_error : errors[i];
      jobs[i].done(error, error ? stored{} : std::move(results[i]));
    }
  }
}

}  // namespace samling::rooms
