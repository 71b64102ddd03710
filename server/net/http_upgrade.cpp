#include "net/http_upgrade.hpp"

#include <cctype>

#include <openssl/evp.h>

#include "core/errors.hpp"
#include "core/origin.hpp"

namespace samling::net {

using core::errc;

std::optional<std::string> ws_accept_key(std::string_view key) {
  // 16 random bytes in base64: 24 characters ending in "==".
  if (key.size() != 24 || key.substr(22) != "==") return std::nullopt;
  for (char c : key.substr(0, 22))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return std::nullopt;
  std::string input(key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &digest_size, EVP_sha1(), nullptr) != 1)
    return std::nullopt;
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, digest, static_cast<int>(digest_size));
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

namespace {

// Whether the comma-separated Sec-WebSocket-Protocol list offers samling.v1 (the version of
// docs/protocol.md the client speaks).
bool offers_samling_v1(std::string_view protocols) {
  bool offered = false;
  for (std::size_t i = 0; i < protocols.size();) {
    auto comma = protocols.find(',', i);
    auto item = protocols.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    offered = offered || item == "samling.v1";
    i = comma == std::string_view::npos ? protocols.size() : comma + 1;
  }
  return offered;
}

}  // namespace

upgrade_decision decide_upgrade(const request& r, bool tls, bool stopping,
                                const std::vector<std::string>& allowed_origins) {
  upgrade_decision d;
  auto accept = ws_accept_key(r.header("sec-websocket-key"));
  if (r.header("sec-websocket-version") != "13") {
    d.refusal = json_error(errc::bad_request, "Only WebSocket version 13 is spoken.");
    d.refusal->headers.emplace_back("Sec-WebSocket-Version", "13");
  } else if (!accept) {
    d.refusal = json_error(errc::bad_request, "Sec-WebSocket-Key must be 16 bytes in base64.");
  } else if (!offers_samling_v1(r.header("sec-websocket-protocol"))) {
    d.refusal = json_error(errc::bad_request, "Offer the WebSocket subprotocol samling.v1.");
  } else if (!core::origin_allowed(r.header("origin"), r.header("host"), tls, allowed_origins)) {
    // A page of another site: a visitor's browser would bring its signed-in session along.
    d.refusal = json_error(errc::forbidden, "Pages of this origin may not open the WebSocket (server.allowed_origins).");
  } else if (stopping) {
    d.refusal = json_error(errc::unavailable, "The server is shutting down.");
  } else {
    d.accept_key = std::move(*accept);
  }
  return d;
}

}  // namespace samling::net
