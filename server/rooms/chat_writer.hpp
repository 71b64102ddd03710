#pragma once
// Group commit for chat (docs/architecture.md, "A post"): every room hands its posts to one
// writer on the store's thread. Posts that arrive while the store is busy with a commit wait
// for the next one and then share it: one transaction, one WAL write for all of them, instead
// of one per post. No timer: a lone post is stored at once; under load the batches grow by
// themselves. Each post keeps its own outcome (a savepoint each: one that fails leaves the
// others), and nobody hears of a post before the commit that made it durable.
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/blocking.hpp"
#include "rooms/chat_store.hpp"

namespace samling::rooms {

class chat_writer : public std::enable_shared_from_this<chat_writer> {
 public:
  struct stored {
    chat_message message;   // as stored: with its seq (and, for a retry, the earlier message)
    bool duplicate = false; // a retry of a post already stored: nothing new was written
  };
  using done_fn = std::function<void(std::exception_ptr, stored)>;

  // `store` is used only on `pool` (one thread: the store's).
  chat_writer(core::blocking_pool& pool, chat_store& store) : pool_(pool), store_(store) {}

  // Stores `m` with the next seq of its room, or finds the earlier post it retries.
  // `counter` is the room's highest stored seq: read and advanced only on the store's thread,
  // and only once the commit succeeded, so seqs stay dense. `done` runs on the store's thread.
  void submit(chat_message m, std::shared_ptr<std::uint64_t> counter, done_fn done);

  // co_await writer.append(...): submit(), resuming the caller on its own executor; throws
  // what the store threw.
  auto append(chat_message m, std::shared_ptr<std::uint64_t> counter) {
    namespace asio = boost::asio;
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, stored)>(
        [self = shared_from_this()](auto handler, chat_message msg, std::shared_ptr<std::uint64_t> c) {
          using handler_t = decltype(handler);
          struct waiting {
            handler_t handler;
            asio::executor_work_guard<asio::associated_executor_t<handler_t>> work;
          };
          auto work = asio::make_work_guard(asio::get_associated_executor(handler));  // before the move
          auto w = std::make_shared<waiting>(waiting{std::move(handler), std::move(work)});
          self->submit(std::move(msg), std::move(c), [w](std::exception_ptr e, stored s) {
            auto ex = w->work.get_executor();
            asio::dispatch(ex, [w, e, s = std::move(s)]() mutable { std::move(w->handler)(e, std::move(s)); });
          });
        },
        asio::use_awaitable, std::move(m), std::move(counter));
  }

 private:
  struct job {
    chat_message message;
    std::shared_ptr<std::uint64_t> counter;
    done_fn done;
  };
  void drain();  // the store's thread

  core::blocking_pool& pool_;
  chat_store& store_;
  std::mutex mutex_;  // guards the members below
  std::vector<job> pending_;
  bool draining_ = false;  // a drain is posted or running: it takes what is pending
};

}  // namespace samling::rooms
