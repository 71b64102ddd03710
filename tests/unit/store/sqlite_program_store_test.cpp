#include "store/sqlite_program_store.hpp"

#include <filesystem>
#include <map>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "temp_dir.hpp"

#include "program/demo.hpp"
#include "store/migrations.hpp"
#include "store/statement.hpp"

namespace samling::store {
namespace {

using namespace samling::program;

const std::string demo_path =
    std::string(SAMLING_SOURCE_DIR) + "/config/demo/stockholm-tillsammans.json";

using samling::testing::temp_dir;

session make_session(std::string id, std::string room_id, std::string day, std::string starts,
                     std::string ends) {
  session s;
  s.id = std::move(id);
  s.room_id = std::move(room_id);
  s.day = std::move(day);
  s.starts_at = std::move(starts);
  s.ends_at = std::move(ends);
  s.title = {{"sv", "Pass " + s.id}, {"fi", "Osio " + s.id}};
  return s;
}

// A two-day event whose rooms and sessions are deliberately given out of order.
event sample_event(std::string id = "sample-2027", std::string first_day = "2027-03-01") {
  event e;
  e.id = std::move(id);
  e.title = {{"sv", "Provdagen"}, {"en", "Sample day"}, {"fi", "Näytepäivä"}};
  e.summary = {{"sv", "Två dagar med \"citat\" och åäö"}};
  e.organizer = "Länsstyrelsen";
  e.venue = "Regeringsgatan 66";
  e.city = "Stockholm";
  e.timezone = "Europe/Stockholm";
  e.days = {first_day, first_day.substr(0, 8) + "02"};
  e.languages = {"sv", "en", "fi"};
  e.rooms = {{"press", room_kind::press, {{"sv", "Pressrum"}}, 2, false},
             {"main", room_kind::main_stage, {{"sv", "Stora salen"}, {"en", "Main hall"}}, 0,
              true},
             {"seminar-a", room_kind::seminar, {{"sv", "Sal A"}}, 1, true}};
  e.sessions = {make_session("day2", "main", e.days[1], "09:00", "10:00"),
                make_session("press", "press", e.days[0], "12:15", "12:45"),
                make_session("lunch", "main", e.days[0], "12:00", "13:00"),
                make_session("seminar", "seminar-a", e.days[0], "13:00", "14:30"),
                make_session("open", "main", e.days[0], "10:00", "10:30")};
  e.sessions[1].kind = session_kind::press;
  e.sessions[2].kind = session_kind::lunch;  // migration 10 allows it
  e.sessions[3].kind = session_kind::seminar;
  e.sessions[3].track = "housing";
  e.sessions[3].description = {{"sv", "Om boende"}, {"en", "On housing"}};
  e.sessions[3].speakers = {{"Johanna Ek", {{"sv", "bostadsstrateg"}}},
                            {"Omar Farah", {}},
                            {"Anna Ål", {{"fi", "asiantuntija"}}}};
  e.sessions[4].speakers = {{"Karin Lindqvist", {{"sv", "landshövding"}}}};
  return e;
}

event normalized(event e) {
  normalize(e);
  return e;
}

int count(sqlite_db& db, const std::string& sql) {
  statement s(db, sql);
  return s.step() ? s.integer(0) : -1;
}

TEST(SqliteProgramStoreTest, EmptyStoreHasNoEvents) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  EXPECT_FALSE(store.has_events());
  EXPECT_TRUE(store.list_events().empty());
  EXPECT_EQ(store.find_event("sample-2027"), std::nullopt);
}

TEST(SqliteProgramStoreTest, SavedEventIsFoundWhole) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  const event e = sample_event();
  ASSERT_EQ(validate(e), std::vector<std::string>{});
  store.save_event(e);
  EXPECT_TRUE(store.has_events());
  const auto found = store.find_event(e.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, normalized(e));
  EXPECT_EQ(store.find_event("other"), std::nullopt);
}

TEST(SqliteProgramStoreTest, DemoEventRoundTripsAndSurvivesReopening) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  const event demo = load_demo_event(demo_path);
  {
    sqlite_db db(path);
    sqlite_program_store store(db);
    store.save_event(demo);
  }
  sqlite_db db(path);
  sqlite_program_store store(db);
  const auto found = store.find_event(demo.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, demo);
}

TEST(SqliteProgramStoreTest, StoresWhichRoomsAllowGuests) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  event e = sample_event();
  {
    sqlite_db db(path);
    sqlite_program_store store(db);
    store.save_event(e);
    EXPECT_EQ(count(db, "SELECT count(*) FROM rooms WHERE guests = 1"), 2);
    // Turning guests off is saved too, not only turning it on.
    e.rooms[1].guests = false;  // main
    store.save_event(e);
  }
  sqlite_db db(path);
  sqlite_program_store store(db);
  const auto found = store.find_event(e.id);
  ASSERT_TRUE(found);
  std::map<std::string, bool> guests;
  for (const room& r : found->rooms) guests[r.id] = r.guests;
  EXPECT_EQ(guests, (std::map<std::string, bool>{
                        {"main", false}, {"press", false}, {"seminar-a", true}}));
  EXPECT_EQ(*found, normalized(e));
  // The schema refuses anything but 0 and 1, as it would from a hand edit.
  EXPECT_THROW(db.exec("UPDATE rooms SET guests = 2 WHERE id = 'main'"), store_error);
}

TEST(SqliteProgramStoreTest, MigratingAVersionOneFileKeepsItsEventAndClosesRoomsToGuests) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  // A file as a samling with only migration 1 left it: the SQL of migration 1, version 1, and
  // an event written with the columns that version had.
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const std::string setup =
        std::string(migrations().at(0).sql) +
        "PRAGMA user_version = 1;"
        "INSERT INTO events (id, title, summary, organizer, venue, city, timezone, languages) "
        "  VALUES ('old-2026', '{\"sv\":\"Gamla dagen\",\"fi\":\"Vanha päivä\"}', '{}',"
        "          'Länsstyrelsen', 'Regeringsgatan 66', 'Stockholm', 'Europe/Stockholm',"
        "          '[\"sv\",\"fi\"]');"
        "INSERT INTO event_days (event_id, day) VALUES ('old-2026', '2026-02-10');"
        "INSERT INTO rooms (event_id, id, kind, name, position) VALUES"
        "  ('old-2026', 'main', 'main_stage', '{\"sv\":\"Stora salen\"}', 0),"
        "  ('old-2026', 'press', 'press', '{\"sv\":\"Pressrum\"}', 1);"
        "INSERT INTO sessions (event_id, id, room_id, day, starts_at, ends_at, kind, title)"
        "  VALUES ('old-2026', 'open', 'main', '2026-02-10', '10:00', '10:30', 'plenary',"
        "          '{\"sv\":\"Öppning\"}');"
        "INSERT INTO speakers (event_id, session_id, position, name, affiliation)"
        "  VALUES ('old-2026', 'open', 0, 'Karin Lindqvist', '{\"sv\":\"landshövding\"}');";
    char* message = nullptr;
    const int rc = sqlite3_exec(raw, setup.c_str(), nullptr, nullptr, &message);
    EXPECT_EQ(rc, SQLITE_OK) << (message ? message : "");
    sqlite3_free(message);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK);
  }

  sqlite_db db(path);
  ASSERT_GE(latest_schema_version(), 4);
  EXPECT_EQ(db.schema_version(), latest_schema_version());
  sqlite_program_store store(db);

  event expected;
  expected.id = "old-2026";
  expected.title = {{"sv", "Gamla dagen"}, {"fi", "Vanha päivä"}};
  expected.organizer = "Länsstyrelsen";
  expected.venue = "Regeringsgatan 66";
  expected.city = "Stockholm";
  expected.timezone = "Europe/Stockholm";
  expected.days = {"2026-02-10"};
  expected.languages = {"sv", "fi"};
  expected.rooms = {{"main", room_kind::main_stage, {{"sv", "Stora salen"}}, 0, false},
                    {"press", room_kind::press, {{"sv", "Pressrum"}}, 1, false}};
  expected.sessions = {make_session("open", "main", "2026-02-10", "10:00", "10:30")};
  expected.sessions[0].title = {{"sv", "Öppning"}};
  expected.sessions[0].speakers = {{"Karin Lindqvist", {{"sv", "landshövding"}}}};
  EXPECT_EQ(store.find_event("old-2026"), expected);
  EXPECT_EQ(count(db, "SELECT count(*) FROM rooms WHERE guests = 0"), 2);
  // The chat table of migration 2 is there and empty.
  EXPECT_EQ(count(db, "SELECT count(*) FROM chat_messages"), 0);

  // And the migrated file takes the new column like a fresh one.
  expected.rooms[0].guests = true;
  store.save_event(expected);
  EXPECT_EQ(store.find_event("old-2026"), expected);
}

TEST(SqliteProgramStoreTest, KeepsTheSeriesVisibilityCapacityAddressAndSessionState) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  event e = normalized(sample_event());
  e.series_id = "regional-2027";
  e.visibility = visibility::unlisted;
  e.capacity = 120;
  e.venue_address = "Regeringsgatan 66, 111 39 Stockholm";
  e.sessions.at(0).cancelled = true;
  e.sessions.at(0).sequence = 3;
  store.save_event(e);
  EXPECT_EQ(store.find_event(e.id), e);
  const auto listed = store.list_events();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], summary_of(e));
  // A private event and a cancelled, re-sequenced session round-trip too.
  e.visibility = visibility::private_event;
  e.sessions.at(0).cancelled = false;
  e.sessions.at(0).sequence = 4;
  store.save_event(e);
  EXPECT_EQ(store.find_event(e.id), e);
}

TEST(SqliteProgramStoreTest, SavingAgainReplacesEverythingOfTheEvent) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  store.save_event(sample_event());
  store.save_event(sample_event("neighbour-2027", "2027-04-01"));

  event changed = sample_event();
  changed.title["sv"] = "Ny titel";
  changed.days.pop_back();  // day two and its session are gone
  changed.sessions.erase(changed.sessions.begin());
  changed.rooms.erase(changed.rooms.begin());  // the press room and its session too
  changed.sessions.erase(changed.sessions.begin());
  changed.sessions[1].speakers = {{"Ny talare", {{"sv", "ny roll"}}}};  // "seminar"
  ASSERT_EQ(validate(changed), std::vector<std::string>{});
  store.save_event(changed);

  const auto found = store.find_event(changed.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, normalized(changed));
  EXPECT_EQ(count(db, "SELECT count(*) FROM sessions WHERE event_id = 'sample-2027'"), 3);
  EXPECT_EQ(count(db, "SELECT count(*) FROM rooms WHERE event_id = 'sample-2027'"), 2);
  EXPECT_EQ(count(db, "SELECT count(*) FROM event_days WHERE event_id = 'sample-2027'"), 1);
  EXPECT_EQ(count(db, "SELECT count(*) FROM speakers WHERE event_id = 'sample-2027'"), 2);
  // The other event is untouched.
  EXPECT_EQ(store.find_event("neighbour-2027"),
            normalized(sample_event("neighbour-2027", "2027-04-01")));
}

TEST(SqliteProgramStoreTest, AFailedSaveLeavesThePreviousVersion) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  store.save_event(sample_event());
  event broken = sample_event();
  broken.title["sv"] = "Ska inte synas";
  broken.sessions[0].room_id = "no-such-room";  // the foreign key refuses it mid-transaction
  EXPECT_THROW(store.save_event(broken), store_error);
  EXPECT_EQ(store.find_event("sample-2027"), normalized(sample_event()));
}

TEST(SqliteProgramStoreTest, ListsEventsByFirstDayThenId) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  store.save_event(sample_event("b-later", "2027-05-01"));
  store.save_event(sample_event("z-early", "2027-02-01"));
  store.save_event(sample_event("a-early", "2027-02-01"));
  store.save_event(sample_event("m-middle", "2027-03-01"));
  const auto events = store.list_events();
  std::vector<std::string> ids;
  for (const auto& s : events) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"a-early", "z-early", "m-middle", "b-later"}));
  EXPECT_EQ(events[0], summary_of(sample_event("a-early", "2027-02-01")));
}

TEST(SqliteProgramStoreTest, SeedsTheDemoOnceAndOnlyOnce) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  {
    sqlite_db db(path);
    sqlite_program_store store(db);
    EXPECT_TRUE(seed_demo_if_empty(store, demo_path));
    EXPECT_FALSE(seed_demo_if_empty(store, demo_path));
    ASSERT_EQ(store.list_events().size(), 1u);
    EXPECT_EQ(store.list_events()[0].id, "stockholm-tillsammans-2027");
  }
  // A restart does not seed again, even when the demo file is gone by then.
  sqlite_db db(path);
  sqlite_program_store store(db);
  EXPECT_FALSE(seed_demo_if_empty(store, dir.file("missing.json")));
  EXPECT_EQ(store.list_events().size(), 1u);
}

TEST(SqliteProgramStoreTest, DoesNotSeedOverAnotherEvent) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  store.save_event(sample_event());
  EXPECT_FALSE(seed_demo_if_empty(store, demo_path));
  EXPECT_EQ(store.find_event("stockholm-tillsammans-2027"), std::nullopt);
}

TEST(SqliteProgramStoreTest, SeedingFromABadFileThrowsAndSavesNothing) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  EXPECT_THROW(seed_demo_if_empty(store, dir.file("missing.json")), std::runtime_error);
  EXPECT_FALSE(store.has_events());
}

TEST(SqliteProgramStoreTest, DamagedStoredTextIsAStoreError) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_program_store store(db);
  store.save_event(sample_event());
  db.exec("UPDATE rooms SET name = 'not json' WHERE id = 'main'");
  EXPECT_THROW(store.find_event("sample-2027"), store_error);
}

}  // namespace
}  // namespace samling::store
