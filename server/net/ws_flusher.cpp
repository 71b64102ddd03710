#include "net/ws_flusher.hpp"

#include <algorithm>
#include <iterator>

#include <boost/asio/defer.hpp>
#include <boost/asio/post.hpp>

namespace samling::net {

namespace {
std::int64_t ns(rate_meter::clock::time_point t) {
  // +1: a clock at its epoch still counts as started.
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() + 1;
}
}  // namespace

void rate_meter::roll(clock::time_point now) {
  auto at = ns(now);
  auto start = window_start_.load(std::memory_order_relaxed);
  if (start == 0) {
    window_start_.compare_exchange_strong(start, at, std::memory_order_relaxed);
    return;
  }
  auto width = std::chrono::duration_cast<std::chrono::nanoseconds>(window_).count();
  if (at - start < width) return;
  // One thread closes the window: the one whose exchange wins.
  if (!window_start_.compare_exchange_strong(start, at, std::memory_order_relaxed)) return;
  auto n = count_.exchange(0, std::memory_order_relaxed);
  last_rate_.store(static_cast<double>(n) * 1e9 / static_cast<double>(at - start), std::memory_order_relaxed);
  last_end_.store(at, std::memory_order_relaxed);
}

void rate_meter::add(std::uint64_t n, clock::time_point now) {
  roll(now);
  count_.fetch_add(n, std::memory_order_relaxed);
}

double rate_meter::per_second(clock::time_point now) const {
  auto end = last_end_.load(std::memory_order_relaxed);
  auto width = std::chrono::duration_cast<std::chrono::nanoseconds>(window_).count();
  // A rate nobody renewed for two windows is stale: nothing was counted since.
  if (end == 0 || ns(now) - end > 2 * width) return 0;
  return last_rate_.load(std::memory_order_relaxed);
}

ws_flusher::ws_flusher(boost::asio::any_io_executor executor, std::chrono::milliseconds window,
                       std::uint32_t batch_above_frames_per_second)
    : executor_(executor), window_(window), busy_above_(batch_above_frames_per_second),
      timer_(executor) {}

bool ws_flusher::busy(clock::time_point now) const {
  return window_.count() > 0 && events_.per_second(now) > busy_above_;
}

void ws_flusher::request(std::shared_ptr<ws_flush_target> target) {
  std::lock_guard lock(mutex_);
  pending_.push_back(std::move(target));
  if (deferred_) return;
  deferred_ = true;
  // defer (not post): the flush runs behind the rest of the calling handler, so a room's
  // fan-out to 1000 members is one pass, not one per member.
  boost::asio::defer(executor_, [self = shared_from_this()] { self->run(); });
}

void ws_flusher::hold(std::shared_ptr<ws_flush_target> target, clock::time_point due) {
  std::lock_guard lock(mutex_);
  held_.push_back({std::move(target), due});
  if (due < armed_for_) arm(due);
}

void ws_flusher::arm(clock::time_point due) {
  armed_for_ = due;
  timer_.expires_at(due);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->run_held();
  });
}

// Flushes a batch of targets; a large one is shared with the other I/O threads, a slice each.
static void flush_all(boost::asio::any_io_executor& ex, std::vector<std::shared_ptr<ws_flush_target>>& due) {
  constexpr std::size_t slice = 256;
  for (std::size_t at = slice; at < due.size(); at += slice) {
    std::vector<std::shared_ptr<ws_flush_target>> part(
        std::make_move_iterator(due.begin() + static_cast<std::ptrdiff_t>(at)),
        std::make_move_iterator(due.begin() + static_cast<std::ptrdiff_t>(std::min(at + slice, due.size()))));
    boost::asio::post(ex, [part = std::move(part)] {
      for (auto& t : part) t->flush();
    });
  }
  for (std::size_t i = 0; i < std::min(slice, due.size()); ++i) due[i]->flush();
}

void ws_flusher::run() {
  std::vector<std::shared_ptr<ws_flush_target>> due;  // a later run() may overlap this one
  {
    std::lock_guard lock(mutex_);
    due.swap(pending_);
    deferred_ = false;
  }
  flush_all(executor_, due);
}

void ws_flusher::run_held() {
  std::vector<std::shared_ptr<ws_flush_target>> due;
  {
    std::lock_guard lock(mutex_);
    auto now = clock::now();
    armed_for_ = clock::time_point::max();
    // Those due within a millisecond go now too: one timer wake-up for the members of a pass.
    auto cut = now + std::chrono::milliseconds(1);
    auto later = std::partition(held_.begin(), held_.end(), [cut](const held& h) { return h.due <= cut; });
    due.reserve(static_cast<std::size_t>(later - held_.begin()));
    for (auto it = held_.begin(); it != later; ++it) due.push_back(std::move(it->target));
    held_.erase(held_.begin(), later);
    if (!held_.empty()) {
      auto next = std::min_element(held_.begin(), held_.end(),
                                   [](const held& a, const held& b) { return a.due < b.due; });
      arm(next->due);
    }
  }
  flush_all(executor_, due);
}

}  // namespace samling::net
