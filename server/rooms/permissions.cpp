#include "rooms/permissions.hpp"

namespace samling::rooms {

bool known_role(std::string_view role) {
  return role == "attendee" || role == "speaker" || role == "press" || role == "moderator" ||
         role == "organizer" || role == "guest";
}

bool can_join(std::string_view role, program::room_kind kind, bool guests_allowed) {
  if (role == "guest") return guests_allowed && kind != program::room_kind::press;
  if (kind == program::room_kind::press)
    return role == "speaker" || role == "press" || role == "moderator" || role == "organizer";
  return known_role(role);
}

bool can_post(std::string_view role) { return known_role(role); }

bool sees_member_lists(std::string_view role) { return role == "moderator" || role == "organizer"; }

}  // namespace samling::rooms
