#pragma once
// Group commit for chat (docs/architecture.md, "A post"): every room hands its posts to one
// writer on the store's thread. Posts that arrive while the store is busy with a commit wait
// for the next one and then share it: one transaction, one WAL write for all of them, instead
// of one per post. No timer: a lone post is stored at once; under load the batches grow by
// themselves. Each post keeps its own outcome (a savepoint each: one that fails leaves the
// others), and nobody hears of a post before the commit that made it durable.
//
// The same queue runs the rooms' operations (Q&A, polls, moderation: rooms/room_log.hpp), so a
// room's posts and operations take their seqs, and reach the room again, in one order: each op
// in a savepoint of its own, its log entries stored in it; an op that fails keeps nothing and
// gives its seqs back. An op that takes no seq (a join's snapshot) is a read in that order.
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/blocking.hpp"
#include "rooms/chat_store.hpp"
#include "rooms/room_log.hpp"

namespace samling::rooms {

class chat_writer : public std::enable_shared_from_this<chat_writer> {
 public:
  struct stored {
    chat_message message;   // as stored: with its seq (and, for a retry, the earlier message)
    bool duplicate = false; // a retry of a post already stored: nothing new was written
    // The gate's answer (room_services::gate): when `refused.error` is set nothing was stored
    // and no seq was used; `message.held` says whether it was stored held.
    post_verdict refused;
  };
  using done_fn = std::function<void(std::exception_ptr, stored)>;
  using op_done_fn = std::function<void(std::exception_ptr, op_outcome)>;
  // Writes one moderation log record for the op running in the env (room_services::audit).
  using audit_fn = std::function<void(const op_env&, std::string_view, std::string_view, std::string_view)>;

  // `store` is used only on `pool` (one thread: the store's).
  chat_writer(core::blocking_pool& pool, chat_store& store) : pool_(pool), store_(store) {}

  // Stores `m` with the next seq of its room, or finds the earlier post it retries.
  // `counter` is the room's highest stored seq: read and advanced only on the store's thread,
  // and only once the commit succeeded, so seqs stay dense. `gate` (may be empty) is asked
  // before a new post is stored (`staff` passes it by its own rules). `done` runs on the
  // store's thread.
  void submit(chat_message m, std::shared_ptr<std::uint64_t> counter, done_fn done) {
    submit(std::move(m), std::move(counter), {}, false, std::move(done));
  }
  void submit(chat_message m, std::shared_ptr<std::uint64_t> counter, post_gate_fn gate, bool staff,
              done_fn done);

  // Runs `op` for the room of `env` (env.take_seq and env.audit are set here) in the next
  // batch. The outcome's entries are stored; on an error outcome or a throw nothing is kept and
  // the seqs it took are given back. `done` runs on the store's thread.
  void submit_op(op_env env, std::shared_ptr<std::uint64_t> counter, op_fn op, audit_fn audit,
                 op_done_fn done);

  // co_await writer.append(...): submit(), resuming the caller on its own executor; throws
  // what the store threw.
  boost::asio::awaitable<stored> append(chat_message m, std::shared_ptr<std::uint64_t> counter, post_gate_fn gate = {},
              bool staff = false) {
    return await<stored>([self = shared_from_this(), m = std::move(m), c = std::move(counter),
                          g = std::move(gate), staff](done_fn done) mutable {
      self->submit(std::move(m), std::move(c), std::move(g), staff, std::move(done));
    });
  }
  // co_await writer.run(...): submit_op(), resuming the caller on its own executor.
  boost::asio::awaitable<op_outcome> run(op_env env, std::shared_ptr<std::uint64_t> counter, op_fn op, audit_fn audit = {}) {
    return await<op_outcome>([self = shared_from_this(), e = std::move(env), c = std::move(counter),
                              o = std::move(op), a = std::move(audit)](op_done_fn done) mutable {
      self->submit_op(std::move(e), std::move(c), std::move(o), std::move(a), std::move(done));
    });
  }

 private:
  // Wraps a submission that calls back on the store's thread into an awaitable that resumes
  // on the awaiting coroutine's executor.
  template <typename Result, typename Start>
  static boost::asio::awaitable<Result> await(Start start) {
    namespace asio = boost::asio;
    return asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, Result)>(
        [](auto handler, Start go) {
          using handler_t = decltype(handler);
          struct waiting {
            handler_t handler;
            asio::executor_work_guard<asio::associated_executor_t<handler_t>> work;
          };
          auto work = asio::make_work_guard(asio::get_associated_executor(handler));  // before the move
          auto w = std::make_shared<waiting>(waiting{std::move(handler), std::move(work)});
          go([w](std::exception_ptr e, Result r) {
            auto ex = w->work.get_executor();
            asio::dispatch(ex, [w, e, r = std::move(r)]() mutable { std::move(w->handler)(e, std::move(r)); });
          });
        },
        asio::use_awaitable, std::move(start));
  }

  struct job {
    bool is_op = false;
    chat_message message;
    post_gate_fn gate;
    bool staff = false;
    done_fn done;
    op_env env;
    op_fn op;
    audit_fn audit;
    op_done_fn op_done;
    std::shared_ptr<std::uint64_t> counter;
  };
  void enqueue(job j);
  void drain();  // the store's thread

  core::blocking_pool& pool_;
  chat_store& store_;
  std::mutex mutex_;  // guards the members below
  std::vector<job> pending_;
  bool draining_ = false;  // a drain is posted or running: it takes what is pending
};

}  // namespace samling::rooms
