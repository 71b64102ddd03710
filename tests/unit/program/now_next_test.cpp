// Now and next per room, compared in UTC: at the boundaries, with cancelled sessions, and on
// the night the clocks change.
#include "program/now_next.hpp"

#include <gtest/gtest.h>

#include "program/timezone.hpp"

using namespace samling::program;

namespace {

session make_session(std::string id, std::string room, std::string day, std::string start, std::string end) {
  session s;
  s.id = std::move(id);
  s.room_id = std::move(room);
  s.day = std::move(day);
  s.starts_at = std::move(start);
  s.ends_at = std::move(end);
  s.title = {{"sv", s.id}};
  return s;
}

event day_program() {
  event p;
  p.id = "dag";
  p.timezone = "Europe/Stockholm";
  p.days = {"2027-02-09"};
  p.rooms = {room{"main", room_kind::main_stage, {{"sv", "Stora salen"}}, 0, false},
             room{"sem", room_kind::seminar, {{"sv", "Seminarier"}}, 1, false}};
  p.sessions = {make_session("a", "main", "2027-02-09", "09:00", "10:00"),
                make_session("b", "main", "2027-02-09", "10:15", "11:00"),
                make_session("c", "sem", "2027-02-09", "10:00", "11:00")};
  return p;
}

std::int64_t at(const char* iso) { return *parse_utc_iso(iso); }
std::string id_of(const std::optional<timed_session>& t) { return t ? t->s->id : "-"; }

}  // namespace

TEST(now_next, before_during_between_and_after) {
  auto p = day_program();  // 09:00 CET = 08:00 UTC
  auto r = now_next(p, at("2027-02-09T07:59:59Z"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].room, "main");
  EXPECT_EQ(id_of(r[0].now), "-");
  EXPECT_EQ(id_of(r[0].next), "a");
  EXPECT_EQ(id_of(r[1].next), "c");

  r = now_next(p, at("2027-02-09T08:00:00Z"));  // a session starts at its first second
  EXPECT_EQ(id_of(r[0].now), "a");
  EXPECT_EQ(id_of(r[0].next), "b");
  EXPECT_EQ(r[0].now->starts_utc, at("2027-02-09T08:00:00Z"));

  r = now_next(p, at("2027-02-09T09:00:00Z"));  // and is over at its end
  EXPECT_EQ(id_of(r[0].now), "-");
  EXPECT_EQ(id_of(r[0].next), "b");
  EXPECT_EQ(id_of(r[1].now), "c");
  EXPECT_EQ(id_of(r[1].next), "-");

  r = now_next(p, at("2027-02-09T10:00:00Z"));
  EXPECT_EQ(id_of(r[0].now), "-");
  EXPECT_EQ(id_of(r[0].next), "-");
}

TEST(now_next, the_next_boundary_is_the_first_start_or_end_after_now) {
  auto p = day_program();
  EXPECT_EQ(next_boundary(p, at("2027-02-09T07:00:00Z")), at("2027-02-09T08:00:00Z"));
  EXPECT_EQ(next_boundary(p, at("2027-02-09T08:00:00Z")), at("2027-02-09T09:00:00Z"));  // a ends, c starts
  EXPECT_EQ(next_boundary(p, at("2027-02-09T09:00:00Z")), at("2027-02-09T09:15:00Z"));
  EXPECT_EQ(next_boundary(p, at("2027-02-09T09:59:59Z")), at("2027-02-09T10:00:00Z"));
  EXPECT_FALSE(next_boundary(p, at("2027-02-09T10:00:00Z")));
}

TEST(now_next, cancelled_sessions_are_neither_now_nor_next) {
  auto p = day_program();
  p.sessions[0].cancelled = true;
  auto r = now_next(p, at("2027-02-09T08:30:00Z"));
  EXPECT_EQ(id_of(r[0].now), "-");
  EXPECT_EQ(id_of(r[0].next), "b");
  EXPECT_EQ(next_boundary(p, at("2027-02-09T07:00:00Z")), at("2027-02-09T09:00:00Z"));
}

TEST(now_next, the_spring_night_counts_real_seconds) {
  // 2027-03-28 in Stockholm: 02:00 CET -> 03:00 CEST. A night session 01:30-03:30 local runs
  // 00:30-01:30 UTC (one hour), the next one 03:30-04:00 local starts at 01:30 UTC.
  event p;
  p.id = "natt";
  p.timezone = "Europe/Stockholm";
  p.days = {"2027-03-28"};
  p.rooms = {room{"main", room_kind::main_stage, {{"sv", "Salen"}}, 0, false}};
  p.sessions = {make_session("night", "main", "2027-03-28", "01:30", "03:30"),
                make_session("dawn", "main", "2027-03-28", "03:30", "04:00")};
  auto r = now_next(p, at("2027-03-28T01:29:59Z"));
  EXPECT_EQ(id_of(r[0].now), "night");
  EXPECT_EQ(r[0].now->ends_utc - r[0].now->starts_utc, 3600);
  EXPECT_EQ(next_boundary(p, at("2027-03-28T00:30:00Z")), at("2027-03-28T01:30:00Z"));
  r = now_next(p, at("2027-03-28T01:30:00Z"));
  EXPECT_EQ(id_of(r[0].now), "dawn");
  // The autumn night, 2027-10-31 (03:00 CEST -> 02:00 CET): 01:00-04:00 local is four hours.
  p.days = {"2027-10-31"};
  p.sessions = {make_session("long", "main", "2027-10-31", "01:00", "04:00")};
  r = now_next(p, at("2027-10-30T23:00:00Z"));
  ASSERT_TRUE(r[0].now);
  EXPECT_EQ(r[0].now->ends_utc - r[0].now->starts_utc, 4 * 3600);
}
