#include "net/router.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>

namespace samling::net {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view request::header(std::string_view lower_name) const {
  for (auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

response json_error(core::errc e, std::string_view message) {
  boost::json::object err;
  err["code"] = core::code_name(e);
  err["message"] = message.empty() ? core::default_message(e) : message;
  boost::json::object root;
  root["error"] = std::move(err);
  response r;
  r.status = core::http_status(e);
  r.body = boost::json::serialize(root);
  return r;
}

response json_response(std::string body, unsigned status) {
  response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

response no_store(response r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

void router::add(std::string method, std::string pattern, std::string name, handler h,
                 immediate_handler now) {
  route r{std::move(method), {}, std::move(name), std::move(h), std::move(now)};
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

router::match_result router::match(std::string_view method, std::string_view path) const {
  match_result result;
  auto parts = split_path(path);
  for (auto& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    auto is_param = [](const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; };
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) ok = is_param(r.segments[i]) || r.segments[i] == parts[i];
    if (!ok) continue;
    result.path_matched = true;
    if (!result.allowed.empty()) result.allowed += ", ";
    result.allowed += r.method;
    if (r.method == method || (method == "HEAD" && r.method == "GET")) {
      result.fn = &r.fn;
      if (r.now) result.now = &r.now;
      result.name = r.name;
      // The parameters are copied only for the route that answers.
      for (std::size_t i = 0; i < parts.size(); ++i)
        if (auto& seg = r.segments[i]; is_param(seg)) result.params.emplace(seg.substr(1, seg.size() - 2), parts[i]);
      return result;
    }
  }
  return result;
}

std::optional<std::string> decode_path(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;  // needs two hex digits
    int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    char decoded = static_cast<char>(hi * 16 + lo);
    if (decoded == '\0' || decoded == '/') return std::nullopt;
    out += decoded;
    i += 2;
  }
  return out;
}

std::string redact_target(std::string_view target) {
  // Tokens that are a path segment: an invitation's (/api/v1/invitations/{token}[/accept]), a
  // journalist's accreditation request's and a speaker's interview link's (issue 18). The links
  // from the e-mails must not end up readable in the access log either.
  for (std::string_view prefix : {std::string_view("/api/v1/invitations/"), std::string_view("/api/v1/accreditations/"),
                                  std::string_view("/api/v1/interviews/")}) {
    if (target.substr(0, prefix.size()) != prefix) continue;
    auto rest = target.substr(prefix.size());
    auto end = rest.find_first_of("/?");
    return std::string(prefix) + "REDACTED" +
           (end == std::string_view::npos ? std::string() : redact_target(rest.substr(end)));
  }
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view query = target.substr(q + 1);
  bool first = true;
  while (true) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    if (part.substr(0, 6) == "token=") out += "token=REDACTED";
    // A press grant is a personal link (/live/…?grant=); a segment's viewer token lives
    // minutes, but is a credential all the same (issue 18).
    else if (part.substr(0, 6) == "grant=") out += "grant=REDACTED";
    else if (part.substr(0, 2) == "v=") out += "v=REDACTED";
    else out += part;
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

open_file::~open_file() {
  if (fd >= 0) ::close(fd);
}

std::shared_ptr<const open_file> open_file::open(const std::string& path) {
  auto f = std::make_shared<open_file>();
  f->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f->fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  f->size = static_cast<std::uint64_t>(st.st_size);
  f->mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return f;
}

std::string query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace samling::net
