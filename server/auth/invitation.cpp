#include "auth/invitation.hpp"

namespace samling::auth {

std::string_view invitation_state(const invitation& i, std::int64_t now) {
  if (i.accepted_at != 0) return "accepted";
  if (now >= i.expires_at) return "expired";
  return "pending";
}

bool invitable(role r) {
  return r == role::moderator || r == role::press || r == role::speaker || r == role::organizer ||
         r == role::press_officer;
}

}  // namespace samling::auth
