#include "api/live_cache.hpp"

namespace samling::api {

std::shared_ptr<const net::open_file> live_cache::segment(const std::string& path) {
  auto now = now_();
  std::lock_guard lock(m_);
  for (auto it = segments_.begin(); it != segments_.end(); ++it) {
    if (it->path != path) continue;
    if (now - it->checked < segment_check) return it->file;
    struct stat st {};
    if (::fstat(it->file->fd, &st) == 0 && st.st_nlink > 0) {
      it->checked = now;
      return it->file;
    }
    segments_.erase(it);
    return nullptr;
  }
  return nullptr;
}

void live_cache::put_segment(const std::string& path, std::shared_ptr<const net::open_file> f) {
  std::lock_guard lock(m_);
  segments_.push_back({path, std::move(f), now_()});
  if (segments_.size() > max_segments) segments_.pop_front();
}

void live_cache::forget(const std::string& prefix) {
  std::lock_guard lock(m_);
  std::erase_if(segments_, [&](const cached_segment& c) { return c.path.starts_with(prefix); });
  std::erase_if(playlists_, [&](const cached_playlist& c) { return c.path.starts_with(prefix); });
}

std::shared_ptr<const std::string> live_cache::fresh_playlist(const std::string& path) {
  auto now = now_();
  std::lock_guard lock(m_);
  for (auto& p : playlists_)
    if (p.path == path && now - p.checked < playlist_check) return p.body;
  return nullptr;
}

std::shared_ptr<const std::string> live_cache::playlist(const std::string& path, const struct stat& st) {
  std::lock_guard lock(m_);
  for (auto& p : playlists_)
    if (p.path == path && p.mtime_ns == mtime_ns(st) && p.size == st.st_size) {
      p.checked = now_();
      return p.body;
    }
  return nullptr;
}

void live_cache::put_playlist(const std::string& path, const struct stat& st, std::shared_ptr<const std::string> body) {
  std::lock_guard lock(m_);
  cached_playlist fresh{path, std::move(body), mtime_ns(st), st.st_size, now_()};
  for (auto& p : playlists_)
    if (p.path == path) {
      p = std::move(fresh);
      return;
    }
  playlists_.push_back(std::move(fresh));
}

}  // namespace samling::api
