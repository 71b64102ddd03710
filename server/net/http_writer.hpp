#pragma once
// Internal to net/ (included by http_session.cpp and http_writer.cpp): the writing half of one
// HTTP connection. It formats a response's head into a buffer it keeps for the connection's
// life and sends what the socket takes at once, without suspending: on plain TCP the head and
// an in-memory body in one sendmsg(2), a file body's head with MSG_MORE and then sendfile(2)
// (docs/architecture.md, "Reading a request"). Only what does not fit waits for writability
// (finish). Under TLS everything goes through the TLS stream, a file in 64 KiB chunks.
//
// Owned by its http_session and used only on the connection's thread, one response at a time.
// Every bit of progress renews the response deadline the session's watchdog checks, so a slow
// but reading client is not cut while one that stopped reading is.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/router.hpp"

namespace samling::net {

// The two streams a connection speaks: the plain socket, or TLS over Beast's tcp_stream.
using tls_stream = boost::asio::ssl::stream<boost::beast::tcp_stream&>;

class http_writer {
 public:
  using clock = std::chrono::steady_clock;

  // `socket` is the connection's (sendmsg, sendfile); `deadline` the session's response
  // deadline, set to now + `progress_timeout` whenever the client takes more of a file.
  http_writer(boost::asio::ip::tcp::socket& socket, clock::time_point& deadline,
              clock::duration progress_timeout)
      : socket_(socket), deadline_(deadline), progress_timeout_(progress_timeout) {}

  // How far a response got: start() sends what it can without suspending, finish() the rest.
  struct progress {
    enum status_t { pending, done, failed } state = pending;
    std::size_t sent = 0;    // bytes of the head and in-memory body sent
    off_t file_offset = 0;   // where the file body's next byte is read
    off_t file_end = 0;      // where it ends (the file's size, or a range's end)
    std::string_view body;   // the in-memory body (empty for HEAD, 304 and file bodies)
    bool file = false;       // the body is res.file_body
  };

  // Formats the head and, on plain TCP, sends what the socket takes now. Under TLS nothing is
  // sent yet (pending). `res` must outlive the response's finish().
  template <typename Stream>
  progress start(Stream& s, const response& res, bool head, bool keep_alive, unsigned version);
  // The rest of what start() could not send. False: the connection failed.
  template <typename Stream>
  boost::asio::awaitable<bool> finish(Stream& s, const response& res, progress p);
  // Both, for the rare responses that need no fast path (errors, refusals).
  template <typename Stream>
  boost::asio::awaitable<bool> write(Stream& s, const response& res, bool head, bool keep_alive,
                                     unsigned version);

 private:
  progress::status_t send_file_now(const open_file& f, off_t& offset, off_t end);
  void renew_deadline() { deadline_ = clock::now() + progress_timeout_; }

  boost::asio::ip::tcp::socket& socket_;
  clock::time_point& deadline_;
  const clock::duration progress_timeout_;
  std::string head_;           // the response head being written
  bool non_blocking_ = false;  // the plain socket is in non-blocking mode (sendmsg, sendfile)
};

// The status line and header fields of `res`, ending with the empty line (exposed for its
// unit test). Content-Type, Content-Length and Connection are the writer's; `tls` adds HSTS.
void format_head(std::string& out, const response& res, bool keep_alive, unsigned version, bool tls);

extern template http_writer::progress http_writer::start(boost::asio::ip::tcp::socket&, const response&, bool,
                                                         bool, unsigned);
extern template http_writer::progress http_writer::start(tls_stream&, const response&, bool, bool, unsigned);
extern template boost::asio::awaitable<bool> http_writer::finish(boost::asio::ip::tcp::socket&,
                                                                 const response&, progress);
extern template boost::asio::awaitable<bool> http_writer::finish(tls_stream&, const response&, progress);
extern template boost::asio::awaitable<bool> http_writer::write(boost::asio::ip::tcp::socket&, const response&,
                                                                bool, bool, unsigned);
extern template boost::asio::awaitable<bool> http_writer::write(tls_stream&, const response&, bool, bool,
                                                                unsigned);

}  // namespace samling::net
