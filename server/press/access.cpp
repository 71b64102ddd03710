#include "press/access.hpp"

#include <algorithm>

namespace samling::press {

std::string_view to_string(visibility v) {
  switch (v) {
    case visibility::public_: return "public";
    case visibility::registered: return "registered";
    case visibility::press: return "press";
    case visibility::staff: return "staff";
  }
  return "staff";  // unreachable; the strictest if it ever were
}

std::optional<visibility> visibility_from_string(std::string_view s) {
  if (s == "public") return visibility::public_;
  if (s == "registered") return visibility::registered;
  if (s == "press") return visibility::press;
  if (s == "staff") return visibility::staff;
  return std::nullopt;
}

// The embargo lifts at public_at's second: "public at 12:00" is public at 12:00:00.
visibility access_rule::at(std::int64_t now) const {
  if (level == visibility::public_) return level;
  if (public_at != 0 && now >= public_at) return visibility::public_;
  return level;
}

bool access_rule::embargoed(std::int64_t now) const {
  return level != visibility::public_ && public_at != 0 && now < public_at;
}

visibility level_of(auth::role r) {
  switch (r) {
    case auth::role::guest: return visibility::public_;
    case auth::role::attendee:
    case auth::role::speaker: return visibility::registered;
    case auth::role::press: return visibility::press;
    case auth::role::moderator:
    case auth::role::organizer:
    case auth::role::press_officer: return visibility::staff;
  }
  return visibility::public_;  // unreachable; the least if it ever were
}

access_rule room_default(const program::room& r) {
  // The press room is the press's even when guests may otherwise join rooms of the event.
  if (r.kind == program::room_kind::press) return {visibility::press, 0};
  if (r.guests) return {visibility::public_, 0};
  return {visibility::registered, 0};
}

core::errc to_errc(refusal r) {
  switch (r) {
    case refusal::missing: return core::errc::grant_missing;
    case refusal::tampered: return core::errc::grant_invalid;
    case refusal::expired: return core::errc::grant_expired;
    case refusal::not_yet_valid: return core::errc::grant_not_yet_valid;
    case refusal::revoked: return core::errc::grant_revoked;
    case refusal::other_stage: return core::errc::grant_wrong_stage;
    case refusal::unknown_key: return core::errc::grant_unknown_key;
    case refusal::device_limit: return core::errc::device_limit;
    case refusal::embargoed: return core::errc::embargoed;
  }
  return core::errc::grant_invalid;  // unreachable
}

std::string_view to_string(refusal r) { return core::code_name(to_errc(r)); }

void access_map::set_stages(std::vector<stage_entry> stages) {
  std::map<std::string, stage_entry, std::less<>> next;
  for (auto& s : stages) {
    std::string id = s.id;
    next.insert_or_assign(std::move(id), std::move(s));
  }
  std::unique_lock lock(mu_);
  stages_.swap(next);
}

bool access_map::set_rule(std::string_view stage, access_rule rule) {
  std::unique_lock lock(mu_);
  auto it = stages_.find(stage);
  if (it == stages_.end()) return false;
  it->second.rule = rule;
  return true;
}

std::optional<access_map::stage_entry> access_map::stage(std::string_view id) const {
  std::shared_lock lock(mu_);
  auto it = stages_.find(id);
  if (it == stages_.end()) return std::nullopt;
  return it->second;
}

std::vector<access_map::stage_entry> access_map::stages_of(std::string_view event) const {
  std::vector<stage_entry> out;
  std::shared_lock lock(mu_);
  for (const auto& [id, s] : stages_)
    if (s.event == event) out.push_back(s);
  return out;
}

access_rule access_map::room_rule(std::string_view event, const program::room& r, std::int64_t now) const {
  std::optional<access_rule> strictest;
  {
    std::shared_lock lock(mu_);
    for (const auto& [id, s] : stages_) {
      if (s.event != event || s.room.empty() || s.room != r.id) continue;
      // Strictest now: a stage whose embargo has lifted counts as public, so a room with one
      // press stage and one embargoed-then-public stage follows the press stage.
      if (!strictest) {
        strictest = s.rule;
        continue;
      }
      int have = static_cast<int>(strictest->at(now));
      int cand = static_cast<int>(s.rule.at(now));
      // Equal now: the one that stays closed longer (no embargo, or the later one) wins.
      bool stays_longer = s.rule.public_at == 0 ? strictest->public_at != 0
                                                : (strictest->public_at != 0 && s.rule.public_at > strictest->public_at);
      if (cand > have || (cand == have && stays_longer)) strictest = s.rule;
    }
  }
  if (strictest) return *strictest;
  return room_default(r);
}

}  // namespace samling::press
