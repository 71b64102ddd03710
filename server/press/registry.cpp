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

bool registry::admit_device(std::string_view event, std::string_view grant_id, std::string_view stage,
                            std::string_view device, std::uint32_t cap, std::string_view address,
                            std::string_view user_agent, std::int64_t now_ms) {
  std::lock_guard lock(devices_mu_);
  auto g = devices_.find(grant_id);
  if (g == devices_.end()) g = devices_.emplace(std::string(grant_id), std::map<std::string, device_state>{}).first;
  auto& devices = g->second;
  // A device that fetched nothing for idle_ms_ has stopped watching: its place is free.
  std::erase_if(devices, [&](const auto& d) { return d.second.info.last_at + idle_ms_ <= now_ms; });

  auto it = devices.find(std::string(device));
  if (it != devices.end()) {
    live_device& info = it->second.info;
    info.stage = std::string(stage);
    info.address = std::string(address);
    info.user_agent = std::string(user_agent.substr(0, 200));
    info.last_at = std::max(info.last_at, now_ms);
    return true;
  }
  if (devices.size() < cap) {
    live_device info{std::string(device), std::string(stage), std::string(address),
                     std::string(user_agent.substr(0, 200)), now_ms, now_ms, 0};
    devices.emplace(std::string(device), device_state{std::move(info)});
    return true;
  }
  device_refusal r{std::string(event), std::string(grant_id), std::string(stage), std::string(device),
                   std::string(address), std::string(user_agent.substr(0, 200)), now_ms};
  auto& kept = refusals_[std::string(grant_id)];
  kept.push_back(r);
  if (kept.size() > refusals_kept_per_grant) kept.erase(kept.begin());
  untaken_refusals_.push_back(std::move(r));
  if (untaken_refusals_.size() > max_untaken_refusals) untaken_refusals_.erase(untaken_refusals_.begin());
  return false;
}

std::vector<live_device> registry::live(std::string_view grant_id, std::int64_t now_ms) const {
  std::vector<live_device> out;
  {
    std::lock_guard lock(devices_mu_);
    auto g = devices_.find(grant_id);
    if (g == devices_.end()) return out;
    for (const auto& [id, d] : g->second)
      if (d.info.last_at + idle_ms_ > now_ms) out.push_back(d.info);
  }
  std::stable_sort(out.begin(), out.end(), [](const live_device& a, const live_device& b) {
    return a.first_at != b.first_at ? a.first_at < b.first_at : a.device < b.device;
  });
  return out;
}

std::vector<device_refusal> registry::refusals(std::string_view grant_id) const {
  std::lock_guard lock(devices_mu_);
  auto it = refusals_.find(grant_id);
  if (it == refusals_.end()) return {};
  return {it->second.rbegin(), it->second.rend()};
}

std::vector<device_refusal> registry::take_refusals() {
  std::vector<device_refusal> out;
  std::lock_guard lock(devices_mu_);
  out.swap(untaken_refusals_);
  return out;
}

void registry::count(const view_record& request) {
  std::string key;
  key.reserve(request.viewer.size() + request.stage.size() + request.device.size() + request.address.size() + 3);
  key.append(request.viewer).append("\n").append(request.stage).append("\n").append(request.device).append("\n")
      .append(request.address);
  {
    std::lock_guard lock(views_mu_);
    auto it = views_.find(key);
    if (it != views_.end()) {
      view_record& v = it->second;
      v.first_at = std::min(v.first_at, request.first_at);
      v.last_at = std::max(v.last_at, request.last_at);
      v.bytes += request.bytes;
      v.requests += 1;
      if (!request.name.empty()) v.name = request.name;
      if (!request.user_agent.empty() && v.user_agent.empty()) v.user_agent = request.user_agent.substr(0, 200);
    } else if (views_.size() < max_untaken_views) {
      view_record v = request;
      v.user_agent = v.user_agent.substr(0, 200);
      v.requests = 1;
      views_.emplace(std::move(key), std::move(v));
    }
  }
  // A grant's live devices show the bytes they fetched (the press officer's console).
  if (is_grant_id(request.viewer) && request.bytes > 0) {
    std::lock_guard lock(devices_mu_);
    auto g = devices_.find(request.viewer);
    if (g == devices_.end()) return;
    auto d = g->second.find(request.device);
    if (d != g->second.end()) d->second.info.bytes += request.bytes;
  }
}

std::vector<view_record> registry::take_views() {
  std::map<std::string, view_record> taken;
  {
    std::lock_guard lock(views_mu_);
    taken.swap(views_);
  }
  std::vector<view_record> out;
  out.reserve(taken.size());
  for (auto& [key, v] : taken) out.push_back(std::move(v));
  return out;
}

}  // namespace samling::press
