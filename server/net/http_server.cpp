#include "net/http_server.hpp"

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.hpp"
#include "net/http_session.hpp"

namespace samling::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Accepts until the acceptor is closed. Each connection lives on one of the pool's
// single-threaded io_contexts (round robin), so its handlers need no strand.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::io_context& ioc, io_pool& pool,
                                  std::shared_ptr<server_state> state) {
  auto ioc_ex = ioc.get_executor();
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(pool.next().get_executor(),
                                                       asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of file descriptors and the like: log, back off briefly, keep serving.
      core::log(core::log_level::warn, "accept_failed", {{"error", ec.message()}});
      asio::steady_timer backoff(ioc_ex, std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    // Responses and WebSocket frames are small and often back to back: without TCP_NODELAY,
    // Nagle holds the second behind the peer's delayed ACK (~40 ms on Linux).
    socket.set_option(tcp::no_delay(true), ec);
    auto open = state->connections.fetch_add(1) + 1;
    try {
      if (open > state->options.max_connections || state->stopping.load()) {
        refuse_connection(std::move(socket), state);
      } else {
        start_http_session(std::move(socket), state);
      }
    } catch (const std::exception& e) {
      // Out of memory starting one session: drop that connection, keep accepting.
      state->connections.fetch_sub(1);
      core::log(core::log_level::error, "session_start_failed", {{"error", e.what()}});
    }
  }
}

}  // namespace

http_server::http_server(asio::io_context& ioc, io_pool& connections, server_options options,
                         const router& routes, const static_files& files, metrics::registry& metrics,
                         std::shared_ptr<asio::ssl::context> tls)
    : ioc_(ioc), pool_(connections), state_(std::make_shared<server_state>()), acceptor_(asio::make_strand(ioc)) {
  state_->options = std::move(options);
  state_->ws_flush = std::make_shared<ws_flusher>(ioc.get_executor(), state_->options.ws.write_batch,
                                                  state_->options.ws.batch_above_frames_per_second);
  state_->routes = &routes;
  state_->files = &files;
  state_->tls = std::move(tls);
  state_->open_connections =
      &metrics.gauge_family("samling_http_open_connections", "Open HTTP(S) connections.").get();
  state_->requests_in_progress =
      &metrics.gauge_family("samling_http_requests_in_progress",
                            "Requests being received, handled or answered right now.")
           .get();
  state_->requests = &metrics.counter_family("samling_http_requests_total",
                                             "HTTP requests answered, by route, method and status.",
                                             {"route", "method", "status"});
  // Buckets from 0.5 ms to 10 s: API and static answers are sub-millisecond to a few ms.
  state_->request_seconds = &metrics.histogram_family(
      "samling_http_request_duration_seconds",
      "Time from the first byte of a request to the end of its response, by route.",
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, {"route"});
  state_->refused_connections =
      &metrics.counter_family("samling_http_refused_connections_total",
                              "Connections refused because server.limits.max_connections was "
                              "reached or the server was shutting down.")
           .get();
  state_->bad_requests =
      &metrics.counter_family("samling_http_rejected_requests_total",
                              "Requests rejected before routing: malformed, too large, too slow.")
           .get();
  state_->ws_open = &metrics.gauge_family("samling_ws_sessions_open", "Open WebSocket sessions.").get();
  state_->ws_messages_in = &metrics.counter_family("samling_ws_messages_in_total",
                                                   "WebSocket text frames received.").get();
  state_->ws_messages_out = &metrics.counter_family("samling_ws_messages_out_total",
                                                    "WebSocket text frames sent.").get();
  state_->ws_coalesced = &metrics.counter_family(
      "samling_ws_send_queue_coalesced_total",
      "Queued latest-value frames (presence) replaced by a newer one before being sent.").get();
  state_->ws_slow_consumer_closes = &metrics.counter_family(
      "samling_ws_slow_consumer_closes_total",
      "WebSocket sessions closed with 4008 because their send queue passed its bound.").get();
}

http_server::~http_server() = default;

std::uint16_t http_server::start() {
  auto address = asio::ip::make_address(state_->options.listen);
  tcp::endpoint endpoint(address, state_->options.port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  auto port = acceptor_.local_endpoint().port();
  asio::co_spawn(acceptor_.get_executor(), accept_loop(acceptor_, ioc_, pool_, state_), asio::detached);
  return port;
}

void http_server::stop_accepting() {
  state_->stopping = true;
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
  stop_sessions(false);
}

void http_server::close_all() { stop_sessions(true); }

void http_server::stop_sessions(bool force) {
  std::vector<std::shared_ptr<http_session>> live;
  {
    std::lock_guard lock(state_->sessions_mutex);
    for (auto& [_, weak] : state_->sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  // Outside the lock: stopping posts to each session's strand.
  for (auto& s : live) stop_http_session(s, force);
}

}  // namespace samling::net
