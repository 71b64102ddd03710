#pragma once
// The HTTP(S) server: one acceptor, one session per connection, each session on one thread
// of the connection pool (net/io_pool.hpp). Owns the set of live sessions so shutdown can stop them. Owned by the app, which
// runs the io_context threads. Beast stays inside net/*.cpp; this header shows only Asio.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "metrics/registry.hpp"
#include "net/io_pool.hpp"
#include "net/router.hpp"
#include "net/static_files.hpp"
#include "net/websocket.hpp"
#include "net/ws_flusher.hpp"

namespace samling::net {

struct server_options {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8080;
  std::uint32_t max_header_bytes = 16 * 1024;
  std::uint64_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds idle_timeout{30};
  std::chrono::seconds request_timeout{15};
  std::uint32_t max_connections = 10000;
  bool access_log = true;
  // Other sites whose pages may open the WebSocket (see core::origin_allowed).
  std::vector<std::string> allowed_origins;
  ws_options ws;
  ws_handler_factory ws_factory;  // empty: no WebSocket endpoint (GET /ws is a 404)
};

class http_session;

// What sessions share with the server: configuration, routes, files, metrics, the live set.
struct server_state {
  server_options options;
  const router* routes = nullptr;
  const static_files* files = nullptr;
  std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP only

  metrics::gauge* open_connections = nullptr;
  metrics::gauge* requests_in_progress = nullptr;
  metrics::family<metrics::counter>* requests = nullptr;         // route, method, status
  metrics::family<metrics::histogram>* request_seconds = nullptr;  // route
  metrics::counter* refused_connections = nullptr;
  metrics::counter* bad_requests = nullptr;
  metrics::gauge* ws_open = nullptr;
  metrics::counter* ws_messages_in = nullptr;
  metrics::counter* ws_messages_out = nullptr;
  metrics::counter* ws_coalesced = nullptr;
  metrics::counter* ws_slow_consumer_closes = nullptr;
  std::shared_ptr<ws_flusher> ws_flush;  // write batching for every WebSocket connection

  std::atomic<bool> stopping{false};
  std::atomic<std::uint32_t> connections{0};
  std::mutex sessions_mutex;
  std::unordered_map<const http_session*, std::weak_ptr<http_session>> sessions;
};

class http_server {
 public:
  // The acceptor and shared work run on `ioc`; each connection on one of `connections`.
  http_server(boost::asio::io_context& ioc, io_pool& connections, server_options options,
              const router& routes, const static_files& files, metrics::registry& metrics,
              std::shared_ptr<boost::asio::ssl::context> tls);
  ~http_server();

  // Binds and listens, then accepts in the background. Returns the bound port (useful with
  // port 0). Throws boost::system::system_error when the address cannot be bound.
  std::uint16_t start();

  // Phase 1 of shutdown: stop accepting; idle keep-alive connections close now; a connection
  // in the middle of a request finishes it (answered with Connection: close).
  void stop_accepting();
  // Phase 2, after the grace period: close whatever is still open.
  void close_all();
  std::uint32_t open_connections() const { return state_->connections.load(); }
  bool stopping() const { return state_->stopping.load(); }

 private:
  void stop_sessions(bool force);
  boost::asio::io_context& ioc_;
  io_pool& pool_;
  std::shared_ptr<server_state> state_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace samling::net
