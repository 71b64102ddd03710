// Which pages may open the WebSocket (core/origin.hpp).
#include "core/origin.hpp"

#include <gtest/gtest.h>

using namespace samling::core;

TEST(origin, the_servers_own_pages_and_clients_without_an_origin_may) {
  EXPECT_TRUE(origin_allowed("", "stream.example.org", true, {})) << "an app or a script sends no Origin";
  EXPECT_TRUE(origin_allowed("https://stream.example.org", "stream.example.org", true, {}));
  EXPECT_TRUE(origin_allowed("HTTPS://Stream.Example.org", "stream.example.org", true, {})) << "case-insensitive";
  EXPECT_TRUE(origin_allowed("https://stream.example.org:443", "stream.example.org", true, {})) << "default port";
  EXPECT_TRUE(origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080", false, {}));
}

TEST(origin, another_site_may_not_unless_allowed) {
  EXPECT_FALSE(origin_allowed("https://evil.example", "stream.example.org", true, {}));
  EXPECT_FALSE(origin_allowed("http://stream.example.org", "stream.example.org", true, {})) << "the scheme counts";
  EXPECT_FALSE(origin_allowed("http://127.0.0.1:8081", "127.0.0.1:8080", false, {})) << "the port counts";
  EXPECT_FALSE(origin_allowed("null", "127.0.0.1:8080", false, {})) << "a sandboxed or file page";
  auto allowed = split_origins(" https://Partner.example , ,http://127.0.0.1:5173");
  ASSERT_EQ(allowed.size(), 2u);
  EXPECT_EQ(allowed[0], "https://partner.example");
  EXPECT_TRUE(origin_allowed("https://partner.example", "stream.example.org", true, allowed));
  EXPECT_TRUE(origin_allowed("http://127.0.0.1:5173", "127.0.0.1:8080", false, allowed));
  EXPECT_FALSE(origin_allowed("https://partner.example.evil", "stream.example.org", true, allowed));
}

TEST(origin, what_counts_as_an_origin) {
  for (const char* ok : {"https://a.example", "http://127.0.0.1:8080", "https://x-y.example:443"}) EXPECT_TRUE(valid_origin(ok)) << ok;
  for (const char* bad : {"a.example", "https://a.example/", "https://a.example/path", "ftp://a.example", "https://",
                          "https://a.example:", "https://a.example:123456", "https://a b.example"})
    EXPECT_FALSE(valid_origin(bad)) << bad;
}
