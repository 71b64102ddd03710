#include "net/http_writer.hpp"

#include <netinet/in.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/status.hpp>

#include "core/version.hpp"

namespace samling::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

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

}  // namespace

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

template <typename Stream>
asio::awaitable<bool> http_writer::write(Stream& s, const response& res, bool head, bool keep_alive,
                                         unsigned version) {
  auto p = start(s, res, head, keep_alive, version);
  if (p.state != progress::pending) co_return p.state == progress::done;
  co_return co_await finish(s, res, p);
}

// Formats the head and, on plain TCP, sends what the socket takes at once: the head and an
// in-memory body in one sendmsg(2); the head of a file response with MSG_MORE (it waits for the
// file's first bytes instead of leaving in a small packet of its own, as nginx's tcp_nopush),
// then the file with sendfile(2). A keep-alive exchange that fits the socket buffer (nearly all)
// is answered without suspending; the rest is finish's.
template <typename Stream>
http_writer::progress http_writer::start(Stream&, const response& res, bool head, bool keep_alive,
                                         unsigned version) {
  progress p;
  p.file = res.file_body && !head && res.status != 304;
  if (p.file) {
    p.file_offset = static_cast<off_t>(res.file_offset);
    p.file_end = static_cast<off_t>(res.file_offset + res.body_size());
  }
  if (!head && res.status != 304 && !p.file) p.body = res.body_view();
  format_head(head_, res, keep_alive, version, !std::is_same_v<Stream, tcp::socket>);
  if constexpr (std::is_same_v<Stream, tcp::socket>) {
    auto& sock = socket_;
    if (!non_blocking_) {
      boost::system::error_code ec;
      sock.non_blocking(true, ec);
      if (ec) {
        p.state = progress::failed;
        return p;
      }
      non_blocking_ = true;
    }
    std::array<iovec, 2> iov{iovec{head_.data(), head_.size()},
                             iovec{const_cast<char*>(p.body.data()), p.body.size()}};
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = p.body.empty() ? 1 : 2;
    ssize_t n;
    do n = ::sendmsg(sock.native_handle(), &msg, MSG_NOSIGNAL | (p.file ? MSG_MORE : 0));
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) p.state = progress::failed;
      return p;
    }
    p.sent = static_cast<std::size_t>(n);
    if (p.sent < head_.size() + p.body.size()) return p;
    if (!p.file) p.state = progress::done;
    else p.state = send_file_now(*res.file_body, p.file_offset, p.file_end);
  }
  return p;
}

// sendfile(2) from `offset` until `end` is reached (done), the socket buffer is full (pending)
// or the connection fails (failed).
http_writer::progress::status_t http_writer::send_file_now(const open_file& f, off_t& offset, off_t end) {
  while (offset < end) {
    auto want = static_cast<std::size_t>(end - offset);
    auto n = ::sendfile(socket_.native_handle(), f.fd, &offset, want);
    if (n > 0) {
      // Progress: the client reads, so it gets another request timeout for the rest.
      renew_deadline();
      if (static_cast<std::size_t>(n) == want) break;
      // A short send filled the socket buffer. Sending again at once would queue the few bytes
      // the peer acknowledged meanwhile, in small segments that each wake it; waiting until the
      // kernel reports the buffer a third free sends large ones (as nginx does).
      return progress::pending;
    }
    if (n == 0) return progress::failed;  // the file is shorter than it was: cut the response
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? progress::pending : progress::failed;
  }
  return progress::done;
}

// The rest of a response start() could not send at once. A client that stops reading
// gets the request timeout from its last progress (the watchdog then closes the socket). TLS:
// the head and body through the TLS stream; a file read in chunks, each renewing the deadline.
template <typename Stream>
asio::awaitable<bool> http_writer::finish(Stream& s, const response& res, progress p) {
  auto total = head_.size() + p.body.size();
  if (p.sent < total) {
    // What is left of the head and body; `res` outlives the write because the caller awaits it.
    std::array<asio::const_buffer, 2> rest{asio::buffer(head_), asio::buffer(p.body.data(), p.body.size())};
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
    bool wait = p.sent >= total;  // start() got to the file and found the socket full
    for (;;) {
      if (wait) {
        // A client that stops reading: the watchdog closes the socket at the response deadline.
        auto [wec] = co_await socket_.async_wait(tcp::socket::wait_write, use_tuple);
        if (wec) co_return false;
      }
      wait = true;
      auto st = send_file_now(f, p.file_offset, p.file_end);
      if (st != progress::pending) co_return st == progress::done;
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
      renew_deadline();
    }
    co_return true;
  }
}

template http_writer::progress http_writer::start(tcp::socket&, const response&, bool, bool, unsigned);
template http_writer::progress http_writer::start(tls_stream&, const response&, bool, bool, unsigned);
template asio::awaitable<bool> http_writer::finish(tcp::socket&, const response&, progress);
template asio::awaitable<bool> http_writer::finish(tls_stream&, const response&, progress);
template asio::awaitable<bool> http_writer::write(tcp::socket&, const response&, bool, bool, unsigned);
template asio::awaitable<bool> http_writer::write(tls_stream&, const response&, bool, bool, unsigned);

}  // namespace samling::net
