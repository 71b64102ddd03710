#include "net/http_session.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>  // is_upgrade

#include "core/log.hpp"
#include "net/http_fallback.hpp"
#include "net/http_head.hpp"
#include "net/http_range.hpp"
#include "net/http_server.hpp"
#include "net/http_upgrade.hpp"
#include "net/http_writer.hpp"
#include "net/ws_connection.hpp"

namespace samling::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using core::errc;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// After an error response we half-close and read what the peer still sends, so that it sees
// our response instead of a reset; bounded in time and bytes.
constexpr auto drain_timeout = std::chrono::seconds(1);
constexpr std::size_t drain_max_bytes = 1u << 20;

// The connection loop of one HTTP(S) connection: detects TLS, reads each request (the strict
// GET/HEAD reader first, Beast's parser for the rest), routes it, and hands the answer to its
// writer (http_writer), an upgrade to ws_connection. Runs on one io_context of the connection
// pool for its whole life; owned by its coroutine (run), the server keeps a weak_ptr.
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(tcp::socket socket, std::shared_ptr<server_state> state)
      : stream_(std::move(socket)), state_(std::move(state)) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  static asio::awaitable<void> run(std::shared_ptr<http_session> self);
  void stop(bool force);
  auto stream_executor() { return stream_.get_executor(); }

 private:
  template <typename Stream>
  asio::awaitable<void> serve(Stream& s, bool tls_required);
  // Routes the request into `m`; answers it at once when the route has an immediate handler
  // that can (a cache hit), with no coroutine of its own.
  std::optional<response> answer_now(request& r, router::match_result& m, std::string& route_name);
  asio::awaitable<response> dispatch(request r, router::match_result m, std::string& route_name);
  template <typename Stream>
  asio::awaitable<void> upgrade(Stream& s, http::request<http::string_body> msg,
                                std::chrono::steady_clock::time_point started);
  template <typename Stream>
  asio::awaitable<void> close_gracefully(Stream& s);
  // Time limits without a timer operation per request: each phase of the connection only
  // stores its deadline; one timer per connection ticks four times per shortest limit and acts
  // on a deadline that passed (idle: close; request: half-close, so the read ends and a 408
  // can still be sent; response: close). A limit is enforced at most a quarter late.
  enum class phase { none, idle, request, response };
  void expect(phase p, std::chrono::steady_clock::duration timeout) {
    phase_ = p;
    if (p != phase::none) deadline_ = std::chrono::steady_clock::now() + timeout;
    if (!watchdog_armed_ && !watchdog_done_) arm_watchdog();
  }
  void arm_watchdog() {
    auto& opt = state_->options;
    auto tick = std::chrono::steady_clock::duration(std::min(opt.idle_timeout, opt.request_timeout)) / 4;
    watchdog_armed_ = true;
    watchdog_.expires_after(std::max<std::chrono::steady_clock::duration>(tick, std::chrono::milliseconds(50)));
    watchdog_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->watchdog_armed_ = false;
      if (ec || self->watchdog_done_) return;
      if (self->phase_ != phase::none && std::chrono::steady_clock::now() >= self->deadline_) self->expired();
      if (!self->watchdog_done_) self->arm_watchdog();
    });
  }
  void expired() {
    boost::system::error_code ec;
    auto p = std::exchange(phase_, phase::none);
    if (p == phase::request) {
      request_timed_out_ = true;
      stream_.socket().shutdown(tcp::socket::shutdown_receive, ec);
    } else {
      stream_.socket().close(ec);
    }
  }
  // The connection is over or became a WebSocket (which keeps its own time): the timer stops.
  void stop_watchdog() {
    watchdog_done_ = true;
    phase_ = phase::none;
    watchdog_.cancel();
  }
  void set_in_request(bool v) {
    if (v != in_request_) state_->requests_in_progress->add(v ? 1 : -1);
    in_request_ = v;
  }
  void record(std::string_view method, std::string_view target, std::string_view route,
              unsigned status, std::size_t bytes,
              std::chrono::steady_clock::time_point started);

  beast::tcp_stream stream_;
  std::optional<asio::ssl::stream<beast::tcp_stream&>> tls_;
  beast::flat_buffer buffer_;
  std::shared_ptr<server_state> state_;
  std::string remote_;
  asio::steady_timer watchdog_{stream_.get_executor()};
  std::chrono::steady_clock::time_point deadline_;  // connection-thread-only, like the rest
  phase phase_ = phase::none;
  bool watchdog_armed_ = false;
  bool watchdog_done_ = false;
  bool request_timed_out_ = false;
  // Sends the responses; each bit of a slow response's progress renews deadline_.
  http_writer writer_{stream_.socket(), deadline_, state_->options.request_timeout};
  // The last request's metric series: a keep-alive connection mostly repeats one route.
  std::string last_route_;
  std::string last_method_;
  unsigned last_status_ = 0;
  metrics::counter* last_requests_ = nullptr;
  metrics::histogram* last_seconds_ = nullptr;
  bool in_request_ = false;      // connection-thread-only: a request is being read, handled or answered
  std::function<void(bool force)> ws_stop_;  // connection-thread-only: set while serving a WebSocket
  std::optional<asio::steady_timer> ws_done_;  // connection-thread-only: cancelled when the WebSocket ends
  bool ws_over_ = false;                       // connection-thread-only
  bool stop_requested_ = false;  // connection-thread-only
};

namespace {

errc classify(const boost::system::error_code& ec) {
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
    return errc::header_too_large;
  if (ec == http::error::body_limit) return errc::payload_too_large;
  if (ec == beast::error::timeout) return errc::request_timeout;
  return errc::bad_request;
}

bool peer_gone(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor ||
         ec == asio::ssl::error::stream_truncated;
}

request to_request(http::request<http::string_body>& req, const std::string& remote) {
  request r;
  r.method = req.method() == http::verb::unknown ? "OTHER" : std::string(req.method_string());
  r.target = std::string(req.target());
  split_target(r, r.target);
  for (auto& f : req) {
    std::string name(f.name_string());
    for (auto& c : name)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    r.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  r.body = std::move(req.body());
  r.remote = remote;
  return r;
}

}  // namespace

asio::awaitable<void> http_session::run(std::shared_ptr<http_session> self) {
  auto& state = *self->state_;
  // Undoes the registration on every way out, exceptions included, so a connection slot and
  // the gauges never leak.
  struct registration {
    http_session* session;
    server_state& state;
    registration(http_session* s, server_state& st) : session(s), state(st) {
      std::lock_guard lock(state.sessions_mutex);
      state.sessions.emplace(session, session->weak_from_this());
      state.open_connections->add(1);
    }
    ~registration() {
      session->stop_watchdog();
      session->set_in_request(false);
      boost::system::error_code ignored;
      session->stream_.socket().close(ignored);
      state.open_connections->add(-1);
      state.connections.fetch_sub(1);
      std::lock_guard lock(state.sessions_mutex);
      state.sessions.erase(session);
    }
  } guard(self.get(), state);
  try {
    if (state.tls) {
      // One port for both: a TLS ClientHello starts with a handshake record; anything else is
      // plain HTTP, which gets a clear "use https://" answer instead of a hang.
      self->stream_.expires_after(state.options.request_timeout);
      auto [ec, is_tls] = co_await beast::async_detect_ssl(self->stream_, self->buffer_, use_tuple);
      if (!ec && is_tls) {
        self->tls_.emplace(self->stream_, *state.tls);
        auto [hec, used] = co_await self->tls_->async_handshake(
            asio::ssl::stream_base::server, self->buffer_.data(), use_tuple);
        if (!hec) {
          self->buffer_.consume(used);
          co_await self->serve(*self->tls_, false);
        } else {
          core::log(core::log_level::debug, "tls_handshake_failed",
                    {{"remote", self->remote_}, {"error", hec.message()}});
        }
      } else if (!ec) {
        co_await self->serve(self->stream_.socket(), true);
      }
    } else {
      // Plain HTTP goes straight to the socket: the watchdog keeps the time, so Beast's
      // timed stream would only wrap every operation.
      co_await self->serve(self->stream_.socket(), false);
    }
    if (self->ws_done_ && !self->ws_over_) co_await self->ws_done_->async_wait(use_tuple);
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "http_session_failed",
              {{"remote", self->remote_}, {"error", e.what()}});
  }
}

template <typename Stream>
asio::awaitable<void> http_session::serve(Stream& s, bool tls_required) {
  auto& opt = state_->options;
  stream_.expires_never();  // the watchdog keeps the time (expect), not a timer per operation
  for (bool first = true;; first = false) {
    set_in_request(false);
    // A connection accepted just before shutdown began still gets its first request answered
    // (with Connection: close); after that, a stopping server takes no new request.
    if (stop_requested_ || (state_->stopping.load() && !first)) co_return;
    if (buffer_.size() == 0) {
      // Idle keep-alive: wait for the first byte of the next request.
      expect(phase::idle, opt.idle_timeout);
      if (!first) {
        // Let the connection thread's other ready work run first: under load the client's
        // next request has usually arrived by then, so the read below finds it at once
        // instead of failing with EAGAIN and coming back through epoll (measured: fewer recv
        // calls and half the context switches, docs/performance.md). A stop that came in
        // meanwhile found no read to cancel, so it is checked again.
        co_await asio::post(stream_.get_executor(), asio::use_awaitable);
        if (stop_requested_ || state_->stopping.load()) co_return;
      }
      auto [ec, n] = co_await s.async_read_some(buffer_.prepare(4096), use_tuple);
      if (ec) co_return;  // peer left, idle timeout, or stopped by shutdown
      buffer_.commit(n);
    }
    set_in_request(true);
    auto started = std::chrono::steady_clock::now();
    request r;
    bool head = false, keep_alive = false, unknown_method = false;
    unsigned version = 11;
    auto simple = parse_simple_head(
        std::string_view(static_cast<const char*>(buffer_.data().data()), buffer_.size()),
        opt.max_header_bytes, r);
    if (simple.length) {
      // The common case, a plain GET or HEAD already in the buffer: no parser, no suspension.
      buffer_.consume(simple.length);
      r.remote = remote_;
      head = simple.head_method;
      version = simple.version;
      keep_alive = simple.keep_alive;
    } else {
      http::request_parser<http::string_body> parser;
      parser.header_limit(opt.max_header_bytes);
      parser.body_limit(opt.max_body_bytes);
      // The request timeout must leave the socket able to send a 408: the watchdog half-closes
      // the receive side, which ends the read with EOF while the send side stays open.
      request_timed_out_ = false;
      expect(phase::request, opt.request_timeout);
      auto [ec, n] = co_await http::async_read(s, buffer_, parser, use_tuple);
      expect(phase::none, {});
      if (ec) {
        if (!request_timed_out_ && peer_gone(ec)) co_return;
        auto e = request_timed_out_ ? errc::request_timeout : classify(ec);
        state_->bad_requests->inc();
        auto res = json_error(e, e == errc::bad_request
                                     ? "The request is not valid HTTP/1.1: " + ec.message() + "."
                                     : std::string());
        std::string method = parser.is_header_done() ? std::string(parser.get().method_string()) : "-";
        std::string target = parser.is_header_done() ? std::string(parser.get().target()) : "-";
        core::log(core::log_level::info, "http_request_rejected",
                  {{"remote", remote_}, {"error", core::code_name(e)}, {"detail", ec.message()}});
        expect(phase::response, opt.request_timeout);
        co_await writer_.write(s, res, false, false, 11);
        record(method, target, "rejected", res.status, res.body.size(), started);
        set_in_request(false);
        co_await close_gracefully(s);
        co_return;
      }
      auto& msg = parser.get();
      // On a TLS port a plain-text request gets tls_required below, upgrade or not.
      if (!tls_required && beast::websocket::is_upgrade(msg) && state_->options.ws_factory &&
          std::string_view(msg.target()).substr(0, std::string_view(msg.target()).find('?')) == "/ws") {
        co_await upgrade(s, parser.release(), started);
        co_return;
      }
      head = msg.method() == http::verb::head;
      version = msg.version();
      keep_alive = msg.keep_alive();
      unknown_method = msg.method() == http::verb::unknown;
      r = to_request(msg, remote_);
    }
    // What the metrics and the access log need once the handler has taken the request.
    std::string method = r.method;
    std::string target = opt.access_log ? r.target : std::string();
    // For a file body's range request (apply_range); empty, and so free, when absent.
    std::string range(r.header("range")), if_range(r.header("if-range"));
    std::string route_name;
    response res;
    if (tls_required) {
      res = json_error(errc::tls_required);
      route_name = "tls_required";
      keep_alive = false;
    } else if (unknown_method) {
      res = json_error(errc::not_implemented);
      route_name = "not_implemented";
    } else {
      router::match_result m;
      if (auto now = answer_now(r, m, route_name)) res = std::move(*now);
      else res = co_await dispatch(std::move(r), std::move(m), route_name);
    }
    keep_alive = keep_alive && !stop_requested_ && !state_->stopping.load();
    apply_range(res, method, range, if_range, std::time(nullptr));
    expect(phase::response, opt.request_timeout);
    auto progress = writer_.start(s, res, head, keep_alive, version);
    bool written = progress.state == http_writer::progress::done ||
                   (progress.state == http_writer::progress::pending && co_await writer_.finish(s, res, progress));
    expect(phase::none, {});
    record(method, target, route_name, res.status, head ? 0 : res.body_size(), started);
    if (!written) co_return;
    if (!keep_alive) {
      set_in_request(false);
      co_await close_gracefully(s);
      co_return;
    }
  }
}

// GET /ws with Upgrade: websocket. The client must offer the samling.v1 subprotocol (the
// version of docs/protocol.md it speaks); a stopping server takes no new WebSocket.
template <typename Stream>
asio::awaitable<void> http_session::upgrade(Stream& s, http::request<http::string_body> msg,
                                            std::chrono::steady_clock::time_point started) {
  request r = to_request(msg, remote_);
  auto decision = decide_upgrade(r, !std::is_same_v<Stream, tcp::socket>, stop_requested_ || state_->stopping.load(),
                                 state_->options.allowed_origins);
  auto& refusal = decision.refusal;
  if (refusal) {
    expect(phase::response, state_->options.request_timeout);
    co_await writer_.write(s, *refusal, false, false, msg.version());
    record(r.method, r.target, "ws", refusal->status, refusal->body.size(), started);
    set_in_request(false);
    co_await close_gracefully(s);
    co_return;
  }
  record(r.method, r.target, "ws", 101, 0, started);
  set_in_request(false);  // a WebSocket is not a request in flight; shutdown closes it with 1001
  ws_run_params params{.state = state_,
                       .remote = remote_,
                       .upgrade = std::move(r),
                       .accept_key = std::move(decision.accept_key),
                       .leftover = beast::buffers_to_string(buffer_.data()),
                       .lowest = &stream_,
                       .owner = shared_from_this(),
                       .stop_hook = &ws_stop_,
                       .on_done = [this] {
                         ws_over_ = true;
                         if (ws_done_) ws_done_->cancel();
                       }};
  buffer_ = beast::flat_buffer();
  // The connection runs on its own from here; this coroutine (and serve's) end, so no frame of
  // the HTTP exchange stays with it. run() waits on ws_done_ until it is over.
  ws_done_.emplace(stream_.get_executor(), asio::steady_timer::time_point::max());
  stop_watchdog();
  if constexpr (std::is_same_v<Stream, tcp::socket>) start_websocket(stream_, std::move(params));
  else start_websocket(s, std::move(params));
}

std::optional<response> http_session::answer_now(request& r, router::match_result& m,
                                                 std::string& route_name) {
  if (r.path.empty() || r.path.front() != '/') return std::nullopt;  // dispatch answers
  m = state_->routes->match(r.method, r.path);
  if (!m.fn || !m.now) return std::nullopt;
  r.params = std::move(m.params);  // dispatch keeps them if the fast path passes
  try {
    auto res = (*m.now)(r);
    if (res) route_name = std::string(m.name);
    return res;
  } catch (const std::exception& e) {
    route_name = std::string(m.name);
    core::log(core::log_level::error, "handler_failed", {{"route", route_name}, {"error", e.what()}});
    return json_error(errc::internal);
  }
}

asio::awaitable<response> http_session::dispatch(request r, router::match_result m, std::string& route_name) {
  // A route's handler; m.fn is set only for a valid path (answer_now matched it).
  if (m.fn && !r.path.empty() && r.path.front() == '/') {
    route_name = std::string(m.name);
    if (!m.params.empty()) r.params = std::move(m.params);
    try {
      co_return co_await (*m.fn)(std::move(r));
    } catch (const std::exception& e) {
      core::log(core::log_level::error, "handler_failed",
                {{"route", route_name}, {"error", e.what()}});
      co_return json_error(errc::internal);
    }
  }
  co_return fallback_response(r, m, *state_->files, route_name);
}

template <typename Stream>
asio::awaitable<void> http_session::close_gracefully(Stream& s) {
  boost::system::error_code ec;
  if constexpr (std::is_same_v<Stream, tcp::socket>) {
    s.shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(drain_timeout);  // the drain reads through the timed stream
    std::size_t drained = 0;
    char sink[4096];
    while (!ec && drained < drain_max_bytes) {
      std::size_t n = 0;
      std::tie(ec, n) = co_await stream_.async_read_some(asio::buffer(sink), use_tuple);
      drained += n;
    }
  } else {
    stream_.expires_after(drain_timeout);
    std::tie(ec) = co_await s.async_shutdown(use_tuple);
  }
  stream_.socket().close(ec);
}

void http_session::record(std::string_view method_name, std::string_view target, std::string_view route,
                          unsigned status, std::size_t bytes, std::chrono::steady_clock::time_point started) {
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string_view method = method_name == "GET" || method_name == "HEAD" || method_name == "POST" ||
                                    method_name == "PUT" || method_name == "PATCH" ||
                                    method_name == "DELETE" || method_name == "OPTIONS"
                                ? method_name
                                : std::string_view("other");
  // The series are looked up (under the families' locks) only when the route, method or
  // status differs from this connection's previous request.
  if (!last_requests_ || route != last_route_ || method != last_method_ || status != last_status_) {
    last_route_ = route;
    last_method_ = method;
    last_status_ = status;
    last_requests_ = &state_->requests->with({last_route_, last_method_, std::to_string(status)});
    last_seconds_ = &state_->request_seconds->with({last_route_});
  }
  last_requests_->inc();
  last_seconds_->observe(seconds);
  if (state_->options.access_log) {
    core::log(core::log_level::info, "http_request",
              {{"remote", remote_}, {"method", method_name}, {"target", redact_target(target)},
               {"route", route}, {"status", status}, {"bytes", bytes},
               {"ms", seconds * 1000.0}});
  }
}

void http_session::stop(bool force) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), force] {
    self->stop_requested_ = true;
    if (self->ws_stop_) {
      self->ws_stop_(force);  // 1001 going away, or cut at once
      return;
    }
    boost::system::error_code ec;
    if (force) {
      self->stream_.socket().close(ec);
    } else if (!self->in_request_) {
      // Cancel the idle read only: if a request's bytes already arrived (the read completed
      // but the coroutine has not resumed yet), the session still answers it.
      self->stream_.socket().cancel(ec);
    }
  });
}

void start_http_session(tcp::socket socket, std::shared_ptr<server_state> state) {
  auto session = std::make_shared<http_session>(std::move(socket), std::move(state));
  auto ex = session->stream_executor();
  asio::co_spawn(ex, http_session::run(std::move(session)), asio::detached);
}

void stop_http_session(const std::shared_ptr<http_session>& session, bool force) {
  session->stop(force);
}

namespace {

// Answers a connection the server will not serve (over the cap, or shutting down) with a 503
// in the protocol the client speaks, all within drain_timeout, then closes it.
asio::awaitable<void> refuse(tcp::socket socket, std::shared_ptr<server_state> state) {
  struct release {
    server_state& state;
    ~release() { state.connections.fetch_sub(1); }
  } slot{*state};
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  auto e = state->stopping.load() ? errc::unavailable : errc::too_many_connections;
  auto body = json_error(e, e == errc::unavailable ? "The server is shutting down." : "").body;
  http::response<http::string_body> msg{static_cast<http::status>(core::http_status(e)), 11, body};
  msg.set(http::field::content_type, "application/json");
  msg.set(http::field::retry_after, "1");
  msg.keep_alive(false);
  msg.prepare_payload();
  stream.expires_after(drain_timeout);
  if (state->tls) {
    auto [ec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, use_tuple);
    if (ec) co_return;
    if (is_tls) {
      asio::ssl::stream<beast::tcp_stream&> tls(stream, *state->tls);
      auto [hec, used] = co_await tls.async_handshake(asio::ssl::stream_base::server,
                                                      buffer.data(), use_tuple);
      if (hec) co_return;
      auto [wec, n] = co_await http::async_write(tls, msg, use_tuple);
      if (!wec) co_await tls.async_shutdown(use_tuple);
      co_return;
    }
  }
  auto [ec, n] = co_await http::async_write(stream, msg, use_tuple);
  if (!ec) {
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    char sink[4096];
    while (!ec) std::tie(ec, n) = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
  }
}

}  // namespace

void refuse_connection(tcp::socket socket, std::shared_ptr<server_state> state) {
  state->refused_connections->inc();
  auto ex = socket.get_executor();
  asio::co_spawn(ex, refuse(std::move(socket), std::move(state)), asio::detached);
}

}  // namespace samling::net
