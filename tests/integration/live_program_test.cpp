// The live program (docs/api.md, "Program editing and versions"; docs/protocol.md, `program`
// and `now_next`): an organizer edits the program over HTTP, each edit is a version, the
// attendees' open pages hear of it over the WebSocket without asking, the event's JSON marks
// what changed relative to version 1, bad edits change nothing, and now/next is pushed at
// session boundaries.
#include <gtest/gtest.h>

#include <ctime>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::string base = "/api/v1/events/" + ws::event_id;

server_process::options live_options() {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[auth]\ndev_tokens = true\n";
  return o;
}

// A token from the server's development route, as the organizer console would get one today.
std::string dev_token(std::uint16_t port, const std::string& role, const std::string& name) {
  auto r = http_request(port, "POST", "/api/v1/dev/token",
                        json::serialize(json::object{{"event", ws::event_id}, {"name", name}, {"role", role}}),
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 200) << r.body;
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("token")) return {};
  return std::string(v.as_object().at("token").as_string());
}

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

http_response send(std::uint16_t port, const std::string& method, const std::string& target, const std::string& token,
                   const json::object& body = {}) {
  return http_request(port, method, target, method == "GET" || method == "DELETE" ? "" : json::serialize(body),
                      token.empty() ? std::vector<std::pair<std::string, std::string>>{} : bearer(token));
}

json::object parse(const http_response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << r.body;
    return {};
  }
  return v.as_object();
}

json::object event_json(std::uint16_t port, const std::string& event = ws::event_id) {
  auto r = http_get(port, "/api/v1/events/" + event);
  EXPECT_EQ(r.status, 200) << r.body;
  return parse(r);
}

json::object session_of(const json::object& event, const std::string& id) {
  for (auto& s : event.at("sessions").as_array())
    if (s.as_object().at("id").as_string() == id) return s.as_object();
  ADD_FAILURE() << "no session " << id;
  return {};
}

std::size_t version_count(std::uint16_t port, const std::string& token) {
  auto r = send(port, "GET", base + "/program/versions", token);
  EXPECT_EQ(r.status, 200) << r.body;
  return parse(r).at("versions").as_array().size();
}

}  // namespace

TEST(live_program, an_organizer_moves_a_session_and_open_pages_see_it_without_asking) {
  server_process server(live_options());
  const auto port = server.port();
  const auto organizer = dev_token(port, "organizer", "Olga Organisatör");
  const auto attendee = dev_token(port, "attendee", "Anna Svensson");
  ASSERT_FALSE(organizer.empty());

  // Never published: the seeded program counts as version 1, nothing marked.
  auto before = event_json(port);
  EXPECT_EQ(before.at("version"), json::value(1));
  EXPECT_EQ(session_of(before, "lunch").at("change"), json::value(nullptr));

  // An attendee's page: hello only, no room joined.
  ws_client page;
  ASSERT_TRUE(page.connect(port)) << page.error();
  ASSERT_TRUE(is_ack(page.hello(ws::event_id, ws::token("u-anna", "Anna Svensson")))) ;

  auto moved = send(port, "PATCH", base + "/sessions/lunch", organizer, {{"starts_at", "12:10"}, {"ends_at", "13:00"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(parse(moved).at("version"), json::value(2));

  auto ev = page.next_event("program", 5s);
  ASSERT_TRUE(ev) << "no program event";
  EXPECT_EQ(string_field(*ev, "event"), ws::event_id);
  EXPECT_EQ(int_field(*ev, "version"), 2);
  auto& changes = ev->at("changes").as_array();
  ASSERT_EQ(changes.size(), 1u) << str(*ev);
  EXPECT_EQ(string_field(changes[0].as_object(), "session"), "lunch");
  EXPECT_EQ(string_field(changes[0].as_object(), "change"), "moved");
  EXPECT_EQ(string_field(changes[0].as_object(), "was.starts_at"), "12:00");
  EXPECT_EQ(string_field(changes[0].as_object(), "now.starts_at"), "12:10");
  // What is on now may have changed with it: a now_next follows the publish.
  auto nn = page.next_event("now_next", 5s);
  ASSERT_TRUE(nn) << "no now_next event";
  EXPECT_EQ(nn->at("rooms").as_array().size(), 6u) << str(*nn);

  // The event's JSON marks it, relative to version 1.
  auto after = event_json(port);
  EXPECT_EQ(after.at("version"), json::value(2));
  auto lunch = session_of(after, "lunch");
  EXPECT_EQ(lunch.at("starts_at"), json::value("12:10"));
  EXPECT_EQ(lunch.at("change"), json::value("moved"));
  EXPECT_EQ(string_field(lunch, "was.starts_at"), "12:00");
  EXPECT_EQ(lunch.at("sequence"), json::value(1));
  EXPECT_EQ(session_of(after, "opening").at("change"), json::value(nullptr));

  // Two versions: the baseline and the move; an attendee may neither read nor edit them.
  EXPECT_EQ(version_count(port, organizer), 2u);
  EXPECT_EQ(send(port, "GET", base + "/program/versions", attendee).status, 403);
  auto refused = send(port, "PATCH", base + "/sessions/lunch", attendee, {{"starts_at", "12:20"}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(send(port, "PATCH", base + "/sessions/lunch", "", {{"starts_at", "12:20"}}).status, 401);
  // The audit log has the publish: who, and from which address (without the port).
  auto audit = send(port, "GET", base + "/audit", organizer);
  ASSERT_EQ(audit.status, 200) << audit.body;
  bool published = false;
  const auto audit_body = parse(audit);  // named: a temporary in the range-for would die before the loop
  for (auto& entry : audit_body.at("entries").as_array()) {
    auto& o = entry.as_object();
    if (o.at("action") != json::value("program.published")) continue;
    published = true;
    EXPECT_EQ(o.at("remote"), json::value("127.0.0.1")) << json::serialize(o);
    EXPECT_EQ(o.at("actor_name"), json::value("Olga Organisatör")) << json::serialize(o);
  }
  EXPECT_TRUE(published) << audit.body;
  auto v1 = send(port, "GET", base + "/program/versions/1", organizer);
  ASSERT_EQ(v1.status, 200) << v1.body;
  EXPECT_EQ(string_field(session_of(parse(v1).at("event").as_object(), "lunch"), "starts_at"), "12:00");

  // Bad edits: 422 with the reasons, nothing stored, no version, no event.
  const std::vector<json::object> bad = {
      {{"starts_at", "11:30"}},                          // overlaps the panel before it
      {{"room", "nowhere"}},                             // unknown room
      {{"starts_at", "13:30"}},                          // ends before it starts
      {{"starts_at", "25:00"}},                          // not a time
      {{"day", "2027-02-10"}},                           // outside the event's days
      {{"stage", "main"}},                               // not a field
  };
  for (auto& b : bad) {
    auto r = send(port, "PATCH", base + "/sessions/lunch", organizer, b);
    EXPECT_EQ(r.status, 422) << json::serialize(b) << " -> " << r.body;
    auto o = parse(r);
    EXPECT_EQ(string_field(o, "error.code"), "program_invalid") << r.body;
    EXPECT_FALSE(o["error"].as_object()["problems"].as_array().empty()) << r.body;
  }
  EXPECT_EQ(send(port, "PATCH", base + "/sessions/no-such", organizer, {{"starts_at", "12:20"}}).status, 404);
  // An edit that changes nothing makes no version either.
  auto same = send(port, "PATCH", base + "/sessions/lunch", organizer, {{"starts_at", "12:10"}});
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(parse(same).at("unchanged"), json::value(true));
  EXPECT_EQ(version_count(port, organizer), 2u);
  EXPECT_EQ(event_json(port).at("version"), json::value(2));
  EXPECT_EQ(session_of(event_json(port), "lunch").at("starts_at"), json::value("12:10"));

  // The next program event the page hears is version 3: none was sent for the refused edits.
  auto renamed = send(port, "PATCH", base + "/sessions/closing", organizer,
                      {{"title", json::object{{"sv", "Avslutning och tack"}}}});
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  auto next = page.next_event("program", 5s);
  ASSERT_TRUE(next);
  EXPECT_EQ(int_field(*next, "version"), 3);
  EXPECT_EQ(string_field(next->at("changes").as_array().at(0).as_object(), "change"), "renamed");
}

TEST(live_program, cancel_add_delete_and_new_rooms_are_versions_too) {
  server_process server(live_options());
  const auto port = server.port();
  const auto organizer = dev_token(port, "organizer", "Olga Organisatör");

  ASSERT_EQ(send(port, "PATCH", base + "/sessions/opening", organizer, {{"cancelled", true}}).status, 200);
  auto added = send(port, "POST", base + "/sessions", organizer,
                    {{"id", "extra-seminar"}, {"room", "seminar-housing"}, {"day", "2027-02-09"},
                     {"starts_at", "15:00"}, {"ends_at", "15:30"}, {"kind", "seminar"},
                     {"title", json::object{{"sv", "Extra seminarium"}}}});
  ASSERT_EQ(added.status, 201) << added.body;
  auto dup = send(port, "POST", base + "/sessions", organizer,
                  {{"id", "extra-seminar"}, {"room", "seminar-health"}, {"day", "2027-02-09"},
                   {"starts_at", "15:00"}, {"ends_at", "15:30"}, {"kind", "seminar"},
                   {"title", json::object{{"sv", "Samma id"}}}});
  EXPECT_EQ(dup.status, 422) << dup.body;
  ASSERT_EQ(send(port, "DELETE", base + "/sessions/morning-coffee", organizer).status, 200);
  EXPECT_EQ(send(port, "DELETE", base + "/sessions/morning-coffee", organizer).status, 404);

  auto ev = event_json(port);
  EXPECT_EQ(ev.at("version"), json::value(4));
  EXPECT_EQ(session_of(ev, "opening").at("change"), json::value("cancelled"));
  EXPECT_EQ(session_of(ev, "opening").at("cancelled"), json::value(true));
  EXPECT_EQ(session_of(ev, "extra-seminar").at("change"), json::value("new"));
  for (auto& s : ev.at("sessions").as_array()) EXPECT_NE(s.as_object().at("id"), json::value("morning-coffee"));
  // A cancelled session is not "now" in its room.
  auto versions = parse(send(port, "GET", base + "/program/versions", organizer)).at("versions").as_array();
  ASSERT_EQ(versions.size(), 4u);
  EXPECT_EQ(versions[3].as_object().at("changes").as_array().at(0).as_object().at("change"), json::value("removed"));

  // A new room through PUT of the whole event: the rooms learn it at once (joinable).
  auto whole = event_json(port);
  whole.erase("version");
  whole["rooms"].as_array().push_back(json::object{{"id", "seminar-culture"}, {"kind", "seminar"},
                                                   {"name", json::object{{"sv", "Kultur"}}}, {"position", 6},
                                                   {"guests", false}});
  ws_client page;
  ASSERT_TRUE(page.connect(port));
  ASSERT_TRUE(is_ack(page.hello(ws::event_id, ws::token("u-org", "Olga", "organizer"))));
  EXPECT_EQ(outcome(page.join(ws::room("seminar-culture"))), "no_such_room");
  auto put = send(port, "PUT", base, organizer, whole);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(parse(put).at("version"), json::value(5));
  auto joined = page.join(ws::room("seminar-culture"));
  EXPECT_TRUE(is_ack(joined)) << str(joined);
  // The cancelled flag came back with the event and stays.
  EXPECT_EQ(session_of(event_json(port), "opening").at("cancelled"), json::value(true));
}

TEST(live_program, creating_an_event_needs_an_organizer_of_every_event) {
  server_process server(live_options());
  const auto port = server.port();
  json::object e{{"id", "regional-2027-uppsala"},
                 {"title", json::object{{"sv", "Regional dag Uppsala"}}},
                 {"timezone", "Europe/Stockholm"},
                 {"days", json::array{"2027-04-14"}},
                 {"languages", json::array{"sv"}},
                 {"rooms", json::array{json::object{{"id", "main"}, {"kind", "main_stage"},
                                                    {"name", json::object{{"sv", "Aulan"}}}, {"position", 0}}}},
                 {"sessions", json::array{json::object{{"id", "start"}, {"room_id", "main"}, {"day", "2027-04-14"},
                                                       {"starts_at", "09:00"}, {"ends_at", "10:00"},
                                                       {"kind", "plenary"}, {"sequence", 7},
                                                       {"title", json::object{{"sv", "Inledning"}}}}}}};
  // An organizer of one event may not; one of every event ("*") may, once.
  auto of_one = send(port, "POST", "/api/v1/events", ws::token("u-o", "Olga", "organizer"), e);
  EXPECT_EQ(of_one.status, 403) << of_one.body;
  const auto everywhere = ws::token("u-chief", "Chefen", "organizer", "*");
  auto created = send(port, "POST", "/api/v1/events", everywhere, e);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(parse(created).at("version"), json::value(1));
  EXPECT_EQ(send(port, "POST", "/api/v1/events", everywhere, e).status, 409);
  auto got = event_json(port, "regional-2027-uppsala");
  EXPECT_EQ(got.at("version"), json::value(1));
  EXPECT_EQ(session_of(got, "start").at("change"), json::value(nullptr));
  EXPECT_EQ(session_of(got, "start").at("sequence"), json::value(0));  // the server's, not the body's
  e["sessions"].as_array()[0].as_object()["ends_at"] = "08:00";
  e["id"] = "regional-2027-gavle";
  EXPECT_EQ(send(port, "POST", "/api/v1/events", everywhere, e).status, 422);
  EXPECT_EQ(http_get(port, "/api/v1/events/regional-2027-gavle").status, 404);
}

// SLOW (up to 60 s): waits for the next minute boundary, where a session ends.
TEST(live_program, now_next_is_pushed_at_a_session_boundary) {
  server_process server(live_options());
  const auto port = server.port();
  // An event in UTC today: session "now" from the current minute to the next, "after" from
  // then on for two minutes.
  std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  if (utc.tm_hour == 23 && utc.tm_min >= 56) GTEST_SKIP() << "too close to midnight for a one-day program";
  char day[16], start[32], boundary[32], end[32];
  std::strftime(day, sizeof day, "%Y-%m-%d", &utc);
  std::snprintf(start, sizeof start, "%02d:%02d", utc.tm_hour, utc.tm_min);
  int b = utc.tm_hour * 60 + utc.tm_min + 1, e = b + 2;
  std::snprintf(boundary, sizeof boundary, "%02d:%02d", b / 60, b % 60);
  std::snprintf(end, sizeof end, "%02d:%02d", e / 60, e % 60);
  auto session = [&](const char* id, const char* from, const char* to) {
    return json::object{{"id", id}, {"room_id", "main"}, {"day", day}, {"starts_at", from}, {"ends_at", to},
                        {"kind", "plenary"}, {"title", json::object{{"sv", id}}}};
  };
  json::object ev{{"id", "nu-och-sedan"},
                  {"title", json::object{{"sv", "Nu och sedan"}}},
                  {"timezone", "UTC"},
                  {"days", json::array{day}},
                  {"rooms", json::array{json::object{{"id", "main"}, {"kind", "main_stage"},
                                                     {"name", json::object{{"sv", "Salen"}}}, {"position", 0}}}},
                  {"sessions", json::array{session("first", start, boundary), session("second", boundary, end)}}};
  auto created = send(port, "POST", "/api/v1/events", ws::token("u-chief", "Chefen", "organizer", "*"), ev);
  ASSERT_EQ(created.status, 201) << created.body;

  auto now = parse(http_get(port, "/api/v1/events/nu-och-sedan/now"));
  ASSERT_EQ(now.at("rooms").as_array().size(), 1u) << str(now);
  auto room = now.at("rooms").as_array()[0].as_object();
  EXPECT_EQ(string_field(room, "now.id"), "first") << str(now);
  EXPECT_EQ(string_field(room, "next.id"), "second") << str(now);

  ws_client page;
  ASSERT_TRUE(page.connect(port));
  ASSERT_TRUE(is_ack(page.hello("nu-och-sedan", ws::token("u-a", "Anna", "attendee", "nu-och-sedan"))));
  auto pushed = page.next_event("now_next", 65s);
  ASSERT_TRUE(pushed) << "no now_next at the boundary";
  auto at = std::chrono::system_clock::now();
  auto& rooms = pushed->at("rooms").as_array();
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(string_field(rooms[0].as_object(), "now.id"), "second") << str(*pushed);
  EXPECT_EQ(rooms[0].as_object().at("next"), json::value(nullptr)) << str(*pushed);
  // At the boundary, not before it (the timer is armed for it), and not long after it.
  std::time_t pushed_s = std::chrono::system_clock::to_time_t(at);
  std::tm p{};
  gmtime_r(&pushed_s, &p);
  char hhmm[32];
  std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", p.tm_hour, p.tm_min);
  EXPECT_EQ(std::string(hhmm), std::string(boundary));
  EXPECT_LE(p.tm_sec, 2);
}

TEST(live_program, program_events_go_to_the_event_s_sessions_only) {
  server_process server(live_options());
  const auto port = server.port();
  const auto everywhere = ws::token("u-chief", "Chefen", "organizer", "*");
  auto other = event_json(port);
  other["id"] = "annan-dag";
  ASSERT_EQ(send(port, "POST", "/api/v1/events", everywhere, other).status, 201);

  ws_client here, there;
  ASSERT_TRUE(here.connect(port));
  ASSERT_TRUE(is_ack(here.hello(ws::event_id, ws::token("u-a", "Anna"))));
  ASSERT_TRUE(there.connect(port));
  ASSERT_TRUE(is_ack(there.hello("annan-dag", ws::token("u-b", "Bo", "attendee", "annan-dag"))));

  ASSERT_EQ(send(port, "PATCH", base + "/sessions/closing", everywhere, {{"cancelled", true}}).status, 200);
  ASSERT_EQ(send(port, "PATCH", "/api/v1/events/annan-dag/sessions/opening", everywhere, {{"cancelled", true}}).status,
            200);
  auto mine = here.next_event("program", 5s);
  ASSERT_TRUE(mine);
  EXPECT_EQ(string_field(*mine, "event"), ws::event_id);
  EXPECT_EQ(string_field(mine->at("changes").as_array().at(0).as_object(), "session"), "closing");
  // The other event's page: its own event first (none of the demo's came before it).
  auto theirs = there.next_event("program", 5s);
  ASSERT_TRUE(theirs);
  EXPECT_EQ(string_field(*theirs, "event"), "annan-dag");
  EXPECT_EQ(string_field(theirs->at("changes").as_array().at(0).as_object(), "session"), "opening");
  EXPECT_EQ(int_field(*theirs, "version"), 2);
}
