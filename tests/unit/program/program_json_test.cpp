#include "program/program_json.hpp"

#include <functional>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace samling::program {
namespace {

namespace json = boost::json;

// The wire form the web app and the API tests are written against; every field present.
constexpr const char* full_event_json = R"({
  "id": "wire-2027",
  "title": {"sv": "Trådformat", "en": "Wire format", "fi": "Siirtomuoto"},
  "summary": {"sv": "Om dagen", "en": "About the day"},
  "organizer": "Länsstyrelsen",
  "venue": "Regeringsgatan 66",
  "city": "Stockholm",
  "timezone": "Europe/Helsinki",
  "days": ["2027-02-09", "2027-02-10"],
  "languages": ["sv", "en", "fi"],
  "rooms": [
    {"id": "main", "kind": "main_stage", "name": {"sv": "Stora salen"}, "position": 0,
     "guests": true},
    {"id": "seminar-a", "kind": "seminar", "name": {"sv": "Sal A", "fi": "Sali A"}, "position": 1,
     "guests": true},
    {"id": "press", "kind": "press", "name": {"sv": "Pressrum"}, "position": 2, "guests": false}
  ],
  "sessions": [
    {"id": "s-open", "room_id": "main", "day": "2027-02-09", "starts_at": "10:00",
     "ends_at": "10:30", "kind": "plenary", "track": "",
     "title": {"sv": "Öppning", "en": "Opening"}, "description": {"sv": "Välkommen"},
     "speakers": [{"name": "Karin Lindqvist", "affiliation": {"sv": "landshövding"}}]},
    {"id": "s-lunch", "room_id": "main", "day": "2027-02-09", "starts_at": "12:00",
     "ends_at": "13:00", "kind": "break", "track": "",
     "title": {"sv": "Lunch"}, "description": {}, "speakers": []},
    {"id": "s-housing", "room_id": "seminar-a", "day": "2027-02-10", "starts_at": "13:00",
     "ends_at": "14:30", "kind": "seminar", "track": "housing",
     "title": {"sv": "Bosättning"}, "description": {"sv": "Om boende", "fi": "Asumisesta"},
     "speakers": [{"name": "Johanna Ek", "affiliation": {"sv": "bostadsstrateg"}},
                  {"name": "Omar Farah", "affiliation": {}}]},
    {"id": "s-press", "room_id": "press", "day": "2027-02-09", "starts_at": "12:15",
     "ends_at": "12:45", "kind": "press", "track": "",
     "title": {"sv": "Pressträff"}, "description": {}, "speakers": []}
  ]
})";

// The smallest event the parser accepts: every optional field left out.
constexpr const char* minimal_event_json = R"({
  "id": "minimal",
  "title": {"sv": "Minimal"},
  "days": ["2027-02-09"],
  "rooms": [{"id": "main", "kind": "main_stage", "name": {"sv": "Sal"}, "position": 0}],
  "sessions": [{"id": "s1", "room_id": "main", "day": "2027-02-09", "starts_at": "10:00",
                "ends_at": "11:00", "kind": "plenary", "title": {"sv": "Enda passet"}}]
})";

std::vector<std::string> keys_of(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  return keys;
}

event parse_ok(const char* text) {
  std::vector<std::string> errors;
  auto e = event_from_json(json::parse(text), errors);
  EXPECT_EQ(errors, std::vector<std::string>{});
  if (!e) throw std::runtime_error("event did not parse");
  return *e;
}

TEST(ProgramJsonTest, ParsesEveryFieldOfTheWireForm) {
  const event e = parse_ok(full_event_json);
  EXPECT_EQ(e.id, "wire-2027");
  EXPECT_EQ(e.title.at("fi"), "Siirtomuoto");
  EXPECT_EQ(e.summary.at("en"), "About the day");
  EXPECT_EQ(e.organizer, "Länsstyrelsen");
  EXPECT_EQ(e.venue, "Regeringsgatan 66");
  EXPECT_EQ(e.city, "Stockholm");
  EXPECT_EQ(e.timezone, "Europe/Helsinki");
  EXPECT_EQ(e.days, (std::vector<std::string>{"2027-02-09", "2027-02-10"}));
  EXPECT_EQ(e.languages, (std::vector<std::string>{"sv", "en", "fi"}));
  ASSERT_EQ(e.rooms.size(), 3u);
  EXPECT_EQ(e.rooms[2].kind, room_kind::press);
  EXPECT_EQ(e.rooms[1].name.at("fi"), "Sali A");
  EXPECT_TRUE(e.rooms[0].guests);
  EXPECT_TRUE(e.rooms[1].guests);
  EXPECT_FALSE(e.rooms[2].guests);
  ASSERT_EQ(e.sessions.size(), 4u);
  // Normalized: day, then start, then room position.
  std::vector<std::string> order;
  for (const auto& s : e.sessions) order.push_back(s.id);
  EXPECT_EQ(order, (std::vector<std::string>{"s-open", "s-lunch", "s-press", "s-housing"}));
  EXPECT_EQ(e.sessions[1].kind, session_kind::break_time);
  const session& housing = e.sessions[3];
  EXPECT_EQ(housing.kind, session_kind::seminar);
  EXPECT_EQ(housing.track, "housing");
  EXPECT_EQ(housing.description.at("fi"), "Asumisesta");
  ASSERT_EQ(housing.speakers.size(), 2u);
  EXPECT_EQ(housing.speakers[0].name, "Johanna Ek");
  EXPECT_EQ(housing.speakers[0].affiliation.at("sv"), "bostadsstrateg");
  EXPECT_TRUE(housing.speakers[1].affiliation.empty());
}

TEST(ProgramJsonTest, RoundTripsThroughTextUnchanged) {
  const event e = parse_ok(full_event_json);
  const std::string text = json::serialize(to_json(e));
  std::vector<std::string> errors;
  const auto again = event_from_json(json::parse(text), errors);
  ASSERT_TRUE(again) << ::testing::PrintToString(errors);
  EXPECT_EQ(*again, e);
  EXPECT_EQ(json::serialize(to_json(*again)), text);
  // guests survives in both directions, so the comparison above covers it.
  EXPECT_EQ(again->rooms[0].guests, true);
  EXPECT_EQ(again->rooms[2].guests, false);
}

TEST(ProgramJsonTest, WritesTheExactWireShape) {
  const json::value v = to_json(parse_ok(full_event_json));
  const json::object& o = v.as_object();
  EXPECT_EQ(keys_of(o), (std::vector<std::string>{"id", "title", "summary", "organizer", "venue",
                                                  "city", "timezone", "days", "languages",
                                                  "rooms", "sessions", "series_id", "visibility",
                                                  "capacity", "venue_address"}));
  const json::object& room = o.at("rooms").as_array().at(0).as_object();
  EXPECT_EQ(keys_of(room),
            (std::vector<std::string>{"id", "kind", "name", "position", "guests"}));
  EXPECT_EQ(room.at("kind"), "main_stage");
  EXPECT_EQ(room.at("position"), 0);
  EXPECT_EQ(room.at("guests"), true);
  EXPECT_EQ(o.at("rooms").as_array().at(2).at("guests"), false);
  const json::object& session = o.at("sessions").as_array().at(0).as_object();
  EXPECT_EQ(keys_of(session),
            (std::vector<std::string>{"id", "room_id", "day", "starts_at", "ends_at", "kind",
                                      "track", "title", "description", "speakers", "cancelled",
                                      "sequence", "starts_utc", "ends_utc"}));
  EXPECT_EQ(session.at("title").at("en"), "Opening");
  const json::object& speaker = session.at("speakers").as_array().at(0).as_object();
  EXPECT_EQ(keys_of(speaker), (std::vector<std::string>{"name", "affiliation"}));
  EXPECT_EQ(o.at("sessions").as_array().at(1).at("kind"), "break");
  EXPECT_EQ(o.at("days"), json::parse(R"(["2027-02-09", "2027-02-10"])"));
}

TEST(ProgramJsonTest, WritesTheSummaryShape) {
  const event e = parse_ok(full_event_json);
  const json::value v = to_json(summary_of(e));
  EXPECT_EQ(keys_of(v.as_object()),
            (std::vector<std::string>{"id", "title", "summary", "city", "venue", "days",
                                      "series_id", "visibility", "timezone"}));
  EXPECT_EQ(v, json::parse(R"({"id": "wire-2027",
    "title": {"en": "Wire format", "fi": "Siirtomuoto", "sv": "Trådformat"},
    "summary": {"en": "About the day", "sv": "Om dagen"},
    "city": "Stockholm", "venue": "Regeringsgatan 66", "days": ["2027-02-09", "2027-02-10"],
    "series_id": "", "visibility": "public", "timezone": "Europe/Helsinki"})"));
}

TEST(ProgramJsonTest, OptionalFieldsTakeTheirDefaults) {
  const event e = parse_ok(minimal_event_json);
  EXPECT_EQ(e.languages, std::vector<std::string>{"sv"});
  EXPECT_EQ(e.timezone, "Europe/Stockholm");
  EXPECT_TRUE(e.summary.empty());
  EXPECT_EQ(e.organizer, "");
  EXPECT_EQ(e.sessions.at(0).track, "");
  EXPECT_TRUE(e.sessions.at(0).description.empty());
  EXPECT_TRUE(e.sessions.at(0).speakers.empty());
  EXPECT_FALSE(e.rooms.at(0).guests);  // closed to guests unless the event says so
  // Absent optional fields are written back as empty values, so clients see one shape.
  const json::value v = to_json(e);
  EXPECT_EQ(v.at("summary"), json::object{});
  EXPECT_EQ(v.at("rooms").at(0).at("guests"), false);
  EXPECT_EQ(v.at("sessions").at(0).at("speakers"), json::array{});
}

TEST(ProgramJsonTest, NullOptionalFieldsCountAsAbsent) {
  json::value v = json::parse(minimal_event_json);
  v.as_object()["summary"] = nullptr;
  v.as_object()["languages"] = nullptr;
  v.at("sessions").as_array()[0].as_object()["speakers"] = nullptr;
  v.at("rooms").as_array()[0].as_object()["guests"] = nullptr;
  std::vector<std::string> errors;
  const auto e = event_from_json(v, errors);
  ASSERT_TRUE(e) << ::testing::PrintToString(errors);
  EXPECT_EQ(e->languages, std::vector<std::string>{"sv"});
  EXPECT_FALSE(e->rooms.at(0).guests);
}

struct error_case {
  const char* name;
  std::function<void(json::value&)> mutate;
  std::vector<std::string> expected;
};

json::object& session0(json::value& v) { return v.at("sessions").as_array()[0].as_object(); }
json::object& room0(json::value& v) { return v.at("rooms").as_array()[0].as_object(); }

TEST(ProgramJsonTest, ReportsWrongTypesAndMissingFieldsWithTheirPath) {
  const error_case cases[] = {
      {"not an object", [](json::value& v) { v = json::array{}; }, {"(event): expected an object"}},
      {"missing id", [](json::value& v) { v.as_object().erase("id"); }, {"id: is required"}},
      {"id is a number", [](json::value& v) { v.as_object()["id"] = 7; },
       {"id: expected a string"}},
      {"title is a string", [](json::value& v) { v.as_object()["title"] = "Titel"; },
       {"title: expected an object of texts by language, e.g. {\"sv\": \"...\"}"}},
      {"title text is a number", [](json::value& v) { v.at("title").as_object()["en"] = 1; },
       {"title.en: expected a string"}},
      {"days not an array", [](json::value& v) { v.as_object()["days"] = "2027-02-09"; },
       {"days: expected an array"}},
      {"a day is a number", [](json::value& v) { v.at("days").as_array().push_back(20270210); },
       {"days[1]: expected a string"}},
      {"languages not an array", [](json::value& v) { v.as_object()["languages"] = "sv"; },
       {"languages: expected an array"}},
      {"rooms missing", [](json::value& v) { v.as_object().erase("rooms"); },
       {"rooms: is required"}},
      {"rooms is an object", [](json::value& v) { v.as_object()["rooms"] = json::object{}; },
       {"rooms: expected an array"}},
      {"room is a string", [](json::value& v) { v.at("rooms").as_array()[0] = "main"; },
       {"rooms[0]: expected an object"}},
      {"room position is a string", [](json::value& v) { room0(v)["position"] = "1"; },
       {"rooms[0].position: expected an integer"}},
      {"room position is fractional", [](json::value& v) { room0(v)["position"] = 1.5; },
       {"rooms[0].position: expected an integer"}},
      {"room position out of range", [](json::value& v) { room0(v)["position"] = 1LL << 40; },
       {"rooms[0].position: is out of range"}},
      {"room kind unknown", [](json::value& v) { room0(v)["kind"] = "hall"; },
       {"rooms[0].kind: unknown room kind \"hall\" (expected main_stage, seminar or press)"}},
      {"room name missing", [](json::value& v) { room0(v).erase("name"); },
       {"rooms[0].name: is required"}},
      {"room guests is a string", [](json::value& v) { room0(v)["guests"] = "true"; },
       {"rooms[0].guests: expected true or false"}},
      {"room guests is a number", [](json::value& v) { room0(v)["guests"] = 1; },
       {"rooms[0].guests: expected true or false"}},
      {"session start missing", [](json::value& v) { session0(v).erase("starts_at"); },
       {"sessions[0].starts_at: is required"}},
      {"session start is a number", [](json::value& v) { session0(v)["starts_at"] = 1000; },
       {"sessions[0].starts_at: expected a string"}},
      {"session kind unknown", [](json::value& v) { session0(v)["kind"] = "keynote"; },
       {"sessions[0].kind: unknown session kind \"keynote\" (expected plenary, seminar, break, "
        "lunch or press)"}},
      {"session kind in C++ spelling", [](json::value& v) { session0(v)["kind"] = "break_time"; },
       {"sessions[0].kind: unknown session kind \"break_time\" (expected plenary, seminar, break, "
        "lunch or press)"}},
      {"speakers not an array", [](json::value& v) { session0(v)["speakers"] = "Anna"; },
       {"sessions[0].speakers: expected an array"}},
      {"speaker without name",
       [](json::value& v) { session0(v)["speakers"] = json::parse(R"([{"affiliation": {}}])"); },
       {"sessions[0].speakers[0].name: is required"}},
      {"speaker affiliation text is a number",
       [](json::value& v) {
         session0(v)["speakers"] = json::parse(R"([{"name": "A", "affiliation": {"sv": 1}}])");
       },
       {"sessions[0].speakers[0].affiliation.sv: expected a string"}},
      {"several problems at once",
       [](json::value& v) {
         v.as_object().erase("id");
         session0(v)["ends_at"] = false;
         session0(v)["title"] = json::array{};
       },
       {"id: is required", "sessions[0].ends_at: expected a string",
        "sessions[0].title: expected an object of texts by language, e.g. {\"sv\": \"...\"}"}},
      // Once the shape is right, validate() runs and its messages follow.
      {"unknown room", [](json::value& v) { session0(v)["room_id"] = "x"; },
       {"sessions[0] (\"s1\"): room \"x\" does not exist"}},
      {"bad date and bad slug",
       [](json::value& v) {
         v.as_object()["id"] = "Minimal Event";
         v.as_object()["days"] = json::parse(R"(["2027-02-09", "2027-02-31"])");
       },
       {"id: \"Minimal Event\" is not a URL-safe slug (use a-z, 0-9 and -)",
        "days[1]: \"2027-02-31\" is not a valid date (YYYY-MM-DD)"}},
  };
  for (const auto& c : cases) {
    json::value v = json::parse(minimal_event_json);
    c.mutate(v);
    std::vector<std::string> errors = {"earlier message"};
    EXPECT_FALSE(event_from_json(v, errors).has_value()) << c.name;
    std::vector<std::string> expected = {"earlier message"};
    expected.insert(expected.end(), c.expected.begin(), c.expected.end());
    EXPECT_EQ(errors, expected) << c.name;
  }
}

TEST(ProgramJsonTest, IgnoresUnknownFieldsForForwardCompatibility) {
  json::value v = json::parse(minimal_event_json);
  v.as_object()["registration_deadline"] = "2027-01-31";
  session0(v)["stream"] = json::object{{"hls", true}};
  std::vector<std::string> errors;
  EXPECT_TRUE(event_from_json(v, errors)) << ::testing::PrintToString(errors);
}

TEST(ProgramJsonTest, ReadsAndWritesTheIssue16Fields) {
  json::value v = json::parse(minimal_event_json);
  auto& o = v.as_object();
  o["series_id"] = "regional-2027";
  o["visibility"] = "unlisted";
  o["capacity"] = 160;
  o["venue_address"] = "Regeringsgatan 66";
  o["timezone"] = "Europe/Helsinki";
  auto& s = o["sessions"].as_array().at(0).as_object();
  s["cancelled"] = true;
  s["sequence"] = 2;
  s["starts_utc"] = "ignored: derived";
  std::vector<std::string> errors;
  auto e = event_from_json(v, errors);
  ASSERT_TRUE(e) << ::testing::PrintToString(errors);
  EXPECT_EQ(e->series_id, "regional-2027");
  EXPECT_EQ(e->visibility, visibility::unlisted);
  EXPECT_EQ(e->capacity, 160);
  EXPECT_EQ(e->venue_address, "Regeringsgatan 66");
  EXPECT_TRUE(e->sessions.at(0).cancelled);
  EXPECT_EQ(e->sessions.at(0).sequence, 2);
  const json::value back = to_json(*e);
  EXPECT_EQ(back.at("visibility"), "unlisted");
  // 10:00 in Helsinki in February (EET, +02:00).
  EXPECT_EQ(back.at("sessions").at(0).at("starts_utc"), "2027-02-09T08:00:00Z");
  EXPECT_EQ(back.at("sessions").at(0).at("ends_utc"), "2027-02-09T09:00:00Z");
  std::vector<std::string> again;
  EXPECT_EQ(event_from_json(back, again), e) << ::testing::PrintToString(again);

  o["visibility"] = "secret";
  o["timezone"] = "Europe/Atlantis";
  errors.clear();
  EXPECT_FALSE(event_from_json(v, errors));
  EXPECT_EQ(errors, std::vector<std::string>{
                        "visibility: unknown visibility \"secret\" (expected public, unlisted or private)"});
  o["visibility"] = "private";
  errors.clear();
  EXPECT_FALSE(event_from_json(v, errors));
  EXPECT_EQ(errors, std::vector<std::string>{
                        "timezone: \"Europe/Atlantis\" is not a time zone of the tz database (e.g. Europe/Stockholm)"});
}

TEST(ProgramJsonTest, SeriesReadAndWrite) {
  const json::value v = json::parse(R"({"id": "sverige-2016", "name": {"sv": "Sverige tillsammans"},
    "events": [{"date": "2016-01-22", "responsible_county": "Sk\u00e5ne", "cohost_county": "",
                "city": "Malm\u00f6", "event_id": null}]})");
  std::vector<std::string> errors;
  auto s = series_from_json(v, errors);
  ASSERT_TRUE(s) << ::testing::PrintToString(errors);
  EXPECT_EQ(s->events.at(0).city, "Malm\xC3\xB6");
  EXPECT_EQ(to_json(*s).at("events").at(0).at("event_id"), nullptr);
  EXPECT_EQ(series_from_json(to_json(*s), errors), s);
  const json::value bad = json::parse(R"({"id": "Bad Id", "name": {"en": "x"},
    "events": [{"date": "2016-13-01", "responsible_county": "", "city": "X"}]})");
  errors.clear();
  EXPECT_FALSE(series_from_json(bad, errors));
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "id: \"Bad Id\" is not a URL-safe slug (use a-z, 0-9 and -)",
                        "name: a Swedish (\"sv\") name is required",
                        "events[0].date: \"2016-13-01\" is not a valid date (YYYY-MM-DD)",
                        "events[0].responsible_county: is required"}));
  errors.clear();
  auto rows = series_rows_from_json(json::parse(R"([{"date": "2016-01-22", "responsible_county": "A", "city": "B",
                                                     "co_hosting_county": "C"}])"), errors);
  ASSERT_TRUE(rows) << ::testing::PrintToString(errors);
  EXPECT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).cohost_county, "C");
}

}  // namespace
}  // namespace samling::program
