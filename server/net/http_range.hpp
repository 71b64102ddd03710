#pragma once
// Range requests (RFC 9110 14) for file bodies: a player seeking in a segment, a download
// manager resuming a recording after a cut connection. The session applies them to every
// response with a file body, so a handler only opens the file. One range per request: a
// request for several is answered with the whole file (200), which the RFC allows and which
// spares us multipart/byteranges; no client we serve asks for several.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "net/router.hpp"

namespace samling::net {

// What a Range header asks of a representation of `size` bytes.
struct range_result {
  enum class kind {
    whole,          // no usable Range: absent, not bytes, malformed, several ranges, or an empty file
    partial,        // one satisfiable range: 206 with bytes [first, first + count)
    unsatisfiable,  // one range that starts at or after the end: 416
  } what = kind::whole;
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};

// Evaluates a Range field value ("bytes=0-499", "bytes=500-", "bytes=-500"). A malformed
// value is ignored (whole), as RFC 9110 14.2 says; numbers too large for 64 bits saturate, so
// they read as "past the end".
range_result evaluate_range(std::string_view range, std::uint64_t size);

// "Sun, 06 Nov 1994 08:49:37 GMT" (the IMF-fixdate of RFC 9110 5.6.7).
std::string format_http_date(std::time_t t);

// The strong validator of a file body, from its size and modification time: `"1f4-17e2c..."`.
std::string file_etag(const open_file& f);

// Whether an If-Range value still names the file: an entity-tag that equals `etag` (strong
// comparison, so a weak tag never matches), or a date that equals `last_modified` and lies at
// least a second before `now` (only then is a date a strong validator, RFC 9110 13.1.5).
bool if_range_matches(std::string_view if_range, std::string_view etag, std::string_view last_modified,
                      std::time_t mtime, std::time_t now);

// Range handling for a 200 response with a file body (anything else is left as it is): adds
// Accept-Ranges, and ETag and Last-Modified unless the handler set them; for a GET with a Range
// (and an If-Range that matches, when there is one) turns it into a 206 of the slice or a 416
// with `Content-Range: bytes */size`. HEAD and other methods ignore Range (RFC 9110 14.2).
void apply_range(response& res, std::string_view method, std::string_view range, std::string_view if_range,
                 std::time_t now);

}  // namespace samling::net
