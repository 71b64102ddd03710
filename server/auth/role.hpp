#pragma once
// The roles a user can have (docs/protocol.md, Roles): one type for the token's "role" claim,
// the user a session speaks as, and the stored chat message's sender. What each role may do
// is rooms/permissions.hpp's table. No I/O, no state.
#include <array>
#include <optional>
#include <string_view>

namespace samling::auth {

enum class role { attendee, speaker, press, moderator, organizer, guest, press_officer };

// Every role, in the order of docs/protocol.md's role table.
// press_officer (issue 18) is a per-event staff role for accreditation and press grants; it
// comes last so the stored and wire names of the others keep their order.
inline constexpr std::array<role, 7> all_roles{role::attendee,  role::speaker,   role::press,
                                               role::moderator, role::organizer, role::guest,
                                               role::press_officer};

// The role's name on the wire and in the store: "attendee", …, "guest".
std::string_view to_string(role r);
// The role with that name; nullopt for anything else (names are case-sensitive).
std::optional<role> role_from_string(std::string_view s);

}  // namespace samling::auth
