#include "program/demo.hpp"

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace samling::program {
namespace {

const std::string demo_path =
    std::string(SAMLING_SOURCE_DIR) + "/config/demo/stockholm-tillsammans.json";

using samling::testing::temp_dir;

std::string load_error(const std::string& path) {
  try {
    load_demo_event(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_all_languages(const localized_text& text, const std::string& what) {
  for (const char* lang : {"sv", "en", "fi"}) {
    auto it = text.find(lang);
    EXPECT_TRUE(it != text.end() && !it->second.empty()) << what << " has no \"" << lang << "\"";
  }
  EXPECT_EQ(text.size(), 3u) << what << " has a language beyond sv, en and fi";
}

TEST(DemoTest, DemoEventLoadsAndValidates) {
  const event e = load_demo_event(demo_path);
  EXPECT_EQ(validate(e), std::vector<std::string>{});
  EXPECT_EQ(e.id, "stockholm-tillsammans-2027");
  EXPECT_EQ(e.days.size(), 1u);
  EXPECT_EQ(e.languages, (std::vector<std::string>{"sv", "en", "fi"}));
  EXPECT_EQ(e.city, "Stockholm");
  EXPECT_NE(e.venue.find("Regeringsgatan 66"), std::string::npos);
}

TEST(DemoTest, DemoHasAMainStageFourSeminarRoomsAndAPressRoom) {
  const event e = load_demo_event(demo_path);
  ASSERT_EQ(e.rooms.size(), 6u);
  std::map<room_kind, int> kinds;
  for (const room& r : e.rooms) ++kinds[r.kind];
  EXPECT_EQ(kinds[room_kind::main_stage], 1);
  EXPECT_EQ(kinds[room_kind::seminar], 4);
  EXPECT_EQ(kinds[room_kind::press], 1);
  EXPECT_EQ(e.rooms.front().kind, room_kind::main_stage);
}

TEST(DemoTest, DemoLetsGuestsIntoEveryRoomButThePressRoom) {
  const event e = load_demo_event(demo_path);
  std::set<std::string> open_to_guests;
  for (const room& r : e.rooms)
    if (r.guests) open_to_guests.insert(r.id);
  EXPECT_EQ(open_to_guests,
            (std::set<std::string>{"main", "seminar-housing", "seminar-health", "seminar-work",
                                   "seminar-civil-society"}));
  for (const room& r : e.rooms) EXPECT_EQ(r.guests, r.kind != room_kind::press) << r.id;
}

TEST(DemoTest, DemoHasFourParallelSeminarsOnePerSeminarRoom) {
  const event e = load_demo_event(demo_path);
  std::map<std::string, std::set<std::string>> rooms_by_slot;  // "day start-end" -> rooms
  for (const session& s : e.sessions)
    if (s.kind == session_kind::seminar)
      rooms_by_slot[s.day + " " + s.starts_at + "-" + s.ends_at].insert(s.room_id);
  std::set<std::string> seminar_rooms;
  for (const room& r : e.rooms)
    if (r.kind == room_kind::seminar) seminar_rooms.insert(r.id);
  ASSERT_FALSE(rooms_by_slot.empty());
  for (const auto& [slot, rooms] : rooms_by_slot) EXPECT_EQ(rooms, seminar_rooms) << slot;
  // The seminars are in the afternoon, after the plenary morning.
  EXPECT_GE(rooms_by_slot.begin()->first.substr(11, 5), "12:00");
}

TEST(DemoTest, DemoHasAPressMeetingDuringLunchAndPlenariesOnTheMainStage) {
  const event e = load_demo_event(demo_path);
  const session* lunch = nullptr;
  std::vector<const session*> press;
  for (const session& s : e.sessions) {
    if (s.id == "lunch") lunch = &s;
    if (s.kind == session_kind::press) press.push_back(&s);
    if (s.kind == session_kind::plenary) {
      EXPECT_EQ(s.room_id, "main") << s.id;
    }
  }
  ASSERT_NE(lunch, nullptr);
  ASSERT_FALSE(press.empty());
  EXPECT_EQ(press.front()->room_id, "press");
  EXPECT_GE(press.front()->starts_at, lunch->starts_at);
  EXPECT_LE(press.front()->ends_at, lunch->ends_at);
}

TEST(DemoTest, EveryTextOfTheDemoIsInSwedishEnglishAndFinnish) {
  const event e = load_demo_event(demo_path);
  expect_all_languages(e.title, "event title");
  expect_all_languages(e.summary, "event summary");
  for (const room& r : e.rooms) expect_all_languages(r.name, "room " + r.id);
  for (const session& s : e.sessions) {
    expect_all_languages(s.title, "session " + s.id + " title");
    expect_all_languages(s.description, "session " + s.id + " description");
    for (const speaker& sp : s.speakers)
      expect_all_languages(sp.affiliation, "speaker " + sp.name + " in " + s.id);
  }
}

TEST(DemoTest, MissingFileIsReportedWithItsPath) {
  temp_dir dir;
  const std::string path = (dir.path() / "nope.json").string();
  const std::string error = load_error(path);
  EXPECT_EQ(error.rfind(path + ": cannot open demo event file", 0), 0u) << error;
}

TEST(DemoTest, InvalidJsonIsReportedWithPathAndPosition) {
  temp_dir dir;
  const std::string path = dir.write("broken.json", "{\n  \"id\": \"x\",\n  \"days\": [,]\n}\n");
  const std::string error = load_error(path);
  EXPECT_EQ(error.rfind(path + ": invalid JSON at line 3, column 12", 0), 0u) << error;
}

TEST(DemoTest, TruncatedJsonIsReported) {
  temp_dir dir;
  const std::string path = dir.write("truncated.json", "{\"id\": \"x\"");
  const std::string error = load_error(path);
  EXPECT_EQ(error.rfind(path + ": invalid JSON at line 1, column 11", 0), 0u) << error;
}

TEST(DemoTest, InvalidEventListsEveryProblem) {
  temp_dir dir;
  const std::string path = dir.write("invalid.json", R"({"id": "Bad Id", "title": {"en": "x"},
    "days": ["2027-02-09"], "rooms": [], "sessions": [{"id": "s", "room_id": "main",
    "day": "2027-02-09", "starts_at": "10:00", "ends_at": "11:00", "kind": "plenary",
    "title": {"sv": "s"}}]})");
  EXPECT_EQ(load_error(path),
            path + ": invalid demo event:\n"
                   "  id: \"Bad Id\" is not a URL-safe slug (use a-z, 0-9 and -)\n"
                   "  title: a Swedish (\"sv\") title is required\n"
                   "  sessions[0] (\"s\"): room \"main\" does not exist");
}

}  // namespace
}  // namespace samling::program
