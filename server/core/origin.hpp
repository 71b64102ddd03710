#pragma once
// Web origins ("https://stream.example.org", "http://127.0.0.1:8080"): which pages may open the
// WebSocket. A browser sends its page's origin in the handshake; a page of another site must
// not be able to use a visitor's signed-in session (cross-site WebSocket hijacking). Pure and
// header-only (the configuration checks the same rules and links nothing of core).
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samling::core {

namespace origin_detail {

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "https://host:443" → "https://host" (the default port written out means the same origin).
inline std::string canonical(std::string_view origin) {
  auto o = lower(trim(origin));
  if (o.starts_with("https://") && o.ends_with(":443")) o.resize(o.size() - 4);
  else if (o.starts_with("http://") && o.ends_with(":80")) o.resize(o.size() - 3);
  return o;
}

}  // namespace origin_detail

// The origins of a comma-separated list, trimmed and lower-cased, empty items skipped.
inline std::vector<std::string> split_origins(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = origin_detail::trim(list.substr(0, comma));
    if (!item.empty()) out.push_back(origin_detail::lower(item));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

// "http://host" or "https://host[:port]": a scheme, a host, an optional port, nothing else.
inline bool valid_origin(std::string_view origin) {
  std::string_view rest;
  if (origin.starts_with("https://")) rest = origin.substr(8);
  else if (origin.starts_with("http://")) rest = origin.substr(7);
  else return false;
  auto colon = rest.rfind(':');
  auto host = rest.substr(0, colon);
  if (host.empty()) return false;
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) return false;
  if (colon == std::string_view::npos) return true;
  auto port = rest.substr(colon + 1);
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// May a page of `origin` open the WebSocket of a server reached as `host` (the Host header)
// over `tls`? Its own pages (origin = scheme://host) and the `allowed` ones may; no Origin at
// all (apps, scripts, not a browser page) may too. Compared case-insensitively, a default
// port written or not.
inline bool origin_allowed(std::string_view origin, std::string_view host, bool tls, const std::vector<std::string>& allowed) {
  if (origin.empty()) return true;  // not a browser page
  auto o = origin_detail::canonical(origin);
  if (!host.empty() &&
      o == origin_detail::canonical(std::string(tls ? "https://" : "http://") + std::string(origin_detail::trim(host))))
    return true;
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return origin_detail::canonical(a) == o; });
}

// What keeps `url` from being the public address of the web app (server.public_url, `samling
// token --base-url`): it must be an absolute http:// or https:// URL with a host, optionally a
// port and a path, and no query, fragment, user info, blanks or control characters. Nothing
// when it is fine.
inline std::optional<std::string> public_url_problem(std::string_view url) {
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return "must be an absolute URL starting with http:// or https://";
  }
  for (char ch : url) {
    auto b = static_cast<unsigned char>(ch);
    if (b <= 0x20 || b == 0x7f) return "must not contain spaces or control characters";
  }
  if (url.find('?') != std::string_view::npos) return "must not have a query (?...)";
  if (url.find('#') != std::string_view::npos) return "must not have a fragment (#...): the link adds its own";
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty() || authority.front() == ':') return "has no host after the scheme";
  if (authority.find('@') != std::string_view::npos) return "must not carry a user name or password";
  return std::nullopt;
}

}  // namespace samling::core
