// Registration through the real binary (docs/api.md, Registration): the organizer's settings,
// registering (201, then 200 for the same e-mail), the window in the event's zone, field
// errors, the race for the last seat (50 clients on raw sockets: one seat, 49 waitlisted),
// cancellation promoting the first waitlisted, the attendee's download and deletion, the CSV
// export parsed back, and the join link's token accepted by the real-time rooms.
// auth.dev_tokens is on, so a new registration's answer carries the links its e-mail would.
#include <gtest/gtest.h>

#include <latch>
#include <map>
#include <set>
#include <thread>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::string event_path = "/api/v1/events/" + ws::event_id;

server_process::options dev_options() {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[auth]\ndev_tokens = true\n";
  return o;
}

std::vector<std::pair<std::string, std::string>> bearer(const std::string& role = "organizer") {
  return {{"Authorization", "Bearer " + ws::token("u-" + role, "Org " + role, role)},
          {"Content-Type", "application/json"}};
}

json::object parse(const http_response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object (" << r.status << "): " << r.body;
    return {};
  }
  return v.as_object();
}

http_response put_settings(std::uint16_t port, json::object s) {
  return http_request(port, "PUT", event_path + "/registration", json::serialize(s), bearer());
}

// Open from 2020 to 2030 in the event's zone (the tests run between).
json::object open_settings(std::int64_t capacity, bool waitlist = true) {
  return json::object{{"opens_at", "2020-01-01T09:00"}, {"closes_at", "2030-01-01T14:00"},
                      {"capacity", capacity}, {"waitlist", waitlist}, {"modes", json::array{"hall"}},
                      {"consent_version", "2027-1"}};
}

json::object person(const std::string& name, const std::string& email) {
  return json::object{{"name", name}, {"email", email}, {"organization", "Länsstyrelsen"},
                      {"consent", true}, {"language", "sv"}};
}

http_response sign_up(std::uint16_t port, const json::object& body) {
  return http_request(port, "POST", event_path + "/registrations", json::serialize(body),
                      {{"Content-Type", "application/json"}});
}

std::set<std::string> error_fields(const json::object& o) {
  std::set<std::string> out;
  auto fields = field(o, "error.fields");  // a copy: field() returns by value
  if (!fields.is_array()) return out;
  for (auto& f : fields.as_array()) out.insert(std::string(f.as_object().at("field").as_string()));
  return out;
}

// RFC 4180: records of fields; quoted fields may hold commas, semicolons, quotes (doubled) and
// line breaks. Fails the test on anything else.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string f;
  bool quoted = false, in_quotes = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        f += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        f += c;
      }
    } else if (c == '"' && f.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (c == ',') {
      row.push_back(f);
      f.clear();
      quoted = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(f);
      rows.push_back(row);
      row.clear();
      f.clear();
      quoted = false;
      ++i;
    } else {
      EXPECT_FALSE(quoted) << "text after a closing quote at byte " << i;
      EXPECT_NE(c, '\n') << "a bare line break outside quotes at byte " << i;
      f += c;
    }
  }
  EXPECT_FALSE(in_quotes) << "an unterminated quoted field";
  EXPECT_TRUE(f.empty() && row.empty()) << "the last record must end with CRLF";
  return rows;
}

std::string token_of(const std::string& link, const std::string& key) {
  auto pos = link.find("&" + key + "=");
  return pos == std::string::npos ? std::string() : link.substr(pos + key.size() + 2);
}

}  // namespace

TEST(registration, settings_are_the_organizers_and_read_in_the_events_zone) {
  server_process server(dev_options());
  const auto port = server.port();
  // A fresh demo database opens the demo's registration: until 14:00 the day before its day.
  auto demo = http_get(port, event_path + "/registration");
  ASSERT_EQ(demo.status, 200) << demo.body;
  EXPECT_EQ(string_field(parse(demo), "state"), "open");
  EXPECT_EQ(string_field(parse(demo), "closes_at_local"), "2027-02-08T14:00");
  EXPECT_EQ(str(field(parse(demo), "modes")), R"(["hall","remote"])");
  EXPECT_EQ(string_field(parse(http_get(port, "/api/v1/events/nope/registration")), "error.code"), "unknown_event");

  auto body = json::serialize(open_settings(10));
  EXPECT_EQ(http_request(port, "PUT", event_path + "/registration", body).status, 401) << "nobody";
  auto as_attendee = http_request(port, "PUT", event_path + "/registration", body, bearer("attendee"));
  EXPECT_EQ(as_attendee.status, 403) << as_attendee.body;
  auto as_moderator = http_request(port, "PUT", event_path + "/registration", body, bearer("moderator"));
  EXPECT_EQ(as_moderator.status, 403) << as_moderator.body;

  auto bad = put_settings(port, json::object{{"opens_at", "2027-11-12 nine"}, {"closes_at", "2027-11-19T14:00"},
                                             {"capacity", -3}, {"modes", json::array{"hall", "moon"}}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(string_field(parse(bad), "error.code"), "invalid_input");
  EXPECT_EQ(error_fields(parse(bad)), (std::set<std::string>{"opens_at", "capacity", "modes"}));

  // 19.11 at 14:00 in Stockholm (CET, UTC+1) is 13:00Z.
  auto ok = put_settings(port, json::object{{"opens_at", "2027-11-12T09:00"}, {"closes_at", "2027-11-19T14:00"},
                                            {"capacity", 100}, {"modes", json::array{"hall", "remote"}}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto s = parse(http_get(port, event_path + "/registration"));
  EXPECT_EQ(string_field(s, "state"), "not_open") << str(s);
  EXPECT_EQ(string_field(s, "timezone"), "Europe/Stockholm");
  EXPECT_EQ(string_field(s, "opens_at"), "2027-11-12T08:00:00Z");
  EXPECT_EQ(string_field(s, "opens_at_local"), "2027-11-12T09:00");
  EXPECT_EQ(string_field(s, "closes_at"), "2027-11-19T13:00:00Z");
  EXPECT_EQ(string_field(s, "closes_at_local"), "2027-11-19T14:00");
  EXPECT_EQ(int_field(s, "capacity"), 100);
  EXPECT_EQ(int_field(s, "seats_left"), 100);
  EXPECT_TRUE(field(s, "seats_left_by_mode.remote").is_null()) << "remote is unlimited";
  EXPECT_EQ(str(field(s, "modes")), R"(["hall","remote"])");
}

TEST(registration, register_then_again_is_the_same_registration) {
  server_process server(dev_options());
  const auto port = server.port();
  ASSERT_EQ(put_settings(port, open_settings(10)).status, 200);
  EXPECT_EQ(string_field(parse(http_get(port, event_path + "/registration")), "state"), "open");

  auto first = sign_up(port, person("Anna Svensson", "Anna.Svensson@example.org"));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.header("cache-control"), "no-store");
  auto a = parse(first);
  auto id = string_field(a, "registration.id");
  EXPECT_EQ(id.substr(0, 2), "r-");
  EXPECT_EQ(string_field(a, "registration.status"), "registered");
  EXPECT_EQ(string_field(a, "registration.mode"), "hall");
  EXPECT_EQ(field(a, "registration.already"), json::value(false));
  EXPECT_EQ(string_field(a, "join_link").find(server.url() + "#event=" + ws::event_id + "&join=v1."), 0u) << str(a);
  EXPECT_EQ(string_field(a, "manage_link"), server.url() + "#event=" + ws::event_id + "&registration=" +
                                                  string_field(a, "manage_token"));

  // The same address in other case and spaces: the same registration, no new one.
  auto second = sign_up(port, person("Anna S", "  anna.svensson@EXAMPLE.org "));
  ASSERT_EQ(second.status, 200) << second.body;
  auto b = parse(second);
  EXPECT_EQ(string_field(b, "registration.id"), id);
  EXPECT_EQ(field(b, "registration.already"), json::value(true));
  EXPECT_FALSE(b.contains("join_link")) << "an answer to anyone who knows the address carries no link";
  EXPECT_FALSE(b.contains("manage_token"));
  EXPECT_FALSE(b.contains("name") || field(b, "registration.name").is_string()) << "nor what Anna entered";
  auto list = parse(http_get(port, event_path + "/registrations", bearer()));
  EXPECT_EQ(field(list, "registrations").as_array().size(), 1u) << str(list);
  EXPECT_EQ(int_field(list, "counts.hall.registered"), 1);
  EXPECT_EQ(int_field(list, "counts.total.registered"), 1);
  EXPECT_EQ(http_get(port, event_path + "/registrations").status, 401);
  EXPECT_EQ(http_get(port, event_path + "/registrations", bearer("attendee")).status, 403);
}

TEST(registration, bad_fields_are_each_named) {
  server_process server(dev_options());
  const auto port = server.port();
  ASSERT_EQ(put_settings(port, open_settings(10)).status, 200);
  auto r = sign_up(port, json::object{{"name", ""}, {"email", "anna@localhost"}, {"consent", false},
                                      {"accessibility_needs", std::string(1001, 'x')}, {"language", "de"}});
  EXPECT_EQ(r.status, 422) << r.body;
  auto o = parse(r);
  EXPECT_EQ(string_field(o, "error.code"), "invalid_input");
  EXPECT_EQ(error_fields(o), (std::set<std::string>{"name", "email", "consent", "accessibility_needs", "language"}));
  auto wrong_type = sign_up(port, json::object{{"name", 7}, {"email", "a@example.org"}, {"consent", "yes"}});
  EXPECT_EQ(wrong_type.status, 422) << wrong_type.body;
  EXPECT_EQ(error_fields(parse(wrong_type)), (std::set<std::string>{"name", "consent"}));
  EXPECT_EQ(http_request(port, "POST", event_path + "/registrations", "not json").status, 400);
  auto list = parse(http_get(port, event_path + "/registrations", bearer()));
  EXPECT_TRUE(field(list, "registrations").as_array().empty()) << "nothing half-written";
}

TEST(registration, refused_before_opening_and_after_the_deadline_with_the_local_time) {
  server_process server(dev_options());
  const auto port = server.port();
  ASSERT_EQ(put_settings(port, json::object{{"opens_at", "2030-11-12T09:00"}, {"closes_at", "2030-11-19T14:00"}}).status,
            200);
  auto early = sign_up(port, person("Anna", "anna@example.org"));
  EXPECT_EQ(early.status, 403) << early.body;
  EXPECT_EQ(string_field(parse(early), "error.code"), "registration_not_open");
  EXPECT_EQ(string_field(parse(early), "error.message"), "Registration opens 2030-11-12 09:00 (Europe/Stockholm).");

  ASSERT_EQ(put_settings(port, json::object{{"opens_at", "2020-11-12T09:00"}, {"closes_at", "2020-11-19T14:00"}}).status,
            200);
  EXPECT_EQ(string_field(parse(http_get(port, event_path + "/registration")), "state"), "closed");
  auto late = sign_up(port, person("Anna", "anna@example.org"));
  EXPECT_EQ(late.status, 403) << late.body;
  EXPECT_EQ(string_field(parse(late), "error.code"), "registration_closed");
  EXPECT_EQ(string_field(parse(late), "error.message"), "Registration closed 2020-11-19 14:00 (Europe/Stockholm).");
}

TEST(registration, fifty_race_for_the_last_seat_and_a_cancellation_promotes_the_first_waitlisted) {
  server_process server(dev_options());
  const auto port = server.port();
  ASSERT_EQ(put_settings(port, open_settings(1)).status, 200);

  constexpr int clients = 50;
  std::vector<http_response> answers(clients);
  std::latch start(clients);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      auto body = json::serialize(person("Racer " + std::to_string(i), "racer" + std::to_string(i) + "@example.org"));
      start.arrive_and_wait();  // all at once
      answers[i] = http_request(port, "POST", event_path + "/registrations", body);
    });
  }
  for (auto& t : threads) t.join();

  int registered = 0, waitlisted = 0;
  std::set<std::string> ids;
  std::map<std::string, std::string> manage_by_id;
  std::string seated;
  for (auto& a : answers) {
    ASSERT_EQ(a.status, 201) << a.body;
    auto o = parse(a);
    auto st = string_field(o, "registration.status");
    auto id = string_field(o, "registration.id");
    ids.insert(id);
    manage_by_id[id] = string_field(o, "manage_token");
    if (st == "registered") {
      ++registered;
      seated = id;
      EXPECT_FALSE(string_field(o, "join_link").empty());
    } else if (st == "waitlisted") {
      ++waitlisted;
      EXPECT_FALSE(o.contains("join_link")) << "no way in before a seat";
    }
  }
  EXPECT_EQ(registered, 1);
  EXPECT_EQ(waitlisted, 49);
  EXPECT_EQ(ids.size(), 50u) << "no duplicates";
  auto list = parse(http_get(port, event_path + "/registrations", bearer()));
  EXPECT_EQ(int_field(list, "counts.hall.registered"), 1);
  EXPECT_EQ(int_field(list, "counts.hall.waitlisted"), 49);
  EXPECT_EQ(string_field(parse(http_get(port, event_path + "/registration")), "state"), "full_waitlist");
  // The waitlist's order is the order of arrival: the list is in it.
  std::string first_waiting;
  auto rows = field(list, "registrations");
  for (auto& r : rows.as_array())
    if (string_field(r.as_object(), "status") == "waitlisted") {
      first_waiting = string_field(r.as_object(), "id");
      break;
    }
  ASSERT_FALSE(first_waiting.empty());

  auto cancel = http_request(port, "POST", "/api/v1/registrations/mine/cancel",
                             json::serialize(json::object{{"token", manage_by_id[seated]}}));
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(string_field(parse(cancel), "registration.status"), "cancelled");
  auto promoted = parse(http_get(port, "/api/v1/registrations/mine?token=" + manage_by_id[first_waiting]));
  EXPECT_EQ(string_field(promoted, "registration.status"), "registered") << str(promoted);
  list = parse(http_get(port, event_path + "/registrations", bearer()));
  EXPECT_EQ(int_field(list, "counts.hall.registered"), 1);
  EXPECT_EQ(int_field(list, "counts.hall.waitlisted"), 48);
  EXPECT_EQ(int_field(list, "counts.hall.cancelled"), 1);
}

TEST(registration, full_without_a_waitlist_is_refused) {
  server_process server(dev_options());
  const auto port = server.port();
  ASSERT_EQ(put_settings(port, open_settings(1, false)).status, 200);
  ASSERT_EQ(sign_up(port, person("A", "a@example.org")).status, 201);
  auto r = sign_up(port, person("B", "b@example.org"));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(string_field(parse(r), "error.code"), "registration_full");
  EXPECT_EQ(string_field(parse(http_get(port, event_path + "/registration")), "state"), "full");
}

TEST(registration, the_attendee_downloads_and_deletes_their_data) {
  server_process server(dev_options());
  const auto port = server.port();
  ASSERT_EQ(put_settings(port, open_settings(10)).status, 200);
  auto body = person("Bo Ek", "bo@example.org");
  body["accessibility_needs"] = "Hörslinga";
  auto a = parse(sign_up(port, body));
  auto token = string_field(a, "manage_token");
  ASSERT_FALSE(token.empty());

  auto mine = http_get(port, "/api/v1/registrations/mine?token=" + token);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.header("cache-control"), "no-store");
  auto m = parse(mine);
  EXPECT_EQ(string_field(m, "registration.name"), "Bo Ek");
  EXPECT_EQ(string_field(m, "registration.email"), "bo@example.org");
  EXPECT_EQ(string_field(m, "registration.organization"), "Länsstyrelsen");
  EXPECT_EQ(string_field(m, "registration.accessibility_needs"), "Hörslinga");
  EXPECT_EQ(string_field(m, "registration.consent.version"), "2027-1");
  EXPECT_FALSE(string_field(m, "registration.consent.at").empty());
  EXPECT_EQ(http_get(port, "/api/v1/registrations/mine?token=wrong").status, 404);
  EXPECT_EQ(http_get(port, "/api/v1/registrations/mine").status, 404);

  auto del = http_request(port, "POST", "/api/v1/registrations/mine/delete", json::serialize(json::object{{"token", token}}));
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(field(parse(del), "deleted"), json::value(true));
  EXPECT_EQ(http_get(port, "/api/v1/registrations/mine?token=" + token).status, 404) << "the link ends with the data";
  EXPECT_EQ(http_request(port, "POST", "/api/v1/registrations/mine/cancel",
                         json::serialize(json::object{{"token", token}})).status, 404);
  auto list = parse(http_get(port, event_path + "/registrations", bearer()));
  ASSERT_EQ(field(list, "registrations").as_array().size(), 1u);
  auto row = field(list, "registrations").as_array()[0].as_object();
  EXPECT_EQ(string_field(row, "name"), "");
  EXPECT_EQ(string_field(row, "email"), "");
  EXPECT_EQ(string_field(row, "accessibility_needs"), "");
  EXPECT_EQ(string_field(row, "status"), "cancelled");
  EXPECT_EQ(field(row, "erased"), json::value(true));
  EXPECT_EQ(int_field(list, "counts.hall.cancelled"), 1);
  // Nothing of Bo is left in the database file either.
  auto csv = http_get(port, event_path + "/registrations.csv", bearer());
  EXPECT_EQ(csv.body.find("Bo Ek"), std::string::npos);
  EXPECT_EQ(csv.body.find("bo@example.org"), std::string::npos);
}

TEST(registration, the_csv_export_parses_back_with_its_quoting) {
  server_process server(dev_options());
  const auto port = server.port();
  ASSERT_EQ(put_settings(port, open_settings(1)).status, 200);
  auto tricky = person("Åsa \"Q\" Öberg", "asa@example.org");
  tricky["organization"] = "Kommun; Syd, avd 2";
  tricky["accessibility_needs"] = "Rad ett\nRad två";
  ASSERT_EQ(sign_up(port, tricky).status, 201);
  auto formula = person("=HYPERLINK(\"x\")", "f@example.org");
  ASSERT_EQ(sign_up(port, formula).status, 201);

  EXPECT_EQ(http_get(port, event_path + "/registrations.csv").status, 401);
  auto csv = http_get(port, event_path + "/registrations.csv", bearer());
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.header("content-disposition").find("attachment"), std::string::npos);
  ASSERT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF") << "a BOM";
  auto rows = parse_csv(csv.body.substr(3));
  ASSERT_EQ(rows.size(), 3u);
  auto& head = rows[0];
  EXPECT_EQ(head, (std::vector<std::string>{"id", "status", "mode", "name", "email", "organization",
                                            "accessibility_needs", "language", "consent_version", "consent_at",
                                            "created_at", "cancelled_at"}));
  EXPECT_EQ(rows[1][1], "registered");
  EXPECT_EQ(rows[1][2], "hall");
  EXPECT_EQ(rows[1][3], "Åsa \"Q\" Öberg");
  EXPECT_EQ(rows[1][5], "Kommun; Syd, avd 2");
  EXPECT_EQ(rows[1][6], "Rad ett\nRad två");
  EXPECT_EQ(rows[1][8], "2027-1");
  EXPECT_EQ(rows[1][10].size(), 16u) << "created_at in the event's zone, YYYY-MM-DD HH:MM: " << rows[1][10];
  EXPECT_EQ(rows[2][1], "waitlisted");
  EXPECT_EQ(rows[2][3], "'=HYPERLINK(\"x\")") << "no formula runs in a spreadsheet";
  // The organization field is quoted because of ; and , (a ;-separated reader splits nothing).
  EXPECT_NE(csv.body.find("\"Kommun; Syd, avd 2\""), std::string::npos);
}

TEST(registration, the_join_link_lets_the_attendee_into_the_rooms) {
  server_process server(dev_options());
  const auto port = server.port();
  ASSERT_EQ(put_settings(port, open_settings(10)).status, 200);
  auto a = parse(sign_up(port, person("Cecilia Lind", "cecilia@example.org")));
  auto link = string_field(a, "join_link");
  auto token = token_of(link, "join");
  ASSERT_FALSE(token.empty()) << link;

  ws_client c;
  ASSERT_TRUE(c.connect(port)) << c.error();
  auto hello = c.hello(ws::event_id, token);
  ASSERT_TRUE(is_ack(hello)) << str(hello);
  EXPECT_EQ(string_field(hello, "result.user.id"), string_field(a, "registration.id"));
  EXPECT_EQ(string_field(hello, "result.user.name"), "Cecilia Lind");
  EXPECT_EQ(string_field(hello, "result.user.role"), "attendee");
  auto join = c.join(ws::room("main"));
  EXPECT_TRUE(is_ack(join)) << str(join);
  // The token is for this event only.
  ws_client other;
  ASSERT_TRUE(other.connect(port));
  EXPECT_FALSE(is_ack(other.hello("another-event", token)));
}

TEST(registration, a_hybrid_event_asks_for_the_mode_and_seats_only_the_hall) {
  server_process server(dev_options());
  const auto port = server.port();
  auto s = open_settings(1);
  s["modes"] = json::array{"hall", "remote"};
  ASSERT_EQ(put_settings(port, s).status, 200);
  auto no_mode = sign_up(port, person("A", "a@example.org"));
  EXPECT_EQ(no_mode.status, 422) << no_mode.body;
  EXPECT_EQ(error_fields(parse(no_mode)), std::set<std::string>{"mode"});

  auto hall = person("A", "a@example.org");
  hall["mode"] = "hall";
  EXPECT_EQ(string_field(parse(sign_up(port, hall)), "registration.status"), "registered");
  auto hall2 = person("B", "b@example.org");
  hall2["mode"] = "hall";
  EXPECT_EQ(string_field(parse(sign_up(port, hall2)), "registration.status"), "waitlisted");
  for (int i = 0; i < 3; ++i) {
    auto remote = person("R" + std::to_string(i), "r" + std::to_string(i) + "@example.org");
    remote["mode"] = "remote";
    auto r = parse(sign_up(port, remote));
    EXPECT_EQ(string_field(r, "registration.status"), "registered") << "remote is unlimited";
    EXPECT_EQ(string_field(r, "registration.mode"), "remote");
  }
  auto state = parse(http_get(port, event_path + "/registration"));
  EXPECT_EQ(string_field(state, "state"), "open") << "remote places are left";
  EXPECT_EQ(int_field(state, "seats_left"), 0);
  auto list = parse(http_get(port, event_path + "/registrations", bearer()));
  EXPECT_EQ(int_field(list, "counts.hall.registered"), 1);
  EXPECT_EQ(int_field(list, "counts.hall.waitlisted"), 1);
  EXPECT_EQ(int_field(list, "counts.remote.registered"), 3);
  EXPECT_EQ(int_field(list, "counts.total.registered"), 4);

  // Two more hall seats: the waitlisted one is seated at once.
  s["capacity"] = 2;
  ASSERT_EQ(put_settings(port, s).status, 200);
  list = parse(http_get(port, event_path + "/registrations", bearer()));
  EXPECT_EQ(int_field(list, "counts.hall.registered"), 2);
  EXPECT_EQ(int_field(list, "counts.hall.waitlisted"), 0);
}
