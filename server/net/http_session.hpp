#pragma once
// One HTTP(S) connection. The session class lives in http_session.cpp so that Beast's headers
// stay in net/*.cpp; the server talks to it through these functions. The connection is split
// the way Beast's server-flex example splits one: the connection loop (http_session.cpp: TLS
// detection, reading, routing, time limits), its writer (http_writer.*), the WebSocket
// upgrade (http_upgrade.*, then ws_connection.*) and the pages for what no route answers
// (http_fallback.*).
#include <memory>

#include <boost/asio/ip/tcp.hpp>

namespace samling::net {

struct server_state;
class http_session;

// Starts serving `socket` (whose executor is the connection's strand) until the peer leaves,
// a timeout fires, or shutdown stops it. Registers itself in state->sessions meanwhile.
void start_http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<server_state> state);

// Answers the connection with 503 too_many_connections and closes it.
void refuse_connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<server_state> state);

// Thread-safe; runs on the session's strand. Without `force`: close now when idle, else after
// the current request's response. With `force`: close now.
void stop_http_session(const std::shared_ptr<http_session>& session, bool force);

}  // namespace samling::net
