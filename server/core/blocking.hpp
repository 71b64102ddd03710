#pragma once
// Runs blocking work (SQLite, file I/O) on a dedicated thread pool and resumes the awaiting
// coroutine on its own executor, so network threads never block on the disk.
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace samling::core {

// The pool that owns blocking resources. The store uses one thread: SQLite connections are
// not shared across threads, and one writer is what SQLite allows anyway.
class blocking_pool {
 public:
  explicit blocking_pool(std::size_t threads) : pool_(threads) {}
  ~blocking_pool() { stop(); }
  boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }
  // Finishes queued work, then joins the threads.
  void stop() { pool_.wait(); }

 private:
  boost::asio::thread_pool pool_;
};

// co_await run_blocking(pool, fn): fn() runs on the pool; its result (or exception) comes back
// to the awaiting coroutine, which resumes on its own executor.
//
// Written with async_initiate and plain handlers rather than a coroutine that takes `fn` by
// value: GCC 12 destroys such a by-value lambda parameter twice when the coroutine frame is
// torn down on another thread (seen here as "free(): invalid pointer").
template <typename Fn>
auto run_blocking(blocking_pool& pool, Fn fn) {
  using result_t = std::invoke_result_t<Fn>;
  namespace asio = boost::asio;
  if constexpr (std::is_void_v<result_t>) {
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr)>(
        [&pool](auto handler, Fn f) {
          auto work = asio::make_work_guard(asio::get_associated_executor(handler));
          asio::post(pool.executor(), [h = std::move(handler), f = std::move(f),
                                       work = std::move(work)]() mutable {
            std::exception_ptr error;
            try {
              f();
            } catch (...) {
              error = std::current_exception();
            }
            auto ex = work.get_executor();
            asio::dispatch(ex, [h = std::move(h), error]() mutable { std::move(h)(error); });
          });
        },
        asio::use_awaitable, std::move(fn));
  } else {
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, result_t)>(
        [&pool](auto handler, Fn f) {
          auto work = asio::make_work_guard(asio::get_associated_executor(handler));
          asio::post(pool.executor(), [h = std::move(handler), f = std::move(f),
                                       work = std::move(work)]() mutable {
            std::exception_ptr error;
            std::optional<result_t> result;
            try {
              result.emplace(f());
            } catch (...) {
              error = std::current_exception();
            }
            auto ex = work.get_executor();
            asio::dispatch(ex, [h = std::move(h), error, r = std::move(result)]() mutable {
              std::move(h)(error, r ? std::move(*r) : result_t{});
            });
          });
        },
        asio::use_awaitable, std::move(fn));
  }
}

}  // namespace samling::core
