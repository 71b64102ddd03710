// The role × action table, cell by cell, and the rules built on it.
#include "rooms/permissions.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace samling::rooms;
using samling::auth::role;
using samling::program::room_kind;

namespace {

struct row {
  role r;
  std::set<action> may;
};

// What each role may do (docs/protocol.md, Roles; the stages' HTTP table): written out here on
// its own, so a change to the table in permissions.cpp must be made twice, deliberately.
const row expected[] = {
    {role::attendee, {action::join_room, action::join_guest_room, action::post, action::ask_question, action::vote}},
    {role::speaker,
     {action::join_room, action::join_guest_room, action::join_press_room, action::post, action::ask_question,
      action::vote}},
    {role::press,
     {action::join_room, action::join_guest_room, action::join_press_room, action::post, action::ask_question,
      action::vote}},
    {role::moderator,
     {action::join_room, action::join_guest_room, action::join_press_room, action::post,
      action::see_member_lists, action::see_stage_staff_view, action::ask_question, action::vote,
      action::moderate_qa, action::manage_polls, action::moderate_chat, action::export_room,
      action::manage_kiosk}},
    {role::organizer,
     {action::join_room, action::join_guest_room, action::join_press_room, action::post,
      action::see_member_lists, action::see_stage_staff_view, action::control_stages, action::edit_program,
      action::manage_registrations, action::manage_staff, action::read_outbox, action::ask_question,
      action::vote, action::moderate_qa, action::manage_polls, action::moderate_chat, action::export_room,
      action::manage_kiosk, action::manage_press}},
    {role::guest, {action::join_guest_room, action::post, action::ask_question, action::vote}},
    {role::press_officer,
     {action::join_room, action::join_guest_room, action::join_press_room, action::post, action::ask_question,
      action::vote, action::manage_press}},
};

}  // namespace

TEST(permissions, every_role_and_action) {
  ASSERT_EQ(std::size(expected), samling::auth::all_roles.size());
  for (auto& [r, may] : expected)
    for (auto a : all_actions)
      EXPECT_EQ(can(r, a), may.count(a) > 0) << to_string(r) << " × " << to_string(a);
}

TEST(permissions, staff_are_moderators_and_organizers) {
  for (auto r : samling::auth::all_roles)
    EXPECT_EQ(is_staff(r), r == role::moderator || r == role::organizer) << to_string(r);
}

TEST(permissions, main_stage_and_seminars_for_every_role_with_a_token) {
  for (auto r : {role::attendee, role::speaker, role::press, role::moderator, role::organizer})
    for (auto kind : {room_kind::main_stage, room_kind::seminar})
      for (bool guests : {false, true}) EXPECT_TRUE(can_join(r, kind, guests)) << to_string(r);
}

TEST(permissions, the_press_room_for_speakers_press_and_staff_only) {
  for (bool guests : {false, true}) {
    EXPECT_FALSE(can_join(role::attendee, room_kind::press, guests));
    for (auto r : {role::speaker, role::press, role::moderator, role::organizer})
      EXPECT_TRUE(can_join(r, room_kind::press, guests)) << to_string(r);
  }
}

TEST(permissions, guests_only_where_the_room_allows_and_never_the_press_room) {
  for (auto kind : {room_kind::main_stage, room_kind::seminar}) {
    EXPECT_TRUE(can_join(role::guest, kind, true));
    EXPECT_FALSE(can_join(role::guest, kind, false));
  }
  EXPECT_FALSE(can_join(role::guest, room_kind::press, true));
  EXPECT_FALSE(can_join(role::guest, room_kind::press, false));
}

TEST(permissions, every_action_has_its_own_name) {
  std::set<std::string_view> names;
  for (auto a : all_actions) names.insert(to_string(a));
  EXPECT_EQ(names.size(), all_actions.size());
}
