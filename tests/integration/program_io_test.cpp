// Program import, export and calendars through the real binary (docs/api.md, "Program import,
// export and calendars"): an organizer imports a CSV over HTTP; a broken one is refused with
// 422 and every problem's line, and nothing changes; a good one changes the event; the export
// round-trips; calendar.ics parses with a real iCalendar library (python3-icalendar) and its
// times are right across the DST changes; the series' routes and their import.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "harness.hpp"
#include "token_codec.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

const std::string secret(40, 'k');
const std::string event_id = "stockholm-tillsammans-2027";

std::string config() {
  return "[auth]\nkey_id = \"k1\"\nsecret = \"" + secret + "\"\ndev_tokens = true\n";
}

server_process::options options() {
  server_process::options o;
  o.extra_toml = config();
  // The base config's [server] and [demo] tables cannot be opened twice: their keys by variable.
  o.env = {{"SAMLING_SERVER_PUBLIC_URL", "https://samling.example.org"},
           {"SAMLING_DEMO_SERIES_FILE",
            std::string(SAMLING_SOURCE_DIR) + "/config/demo/sverige-tillsammans-2016.json"}};
  return o;
}

// A token signed with the test's own HMAC (independent of the server's code): for "*", which
// POST /api/v1/dev/token cannot mint (it wants an existing event).
std::string token_for(const std::string& event, const std::string& role) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  json::object claims{{"sub", "u-test"}, {"name", "Test"}, {"event", event},
                      {"role", role},    {"iat", now},     {"exp", now + 3600}};
  const std::string signed_part = "v1.k1." + base64url(json::serialize(claims));
  return signed_part + "." + base64url(hmac_sha256(secret, signed_part));
}

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token,
                                                        const std::string& type = "text/csv") {
  return {{"Authorization", "Bearer " + token}, {"Content-Type", type}};
}

std::string get_event(const server_process& s) {
  auto r = http_get(s.port(), "/api/v1/events/" + event_id);
  EXPECT_EQ(r.status, 200);
  return r.body;
}

// Runs tests/support/ical_check.py on `ics`; the parsed summary, or null with the error shown.
json::value parse_calendar(const server_process& s, const std::string& ics, const std::string& name) {
  const std::string path = s.dir().file(name);
  write_file(path, ics);
  const std::string command = "/usr/bin/python3 " + std::string(SAMLING_SOURCE_DIR) +
                              "/tests/support/ical_check.py " + path + " 2>&1";
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buffer[4096];
    std::size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, p)) > 0) out.append(buffer, n);
    const int rc = pclose(p);
    EXPECT_EQ(rc, 0) << out;
    if (rc != 0) return nullptr;
  }
  boost::system::error_code ec;
  json::value v = json::parse(out, ec);
  EXPECT_FALSE(ec) << out;
  return v;
}

const json::object* event_with_uid(const json::value& cal, const std::string& uid) {
  for (const auto& e : cal.at("events").as_array())
    if (e.at("uid").as_string() == uid) return &e.as_object();
  return nullptr;
}

TEST(ProgramIoTest, BrokenCsvIsRefusedWithEveryLineAndChangesNothing) {
  server_process server(options());
  const std::string organizer = token_for(event_id, "organizer");
  const std::string before = get_event(server);
  const std::string path = "/api/v1/events/" + event_id + "/program/import";
  const std::string bad =
      "day;starts_at;ends_at;room;title_sv;session_id\r\n"
      "2027-02-09;10:00;11:00;main;A;a\r\n"
      "2027-02-09;10:30;11:30;main;\"B, with \"\"quotes\"\"\nand a line break\";b\r\n"
      "2027-02-10;10:00;11:00;main;C;c\r\n"
      "2027-02-09;10:00;11:00;nowhere;D;d\r\n"
      "2027-02-09;9:75;11:00;seminar-housing;E;e\r\n";
  auto r = http_request(server.port(), "POST", path, bad, bearer(organizer));
  ASSERT_EQ(r.status, 422) << r.body;
  const json::value body = json::parse(r.body);
  EXPECT_EQ(body.at("error").at("code"), "import_invalid");
  std::vector<std::pair<std::int64_t, std::string>> lines;
  for (const auto& p : body.at("error").at("problems").as_array())
    lines.emplace_back(p.at("line").as_int64(), std::string(p.at("field").as_string()));
  // Line 3's record spans two physical lines: the next record starts on line 5.
  EXPECT_EQ(lines, (std::vector<std::pair<std::int64_t, std::string>>{
                       {3, "starts_at"}, {5, "day"}, {6, "room"}, {7, "starts_at"}}))
      << r.body;
  EXPECT_EQ(get_event(server), before) << "nothing was stored";

  // An unterminated quote: one problem, on the line where the quote opened.
  r = http_request(server.port(), "POST", path, "day;starts_at;ends_at;room;title_sv\n2027-02-09;\"10:00\n",
                   bearer(organizer));
  ASSERT_EQ(r.status, 422);
  EXPECT_EQ(json::parse(r.body).at("error").at("problems").at(0).at("line"), 2);

  // Only an organizer of this event may import.
  EXPECT_EQ(http_request(server.port(), "POST", path, bad, {{"Content-Type", "text/csv"}}).status, 401);
  EXPECT_EQ(http_request(server.port(), "POST", path, bad, bearer(token_for(event_id, "moderator"))).status, 403);
  EXPECT_EQ(http_request(server.port(), "POST", path, bad, bearer(token_for("other-2027", "organizer"))).status, 403);
  EXPECT_EQ(get_event(server), before);
}

TEST(ProgramIoTest, GoodCsvChangesTheEventAndTheExportRoundTrips) {
  server_process server(options());
  const std::string organizer = token_for(event_id, "organizer");
  const std::string path = "/api/v1/events/" + event_id + "/program/import";
  auto csv = http_get(server.port(), "/api/v1/events/" + event_id + "/program.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF") << "BOM for Excel";
  const std::string before = get_event(server);

  // The export imported as it is: the same event.
  auto same = http_request(server.port(), "POST", path, csv.body, bearer(organizer));
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(get_event(server), before);

  // A dry run validates only.
  std::string moved = csv.body;
  const std::string from = "2027-02-09;15:45;16:00;main;plenary;;Avslutning";
  const auto at = moved.find(from);
  ASSERT_NE(at, std::string::npos) << moved;
  moved.replace(at, from.size(), "2027-02-09;16:00;16:15;main;plenary;;Avslutning");
  auto dry = http_request(server.port(), "POST", path + "?dry_run=1", moved, bearer(organizer));
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(json::parse(dry.body).at("dry_run"), true);
  EXPECT_EQ(get_event(server), before);

  auto done = http_request(server.port(), "POST", path, moved, bearer(organizer));
  ASSERT_EQ(done.status, 200) << done.body;
  const json::value after = json::parse(get_event(server));
  const json::object* closing = nullptr;
  for (const auto& s : after.at("sessions").as_array())
    if (s.at("id") == "closing") closing = &s.as_object();
  ASSERT_TRUE(closing);
  EXPECT_EQ(closing->at("starts_at"), "16:00");
  EXPECT_EQ(closing->at("starts_utc"), "2027-02-09T15:00:00Z");
  EXPECT_EQ(closing->at("sequence"), 1) << "a moved session's SEQUENCE goes up";

  // JSON export -> JSON import: the same event again.
  auto exported = http_get(server.port(), "/api/v1/events/" + event_id + "/program.json");
  ASSERT_EQ(exported.status, 200);
  const std::string now = get_event(server);
  auto back = http_request(server.port(), "POST", path, exported.body,
                           bearer(organizer, "application/json"));
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(get_event(server), now);

  // With commas for spreadsheets that expect them: the same event again.
  auto commas = http_get(server.port(), "/api/v1/events/" + event_id + "/program.csv?delimiter=comma");
  ASSERT_EQ(commas.status, 200);
  EXPECT_EQ(commas.body.substr(3, 15), "day,starts_at,e");
  ASSERT_EQ(http_request(server.port(), "POST", path, commas.body, bearer(organizer)).status, 200);
  EXPECT_EQ(get_event(server), now);

  // An unlisted event leaves the listing and stays reachable by its link.
  auto listed = [&] {
    return json::parse(http_get(server.port(), "/api/v1/events").body).at("events").as_array().size();
  };
  EXPECT_EQ(listed(), 1u);
  json::value unlisted = json::parse(now);
  unlisted.as_object()["visibility"] = "unlisted";
  ASSERT_EQ(http_request(server.port(), "POST", path, json::serialize(unlisted),
                         bearer(organizer, "application/json")).status, 200);
  EXPECT_EQ(listed(), 0u);
  EXPECT_EQ(http_get(server.port(), "/api/v1/events/" + event_id).status, 200);

  // A private event's exports and calendars are for its staff only.
  json::value hidden = json::parse(now);
  hidden.as_object()["visibility"] = "private";
  ASSERT_EQ(http_request(server.port(), "POST", path, json::serialize(hidden),
                         bearer(organizer, "application/json")).status, 200);
  const std::string ics = "/api/v1/events/" + event_id + "/calendar.ics";
  EXPECT_EQ(http_get(server.port(), ics).status, 404);
  EXPECT_EQ(http_get(server.port(), "/api/v1/events/" + event_id + "/program.csv").status, 404);
  EXPECT_EQ(http_get(server.port(), ics + "?token=" + token_for(event_id, "attendee")).status, 200);
  EXPECT_EQ(http_get(server.port(), ics + "?token=" + token_for("other-2027", "attendee")).status, 404);
}

TEST(ProgramIoTest, CalendarParsesAndKeepsUtcRightAcrossDst) {
  server_process server(options());
  const std::string organizer = token_for(event_id, "organizer");
  // Move the event over both DST changes of 2027 with a JSON import of the whole event.
  json::value e = json::parse(get_event(server));
  auto& o = e.as_object();
  o["days"] = json::array{"2027-03-27", "2027-03-28", "2027-10-30", "2027-10-31"};
  json::array sessions;
  const char* days[] = {"2027-03-27", "2027-03-28", "2027-10-30", "2027-10-31"};
  for (int i = 0; i < 4; ++i) {
    json::object s = o["sessions"].as_array().at(static_cast<std::size_t>(i)).as_object();
    s["day"] = days[i];
    s["starts_at"] = "09:30";
    s["ends_at"] = "10:00";
    s["room_id"] = "main";
    sessions.push_back(s);
  }
  sessions.at(1).as_object()["cancelled"] = true;
  o["sessions"] = std::move(sessions);
  auto r = http_request(server.port(), "POST", "/api/v1/events/" + event_id + "/program/import",
                        json::serialize(e), bearer(organizer, "application/json"));
  ASSERT_EQ(r.status, 200) << r.body;

  auto ics = http_get(server.port(), "/api/v1/events/" + event_id + "/calendar.ics?lang=en");
  ASSERT_EQ(ics.status, 200);
  EXPECT_EQ(ics.header("content-type"), "text/calendar; charset=utf-8");
  const json::value cal = parse_calendar(server, ics.body, "event.ics");
  ASSERT_TRUE(cal.is_object());
  EXPECT_EQ(cal.at("version"), "2.0");
  EXPECT_EQ(cal.at("method"), "PUBLISH");
  EXPECT_EQ(cal.at("timezones"), json::array{"Europe/Stockholm"});
  ASSERT_EQ(cal.at("events").as_array().size(), 4u);
  const json::value stored = json::parse(get_event(server));
  const auto& sent = stored.at("sessions").as_array();
  const std::string expected_utc[] = {"2027-03-27T08:30:00Z", "2027-03-28T07:30:00Z",
                                      "2027-10-30T07:30:00Z", "2027-10-31T08:30:00Z"};
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string uid = std::string(sent.at(i).at("id").as_string()) + "." + event_id +
                            "@samling.example.org";
    const json::object* ev = event_with_uid(cal, uid);
    ASSERT_TRUE(ev) << uid;
    EXPECT_EQ(ev->at("start_utc"), expected_utc[i].c_str()) << uid;
    EXPECT_EQ(ev->at("start_utc_vtimezone"), expected_utc[i].c_str()) << uid << " through our VTIMEZONE";
    EXPECT_EQ(ev->at("start_utc"), sent.at(i).at("starts_utc")) << "the JSON's UTC agrees";
    EXPECT_EQ(ev->at("status"), i == 1 ? "CANCELLED" : "CONFIRMED");
  }

  // One session's calendar; its SEQUENCE follows a change.
  const std::string session_id(sent.at(2).at("id").as_string());
  const std::string one_path = "/api/v1/events/" + event_id + "/sessions/" + session_id + "/calendar.ics";
  auto one = http_get(server.port(), one_path);
  ASSERT_EQ(one.status, 200);
  json::value single = parse_calendar(server, one.body, "one.ics");
  ASSERT_EQ(single.at("events").as_array().size(), 1u);
  const auto sequence_before = single.at("events").at(0).at("sequence").as_int64();
  auto program = http_get(server.port(), "/api/v1/events/" + event_id + "/program.csv").body;
  const auto at = program.find("2027-10-30;09:30;10:00");
  ASSERT_NE(at, std::string::npos);
  program.replace(at, 22, "2027-10-30;11:00;11:30");
  ASSERT_EQ(http_request(server.port(), "POST", "/api/v1/events/" + event_id + "/program/import",
                         program, bearer(organizer)).status, 200);
  single = parse_calendar(server, http_get(server.port(), one_path).body, "one-again.ics");
  EXPECT_EQ(single.at("events").at(0).at("sequence").as_int64(), sequence_before + 1);
  EXPECT_EQ(single.at("events").at(0).at("start_utc"), "2027-10-30T09:00:00Z");

  EXPECT_EQ(http_get(server.port(), "/api/v1/events/" + event_id + "/sessions/nope/calendar.ics").status, 404);
  EXPECT_EQ(http_get(server.port(), "/api/v1/events/nope/calendar.ics").status, 404);
}

TEST(ProgramIoTest, SeriesAreListedExportedCreatedAndImported) {
  server_process server(options());
  auto list = http_get(server.port(), "/api/v1/series");
  ASSERT_EQ(list.status, 200);
  const json::value all = json::parse(list.body);
  ASSERT_EQ(all.at("series").as_array().size(), 1u);
  EXPECT_EQ(all.at("series").at(0).at("event_count"), 17) << "the seed table's 17 conferences";
  auto csv = http_get(server.port(), "/api/v1/series/sverige-tillsammans-2016/events.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("2016-04-01;Norrbotten;;Lule\xC3\xA5;"), std::string::npos) << csv.body;

  const std::string admin = token_for("*", "organizer");
  const std::string body =
      R"({"id":"integration-2020","name":{"sv":"Integration 2020"},"organizer":"Inrikesministeriet"})";
  // Series need an organizer of every event ("*"): one event's organizer is not enough.
  EXPECT_EQ(http_request(server.port(), "POST", "/api/v1/series", body,
                         bearer(token_for(event_id, "organizer"), "application/json")).status, 403);
  auto created = http_request(server.port(), "POST", "/api/v1/series", body, bearer(admin, "application/json"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto again = http_request(server.port(), "POST", "/api/v1/series", body, bearer(admin, "application/json"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(json::parse(again.body).at("error").at("code"), "series_exists");

  const std::string import = "/api/v1/series/integration-2020/import";
  auto bad = http_request(server.port(), "POST", import,
                          "Datum;Ansvarigt l\xC3\xA4n;Medarrangerande l\xC3\xA4n;Ort\n"
                          "2020-11-25;Uusimaa;-;Helsinki\n2020-11-31;Uusimaa;-;Helsinki\n",
                          bearer(admin));
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(json::parse(bad.body).at("error").at("problems").at(0).at("line"), 3);
  EXPECT_EQ(json::parse(http_get(server.port(), "/api/v1/series/integration-2020").body)
                .at("events").as_array().size(), 0u);
  auto good = http_request(server.port(), "POST", import,
                           "Datum;Ansvarigt l\xC3\xA4n;Medarrangerande l\xC3\xA4n;Ort\n"
                           "2020-11-25;Uusimaa;-;Helsinki\n2020-11-26;Uusimaa;-;Helsinki\n",
                           bearer(admin));
  ASSERT_EQ(good.status, 200) << good.body;
  auto read = json::parse(http_get(server.port(), "/api/v1/series/integration-2020/events.json").body);
  ASSERT_EQ(read.at("events").as_array().size(), 2u);
  EXPECT_EQ(read.at("events").at(1).at("date"), "2020-11-26");
  EXPECT_EQ(read.at("events").at(1).at("event_id"), nullptr);

  auto replaced = http_request(server.port(), "PUT", "/api/v1/series/integration-2020",
                               R"({"name":{"sv":"Integration 2020","fi":"Kotoutuminen 2020"}})",
                               bearer(admin, "application/json"));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(http_get(server.port(), "/api/v1/series/nope").status, 404);
}

}  // namespace
