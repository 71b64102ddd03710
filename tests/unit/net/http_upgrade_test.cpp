// The WebSocket opening handshake's checks (server/net/http_upgrade.hpp): the accept key of
// RFC 6455 and the refusals docs/protocol.md ("Connection") promises, in their order.
#include "net/http_upgrade.hpp"

#include <gtest/gtest.h>

using namespace samling::net;

namespace {

// A browser's handshake from the server's own page, as the session hands it over.
request handshake() {
  request r;
  r.method = "GET";
  r.target = r.path = "/ws";
  r.headers = {{"host", "chat.example.org"},
               {"upgrade", "websocket"},
               {"connection", "Upgrade"},
               {"sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="},
               {"sec-websocket-version", "13"},
               {"sec-websocket-protocol", "chat, samling.v1"},
               {"origin", "https://chat.example.org"}};
  return r;
}

void set(request& r, std::string_view name, std::string value) {
  for (auto& [k, v] : r.headers)
    if (k == name) {
      v = std::move(value);
      return;
    }
  r.headers.emplace_back(std::string(name), std::move(value));
}

std::string code_of(const upgrade_decision& d) {
  if (!d.refusal) return "accepted";
  auto at = d.refusal->body.find("\"code\":\"");
  return d.refusal->body.substr(at + 8, d.refusal->body.find('"', at + 8) - at - 8);
}

TEST(http_upgrade, the_accept_key_is_the_one_from_rfc_6455) {
  // RFC 6455 section 1.3's example.
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_FALSE(ws_accept_key(""));
  EXPECT_FALSE(ws_accept_key("short=="));
  EXPECT_FALSE(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ!="));
}

TEST(http_upgrade, a_handshake_from_the_servers_own_page_is_accepted) {
  auto d = decide_upgrade(handshake(), true, false, {});
  EXPECT_FALSE(d.refusal);
  EXPECT_EQ(d.accept_key, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(http_upgrade, clients_without_an_origin_are_not_browsers_and_are_accepted) {
  auto r = handshake();
  std::erase_if(r.headers, [](auto& h) { return h.first == "origin"; });
  EXPECT_EQ(code_of(decide_upgrade(r, false, false, {})), "accepted");
}

TEST(http_upgrade, only_version_13_is_spoken_and_the_refusal_says_so) {
  auto r = handshake();
  set(r, "sec-websocket-version", "8");
  auto d = decide_upgrade(r, true, false, {});
  ASSERT_TRUE(d.refusal);
  EXPECT_EQ(d.refusal->status, 400u);
  ASSERT_EQ(d.refusal->headers.size(), 1u);
  EXPECT_EQ(d.refusal->headers[0].first, "Sec-WebSocket-Version");
  EXPECT_EQ(d.refusal->headers[0].second, "13");
}

TEST(http_upgrade, a_key_that_is_not_16_bytes_in_base64_is_refused) {
  auto r = handshake();
  set(r, "sec-websocket-key", "not a key");
  auto d = decide_upgrade(r, true, false, {});
  EXPECT_EQ(code_of(d), "bad_request");
  EXPECT_NE(d.refusal->body.find("Sec-WebSocket-Key"), std::string::npos);
}

TEST(http_upgrade, the_samling_v1_subprotocol_must_be_offered) {
  auto r = handshake();
  for (auto offer : {"samling.v1", " samling.v1 ", "a,samling.v1", "samling.v1 , b"}) {
    set(r, "sec-websocket-protocol", offer);
    EXPECT_EQ(code_of(decide_upgrade(r, true, false, {})), "accepted") << offer;
  }
  for (auto offer : {"", "chat", "samling.v2", "samling.v1x", "xsamling.v1"}) {
    set(r, "sec-websocket-protocol", offer);
    EXPECT_EQ(code_of(decide_upgrade(r, true, false, {})), "bad_request") << offer;
  }
}

TEST(http_upgrade, pages_of_other_sites_are_refused_unless_allowed) {
  auto r = handshake();
  set(r, "origin", "https://evil.example.com");
  auto d = decide_upgrade(r, true, false, {});
  ASSERT_TRUE(d.refusal);
  EXPECT_EQ(d.refusal->status, 403u);
  EXPECT_EQ(code_of(d), "forbidden");
  EXPECT_EQ(code_of(decide_upgrade(r, true, false, {"https://evil.example.com"})), "accepted");
  // The server's own page, but over the other scheme: another origin.
  EXPECT_EQ(code_of(decide_upgrade(handshake(), false, false, {})), "forbidden");
}

TEST(http_upgrade, a_stopping_server_takes_no_new_websocket) {
  auto d = decide_upgrade(handshake(), true, true, {});
  ASSERT_TRUE(d.refusal);
  EXPECT_EQ(d.refusal->status, 503u);
  EXPECT_EQ(code_of(d), "unavailable");
  // A bad handshake is told what is wrong with it first.
  auto r = handshake();
  set(r, "sec-websocket-version", "12");
  EXPECT_EQ(code_of(decide_upgrade(r, true, true, {})), "bad_request");
}

}  // namespace
