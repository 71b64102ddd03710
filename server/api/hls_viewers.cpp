#include "api/hls_viewers.hpp"

namespace samling::api {

namespace {

// The address part of "address:port" ("[::1]:5000" or "::1:5000" alike: the last ':').
std::string_view address_of(std::string_view remote) {
  auto colon = remote.rfind(':');
  return colon == std::string_view::npos ? remote : remote.substr(0, colon);
}

std::uint64_t client_key(std::string_view address, std::string_view user_agent) {
  std::uint64_t a = std::hash<std::string_view>{}(address);
  std::uint64_t u = std::hash<std::string_view>{}(user_agent);
  // Combined asymmetrically, so (a, u) and (u, a) differ.
  return a * 0x9E3779B97F4A7C15ULL ^ (u + 0x7F4A7C159E3779B9ULL + (a << 6) + (a >> 2));
}

}  // namespace

hls_viewers::hls_viewers(const std::vector<std::string>& stages, clock::duration window, std::size_t max_clients,
                         std::function<clock::time_point()> now)
    : window_(window), max_clients_(max_clients), now_(std::move(now)) {
  for (auto& s : stages) stages_.emplace(s, std::make_unique<table>());
}

void hls_viewers::seen(const std::string& stage, std::string_view remote, std::string_view user_agent) {
  auto it = stages_.find(stage);
  if (it == stages_.end()) return;
  auto key = client_key(address_of(remote), user_agent);
  auto now = now_();
  table& t = *it->second;
  shard& s = t.shards[(key >> 32) % shard_count];
  std::lock_guard lock(s.m);
  if (auto found = s.last_seen.find(key); found != s.last_seen.end()) {
    found->second = now;
    return;
  }
  // Full: not counted. Expired clients make room at the next count() (once a second), which
  // keeps this path O(1) however many made-up clients arrive.
  if (t.clients.load(std::memory_order_relaxed) >= max_clients_) return;
  s.last_seen.emplace(key, now);
  t.clients.fetch_add(1, std::memory_order_relaxed);
}

std::size_t hls_viewers::sweep(table& t, shard& s, clock::time_point now) {
  auto gone = std::erase_if(s.last_seen, [&](const auto& kv) { return now - kv.second >= window_; });
  t.clients.fetch_sub(gone, std::memory_order_relaxed);
  return s.last_seen.size();
}

std::size_t hls_viewers::count(const std::string& stage) {
  auto it = stages_.find(stage);
  if (it == stages_.end()) return 0;
  auto now = now_();
  std::size_t n = 0;
  for (shard& s : it->second->shards) {
    std::lock_guard lock(s.m);
    n += sweep(*it->second, s, now);
  }
  return n;
}

std::map<std::string, std::size_t> hls_viewers::counts() {
  std::map<std::string, std::size_t> out;
  for (auto& [id, _] : stages_) out[id] = count(id);
  return out;
}

}  // namespace samling::api
