#pragma once
// The connections' threads: one io_context per thread, each connection on one of them for its
// whole life (round robin at accept). A connection's handlers then never cross threads, take
// no strand's lock and wake no other thread, and its socket stays warm in one CPU's cache —
// the way nginx's workers own their connections. The rest of the server (rooms, the flusher,
// the stage board) stays on the main io_context and its threads. See docs/architecture.md.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace samling::net {

class io_pool {
 public:
  explicit io_pool(unsigned threads);
  ~io_pool();
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  // The context for the next connection.
  boost::asio::io_context& next();
  unsigned size() const { return static_cast<unsigned>(contexts_.size()); }
  // Runs each context on its own thread.
  void start();
  // Stops every context and joins the threads; handlers still queued are destroyed with the
  // pool. Idempotent.
  void stop();

 private:
  using guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<unsigned> next_{0};
};

}  // namespace samling::net
