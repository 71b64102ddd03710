// What a request gets when no route's handler answers it (server/net/http_fallback.hpp).
#include "net/http_fallback.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

using namespace samling::net;

namespace {

request get(std::string path, std::string method = "GET") {
  request r;
  r.method = std::move(method);
  r.target = r.path = std::move(path);
  return r;
}

struct fallback : ::testing::Test {
  samling::testing::temp_dir web;
  static_files files;
  static_files none;
  router routes;
  std::string route;

  void SetUp() override {
    web.write("index.html", "<!doctype html><p>app</p>");
    files = static_files::load(web.path().string());
    routes.add("POST", "/api/v1/things", "things", [](request) -> boost::asio::awaitable<response> {
      co_return json_response("{}");
    });
  }
  response answer(const request& r, const static_files& f) {
    auto m = r.path.starts_with("/") ? routes.match(r.method, r.path) : router::match_result{};
    return fallback_response(r, m, f, route);
  }
};

TEST_F(fallback, a_path_that_is_not_a_url_path_is_a_bad_request) {
  auto res = answer(get("*"), files);
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(route, "bad_path");
  EXPECT_EQ(answer(get(""), files).status, 400u);
}

TEST_F(fallback, the_wrong_method_gets_405_with_allow) {
  auto res = answer(get("/api/v1/things"), files);
  EXPECT_EQ(res.status, 405u);
  EXPECT_EQ(route, "method_not_allowed");
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].first, "Allow");
  EXPECT_EQ(res.headers[0].second, "POST");
}

TEST_F(fallback, an_unknown_api_route_is_a_json_404) {
  for (auto path : {"/api", "/api/v1/nothing"}) {
    auto res = answer(get(path), files);
    EXPECT_EQ(res.status, 404u) << path;
    EXPECT_EQ(res.content_type, "application/json") << path;
    EXPECT_NE(res.body.find("No API route GET " + std::string(path)), std::string::npos) << res.body;
    EXPECT_EQ(route, "api_not_found");
  }
}

TEST_F(fallback, the_web_app_is_served_with_revalidation) {
  auto res = answer(get("/"), files);
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(route, "static");
  EXPECT_EQ(res.body_view(), "<!doctype html><p>app</p>");
  std::string etag;
  for (auto& [k, v] : res.headers)
    if (k == "ETag") etag = v;
  ASSERT_FALSE(etag.empty());
  auto again = get("/", "HEAD");
  again.headers.emplace_back("if-none-match", etag);
  EXPECT_EQ(answer(again, files).status, 304u);
}

TEST_F(fallback, without_a_built_web_app_the_root_says_so) {
  auto res = answer(get("/"), none);
  EXPECT_EQ(res.status, 503u);
  EXPECT_EQ(route, "static");
  EXPECT_NE(res.body.find("npm run build"), std::string::npos);
}

TEST_F(fallback, anything_else_gets_the_404_page_that_runs_no_script) {
  for (auto r : {get("/nothing"), get("/index.html", "POST"), get("/nothing", "HEAD")}) {
    auto res = answer(r, files);
    EXPECT_EQ(res.status, 404u) << r.method << " " << r.path;
    EXPECT_EQ(route, "not_found");
    EXPECT_EQ(res.content_type, "text/html; charset=utf-8");
    EXPECT_NE(res.body.find("This page does not exist."), std::string::npos);
    ASSERT_EQ(res.headers.size(), 1u);
    EXPECT_EQ(res.headers[0].first, "Content-Security-Policy");
    EXPECT_TRUE(res.headers[0].second.starts_with("default-src 'none'"));
  }
}

}  // namespace
