#pragma once
// What each role may do in which room (docs/protocol.md, Roles). Enforced by the server.
#include <string_view>

#include "program/model.hpp"

namespace samling::rooms {

// Roles as they appear on the wire: attendee, speaker, press, moderator, organizer, guest.
bool known_role(std::string_view role);
bool can_join(std::string_view role, program::room_kind kind, bool guests_allowed);
bool can_post(std::string_view role);
bool sees_member_lists(std::string_view role);

}  // namespace samling::rooms
