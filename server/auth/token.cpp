// Signing and verification of join tokens. The order of checks in verify() is deliberate: the
// key id first (so a rotation problem is reported as such), then the MAC over the untrusted
// bytes, and only once the MAC matches are the claims parsed, so a forger never reaches the
// JSON parser with input of their choosing.
#include "auth/token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace samling::auth {
namespace {

namespace json = boost::json;

constexpr std::string_view version_prefix = "v1";

// Longer than any honest token (a few hundred bytes) yet small enough that a hostile client
// cannot make the server hash and decode megabytes per hello.
constexpr std::size_t max_token_bytes = 4096;

constexpr std::size_t max_key_id_chars = 32;
constexpr std::size_t mac_bytes = 32;  // SHA-256

constexpr std::string_view b64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > max_key_id_chars) return false;
  for (char ch : id) {
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_';
    if (!ok) return false;
  }
  return true;
}

// Why `k` cannot be a key, or empty when it can. An invalid id is not echoed: it may be a
// secret written in the wrong place, and this message ends up in logs.
std::string key_problem(const signing_key& k) {
  if (auto problem = key_id_problem(k.id)) return "the key id " + *problem;
  if (k.secret.size() < min_secret_bytes) {
    return "the secret of key \"" + k.id + "\" must be at least " +
           std::to_string(min_secret_bytes) + " bytes, got " + std::to_string(k.secret.size());
  }
  return {};
}


const json::string* string_claim(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v ? v->if_string() : nullptr;
}

std::optional<std::int64_t> integer_claim(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v) return std::nullopt;
  if (const std::int64_t* i = v->if_int64()) return *i;
  // Boost.JSON stores integers above INT64_MAX as uint64: no real timestamp is that large.
  return std::nullopt;
}

std::optional<claims> parse_claims(std::string_view payload_json) {
  boost::system::error_code ec;
  json::value v = json::parse(payload_json, ec);
  if (ec) return std::nullopt;
  const json::object* o = v.if_object();
  if (!o) return std::nullopt;
  const json::string* sub = string_claim(*o, "sub");
  const json::string* name = string_claim(*o, "name");
  const json::string* event = string_claim(*o, "event");
  const json::string* role_text = string_claim(*o, "role");
  std::optional<std::int64_t> iat = integer_claim(*o, "iat");
  std::optional<std::int64_t> exp = integer_claim(*o, "exp");
  if (!sub || !name || !event || !role_text || !iat || !exp) return std::nullopt;
  std::optional<role> r = role_from_string(*role_text);
  if (!r) return std::nullopt;
  return claims{.user_id = std::string(*sub),
                .name = std::string(*name),
                .event = std::string(*event),
                .role = *r,
                .issued_at = *iat,
                .expires_at = *exp};
}

}  // namespace

std::string base64url_encode(const unsigned char* data, std::size_t size) {
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                      std::uint32_t{data[i + 2]};
    out += b64url_alphabet[(v >> 18) & 63];
    out += b64url_alphabet[(v >> 12) & 63];
    out += b64url_alphabet[(v >> 6) & 63];
    out += b64url_alphabet[v & 63];
  }
  if (std::size_t rest = size - i; rest == 1) {
    std::uint32_t v = std::uint32_t{data[i]} << 16;
    out += b64url_alphabet[(v >> 18) & 63];
    out += b64url_alphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out += b64url_alphabet[(v >> 18) & 63];
    out += b64url_alphabet[(v >> 12) & 63];
    out += b64url_alphabet[(v >> 6) & 63];
  }
  return out;
}

std::string base64url_encode(std::string_view s) {
  return base64url_encode(reinterpret_cast<const unsigned char*>(s.data()), s.size());
}

static int b64url_value(char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '-') return 62;
  if (ch == '_') return 63;
  return -1;
}

// Strict: unpadded, only the URL-safe alphabet, and the unused low bits of the last character
// must be zero, so each byte string has exactly one accepted encoding (no malleable tokens).
std::optional<std::string> base64url_decode(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;  // cannot end a valid encoding
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v = b64url_value(ch);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> mac{};
  unsigned int len = 0;
  unsigned char* r = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                          reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                          mac.data(), &len);
  // HMAC() fails only when OpenSSL itself is broken (no SHA-256, out of memory): an impossible
  // state for a running server, so crash loudly rather than sign or accept garbage (and no
  // exception on the data plane).
  if (r == nullptr || len != mac_bytes) {
    std::fputs("samling::auth: HMAC-SHA256 failed in OpenSSL\n", stderr);
    std::abort();
  }
  return mac;
}

std::string_view to_string(token_error e) {
  switch (e) {
    case token_error::invalid: return "token_invalid";
    case token_error::expired: return "token_expired";
    case token_error::unknown_key: return "token_unknown_key";
  }
  return "token_invalid";  // unreachable
}

keyring::keyring(signing_key current, std::vector<signing_key> previous)
    : current_(std::move(current)), previous_(std::move(previous)) {
  // Keys come from configuration: a bad one is a start-up error, reported before any token is
  // signed or accepted with it.
  if (std::string problem = key_problem(current_); !problem.empty()) {
    throw std::invalid_argument("current signing key: " + problem);
  }
  for (std::size_t i = 0; i < previous_.size(); ++i) {
    if (std::string problem = key_problem(previous_[i]); !problem.empty()) {
      throw std::invalid_argument("previous signing key: " + problem);
    }
    // A duplicate id would make verification depend on which of two secrets is tried first.
    if (previous_[i].id == current_.id) {
      throw std::invalid_argument("key id \"" + current_.id +
                                  "\" is both the current and a previous key");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (previous_[j].id == previous_[i].id) {
        throw std::invalid_argument("key id \"" + previous_[i].id + "\" appears twice");
      }
    }
  }
}

const std::string& keyring::current_key_id() const { return current_.id; }

const signing_key& keyring::current() const { return current_; }

const signing_key* keyring::find(std::string_view id) const {
  if (id == current_.id) return &current_;
  for (const signing_key& k : previous_)
    if (k.id == id) return &k;
  return nullptr;
}

std::string keyring::sign(const claims& c) const {
  json::object o;
  o["sub"] = c.user_id;
  o["name"] = c.name;
  o["event"] = c.event;
  o["role"] = to_string(c.role);
  o["iat"] = c.issued_at;
  o["exp"] = c.expires_at;
  std::string signed_part = std::string(version_prefix) + "." + current_.id + "." +
                            base64url_encode(json::serialize(o));
  auto mac = hmac_sha256(current_.secret, signed_part);
  return signed_part + "." + base64url_encode(mac.data(), mac.size());
}

std::variant<claims, token_error> keyring::verify(std::string_view token,
                                                  std::int64_t now_seconds) const {
  if (token.size() > max_token_bytes) return token_error::invalid;
  // Exactly four parts: "v1", key id, payload, signature.
  std::size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return token_error::invalid;
  std::size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return token_error::invalid;
  std::size_t d3 = token.find('.', d2 + 1);
  if (d3 == std::string_view::npos) return token_error::invalid;
  if (token.find('.', d3 + 1) != std::string_view::npos) return token_error::invalid;
  std::string_view prefix = token.substr(0, d1);
  std::string_view key_id = token.substr(d1 + 1, d2 - d1 - 1);
  std::string_view payload = token.substr(d2 + 1, d3 - d2 - 1);
  std::string_view signature = token.substr(d3 + 1);
  if (prefix != version_prefix) return token_error::invalid;
  // A key id that no keyring could hold is malformed, not merely unknown.
  if (!valid_key_id(key_id)) return token_error::invalid;

  const signing_key* key = nullptr;
  if (key_id == current_.id) {
    key = &current_;
  } else {
    for (const signing_key& k : previous_) {
      if (k.id == key_id) key = &k;
    }
  }
  if (!key) return token_error::unknown_key;

  std::optional<std::string> given = base64url_decode(signature);
  if (!given || given->size() != mac_bytes) return token_error::invalid;
  auto expected = hmac_sha256(key->secret, token.substr(0, d3));
  // Constant time: a byte-by-byte early exit would let an attacker find a valid MAC one byte
  // at a time by timing the replies.
  if (CRYPTO_memcmp(expected.data(), given->data(), mac_bytes) != 0) return token_error::invalid;

  std::optional<std::string> payload_json = base64url_decode(payload);
  if (!payload_json) return token_error::invalid;
  std::optional<claims> c = parse_claims(*payload_json);
  if (!c) return token_error::invalid;
  if (c->expires_at <= now_seconds) return token_error::expired;
  return *std::move(c);
}

std::optional<std::string> key_id_problem(std::string_view id) {
  if (valid_key_id(id)) return std::nullopt;
  return "must be 1 to 32 characters of A-Z, a-z, 0-9, '-' or '_'";
}

std::optional<std::vector<signing_key>> parse_key_list(std::string_view text, std::string& error) {
  std::vector<signing_key> keys;
  if (text.empty()) return keys;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = text.find(',', start);
    std::size_t length = comma == std::string_view::npos ? std::string_view::npos : comma - start;
    std::string_view item = text.substr(start, length);
    std::size_t colon = item.find(':');
    std::string where = "item " + std::to_string(keys.size() + 1) + ": ";
    if (colon == std::string_view::npos) {
      error = where + "expected \"id:secret\" (items are separated by ',')";
      return std::nullopt;
    }
    // The secret is everything after the first ':', so a secret may itself contain ':'.
    signing_key k{std::string(item.substr(0, colon)), std::string(item.substr(colon + 1))};
    if (std::string problem = key_problem(k); !problem.empty()) {
      error = where + problem;
      return std::nullopt;
    }
    for (const signing_key& earlier : keys) {
      if (earlier.id == k.id) {
        error = where + "key id \"" + k.id + "\" appears twice";
        return std::nullopt;
      }
    }
    keys.push_back(std::move(k));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return keys;
}

std::string random_secret() {
  std::array<unsigned char, min_secret_bytes> bytes{};
  // Failure means the OS random source is unavailable: no safe secret can be made, and this
  // runs at start-up, where an exception stops the server with the reason.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("samling::auth: RAND_bytes failed; no random secret available");
  }
  return base64url_encode(bytes.data(), bytes.size());
}

}  // namespace samling::auth
