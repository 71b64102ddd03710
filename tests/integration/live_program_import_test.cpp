// A program import is published like any edit of the live program (docs/api.md, "Program
// import, export and calendars" and "Program editing and versions"): a CSV that moves a session
// makes a version, marks the session "moved" on the event's JSON, reaches open pages as a
// `program` event and raises the session's calendar SEQUENCE by one; a broken CSV is refused
// with its lines and makes no version; a dry run and an unchanged file make none either.
#include <gtest/gtest.h>

#include <string>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::string base = "/api/v1/events/" + ws::event_id;

server_process::options import_options() {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[auth]\ndev_tokens = true\n";
  return o;
}

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

json::object parse(const http_response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << r.body;
    return {};
  }
  return v.as_object();
}

http_response import(std::uint16_t port, const std::string& token, const std::string& csv,
                     const std::string& query = "") {
  return http_request(port, "POST", base + "/program/import" + query, csv,
                      {{"Authorization", "Bearer " + token}, {"Content-Type", "text/csv"}});
}

json::object session_of(const json::object& event, const std::string& id) {
  for (auto& s : event.at("sessions").as_array())
    if (s.as_object().at("id").as_string() == id) return s.as_object();
  ADD_FAILURE() << "no session " << id;
  return {};
}

std::size_t version_count(std::uint16_t port, const std::string& token) {
  auto r = http_request(port, "GET", base + "/program/versions", "", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(r.status, 200) << r.body;
  return parse(r).at("versions").as_array().size();
}

// The SEQUENCE of a one-session calendar; -1 when there is none.
int calendar_sequence(std::uint16_t port, const std::string& session) {
  auto r = http_get(port, base + "/sessions/" + session + "/calendar.ics");
  EXPECT_EQ(r.status, 200) << r.body;
  const auto at = r.body.find("\r\nSEQUENCE:");
  if (at == std::string::npos) {
    ADD_FAILURE() << "no SEQUENCE in " << r.body;
    return -1;
  }
  return std::stoi(r.body.substr(at + 11));
}

// `csv` with the row of session `id` (its line ends with ";id;<cancelled>") starting at `to`
// instead of `from`.
std::string with_row_changed(std::string csv, const std::string& id, const std::string& from, const std::string& to) {
  const auto row_end = csv.find(";" + id + ";");
  EXPECT_NE(row_end, std::string::npos) << csv;
  if (row_end == std::string::npos) return csv;
  const auto row_start = csv.rfind('\n', row_end) + 1;
  const auto at = csv.find(from, row_start);
  EXPECT_TRUE(at != std::string::npos && at < row_end) << csv.substr(row_start, row_end - row_start);
  if (at == std::string::npos || at >= row_end) return csv;
  return csv.replace(at, from.size(), to);
}

}  // namespace

TEST(live_program_import, an_imported_move_is_a_version_open_pages_hear_of) {
  server_process server(import_options());
  const auto port = server.port();
  const auto organizer = dev_token(port, "organizer", "Olga Organisatör");
  ASSERT_FALSE(organizer.empty());

  ws_client page;
  ASSERT_TRUE(page.connect(port)) << page.error();
  ASSERT_TRUE(is_ack(page.hello(ws::event_id, ws::token("u-anna", "Anna Svensson"))));

  auto exported = http_get(port, base + "/program.csv");
  ASSERT_EQ(exported.status, 200) << exported.body;
  const int sequence_before = calendar_sequence(port, "lunch");
  EXPECT_EQ(parse(http_get(port, base)).at("version"), json::value(1));

  // The export as it is changes nothing: no version.
  auto same = import(port, organizer, exported.body);
  ASSERT_EQ(same.status, 200) << same.body << server.stderr_text();
  EXPECT_EQ(parse(same).at("unchanged"), json::value(true));
  EXPECT_TRUE(parse(same).at("changes").as_array().empty());
  EXPECT_EQ(version_count(port, organizer), 0u);

  // A dry run shows what would be published (the moved session's next sequence), stores nothing.
  const std::string moved = with_row_changed(exported.body, "lunch", ";12:00;13:00;", ";12:10;13:00;");
  auto dry = import(port, organizer, moved, "?dry_run=1");
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(parse(dry).at("dry_run"), json::value(true));
  EXPECT_EQ(session_of(parse(dry).at("event").as_object(), "lunch").at("sequence"), json::value(sequence_before + 1));
  EXPECT_EQ(version_count(port, organizer), 0u);
  EXPECT_EQ(calendar_sequence(port, "lunch"), sequence_before);

  // The move, imported: the baseline and the import's version.
  auto done = import(port, organizer, moved);
  ASSERT_EQ(done.status, 200) << done.body;
  auto result = parse(done);
  EXPECT_EQ(result.at("dry_run"), json::value(false));
  EXPECT_EQ(result.at("version"), json::value(2));
  ASSERT_EQ(result.at("changes").as_array().size(), 1u) << done.body;
  EXPECT_EQ(string_field(result.at("changes").as_array()[0].as_object(), "session"), "lunch");
  EXPECT_EQ(string_field(result.at("changes").as_array()[0].as_object(), "change"), "moved");
  EXPECT_EQ(version_count(port, organizer), 2u);

  // The open page hears of it without asking.
  auto ev = page.next_event("program", 5s);
  ASSERT_TRUE(ev) << "no program event";
  EXPECT_EQ(int_field(*ev, "version"), 2);
  ASSERT_EQ(ev->at("changes").as_array().size(), 1u) << str(*ev);
  EXPECT_EQ(string_field(ev->at("changes").as_array()[0].as_object(), "session"), "lunch");
  EXPECT_EQ(string_field(ev->at("changes").as_array()[0].as_object(), "change"), "moved");
  EXPECT_EQ(string_field(ev->at("changes").as_array()[0].as_object(), "now.starts_at"), "12:10");

  // The event's JSON: version 2, lunch marked moved (where it was in version 1), sequence +1.
  auto event = parse(http_get(port, base));
  EXPECT_EQ(event.at("version"), json::value(2));
  auto lunch = session_of(event, "lunch");
  EXPECT_EQ(lunch.at("starts_at"), json::value("12:10"));
  EXPECT_EQ(lunch.at("change"), json::value("moved"));
  EXPECT_EQ(string_field(lunch, "was.starts_at"), "12:00");
  EXPECT_EQ(lunch.at("sequence"), json::value(sequence_before + 1));
  EXPECT_EQ(calendar_sequence(port, "lunch"), sequence_before + 1) << "calendar apps must take the new time";

  // A broken CSV: 422 with its line, no version, the program as it was.
  const std::string broken = with_row_changed(moved, "lunch", ";12:10;13:00;", ";12:70;13:00;");
  auto refused = import(port, organizer, broken);
  ASSERT_EQ(refused.status, 422) << refused.body;
  auto error = parse(refused).at("error").as_object();
  EXPECT_EQ(error.at("code"), json::value("import_invalid"));
  ASSERT_EQ(error.at("problems").as_array().size(), 1u) << refused.body;
  EXPECT_GT(int_field(error.at("problems").as_array()[0].as_object(), "line"), 1);
  EXPECT_EQ(string_field(error.at("problems").as_array()[0].as_object(), "field"), "starts_at");
  EXPECT_EQ(version_count(port, organizer), 2u);
  EXPECT_EQ(parse(http_get(port, base)).at("version"), json::value(2));
  EXPECT_EQ(session_of(parse(http_get(port, base)), "lunch").at("starts_at"), json::value("12:10"));

  // Moved back: version 3, the next program event the page hears (none came for the refusal),
  // and the mark is gone (relative to version 1) while the sequence rises again.
  auto back = import(port, organizer, exported.body);
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(parse(back).at("version"), json::value(3));
  auto next = page.next_event("program", 5s);
  ASSERT_TRUE(next) << "no program event";
  EXPECT_EQ(int_field(*next, "version"), 3) << "a refused import sent no program event";
  lunch = session_of(parse(http_get(port, base)), "lunch");
  EXPECT_EQ(lunch.at("change"), json::value(nullptr));
  EXPECT_EQ(lunch.at("sequence"), json::value(sequence_before + 2));
  EXPECT_EQ(calendar_sequence(port, "lunch"), sequence_before + 2);
}
