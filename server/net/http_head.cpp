#include "net/http_head.hpp"

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace samling::net {

namespace {

// tchar (RFC 9110 5.6.2): the bytes of a field name.
constexpr std::array<bool, 256> tchar_table() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr auto tchar = tchar_table();

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Visible ASCII, space and tab: what this reader takes in a field value (Beast also takes
// obs-text; such a request is declined and Beast reads it).
bool value_byte(unsigned char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

}  // namespace

void split_target(request& r, std::string_view target) {
  std::string_view origin_form = target;
  if (auto scheme = origin_form.find("://"); scheme != std::string_view::npos &&
                                             origin_form.substr(0, scheme).find('/') == std::string_view::npos) {
    auto slash = origin_form.find('/', scheme + 3);
    origin_form = slash == std::string_view::npos ? std::string_view("/") : origin_form.substr(slash);
  }
  auto q = origin_form.find('?');
  if (q != std::string_view::npos) r.query.assign(origin_form.substr(q + 1));
  r.path = decode_path(origin_form.substr(0, q)).value_or("");
}

simple_head parse_simple_head(std::string_view in, std::size_t max_bytes, request& out) {
  simple_head declined;
  auto end = in.substr(0, max_bytes).find("\r\n\r\n");
  if (end == std::string_view::npos) return declined;
  simple_head h;
  h.length = end + 4;
  // The request line: GET|HEAD SP origin-form SP HTTP/1.x CRLF.
  auto line_end = in.find("\r\n");
  std::string_view line = in.substr(0, line_end);
  std::string_view method;
  if (line.starts_with("GET ")) {
    method = "GET";
  } else if (line.starts_with("HEAD ")) {
    method = "HEAD";
    h.head_method = true;
  } else {
    return declined;
  }
  line.remove_prefix(method.size() + 1);
  auto sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return declined;
  std::string_view target = line.substr(0, sp);
  if (target.front() != '/') return declined;
  for (unsigned char c : target)
    if (c <= 0x20 || c >= 0x7f) return declined;
  std::string_view version = line.substr(sp + 1);
  if (version == "HTTP/1.1") h.version = 11;
  else if (version == "HTTP/1.0") h.version = 10;
  else return declined;
  int connections = 0;
  bool close = false, keep_alive = false;

  // Header fields: name ":" OWS value OWS CRLF, up to the empty line.
  std::vector<std::pair<std::string, std::string>> headers;
  for (std::size_t pos = line_end + 2; pos < end + 2;) {
    auto eol = in.find("\r\n", pos);
    std::string_view field = in.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return declined;  // also obs-fold
    std::string name(field.substr(0, colon));
    for (auto& c : name) {
      if (!tchar[static_cast<unsigned char>(c)]) return declined;
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    std::string_view value = field.substr(colon + 1);
    for (unsigned char c : value)
      if (!value_byte(c)) return declined;
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (name == "content-length" || name == "transfer-encoding" || name == "upgrade") return declined;
    if (name == "connection") {
      // Beast looks at the first Connection field only; two are left to it.
      if (++connections > 1) return declined;
      if (iequals(value, "close")) close = true;
      else if (iequals(value, "keep-alive")) keep_alive = true;
      else return declined;
    }
    headers.emplace_back(std::move(name), value);
  }
  h.keep_alive = h.version == 11 ? !close : keep_alive;

  out.method = method;
  out.target = target;
  split_target(out, target);
  out.headers = std::move(headers);
  return h;
}

}  // namespace samling::net
