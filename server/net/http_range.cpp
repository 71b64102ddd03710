#include "net/http_range.hpp"

#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace samling::net {

namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// 1*DIGIT, saturating at the largest 64-bit value (a position that far is past any file);
// nullopt when empty or not all digits.
std::optional<std::uint64_t> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
  }
  return v;
}

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

range_result evaluate_range(std::string_view range, std::uint64_t size) {
  range_result whole;
  auto eq = range.find('=');
  if (eq == std::string_view::npos || !iequals(trim(range.substr(0, eq)), "bytes")) return whole;
  // range-set = 1#range-spec; empty list elements are allowed (RFC 9110 5.6.1).
  std::vector<std::string_view> specs;
  for (auto rest = range.substr(eq + 1);;) {
    auto comma = rest.find(',');
    auto spec = trim(rest.substr(0, comma));
    if (!spec.empty()) specs.push_back(spec);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (specs.empty()) return whole;
  // Every spec must be valid, or the whole header is ignored.
  struct spec_value {
    bool suffix = false;
    std::uint64_t first = 0, last = UINT64_MAX;  // int-range (last absent = to the end)
    std::uint64_t suffix_length = 0;
  };
  spec_value one;
  for (auto spec : specs) {
    auto dash = spec.find('-');
    if (dash == std::string_view::npos) return whole;
    spec_value v;
    if (dash == 0) {
      auto n = digits(spec.substr(1));
      if (!n) return whole;
      v.suffix = true;
      v.suffix_length = *n;
    } else {
      auto first = digits(spec.substr(0, dash));
      if (!first) return whole;
      v.first = *first;
      if (dash + 1 < spec.size()) {
        auto last = digits(spec.substr(dash + 1));
        if (!last || *last < *first) return whole;  // an invalid range-spec (RFC 9110 14.1.1)
        v.last = *last;
      }
    }
    one = v;
  }
  // Several ranges: the whole file (see the header). An empty file has no byte to point at.
  if (specs.size() > 1 || size == 0) return whole;
  range_result r;
  if (one.suffix) {
    if (one.suffix_length == 0) {
      r.what = range_result::kind::unsatisfiable;
      return r;
    }
    // "bytes=-n": the last n bytes, or all of a shorter file.
    auto n = one.suffix_length < size ? one.suffix_length : size;
    r.what = range_result::kind::partial;
    r.first = size - n;
    r.count = n;
    return r;
  }
  if (one.first >= size) {
    r.what = range_result::kind::unsatisfiable;
    return r;
  }
  auto last = one.last < size - 1 ? one.last : size - 1;
  r.what = range_result::kind::partial;
  r.first = one.first;
  r.count = last - one.first + 1;
  return r;
}

std::string format_http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  auto len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, len);
}

std::string file_etag(const open_file& f) {
  char size[24], mtime[24];
  auto size_end = std::to_chars(size, size + sizeof size, f.size, 16).ptr;
  auto mtime_end = std::to_chars(mtime, mtime + sizeof mtime, static_cast<std::uint64_t>(f.mtime_ns), 16).ptr;
  std::string out = "\"";
  out.append(size, size_end);
  out += '-';
  out.append(mtime, mtime_end);
  out += '"';
  return out;
}

bool if_range_matches(std::string_view if_range, std::string_view etag, std::string_view last_modified,
                      std::time_t mtime, std::time_t now) {
  if_range = trim(if_range);
  if (if_range.empty()) return false;
  // An entity-tag starts with DQUOTE, or W/ for a weak one (which If-Range never accepts).
  if (if_range.front() == '"' || if_range.starts_with("W/")) return !etag.empty() && if_range == etag;
  return !last_modified.empty() && if_range == last_modified && mtime < now;
}

void apply_range(response& res, std::string_view method, std::string_view range, std::string_view if_range,
                 std::time_t now) {
  if (!res.file_body || res.status != 200) return;
  const auto& f = *res.file_body;
  auto mtime = static_cast<std::time_t>(f.mtime_ns / 1'000'000'000);
  res.headers.emplace_back("Accept-Ranges", "bytes");
  std::string etag, last_modified;
  for (auto& [k, v] : res.headers) {
    if (iequals(k, "etag")) etag = v;
    if (iequals(k, "last-modified")) last_modified = v;
  }
  if (etag.empty()) res.headers.emplace_back("ETag", etag = file_etag(f));
  if (last_modified.empty()) res.headers.emplace_back("Last-Modified", last_modified = format_http_date(mtime));
  if (method != "GET" || range.empty()) return;
  // A resumed download whose file changed since gets the new file whole, not a mixed one.
  if (!if_range.empty() && !if_range_matches(if_range, etag, last_modified, mtime, now)) return;
  auto r = evaluate_range(range, f.size);
  if (r.what == range_result::kind::whole) return;
  if (r.what == range_result::kind::partial) {
    res.status = 206;
    res.file_offset = r.first;
    res.file_count = r.count;
    std::string value = "bytes ";
    append_number(value, r.first);
    value += '-';
    append_number(value, r.first + r.count - 1);
    value += '/';
    append_number(value, f.size);
    res.headers.emplace_back("Content-Range", std::move(value));
    return;
  }
  // 416: the error replaces the file; only the cache policy and the validators stay (not, say,
  // Content-Disposition, which would make a browser save the error as the file).
  auto size = f.size;
  auto err = json_error(core::errc::bad_request,
                        "The range starts past the end of the file (" + std::to_string(size) + " bytes).");
  err.status = 416;
  for (auto& [k, v] : res.headers)
    if (iequals(k, "cache-control") || iequals(k, "etag") || iequals(k, "last-modified") ||
        iequals(k, "accept-ranges"))
      err.headers.emplace_back(k, v);
  std::string value = "bytes */";
  append_number(value, size);
  err.headers.emplace_back("Content-Range", std::move(value));
  res = std::move(err);
}

}  // namespace samling::net
