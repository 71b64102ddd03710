#include "net/static_files.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/log.hpp"

namespace samling::net {
namespace fs = std::filesystem;

std::string static_files::content_type_for(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> types[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".webp", "image/webp"},
      {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
      {".webmanifest", "application/manifest+json"}, {".m3u8", "application/vnd.apple.mpegurl"},
  };
  for (auto& [ext, type] : types) {
    if (path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext)
      return std::string(type);
  }
  return "application/octet-stream";
}

bool static_files::etag_matches(std::string_view if_none_match, std::string_view etag) {
  // RFC 9110 13.1.2: "*" or a comma-separated list; If-None-Match compares weakly (W/ ignored).
  std::size_t i = 0;
  while (i < if_none_match.size()) {
    auto comma = if_none_match.find(',', i);
    auto item = if_none_match.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i);
    i = comma == std::string_view::npos ? if_none_match.size() : comma + 1;
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (!item.empty() && item == etag) return true;
  }
  return false;
}

static_files static_files::load(const std::string& root, std::size_t max_total_bytes) {
  static_files out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    core::log(core::log_level::warn, "web_root_missing",
              {{"path", root}, {"hint", "build the web app: (cd web && npm run build)"}});
    return out;
  }
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    auto size = it->file_size(ec);
    if (ec || total + size > max_total_bytes) {
      core::log(core::log_level::warn, "web_file_skipped", {{"path", it->path().string()}});
      continue;
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    auto rel = "/" + fs::relative(it->path(), root, ec).generic_string();
    static_file f;
    f.content = std::make_shared<const std::string>(buf.str());
    f.content_type = content_type_for(rel);
    std::ostringstream etag;
    etag << "\"" << std::hex << std::hash<std::string>{}(*f.content) << "-" << f.content->size()
         << "\"";
    f.etag = etag.str();
    // Vite puts content-hashed names under /assets/: safe to cache forever.
    f.cache_control = rel.starts_with("/assets/") ? "public, max-age=31536000, immutable"
                                                   : "no-cache";
    total += size;
    out.files_.emplace(std::move(rel), std::move(f));
  }
  core::log(core::log_level::info, "web_root_loaded",
            {{"path", root}, {"files", out.files_.size()}, {"bytes", total}});
  return out;
}

const static_file* static_files::find(std::string_view path) const {
  if (path == "/") path = "/index.html";
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

response static_files::serve(const static_file& f, std::string_view if_none_match) const {
  response r;
  r.content_type = f.content_type;
  r.headers.emplace_back("ETag", f.etag);
  r.headers.emplace_back("Cache-Control", f.cache_control);
  if (etag_matches(if_none_match, f.etag)) {
    r.status = 304;
    return r;
  }
  r.shared_body = f.content;
  return r;
}

}  // namespace samling::net
