#pragma once
// What /live/ keeps of the stages' HLS between requests. Completed segments are immutable: the
// newest few (48) are kept open, so a crowd asking for the same segment costs one open(2) and
// the kernel sends them from the page cache (sendfile). A segment deleted since (the window
// slid, the stage stopped) is dropped when it is next checked, at most once a second (until
// then its open file still holds the complete bytes). A playlist is kept with its file's
// modification time and size, checked with one stat(2) at most every 100 ms: thousands of
// viewers polling it read the disk once per change and see a new segment at most 100 ms late
// (segments are seconds long).
//
// Thread-safe (one mutex, never held across I/O other than an fstat). A member of the
// stages' context (stages_context.hpp), owned by app::serve.
#include <sys/stat.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/router.hpp"

namespace samling::api {

class live_cache {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr auto segment_check = std::chrono::seconds(1);
  static constexpr auto playlist_check = std::chrono::milliseconds(100);
  static constexpr std::size_t max_segments = 48;  // a few seconds of every stage's newest segments

  // `now`: the clock the checks count with (tests pass their own).
  explicit live_cache(std::function<clock::time_point()> now = &clock::now) : now_(std::move(now)) {}

  // The open segment at `path`, if cached and (checked within segment_check, or still linked).
  std::shared_ptr<const net::open_file> segment(const std::string& path);
  void put_segment(const std::string& path, std::shared_ptr<const net::open_file> f);
  // Drops everything under `prefix` (a stage's HLS directory).
  void forget(const std::string& prefix);
  // The cached body if it was checked within playlist_check; nullptr otherwise.
  std::shared_ptr<const std::string> fresh_playlist(const std::string& path);
  // The cached body if the file is unchanged (and marks it checked); nullptr if it changed or
  // was never read.
  std::shared_ptr<const std::string> playlist(const std::string& path, const struct stat& st);
  void put_playlist(const std::string& path, const struct stat& st, std::shared_ptr<const std::string> body);

 private:
  static long long mtime_ns(const struct stat& st) {
    return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  }
  struct cached_segment {
    std::string path;
    std::shared_ptr<const net::open_file> file;
    clock::time_point checked;
  };
  struct cached_playlist {
    std::string path;
    std::shared_ptr<const std::string> body;
    long long mtime_ns = 0;
    off_t size = 0;
    clock::time_point checked;
  };
  std::function<clock::time_point()> now_;
  std::mutex m_;
  std::deque<cached_segment> segments_;
  std::vector<cached_playlist> playlists_;
};

}  // namespace samling::api
