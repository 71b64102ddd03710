#include "net/http_head.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>

using namespace samling::net;
namespace http = boost::beast::http;

namespace {

constexpr std::size_t limit = 8192;

// What Beast's parser makes of the same bytes, in the reader's terms.
struct beast_view {
  bool ok = false;
  std::string method, target;
  unsigned version = 0;
  bool keep_alive = false;
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t used = 0;
};

beast_view beast_parse(const std::string& bytes, std::size_t header_limit = limit) {
  beast_view v;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(header_limit));
  parser.eager(true);
  boost::system::error_code ec;
  v.used = parser.put(boost::asio::buffer(bytes), ec);
  if (ec || !parser.is_done()) return v;
  auto& msg = parser.get();
  v.ok = true;
  v.method = std::string(msg.method_string());
  v.target = std::string(msg.target());
  v.version = msg.version();
  v.keep_alive = msg.keep_alive();
  for (auto& f : msg) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    v.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  return v;
}

}  // namespace

TEST(http_head, reads_a_players_segment_request) {
  std::string bytes =
      "GET /live/main/seg00012.ts?token=abc HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
      "User-Agent:  hls.js \t\r\nAccept: */*\r\n\r\n";
  request r;
  auto h = parse_simple_head(bytes, limit, r);
  ASSERT_EQ(h.length, bytes.size());
  EXPECT_FALSE(h.head_method);
  EXPECT_EQ(h.version, 11u);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/live/main/seg00012.ts?token=abc");
  EXPECT_EQ(r.path, "/live/main/seg00012.ts");
  EXPECT_EQ(r.query, "token=abc");
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"host", "127.0.0.1:8080"}));
  EXPECT_EQ(r.header("user-agent"), "hls.js");
  EXPECT_EQ(r.header("accept"), "*/*");
}

TEST(http_head, keep_alive_follows_the_version_and_connection_as_beast_does) {
  struct c {
    std::string head;
    bool keep_alive;
  } cases[] = {
      {"GET / HTTP/1.1\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nConnection: Keep-Alive\r\n\r\n", true},
      {"HEAD / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: CLOSE\r\n\r\n", false},
  };
  for (auto& [head, keep_alive] : cases) {
    request r;
    auto h = parse_simple_head(head, limit, r);
    ASSERT_EQ(h.length, head.size()) << head;
    EXPECT_EQ(h.keep_alive, keep_alive) << head;
    auto b = beast_parse(head);
    ASSERT_TRUE(b.ok) << head;
    EXPECT_EQ(b.keep_alive, keep_alive) << head;
    EXPECT_EQ(b.version, h.version) << head;
  }
}

TEST(http_head, agrees_with_beast_on_every_head_it_accepts) {
  std::vector<std::string> heads = {
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      "HEAD /api/v1/events?lang=sv&x=%20y HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"abc\"\r\n\r\n",
      "GET /api/v1/events/stockholm-2027/program HTTP/1.1\r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n",
      "GET /%C3%A5r HTTP/1.0\r\nConnection: keep-alive\r\nAccept-Language: sv-SE,fi;q=0.8\r\n\r\n",
      "GET /live/bench/index.m3u8 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=b; c=d\r\n\r\n",
  };
  for (auto& head : heads) {
    request r;
    auto h = parse_simple_head(head, limit, r);
    ASSERT_EQ(h.length, head.size()) << head;
    auto b = beast_parse(head);
    ASSERT_TRUE(b.ok) << head;
    EXPECT_EQ(b.used, h.length) << head;
    EXPECT_EQ(b.method, r.method) << head;
    EXPECT_EQ(b.target, r.target) << head;
    EXPECT_EQ(b.version, h.version) << head;
    EXPECT_EQ(b.keep_alive, h.keep_alive) << head;
    EXPECT_EQ(b.headers, r.headers) << head;
  }
}

TEST(http_head, declines_what_beast_must_read) {
  std::vector<std::string> heads = {
      "GET / HTTP/1.1\r\nHost: x\r\n",                                   // not complete yet
      "POST /api/v1/x HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",          // a body
      "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",                     // body framing
      "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",  // body framing
      "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      "GET / HTTP/1.1\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n",  // Beast reads the first
      "GET / HTTP/1.1\r\nX-Long: a\r\n b\r\n\r\n",                       // obs-fold
      "GET / HTTP/1.1\nHost: x\r\n\r\n",                                 // bare LF
      "GET http://example.org/ HTTP/1.1\r\n\r\n",                        // absolute form
      "GET * HTTP/1.1\r\n\r\n",
      "GET /\xc3\xa5 HTTP/1.1\r\n\r\n",                                  // raw non-ASCII target
      "GET / HTTP/1.1\r\nX-Name: \xc3\xa5\r\n\r\n",                      // obs-text value
      "GET / HTTP/1.1\r\nX-Nul: a\x01" "b\r\n\r\n",                      // control byte
      "GET / HTTP/2.0\r\n\r\n",
      "GET  / HTTP/1.1\r\n\r\n",
      "get / HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : x\r\n\r\n",                              // space before the colon
      "GET / HTTP/1.1\r\n: x\r\n\r\n",
      "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
  };
  for (auto& head : heads) {
    request r;
    EXPECT_EQ(parse_simple_head(head, limit, r).length, 0u) << head;
    EXPECT_TRUE(r.method.empty() && r.headers.empty()) << "nothing is filled in: " << head;
  }
}

TEST(http_head, a_head_longer_than_the_limit_is_left_to_beasts_431) {
  std::string head = "GET / HTTP/1.1\r\nX-Big: " + std::string(200, 'a') + "\r\n\r\n";
  request r;
  EXPECT_EQ(parse_simple_head(head, 100, r).length, 0u);
  EXPECT_FALSE(beast_parse(head, 100).ok);
  // The reader is the stricter: it counts the whole head against the limit, where Beast
  // counts the request line and the fields each on their own. So whatever it reads, Beast
  // would have read too; one byte over, it declines and Beast decides.
  EXPECT_EQ(parse_simple_head(head, head.size(), r).length, head.size());
  EXPECT_TRUE(beast_parse(head, head.size()).ok);
  request r2;
  EXPECT_EQ(parse_simple_head(head, head.size() - 1, r2).length, 0u);
}

TEST(http_head, reads_only_the_first_of_pipelined_requests) {
  std::string first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string bytes = first + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  request r;
  auto h = parse_simple_head(bytes, limit, r);
  EXPECT_EQ(h.length, first.size());
  EXPECT_EQ(r.path, "/a");
}

TEST(http_head, a_path_that_does_not_decode_is_left_empty_for_the_400) {
  request r;
  std::string head = "GET /a%2fb HTTP/1.1\r\n\r\n";
  ASSERT_EQ(parse_simple_head(head, limit, r).length, head.size());
  EXPECT_EQ(r.target, "/a%2fb");
  EXPECT_EQ(r.path, "");
}
