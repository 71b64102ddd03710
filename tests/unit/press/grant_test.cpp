#include "press/grant.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>
#include <set>

namespace samling::press {
namespace {

const std::string secret1(32, 'a');
const std::string secret2 = "0123456789abcdef0123456789ABCDEF!";

auth::keyring ring1() { return auth::keyring({"k1", secret1}); }

grant sample() {
  grant g;
  g.id = "pr-0123456789abcdef";
  g.event = "e1";
  g.name = "Eva Ek";
  g.outlet = "Dagens Nyheter";
  g.stages = {"main", "press"};
  g.rooms = {"pressrum"};
  g.valid_from = 1000;
  g.valid_until = 5000;
  g.device_cap = 3;
  return g;
}

grant ok(const std::variant<grant, refusal>& v) {
  if (auto* r = std::get_if<refusal>(&v)) ADD_FAILURE() << "refused: " << to_string(*r);
  return std::get_if<grant>(&v) ? std::get<grant>(v) : grant{};
}

refusal why(const std::variant<grant, refusal>& v) {
  if (std::holds_alternative<grant>(v)) {
    ADD_FAILURE() << "accepted";
    return refusal::missing;
  }
  return std::get<refusal>(v);
}

refusal why(const std::variant<viewer_ticket, refusal>& v) {
  if (std::holds_alternative<viewer_ticket>(v)) {
    ADD_FAILURE() << "accepted";
    return refusal::missing;
  }
  return std::get<refusal>(v);
}

struct token_parts {
  std::string prefix, kid, payload, sig;
};
token_parts split(const std::string& t) {
  std::vector<std::string> p;
  std::size_t start = 0;
  for (;;) {
    auto dot = t.find('.', start);
    p.push_back(t.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  EXPECT_EQ(p.size(), 4u) << t;
  p.resize(4);
  return {p[0], p[1], p[2], p[3]};
}
std::string join(const token_parts& p) { return p.prefix + "." + p.kid + "." + p.payload + "." + p.sig; }

// Replaces the character at `i` by another of the base64url alphabet.
std::string flip(std::string s, std::size_t i) {
  s[i] = s[i] == 'A' ? 'B' : 'A';
  return s;
}

TEST(PressGrant, SignVerifyRoundTrip) {
  auto keys = ring1();
  grant g = sample();
  std::string t = sign_grant(g, keys);
  EXPECT_EQ(t.rfind("g1.k1.", 0), 0u) << t;
  EXPECT_EQ(ok(verify_grant(t, keys, 1000)), g);
  EXPECT_EQ(ok(verify_grant(t, keys, 4999)), g);
}

TEST(PressGrant, UnicodeAndWildcardsSurvive) {
  auto keys = ring1();
  grant g = sample();
  g.name = "Åsa Öberg \"Ä\" \\ <b>";
  g.outlet = "";
  g.stages = {"*"};
  g.rooms = {};
  g.device_cap = 4294967295u;
  EXPECT_EQ(ok(verify_grant(sign_grant(g, keys), keys, 2000)), g);
}

TEST(PressGrant, TimesAtTheBoundaries) {
  auto keys = ring1();
  std::string t = sign_grant(sample(), keys);
  EXPECT_EQ(why(verify_grant(t, keys, 999)), refusal::not_yet_valid);
  EXPECT_EQ(why(verify_grant(t, keys, 5000)), refusal::expired);
  EXPECT_EQ(why(verify_grant(t, keys, 99999)), refusal::expired);
  EXPECT_EQ(why(verify_grant(t, keys, -5)), refusal::not_yet_valid);
}

TEST(PressGrant, EmptyIsMissing) {
  auto keys = ring1();
  EXPECT_EQ(why(verify_grant("", keys, 2000)), refusal::missing);
}

TEST(PressGrant, TamperingAnyPartIsRefused) {
  auto keys = ring1();
  std::string t = sign_grant(sample(), keys);
  auto p = split(t);
  // Every single character of the payload and the signature.
  for (std::size_t i = 0; i < p.payload.size(); ++i) {
    auto q = p;
    q.payload = flip(q.payload, i);
    EXPECT_EQ(why(verify_grant(join(q), keys, 2000)), refusal::tampered) << "payload " << i;
  }
  for (std::size_t i = 0; i < p.sig.size(); ++i) {
    auto q = p;
    q.sig = flip(q.sig, i);
    EXPECT_EQ(why(verify_grant(join(q), keys, 2000)), refusal::tampered) << "signature " << i;
  }
  {
    auto q = p;
    q.prefix = "g2";
    EXPECT_EQ(why(verify_grant(join(q), keys, 2000)), refusal::tampered);
    q.prefix = "v1";  // the prefix of join and viewer tokens
    EXPECT_EQ(why(verify_grant(join(q), keys, 2000)), refusal::tampered);
    q.prefix = "G1";
    EXPECT_EQ(why(verify_grant(join(q), keys, 2000)), refusal::tampered);
  }
  {
    // Another key id of the same keyring is a different key: the MAC does not match.
    auth::keyring two({"k1", secret1}, {{"k0", secret1}});
    auto q = p;
    q.kid = "k0";
    EXPECT_EQ(why(verify_grant(join(q), two, 2000)), refusal::tampered);
  }
}

TEST(PressGrant, MalformedIsTampered) {
  auto keys = ring1();
  std::string t = sign_grant(sample(), keys);
  auto p = split(t);
  // Cut anywhere.
  for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{6}, t.size() / 2, t.size() - 1})
    EXPECT_EQ(why(verify_grant(t.substr(0, n), keys, 2000)), refusal::tampered) << n;
  EXPECT_EQ(why(verify_grant(t + "A", keys, 2000)), refusal::tampered);
  EXPECT_EQ(why(verify_grant(t + ".x", keys, 2000)), refusal::tampered);
  EXPECT_EQ(why(verify_grant(" " + t, keys, 2000)), refusal::tampered);
  EXPECT_EQ(why(verify_grant("g1.k1..", keys, 2000)), refusal::tampered);
  EXPECT_EQ(why(verify_grant("...", keys, 2000)), refusal::tampered);
  EXPECT_EQ(why(verify_grant("garbage", keys, 2000)), refusal::tampered);
  // Padding is not base64url.
  EXPECT_EQ(why(verify_grant(t + "=", keys, 2000)), refusal::tampered);
  // A key id no keyring can hold is malformed, not unknown.
  auto q = p;
  q.kid = "bad key!";
  EXPECT_EQ(why(verify_grant(join(q), keys, 2000)), refusal::tampered);
  q.kid = std::string(33, 'k');
  EXPECT_EQ(why(verify_grant(join(q), keys, 2000)), refusal::tampered);
  q.kid = "";
  EXPECT_EQ(why(verify_grant(join(q), keys, 2000)), refusal::tampered);
  // Over-long input is refused before anything else (even with a plausible shape).
  std::string longer = "g1.k1." + std::string(9000, 'A') + "." + p.sig;
  EXPECT_EQ(why(verify_grant(longer, keys, 2000)), refusal::tampered);
}

TEST(PressGrant, UnknownKey) {
  auto keys = ring1();
  auto p = split(sign_grant(sample(), keys));
  p.kid = "k9";
  EXPECT_EQ(why(verify_grant(join(p), keys, 2000)), refusal::unknown_key);
}

TEST(PressGrant, KeyRotation) {
  grant g = sample();
  std::string old = sign_grant(g, ring1());
  // After the rotation k1 is a previous key: the old link still works, new ones use k2.
  auth::keyring rotated({"k2", secret2}, {{"k1", secret1}});
  EXPECT_EQ(ok(verify_grant(old, rotated, 2000)), g);
  std::string fresh = sign_grant(g, rotated);
  EXPECT_EQ(split(fresh).kid, "k2");
  EXPECT_EQ(ok(verify_grant(fresh, rotated, 2000)), g);
  // Once k1 is dropped, the old link's key is unknown.
  auth::keyring dropped({"k2", secret2});
  EXPECT_EQ(why(verify_grant(old, dropped, 2000)), refusal::unknown_key);
  EXPECT_EQ(ok(verify_grant(fresh, dropped, 2000)), g);
  // The same id with another secret: not the key it was signed with.
  auth::keyring impostor({"k1", secret2});
  EXPECT_EQ(why(verify_grant(old, impostor, 2000)), refusal::tampered);
}

// A token whose MAC is right but whose payload is not a grant: signed as the implementation
// would (the derived key), to prove the fields are checked after the MAC.
std::string forge_grant_payload(const std::string& json) {
  auto key = auth::hmac_sha256(secret1, "samling press grant v1");
  std::string signed_part =
      "g1.k1." + auth::base64url_encode(json);
  auto mac = auth::hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), signed_part);
  return signed_part + "." + auth::base64url_encode(mac.data(), mac.size());
}

TEST(PressGrant, DerivedKeyIsTheDocumentedOne) {
  // The documented derivation (grant.hpp): a payload signed by hand with it verifies.
  std::string t = forge_grant_payload(
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":2})");
  grant g = ok(verify_grant(t, ring1(), 50));
  EXPECT_EQ(g.id, "pr-1");
  EXPECT_EQ(g.device_cap, 2u);
}

TEST(PressGrant, MissingOrMistypedFieldsAreTampered) {
  const std::vector<std::string> bad = {
      R"({"ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","rm":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100})",
      R"({"id":1,"ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":"*","rm":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":[1],"rm":["*"],"nbf":0,"exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":"0","exp":100,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100.5,"dc":2})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":-1})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":4294967296})",
      R"({"id":"pr-1","ev":"e","nm":"N","ou":"O","st":["*"],"rm":["*"],"nbf":0,"exp":100,"dc":2)",
      R"(["id"])",
      "",
  };
  for (const auto& json : bad)
    EXPECT_EQ(why(verify_grant(forge_grant_payload(json), ring1(), 50)), refusal::tampered) << json;
}

TEST(PressGrant, JoinTokensAndGrantsAreNotInterchangeable) {
  auto keys = ring1();
  auth::claims c{"u1", "Eva", "e1", auth::role::press, 0, 5000};
  std::string join_token = keys.sign(c);
  EXPECT_EQ(why(verify_grant(join_token, keys, 2000)), refusal::tampered);
  // Even relabelled as a grant: its MAC is over the raw secret, not the grant key.
  auto p = split(join_token);
  p.prefix = "g1";
  EXPECT_EQ(why(verify_grant(join(p), keys, 2000)), refusal::tampered);

  std::string g = sign_grant(sample(), keys);
  EXPECT_TRUE(std::holds_alternative<auth::token_error>(keys.verify(g, 2000)));
  auto q = split(g);
  q.prefix = "v1";
  auto v = keys.verify(join(q), 2000);
  ASSERT_TRUE(std::holds_alternative<auth::token_error>(v));
  EXPECT_EQ(std::get<auth::token_error>(v), auth::token_error::invalid);
}

TEST(PressGrant, Covers) {
  grant g = sample();
  EXPECT_TRUE(g.covers_stage("main"));
  EXPECT_TRUE(g.covers_stage("press"));
  EXPECT_FALSE(g.covers_stage("mai"));
  EXPECT_FALSE(g.covers_stage(""));
  EXPECT_TRUE(g.covers_room("pressrum"));
  EXPECT_FALSE(g.covers_room("main"));
  g.stages = {"*"};
  g.rooms = {"x", "*"};
  EXPECT_TRUE(g.covers_stage("anything"));
  EXPECT_TRUE(g.covers_room("main"));
  g.stages = {};
  EXPECT_FALSE(g.covers_stage("main"));
  grant defaults;
  EXPECT_TRUE(defaults.covers_stage("x"));
  EXPECT_TRUE(defaults.covers_room("y"));
}

TEST(PressGrant, NewIds) {
  std::regex shape("pr-[0-9a-f]{16}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = new_grant_id();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

// --- Viewer tokens ---------------------------------------------------------------------------

viewer_ticket ticket() { return {"pr-0123456789abcdef", "main", "dev-abcdefgh", 3000}; }

TEST(PressViewer, SignVerifyRoundTrip) {
  auto keys = ring1();
  std::string t = sign_viewer(ticket(), keys);
  EXPECT_EQ(t.rfind("v1.k1.", 0), 0u);
  auto v = verify_viewer(t, keys, 2999);
  ASSERT_TRUE(std::holds_alternative<viewer_ticket>(v));
  EXPECT_EQ(std::get<viewer_ticket>(v), ticket());
  // Compact: a 16-byte MAC (22 characters) and a binary payload.
  EXPECT_EQ(split(t).sig.size(), 22u);
  EXPECT_LT(t.size(), 96u) << t;
}

TEST(PressViewer, LongAndEmptyFields) {
  auto keys = ring1();
  viewer_ticket t{std::string(300, 'u'), "", std::string(64, 'd'), 1LL << 40};
  auto v = verify_viewer(sign_viewer(t, keys), keys, 0);
  ASSERT_TRUE(std::holds_alternative<viewer_ticket>(v));
  EXPECT_EQ(std::get<viewer_ticket>(v), t);
  viewer_ticket neg{"a", "b", "c", -10};
  auto n = verify_viewer(sign_viewer(neg, keys), keys, -11);
  ASSERT_TRUE(std::holds_alternative<viewer_ticket>(n));
  EXPECT_EQ(std::get<viewer_ticket>(n).expires_at, -10);
}

TEST(PressViewer, ExpiresAtItsSecond) {
  auto keys = ring1();
  std::string t = sign_viewer(ticket(), keys);
  EXPECT_TRUE(std::holds_alternative<viewer_ticket>(verify_viewer(t, keys, 2999)));
  EXPECT_EQ(why(verify_viewer(t, keys, 3000)), refusal::expired);
}

TEST(PressViewer, Refusals) {
  auto keys = ring1();
  std::string t = sign_viewer(ticket(), keys);
  auto p = split(t);
  EXPECT_EQ(why(verify_viewer("", keys, 0)), refusal::missing);
  for (std::size_t i = 0; i < p.payload.size(); ++i) {
    auto q = p;
    q.payload = flip(q.payload, i);
    EXPECT_EQ(why(verify_viewer(join(q), keys, 0)), refusal::tampered) << i;
  }
  for (std::size_t i = 0; i < p.sig.size(); ++i) {
    auto q = p;
    q.sig = flip(q.sig, i);
    EXPECT_EQ(why(verify_viewer(join(q), keys, 0)), refusal::tampered) << i;
  }
  for (std::size_t n = 1; n < t.size(); n += 5)
    EXPECT_EQ(why(verify_viewer(t.substr(0, n), keys, 0)), refusal::tampered) << n;
  auto q = p;
  q.prefix = "g1";
  EXPECT_EQ(why(verify_viewer(join(q), keys, 0)), refusal::tampered);
  q = p;
  q.kid = "k9";
  EXPECT_EQ(why(verify_viewer(join(q), keys, 0)), refusal::unknown_key);
  q.kid = "k 9";
  EXPECT_EQ(why(verify_viewer(join(q), keys, 0)), refusal::tampered);
  // A full 32-byte MAC is not the viewer token's 16-byte one.
  auto key = auth::hmac_sha256(secret1, "samling press viewer v1");
  auto full = auth::hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), 32),
                                p.prefix + "." + p.kid + "." + p.payload);
  q = p;
  q.sig = auth::base64url_encode(full.data(), full.size());
  EXPECT_EQ(why(verify_viewer(join(q), keys, 0)), refusal::tampered);
  q.sig = auth::base64url_encode(full.data(), 16);
  EXPECT_TRUE(std::holds_alternative<viewer_ticket>(verify_viewer(join(q), keys, 0)));
  EXPECT_EQ(why(verify_viewer("v1.k1." + std::string(2000, 'A') + "." + p.sig, keys, 0)), refusal::tampered);
}

TEST(PressViewer, TrailingOrShortPayloadIsTampered) {
  // Correctly signed but malformed binary payloads.
  auto key = auth::hmac_sha256(secret1, "samling press viewer v1");
  auto forge = [&](const std::string& payload) {
    std::string signed_part = "v1.k1." + auth::base64url_encode(payload);
    auto mac = auth::hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), 32), signed_part);
    return signed_part + "." + auth::base64url_encode(mac.data(), 16);
  };
  std::string good = std::string(7, '\0') + '\x10' + "\x01" "u" "\x01" "s" "\x01" "d";
  auto v = verify_viewer(forge(good), ring1(), 0);
  ASSERT_TRUE(std::holds_alternative<viewer_ticket>(v));
  EXPECT_EQ(std::get<viewer_ticket>(v), (viewer_ticket{"u", "s", "d", 16}));
  EXPECT_EQ(why(verify_viewer(forge(good + "x"), ring1(), 0)), refusal::tampered);
  EXPECT_EQ(why(verify_viewer(forge(good.substr(0, good.size() - 1)), ring1(), 0)), refusal::tampered);
  EXPECT_EQ(why(verify_viewer(forge(std::string(7, '\0')), ring1(), 0)), refusal::tampered);
  EXPECT_EQ(why(verify_viewer(forge(std::string(7, '\0') + '\x10' + "\x05u"), ring1(), 0)), refusal::tampered);
  EXPECT_EQ(why(verify_viewer(forge(""), ring1(), 0)), refusal::tampered);
}

TEST(PressViewer, DomainSeparation) {
  auto keys = ring1();
  // A join token ("v1." too) is not a viewer token, nor the other way round.
  std::string join_token = keys.sign({"u1", "Eva", "e1", auth::role::attendee, 0, 5000});
  EXPECT_EQ(why(verify_viewer(join_token, keys, 0)), refusal::tampered);
  std::string viewer = sign_viewer(ticket(), keys);
  EXPECT_TRUE(std::holds_alternative<auth::token_error>(keys.verify(viewer, 0)));
  // A grant's signature over the same bytes with the grant key is not a viewer signature.
  std::string g = sign_grant(sample(), keys);
  auto gp = split(g);
  gp.prefix = "v1";
  EXPECT_EQ(why(verify_viewer(join(gp), keys, 0)), refusal::tampered);
  auto vp = split(viewer);
  vp.prefix = "g1";
  EXPECT_EQ(why(verify_grant(join(vp), keys, 0)), refusal::tampered);
}

TEST(PressViewer, RotationAndUnknownKey) {
  std::string old = sign_viewer(ticket(), ring1());
  auth::keyring rotated({"k2", secret2}, {{"k1", secret1}});
  EXPECT_TRUE(std::holds_alternative<viewer_ticket>(verify_viewer(old, rotated, 0)));
  EXPECT_EQ(why(verify_viewer(old, auth::keyring({"k2", secret2}), 0)), refusal::unknown_key);
}

// --- Playlists and devices -------------------------------------------------------------------

TEST(PressPlaylist, SegmentLinesGetTheToken) {
  std::string in =
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n"
      "#EXTINF:2.000,\nseg-1.m4s\n\n#EXTINF:2.000,\nseg-2.m4s?x=1\n# a comment with URI=\"no\"\n";
  std::string out = rewrite_playlist(in, "v", "TOK");
  EXPECT_EQ(out,
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4?v=TOK\"\n"
            "#EXTINF:2.000,\nseg-1.m4s?v=TOK\n\n#EXTINF:2.000,\nseg-2.m4s?x=1&v=TOK\n# a comment with URI=\"no\"\n");
}

TEST(PressPlaylist, CrlfAndNoFinalNewline) {
  std::string in = "#EXTM3U\r\n#EXT-X-MAP:URI=\"i.mp4\",BYTERANGE=\"10@0\"\r\n\r\nseg.ts\r\nlast.ts";
  EXPECT_EQ(rewrite_playlist(in, "v", "T"),
            "#EXTM3U\r\n#EXT-X-MAP:URI=\"i.mp4?v=T\",BYTERANGE=\"10@0\"\r\n\r\nseg.ts?v=T\r\nlast.ts?v=T");
}

TEST(PressPlaylist, SeveralUriAttributesAndOthersUntouched) {
  std::string in =
      "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\",IV=0x1\n"
      "#EXT-X-PART:DURATION=0.5,URI=\"part.m4s\"\n"
      "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p?a=b\"\n"
      "#EXT-X-FOO:XURI=\"nope\"\n"
      "#EXT-X-MAP:URI=\"\"\n"
      "#EXT-X-BAD:URI=\"unterminated\n"
      "   \n"
      "  spaced.ts  \n";
  EXPECT_EQ(rewrite_playlist(in, "v", "T"),
            "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin?v=T\",IV=0x1\n"
            "#EXT-X-PART:DURATION=0.5,URI=\"part.m4s?v=T\"\n"
            "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p?a=b&v=T\"\n"
            "#EXT-X-FOO:XURI=\"nope\"\n"
            "#EXT-X-MAP:URI=\"\"\n"
            "#EXT-X-BAD:URI=\"unterminated\n"
            "   \n"
            "  spaced.ts?v=T  \n");
  EXPECT_EQ(rewrite_playlist("", "v", "T"), "");
  EXPECT_EQ(rewrite_playlist("\n\n", "v", "T"), "\n\n");
}

TEST(PressDevice, Ids) {
  EXPECT_TRUE(is_device_id("abcdEFGH"));
  EXPECT_TRUE(is_device_id(std::string(64, 'x')));
  EXPECT_TRUE(is_device_id("a-b_c-0123"));
  EXPECT_FALSE(is_device_id("abcdefg"));
  EXPECT_FALSE(is_device_id(std::string(65, 'x')));
  EXPECT_FALSE(is_device_id("abcd efgh"));
  EXPECT_FALSE(is_device_id("abcd.efgh"));
  EXPECT_FALSE(is_device_id("abcdefgh\n"));
  EXPECT_FALSE(is_device_id("åäöåäöåä"));
  EXPECT_FALSE(is_device_id(""));
}

TEST(PressDevice, DerivedFromAddressAndAgent) {
  std::string a = device_of("192.0.2.1", "Firefox");
  EXPECT_TRUE(std::regex_match(a, std::regex("h-[0-9a-f]{16}"))) << a;
  EXPECT_TRUE(is_device_id(a));
  EXPECT_EQ(a, device_of("192.0.2.1", "Firefox"));
  EXPECT_NE(a, device_of("192.0.2.2", "Firefox"));
  EXPECT_NE(a, device_of("192.0.2.1", "Chrome"));
  // The separator matters: ("a\nb", "") and ("a", "b\n")-style collisions are distinct inputs.
  EXPECT_NE(device_of("1", "2"), device_of("12", ""));
  // SHA-256("192.0.2.1\nFirefox"), the first 8 bytes.
  EXPECT_EQ(device_of("", ""), "h-01ba4719c80b6fe9");  // SHA-256("\n") = 01ba4719c80b6fe911b091a7c05124b6…
}

}  // namespace
}  // namespace samling::press

namespace samling::press {
namespace {

TEST(PressGrantKeys, ManyKeyringsAndThreads) {
  // More keys than the per-thread cache holds, verified from several threads at once: each
  // answer is the right one (a cache mix-up would accept a token under the wrong secret).
  std::vector<auth::keyring> rings;
  for (int i = 0; i < 40; ++i) rings.emplace_back(auth::signing_key{"k" + std::to_string(i), std::string(32, static_cast<char>('A' + i))});
  grant g = sample();
  std::vector<std::string> grants, viewers;
  for (auto& r : rings) {
    grants.push_back(sign_grant(g, r));
    viewers.push_back(sign_viewer(ticket(), r));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) {
    pool.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (std::size_t i = 0; i < rings.size(); ++i) {
          std::size_t j = (i + static_cast<std::size_t>(t + round)) % rings.size();
          if (!std::holds_alternative<grant>(verify_grant(grants[j], rings[j], 2000))) ++wrong;
          if (!std::holds_alternative<viewer_ticket>(verify_viewer(viewers[j], rings[j], 0))) ++wrong;
          // Same key id "k<j>" is in ring j only; ring (j+1) has another id: unknown key.
          std::size_t other = (j + 1) % rings.size();
          auto r = verify_grant(grants[j], rings[other], 2000);
          if (!std::holds_alternative<refusal>(r) || std::get<refusal>(r) != refusal::unknown_key) ++wrong;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(wrong.load(), 0);
  // A keyring with the same id and another secret is not fooled by what another cached.
  auth::keyring same_id({"k0", std::string(32, 'Z')});
  EXPECT_EQ(why(verify_grant(grants[0], same_id, 2000)), refusal::tampered);
  EXPECT_EQ(why(verify_viewer(viewers[0], same_id, 0)), refusal::tampered);
}

}  // namespace
}  // namespace samling::press
