#pragma once
// HTTP routing without Beast: the request and response values handlers see, and a table of
// (method, pattern) -> handler. Patterns are literal segments and `{name}` parameters:
// "/api/v1/events/{id}". Handlers are coroutines; the session runs them on its strand.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/errors.hpp"

namespace samling::net {

struct request {
  std::string method;  // "GET", "POST", … ("HEAD" is routed as GET)
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path, no query
  std::string query;   // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote;  // peer address
  std::map<std::string, std::string> params;  // from `{name}` segments

  // The first header with this (lower-case) name, or empty.
  std::string_view header(std::string_view lower_name) const;
};

// An open, immutable file whose bytes are the body: on plain TCP the session hands it to the
// kernel with sendfile(2) (no copy through user space); under TLS it is read and encrypted in
// bounded chunks. `size` is taken when it is opened: a file still growing (the recording being
// written) is served as it was then, so Content-Length always matches what is sent.
struct open_file {
  int fd = -1;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;  // modification time at open, for ETag and Last-Modified
  open_file() = default;
  open_file(const open_file&) = delete;
  open_file& operator=(const open_file&) = delete;
  ~open_file();
  // Opens `path` read-only; nullptr if it cannot be opened or is not a regular file.
  static std::shared_ptr<const open_file> open(const std::string& path);
};

struct response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // A shared immutable body (static files), used instead of `body` when set.
  std::shared_ptr<const std::string> shared_body;
  // A file body (HLS segments, recordings), used instead of both when set.
  std::shared_ptr<const open_file> file_body;
  // The part of file_body that is sent: the whole file unless a range request (apply_range in
  // net/http_range.hpp) asked for a slice.
  std::uint64_t file_offset = 0;
  std::uint64_t file_count = UINT64_MAX;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string_view body_view() const { return shared_body ? *shared_body : std::string_view(body); }
  std::uint64_t body_size() const {
    if (!file_body) return body_view().size();
    auto offset = file_offset < file_body->size ? file_offset : file_body->size;
    auto rest = file_body->size - offset;
    return file_count < rest ? file_count : rest;
  }
};

// {"error":{"code":"not_found","message":"…"}} with the error's HTTP status.
response json_error(core::errc e, std::string_view message = {});
// A JSON body with status 200.
response json_response(std::string body, unsigned status = 200);
// `r` with "Cache-Control: no-store": personal or moderation data, never kept by a cache.
response no_store(response r);

using handler = std::function<boost::asio::awaitable<response>(request)>;
// A route's optional fast path: answers at once, without suspending, when it can (say, from a
// cache); nullopt hands the request to the route's handler.
using immediate_handler = std::function<std::optional<response>(const request&)>;

// The value of the first `name=value` parameter of a raw query string, as sent (no
// percent-decoding: ids, tokens and keywords need none); "" when there is none. A bare `name`
// without `=` is not a value.
std::string query_param(std::string_view query, std::string_view name);

// The request target for logs: the value of a `token` query parameter (download links carry
// the bearer token there), of `grant` (a press link) and of `v` (a segment's viewer token)
// replaced by "REDACTED".
std::string redact_target(std::string_view target);

class router {
 public:
  // `name` labels the route in metrics and logs (bounded cardinality: one per route, not per URL).
  void add(std::string method, std::string pattern, std::string name, handler h,
           immediate_handler now = {});

  struct match_result {
    const handler* fn = nullptr;         // set when method and path match
    const immediate_handler* now = nullptr;  // the route's fast path, if it has one
    std::string_view name;               // the matched route's name
    bool path_matched = false;           // path matched but not the method (-> 405)
    std::string allowed;                 // methods allowed for the path, for the Allow header
    std::map<std::string, std::string> params;
  };
  match_result match(std::string_view method, std::string_view path) const;

 private:
  struct route {
    std::string method;
    std::vector<std::string> segments;
    std::string name;
    handler fn;
    immediate_handler now;
  };
  std::vector<route> routes_;
};

// Percent-decodes a URL path; nullopt for invalid escapes or an encoded NUL or '/'.
std::optional<std::string> decode_path(std::string_view raw);

}  // namespace samling::net
