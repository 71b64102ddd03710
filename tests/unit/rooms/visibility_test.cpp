// Who may join a room by its stage's visibility and by a press grant (rooms/visibility.hpp):
// every level against every rule, the embargo's second, the grant's refusals in their order,
// and rooms no stage is shown in keeping the roles table alone.
#include "rooms/visibility.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace samling;
using core::errc;
using press::visibility;
using rooms::check_join;
using rooms::grant_session;
using rooms::room_info;
using role = auth::role;

namespace {

constexpr std::int64_t now = 1'800'000'000;
const std::string event = "ev";

room_info room(const std::string& id, program::room_kind kind = program::room_kind::seminar, bool guests = false) {
  return {event + "/" + id, event, id, kind, guests};
}

press::access_map::stage_entry stage(const std::string& id, const std::string& room_id, visibility v,
                                     std::int64_t public_at = 0, const std::string& ev = event) {
  return {id, ev, room_id, {v, public_at}};
}

errc code(const press::access_map& m, const room_info& r, role who, std::int64_t at = now) {
  return check_join(m, r, who, grant_session{}, at).code;
}

const std::vector<role> everyone = {role::guest,     role::attendee,  role::speaker,      role::press,
                                    role::moderator, role::organizer, role::press_officer};

const auth::keyring& keys() {
  static const auth::keyring k(auth::signing_key{"k1", "a-secret-of-at-least-thirty-two-bytes-0123"});
  return k;
}

press::grant grant_for(std::vector<std::string> rooms) {
  press::grant g;
  g.id = "pr-0123456789abcdef";
  g.event = event;
  g.name = "Eva Ek";
  g.rooms = std::move(rooms);
  g.valid_from = now - 60;
  g.valid_until = now + 3600;
  return g;
}

}  // namespace

TEST(check_join, a_room_no_stage_is_shown_in_keeps_the_roles_table_alone) {
  press::access_map m;
  // A stage elsewhere, and one of another event in a room of the same id: neither counts.
  m.set_stages({stage("s1", "main", visibility::staff), stage("s2", "press", visibility::staff, 0, "other")});
  for (auto who : everyone) {
    EXPECT_EQ(code(m, room("press", program::room_kind::press), who), errc::ok) << auth::to_string(who);
    EXPECT_EQ(code(m, room("seminar"), who), errc::ok) << auth::to_string(who);
  }
}

TEST(check_join, a_stages_room_admits_by_level) {
  press::access_map m;
  m.set_stages({stage("pub", "main", visibility::public_), stage("reg", "seminar", visibility::registered),
                stage("pr", "press", visibility::press), stage("st", "back", visibility::staff)});
  auto main = room("main"), seminar = room("seminar"), press_room = room("press", program::room_kind::press),
       back = room("back");
  struct expectation {
    role who;
    errc main, seminar, press, back;
  };
  const expectation table[] = {
      {role::guest, errc::ok, errc::forbidden, errc::grant_missing, errc::forbidden},
      {role::attendee, errc::ok, errc::ok, errc::grant_missing, errc::forbidden},
      // A speaker is a registered participant: the press stage's room is not theirs (a room
      // without a stage keeps the roles table, where speakers join the press room).
      {role::speaker, errc::ok, errc::ok, errc::grant_missing, errc::forbidden},
      {role::press, errc::ok, errc::ok, errc::ok, errc::forbidden},
      {role::moderator, errc::ok, errc::ok, errc::ok, errc::ok},
      {role::organizer, errc::ok, errc::ok, errc::ok, errc::ok},
      {role::press_officer, errc::ok, errc::ok, errc::ok, errc::ok},
  };
  for (auto& e : table) {
    SCOPED_TRACE(std::string(auth::to_string(e.who)));
    EXPECT_EQ(code(m, main, e.who), e.main);
    EXPECT_EQ(code(m, seminar, e.who), e.seminar);
    EXPECT_EQ(code(m, press_room, e.who), e.press);
    EXPECT_EQ(code(m, back, e.who), e.back);
  }
  auto staff_only = check_join(m, back, role::press, grant_session{}, now);
  EXPECT_EQ(staff_only.message, "Only staff may join ev/back.");
}

TEST(check_join, an_embargoed_stages_room_is_public_from_its_second_on) {
  press::access_map m;
  m.set_stages({stage("emb", "seminar", visibility::press, now + 10)});
  auto r = room("seminar");
  EXPECT_EQ(code(m, r, role::attendee, now), errc::grant_missing);
  EXPECT_EQ(code(m, r, role::attendee, now + 9), errc::grant_missing);
  EXPECT_EQ(code(m, r, role::attendee, now + 10), errc::ok);
  EXPECT_EQ(code(m, r, role::guest, now + 10), errc::ok);  // then the roles table decides
  EXPECT_EQ(code(m, r, role::press, now), errc::ok);
}

TEST(check_join, the_strictest_stage_of_a_room_decides) {
  press::access_map m;
  m.set_stages({stage("a", "main", visibility::public_), stage("b", "main", visibility::press, now + 10)});
  EXPECT_EQ(code(m, room("main"), role::attendee, now), errc::grant_missing);
  EXPECT_EQ(code(m, room("main"), role::attendee, now + 10), errc::ok);
}

TEST(check_join, a_grant_session_needs_its_grant_valid_now_not_revoked_and_covering_the_room) {
  press::access_map m;
  m.set_stages({stage("pr", "press", visibility::press), stage("st", "back", visibility::staff),
                stage("pub", "main", visibility::public_)});
  press::registry reg;
  auto g = grant_for({"press"});
  auto token = press::sign_grant(g, keys());
  grant_session s{&g, token, &reg, &keys()};
  auto press_room = room("press", program::room_kind::press);

  EXPECT_EQ(check_join(m, press_room, role::press, s, now).code, errc::ok);
  // Not covered: a staged public room and a room without a stage alike.
  EXPECT_EQ(check_join(m, room("main"), role::press, s, now).code, errc::grant_wrong_stage);
  EXPECT_EQ(check_join(m, room("seminar"), role::press, s, now).code, errc::grant_wrong_stage);
  // The grant's times, at each join.
  EXPECT_EQ(check_join(m, press_room, role::press, s, g.valid_until).code, errc::grant_expired);
  EXPECT_EQ(check_join(m, press_room, role::press, s, g.valid_from - 1).code, errc::grant_not_yet_valid);
  // "*": every room up to press, never a staff-only one.
  auto all = grant_for({"*"});
  all.id = "pr-fedcba9876543210";
  auto all_token = press::sign_grant(all, keys());
  grant_session every{&all, all_token, &reg, &keys()};
  EXPECT_EQ(check_join(m, room("main"), role::press, every, now).code, errc::ok);
  EXPECT_EQ(check_join(m, room("seminar"), role::press, every, now).code, errc::ok);
  EXPECT_EQ(check_join(m, room("back"), role::press, every, now).code, errc::forbidden);
  // Revoked: before anything else, in every room.
  reg.revoke(event, g.id, now);
  EXPECT_EQ(check_join(m, press_room, role::press, s, now).code, errc::grant_revoked);
  EXPECT_EQ(check_join(m, room("main"), role::press, s, now).code, errc::grant_revoked);
  EXPECT_EQ(check_join(m, room("main"), role::press, every, now).code, errc::ok);  // another grant
}
