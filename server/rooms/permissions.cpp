#include "rooms/permissions.hpp"

#include <cstddef>

namespace samling::rooms {

namespace {

constexpr std::size_t role_count = auth::all_roles.size();
constexpr std::size_t action_count = all_actions.size();

// The one table. Rows: auth::role in declaration order; columns: `action` in declaration order.
// docs/protocol.md's role table is checked against it (tests/unit/api/protocol_doc_test.cpp).
constexpr bool table[role_count][action_count] = {
    //              join   guest  press  post   members staff  control program regist staff  outbox
    //              ask    vote   mod_qa polls  mod_chat export kiosk press
    /* attendee  */ {true, true, false, true, false, false, false, false, false, false, false,
                     true, true, false, false, false, false, false, false},
    /* speaker   */ {true, true, true, true, false, false, false, false, false, false, false,
                     true, true, false, false, false, false, false, false},
    /* press     */ {true, true, true, true, false, false, false, false, false, false, false,
                     true, true, false, false, false, false, false, false},
    /* moderator */ {true, true, true, true, true, true, false, false, false, false, false,
                     true, true, true, true, true, true, true, false},
    /* organizer */ {true, true, true, true, true, true, true, true, true, true, true,
                     true, true, true, true, true, true, true, true},
    /* guest     */ {false, true, false, true, false, false, false, false, false, false, false,
                     true, true, false, false, false, false, false, false},
    /* press_officer */ {true, true, true, true, false, false, false, false, false, false, false,
                     true, true, false, false, false, false, false, true},
};

static_assert(static_cast<std::size_t>(auth::role::press_officer) + 1 == role_count,
              "a new role needs a row in the table");
static_assert(static_cast<std::size_t>(action::manage_press) + 1 == action_count,
              "a new action needs a column in the table");

}  // namespace

std::string_view to_string(action a) {
  switch (a) {
    case action::join_room: return "join_room";
    case action::join_guest_room: return "join_guest_room";
    case action::join_press_room: return "join_press_room";
    case action::post: return "post";
    case action::see_member_lists: return "see_member_lists";
    case action::see_stage_staff_view: return "see_stage_staff_view";
    case action::control_stages: return "control_stages";
    case action::edit_program: return "edit_program";
    case action::manage_registrations: return "manage_registrations";
    case action::manage_staff: return "manage_staff";
    case action::read_outbox: return "read_outbox";
    case action::ask_question: return "ask_question";
    case action::vote: return "vote";
    case action::moderate_qa: return "moderate_qa";
    case action::manage_polls: return "manage_polls";
    case action::moderate_chat: return "moderate_chat";
    case action::export_room: return "export_room";
    case action::manage_kiosk: return "manage_kiosk";
    case action::manage_press: return "manage_press";
  }
  return "join_room";  // unreachable: every enumerator is handled above
}

bool can(role r, action a) { return table[static_cast<std::size_t>(r)][static_cast<std::size_t>(a)]; }

bool is_staff(role r) { return can(r, action::see_member_lists) && can(r, action::see_stage_staff_view); }

bool can_join(role r, program::room_kind kind, bool guests_allowed) {
  if (kind == program::room_kind::press) return can(r, action::join_press_room);
  return can(r, action::join_room) || (guests_allowed && can(r, action::join_guest_room));
}

}  // namespace samling::rooms
