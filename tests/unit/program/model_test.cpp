#include "program/model.hpp"

#include <functional>

#include <gtest/gtest.h>

namespace samling::program {
namespace {

// A small valid event: one day, a main stage and a seminar room, two back-to-back sessions.
event valid_event() {
  event e;
  e.id = "test-event-2027";
  e.title = {{"sv", "Testdagen"}, {"en", "Test day"}};
  e.days = {"2027-02-09"};
  e.languages = {"sv", "en"};
  e.rooms = {{"main", room_kind::main_stage, {{"sv", "Stora salen"}}, 0},
             {"seminar-a", room_kind::seminar, {{"sv", "Sal A"}}, 1}};
  session open;
  open.id = "s-open";
  open.room_id = "main";
  open.day = "2027-02-09";
  open.starts_at = "10:00";
  open.ends_at = "10:30";
  open.title = {{"sv", "Öppning"}};
  session talk = open;
  talk.id = "s-talk";
  talk.starts_at = "10:30";  // back to back with s-open: touching is not overlapping
  talk.ends_at = "11:00";
  talk.title = {{"sv", "Föredrag"}};
  talk.speakers = {{"Anna Berg", {{"sv", "utredare"}}}};
  e.sessions = {open, talk};
  return e;
}

session make_session(std::string id, std::string room_id, std::string starts, std::string ends) {
  session s;
  s.id = std::move(id);
  s.room_id = std::move(room_id);
  s.day = "2027-02-09";
  s.starts_at = std::move(starts);
  s.ends_at = std::move(ends);
  s.title = {{"sv", "Titel"}};
  return s;
}

TEST(ModelTest, ValidEventHasNoProblems) {
  EXPECT_EQ(validate(valid_event()), std::vector<std::string>{});
}

struct localized_case {
  const char* name;
  localized_text text;
  const char* lang;
  const char* expected;
};

TEST(ModelTest, LocalizedFallsBackToSwedishThenFirstPresent) {
  const localized_case cases[] = {
      {"exact language", {{"sv", "Hej"}, {"en", "Hello"}, {"fi", "Hei"}}, "fi", "Hei"},
      {"missing language falls back to Swedish", {{"sv", "Hej"}, {"en", "Hello"}}, "fi", "Hej"},
      {"no Swedish: first present", {{"fi", "Hei"}, {"en", "Hello"}}, "sv", "Hello"},
      {"empty translation counts as missing", {{"sv", "Hej"}, {"en", ""}}, "en", "Hej"},
      {"empty Swedish skipped too", {{"sv", ""}, {"fi", "Hei"}}, "en", "Hei"},
      {"nothing at all", {}, "sv", ""},
      {"only empty texts", {{"sv", ""}}, "sv", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(localized(c.text, c.lang), c.expected) << c.name;
}

TEST(ModelTest, EnumsRoundTripThroughTheirWireNames) {
  for (auto k : {room_kind::main_stage, room_kind::seminar, room_kind::press})
    EXPECT_EQ(room_kind_from_string(to_string(k)), k);
  for (auto k : {session_kind::plenary, session_kind::seminar, session_kind::break_time,
                 session_kind::lunch, session_kind::press})
    EXPECT_EQ(session_kind_from_string(to_string(k)), k);
  EXPECT_EQ(to_string(room_kind::main_stage), "main_stage");
  EXPECT_EQ(to_string(session_kind::break_time), "break");
  EXPECT_EQ(to_string(session_kind::lunch), "lunch");
  EXPECT_EQ(room_kind_from_string("Main_Stage"), std::nullopt);
  EXPECT_EQ(room_kind_from_string("plenary"), std::nullopt);
  EXPECT_EQ(session_kind_from_string("break_time"), std::nullopt);
  EXPECT_EQ(session_kind_from_string(""), std::nullopt);
}

struct rule_case {
  const char* name;
  std::function<void(event&)> mutate;
  const char* expected;  // the one problem validate() must report
};

TEST(ModelTest, ValidateReportsEachRuleNamingTheItem) {
  const rule_case cases[] = {
      {"empty id", [](event& e) { e.id = ""; }, "id: is required"},
      {"uppercase id", [](event& e) { e.id = "Stockholm"; },
       "id: \"Stockholm\" is not a URL-safe slug (use a-z, 0-9 and -)"},
      {"id with slash", [](event& e) { e.id = "a/b"; },
       "id: \"a/b\" is not a URL-safe slug (use a-z, 0-9 and -)"},
      {"id with space", [](event& e) { e.id = "a b"; },
       "id: \"a b\" is not a URL-safe slug (use a-z, 0-9 and -)"},
      {"title without Swedish", [](event& e) { e.title = {{"en", "Test day"}}; },
       "title: a Swedish (\"sv\") title is required"},
      {"empty Swedish title", [](event& e) { e.title["sv"] = ""; },
       "title: a Swedish (\"sv\") title is required"},
      {"no days",
       [](event& e) {
         e.days.clear();
         e.sessions.clear();
       },
       "days: at least one day is required"},
      {"30 February", [](event& e) { e.days.push_back("2027-02-30"); },
       "days[1]: \"2027-02-30\" is not a valid date (YYYY-MM-DD)"},
      {"29 February outside a leap year", [](event& e) { e.days.push_back("2027-02-29"); },
       "days[1]: \"2027-02-29\" is not a valid date (YYYY-MM-DD)"},
      {"month 13", [](event& e) { e.days.push_back("2027-13-01"); },
       "days[1]: \"2027-13-01\" is not a valid date (YYYY-MM-DD)"},
      {"single-digit month", [](event& e) { e.days.push_back("2027-3-01"); },
       "days[1]: \"2027-3-01\" is not a valid date (YYYY-MM-DD)"},
      {"not a date", [](event& e) { e.days.push_back("tomorrow!!"); },
       "days[1]: \"tomorrow!!\" is not a valid date (YYYY-MM-DD)"},
      {"days out of order", [](event& e) { e.days.push_back("2027-02-08"); },
       "days[1]: \"2027-02-08\" comes before \"2027-02-09\" (days must be in ascending order)"},
      {"duplicate day", [](event& e) { e.days.push_back("2027-02-09"); },
       "days[1]: \"2027-02-09\" appears more than once"},
      {"unsupported language", [](event& e) { e.languages.push_back("de"); },
       "languages[2]: \"de\" is not supported (use sv, en or fi)"},
      {"duplicate language", [](event& e) { e.languages.push_back("sv"); },
       "languages[2]: \"sv\" appears more than once"},
      {"duplicate room id",
       [](event& e) { e.rooms.push_back({"main", room_kind::press, {{"sv", "Press"}}, 2}); },
       "rooms[2] (\"main\"): id \"main\" is used by another room"},
      {"empty room id",
       [](event& e) { e.rooms.push_back({"", room_kind::press, {{"sv", "Press"}}, 2}); },
       "rooms[2]: id is required"},
      {"duplicate session id",
       [](event& e) {
         e.sessions.push_back(make_session("s-open", "seminar-a", "10:00", "11:00"));
       },
       "sessions[2] (\"s-open\"): id \"s-open\" is used by another session"},
      {"empty session id",
       [](event& e) { e.sessions.push_back(make_session("", "seminar-a", "10:00", "11:00")); },
       "sessions[2]: id is required"},
      {"unknown room", [](event& e) { e.sessions[1].room_id = "x"; },
       "sessions[1] (\"s-talk\"): room \"x\" does not exist"},
      {"day not among the event's days", [](event& e) { e.sessions[1].day = "2027-02-10"; },
       "sessions[1] (\"s-talk\"): day \"2027-02-10\" is not one of the event's days"},
      {"hour without leading zero", [](event& e) { e.sessions[1].starts_at = "9:30"; },
       "sessions[1] (\"s-talk\"): starts_at \"9:30\" is not a time (HH:MM)"},
      {"hour 24", [](event& e) { e.sessions[1].ends_at = "24:00"; },
       "sessions[1] (\"s-talk\"): ends_at \"24:00\" is not a time (HH:MM)"},
      {"minute 60", [](event& e) { e.sessions[1].ends_at = "10:60"; },
       "sessions[1] (\"s-talk\"): ends_at \"10:60\" is not a time (HH:MM)"},
      {"ends when it starts", [](event& e) { e.sessions[1].ends_at = "10:30"; },
       "sessions[1] (\"s-talk\"): ends_at 10:30 is not after starts_at 10:30"},
      {"ends before it starts", [](event& e) { e.sessions[1].ends_at = "10:00"; },
       "sessions[1] (\"s-talk\"): ends_at 10:00 is not after starts_at 10:30"},
      {"overlap in the same room", [](event& e) { e.sessions[1].starts_at = "10:15"; },
       "sessions[1] (\"s-talk\"): overlaps sessions[0] (\"s-open\") in room \"main\" on "
       "2027-02-09 (10:00-10:30)"},
      {"session without a title", [](event& e) { e.sessions[1].title = {{"sv", ""}}; },
       "sessions[1] (\"s-talk\"): a title is required"},
      {"speaker without a name", [](event& e) { e.sessions[1].speakers[0].name = ""; },
       "sessions[1] (\"s-talk\").speakers[0]: name is required"},
  };
  for (const auto& c : cases) {
    event e = valid_event();
    c.mutate(e);
    EXPECT_EQ(validate(e), std::vector<std::string>{c.expected}) << c.name;
  }
}

TEST(ModelTest, ValidAcceptsLeapDaysParallelRoomsAndAnEmptyLanguageList) {
  event e = valid_event();
  e.days = {"2028-02-29", "2028-03-01"};
  e.sessions.clear();
  // Same time in two rooms is what parallel seminars are.
  e.sessions.push_back(make_session("a", "main", "13:00", "14:30"));
  e.sessions.push_back(make_session("b", "seminar-a", "13:00", "14:30"));
  // Same room and time on another day.
  e.sessions.push_back(make_session("c", "main", "13:00", "14:30"));
  for (auto& s : e.sessions) s.day = "2028-02-29";
  e.sessions[2].day = "2028-03-01";
  e.sessions.push_back(make_session("d", "main", "00:00", "23:59"));
  e.sessions[3].day = "2028-03-01";
  e.sessions[3].starts_at = "14:30";
  e.languages.clear();
  EXPECT_EQ(validate(e), std::vector<std::string>{});
}

TEST(ModelTest, OverlapWithALongSessionIsFoundPastShorterOnes) {
  event e = valid_event();
  e.sessions = {make_session("long", "main", "09:00", "12:00"),
                make_session("short-1", "main", "09:30", "10:00"),
                make_session("short-2", "main", "10:30", "11:00"),
                make_session("after", "main", "12:00", "13:00")};
  const auto problems = validate(e);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].rfind("sessions[1] (\"short-1\"): overlaps sessions[0] (\"long\")", 0), 0u)
      << problems[0];
  EXPECT_EQ(problems[1].rfind("sessions[2] (\"short-2\"): overlaps sessions[0] (\"long\")", 0), 0u)
      << problems[1];
}

TEST(ModelTest, ValidateReportsEveryProblemAtOnce) {
  event e = valid_event();
  e.id = "";
  e.title.clear();
  e.sessions[0].room_id = "nowhere";
  e.sessions[1].ends_at = "late";
  EXPECT_EQ(validate(e), (std::vector<std::string>{
                             "id: is required",
                             "title: a Swedish (\"sv\") title is required",
                             "sessions[0] (\"s-open\"): room \"nowhere\" does not exist",
                             "sessions[1] (\"s-talk\"): ends_at \"late\" is not a time (HH:MM)",
                         }));
}

TEST(ModelTest, NormalizeSortsRoomsByPositionAndSessionsByDayTimeRoom) {
  event e = valid_event();
  e.days = {"2027-02-09", "2027-02-10"};
  e.rooms = {{"z-last", room_kind::press, {}, 2},
             {"b-second", room_kind::seminar, {}, 1},
             {"a-first", room_kind::main_stage, {}, 0}};
  e.sessions = {make_session("day2", "a-first", "09:00", "10:00"),
                make_session("late", "a-first", "11:00", "12:00"),
                make_session("press", "z-last", "10:00", "11:00"),
                make_session("seminar", "b-second", "10:00", "11:00"),
                make_session("main-2", "a-first", "10:00", "10:30"),
                make_session("main-1", "a-first", "10:00", "10:20")};
  e.sessions[0].day = "2027-02-10";
  normalize(e);
  std::vector<std::string> rooms, sessions;
  for (const auto& r : e.rooms) rooms.push_back(r.id);
  for (const auto& s : e.sessions) sessions.push_back(s.id);
  EXPECT_EQ(rooms, (std::vector<std::string>{"a-first", "b-second", "z-last"}));
  // Same day and start: by room position, then by id.
  EXPECT_EQ(sessions, (std::vector<std::string>{"main-1", "main-2", "seminar", "press", "late",
                                                "day2"}));
}

TEST(ModelTest, CheckNamesTheListIndexAndFieldOfEachProblem) {
  event e = valid_event();
  e.timezone = "CET+1";
  e.capacity = -1;
  e.sessions[1].room_id = "x";
  const auto problems = check(e);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].field, "timezone");
  EXPECT_EQ(problems[0].list, "");
  EXPECT_EQ(problems[1].field, "capacity");
  EXPECT_EQ(problems[2].list, "sessions");
  EXPECT_EQ(problems[2].index, std::optional<std::size_t>(1));
  EXPECT_EQ(problems[2].field, "room_id");
  EXPECT_EQ(validate(e).at(0),
            "timezone: \"CET+1\" is not a time zone of the tz database (e.g. Europe/Stockholm)");
}

TEST(ModelTest, CancelledSessionsAreLeftOutOfTheOverlapCheck) {
  event e = valid_event();
  e.sessions[1].starts_at = "10:15";
  EXPECT_EQ(validate(e).size(), 1u);
  e.sessions[0].cancelled = true;
  EXPECT_EQ(validate(e), std::vector<std::string>{});
}

TEST(ModelTest, SessionTimesInUtcFollowTheZoneAcrossDst) {
  event e = valid_event();
  e.days = {"2027-03-27", "2027-03-28", "2027-10-30", "2027-10-31"};
  session s = e.sessions[0];
  s.starts_at = "09:30";
  s.ends_at = "10:00";
  s.day = "2027-03-27";  // CET, +01:00
  EXPECT_EQ(starts_utc(e, s), std::optional<std::int64_t>(1806136200));  // 08:30Z
  s.day = "2027-03-28";  // CEST, +02:00
  EXPECT_EQ(starts_utc(e, s), std::optional<std::int64_t>(1806219000));  // 07:30Z
  s.day = "2027-10-31";  // CET again
  EXPECT_EQ(ends_utc(e, s), std::optional<std::int64_t>(1824973200));    // 09:00Z
  e.timezone = "Europe/Helsinki";
  EXPECT_EQ(ends_utc(e, s), std::optional<std::int64_t>(1824969600));    // 08:00Z
  s.starts_at = "25:00";
  EXPECT_EQ(starts_utc(e, s), std::nullopt);
}

TEST(ModelTest, SlugifyFoldsSwedishAndFinnishLetters) {
  EXPECT_EQ(slugify("\xC3\x96ppning & v\xC3\xA4lkommen!"), "oppning-valkommen");
  EXPECT_EQ(slugify("  Bos\xC3\xA4ttning: fr\xC3\xA5n anvisning  "), "bosattning-fran-anvisning");
  EXPECT_EQ(slugify("???"), "");
  EXPECT_LE(slugify(std::string(200, 'a')).size(), 48u);
}

TEST(ModelTest, SummaryOfCopiesTheListingFields) {
  event e = valid_event();
  e.summary = {{"sv", "Om dagen"}};
  e.city = "Stockholm";
  e.venue = "Regeringsgatan 66";
  e.series_id = "regional-2027";
  e.visibility = visibility::unlisted;
  e.timezone = "Europe/Helsinki";
  const event_summary s = summary_of(e);
  EXPECT_EQ(s, (event_summary{e.id, e.title, e.summary, "Stockholm", "Regeringsgatan 66", e.days,
                              "regional-2027", visibility::unlisted, "Europe/Helsinki"}));
}

}  // namespace
}  // namespace samling::program
