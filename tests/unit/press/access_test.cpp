#include "press/access.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace samling::press {
namespace {

TEST(PressVisibility, NamesRoundTrip) {
  for (auto v : {visibility::public_, visibility::registered, visibility::press, visibility::staff}) {
    auto back = visibility_from_string(to_string(v));
    ASSERT_TRUE(back.has_value()) << to_string(v);
    EXPECT_EQ(*back, v);
  }
  EXPECT_EQ(to_string(visibility::public_), "public");
  EXPECT_EQ(to_string(visibility::staff), "staff");
  EXPECT_FALSE(visibility_from_string("Public"));
  EXPECT_FALSE(visibility_from_string(""));
  EXPECT_FALSE(visibility_from_string("public_"));
}

TEST(PressVisibility, AdmitsIsOrdered) {
  EXPECT_TRUE(admits(visibility::public_, visibility::public_));
  EXPECT_TRUE(admits(visibility::press, visibility::staff));
  EXPECT_TRUE(admits(visibility::press, visibility::press));
  EXPECT_FALSE(admits(visibility::press, visibility::registered));
  EXPECT_FALSE(admits(visibility::staff, visibility::press));
  EXPECT_FALSE(admits(visibility::registered, visibility::public_));
}

TEST(PressAccessRule, EmbargoLiftsAtItsSecond) {
  access_rule r{visibility::press, 1000};
  EXPECT_EQ(r.at(999), visibility::press);
  EXPECT_TRUE(r.embargoed(999));
  EXPECT_EQ(r.at(1000), visibility::public_);
  EXPECT_FALSE(r.embargoed(1000));
  EXPECT_EQ(r.at(5000), visibility::public_);
}

TEST(PressAccessRule, NoEmbargoKeepsItsLevel) {
  access_rule r{visibility::registered, 0};
  EXPECT_EQ(r.at(0), visibility::registered);
  EXPECT_EQ(r.at(1'900'000'000), visibility::registered);
  EXPECT_FALSE(r.embargoed(0));
  EXPECT_FALSE(r.embargoed(1'900'000'000));
}

TEST(PressAccessRule, PublicIgnoresPublicAt) {
  access_rule r{visibility::public_, 1000};
  EXPECT_EQ(r.at(10), visibility::public_);
  EXPECT_FALSE(r.embargoed(10));
}

TEST(PressLevels, EveryRole) {
  EXPECT_EQ(level_of(auth::role::guest), visibility::public_);
  EXPECT_EQ(level_of(auth::role::attendee), visibility::registered);
  EXPECT_EQ(level_of(auth::role::speaker), visibility::registered);
  EXPECT_EQ(level_of(auth::role::press), visibility::press);
  EXPECT_EQ(level_of(auth::role::moderator), visibility::staff);
  EXPECT_EQ(level_of(auth::role::organizer), visibility::staff);
  EXPECT_EQ(level_of(auth::role::press_officer), visibility::staff);
  // Every role has a level (a new role would fall to the switch's default otherwise).
  for (auto r : auth::all_roles) (void)level_of(r);
}

program::room make_room(std::string id, program::room_kind kind, bool guests) {
  program::room r;
  r.id = std::move(id);
  r.kind = kind;
  r.guests = guests;
  return r;
}

TEST(PressRoomDefault, ByKindAndGuests) {
  EXPECT_EQ(room_default(make_room("p", program::room_kind::press, false)).level, visibility::press);
  // The press room stays the press's even when guests may join the event's other rooms.
  EXPECT_EQ(room_default(make_room("p", program::room_kind::press, true)).level, visibility::press);
  EXPECT_EQ(room_default(make_room("m", program::room_kind::main_stage, true)).level, visibility::public_);
  EXPECT_EQ(room_default(make_room("m", program::room_kind::main_stage, false)).level, visibility::registered);
  EXPECT_EQ(room_default(make_room("s", program::room_kind::seminar, false)).level, visibility::registered);
  EXPECT_EQ(room_default(make_room("s", program::room_kind::seminar, false)).public_at, 0);
}

TEST(PressRefusal, ErrcAndNames) {
  struct row {
    refusal r;
    core::errc e;
    unsigned status;
    std::string_view name;
  };
  for (auto [r, e, status, name] : {
           row{refusal::missing, core::errc::grant_missing, 403, "grant_missing"},
           row{refusal::tampered, core::errc::grant_invalid, 403, "grant_invalid"},
           row{refusal::expired, core::errc::grant_expired, 410, "grant_expired"},
           row{refusal::not_yet_valid, core::errc::grant_not_yet_valid, 403, "grant_not_yet_valid"},
           row{refusal::revoked, core::errc::grant_revoked, 410, "grant_revoked"},
           row{refusal::other_stage, core::errc::grant_wrong_stage, 403, "grant_wrong_stage"},
           row{refusal::unknown_key, core::errc::grant_unknown_key, 403, "grant_unknown_key"},
           row{refusal::device_limit, core::errc::device_limit, 403, "device_limit"},
           row{refusal::embargoed, core::errc::embargoed, 403, "embargoed"},
       }) {
    EXPECT_EQ(to_errc(r), e) << name;
    EXPECT_EQ(core::http_status(to_errc(r)), status) << name;
    EXPECT_EQ(to_string(r), name);
  }
}

access_map::stage_entry entry(std::string id, std::string event, std::string room, access_rule rule) {
  return {std::move(id), std::move(event), std::move(room), rule};
}

TEST(PressAccessMap, SetGetAndChange) {
  access_map m;
  EXPECT_FALSE(m.stage("main"));
  m.set_stages({entry("main", "e1", "main", {visibility::public_, 0}),
                entry("press", "e1", "pressrum", {visibility::press, 0}),
                entry("other", "e2", "main", {visibility::registered, 0})});
  auto s = m.stage("press");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->event, "e1");
  EXPECT_EQ(s->room, "pressrum");
  EXPECT_EQ(s->rule.level, visibility::press);
  EXPECT_EQ(m.stages_of("e1").size(), 2u);
  EXPECT_EQ(m.stages_of("e2").size(), 1u);
  EXPECT_TRUE(m.stages_of("nope").empty());

  EXPECT_TRUE(m.set_rule("main", {visibility::staff, 0}));
  EXPECT_EQ(m.stage("main")->rule.level, visibility::staff);
  EXPECT_FALSE(m.set_rule("missing", {visibility::staff, 0}));
  EXPECT_FALSE(m.stage("missing"));

  // set_stages replaces the whole map.
  m.set_stages({entry("only", "e1", "", {})});
  EXPECT_FALSE(m.stage("main"));
  EXPECT_TRUE(m.stage("only"));
}

TEST(PressAccessMap, RoomRuleStrictestStageOfTheRoom) {
  access_map m;
  m.set_stages({entry("a", "e1", "hall", {visibility::public_, 0}),
                entry("b", "e1", "hall", {visibility::press, 0}),
                entry("c", "e2", "hall", {visibility::staff, 0}),   // another event's room "hall"
                entry("d", "e1", "", {visibility::staff, 0})});     // in no room
  auto hall = make_room("hall", program::room_kind::main_stage, true);
  EXPECT_EQ(m.room_rule("e1", hall, 0).level, visibility::press);
  EXPECT_EQ(m.room_rule("e2", hall, 0).level, visibility::staff);
  // No stage in the room: the room's own default.
  EXPECT_EQ(m.room_rule("e3", hall, 0).level, visibility::public_);
  auto press_room = make_room("pressrum", program::room_kind::press, false);
  EXPECT_EQ(m.room_rule("e1", press_room, 0).level, visibility::press);
}

TEST(PressAccessMap, RoomRuleConsidersTheEmbargo) {
  access_map m;
  m.set_stages({entry("embargo", "e1", "hall", {visibility::press, 1000}),
                entry("reg", "e1", "hall", {visibility::registered, 0})});
  auto hall = make_room("hall", program::room_kind::main_stage, false);
  // Before 1000 the embargoed stage is press (stricter); after, it is public and the
  // registered stage is the strictest.
  auto before = m.room_rule("e1", hall, 999);
  EXPECT_EQ(before.at(999), visibility::press);
  EXPECT_EQ(before.public_at, 1000);
  auto after = m.room_rule("e1", hall, 1000);
  EXPECT_EQ(after.at(1000), visibility::registered);
  EXPECT_EQ(after, (access_rule{visibility::registered, 0}));
}

TEST(PressAccessMap, RoomRuleSameLevelPrefersNoEmbargo) {
  access_map m;
  m.set_stages({entry("x", "e1", "hall", {visibility::press, 1000}),
                entry("y", "e1", "hall", {visibility::press, 0})});
  auto hall = make_room("hall", program::room_kind::main_stage, false);
  // Both press now; the one without embargo stays closed longer, so it is the room's rule.
  EXPECT_EQ(m.room_rule("e1", hall, 10), (access_rule{visibility::press, 0}));
  m.set_stages({entry("x", "e1", "hall", {visibility::press, 1000}),
                entry("y", "e1", "hall", {visibility::press, 2000})});
  EXPECT_EQ(m.room_rule("e1", hall, 10), (access_rule{visibility::press, 2000}));
}

}  // namespace
}  // namespace samling::press
