// Connection limits from the config: request and idle timeouts, the connection cap.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <boost/json.hpp>

#include "harness.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

server_process::options with_limits(const std::string& limits) {
  server_process::options o;
  o.seed_demo = false;
  o.extra_toml = "[server.limits]\n" + limits;
  return o;
}

TEST(limits, a_request_that_is_not_finished_in_time_gets_408) {
  server_process server(with_limits("request_timeout_seconds = 1\n"));
  connection c(server.port());
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // headers never end
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(json::parse(r->body).at("error").at("code"), "request_timeout");
}

TEST(limits, an_idle_keep_alive_connection_is_closed_after_the_idle_timeout) {
  server_process server(with_limits("idle_timeout_seconds = 1\n"));
  connection c(server.port());
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.wait_closed(5s)) << "idle connection was not closed";
}

TEST(limits, a_client_that_stops_reading_a_response_is_cut_after_the_request_timeout) {
  // 48 MiB: far more than the loopback socket buffers of both ends hold, so the server's
  // write blocks on the client that does not read.
  constexpr std::size_t size = 48u << 20;
  temp_dir dir;
  std::filesystem::create_directories(dir.path() / "web");
  {
    std::ofstream f(dir.path() / "web" / "big.bin", std::ios::binary);
    std::string chunk(1u << 20, 'x');
    for (std::size_t i = 0; i < size / chunk.size(); ++i) f << chunk;
  }
  auto opt = with_limits("request_timeout_seconds = 1\n");
  opt.dir = &dir;
  server_process server(opt);
  connection c(server.port());
  ASSERT_TRUE(c.send("GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"));
  // The first bytes prove the response is under way (on a loaded machine the /metrics
  // connection below could otherwise be accepted, and counted alone, before this one).
  auto first = c.read_some(10s);
  ASSERT_TRUE(first && !first->empty()) << "the response did not start";
  // From here the client does not read. The server must close the stalled connection on its
  // own: wait until only the connection asking for /metrics is open.
  http_response m;
  EXPECT_TRUE(eventually([&] {
    m = http_get(server.port(), "/metrics");
    return metric_value(m.body, "samling_http_open_connections") == 1;
  }, 10s)) << "the stalled response is still open: " << m.body.substr(0, 400);
  auto got = *first + c.read_all(10s);  // what was buffered, then the close
  EXPECT_LT(got.size(), size) << "the whole response arrived: the stalled write was never cut";
  EXPECT_EQ(http_get(server.port(), "/healthz").status, 200);
}

TEST(limits, connections_over_the_cap_are_refused_with_503) {
  server_process server(with_limits("max_connections = 2\n"));
  auto a = std::make_unique<connection>(server.port());
  connection b(server.port());
  ASSERT_TRUE(a->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(a->read_response());
  ASSERT_TRUE(b.read_response());
  auto refused = http_get(server.port(), "/healthz");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(json::parse(refused.body).at("error").at("code"), "too_many_connections");
  a.reset();  // frees a slot: the refusal shows in /metrics
  http_response m;
  ASSERT_TRUE(eventually([&] {
    m = http_get(server.port(), "/metrics");
    return m.status == 200;
  }, 5s));
  // At least the one above (retries while the slot frees are refused and counted too).
  EXPECT_GE(metric_value(m.body, "samling_http_refused_connections_total"), 1);
}

TEST(limits, a_slot_frees_when_a_connection_closes) {
  server_process server(with_limits("max_connections = 1\n"));
  {
    auto first = http_get(server.port(), "/healthz");
    EXPECT_EQ(first.status, 200);
  }
  // The first connection closed: the next one is served, not refused.
  EXPECT_TRUE(eventually([&] { return http_get(server.port(), "/healthz").status == 200; }, 5s));
}

TEST(limits, body_limit_comes_from_the_config) {
  server_process server(with_limits("max_body_bytes = 10\n"));
  auto r = http_request(server.port(), "POST", "/api/v1/events", std::string(11, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "payload_too_large");
}

TEST(limits, header_limit_comes_from_the_config) {
  server_process server(with_limits("max_header_bytes = 1024\n"));
  auto ok = http_get(server.port(), "/healthz", {{"X-Pad", std::string(500, 'a')}});
  EXPECT_EQ(ok.status, 200);
  auto big = http_get(server.port(), "/healthz", {{"X-Pad", std::string(1500, 'a')}});
  EXPECT_EQ(big.status, 431);
}

}  // namespace
