#pragma once
// What each role may do: one table of role × action (docs/protocol.md, Roles), used by the
// WebSocket protocol and the HTTP routes alike. Actions on stages hold for the caller's own
// event only: the caller checks the event, can() the role. No state; any thread.
#include <array>
#include <string_view>

#include "auth/role.hpp"
#include "program/model.hpp"

namespace samling::rooms {

using auth::role;

enum class action {
  join_room,             // join the main stage and seminars
  join_guest_room,       // join a main stage or seminar open to guests ("guests": true)
  join_press_room,       // join the press room (never a guest, whatever the room says)
  post,                  // post in a room the session has joined
  see_member_lists,      // the `members` request, member lists in presence
  see_stage_staff_view,  // the stages' staff view: input, outputs, errors (`stages`, GET)
  control_stages,        // start and stop stages and outputs, add and remove outputs,
                         // recordings and the pipeline graph (the stages' HTTP actions)
  edit_program,          // create and change the event, its rooms, sessions and speakers;
                         // import, publish program versions
  manage_registrations,  // registration settings, the list of registrations, its CSV export
  manage_staff,          // invite staff, change their roles, read the audit log
  read_outbox,           // read the event's e-mail outbox
  // Q&A, polls, moderation, projector (issue 17). A kiosk (projector) session has the guest
  // role but is read-only: it may do none of these, whatever the table says.
  ask_question,          // ask a question in a room the session has joined
  vote,                  // upvote questions, vote in polls
  moderate_qa,           // approve, reject, edit, merge, pin, answer, archive questions; enter
                         // hall questions; turn a room's pre-moderation on and off
  manage_polls,          // create, open, close, reveal, hide, archive polls
  moderate_chat,         // the `moderate` request: delete and release messages, mute, ban,
                         // slow mode, lock, the word list; the moderation log
  export_room,           // a room's questions, chat and polls as JSON and CSV
  manage_kiosk,          // create, list and revoke projector (kiosk) links
  // Press (issue 18): the accreditation queue, press grants (issue, revoke, live viewers),
  // interview requests as the press officer, the press audit and its export, press contacts.
  manage_press,
};

inline constexpr std::array<action, 19> all_actions{
    action::join_room,        action::join_guest_room,      action::join_press_room, action::post,
    action::see_member_lists, action::see_stage_staff_view, action::control_stages,  action::edit_program,
    action::manage_registrations, action::manage_staff, action::read_outbox, action::ask_question,
    action::vote,             action::moderate_qa,          action::manage_polls,    action::moderate_chat,
    action::export_room,      action::manage_kiosk,         action::manage_press};

// The action's name in code and tests ("join_room", …).
std::string_view to_string(action a);

// Whether `r` may do `a` (the table in permissions.cpp).
bool can(role r, action a);
// Moderators and organizers: the roles that see member lists and the stages' staff view.
bool is_staff(role r);
// Whether `r` may join a room of `kind` that does (`guests_allowed`) or does not admit guests:
// the press room needs join_press_room; other rooms join_room, or join_guest_room when the
// room admits guests.
bool can_join(role r, program::room_kind kind, bool guests_allowed);

}  // namespace samling::rooms
