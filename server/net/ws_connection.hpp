#pragma once
// Internal to net/: runs one upgraded WebSocket connection over the HTTP session's stream.
// Included only by http_session.cpp and ws_connection.cpp. The framing is our own (ws_frame.hpp)
// rather than Beast's websocket::stream, so that queued frames go out in one write and an idle
// connection costs little memory (docs/architecture.md, "Fan-out and write batching").
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/http_server.hpp"
#include "net/router.hpp"

namespace samling::net {

struct ws_run_params {
  std::shared_ptr<server_state> state;
  std::string remote;
  request upgrade;                        // the request as handlers see it (freed after use)
  std::string accept_key;                 // from decide_upgrade (net/http_upgrade.hpp)
  std::string leftover;                   // bytes read after the upgrade request
  boost::beast::tcp_stream* lowest = nullptr;  // for the hard close
  std::shared_ptr<void> owner;            // keeps the stream alive while the connection is
  // Set while the connection runs: the HTTP session calls it (on the strand) at shutdown.
  std::function<void(bool force)>* stop_hook = nullptr;
  std::function<void()> on_done;          // on the strand, once the connection is over
};

// Answers 101 and serves the connection in the background (on the stream's strand, which must
// be the caller's); `on_done` says when it is over.
void start_websocket(boost::beast::tcp_stream& stream, ws_run_params params);
void start_websocket(boost::asio::ssl::stream<boost::beast::tcp_stream&>& stream, ws_run_params params);

}  // namespace samling::net
