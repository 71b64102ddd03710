#pragma once
// Write batching for WebSocket connections (docs/architecture.md, "Fan-out and write
// batching"). A connection that has frames queued asks the flusher for a write instead of
// writing each frame as it comes: when the server is quiet the flush runs as soon as the
// current handler (typically a room's fan-out to all its members) has finished, so every
// member is written in one pass; under load flushes run at most once per `interval`, and each
// connection then writes everything queued for it in one system call. At 100 messages a second
// to a room that is one write per few messages per member instead of one per message, which is
// what keeps the CPU per delivery below one write(2) per message (tests/bench, S1/S2).
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace samling::net {

// A connection that can be told to write what it has queued. flush() is called on the
// flusher's thread; the target hands the write to its own strand.
class ws_flush_target {
 public:
  virtual ~ws_flush_target() = default;
  virtual void flush() = 0;
};

class ws_flusher : public std::enable_shared_from_this<ws_flusher> {
 public:
  // interval 0: every request is flushed right after the handler that made it.
  ws_flusher(boost::asio::any_io_executor executor, std::chrono::milliseconds interval);

  // Thread-safe. The target must not ask again until its flush() has been called.
  void request(std::shared_ptr<ws_flush_target> target);

  std::chrono::milliseconds interval() const { return interval_; }

 private:
  void run();

  boost::asio::any_io_executor executor_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;  // guards the members below
  boost::asio::steady_timer timer_;
  std::vector<std::shared_ptr<ws_flush_target>> pending_;
  bool armed_ = false;
  std::chrono::steady_clock::time_point last_run_{};
};

}  // namespace samling::net
