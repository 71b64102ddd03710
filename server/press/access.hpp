#pragma once
// Who may watch a stage and join a room (issue 18): four levels, an embargo, and the refusals
// a viewer can get. Pure rules plus one small thread-safe map of the stages' rules; no I/O.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role.hpp"
#include "core/errors.hpp"
#include "program/model.hpp"

namespace samling::press {

// Ordered: each level admits everyone the levels after it admit.
enum class visibility { public_, registered, press, staff };
std::string_view to_string(visibility v);  // "public", "registered", "press", "staff"
std::optional<visibility> visibility_from_string(std::string_view s);

// A stage's or a room's rule: `level`, and with `public_at` (an embargo) public from that second
// on. level public: public_at means nothing.
struct access_rule {
  visibility level = visibility::public_;
  std::int64_t public_at = 0;  // UTC seconds; 0: no embargo

  // The level in force at `now` (UTC seconds).
  visibility at(std::int64_t now) const;
  // Under embargo at `now`: not public yet, but will be.
  bool embargoed(std::int64_t now) const;
  bool operator==(const access_rule&) const = default;
};

// The level a role reaches: guest → public; attendee → registered; speaker, press → press;
// moderator, organizer, press_officer → staff.
visibility level_of(auth::role r);
// Whether someone at `have` may watch or join something at `need`.
inline bool admits(visibility need, visibility have) { return static_cast<int>(have) >= static_cast<int>(need); }

// A program room's own rule, for a room no stage is shown in: a press room → press; a room open
// to guests → public; else registered.
access_rule room_default(const program::room& r);

// Why a grant (or a viewer token, or the lack of one) does not open something. Each has its own
// error code (core/errors.hpp) and HTTP status: 403, or 410 for expired and revoked.
enum class refusal {
  missing,        // no grant / credential at all
  tampered,       // does not verify: altered, malformed, cut
  expired,        // past valid-until
  not_yet_valid,  // before valid-from
  revoked,        // revoked by the press officer
  other_stage,    // valid, but does not cover this stage or room (or is for another event)
  unknown_key,    // signed with a key id the server does not have
  device_limit,   // the grant's device cap is in use by other devices
  embargoed,      // an embargoed stage, before its public time, for someone below its level
};
core::errc to_errc(refusal r);
std::string_view to_string(refusal r);  // the errc's code name

// The stages' rules, set from the configuration at start and read on every gated request
// (any thread; a shared lock, no allocation on the read path besides the copy of the entry).
class access_map {
 public:
  struct stage_entry {
    std::string id;
    std::string event;  // program event id
    std::string room;   // program room id, "" for none
    access_rule rule;
    bool operator==(const stage_entry&) const = default;
  };

  void set_stages(std::vector<stage_entry> stages);
  // Changes one stage's rule (an organizer's change); false: no such stage.
  bool set_rule(std::string_view stage, access_rule rule);
  std::optional<stage_entry> stage(std::string_view id) const;
  std::vector<stage_entry> stages_of(std::string_view event) const;
  // The rule of room `r` of `event`: the strictest rule of the stages shown in it (their
  // level at `now` decides which is strictest), else room_default(r).
  access_rule room_rule(std::string_view event, const program::room& r, std::int64_t now) const;

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, stage_entry, std::less<>> stages_;
};

}  // namespace samling::press
