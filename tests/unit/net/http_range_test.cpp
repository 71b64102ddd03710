#include "net/http_range.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

using namespace samling::net;
using kind = range_result::kind;

namespace {

// "partial first+count", "whole" or "416": one line per outcome, for readable failures.
std::string eval(std::string_view range, std::uint64_t size) {
  auto r = evaluate_range(range, size);
  switch (r.what) {
    case kind::whole: return "whole";
    case kind::unsatisfiable: return "416";
    case kind::partial: return "partial " + std::to_string(r.first) + "+" + std::to_string(r.count);
  }
  return "?";
}

// A file body of `size` bytes modified at `mtime` (no descriptor: apply_range never reads it).
response file_response(std::uint64_t size, std::time_t mtime) {
  auto f = std::make_shared<open_file>();
  f->size = size;
  f->mtime_ns = static_cast<std::int64_t>(mtime) * 1'000'000'000 + 123;
  response res;
  res.content_type = "video/mp2t";
  res.file_body = std::move(f);
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"a.ts\"");
  res.headers.emplace_back("Cache-Control", "private, no-store");
  return res;
}

std::string header(const response& res, std::string_view name) {
  for (auto& [k, v] : res.headers)
    if (k == name) return v;
  return "(none)";
}

constexpr std::time_t t0 = 1'800'000'000;  // 2027-01-15

}  // namespace

TEST(http_range, the_three_forms_of_a_byte_range) {
  EXPECT_EQ(eval("bytes=0-499", 1000), "partial 0+500");
  EXPECT_EQ(eval("bytes=500-999", 1000), "partial 500+500");
  EXPECT_EQ(eval("bytes=999-999", 1000), "partial 999+1");
  EXPECT_EQ(eval("bytes=500-", 1000), "partial 500+500");
  EXPECT_EQ(eval("bytes=0-", 1000), "partial 0+1000");
  EXPECT_EQ(eval("bytes=-100", 1000), "partial 900+100");
  // A last position past the end, or a suffix longer than the file, is cut to the file.
  EXPECT_EQ(eval("bytes=500-5000", 1000), "partial 500+500");
  EXPECT_EQ(eval("bytes=-5000", 1000), "partial 0+1000");
}

TEST(http_range, unit_and_whitespace_as_rfc_9110_allows) {
  EXPECT_EQ(eval("BYTES=0-9", 100), "partial 0+10");
  EXPECT_EQ(eval("bytes= 0-9 ", 100), "partial 0+10");
  EXPECT_EQ(eval("bytes=0-9,", 100), "partial 0+10");  // an empty list element
  EXPECT_EQ(eval("bytes=,\t0-9", 100), "partial 0+10");
}

TEST(http_range, past_the_end_is_unsatisfiable) {
  EXPECT_EQ(eval("bytes=1000-", 1000), "416");
  EXPECT_EQ(eval("bytes=1000-2000", 1000), "416");
  EXPECT_EQ(eval("bytes=-0", 1000), "416");
  // Too large for 64 bits: past the end, not a wrapped small number.
  EXPECT_EQ(eval("bytes=99999999999999999999999-", 1000), "416");
  EXPECT_EQ(eval("bytes=0-99999999999999999999999", 1000), "partial 0+1000");
  EXPECT_EQ(eval("bytes=-99999999999999999999999", 1000), "partial 0+1000");
}

TEST(http_range, malformed_values_are_ignored) {
  for (auto bad : {"", "bytes", "bytes=", "bytes=,", "bytes=-", "bytes=a-b", "bytes=5", "bytes=5-4",
                   "bytes=1-2-3", "bytes=+1-2", "bytes=0x10-", "bytes=1 -2", "bytes=--1", "items=0-9",
                   "bytes 0-9", "bytes=0-9;x", "bytes=0-9, 5-4"})
    EXPECT_EQ(eval(bad, 1000), "whole") << "Range: " << bad;
}

TEST(http_range, several_ranges_and_empty_files_get_the_whole_file) {
  EXPECT_EQ(eval("bytes=0-9,20-29", 1000), "whole");
  EXPECT_EQ(eval("bytes=0-9, -5", 1000), "whole");
  EXPECT_EQ(eval("bytes=2000-,3000-", 1000), "whole");
  EXPECT_EQ(eval("bytes=0-", 0), "whole");
  EXPECT_EQ(eval("bytes=-5", 0), "whole");
}

TEST(http_range, etag_and_dates) {
  open_file f;
  f.size = 500;
  f.mtime_ns = 0x1234;
  EXPECT_EQ(file_etag(f), "\"1f4-1234\"");
  EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  auto lm = format_http_date(t0);
  EXPECT_TRUE(if_range_matches("\"1f4-1234\"", "\"1f4-1234\"", lm, t0, t0 + 5));
  EXPECT_FALSE(if_range_matches("\"1f4-1235\"", "\"1f4-1234\"", lm, t0, t0 + 5));
  EXPECT_FALSE(if_range_matches("W/\"1f4-1234\"", "\"1f4-1234\"", lm, t0, t0 + 5));  // weak: never
  EXPECT_TRUE(if_range_matches(lm, "\"1f4-1234\"", lm, t0, t0 + 5));
  EXPECT_FALSE(if_range_matches(format_http_date(t0 - 1), "\"1f4-1234\"", lm, t0, t0 + 5));
  // Modified in the current second: the date may hide a second change, so it is not trusted.
  EXPECT_FALSE(if_range_matches(lm, "\"1f4-1234\"", lm, t0, t0));
  EXPECT_FALSE(if_range_matches("", "\"1f4-1234\"", lm, t0, t0 + 5));
}

TEST(http_range, a_plain_get_gets_the_whole_file_with_validators) {
  auto res = file_response(1000, t0);
  apply_range(res, "GET", "", "", t0 + 10);
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.body_size(), 1000u);
  EXPECT_EQ(header(res, "Accept-Ranges"), "bytes");
  EXPECT_EQ(header(res, "ETag"), file_etag(*res.file_body));
  EXPECT_EQ(header(res, "Last-Modified"), format_http_date(t0));
  EXPECT_EQ(header(res, "Content-Range"), "(none)");
}

TEST(http_range, a_range_becomes_a_206_of_the_slice) {
  auto res = file_response(1000, t0);
  apply_range(res, "GET", "bytes=100-199", "", t0 + 10);
  EXPECT_EQ(res.status, 206u);
  EXPECT_EQ(res.file_offset, 100u);
  EXPECT_EQ(res.body_size(), 100u);
  EXPECT_EQ(header(res, "Content-Range"), "bytes 100-199/1000");
  EXPECT_EQ(header(res, "Content-Disposition"), "attachment; filename=\"a.ts\"");
  EXPECT_EQ(res.content_type, "video/mp2t");

  auto tail = file_response(1000, t0);
  apply_range(tail, "GET", "bytes=-1", "", t0 + 10);
  EXPECT_EQ(tail.status, 206u);
  EXPECT_EQ(header(tail, "Content-Range"), "bytes 999-999/1000");
  EXPECT_EQ(tail.body_size(), 1u);
}

TEST(http_range, past_the_end_is_a_416_without_the_file) {
  auto res = file_response(1000, t0);
  apply_range(res, "GET", "bytes=1000-", "", t0 + 10);
  EXPECT_EQ(res.status, 416u);
  EXPECT_FALSE(res.file_body);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_NE(res.body.find("1000 bytes"), std::string::npos) << res.body;
  EXPECT_EQ(header(res, "Content-Range"), "bytes */1000");
  EXPECT_EQ(header(res, "Cache-Control"), "private, no-store");
  EXPECT_EQ(header(res, "Content-Disposition"), "(none)");
}

TEST(http_range, head_and_other_methods_ignore_range) {
  for (auto method : {"HEAD", "POST"}) {
    auto res = file_response(1000, t0);
    apply_range(res, method, "bytes=0-9", "", t0 + 10);
    EXPECT_EQ(res.status, 200u) << method;
    EXPECT_EQ(res.body_size(), 1000u) << method;
    EXPECT_EQ(header(res, "Accept-Ranges"), "bytes") << method;
  }
}

TEST(http_range, if_range_that_no_longer_matches_gets_the_whole_file) {
  auto res = file_response(1000, t0);
  auto etag = file_etag(*res.file_body);
  apply_range(res, "GET", "bytes=10-", etag, t0 + 10);
  EXPECT_EQ(res.status, 206u);

  auto changed = file_response(1000, t0);
  apply_range(changed, "GET", "bytes=10-", "\"3e8-0\"", t0 + 10);
  EXPECT_EQ(changed.status, 200u);
  EXPECT_EQ(changed.body_size(), 1000u);

  auto by_date = file_response(1000, t0);
  apply_range(by_date, "GET", "bytes=10-", format_http_date(t0), t0 + 10);
  EXPECT_EQ(by_date.status, 206u);
  auto old_date = file_response(1000, t0);
  apply_range(old_date, "GET", "bytes=10-", format_http_date(t0 - 60), t0 + 10);
  EXPECT_EQ(old_date.status, 200u);
}

TEST(http_range, only_file_bodies_with_status_200_are_touched) {
  response json = json_response("{}");
  apply_range(json, "GET", "bytes=0-0", "", t0);
  EXPECT_EQ(json.status, 200u);
  EXPECT_TRUE(json.headers.empty());
  auto missing = file_response(1000, t0);
  missing.status = 404;
  apply_range(missing, "GET", "bytes=0-0", "", t0);
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(header(missing, "Accept-Ranges"), "(none)");
  // A handler's own ETag is the one If-Range is compared with.
  auto own = file_response(1000, t0);
  own.headers.emplace_back("ETag", "\"mine\"");
  apply_range(own, "GET", "bytes=0-0", "\"mine\"", t0 + 10);
  EXPECT_EQ(own.status, 206u);
  int etags = 0;
  for (auto& [k, v] : own.headers) etags += k == "ETag";
  EXPECT_EQ(etags, 1);
}
