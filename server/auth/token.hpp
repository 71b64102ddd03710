#pragma once
// Signed join tokens: "v1.KEY_ID.PAYLOAD.SIGNATURE" (see docs/protocol.md, Tokens).
// PAYLOAD = base64url(JSON claims), SIGNATURE = base64url(HMAC-SHA256(key, "v1.KEY_ID.PAYLOAD")).
// Verification is constant-time in the signature comparison; a keyring holds the current key
// and previous keys during a rotation. No I/O; thread-safe (const after construction).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/role.hpp"

namespace samling::auth {

struct claims {
  std::string user_id;     // "sub"
  std::string name;        // display name
  std::string event;       // event id the token admits to
  auth::role role = auth::role::attendee;
  std::int64_t issued_at = 0;   // "iat", seconds since the epoch
  std::int64_t expires_at = 0;  // "exp", seconds since the epoch
  bool operator==(const claims&) const = default;
};

enum class token_error {
  invalid,      // malformed, bad base64/JSON, missing claims, or signature mismatch
  expired,      // exp <= now
  unknown_key,  // KEY_ID not in the keyring
};
std::string_view to_string(token_error e);  // "token_invalid", "token_expired", "token_unknown_key"

struct signing_key {
  std::string id;      // [A-Za-z0-9_-]{1,32}
  std::string secret;  // at least 32 bytes
};

class keyring {
 public:
  // `current` signs; `current` and `previous` verify.
  keyring(signing_key current, std::vector<signing_key> previous = {});
  const std::string& current_key_id() const;
  const signing_key& current() const;
  // The key with that id, the current one or a previous one; null when there is none. Other
  // signed links (press grants, issue 18) derive their keys from these.
  const signing_key* find(std::string_view id) const;
  std::string sign(const claims& c) const;
  std::variant<claims, token_error> verify(std::string_view token, std::int64_t now_seconds) const;

 private:
  signing_key current_;
  std::vector<signing_key> previous_;
};

// The rules of keys and lifetimes, for the keyring and for checking a configuration before a
// keyring is built from it (samling::config). Problems are said after the value's name
// ("must be ...") and never quote a secret.
//
// HMAC-SHA256 keys shorter than the hash output weaken it; 32 bytes is what random_secret()
// gives.
inline constexpr std::size_t min_secret_bytes = 32;
// What is wrong with `id` as a key id, or nothing (1-32 of A-Z a-z 0-9 - _: it travels in the
// token, between dots).
std::optional<std::string> key_id_problem(std::string_view id);
// Lifetime of a minted token: at least a minute (clock skew between machines), at most 30 days
// (a leaked link must stop working eventually).
inline constexpr std::int64_t min_token_ttl_seconds = 60;
inline constexpr std::int64_t max_token_ttl_seconds = 2592000;

// "id:secret,id2:secret2" -> keys; nullopt with `error` set when malformed: which item
// ("item 2: ...") and what is wrong with it, naming the key id, never the secret.
std::optional<std::vector<signing_key>> parse_key_list(std::string_view text, std::string& error);

// The codecs and the MAC of the tokens, for other signed links (press grants): base64url
// without padding; decoding is strict (only the URL-safe alphabet, unused low bits zero, so
// each byte string has one encoding).
std::string base64url_encode(const unsigned char* data, std::size_t size);
std::string base64url_encode(std::string_view s);
std::optional<std::string> base64url_decode(std::string_view in);
std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data);

// 32 random bytes from OpenSSL's RAND_bytes, base64url-encoded (for a development secret).
std::string random_secret();

}  // namespace samling::auth
