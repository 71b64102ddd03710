#include "rooms/chat_writer.hpp"

#include <stdexcept>
#include <unordered_map>

#include <boost/asio/post.hpp>

namespace samling::rooms {

void chat_writer::submit(chat_message m, std::shared_ptr<std::uint64_t> counter, post_gate_fn gate,
                         bool staff, done_fn done) {
  job j;
  j.message = std::move(m);
  j.gate = std::move(gate);
  j.staff = staff;
  j.done = std::move(done);
  j.counter = std::move(counter);
  enqueue(std::move(j));
}

void chat_writer::submit_op(op_env env, std::shared_ptr<std::uint64_t> counter, op_fn op,
                            audit_fn audit, op_done_fn done) {
  job j;
  j.is_op = true;
  j.env = std::move(env);
  j.op = std::move(op);
  j.audit = std::move(audit);
  j.op_done = std::move(done);
  j.counter = std::move(counter);
  enqueue(std::move(j));
}

void chat_writer::enqueue(job j) {
  std::lock_guard lock(mutex_);
  pending_.push_back(std::move(j));
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
    std::vector<op_outcome> outcomes(jobs.size());
    std::vector<std::exception_ptr> errors(jobs.size());
    std::exception_ptr batch_error;
    // The next seq per room within this batch; the rooms' counters move only after the commit.
    std::unordered_map<std::uint64_t*, std::uint64_t> last;
    try {
      store_.begin_batch();
      for (std::size_t i = 0; i < jobs.size(); ++i) {
        auto& seq = last.try_emplace(jobs[i].counter.get(), *jobs[i].counter).first->second;
        if (jobs[i].is_op) {
          // `jobs` is not resized while the batch runs: env's address is stable for the lambdas.
          auto& env = jobs[i].env;
          auto& out = outcomes[i];
          const auto before = seq;
          env.take_seq = [&seq] { return ++seq; };
          if (auto& audit = jobs[i].audit)
            env.audit = [&env, &audit](std::string_view a, std::string_view t, std::string_view r) {
              audit(env, a, t, r);
            };
          else
            env.audit = [](std::string_view, std::string_view, std::string_view) {};
          try {
            auto& op = jobs[i].op;
            bool kept = store_.atomically([&] {
              out = op(env);
              if (out.error != core::errc::ok) return false;
              std::uint64_t previous = before;
              for (auto& e : out.entries) {
                if (e.room.empty()) e.room = env.room;
                // Entries carry the seqs the op took, each once, in order: the room's seqs stay
                // dense (a seq taken and not used would be a gap every client waits for).
                if (e.seq != previous + 1 || e.seq > seq)
                  throw std::logic_error("room op returned an entry with seq " + std::to_string(e.seq) +
                                         " it did not take (room " + env.room + ")");
                previous = e.seq;
                store_.append_entry(e);
              }
              return true;
            });
            if (!kept) {
              seq = before;
              out.entries.clear();
              out.votes_changed.clear();
              out.polls_changed.clear();
              out.close_users.clear();
            }
          } catch (...) {
            seq = before;
            errors[i] = std::current_exception();
          }
          // Taken seqs the op did not use would leave a gap nobody hears of: give back the tail.
          if (!errors[i] && out.error == core::errc::ok)
            seq = out.entries.empty() ? before : out.entries.back().seq;
          env.take_seq = nullptr;
          env.audit = nullptr;
          continue;
        }
        auto& m = jobs[i].message;
        try {
          if (auto found = store_.find_by_client_id(m.room, m.user.id, m.client_msg_id)) {
            results[i] = {*found, true, {}};
            continue;
          }
          if (jobs[i].gate) {
            auto verdict = jobs[i].gate(m, jobs[i].staff);
            if (verdict.error != core::errc::ok) {
              results[i].refused = std::move(verdict);
              continue;
            }
            m.held = verdict.held;
          }
          m.seq = seq + 1;
          if (auto raced = store_.append(m)) {
            results[i] = {*raced, true, {}};
            continue;
          }
          seq = m.seq;
          results[i] = {m, false, {}};
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
      if (jobs[i].is_op)
        jobs[i].op_done(error, error ? op_outcome{} : std::move(outcomes[i]));
      else
        jobs[i].done(error, error ? stored{} : std::move(results[i]));
    }
  }
}

}  // namespace samling::rooms
