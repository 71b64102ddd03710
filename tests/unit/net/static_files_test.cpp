#include "net/static_files.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

#include <filesystem>

using namespace samling::net;
namespace fs = std::filesystem;

namespace {
// A built web app in miniature: an index page and one hashed asset.
struct web_dir : samling::testing::temp_dir {
  web_dir() {
    write("index.html", "<!doctype html>");
    write("assets/index-ab12.js", "x()");
  }
  fs::path root = path();
};
}  // namespace

TEST(static_files, content_types) {
  EXPECT_EQ(static_files::content_type_for("/a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(static_files::content_type_for("/a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(static_files::content_type_for("/a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(static_files::content_type_for("/a.svg"), "image/svg+xml");
  EXPECT_EQ(static_files::content_type_for("/a.unknown"), "application/octet-stream");
}

TEST(static_files, serves_from_memory_with_cache_policy_and_etag) {
  web_dir d;
  auto files = static_files::load(d.root.string());
  EXPECT_EQ(files.size(), 2u);
  auto* index = files.find("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->cache_control, "no-cache");
  auto* js = files.find("/assets/index-ab12.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->cache_control, "public, max-age=31536000, immutable");
  auto full = files.serve(*js, "");
  EXPECT_EQ(full.status, 200u);
  EXPECT_EQ(full.body_view(), "x()");
  EXPECT_EQ(files.serve(*js, js->etag).status, 304u);
  EXPECT_FALSE(files.find("/../etc/passwd"));
  EXPECT_FALSE(files.find("/missing.js"));
}

TEST(static_files, a_missing_root_is_empty_not_an_error) {
  auto files = static_files::load("/nonexistent/web/dist");
  EXPECT_TRUE(files.empty());
}

TEST(static_files, if_none_match_handles_lists_weak_tags_and_star) {
  EXPECT_TRUE(static_files::etag_matches("\"a\"", "\"a\""));
  EXPECT_TRUE(static_files::etag_matches("\"x\", \"a\"", "\"a\""));
  EXPECT_TRUE(static_files::etag_matches("W/\"a\"", "\"a\""));
  EXPECT_TRUE(static_files::etag_matches("*", "\"a\""));
  EXPECT_FALSE(static_files::etag_matches("", "\"a\""));
  EXPECT_FALSE(static_files::etag_matches("\"b\"", "\"a\""));
  EXPECT_FALSE(static_files::etag_matches("\"ab\"", "\"a\""));
}
