// The HTTP surface of the real binary: health, readiness, metrics, the API with the demo,
// static files, errors for unknown routes and bad requests.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include <boost/json.hpp>

#include "harness.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

// Checks Prometheus text exposition format 0.0.4 line by line; returns the problems found.
std::vector<std::string> prometheus_problems(const std::string& text, std::set<std::string>& names) {
  std::vector<std::string> problems;
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$)");
  static const std::regex help(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  static const std::regex type(R"(^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$)");
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::smatch m;
    if (line.rfind("# HELP", 0) == 0) {
      if (!std::regex_match(line, help)) problems.push_back("line " + std::to_string(n) + ": " + line);
    } else if (line.rfind("# TYPE", 0) == 0) {
      if (!std::regex_match(line, type)) problems.push_back("line " + std::to_string(n) + ": " + line);
    } else if (std::regex_match(line, m, sample)) {
      names.insert(m[1]);
    } else {
      problems.push_back("line " + std::to_string(n) + ": " + line);
    }
  }
  if (text.empty() || text.back() != '\n') problems.push_back("exposition must end with a newline");
  return problems;
}

class http_api : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new server_process(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::uint16_t port() { return server_->port(); }
  static server_process* server_;
};
server_process* http_api::server_ = nullptr;

TEST_F(http_api, healthz_and_readyz_answer_200) {
  auto h = http_get(port(), "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(json::parse(h.body).at("status"), "ok");
  auto r = http_get(port(), "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("status"), "ready");
}

TEST_F(http_api, metrics_is_prometheus_text_and_counts_requests) {
  ASSERT_EQ(http_get(port(), "/healthz").status, 200);
  // A request is counted after its response is written: wait until the count shows.
  http_response m;
  ASSERT_TRUE(eventually([&] {
    m = http_get(port(), "/metrics");
    return metric_value(m.body, R"(samling_http_requests_total{route="healthz",method="GET",status="200"})") >= 1;
  }, 5s));
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  std::set<std::string> names;
  auto problems = prometheus_problems(m.body, names);
  EXPECT_TRUE(problems.empty()) << problems.front();
  for (auto want : {"samling_http_open_connections", "samling_http_requests_total",
                    "samling_http_request_duration_seconds_bucket",
                    "samling_http_request_duration_seconds_count", "process_resident_memory_bytes",
                    "process_cpu_seconds_total"})
    EXPECT_TRUE(names.count(want)) << want;
  EXPECT_GE(metric_value(m.body, R"(samling_http_requests_total{route="healthz",method="GET",status="200"})"), 1);
  EXPECT_GE(metric_value(m.body, "samling_http_open_connections"), 1);  // this request's own
}

TEST_F(http_api, events_api_returns_the_demo_event) {
  auto list = http_get(port(), "/api/v1/events");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.header("content-type"), "application/json");
  auto events = json::parse(list.body).at("events").as_array();
  ASSERT_EQ(events.size(), 1u);
  auto id = std::string(events[0].at("id").as_string());

  auto one = http_get(port(), "/api/v1/events/" + id);
  ASSERT_EQ(one.status, 200);
  auto e = json::parse(one.body).as_object();
  for (auto lang : {"sv", "en", "fi"}) EXPECT_FALSE(e.at("title").at(lang).as_string().empty());
  auto rooms = e.at("rooms").as_array();
  int seminars = 0, main = 0, press = 0;
  for (auto& r : rooms) {
    auto kind = r.at("kind").as_string();
    seminars += kind == "seminar";
    main += kind == "main_stage";
    press += kind == "press";
  }
  EXPECT_EQ(main, 1);
  EXPECT_EQ(seminars, 4);
  EXPECT_EQ(press, 1);
  // Four seminars run in parallel: the same start time in four different rooms.
  std::map<std::string, std::set<std::string>> rooms_by_slot;
  for (auto& s : e.at("sessions").as_array())
    if (s.at("kind") == "seminar")
      rooms_by_slot[std::string(s.at("day").as_string()) + " " + std::string(s.at("starts_at").as_string())]
          .insert(std::string(s.at("room_id").as_string()));
  std::size_t widest = 0;
  for (auto& [_, r] : rooms_by_slot) widest = std::max(widest, r.size());
  EXPECT_EQ(widest, 4u);
}

TEST_F(http_api, unknown_event_is_a_json_404) {
  auto r = http_get(port(), "/api/v1/events/no-such-event");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "not_found");
}

TEST_F(http_api, unknown_api_route_is_a_json_404_and_other_routes_a_page) {
  auto api = http_get(port(), "/api/v1/nothing-here");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.header("content-type"), "application/json");
  EXPECT_EQ(json::parse(api.body).at("error").at("code"), "not_found");

  auto page = http_get(port(), "/no/such/page");
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<html"), std::string::npos);
}

// Security headers: every answer is nosniff and keeps its URL (download links carry a token)
// to this site; pages get a Content-Security-Policy without inline script, framed only by this
// site; plain HTTP has no HSTS (tls_test checks it under TLS).
TEST_F(http_api, answers_carry_the_security_headers_and_pages_a_content_security_policy) {
  for (const char* target : {"/healthz", "/api/v1/events", "/api/v1/nothing-here", "/", "/no/such/page"}) {
    SCOPED_TRACE(target);
    auto r = http_get(port(), target);
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.header("referrer-policy"), "same-origin");
    EXPECT_EQ(r.header("strict-transport-security"), "");
    auto csp = r.header("content-security-policy");
    if (r.header("content-type").rfind("text/html", 0) != 0) {
      EXPECT_EQ(csp, "") << "a policy only where there is a page";
      continue;
    }
    if (csp.find("default-src 'none'") != std::string::npos) {
      // The server's own 404 / "not built" page: no script at all, only its inline style.
      EXPECT_EQ(csp.find("script-src"), std::string::npos) << csp;
      EXPECT_EQ(r.body.find("<script"), std::string::npos) << r.body;
      EXPECT_NE(csp.find("frame-ancestors 'self'"), std::string::npos) << csp;
      continue;
    }
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("object-src 'none'"), std::string::npos) << csp;
  }
}

TEST_F(http_api, wrong_method_is_405_with_allow) {
  auto r = http_request(port(), "POST", "/healthz", "x");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET");
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "method_not_allowed");
}

TEST_F(http_api, serves_the_web_app_with_types_and_cache_policy) {
  auto index = http_get(port(), "/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("cache-control"), "no-cache");
  EXPECT_NE(index.body.find("Samling test page"), std::string::npos);

  auto asset = http_get(port(), "/assets/app-1a2b3c4d.js");
  ASSERT_EQ(asset.status, 200);
  EXPECT_EQ(asset.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(asset.header("cache-control"), "public, max-age=31536000, immutable");
  ASSERT_FALSE(asset.header("etag").empty());

  auto again = http_get(port(), "/assets/app-1a2b3c4d.js", {{"If-None-Match", asset.header("etag")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  auto head = http_request(port(), "HEAD", "/assets/app-1a2b3c4d.js");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(asset.body.size()));
}

TEST_F(http_api, absolute_form_targets_are_routed_by_their_path) {
  auto r = http_get(port(), "http://127.0.0.1/healthz?x=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.header("date").empty());
}

TEST_F(http_api, an_unknown_method_is_501) {
  auto r = http_request(port(), "BREW", "/healthz");
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "not_implemented");
}

TEST_F(http_api, keep_alive_serves_several_requests_on_one_connection) {
  connection c(port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

// Requests sent back to back in one write: each gets its answer, in order, whether the
// session reads its head itself (a plain GET or HEAD) or hands it to Beast (a body).
TEST_F(http_api, pipelined_requests_are_answered_in_order) {
  connection c(port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                     "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                     "GET /api/v1/events/no-such-event HTTP/1.1\r\nHost: x\r\n\r\n"
                     "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /healthz?last=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int expected : {200, 405, 404}) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, expected);
  }
  auto head = c.read_response(10s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto last = c.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_FALSE(c.read_some(300ms).has_value()) << "nothing more: the HEAD carried no body";
}

// A head that arrives in pieces is read whole before it is answered.
TEST_F(http_api, a_head_split_across_packets_is_answered_once_complete) {
  connection c(port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("GET /heal"));
  EXPECT_FALSE(c.read_some(200ms).has_value());
  ASSERT_TRUE(c.send("thz HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_FALSE(c.read_some(200ms).has_value());
  ASSERT_TRUE(c.send("\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(http_api, connection_close_and_http_1_0_end_the_connection_after_the_answer) {
  for (std::string request : {"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                              "GET /healthz HTTP/1.0\r\n\r\n"}) {
    connection c(port());
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(request));
    auto r = c.read_response();
    ASSERT_TRUE(r) << request;
    EXPECT_EQ(r->status, 200) << request;
    EXPECT_TRUE(c.wait_closed(5s)) << request;
  }
  connection c(port());
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("connection"), "keep-alive");
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(c.read_response()) << "the HTTP/1.0 keep-alive connection stays open";
}

struct bad_request_case {
  const char* name;
  std::string bytes;
  int status;
  const char* code;
  bool closes = true;  // malformed HTTP closes the connection; a well-formed bad request need not
};

class bad_requests : public http_api, public ::testing::WithParamInterface<bad_request_case> {};

TEST_P(bad_requests, get_a_clear_error_and_the_server_keeps_serving) {
  auto& c = GetParam();
  connection conn(port());
  ASSERT_TRUE(conn.connected());
  conn.send(c.bytes);
  auto r = conn.read_response();
  ASSERT_TRUE(r) << c.name << ": no response";
  EXPECT_EQ(r->status, c.status) << c.name;
  EXPECT_EQ(json::parse(r->body).at("error").at("code"), c.code) << c.name;
  if (c.closes) {
    EXPECT_EQ(r->header("connection"), "close") << c.name;
  }
  EXPECT_EQ(http_get(port(), "/healthz").status, 200) << "server still serves after " << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    table, bad_requests,
    ::testing::Values(
        bad_request_case{"garbage", "GARBAGE\r\n\r\n", 400, "bad_request"},
        bad_request_case{"bad_version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"},
        bad_request_case{"bad_header", "GET / HTTP/1.1\r\nHo st: x\r\n\r\n", 400, "bad_request"},
        bad_request_case{"bad_content_length", "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "bad_request"},
        bad_request_case{"bad_percent_escape", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request", false},
        bad_request_case{"huge_header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n", 431, "header_too_large"},
        bad_request_case{"huge_body_declared", "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n", 413, "payload_too_large"},
        bad_request_case{"huge_body_chunked", "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n" + std::string(0x200000, 'b') + "\r\n0\r\n\r\n", 413, "payload_too_large"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
