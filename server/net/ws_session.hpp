#pragma once
// Internal to net/: runs one upgraded WebSocket connection over the HTTP session's stream.
// Included only by http_session.cpp and ws_session.cpp (it brings in Beast).
#include <functional>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http_server.hpp"
#include "net/router.hpp"

namespace samling::net {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

struct ws_run_params {
  std::shared_ptr<server_state> state;
  std::string remote;
  request upgrade;                        // the request as handlers see it
  boost::beast::tcp_stream* lowest = nullptr;  // for timeouts and the hard close
  // Set while the connection runs: the HTTP session calls it (on the strand) at shutdown.
  std::function<void(bool force)>* stop_hook = nullptr;
};

// Accepts the upgrade and serves the connection until it closes.
boost::asio::awaitable<void> run_websocket(boost::beast::tcp_stream& stream, upgrade_request req,
                                           ws_run_params params);
boost::asio::awaitable<void> run_websocket(
    boost::asio::ssl::stream<boost::beast::tcp_stream&>& stream, upgrade_request req,
    ws_run_params params);

}  // namespace samling::net
