// Program versions in SQLite: the event and its version row in one transaction, numbered per
// event, kept across a replace of the event (no cascade) and a reopen.
#include "store/sqlite_program_versions.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "program/program_json.hpp"
#include "store/sqlite_program_store.hpp"
#include "temp_dir.hpp"

namespace samling::store {
namespace {

using samling::testing::temp_dir;

program::event sample(const std::string& id = "dag") {
  program::event p;
  p.id = id;
  p.title = {{"sv", "Dagen"}};
  p.days = {"2027-02-09"};
  p.rooms = {program::room{"main", program::room_kind::main_stage, {{"sv", "Stora salen"}}, 0, false}};
  program::session s;
  s.id = "a";
  s.room_id = "main";
  s.day = "2027-02-09";
  s.starts_at = "09:00";
  s.ends_at = "10:00";
  s.title = {{"sv", "Öppning"}};
  p.sessions = {s};
  return p;
}

TEST(sqlite_program_versions, numbered_per_event_with_snapshot_and_changes) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store programs(db);
  sqlite_program_versions versions(db, programs);
  EXPECT_FALSE(versions.latest("dag"));
  auto p = sample();
  EXPECT_EQ(versions.publish(p, {0, 100, "system", "Samling", "[]"}), 1);
  p.sessions[0].starts_at = "09:15";
  p.sessions[0].cancelled = true;
  p.sessions[0].sequence = 1;
  EXPECT_EQ(versions.publish(p, {0, 200, "u-1", "Olle", R"([{"session":"a","change":"moved"}])"}), 2);
  EXPECT_EQ(versions.publish(sample("other"), {0, 300, "u-1", "Olle", "[]"}), 1);

  auto list = versions.list("dag");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].version, 2);
  EXPECT_EQ(list[1].published_at_s, 200);
  EXPECT_EQ(list[1].actor_name, "Olle");
  EXPECT_EQ(list[1].changes_json, R"([{"session":"a","change":"moved"}])");
  auto latest = versions.latest("dag");
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->summary.version, 2);
  std::vector<std::string> errors;
  auto back = program::event_from_json(boost::json::parse(latest->snapshot_json), errors);
  ASSERT_TRUE(back) << (errors.empty() ? "" : errors.front());
  EXPECT_EQ(*back, p);
  EXPECT_TRUE(back->sessions[0].cancelled);
  EXPECT_EQ(back->sessions[0].sequence, 1);
  // The program store has the event as published, cancelled and sequence too.
  EXPECT_EQ(programs.find_event("dag"), p);
  EXPECT_TRUE(versions.get("dag", 1));
  EXPECT_FALSE(versions.get("dag", 3));
}

TEST(sqlite_program_versions, a_failed_save_stores_no_version) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store programs(db);
  sqlite_program_versions versions(db, programs);
  versions.publish(sample(), {0, 100, "system", "Samling", "[]"});
  auto bad = sample();
  bad.sessions[0].room_id = "nowhere";  // the sessions' foreign key to rooms refuses it
  EXPECT_THROW(versions.publish(bad, {0, 200, "u-1", "Olle", "[]"}), store_error);
  EXPECT_EQ(versions.list("dag").size(), 1u);
  EXPECT_EQ(programs.find_event("dag")->sessions[0].room_id, "main");
}

TEST(sqlite_program_versions, history_survives_a_reopen) {
  temp_dir dir;
  {
    sqlite_db db(dir.file("samling.db"));
    sqlite_program_store programs(db);
    sqlite_program_versions versions(db, programs);
    versions.publish(sample(), {0, 100, "system", "Samling", "[]"});
    versions.publish(sample(), {0, 200, "u-1", "Olle", "[]"});
  }
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store programs(db);
  sqlite_program_versions versions(db, programs);
  EXPECT_EQ(versions.list("dag").size(), 2u);
}

}  // namespace
}  // namespace samling::store
