// The plain request head reader (server/net/http_head.cpp) on arbitrary bytes. Beyond memory
// safety it checks the reader's promise: whatever it accepts, Beast's parser reads the same way
// (length, method, target, version, keep-alive, fields), since the session answers such a
// request without ever showing it to Beast. Seeds: tests/fuzz/corpus/http_head/.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>

#include "fuzz_check.hpp"
#include "net/http_head.hpp"

namespace http = boost::beast::http;
using samling::net::request;

namespace {

// server.limits.max_header_bytes' default (docs/configuration.md).
constexpr std::size_t limit = 16384;

void agrees_with_beast(std::string_view in, const samling::net::simple_head& h, const request& r) {
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limit));
  parser.eager(true);
  boost::system::error_code ec;
  // Only the head: what follows it belongs to the next request.
  std::size_t used = parser.put(boost::asio::buffer(in.data(), h.length), ec);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(parser.is_done());
  FUZZ_CHECK(used == h.length);
  const auto& m = parser.get();
  FUZZ_CHECK(m.method_string() == r.method);
  FUZZ_CHECK(m.target() == r.target);
  FUZZ_CHECK(m.version() == h.version);
  FUZZ_CHECK(m.keep_alive() == h.keep_alive);
  // The same fields with the same values. Beast files a repeated name after the last field of
  // that name (fields::insert), the reader keeps arrival order: only the order among fields of
  // one name means anything (header() takes the first), so compare in name order, stably.
  std::vector<std::pair<std::string, std::string>> beast_fields;
  for (const auto& f : m) {
    std::string name(f.name_string());
    for (auto& c : name)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    beast_fields.emplace_back(std::move(name), std::string(f.value()));
  }
  auto ours = r.headers;
  auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::stable_sort(beast_fields.begin(), beast_fields.end(), by_name);
  std::stable_sort(ours.begin(), ours.end(), by_name);
  FUZZ_CHECK(beast_fields == ours);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  request r;
  auto h = samling::net::parse_simple_head(in, limit, r);
  if (h.length == 0) {
    // Declined: nothing may be filled in, the session hands the same bytes to Beast.
    FUZZ_CHECK(r.method.empty() && r.target.empty() && r.headers.empty());
  } else {
    FUZZ_CHECK(h.length <= size && h.length <= limit);
    FUZZ_CHECK(in.substr(0, h.length).ends_with("\r\n\r\n"));
    FUZZ_CHECK(r.method == (h.head_method ? "HEAD" : "GET"));
    FUZZ_CHECK(h.version == 10 || h.version == 11);
    agrees_with_beast(in, h, r);
    // The limit counts the whole head: exactly its length still reads, one byte less declines.
    request again;
    FUZZ_CHECK(samling::net::parse_simple_head(in, h.length, again).length == h.length);
    request shorter;
    FUZZ_CHECK(samling::net::parse_simple_head(in, h.length - 1, shorter).length == 0);
  }

  // split_target also runs on targets Beast read (any request the reader declined).
  request t;
  samling::net::split_target(t, in);
  return 0;
}
