// Recordings follow the live program (docs/api.md, "Program editing and versions"): a stage
// recording room "main" is told the new schedule when an organizer moves and renames a session
// while the server runs, so the recording splits where the moved session now starts and names
// the new file after its new title. (Before issue 16 the schedule was read once at start.)
//
// SLOW (15-75 s): waits for the next whole minute that is at least 10 s away, where the moved
// session now begins.
#include <gtest/gtest.h>

#include <ctime>

#include <boost/json.hpp>

#include "harness.hpp"
#include "media_fixture.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

using media_fixture::bearer;
using media_fixture::describe;
using media_fixture::log_excerpt;
using media_fixture::organizer_token;
using media_fixture::parse_object;
using media_fixture::unix_ms;

// "HH:MM" and "YYYY-MM-DD" of a Unix second in UTC (the test's event is in UTC).
std::string hhmm(std::int64_t s) {
  std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[8];
  std::strftime(buf, sizeof buf, "%H:%M", &tm);
  return buf;
}
std::string day_of(std::int64_t s) {
  std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

boost::json::object session_json(const std::string& id, const std::string& day, const std::string& start,
                                  const std::string& end, const std::string& title) {
  return {{"id", id},       {"room_id", "main"},   {"day", day},
          {"starts_at", start}, {"ends_at", end}, {"kind", "plenary"},
          {"title", {{"sv", title}}}};
}

// The .ts recordings of stage "main", oldest first.
std::vector<boost::json::object> ts_files(std::uint16_t port) {
  std::vector<boost::json::object> out;
  auto r = http_get(port, "/api/v1/stages/main/recordings", bearer(organizer_token()));
  if (r.status != 200) return out;
  auto list = parse_object(r.body);
  auto arr = field(list, "recordings");
  if (!arr.is_array()) return out;
  for (auto& f : arr.as_array())
    if (f.is_object() && string_field(f.as_object(), "name").ends_with(".ts")) out.push_back(f.as_object());
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(live_program_recording, a_session_moved_and_renamed_while_recording_splits_and_names_the_file) {
  // T: the next whole minute at least 10 s away. Session "oppning" runs from two minutes ago
  // until well after T; "panel" is planned for later. The organizer then ends "oppning" at T
  // and moves "panel" to T, renamed.
  auto now_s = static_cast<std::int64_t>(unix_ms() / 1000);
  std::int64_t t_s = now_s - now_s % 60 + 60;
  if (t_s - now_s < 10) t_s += 60;
  if (day_of(now_s - 120) != day_of(t_s + 1200)) GTEST_SKIP() << "too close to midnight (UTC) for a one-day program";
  const std::string day = day_of(t_s);
  temp_dir dir;
  boost::json::object event{
      {"id", ws::event_id},
      {"title", {{"sv", "Stockholm tillsammans 2027"}}},
      {"timezone", "UTC"},
      {"days", boost::json::array{boost::json::value(day)}},
      {"languages", boost::json::array{"sv"}},
      {"rooms", boost::json::array{boost::json::object{{"id", "main"}, {"kind", "main_stage"}, {"position", 0},
                                                       {"name", {{"sv", "Stora salen"}}}}}},
      {"sessions", boost::json::array{session_json("oppning", day, hhmm(t_s - 120), hhmm(t_s + 600), "Öppning"),
                                      session_json("panel", day, hhmm(t_s + 900), hhmm(t_s + 1200), "Panel")}},
  };
  auto program_path = dir.write("program.json", boost::json::serialize(event));
  server_process::options opt;
  opt.dir = &dir;
  opt.env = ws::auth_env();
  opt.env["SAMLING_DEMO_FILE"] = program_path;
  opt.extra_toml = media_fixture::media_toml() +
                   "\n[[stages]]\nid = \"main\"\nname = { sv = \"Stora scenen\" }\nmode = \"produced\"\n"
                   "input = \"test\"\n" + media_fixture::small_produced_toml() +
                   "room = \"main\"\nrecord = true\n";
  server_process server(opt);
  const auto port = server.port();
  ASSERT_GT(port, 0) << server.stderr_text();

  std::vector<boost::json::object> files;
  ASSERT_TRUE(eventually([&] {
    files = ts_files(port);
    return !files.empty() && int_field(files[0], "size") > 0;
  }, 15s)) << log_excerpt(server);
  EXPECT_TRUE(string_field(files[0], "name").ends_with("_01-oppning.ts")) << str(files[0]);

  // The organizer's edits, while it records.
  auto shorten = http_request(port, "PATCH", "/api/v1/events/" + ws::event_id + "/sessions/oppning",
                              boost::json::serialize(boost::json::object{{"ends_at", hhmm(t_s)}}),
                              bearer(organizer_token()));
  ASSERT_EQ(shorten.status, 200) << describe(shorten);
  auto move = http_request(port, "PATCH", "/api/v1/events/" + ws::event_id + "/sessions/panel",
                           boost::json::serialize(boost::json::object{
                               {"starts_at", hhmm(t_s)}, {"ends_at", hhmm(t_s + 300)},
                               {"title", {{"sv", "Panel: Ny tid"}}}}),
                           bearer(organizer_token()));
  ASSERT_EQ(move.status, 200) << describe(move);
  ASSERT_LT(unix_ms(), t_s * 1000) << "the edits landed after T: the test cannot check the split";

  // After T: a second file, named after the moved session's new title.
  ASSERT_TRUE(eventually([&] {
    files = ts_files(port);
    return files.size() >= 2 && int_field(files[1], "size") > 0;
  }, std::chrono::milliseconds(std::max<std::int64_t>(0, t_s * 1000 - unix_ms()) + 15'000)))
      << "T = " << t_s << ": " << log_excerpt(server);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(string_field(files[1], "name").ends_with("_02-panel-ny-tid.ts")) << str(files[1]);
  EXPECT_EQ(string_field(files[1], "session"), "Panel: Ny tid") << str(files[1]);
  // It began at T (the next keyframe after the split: within a few seconds), not at the old
  // program's times.
  int y, mo, d, h, mi, s;
  ASSERT_EQ(std::sscanf(string_field(files[1], "name").c_str(), "%4d-%2d-%2dT%2d-%2d-%2dZ_", &y, &mo, &d, &h, &mi, &s), 6);
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  auto began = static_cast<std::int64_t>(timegm(&tm));
  EXPECT_GE(began, t_s);
  EXPECT_LE(began, t_s + 3);
}
