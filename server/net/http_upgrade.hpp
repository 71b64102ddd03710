#pragma once
// The server's side of the WebSocket opening handshake (RFC 6455 §4.2), before any byte of it
// is written: whether `GET /ws` with `Upgrade: websocket` is accepted and with which
// Sec-WebSocket-Accept, or which refusal answers it (docs/protocol.md, "Connection"). Beast-free
// and without I/O: http_session decides with it, then writes the refusal or hands the socket to
// the WebSocket connection (net/ws_connection.hpp), as Beast's server-flex hands its stream to
// a websocket_session.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/router.hpp"

namespace samling::net {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 4.2.2); nothing if the key
// is not the base64 of 16 bytes.
std::optional<std::string> ws_accept_key(std::string_view client_key);

struct upgrade_decision {
  std::string accept_key;           // for the 101, when accepted
  std::optional<response> refusal;  // the answer instead, when refused (then the connection closes)
};

// Checks, in this order: WebSocket version 13, a valid key, the samling.v1 subprotocol offered,
// an Origin (if any) of the server's own pages (`tls`: its scheme) or of `allowed_origins`, and
// a server not `stopping`.
upgrade_decision decide_upgrade(const request& r, bool tls, bool stopping,
                                const std::vector<std::string>& allowed_origins);

}  // namespace samling::net
