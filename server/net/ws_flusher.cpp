#include "net/ws_flusher.hpp"

#include <algorithm>
#include <iterator>

#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>

namespace samling::net {

ws_flusher::ws_flusher(boost::asio::any_io_executor executor, std::chrono::milliseconds interval)
    : executor_(executor), interval_(interval), timer_(executor) {}

void ws_flusher::request(std::shared_ptr<ws_flush_target> target) {
  std::lock_guard lock(mutex_);
  pending_.push_back(std::move(target));
  if (armed_) return;
  armed_ = true;
  auto due = last_run_ + interval_;
  if (interval_.count() == 0 || due <= std::chrono::steady_clock::now()) {
    // Quiet: flush once the calling handler returns. defer (not post) keeps the flush behind
    // the rest of that handler, so a room's fan-out to 1000 members is one flush, not two.
    boost::asio::defer(executor_, [self = shared_from_this()] { self->run(); });
  } else {
    timer_.expires_at(due);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->run();
    });
  }
}

void ws_flusher::run() {
  std::vector<std::shared_ptr<ws_flush_target>> due;  // a later run() may overlap this one
  {
    std::lock_guard lock(mutex_);
    due.swap(pending_);
    armed_ = false;
    last_run_ = std::chrono::steady_clock::now();
  }
  // A large flush is shared with the other I/O threads, a slice each.
  constexpr std::size_t slice = 256;
  for (std::size_t at = slice; at < due.size(); at += slice) {
    std::vector<std::shared_ptr<ws_flush_target>> part(
        std::make_move_iterator(due.begin() + static_cast<std::ptrdiff_t>(at)),
        std::make_move_iterator(due.begin() + static_cast<std::ptrdiff_t>(std::min(at + slice, due.size()))));
    boost::asio::post(executor_, [part = std::move(part)] {
      for (auto& t : part) t->flush();
    });
  }
  for (std::size_t i = 0; i < std::min(slice, due.size()); ++i) due[i]->flush();
}

}  // namespace samling::net
