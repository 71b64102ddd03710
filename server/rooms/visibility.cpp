#include "rooms/visibility.hpp"

#include <variant>

namespace samling::rooms {

join_refusal check_join(const press::access_map& access, const room_info& room, auth::role role,
                        const grant_session& grant, std::int64_t now) {
  using core::errc;
  if (grant.grant) {
    // Revoked: a join racing the close of the grant's sessions (4012).
    if (grant.registry && grant.registry->is_revoked(grant.grant->id)) return {errc::grant_revoked, {}};
    if (grant.keys) {
      auto checked = press::verify_grant(grant.token, *grant.keys, now);
      if (auto* why = std::get_if<press::refusal>(&checked)) return {press::to_errc(*why), {}};
    }
  }
  bool staged = false;
  for (const auto& stage : access.stages_of(room.event_id))
    if (stage.room == room.room_id) {
      staged = true;
      break;
    }
  if (staged) {
    program::room r;
    r.id = room.room_id;
    r.kind = room.kind;
    r.guests = room.guests;
    auto need = access.room_rule(room.event_id, r, now).at(now);
    if (!press::admits(need, press::level_of(role))) {
      // A press room: what is missing is a press link. A staff-only room, or a registered one
      // for a guest: the role, as the roles table says it.
      if (need == press::visibility::press) return {errc::grant_missing, {}};
      return {errc::forbidden, need == press::visibility::staff ? "Only staff may join " + room.key + "."
                                                                : "Only registered participants may join " + room.key + "."};
    }
  }
  if (grant.grant && !grant.grant->covers_room(room.room_id)) return {errc::grant_wrong_stage, {}};
  return {};
}

}  // namespace samling::rooms
