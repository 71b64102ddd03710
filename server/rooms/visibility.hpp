#pragma once
// Who may join a room by its visibility, and a press grant's session by its grant (issue 18;
// docs/protocol.md, join): the check every `join` makes before the roles table
// (rooms::can_join), which must admit the session too. In memory only (the stages' rules, the
// revocations, the grant's signature and times): no database. Pure apart from reading the map
// and the registry; any thread.
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/role.hpp"
#include "auth/token.hpp"
#include "core/errors.hpp"
#include "press/access.hpp"
#include "press/grant.hpp"
#include "press/registry.hpp"
#include "rooms/room.hpp"

namespace samling::rooms {

struct join_refusal {
  core::errc code = core::errc::ok;  // ok: the visibility and the grant admit the session
  std::string message;               // empty: the code's default sentence
};

// What a press grant's session holds: the grant, its token (verified again at each join, so the
// grant's times hold for every join and not only at hello), and where revocations and keys are.
struct grant_session {
  const press::grant* grant = nullptr;
  std::string_view token;
  const press::registry* registry = nullptr;
  const auth::keyring* keys = nullptr;
};

// Whether a session with `role` (and, for a press grant's session, `grant`) may join `room` at
// `now` (UTC seconds), in this order:
//   - a grant's session: revoked → grant_revoked; past valid-until → grant_expired; before
//     valid-from → grant_not_yet_valid (any other failure of its token: its refusal's code);
//   - a room a stage of `access` is shown in: the rule of its stages at `now` (embargo lifted
//     → public) must admit press::level_of(role), else grant_missing when the room is for
//     press (a press link would open it), forbidden otherwise (a staff-only room; a guest at a
//     room for registered participants). A room no stage is shown in keeps its
//     program rule, which the roles table is (a speaker still joins the press room);
//   - a grant's session: the grant must cover the room's id, else grant_wrong_stage.
join_refusal check_join(const press::access_map& access, const room_info& room, auth::role role,
                        const grant_session& grant, std::int64_t now);

}  // namespace samling::rooms
