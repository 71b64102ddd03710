// Grant and viewer tokens. verify_grant and verify_viewer run on every gated playlist and
// segment, so their order is deliberate and cheap: the shape and the key id first (no
// allocation), then the MAC over the untrusted bytes, and only once it matches is the payload
// decoded and parsed: a forger never reaches the JSON parser with input of their choosing.
#include "press/grant.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <limits>
#include <stdexcept>

namespace samling::press {
namespace {

namespace json = boost::json;

constexpr std::string_view grant_prefix = "g1";
constexpr std::string_view viewer_prefix = "v1";
// The labels that derive the press keys from the keyring's secrets: a join token (signed with
// the secret itself), a grant and a viewer token are three MAC domains, so none passes as
// another even though "v1." starts both a join token and a viewer token.
constexpr std::string_view grant_label = "samling press grant v1";
constexpr std::string_view viewer_label = "samling press viewer v1";

// A grant carries a name (≤ 100 characters), an outlet (≤ 200) and its stage and room lists:
// well under 8 KiB. Longer input is refused before any hashing.
constexpr std::size_t max_grant_token_bytes = 8192;
constexpr std::size_t max_viewer_token_bytes = 1024;
constexpr std::size_t grant_mac_bytes = 32;
// A viewer token is in every segment URL of a playlist: 128 bits of MAC are plenty for a
// token that lives minutes, and keep the URLs short.
constexpr std::size_t viewer_mac_bytes = 16;
constexpr std::size_t max_key_id_chars = 32;

bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > max_key_id_chars) return false;
  for (char ch : id) {
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '_';
    if (!ok) return false;
  }
  return true;
}

using mac32 = std::array<unsigned char, 32>;

// HMAC-SHA256 with the key derived from `secret` for `label`, computed from cached states.
// OpenSSL 3's one-shot HMAC() looks the digest up in its provider tables on every call (a few
// microseconds), which per segment is most of a check; here each thread keeps, per derived
// key, the SHA-256 states after the key's inner and outer pad blocks (RFC 2104), so a MAC is
// two state copies and two short hashes. The keyring is const after construction, so an entry
// never goes stale; being thread-local, the cache needs no lock. Bounded: a test making many
// keyrings cannot grow it without end.
struct md_ctx_free {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using md_ctx = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;

[[noreturn]] void crypto_failed() {
  // As auth::hmac_sha256: only a broken OpenSSL gets here; never sign or accept garbage.
  std::fputs("samling::press: SHA-256 failed in OpenSSL\n", stderr);
  std::abort();
}

const EVP_MD* sha256() {
  // Fetched once: the implicit fetch of EVP_sha256() is what makes the one-shot calls slow.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!md) crypto_failed();
  return md;
}

struct mac_key {
  std::string_view label;
  std::string secret;
  md_ctx inner, outer;
};

mac_key make_mac_key(std::string_view label, const std::string& secret) {
  mac32 derived = auth::hmac_sha256(secret, label);
  std::array<unsigned char, 64> ipad{}, opad{};
  for (std::size_t i = 0; i < 64; ++i) {
    unsigned char k = i < derived.size() ? derived[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  mac_key m{label, secret, md_ctx(EVP_MD_CTX_new()), md_ctx(EVP_MD_CTX_new())};
  if (!m.inner || !m.outer || EVP_DigestInit_ex(m.inner.get(), sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(m.inner.get(), ipad.data(), ipad.size()) != 1 ||
      EVP_DigestInit_ex(m.outer.get(), sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(m.outer.get(), opad.data(), opad.size()) != 1)
    crypto_failed();
  OPENSSL_cleanse(ipad.data(), ipad.size());
  OPENSSL_cleanse(opad.data(), opad.size());
  OPENSSL_cleanse(derived.data(), derived.size());
  return m;
}

mac32 press_mac(std::string_view label, const std::string& secret, std::string_view data) {
  thread_local std::vector<mac_key> cache;
  thread_local md_ctx scratch(EVP_MD_CTX_new());
  const mac_key* key = nullptr;
  for (const mac_key& k : cache)
    if (k.label.data() == label.data() && k.secret == secret) key = &k;
  if (!key) {
    if (cache.size() >= 16) cache.clear();
    cache.push_back(make_mac_key(label, secret));
    key = &cache.back();
  }
  mac32 inner{}, out{};
  unsigned int len = 0;
  if (!scratch || EVP_MD_CTX_copy_ex(scratch.get(), key->inner.get()) != 1 ||
      EVP_DigestUpdate(scratch.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(scratch.get(), inner.data(), &len) != 1 || len != inner.size() ||
      EVP_MD_CTX_copy_ex(scratch.get(), key->outer.get()) != 1 ||
      EVP_DigestUpdate(scratch.get(), inner.data(), inner.size()) != 1 ||
      EVP_DigestFinal_ex(scratch.get(), out.data(), &len) != 1 || len != out.size())
    crypto_failed();
  return out;
}

// The four dot-separated parts of a token; nullopt unless there are exactly four.
struct parts {
  std::string_view prefix, key_id, payload, signature, signed_part;
};
std::optional<parts> split(std::string_view token) {
  std::size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  std::size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return std::nullopt;
  std::size_t d3 = token.find('.', d2 + 1);
  if (d3 == std::string_view::npos) return std::nullopt;
  if (token.find('.', d3 + 1) != std::string_view::npos) return std::nullopt;
  return parts{token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1), token.substr(d2 + 1, d3 - d2 - 1),
               token.substr(d3 + 1), token.substr(0, d3)};
}

// Checks shape, key and MAC; the key's derived key for `label`. On success `p` holds the parts.
std::optional<refusal> check_signed(std::string_view token, std::string_view prefix, std::size_t max_bytes,
                                    std::string_view label, std::size_t mac_bytes, const auth::keyring& keys,
                                    parts& p) {
  if (token.empty()) return refusal::missing;
  if (token.size() > max_bytes) return refusal::tampered;
  auto sp = split(token);
  if (!sp || sp->prefix != prefix || !valid_key_id(sp->key_id)) return refusal::tampered;
  const auth::signing_key* key = keys.find(sp->key_id);
  if (!key) return refusal::unknown_key;
  // The encoded length of the MAC is fixed; anything else is not one (and is not decoded).
  if (sp->signature.size() != (mac_bytes * 4 + 2) / 3) return refusal::tampered;
  std::optional<std::string> given = auth::base64url_decode(sp->signature);
  if (!given || given->size() != mac_bytes) return refusal::tampered;
  mac32 expected = press_mac(label, key->secret, sp->signed_part);
  // Constant time: an early exit would let an attacker find a valid MAC byte by byte by timing.
  if (CRYPTO_memcmp(expected.data(), given->data(), mac_bytes) != 0) return refusal::tampered;
  p = *sp;
  return std::nullopt;
}

std::string sign_part(std::string_view prefix, std::string_view payload_b64, std::string_view label,
                      std::size_t mac_bytes, const auth::keyring& keys) {
  const auth::signing_key& key = keys.current();
  std::string out;
  out.reserve(prefix.size() + key.id.size() + payload_b64.size() + 48);
  out.append(prefix).append(".").append(key.id).append(".").append(payload_b64);
  mac32 mac = press_mac(label, key.secret, out);
  out += '.';
  out += auth::base64url_encode(mac.data(), mac_bytes);
  return out;
}

json::array string_array(const std::vector<std::string>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

const json::string* string_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v ? v->if_string() : nullptr;
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (!v) return std::nullopt;
  if (const std::int64_t* i = v->if_int64()) return *i;
  return std::nullopt;
}

std::optional<std::vector<std::string>> strings_field(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  const json::array* a = v ? v->if_array() : nullptr;
  if (!a) return std::nullopt;
  std::vector<std::string> out;
  out.reserve(a->size());
  for (const json::value& e : *a) {
    const json::string* s = e.if_string();
    if (!s) return std::nullopt;
    out.emplace_back(*s);
  }
  return out;
}

std::optional<grant> parse_grant(std::string_view payload_json) {
  // Parsed into a buffer on the stack (a grant is well under it; a larger one spills to the
  // heap): a playlist request parses one grant, and needs no allocation for it.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  json::value v = json::parse(payload_json, ec, &arena);
  if (ec) return std::nullopt;
  const json::object* o = v.if_object();
  if (!o) return std::nullopt;
  const json::string* id = string_field(*o, "id");
  const json::string* ev = string_field(*o, "ev");
  const json::string* nm = string_field(*o, "nm");
  const json::string* ou = string_field(*o, "ou");
  auto st = strings_field(*o, "st");
  auto rm = strings_field(*o, "rm");
  auto nbf = int_field(*o, "nbf");
  auto exp = int_field(*o, "exp");
  auto dc = int_field(*o, "dc");
  if (!id || !ev || !nm || !ou || !st || !rm || !nbf || !exp || !dc) return std::nullopt;
  if (*dc < 0 || *dc > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  grant g;
  g.id = std::string(*id);
  g.event = std::string(*ev);
  g.name = std::string(*nm);
  g.outlet = std::string(*ou);
  g.stages = std::move(*st);
  g.rooms = std::move(*rm);
  g.valid_from = *nbf;
  g.valid_until = *exp;
  g.device_cap = static_cast<std::uint32_t>(*dc);
  return g;
}

// The viewer payload: 8 bytes of expires_at (big-endian, two's complement), then viewer, stage
// and device, each as a length (LEB128, so short strings cost one byte) and its bytes.
void put_varint(std::string& out, std::size_t n) {
  while (n >= 0x80) {
    out += static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  out += static_cast<char>(n);
}

bool get_varint(std::string_view& in, std::size_t& n) {
  n = 0;
  for (int shift = 0; shift < 21; shift += 7) {  // at most 3 bytes: 2 MiB, far above any token
    if (in.empty()) return false;
    auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    n |= static_cast<std::size_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

bool get_string(std::string_view& in, std::string& out) {
  std::size_t n = 0;
  if (!get_varint(in, n) || n > in.size()) return false;
  out.assign(in.data(), n);
  in.remove_prefix(n);
  return true;
}

constexpr char hex_digits[] = "0123456789abcdef";

std::string random_hex(std::size_t bytes) {
  std::array<unsigned char, 32> buf{};
  if (bytes > buf.size() || RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("samling::press: RAND_bytes failed");
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    out += hex_digits[buf[i] >> 4];
    out += hex_digits[buf[i] & 0xf];
  }
  return out;
}

bool covers(const std::vector<std::string>& list, std::string_view id) {
  for (const auto& s : list)
    if (s == "*" || s == id) return true;
  return false;
}

}  // namespace

bool grant::covers_stage(std::string_view stage) const { return covers(stages, stage); }
bool grant::covers_room(std::string_view room) const { return covers(rooms, room); }

std::string new_grant_id() { return "pr-" + random_hex(8); }

std::string sign_grant(const grant& g, const auth::keyring& keys) {
  json::object o;
  o["id"] = g.id;
  o["ev"] = g.event;
  o["nm"] = g.name;
  o["ou"] = g.outlet;
  o["st"] = string_array(g.stages);
  o["rm"] = string_array(g.rooms);
  o["nbf"] = g.valid_from;
  o["exp"] = g.valid_until;
  o["dc"] = static_cast<std::int64_t>(g.device_cap);
  return sign_part(grant_prefix, auth::base64url_encode(json::serialize(o)), grant_label, grant_mac_bytes, keys);
}

std::variant<grant, refusal> verify_grant(std::string_view token, const auth::keyring& keys, std::int64_t now) {
  parts p;
  if (auto r = check_signed(token, grant_prefix, max_grant_token_bytes, grant_label, grant_mac_bytes, keys, p))
    return *r;
  std::optional<std::string> payload = auth::base64url_decode(p.payload);
  if (!payload) return refusal::tampered;
  std::optional<grant> g = parse_grant(*payload);
  if (!g) return refusal::tampered;
  if (now < g->valid_from) return refusal::not_yet_valid;
  if (now >= g->valid_until) return refusal::expired;
  return *std::move(g);
}

std::string sign_viewer(const viewer_ticket& t, const auth::keyring& keys) {
  std::string payload;
  payload.reserve(8 + 3 + t.viewer.size() + t.stage.size() + t.device.size());
  auto exp = static_cast<std::uint64_t>(t.expires_at);
  for (int shift = 56; shift >= 0; shift -= 8) payload += static_cast<char>((exp >> shift) & 0xff);
  put_varint(payload, t.viewer.size());
  payload += t.viewer;
  put_varint(payload, t.stage.size());
  payload += t.stage;
  put_varint(payload, t.device.size());
  payload += t.device;
  return sign_part(viewer_prefix, auth::base64url_encode(payload), viewer_label, viewer_mac_bytes, keys);
}

std::variant<viewer_ticket, refusal> verify_viewer(std::string_view token, const auth::keyring& keys,
                                                   std::int64_t now) {
  parts p;
  if (auto r = check_signed(token, viewer_prefix, max_viewer_token_bytes, viewer_label, viewer_mac_bytes, keys, p))
    return *r;
  std::optional<std::string> payload = auth::base64url_decode(p.payload);
  if (!payload || payload->size() < 8) return refusal::tampered;
  std::string_view in = *payload;
  std::uint64_t exp = 0;
  for (int i = 0; i < 8; ++i) exp = (exp << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  in.remove_prefix(8);
  viewer_ticket t;
  t.expires_at = static_cast<std::int64_t>(exp);
  if (!get_string(in, t.viewer) || !get_string(in, t.stage) || !get_string(in, t.device) || !in.empty())
    return refusal::tampered;
  if (t.expires_at <= now) return refusal::expired;
  return t;
}

namespace {

// Appends "?name=token" or "&name=token" to `uri`.
void append_param(std::string& out, std::string_view uri, std::string_view name, std::string_view token) {
  out.append(uri);
  out += uri.find('?') == std::string_view::npos ? '?' : '&';
  out.append(name).append("=").append(token);
}

// A tag line with its URI="…" attributes extended; the rest of the line as it was.
void rewrite_tag(std::string& out, std::string_view line, std::string_view name, std::string_view token) {
  constexpr std::string_view attr = "URI=\"";
  std::size_t pos = 0;
  for (;;) {
    std::size_t at = line.find(attr, pos);
    // An attribute starts after the tag's ':' or a ','; "XURI=" is another attribute.
    while (at != std::string_view::npos && at > 0 && line[at - 1] != ':' && line[at - 1] != ',')
      at = line.find(attr, at + 1);
    if (at == std::string_view::npos) break;
    std::size_t value_start = at + attr.size();
    std::size_t value_end = line.find('"', value_start);
    if (value_end == std::string_view::npos) break;  // unterminated: leave the rest alone
    out.append(line.substr(pos, value_start - pos));
    std::string_view uri = line.substr(value_start, value_end - value_start);
    if (uri.empty()) out.append(uri);
    else append_param(out, uri, name, token);
    pos = value_end;
  }
  out.append(line.substr(pos));
}

}  // namespace

std::string rewrite_playlist(std::string_view m3u8, std::string_view param_name, std::string_view token) {
  std::string out;
  out.reserve(m3u8.size() + (m3u8.size() / 32 + 4) * (param_name.size() + token.size() + 2));
  std::size_t pos = 0;
  while (pos < m3u8.size()) {
    std::size_t nl = m3u8.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? m3u8.size() : nl;
    std::string_view line = m3u8.substr(pos, end - pos);
    std::string_view eol = nl == std::string_view::npos ? std::string_view() : std::string_view("\n");
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
      eol = nl == std::string_view::npos ? std::string_view("\r") : std::string_view("\r\n");
    }
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
      out.append(line);
    } else if (line[first] == '#') {
      rewrite_tag(out, line, param_name, token);
    } else {
      std::size_t last = line.find_last_not_of(" \t");
      out.append(line.substr(0, first));
      append_param(out, line.substr(first, last - first + 1), param_name, token);
      out.append(line.substr(last + 1));
    }
    out.append(eol);
    pos = end + (nl == std::string_view::npos ? 0 : 1);
  }
  return out;
}

bool is_device_id(std::string_view s) {
  if (s.size() < 8 || s.size() > 64) return false;
  for (char ch : s) {
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
              ch == '_';
    if (!ok) return false;
  }
  return true;
}

std::string device_of(std::string_view address, std::string_view user_agent) {
  std::string data;
  data.reserve(address.size() + 1 + user_agent.size());
  data.append(address).append("\n").append(user_agent);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("samling::press: SHA-256 failed");
  std::string out = "h-";
  for (unsigned i = 0; i < 8; ++i) {
    out += hex_digits[md[i] >> 4];
    out += hex_digits[md[i] & 0xf];
  }
  return out;
}

}  // namespace samling::press
