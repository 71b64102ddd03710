#pragma once
// Write scheduling for WebSocket connections (docs/architecture.md, "Fan-out and write
// batching"). A connection with frames to send and no write in flight asks the flusher for a
// flush instead of writing each frame as it comes:
//
// - request(): the flush runs as soon as the calling handler returns (asio::defer), so a
//   room's fan-out to all its members is one pass and a lone reply or message leaves at once.
//   No timer is on this path.
// - hold(): only under load (busy(): the server is fanning out more than
//   ws.batch_above_frames_per_second events, measured over 100 ms windows) and only for a
//   connection that was written to less than ws.write_batch_ms ago, events wait until that
//   much time has passed since its last write, so a member of a busy room gets a few messages
//   per write instead of one (what keeps S1's CPU per delivery low, tests/bench). Idle
//   connections and replies are never held.
//
// Frames that arrive while a connection's write is in flight need no flush: the write's
// completion takes them (backlog coalesces by itself).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace samling::net {

// A connection that can be told to write what it has queued. flush() is called on the
// flusher's thread; the target writes there (plain TCP) or hands the write to its own thread.
// A flush with nothing to write is harmless.
class ws_flush_target {
 public:
  virtual ~ws_flush_target() = default;
  virtual void flush() = 0;
};

// Frames per second over the last complete window; lock-free, for any thread.
class rate_meter {
 public:
  using clock = std::chrono::steady_clock;
  explicit rate_meter(clock::duration window = std::chrono::milliseconds(100)) : window_(window) {}
  void add(std::uint64_t n, clock::time_point now);
  // The rate of the last complete window (0 before one has passed, and after a silent one).
  double per_second(clock::time_point now) const;

 private:
  void roll(clock::time_point now);
  const clock::duration window_;
  std::atomic<std::int64_t> window_start_{0};  // ns since the clock's epoch; 0 = not started
  std::atomic<std::uint64_t> count_{0};        // in the current window
  std::atomic<double> last_rate_{0};
  std::atomic<std::int64_t> last_end_{0};      // when the window that gave last_rate_ ended
};

class ws_flusher : public std::enable_shared_from_this<ws_flusher> {
 public:
  using clock = std::chrono::steady_clock;
  // window 0: nothing is ever held.
  ws_flusher(boost::asio::any_io_executor executor, std::chrono::milliseconds window,
             std::uint32_t batch_above_frames_per_second);

  // Thread-safe: flush `target` once the calling handler returns.
  void request(std::shared_ptr<ws_flush_target> target);
  // Thread-safe: flush `target` at `due` (at most `window` from now).
  void hold(std::shared_ptr<ws_flush_target> target, clock::time_point due);

  // Counts events fanned out, for busy().
  void count_events(std::uint64_t n, clock::time_point now) { events_.add(n, now); }
  // Whether events may be held: the fan-out rate is above the threshold (and the window > 0).
  bool busy(clock::time_point now) const;

  std::chrono::milliseconds window() const { return window_; }

 private:
  struct held {
    std::shared_ptr<ws_flush_target> target;
    clock::time_point due;
  };
  void run();
  void run_held();
  void arm(clock::time_point due);  // mutex held

  boost::asio::any_io_executor executor_;
  const std::chrono::milliseconds window_;
  const double busy_above_;
  rate_meter events_;
  std::mutex mutex_;  // guards the members below
  std::vector<std::shared_ptr<ws_flush_target>> pending_;
  bool deferred_ = false;
  std::vector<held> held_;
  boost::asio::steady_timer timer_;
  clock::time_point armed_for_ = clock::time_point::max();
};

}  // namespace samling::net
