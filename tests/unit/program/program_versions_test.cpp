// What changed between two versions of a program, the page's marks relative to version 1, and
// the sequences publishing gives the sessions.
#include "program/program_versions.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace samling::program;

namespace {

session make_session(std::string id, std::string room, std::string start, std::string end, std::string title) {
  session s;
  s.id = std::move(id);
  s.room_id = std::move(room);
  s.day = "2027-02-09";
  s.starts_at = std::move(start);
  s.ends_at = std::move(end);
  s.title = {{"sv", std::move(title)}};
  return s;
}

event base() {
  event p;
  p.id = "dag";
  p.title = {{"sv", "Dagen"}};
  p.days = {"2027-02-09"};
  p.rooms = {room{"main", room_kind::main_stage, {{"sv", "Stora salen"}}, 0, false},
               room{"sem", room_kind::seminar, {{"sv", "Seminarierummet"}}, 1, false}};
  p.sessions = {make_session("a", "main", "09:00", "10:00", "Öppning"),
                  make_session("b", "main", "10:00", "11:00", "Panel"),
                  make_session("c", "sem", "09:00", "10:00", "Bostäder")};
  return p;
}

session& find(event& p, const std::string& id) {
  for (auto& s : p.sessions)
    if (s.id == id) return s;
  throw std::runtime_error("no session " + id);
}

}  // namespace

TEST(program_versions, an_unchanged_program_has_no_changes) {
  EXPECT_TRUE(diff(base(), base()).empty());
  EXPECT_FALSE(event_fields_differ(base(), base()));
}

TEST(program_versions, a_moved_session_says_where_it_was_and_is) {
  auto before = base(), after = base();
  find(after, "b").starts_at = "10:15";
  find(after, "b").ends_at = "11:15";
  auto changes = diff(before, after);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].session, "b");
  EXPECT_EQ(changes[0].change, change_kind::moved);
  ASSERT_TRUE(changes[0].was && changes[0].now);
  EXPECT_EQ(changes[0].was->starts_at, "10:00");
  EXPECT_EQ(changes[0].now->starts_at, "10:15");
  // Another room is a move too, and so is another day.
  after = base();
  find(after, "c").room_id = "main";
  EXPECT_EQ(diff(before, after).at(0).change, change_kind::moved);
  EXPECT_EQ(diff(before, after).at(0).now->room, "main");
}

TEST(program_versions, cancelled_new_renamed_removed_and_changed) {
  auto before = base(), after = base();
  find(after, "a").cancelled = true;
  find(after, "b").title["sv"] = "Panelsamtal";
  after.sessions.push_back(make_session("d", "sem", "10:00", "11:00", "Nytt"));
  after.sessions.erase(after.sessions.begin() + 2);  // "c"
  auto changes = diff(before, after);
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0].session, "a");
  EXPECT_EQ(changes[0].change, change_kind::cancelled);
  EXPECT_EQ(changes[1].session, "b");
  EXPECT_EQ(changes[1].change, change_kind::renamed);
  EXPECT_EQ(changes[2].session, "d");
  EXPECT_EQ(changes[2].change, change_kind::new_session);
  EXPECT_FALSE(changes[2].was);
  EXPECT_EQ(changes[3].session, "c");
  EXPECT_EQ(changes[3].change, change_kind::removed);
  EXPECT_FALSE(changes[3].now);

  // A description, or taking a cancellation back, is "changed".
  before = base();
  after = base();
  after.sessions[1].description = {{"sv", "Mer om panelen"}};
  changes = diff(before, after);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].session, "b");
  EXPECT_EQ(changes[0].change, change_kind::changed);
  find(before, "a").cancelled = true;
  after = base();
  changes = diff(before, after);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].session, "a");
  EXPECT_EQ(changes[0].change, change_kind::changed);
}

TEST(program_versions, precedence_cancelled_before_moved_before_renamed) {
  auto before = base(), after = base();
  find(after, "b").starts_at = "10:30";
  find(after, "b").ends_at = "11:30";
  find(after, "b").title["sv"] = "Ny titel";
  EXPECT_EQ(diff(before, after).at(0).change, change_kind::moved);
  find(after, "b").cancelled = true;
  EXPECT_EQ(diff(before, after).at(0).change, change_kind::cancelled);
}

TEST(program_versions, marks_are_relative_to_the_first_version) {
  auto first = base(), now = base();
  find(now, "b").starts_at = "10:30";
  find(now, "b").ends_at = "11:30";
  find(now, "c").title["sv"] = "Boende";
  find(now, "a").cancelled = true;
  now.sessions.push_back(make_session("d", "sem", "10:00", "11:00", "Nytt"));
  auto m = mark(first, find(now, "b"));
  EXPECT_EQ(m.change, change_kind::moved);
  ASSERT_TRUE(m.was);
  EXPECT_EQ(m.was->starts_at, "10:00");
  EXPECT_EQ(mark(first, find(now, "c")).change, change_kind::renamed);
  EXPECT_EQ(mark(first, find(now, "a")).change, change_kind::cancelled);
  EXPECT_EQ(mark(first, find(now, "d")).change, change_kind::new_session);
  // Moved back where it was in version 1: no mark, whatever happened in between.
  find(now, "b").starts_at = "10:00";
  find(now, "b").ends_at = "11:00";
  EXPECT_FALSE(mark(first, find(now, "b")).change);
}

TEST(program_versions, change_json_names_the_kinds_as_documented) {
  auto before = base(), after = base();
  find(after, "b").starts_at = "10:15";
  auto j = boost::json::serialize(to_json(diff(before, after)));
  EXPECT_EQ(j,
            R"([{"session":"b","change":"moved","was":{"day":"2027-02-09","starts_at":"10:00","ends_at":"11:00","room":"main","title":{"sv":"Panel"}},)"
            R"("now":{"day":"2027-02-09","starts_at":"10:15","ends_at":"11:00","room":"main","title":{"sv":"Panel"}}}])");
  EXPECT_EQ(to_string(change_kind::new_session), "new");
}

TEST(program_versions, a_sequence_alone_is_no_change) {
  // The sequence is the server's count of published changes: an edit that carries another one
  // (a PUT body, an imported file) changes nothing by it.
  auto before = base(), after = base();
  find(before, "a").sequence = 3;
  find(after, "b").sequence = 7;
  EXPECT_TRUE(diff(before, after).empty());
  find(after, "b").description = {{"sv", "Mer"}};
  auto changes = diff(before, after);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].session, "b");
  EXPECT_EQ(changes[0].change, change_kind::changed);
}

TEST(program_versions, publishing_raises_the_sequence_of_each_changed_session_only) {
  auto before = base();
  find(before, "a").sequence = 3;
  find(before, "b").sequence = 1;
  auto after = base();            // the edit's sequences (all 0 here) are not the server's
  find(after, "a").cancelled = true;
  find(after, "c").sequence = 9;  // unchanged otherwise: keeps its 0
  after.sessions.push_back(make_session("d", "sem", "10:00", "11:00", "Nytt"));
  after.sessions.back().sequence = 4;  // new: starts at 0
  bump_sequences(before, after, diff(before, after));
  EXPECT_EQ(find(after, "a").sequence, 4);
  EXPECT_EQ(find(after, "b").sequence, 1);
  EXPECT_EQ(find(after, "c").sequence, 0);
  EXPECT_EQ(find(after, "d").sequence, 0);
}
