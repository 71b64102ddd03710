#include "press/registry.hpp"

#include <algorithm>

namespace samling::press {
namespace {

constexpr std::size_t refusals_kept_per_grant = 50;
// Refusals wait here for the audit flush (every press.audit_flush_seconds); should the flush
// stop, memory stays bounded and the oldest are dropped first.
constexpr std::size_t max_untaken_refusals = 10000;
// The same bound for the viewing audit's rows between flushes.
constexpr std::size_t max_untaken_views = 100000;

bool is_grant_id(std::string_view viewer) { return viewer.substr(0, 3) == "pr-"; }

}  // namespace

registry::registry(std::int64_t device_idle_ms) : idle_ms_(device_idle_ms) {}

void registry::load_revoked(const std::vector<std::pair<std::string, std::int64_t>>& revoked) {
  std::unique_lock lock(revoked_mu_);
  for (const auto& [id, at] : revoked) revoked_.emplace(id, at);
}

void registry::revoke(const std::string& event, const std::string& grant_id, std::int64_t at) {
  {
    std::unique_lock lock(revoked_mu_);
    if (!revoked_.emplace(grant_id, at).second) return;
  }
  // Copied so a listener may register another one, or take time, without holding the lock.
  std::vector<std::function<void(const std::string&, const std::string&)>> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& fn : listeners) fn(event, grant_id);
}

bool registry::is_revoked(std::string_view grant_id) const {
  std::shared_lock lock(revoked_mu_);
  return revoked_.find(grant_id) != revoked_.end();
}

void registry::on_revoke(std::function<void(const std::string& event, const std::string& grant_id)> fn) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(fn));
}

registry::shard& registry::shard_of(std::string_view viewer) const {
  return shards_[std::hash<std::string_view>{}(viewer) % shard_count];
}

namespace {

// Assigns only when the value differs, reusing the string's capacity: no allocation on the
// path every segment takes.
void set(std::string& to, std::string_view from) {
  if (to != from) to.assign(from.data(), from.size());
}

std::string_view agent(std::string_view user_agent) { return user_agent.substr(0, 200); }

}  // namespace

bool registry::touch_locked(shard& sh, std::string_view grant_id, std::string_view stage, std::string_view device,
                            std::string_view address, std::string_view user_agent, std::uint32_t cap,
                            std::int64_t now_ms, std::string_view event) {
  auto g = sh.devices.find(grant_id);
  if (g == sh.devices.end()) {
    if (cap == 0) return false;  // no device is live on it: a segment's device has lost its place
    g = sh.devices.emplace(std::string(grant_id), std::map<std::string, live_device, std::less<>>{}).first;
  }
  auto& devices = g->second;
  // A device that fetched nothing for idle_ms_ has stopped watching: its place is free.
  std::erase_if(devices, [&](const auto& d) { return d.second.last_at + idle_ms_ <= now_ms; });

  auto it = devices.find(device);
  if (it != devices.end()) {
    live_device& info = it->second;
    set(info.stage, stage);
    set(info.address, address);
    set(info.user_agent, agent(user_agent));
    info.last_at = std::max(info.last_at, now_ms);
    return true;
  }
  if (devices.size() < cap) {
    live_device info{std::string(device), std::string(stage), std::string(address),
                     std::string(agent(user_agent)), now_ms, now_ms, 0};
    devices.emplace(std::string(device), std::move(info));
    return true;
  }
  if (cap == 0) return false;  // a segment, not a newcomer: not a refusal of a new device
  device_refusal r{std::string(event),   std::string(grant_id), std::string(stage), std::string(device),
                   std::string(address), std::string(agent(user_agent)), now_ms};
  auto& kept = sh.refusals[std::string(grant_id)];
  kept.push_back(r);
  if (kept.size() > refusals_kept_per_grant) kept.erase(kept.begin());
  if (untaken_refusals_.load(std::memory_order_relaxed) < max_untaken_refusals) {
    sh.untaken_refusals.push_back(std::move(r));
    untaken_refusals_.fetch_add(1, std::memory_order_relaxed);
  }
  return false;
}

bool registry::admit_device(std::string_view event, std::string_view grant_id, std::string_view stage,
                            std::string_view device, std::uint32_t cap, std::string_view address,
                            std::string_view user_agent, std::int64_t now_ms) {
  auto& sh = shard_of(grant_id);
  std::lock_guard lock(sh.mu);
  return touch_locked(sh, grant_id, stage, device, address, user_agent, cap, now_ms, event);
}

std::vector<live_device> registry::live(std::string_view grant_id, std::int64_t now_ms) const {
  std::vector<live_device> out;
  {
    auto& sh = shard_of(grant_id);
    std::lock_guard lock(sh.mu);
    auto g = sh.devices.find(grant_id);
    if (g == sh.devices.end()) return out;
    for (const auto& [id, d] : g->second)
      if (d.last_at + idle_ms_ > now_ms) out.push_back(d);
  }
  std::stable_sort(out.begin(), out.end(), [](const live_device& a, const live_device& b) {
    return a.first_at != b.first_at ? a.first_at < b.first_at : a.device < b.device;
  });
  return out;
}

std::vector<device_refusal> registry::refusals(std::string_view grant_id) const {
  auto& sh = shard_of(grant_id);
  std::lock_guard lock(sh.mu);
  auto it = sh.refusals.find(grant_id);
  if (it == sh.refusals.end()) return {};
  return {it->second.rbegin(), it->second.rend()};
}

std::vector<device_refusal> registry::take_refusals() {
  std::vector<device_refusal> out;
  for (auto& sh : shards_) {
    std::lock_guard lock(sh.mu);
    untaken_refusals_.fetch_sub(sh.untaken_refusals.size(), std::memory_order_relaxed);
    for (auto& r : sh.untaken_refusals) out.push_back(std::move(r));
    sh.untaken_refusals.clear();
  }
  std::stable_sort(out.begin(), out.end(), [](const device_refusal& a, const device_refusal& b) { return a.at < b.at; });
  return out;
}

void registry::count_locked(shard& sh, std::string_view event, std::string_view viewer, std::string_view name,
                            std::string_view stage, std::string_view device, std::string_view address,
                            std::string_view user_agent, std::uint64_t bytes, std::int64_t first_at,
                            std::int64_t last_at, std::uint64_t requests) {
  // The row's key, built in a buffer each thread keeps: no allocation once it has grown.
  thread_local std::string key;
  key.clear();
  key.append(viewer).append("\n").append(stage).append("\n").append(device).append("\n").append(address);
  auto it = sh.views.find(std::string_view(key));
  if (it != sh.views.end()) {
    view_record& v = it->second;
    v.first_at = std::min(v.first_at, first_at);
    v.last_at = std::max(v.last_at, last_at);
    v.bytes += bytes;
    v.requests += requests;
    if (!name.empty()) set(v.name, name);
    if (v.user_agent.empty()) set(v.user_agent, agent(user_agent));
  } else if (untaken_views_.load(std::memory_order_relaxed) < max_untaken_views) {
    view_record v{std::string(event),   std::string(viewer),  std::string(name),
                  std::string(stage),   std::string(device),  std::string(address),
                  std::string(agent(user_agent)), first_at, last_at, bytes, requests};
    sh.views.emplace(key, std::move(v));
    untaken_views_.fetch_add(1, std::memory_order_relaxed);
  }
  // A grant's live devices show the bytes they fetched (the press officer's console).
  if (is_grant_id(viewer) && bytes > 0) {
    auto g = sh.devices.find(viewer);
    if (g == sh.devices.end()) return;
    auto d = g->second.find(device);
    if (d != g->second.end()) d->second.bytes += bytes;
  }
}

void registry::count(const view_record& request) {
  auto& sh = shard_of(request.viewer);
  std::lock_guard lock(sh.mu);
  count_locked(sh, request.event, request.viewer, request.name, request.stage, request.device, request.address,
               request.user_agent, request.bytes, request.first_at, request.last_at, 1);
}

void registry::count(std::string_view event, std::string_view viewer, std::string_view name, std::string_view stage,
                     std::string_view device, std::string_view address, std::string_view user_agent,
                     std::uint64_t bytes, std::int64_t now_ms) {
  auto& sh = shard_of(viewer);
  std::lock_guard lock(sh.mu);
  count_locked(sh, event, viewer, name, stage, device, address, user_agent, bytes, now_ms, now_ms, 1);
}

bool registry::segment(std::string_view event, std::string_view grant_id, std::string_view stage,
                       std::string_view device, std::string_view address, std::string_view user_agent,
                       std::uint64_t bytes, std::int64_t now_ms) {
  auto& sh = shard_of(grant_id);
  std::lock_guard lock(sh.mu);
  if (!touch_locked(sh, grant_id, stage, device, address, user_agent, 0, now_ms, event)) return false;
  count_locked(sh, event, grant_id, {}, stage, device, address, user_agent, bytes, now_ms, now_ms, 1);
  return true;
}

std::vector<view_record> registry::take_views() {
  std::vector<view_record> out;
  for (auto& sh : shards_) {
    std::map<std::string, view_record, std::less<>> taken;
    {
      std::lock_guard lock(sh.mu);
      taken.swap(sh.views);
    }
    untaken_views_.fetch_sub(taken.size(), std::memory_order_relaxed);
    for (auto& [key, v] : taken) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace samling::press
