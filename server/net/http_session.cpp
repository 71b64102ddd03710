#include "net/http_session.hpp"

#include <chrono>
#include <ctime>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <optional>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>  // is_upgrade

#include "core/origin.hpp"
#include "core/log.hpp"
#include "core/version.hpp"
#include "net/http_head.hpp"
#include "net/http_range.hpp"
#include "net/http_server.hpp"
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
  asio::awaitable<bool> write(Stream& s, const response& res, bool head, bool keep_alive,
                              unsigned version);
  // How far a response got: start_write sends what it can without suspending, finish_write
  // the rest.
  struct write_progress {
    enum status_t { pending, done, failed } state = pending;
    std::size_t sent = 0;    // bytes of the head and in-memory body sent
    off_t file_offset = 0;   // where the file body's next byte is read
    off_t file_end = 0;      // where it ends (the file's size, or a range's end)
    std::string_view body;   // the in-memory body (empty for HEAD, 304 and file bodies)
    bool file = false;       // the body is res.file_body
  };
  template <typename Stream>
  write_progress start_write(Stream& s, const response& res, bool head, bool keep_alive, unsigned version);
  template <typename Stream>
  asio::awaitable<bool> finish_write(Stream& s, const response& res, write_progress p);
  write_progress::status_t send_file_now(const open_file& f, off_t& offset, off_t end);
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
  std::string header_buffer_;  // connection-thread-only: the response head being written
  bool non_blocking_ = false;  // the plain socket is in non-blocking mode (sendfile)
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

// The page for an unknown non-API URL, in the three languages the product speaks.
const char* not_found_page =
    "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>404 – Samling</title>"
    "<meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"font-family:"
    "system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem\"><h1>404</h1>"
    "<p>Sidan finns inte.</p><p lang=\"en\">This page does not exist.</p>"
    "<p lang=\"fi\">Sivua ei ole olemassa.</p><p><a href=\"/\">Samling</a></p></body></html>";

const char* not_built_page =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Samling</title>"
    "</head><body><h1>Samling</h1><p>The web app is not built. Run <code>npm run build</code> "
    "in <code>web/</code>, or start the server with <code>deploy/run.sh</code>.</p></body></html>";

// The Date header (RFC 9110 6.6.1), e.g. "Sat, 21 Nov 2026 14:00:00 GMT", formatted once
// per second per thread.
std::string_view http_date() {
  thread_local std::time_t formatted = -1;
  thread_local char buf[64];
  thread_local std::size_t len = 0;
  auto t = std::time(nullptr);
  if (t != formatted) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    formatted = t;
  }
  return {buf, len};
}

void append_number(std::string& out, std::uint64_t v) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, end);
}

// The status line and header fields of `res`, ending with the empty line. Handlers add only
// fixed header names (Cache-Control, ETag, Allow, …); Content-Type, Content-Length and
// Connection are the session's.
// Every answer says what it is (nosniff) and keeps its URL to this site (download links carry
// a token in the query: a link followed to another site must not show it there). Pages get a
// Content-Security-Policy: scripts, styles and connections from this origin only, no inline
// script; media and hls.js's worker from blob: URLs (Media Source); framed only by this site.
// Under TLS, browsers are told to stay on HTTPS (HSTS, a year).
constexpr const char* common_headers = "\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: same-origin";
constexpr const char* page_policy =
    "\r\nContent-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
constexpr const char* hsts = "\r\nStrict-Transport-Security: max-age=31536000";

void format_head(std::string& out, const response& res, bool keep_alive, unsigned version, bool tls) {
  static const std::string server = "\r\nServer: samling/" + std::string(core::version());
  out.clear();
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_number(out, res.status);
  out += ' ';
  out += http::obsolete_reason(static_cast<http::status>(res.status));
  out += server;
  out += "\r\nDate: ";
  out += http_date();
  out += common_headers;
  bool own_policy = std::any_of(res.headers.begin(), res.headers.end(),
                               [](auto& h) { return h.first == "Content-Security-Policy"; });
  if (res.content_type.starts_with("text/html") && !own_policy) out += page_policy;
  if (tls) out += hsts;
  if (res.status != 304) {
    out += "\r\nContent-Type: ";
    out += res.content_type;
  }
  for (auto& [k, v] : res.headers) {
    out += "\r\n";
    out += k;
    out += ": ";
    out += v;
  }
  if (version >= 11 && !keep_alive) out += "\r\nConnection: close";
  if (version < 11 && keep_alive) out += "\r\nConnection: keep-alive";
  if (res.status != 304) {
    out += "\r\nContent-Length: ";
    append_number(out, res.body_size());
  }
  out += "\r\n\r\n";
}

// The server's own small pages (404, "not built") run no script at all, so their policy
// allows nothing but their inline style.
response html_page(unsigned status, const char* html) {
  response res;
  res.status = status;
  res.content_type = "text/html; charset=utf-8";
  res.body = html;
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'self'");
  return res;
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
        co_await write(s, res, false, false, 11);
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
    auto progress = start_write(s, res, head, keep_alive, version);
    bool written = progress.state == write_progress::done ||
                   (progress.state == write_progress::pending && co_await finish_write(s, res, progress));
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
  bool offered = false;
  std::string_view protocols = msg[http::field::sec_websocket_protocol];
  for (std::size_t i = 0; i < protocols.size();) {
    auto comma = protocols.find(',', i);
    auto item = protocols.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    offered = offered || item == "samling.v1";
    i = comma == std::string_view::npos ? protocols.size() : comma + 1;
  }
  request r = to_request(msg, remote_);
  std::optional<response> refusal;
  auto accept = ws_accept_key(msg[http::field::sec_websocket_key]);
  if (msg[http::field::sec_websocket_version] != "13") {
    refusal = json_error(errc::bad_request, "Only WebSocket version 13 is spoken.");
    refusal->headers.emplace_back("Sec-WebSocket-Version", "13");
  } else if (!accept) {
    refusal = json_error(errc::bad_request, "Sec-WebSocket-Key must be 16 bytes in base64.");
  } else if (!offered) {
    refusal = json_error(errc::bad_request, "Offer the WebSocket subprotocol samling.v1.");
  } else if (!core::origin_allowed(msg[http::field::origin], msg[http::field::host],
                                   !std::is_same_v<Stream, tcp::socket>, state_->options.allowed_origins)) {
    // A page of another site: a visitor's browser would bring its signed-in session along.
    refusal = json_error(errc::forbidden, "Pages of this origin may not open the WebSocket (server.allowed_origins).");
  } else if (stop_requested_ || state_->stopping.load()) {
    refusal = json_error(errc::unavailable, "The server is shutting down.");
  }
  if (refusal) {
    expect(phase::response, state_->options.request_timeout);
    co_await write(s, *refusal, false, false, msg.version());
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
                       .accept_key = std::move(*accept),
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
  if (r.path.empty() || r.path.front() != '/') {
    route_name = "bad_path";
    co_return json_error(errc::bad_request, "The request path is not a valid URL path.");
  }
  if (m.fn) {
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
  if (m.path_matched) {
    route_name = "method_not_allowed";
    auto res = json_error(errc::method_not_allowed);
    res.headers.emplace_back("Allow", m.allowed);
    co_return res;
  }
  if (r.path == "/api" || r.path.starts_with("/api/")) {
    route_name = "api_not_found";
    co_return json_error(errc::not_found, "No API route " + r.method + " " + r.path + ".");
  }
  if (r.method == "GET" || r.method == "HEAD") {
    if (auto* f = state_->files->find(r.path)) {
      route_name = "static";
      co_return state_->files->serve(*f, r.header("if-none-match"));
    }
    if (r.path == "/" && state_->files->empty()) {
      route_name = "static";
      co_return html_page(503, not_built_page);
    }
  }
  route_name = "not_found";
  co_return html_page(404, not_found_page);
}

template <typename Stream>
asio::awaitable<bool> http_session::write(Stream& s, const response& res, bool head,
                                          bool keep_alive, unsigned version) {
  auto progress = start_write(s, res, head, keep_alive, version);
  if (progress.state != write_progress::pending) co_return progress.state == write_progress::done;
  co_return co_await finish_write(s, res, progress);
}

// Formats the head and, on plain TCP, sends what the socket takes at once: the head and an
// in-memory body in one sendmsg(2); the head of a file response with MSG_MORE (it waits for the
// file's first bytes instead of leaving in a small packet of its own, as nginx's tcp_nopush),
// then the file with sendfile(2). A keep-alive exchange that fits the socket buffer (nearly all)
// is answered without suspending; the rest is finish_write's.
template <typename Stream>
http_session::write_progress http_session::start_write(Stream&, const response& res, bool head,
                                                       bool keep_alive, unsigned version) {
  write_progress p;
  p.file = res.file_body && !head && res.status != 304;
  if (p.file) {
    p.file_offset = static_cast<off_t>(res.file_offset);
    p.file_end = static_cast<off_t>(res.file_offset + res.body_size());
  }
  if (!head && res.status != 304 && !p.file) p.body = res.body_view();
  format_head(header_buffer_, res, keep_alive, version, !std::is_same_v<Stream, tcp::socket>);
  if constexpr (std::is_same_v<Stream, tcp::socket>) {
    auto& sock = stream_.socket();
    if (!non_blocking_) {
      boost::system::error_code ec;
      sock.non_blocking(true, ec);
      if (ec) {
        p.state = write_progress::failed;
        return p;
      }
      non_blocking_ = true;
    }
    std::array<iovec, 2> iov{iovec{header_buffer_.data(), header_buffer_.size()},
                             iovec{const_cast<char*>(p.body.data()), p.body.size()}};
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = p.body.empty() ? 1 : 2;
    ssize_t n;
    do n = ::sendmsg(sock.native_handle(), &msg, MSG_NOSIGNAL | (p.file ? MSG_MORE : 0));
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) p.state = write_progress::failed;
      return p;
    }
    p.sent = static_cast<std::size_t>(n);
    if (p.sent < header_buffer_.size() + p.body.size()) return p;
    if (!p.file) p.state = write_progress::done;
    else p.state = send_file_now(*res.file_body, p.file_offset, p.file_end);
  }
  return p;
}

// sendfile(2) from `offset` until `end` is reached (done), the socket buffer is full (pending)
// or the connection fails (failed).
http_session::write_progress::status_t http_session::send_file_now(const open_file& f, off_t& offset, off_t end) {
  while (offset < end) {
    auto want = static_cast<std::size_t>(end - offset);
    auto n = ::sendfile(stream_.socket().native_handle(), f.fd, &offset, want);
    if (n > 0) {
      // Progress: the client reads, so it gets another request timeout for the rest.
      deadline_ = std::chrono::steady_clock::now() + state_->options.request_timeout;
      if (static_cast<std::size_t>(n) == want) break;
      // A short send filled the socket buffer. Sending again at once would queue the few bytes
      // the peer acknowledged meanwhile, in small segments that each wake it; waiting until the
      // kernel reports the buffer a third free sends large ones (as nginx does).
      return write_progress::pending;
    }
    if (n == 0) return write_progress::failed;  // the file is shorter than it was: cut the response
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? write_progress::pending : write_progress::failed;
  }
  return write_progress::done;
}

// The rest of a response start_write could not send at once. A client that stops reading
// gets the request timeout from its last progress (the watchdog then closes the socket). TLS:
// the head and body through the TLS stream; a file read in chunks, each renewing the deadline.
template <typename Stream>
asio::awaitable<bool> http_session::finish_write(Stream& s, const response& res, write_progress p) {
  auto total = header_buffer_.size() + p.body.size();
  if (p.sent < total) {
    // What is left of the head and body; `res` outlives the write because the caller awaits it.
    std::array<asio::const_buffer, 2> rest{asio::buffer(header_buffer_), asio::buffer(p.body.data(), p.body.size())};
    if (p.sent < rest[0].size()) {
      rest[0] += p.sent;
    } else {
      rest[1] += p.sent - rest[0].size();
      rest[0] = asio::const_buffer();
    }
    auto [ec, n] = co_await asio::async_write(s, rest, use_tuple);
    if (ec) co_return false;
  }
  if (!p.file) co_return true;
  const auto& f = *res.file_body;
  if constexpr (std::is_same_v<Stream, tcp::socket>) {
    bool wait = p.sent >= total;  // start_write got to the file and found the socket full
    for (;;) {
      if (wait) {
        // A client that stops reading: the watchdog closes the socket at the response deadline.
        auto [wec] = co_await stream_.socket().async_wait(tcp::socket::wait_write, use_tuple);
        if (wec) co_return false;
      }
      wait = true;
      auto st = send_file_now(f, p.file_offset, p.file_end);
      if (st != write_progress::pending) co_return st == write_progress::done;
    }
  } else {
    // One 64 KiB buffer per response, whatever the file's size: memory stays flat for a
    // recording of gigabytes, and each chunk waits for TLS to take the previous one.
    std::string chunk(64 * 1024, '\0');
    auto end = static_cast<std::uint64_t>(p.file_end);
    for (auto offset = static_cast<std::uint64_t>(p.file_offset); offset < end;) {
      auto n = ::pread(f.fd, chunk.data(), std::min<std::uint64_t>(chunk.size(), end - offset),
                       static_cast<off_t>(offset));
      if (n <= 0) co_return false;
      auto [ec, written] = co_await asio::async_write(s, asio::buffer(chunk.data(), static_cast<std::size_t>(n)), use_tuple);
      if (ec) co_return false;
      offset += static_cast<std::uint64_t>(n);
      deadline_ = std::chrono::steady_clock::now() + state_->options.request_timeout;
    }
    co_return true;
  }
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
