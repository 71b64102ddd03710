#pragma once
// A press grant: one accredited person's personal, signed, expiring link to an event's gated
// stages and rooms (issue 18, docs/api.md "Press"). The token carries the whole grant, so
// checking one is a signature and a few comparisons: no database. Revocation is the only
// state, kept in memory by press::registry.
//
//   grant token:  "g1." KEY_ID "." base64url(JSON payload) "." base64url(HMAC-SHA256)
//   viewer token: "v1." KEY_ID "." base64url(binary payload) "." base64url(HMAC-SHA256, 16 bytes)
//
// Both are signed with keys derived from the server's auth keyring (auth.secret and
// auth.previous_keys): HMAC-SHA256(secret, "samling press grant v1" / "samling press viewer v1").
// So a key rotation keeps links valid while their key is among the previous keys, and a join
// token can never pass as a grant or the other way round. No I/O; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/token.hpp"
#include "press/access.hpp"

namespace samling::press {

struct grant {
  std::string id;       // "pr-" + 16 lower-case hex digits; also the user id of its sessions
  std::string event;    // the event id
  std::string name;     // the person, as shown in chat ("Eva Ek")
  std::string outlet;   // "Dagens Nyheter"; may be empty
  // The stage ids and room ids it opens; {"*"}: every stage / room of the event up to press
  // visibility (staff-only ones never).
  std::vector<std::string> stages{"*"};
  std::vector<std::string> rooms{"*"};
  std::int64_t valid_from = 0;   // UTC seconds, grace included
  std::int64_t valid_until = 0;  // UTC seconds, grace included; after it: expired
  std::uint32_t device_cap = 2;  // devices at once

  bool covers_stage(std::string_view stage) const;
  bool covers_room(std::string_view room) const;
  bool operator==(const grant&) const = default;
};

// A fresh grant id ("pr-" + 16 hex from RAND_bytes).
std::string new_grant_id();

// Signs `g` with the keyring's current key.
std::string sign_grant(const grant& g, const auth::keyring& keys);

// Verifies the signature and the times at `now` (UTC seconds): the grant, or why not
// (tampered, unknown_key, expired, not_yet_valid). Does not know revocation, stages or devices.
// "" is refusal::missing.
std::variant<grant, refusal> verify_grant(std::string_view token, const auth::keyring& keys, std::int64_t now);

// What a segment URL carries: who may fetch which stage's segments from which device until
// when. `viewer` is a grant id ("pr-…"), a user id (a join token's), or an account id.
struct viewer_ticket {
  std::string viewer;
  std::string stage;
  std::string device;           // the device id the playlist was fetched with (at most 64 bytes)
  std::int64_t expires_at = 0;  // UTC seconds
  bool operator==(const viewer_ticket&) const = default;
};
std::string sign_viewer(const viewer_ticket& t, const auth::keyring& keys);
// tampered, unknown_key or expired; "" is missing. Does not know revocation.
std::variant<viewer_ticket, refusal> verify_viewer(std::string_view token, const auth::keyring& keys,
                                                   std::int64_t now);

// The playlist a viewer gets: every URI line (and every URI="…" attribute) of `m3u8` gets
// `query` appended ("?v=TOKEN", or "&v=TOKEN" when the URI has a query already). Lines
// starting with '#' without a URI attribute, and blank lines, are kept as they are.
std::string rewrite_playlist(std::string_view m3u8, std::string_view param_name, std::string_view token);

// A device id from the client: [A-Za-z0-9_-]{8,64}; anything else is not one (the caller then
// derives one from the address and the user agent: device_of()).
bool is_device_id(std::string_view s);
// A stable id for a client that sent none: "h-" + 16 hex of SHA-256(address + "\n" + user agent).
std::string device_of(std::string_view address, std::string_view user_agent);

}  // namespace samling::press
