#include "net/ws_session.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "core/log.hpp"
#include "core/version.hpp"

namespace samling::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A close frame waits behind a write in flight; a client that stopped reading never lets that
// write finish, so after this long the TCP connection is cut instead.
constexpr auto close_deadline = std::chrono::seconds(5);

namespace {

// The queue rooms deliver into (any thread) and the writer coroutine drains (the strand).
class ws_queue final : public ws_sink, public std::enable_shared_from_this<ws_queue> {
 public:
  ws_queue(asio::any_io_executor strand, ws_options options, std::shared_ptr<server_state> state)
      : strand_(strand), options_(options), state_(std::move(state)),
        wake_(std::make_shared<asio::steady_timer>(strand)) {}

  void send(std::shared_ptr<const std::string> frame, std::string_view coalesce_key) override {
    bool wake = false;
    bool overflow = false;
    {
      std::lock_guard lock(mutex_);
      if (finished_ || close_code_) return;
      if (!coalesce_key.empty()) {
        for (auto& e : queue_) {
          if (e.key == coalesce_key) {
            bytes_ = bytes_ - e.frame->size() + frame->size();
            e.frame = std::move(frame);
            state_->ws_coalesced->inc();
            return;
          }
        }
      }
      bytes_ += frame->size();
      queue_.push_back({std::move(frame), std::string(coalesce_key)});
      if (queue_.size() > options_.send_queue_messages || bytes_ > options_.send_queue_bytes) {
        overflow = true;
        close_code_ = core::ws_close::slow_consumer;
        queue_.clear();
        bytes_ = 0;
      }
      wake = std::exchange(writer_parked_, false);
    }
    if (overflow) state_->ws_slow_consumer_closes->inc();
    if (wake || overflow) poke(overflow);
  }

  void close(core::ws_close code) override {
    {
      std::lock_guard lock(mutex_);
      if (finished_ || close_code_) return;
      close_code_ = code;
      queue_.clear();
      bytes_ = 0;
      writer_parked_ = false;
    }
    poke(true);
  }

  // The writer: one write in flight, frames in queue order, then the close frame if asked.
  template <typename Ws>
  asio::awaitable<void> write_loop(Ws& ws) {
    for (;;) {
      std::shared_ptr<const std::string> frame;
      std::optional<core::ws_close> close;
      {
        std::lock_guard lock(mutex_);
        if (finished_) co_return;
        if (close_code_) {
          close = close_code_;
        } else if (!queue_.empty()) {
          frame = std::move(queue_.front().frame);
          bytes_ -= frame->size();
          queue_.pop_front();
        } else {
          writer_parked_ = true;
        }
      }
      if (close) {
        websocket::close_reason reason(static_cast<std::uint16_t>(*close));
        co_await ws.async_close(reason, use_tuple);
        co_return;
      }
      if (frame) {
        ws.text(true);
        auto [ec, n] = co_await ws.async_write(asio::buffer(*frame), use_tuple);
        if (ec) co_return;
        state_->ws_messages_out->inc();
        continue;
      }
      wake_->expires_at(asio::steady_timer::time_point::max());
      co_await wake_->async_wait(use_tuple);
    }
  }

  // The reader has ended: no more sending; wake the writer so it returns.
  void finish() {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
      queue_.clear();
      bytes_ = 0;
    }
    wake_->cancel();
    kill_timer_.reset();
    hard_close_ = nullptr;
  }

  // Strand only: how to cut the TCP connection if a close cannot be sent in time.
  std::function<void()> hard_close_;

 private:
  struct entry {
    std::shared_ptr<const std::string> frame;
    std::string key;
  };

  // Wakes the writer on the strand; with `closing`, also arms the deadline for the close.
  void poke(bool closing) {
    asio::post(strand_, [self = shared_from_this(), closing] {
      self->wake_->cancel();
      if (closing && !self->kill_timer_ && self->hard_close_) {
        self->kill_timer_ = std::make_unique<asio::steady_timer>(self->strand_, close_deadline);
        self->kill_timer_->async_wait([weak = std::weak_ptr<ws_queue>(self)](boost::system::error_code ec) {
          auto q = weak.lock();
          if (ec || !q || !q->hard_close_) return;
          core::log(core::log_level::info, "ws_close_deadline", {{"action", "tcp connection cut"}});
          q->hard_close_();
        });
      }
    });
  }
  asio::any_io_executor strand_;
  ws_options options_;
  std::shared_ptr<server_state> state_;
  std::shared_ptr<asio::steady_timer> wake_;
  std::unique_ptr<asio::steady_timer> kill_timer_;  // strand only

  std::mutex mutex_;  // guards the members below; never held across a write
  std::deque<entry> queue_;
  std::size_t bytes_ = 0;
  bool writer_parked_ = false;
  bool finished_ = false;
  std::optional<core::ws_close> close_code_;
};

template <typename Ws>
asio::awaitable<void> read_loop(Ws& ws, std::shared_ptr<ws_handler> handler,
                                std::shared_ptr<ws_queue> queue, std::shared_ptr<server_state> state,
                                std::string remote) {
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
    if (ec) {
      // Beast has already answered a frame over read_message_max with 1009 and invalid UTF-8
      // with 1007; timeouts and closes end here too.
      if (ec != websocket::error::closed && ec != asio::error::operation_aborted)
        core::log(core::log_level::debug, "ws_read_ended", {{"remote", remote}, {"error", ec.message()}});
      break;
    }
    state->ws_messages_in->inc();
    if (!ws.got_text()) {
      queue->close(core::ws_close::unsupported_data);
      continue;  // the next read sees the close handshake complete
    }
    try {
      co_await handler->on_text(beast::buffers_to_string(buffer.data()));
    } catch (const std::exception& e) {
      core::log(core::log_level::error, "ws_handler_failed", {{"remote", remote}, {"error", e.what()}});
      queue->close(core::ws_close::too_many_errors);
    }
  }
  handler->on_closed();
  queue->finish();
}

template <typename Stream>
asio::awaitable<void> run(Stream& stream, upgrade_request req, ws_run_params p) {
  auto& state = *p.state;
  if (!state.options.ws_factory) co_return;
  websocket::stream<Stream&> ws(stream);
  // Beast's own keep-alive: ping when idle for half the timeout, close when nothing at all
  // (not even a pong) came for the whole timeout. The TCP stream's timer is off meanwhile.
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = state.options.request_timeout;
  timeouts.idle_timeout = std::chrono::seconds(state.options.ws.idle_timeout_seconds);
  timeouts.keep_alive_pings = true;
  p.lowest->expires_never();
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "samling/" + std::string(core::version()));
    res.set(beast::http::field::sec_websocket_protocol, "samling.v1");
  }));
  ws.read_message_max(state.options.ws.max_frame_bytes);
  auto [ec] = co_await ws.async_accept(req, use_tuple);
  if (ec) co_return;

  auto strand = co_await asio::this_coro::executor;
  auto queue = std::make_shared<ws_queue>(strand, state.options.ws, p.state);
  queue->hard_close_ = [lowest = p.lowest] {
    boost::system::error_code ignored;
    lowest->socket().close(ignored);
  };
  *p.stop_hook = [queue, lowest = p.lowest](bool force) {
    if (force) {
      boost::system::error_code ignored;
      lowest->socket().close(ignored);
    } else {
      queue->close(core::ws_close::going_away);
    }
  };
  ws_context ctx{queue, strand, p.remote, &p.upgrade};
  std::shared_ptr<ws_handler> handler;
  try {
    handler = state.options.ws_factory(ctx);
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "ws_handler_failed", {{"remote", p.remote}, {"error", e.what()}});
  }
  if (handler) {
    state.ws_open->add(1);
    co_await (read_loop(ws, handler, queue, p.state, p.remote) && queue->write_loop(ws));
    state.ws_open->add(-1);
  }
  queue->finish();
  *p.stop_hook = nullptr;
}

}  // namespace

asio::awaitable<void> run_websocket(beast::tcp_stream& stream, upgrade_request req,
                                    ws_run_params params) {
  return run(stream, std::move(req), std::move(params));
}

asio::awaitable<void> run_websocket(asio::ssl::stream<beast::tcp_stream&>& stream,
                                    upgrade_request req, ws_run_params params) {
  return run(stream, std::move(req), std::move(params));
}

}  // namespace samling::net
