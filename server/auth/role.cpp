#include "auth/role.hpp"

namespace samling::auth {

std::string_view to_string(role r) {
  switch (r) {
    case role::attendee: return "attendee";
    case role::speaker: return "speaker";
    case role::press: return "press";
    case role::moderator: return "moderator";
    case role::organizer: return "organizer";
    case role::guest: return "guest";
    case role::press_officer: return "press_officer";
  }
  return "attendee";  // unreachable: every enumerator is handled above
}

std::optional<role> role_from_string(std::string_view s) {
  for (role r : all_roles)
    if (to_string(r) == s) return r;
  return std::nullopt;
}

}  // namespace samling::auth
