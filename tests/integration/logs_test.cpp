// Structured logs: one access-log record per request; JSON lines when configured.
#include <gtest/gtest.h>

#include <signal.h>

#include <sstream>

#include <boost/json.hpp>

#include "harness.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

std::vector<json::object> records(const std::string& text) {
  std::vector<json::object> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    EXPECT_FALSE(ec) << "not a JSON line: " << line;
    if (!ec && v.is_object()) out.push_back(v.as_object());
  }
  return out;
}

TEST(logs, json_format_writes_one_parseable_record_per_request) {
  server_process::options o;
  o.seed_demo = false;
  o.extra_toml = "[log]\nformat = \"json\"\naccess_log = true\n";
  server_process server(o);
  ASSERT_EQ(http_get(server.port(), "/healthz").status, 200);
  ASSERT_EQ(http_get(server.port(), "/api/v1/missing").status, 404);
  // Bad input is logged too, with untrusted text escaped.
  connection c(server.port());
  c.send("GET /\"\x01 HTTP/1.1\r\n\r\n");
  c.read_all(2s);

  std::vector<json::object> requests;
  ASSERT_TRUE(eventually([&] {
    requests.clear();
    for (auto& r : records(server.stderr_text()))
      if (r.at("event") == "http_request") requests.push_back(r);
    return requests.size() >= 3;
  }, 5s)) << server.stderr_text();
  // A request is logged after its response is written, so lines of requests on different
  // connections may come in either order: find each by its target.
  auto by_target = [&](std::string_view target) -> const json::object* {
    for (auto& r : requests)
      if (r.at("target").as_string() == target) return &r;
    return nullptr;
  };
  auto* health = by_target("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->at("status").as_int64(), 200);
  EXPECT_EQ(health->at("route"), "healthz");
  EXPECT_TRUE(health->contains("ms"));
  auto* missing = by_target("/api/v1/missing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->at("status").as_int64(), 404);
  int bad = 0;
  for (auto& r : requests) bad += r.at("status").as_int64() == 400;
  EXPECT_EQ(bad, 1);
}

TEST(logs, access_log_can_be_turned_off) {
  server_process::options o;
  o.seed_demo = false;
  o.extra_toml = "[log]\naccess_log = false\n";
  server_process server(o);
  ASSERT_EQ(http_get(server.port(), "/healthz").status, 200);
  server.signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(5s), 0);
  EXPECT_EQ(server.stderr_text().find("http_request "), std::string::npos);
}

}  // namespace
