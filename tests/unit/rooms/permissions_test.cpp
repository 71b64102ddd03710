#include "rooms/permissions.hpp"

#include <gtest/gtest.h>

using namespace samling::rooms;
using samling::program::room_kind;

TEST(permissions, the_role_table_of_the_protocol_document) {
  for (auto role : {"attendee", "speaker", "press", "moderator", "organizer"}) {
    EXPECT_TRUE(can_join(role, room_kind::main_stage, false)) << role;
    EXPECT_TRUE(can_join(role, room_kind::seminar, false)) << role;
    EXPECT_TRUE(can_post(role)) << role;
  }
  EXPECT_FALSE(can_join("attendee", room_kind::press, false));
  for (auto role : {"speaker", "press", "moderator", "organizer"})
    EXPECT_TRUE(can_join(role, room_kind::press, false)) << role;
  EXPECT_TRUE(sees_member_lists("moderator"));
  EXPECT_TRUE(sees_member_lists("organizer"));
  EXPECT_FALSE(sees_member_lists("attendee"));
  EXPECT_FALSE(sees_member_lists("press"));
}

TEST(permissions, guests_only_where_the_room_allows_and_never_the_press_room) {
  EXPECT_TRUE(can_join("guest", room_kind::main_stage, true));
  EXPECT_FALSE(can_join("guest", room_kind::main_stage, false));
  EXPECT_FALSE(can_join("guest", room_kind::press, true));
  EXPECT_FALSE(can_join("nobody", room_kind::main_stage, true));
}
