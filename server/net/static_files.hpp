#pragma once
// The built web app (web/dist), loaded into memory once at start-up: the app is small (well
// under the 64 MiB bound), and serving from memory keeps disk I/O off the network threads.
// Each file gets its content type, an ETag, and a cache policy: Vite's hashed files under
// /assets/ are immutable for a year; everything else (index.html) is revalidated each time.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "net/router.hpp"

namespace samling::net {

struct static_file {
  std::shared_ptr<const std::string> content;
  std::string content_type;
  std::string etag;
  std::string cache_control;
};

class static_files {
 public:
  // Loads every regular file under `root`. A missing root leaves the set empty (the server
  // then answers / with a page saying the web app is not built). Files over the total bound
  // are skipped with a warning.
  static static_files load(const std::string& root, std::size_t max_total_bytes = 64u << 20);

  // The file for a URL path ("/" -> "/index.html"), or nullptr.
  const static_file* find(std::string_view path) const;
  // A 200 with the file, or 304 when If-None-Match matches its ETag.
  response serve(const static_file& f, std::string_view if_none_match) const;
  std::size_t size() const { return files_.size(); }
  bool empty() const { return files_.empty(); }

  static std::string content_type_for(std::string_view path);
  // Whether an If-None-Match header value matches `etag` (lists, weak tags and "*").
  static bool etag_matches(std::string_view if_none_match, std::string_view etag);

 private:
  std::map<std::string, static_file, std::less<>> files_;
};

}  // namespace samling::net
