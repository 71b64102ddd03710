#include "net/router.hpp"

#include <gtest/gtest.h>

using namespace samling::net;

namespace {
boost::asio::awaitable<response> ok(request) { co_return json_response("{}"); }
}  // namespace

TEST(router, matches_literals_and_parameters) {
  router r;
  r.add("GET", "/api/v1/events", "events", ok);
  r.add("GET", "/api/v1/events/{id}", "event", ok);
  auto m = r.match("GET", "/api/v1/events/stockholm-2027");
  ASSERT_TRUE(m.fn);
  EXPECT_EQ(m.name, "event");
  EXPECT_EQ(m.params.at("id"), "stockholm-2027");
  EXPECT_EQ(r.match("GET", "/api/v1/events").name, "events");
  EXPECT_FALSE(r.match("GET", "/api/v1/events/a/b").fn);
  EXPECT_FALSE(r.match("GET", "/api/v1").fn);
}

TEST(router, head_is_routed_as_get_and_other_methods_get_405_data) {
  router r;
  r.add("GET", "/healthz", "healthz", ok);
  EXPECT_TRUE(r.match("HEAD", "/healthz").fn);
  auto m = r.match("POST", "/healthz");
  EXPECT_FALSE(m.fn);
  EXPECT_TRUE(m.path_matched);
  EXPECT_EQ(m.allowed, "GET");
}

TEST(router, decode_path_rejects_bad_escapes_nul_and_encoded_slash) {
  EXPECT_EQ(decode_path("/a%20b"), "/a b");
  EXPECT_EQ(decode_path("/%C3%A5"), "/\xC3\xA5");
  EXPECT_FALSE(decode_path("/%zz"));
  EXPECT_FALSE(decode_path("/%2"));
  EXPECT_FALSE(decode_path("/%"));
  EXPECT_FALSE(decode_path("/%00"));
  EXPECT_FALSE(decode_path("/a%2Fb"));
}

TEST(router, json_error_carries_code_message_and_status) {
  auto r = json_error(samling::core::errc::not_found, "No event.");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, R"({"error":{"code":"not_found","message":"No event."}})");
}
