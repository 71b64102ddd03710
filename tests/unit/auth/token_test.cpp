// Signing and verification of join tokens (docs/protocol.md, Tokens): the round trip, every
// way a token is refused, key rotation, and the key list format. Tokens with chosen payloads are
// built here with OpenSSL's own base64 and HMAC, independently of the code under test, so a
// shared mistake in encoding cannot make both sides agree.
#include "auth/token.hpp"

#include <gtest/gtest.h>

#include "token_codec.hpp"
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

namespace samling::auth {
namespace {

namespace json = boost::json;

const std::string secret_a(32, 'a');
const std::string secret_b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";  // 40 bytes
const std::string secret_c = "cccccccccccccccccccccccccccccccc";          // 32 bytes
constexpr std::int64_t now = 1796822400;

// --- independent helpers ------------------------------------------------------------------

std::string b64url(std::string_view in) { return samling::testing::base64url(in); }
std::string b64url_decode(std::string in) { return samling::testing::base64url_decode(std::move(in)); }
std::string hmac(std::string_view key, std::string_view data) { return samling::testing::hmac_sha256(key, data); }

// A token with `payload` (already base64url or deliberately not) signed correctly.
std::string forge(std::string_view key_id, std::string_view secret, std::string_view payload) {
  std::string signed_part = "v1." + std::string(key_id) + "." + std::string(payload);
  return signed_part + "." + b64url(hmac(secret, signed_part));
}

std::string forge_json(std::string_view key_id, std::string_view secret, const json::value& v) {
  return forge(key_id, secret, b64url(json::serialize(v)));
}

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

claims sample() {
  return claims{.user_id = "u-anna",
                .name = "Anna Svensson",
                .event = "stockholm-tillsammans-2027",
                .role = role::moderator,
                .issued_at = now - 60,
                .expires_at = now + 3600};
}

json::object sample_json() {
  return {{"sub", "u-anna"},
          {"name", "Anna Svensson"},
          {"event", "stockholm-tillsammans-2027"},
          {"role", "moderator"},
          {"iat", now - 60},
          {"exp", now + 3600}};
}

token_error error_of(const std::variant<claims, token_error>& r) {
  if (const token_error* e = std::get_if<token_error>(&r)) return *e;
  ADD_FAILURE() << "the token was accepted";
  return token_error::invalid;
}

// --- round trip ---------------------------------------------------------------------------

TEST(token, round_trip_gives_back_the_claims) {
  keyring keys({"k1", secret_a});
  std::string token = keys.sign(sample());
  auto r = keys.verify(token, now);
  ASSERT_TRUE(std::holds_alternative<claims>(r)) << to_string(error_of(r));
  EXPECT_EQ(std::get<claims>(r), sample());
}

TEST(token, every_role_round_trips) {
  keyring keys({"k1", secret_a});
  for (role ro : {role::attendee, role::speaker, role::press, role::moderator, role::organizer,
                  role::guest}) {
    claims c = sample();
    c.role = ro;
    auto r = keys.verify(keys.sign(c), now);
    ASSERT_TRUE(std::holds_alternative<claims>(r)) << to_string(ro);
    EXPECT_EQ(std::get<claims>(r).role, ro);
  }
}

TEST(token, names_with_quotes_and_non_ascii_round_trip) {
  keyring keys({"k1", secret_a});
  claims c = sample();
  c.name = "Åsa \"Ö\" Öberg \\ 東京 😀";
  auto r = keys.verify(keys.sign(c), now);
  ASSERT_TRUE(std::holds_alternative<claims>(r));
  EXPECT_EQ(std::get<claims>(r).name, c.name);
}

TEST(token, format_is_v1_key_id_payload_signature_in_base64url) {
  keyring keys({"k1", secret_a});
  std::string token = keys.sign(sample());
  auto parts = split(token);
  ASSERT_EQ(parts.size(), 4u) << token;
  EXPECT_EQ(parts[0], "v1");
  EXPECT_EQ(parts[1], "k1");
  for (char ch : parts[2] + parts[3]) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') << ch;
  }
  // The payload is the JSON object of docs/protocol.md, readable by any base64url decoder.
  json::value payload = json::parse(b64url_decode(parts[2]));
  EXPECT_EQ(payload.at("sub"), "u-anna");
  EXPECT_EQ(payload.at("name"), "Anna Svensson");
  EXPECT_EQ(payload.at("event"), "stockholm-tillsammans-2027");
  EXPECT_EQ(payload.at("role"), "moderator");
  EXPECT_EQ(payload.at("iat").as_int64(), now - 60);
  EXPECT_EQ(payload.at("exp").as_int64(), now + 3600);
  // The signature is HMAC-SHA256 over "v1.KEY_ID.PAYLOAD", as another implementation computes it.
  EXPECT_EQ(parts[3], b64url(hmac(secret_a, "v1.k1." + parts[2])));
}

TEST(token, a_token_made_elsewhere_by_the_documented_rule_verifies) {
  keyring keys({"k1", secret_a});
  for (std::size_t extra = 0; extra < 3; ++extra) {  // every base64 tail length
    json::object o = sample_json();
    o["name"] = "Anna" + std::string(extra, 'x');
    auto r = keys.verify(forge_json("k1", secret_a, o), now);
    ASSERT_TRUE(std::holds_alternative<claims>(r)) << extra;
    EXPECT_EQ(std::get<claims>(r).name, "Anna" + std::string(extra, 'x'));
  }
}

TEST(token, unknown_extra_claims_are_ignored) {
  // So a later version can add claims without invalidating tokens already handed out.
  keyring keys({"k1", secret_a});
  json::object o = sample_json();
  o["aud"] = "web";
  auto r = keys.verify(forge_json("k1", secret_a, o), now);
  ASSERT_TRUE(std::holds_alternative<claims>(r));
  EXPECT_EQ(std::get<claims>(r), sample());
}

// --- every refusal ------------------------------------------------------------------------

TEST(token_refused, tampered_payload_is_invalid) {
  keyring keys({"k1", secret_a});
  auto parts = split(keys.sign(sample()));
  // Another payload (an organizer instead of a moderator) under the original signature.
  json::object o = sample_json();
  o["role"] = "organizer";
  std::string swapped = "v1.k1." + b64url(json::serialize(o)) + "." + parts[3];
  EXPECT_EQ(error_of(keys.verify(swapped, now)), token_error::invalid);
  // One character of the payload changed.
  std::string flipped = parts[2];
  flipped[5] = flipped[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(keys.verify("v1.k1." + flipped + "." + parts[3], now)),
            token_error::invalid);
}

TEST(token_refused, tampered_signature_is_invalid) {
  keyring keys({"k1", secret_a});
  std::string token = keys.sign(sample());
  for (std::size_t back : {1u, 2u, 20u, 43u}) {
    std::string t = token;
    char& ch = t[t.size() - back];
    ch = ch == 'A' ? 'Q' : 'A';  // both leave the unused tail bits zero
    SCOPED_TRACE(t);
    EXPECT_EQ(error_of(keys.verify(t, now)), token_error::invalid);
  }
  // The same MAC bytes with non-zero unused bits in the last character: a second spelling
  // of one signature is refused rather than accepted (tokens are not malleable).
  std::string t = token;
  char& last = t.back();
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  last = alphabet[alphabet.find(last) | 1];
  ASSERT_NE(t, token);
  EXPECT_EQ(error_of(keys.verify(t, now)), token_error::invalid);
  // A signature of the wrong length, correctly encoded.
  auto parts = split(token);
  std::string short_mac = b64url(hmac(secret_a, "v1.k1." + parts[2]).substr(0, 31));
  EXPECT_EQ(error_of(keys.verify("v1.k1." + parts[2] + "." + short_mac, now)),
            token_error::invalid);
  std::string long_mac = b64url(hmac(secret_a, "v1.k1." + parts[2]) + "x");
  EXPECT_EQ(error_of(keys.verify("v1.k1." + parts[2] + "." + long_mac, now)),
            token_error::invalid);
}

TEST(token_refused, truncated_is_invalid) {
  keyring keys({"k1", secret_a});
  std::string token = keys.sign(sample());
  auto parts = split(token);
  const std::vector<std::string> cut = {token.substr(0, token.size() - 1),
                                        token.substr(0, token.size() - 4),
                                        "v1.k1." + parts[2] + ".",
                                        "v1.k1." + parts[2],
                                        "v1.k1.",
                                        "v1.k1",
                                        "v1",
                                        ""};
  for (const std::string& t : cut) {
    SCOPED_TRACE(t);
    EXPECT_EQ(error_of(keys.verify(t, now)), token_error::invalid);
  }
}

TEST(token_refused, wrong_prefix_or_part_count_is_invalid) {
  keyring keys({"k1", secret_a});
  std::string token = keys.sign(sample());
  std::string rest = token.substr(2);  // ".k1.PAYLOAD.SIG"
  for (std::string t : {"v2" + rest, "V1" + rest, "v10" + rest, rest.substr(1), "x." + token,
                        token + ".", token + ".x", "." + token}) {
    SCOPED_TRACE(t);
    EXPECT_EQ(error_of(keys.verify(t, now)), token_error::invalid);
  }
  // Correctly signed over another version prefix: refused for the prefix, not the MAC.
  std::string payload = split(token)[2];
  for (std::string prefix : {"v2", "V1", "v0", ""}) {
    std::string signed_part = prefix + ".k1." + payload;
    std::string t = signed_part + "." + b64url(hmac(secret_a, signed_part));
    SCOPED_TRACE(t);
    EXPECT_EQ(error_of(keys.verify(t, now)), token_error::invalid);
  }
}

TEST(token_refused, over_4096_bytes_is_invalid_even_when_correctly_signed) {
  keyring keys({"k1", secret_a});
  claims c = sample();
  c.name = std::string(3000, 'x');  // base64 grows it by 4/3: over 4096 bytes in all
  std::string big = keys.sign(c);
  ASSERT_GT(big.size(), 4096u);
  EXPECT_EQ(error_of(keys.verify(big, now)), token_error::invalid);
  c.name = std::string(2800, 'x');  // just under
  std::string fits = keys.sign(c);
  ASSERT_LE(fits.size(), 4096u);
  EXPECT_TRUE(std::holds_alternative<claims>(keys.verify(fits, now)));
}

TEST(token_refused, bad_base64_is_invalid) {
  keyring keys({"k1", secret_a});
  std::string good = b64url(json::serialize(sample_json()));
  // Signed correctly over the bad text, so only the decoding can refuse them.
  for (std::string payload : {good + "=", good + "==", good.substr(0, 10) + "+" + good.substr(11),
                              good.substr(0, 10) + "/" + good.substr(11),
                              good.substr(0, 10) + "!" + good.substr(11),
                              good.substr(0, 10) + " " + good.substr(11),
                              good.substr(0, 10) + "\xc3\xa5" + good.substr(12), good + "A",
                              std::string("")}) {
    SCOPED_TRACE(payload);
    EXPECT_EQ(error_of(keys.verify(forge("k1", secret_a, payload), now)), token_error::invalid);
  }
  // Invalid characters in the signature.
  std::string token = keys.sign(sample());
  for (char bad : {'=', '+', '/', '*'}) {
    std::string t = token;
    t[t.size() - 5] = bad;
    EXPECT_EQ(error_of(keys.verify(t, now)), token_error::invalid) << bad;
  }
  EXPECT_EQ(error_of(keys.verify(token + "=", now)), token_error::invalid);
}

TEST(token_refused, a_payload_that_is_not_a_json_object_is_invalid) {
  keyring keys({"k1", secret_a});
  const std::vector<std::string> texts = {"not json", "{",    "{\"sub\":\"u\"",        "[1,2]",
                                          "\"sub\"",    "42",   std::string("{}\0", 3), "{} {}",
                                          "null"};
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    EXPECT_EQ(error_of(keys.verify(forge("k1", secret_a, b64url(text)), now)),
              token_error::invalid);
  }
}

TEST(token_refused, missing_or_wrong_typed_claims_are_invalid) {
  keyring keys({"k1", secret_a});
  for (std::string name : {"sub", "name", "event", "role", "iat", "exp"}) {
    json::object o = sample_json();
    o.erase(name);
    EXPECT_EQ(error_of(keys.verify(forge_json("k1", secret_a, o), now)), token_error::invalid)
        << "without " << name;
  }
  struct row {
    std::string claim;
    json::value value;
  };
  const std::vector<row> rows = {
      {"sub", 42},           {"sub", nullptr},         {"name", json::array{"Anna"}},
      {"event", true},       {"role", 1},              {"iat", "1796822400"},
      {"iat", 1.5},          {"exp", "1796826000"},    {"exp", 1796826000.0},
      {"exp", nullptr},      {"exp", 18446744073709551615ull},
      {"name", json::object{{"first", "Anna"}}},
  };
  for (const row& r : rows) {
    json::object o = sample_json();
    o[r.claim] = r.value;
    SCOPED_TRACE(json::serialize(o));
    EXPECT_EQ(error_of(keys.verify(forge_json("k1", secret_a, o), now)), token_error::invalid);
  }
}

TEST(token_refused, unknown_role_is_invalid) {
  keyring keys({"k1", secret_a});
  for (std::string r : {"admin", "Attendee", "ORGANIZER", "", " attendee", "moderator\n"}) {
    json::object o = sample_json();
    o["role"] = r;
    SCOPED_TRACE(r);
    EXPECT_EQ(error_of(keys.verify(forge_json("k1", secret_a, o), now)), token_error::invalid);
  }
}

TEST(token_refused, unknown_key_id_is_reported_before_the_signature) {
  keyring keys({"k1", secret_a});
  keyring other({"k9", secret_a});
  std::string token = other.sign(sample());
  EXPECT_EQ(error_of(keys.verify(token, now)), token_error::unknown_key);
  // Checked first: a broken signature, payload or expiry under an unknown key is still that.
  EXPECT_EQ(error_of(keys.verify("v1.k9.!!!.???", now)), token_error::unknown_key);
  EXPECT_EQ(error_of(keys.verify(token, now + 999999)), token_error::unknown_key);
  // A key id no keyring could hold is malformed rather than unknown.
  EXPECT_EQ(error_of(keys.verify("v1..abc.def", now)), token_error::invalid);
  EXPECT_EQ(error_of(keys.verify("v1.k 1.abc.def", now)), token_error::invalid);
}

TEST(token_refused, expired_at_exactly_exp_not_at_exp_minus_one) {
  keyring keys({"k1", secret_a});
  claims c = sample();
  std::string token = keys.sign(c);
  EXPECT_TRUE(std::holds_alternative<claims>(keys.verify(token, c.expires_at - 1)));
  EXPECT_EQ(error_of(keys.verify(token, c.expires_at)), token_error::expired);
  EXPECT_EQ(error_of(keys.verify(token, c.expires_at + 86400)), token_error::expired);
}

TEST(token_refused, the_signature_is_checked_before_expiry) {
  // A forger learns nothing from "expired": a bad signature is invalid whatever the claims say.
  keyring keys({"k1", secret_a});
  claims c = sample();
  c.expires_at = now - 1;
  json::object o = sample_json();
  o["exp"] = now - 1;
  EXPECT_EQ(error_of(keys.verify(forge_json("k1", secret_b, o), now)), token_error::invalid);
  EXPECT_EQ(error_of(keys.verify(keys.sign(c), now)), token_error::expired);
}

TEST(token_refused, same_key_id_with_another_secret_is_invalid) {
  keyring signer({"k1", secret_b});
  keyring verifier({"k1", secret_a});
  EXPECT_EQ(error_of(verifier.verify(signer.sign(sample()), now)), token_error::invalid);
}

TEST(token_refused, error_names_are_the_protocol_codes) {
  EXPECT_EQ(to_string(token_error::invalid), "token_invalid");
  EXPECT_EQ(to_string(token_error::expired), "token_expired");
  EXPECT_EQ(to_string(token_error::unknown_key), "token_unknown_key");
}

// --- rotation ----------------------------------------------------------------------------

TEST(token_rotation, previous_keys_verify_and_only_the_current_key_signs) {
  keyring before({"k1", secret_a});
  std::string old_token = before.sign(sample());

  keyring during({"k2", secret_b}, {{"k1", secret_a}});
  EXPECT_EQ(during.current_key_id(), "k2");
  auto r = during.verify(old_token, now);
  ASSERT_TRUE(std::holds_alternative<claims>(r)) << to_string(error_of(r));
  EXPECT_EQ(std::get<claims>(r), sample());
  std::string new_token = during.sign(sample());
  EXPECT_EQ(split(new_token)[1], "k2");
  EXPECT_TRUE(std::holds_alternative<claims>(during.verify(new_token, now)));

  keyring after({"k2", secret_b});
  EXPECT_EQ(error_of(after.verify(old_token, now)), token_error::unknown_key);
  EXPECT_TRUE(std::holds_alternative<claims>(after.verify(new_token, now)));
}

TEST(token_rotation, several_previous_keys_each_verify_with_their_own_secret) {
  keyring k3({"k3", secret_c}, {{"k1", secret_a}, {"k2", secret_b}});
  for (auto [id, secret] : {std::pair{"k1", secret_a}, std::pair{"k2", secret_b}}) {
    keyring signer({id, secret});
    EXPECT_TRUE(std::holds_alternative<claims>(k3.verify(signer.sign(sample()), now))) << id;
    keyring wrong({id, secret_c});
    EXPECT_EQ(error_of(k3.verify(wrong.sign(sample()), now)), token_error::invalid) << id;
  }
}

// --- keyring construction ---------------------------------------------------------------

TEST(keyring_keys, bad_keys_are_refused_with_a_clear_message) {
  struct row {
    signing_key current;
    std::vector<signing_key> previous;
    std::string message;
  };
  const std::vector<row> rows = {
      {{"", secret_a}, {}, "key id"},
      {{std::string(33, 'k'), secret_a}, {}, "1 to 32 characters"},
      {{"k.1", secret_a}, {}, "key id"},
      {{"k:1", secret_a}, {}, "key id"},
      {{"k 1", secret_a}, {}, "key id"},
      {{"k1", std::string(31, 's')}, {}, "at least 32"},
      {{"k1", ""}, {}, "at least 32"},
      {{"k1", secret_a}, {{"k2", "short"}}, "at least 32"},
      {{"k1", secret_a}, {{"bad id", secret_b}}, "key id"},
      {{"k1", secret_a}, {{"k1", secret_b}}, "\"k1\" is both the current and a previous key"},
      {{"k1", secret_a}, {{"k2", secret_b}, {"k2", secret_c}}, "\"k2\" appears twice"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.current.id + " / " + r.message);
    try {
      keyring k(r.current, r.previous);
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      std::string what = e.what();
      EXPECT_NE(what.find(r.message), std::string::npos) << what;
      // A message for the log must not carry a secret.
      for (const std::string& s : {secret_a, secret_b, secret_c}) {
        EXPECT_EQ(what.find(s), std::string::npos) << what;
      }
    }
  }
}

TEST(keyring_keys, boundary_keys_are_accepted) {
  EXPECT_NO_THROW(keyring({std::string(32, 'K'), std::string(32, 's')}));
  EXPECT_NO_THROW(keyring({"a", secret_a}));
  EXPECT_NO_THROW(keyring({"A-z_09", secret_a}, {{"old-1", secret_b}, {"old_2", secret_c}}));
}

// --- parse_key_list ---------------------------------------------------------------------

TEST(key_list, valid_lists) {
  std::string error;
  auto empty = parse_key_list("", error);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  auto one = parse_key_list("k1:" + secret_a, error);
  ASSERT_TRUE(one) << error;
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, "k1");
  EXPECT_EQ((*one)[0].secret, secret_a);

  // A secret may contain ':' (only the first one separates the id).
  std::string colon_secret = "abc:def:" + std::string(30, 'z');
  auto two = parse_key_list("k1:" + secret_a + ",old-2:" + colon_secret, error);
  ASSERT_TRUE(two) << error;
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].id, "old-2");
  EXPECT_EQ((*two)[1].secret, colon_secret);
  // What it returns builds a keyring.
  EXPECT_NO_THROW(keyring({"k3", secret_c}, *two));
}

TEST(key_list, invalid_lists_say_what_is_wrong_without_the_secret) {
  struct row {
    std::string text, message;
  };
  const std::vector<row> rows = {
      {"k1", "expected \"id:secret\""},
      {secret_a, "expected \"id:secret\""},
      {"k1:short", "at least 32"},
      {":" + secret_a, "key id"},
      {"k 1:" + secret_a, "key id"},
      {std::string(33, 'k') + ":" + secret_a, "key id"},
      {"k1:" + secret_a + ",", "item 2"},
      {",k1:" + secret_a, "item 1"},
      {"k1:" + secret_a + ",,k2:" + secret_b, "item 2"},
      {"k1:" + secret_a + ",k1:" + secret_b, "\"k1\" appears twice"},
      {"k1:" + secret_a + ",k2:" + std::string(31, 'x'), "item 2"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.text);
    std::string error;
    EXPECT_FALSE(parse_key_list(r.text, error));
    EXPECT_NE(error.find(r.message), std::string::npos) << error;
    for (const std::string& s : {secret_a, secret_b}) {
      EXPECT_EQ(error.find(s), std::string::npos) << error;
    }
  }
}

// --- roles and random secrets ------------------------------------------------------------

TEST(roles, names_round_trip_and_unknown_names_are_refused) {
  const std::vector<std::pair<role, std::string>> all = {
      {role::attendee, "attendee"}, {role::speaker, "speaker"},     {role::press, "press"},
      {role::moderator, "moderator"}, {role::organizer, "organizer"}, {role::guest, "guest"}};
  for (const auto& [r, name] : all) {
    EXPECT_EQ(to_string(r), name);
    EXPECT_EQ(role_from_string(name), r);
  }
  EXPECT_FALSE(role_from_string("admin"));
  EXPECT_FALSE(role_from_string(""));
  EXPECT_FALSE(role_from_string("Guest"));
}

TEST(random_secrets, are_32_random_bytes_in_base64url_and_usable_as_keys) {
  std::string a = random_secret();
  std::string b = random_secret();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes, unpadded
  EXPECT_NE(a, b);
  EXPECT_EQ(b64url_decode(a).size(), 32u);
  for (char ch : a) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') << ch;
  }
  keyring keys({"dev", a});
  EXPECT_TRUE(std::holds_alternative<claims>(keys.verify(keys.sign(sample()), now)));
}

}  // namespace
}  // namespace samling::auth
