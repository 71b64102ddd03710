// Recording split by program session (docs/streaming.md "Recording", docs/protocol.md
// "Stages"): a produced test-source stage in the program room "main" records one MPEG-TS file
// per session of that room, named after the session's title, and writes a WebVTT chapters
// file with one cue per session.
//
// The program is written by the test: an event in Europe/Stockholm whose sessions in room
// "main" change at the next minute boundary T (program times have minute resolution), so the
// test has to wait for T to pass.
//
// SLOW: this test takes between about 15 and 75 seconds (it waits for the next whole minute
// that is at least 8 s away, then records a few seconds of the next session).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "harness.hpp"
#include "media_fixture.hpp"
#include "media_peers.hpp"
#include "ws_client.hpp"

using namespace samling::testing;
namespace fs = std::filesystem;

namespace {

using media_fixture::bearer;
using media_fixture::describe;
using media_fixture::header_list;
using media_fixture::lines_with;
using media_fixture::log_excerpt;
using media_fixture::organizer_token;
using media_fixture::parse_object;
using media_fixture::unix_ms;

// ---- time ------------------------------------------------------------------------------------

// Local "YYYY-MM-DD" and "HH:MM" of a Unix second in an IANA time zone. Switches TZ for the
// moment (this process is single-threaded here) and restores it.
struct local_time {
  std::string day;
  std::string hhmm;
};
local_time local_in(const std::string& zone, std::time_t t) {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", zone.c_str(), 1);
  tzset();
  std::tm tm{};
  localtime_r(&t, &tm);
  char day[16], hhmm[8];
  std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
  std::strftime(hhmm, sizeof hhmm, "%H:%M", &tm);
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  return {day, hhmm};
}

// "2027-05-20T09-00-00Z_01-…" (a recording's name) -> the Unix second it starts with; -1 if not.
std::int64_t name_start_s(const std::string& name) {
  int y, mo, d, h, mi, s;
  if (std::sscanf(name.c_str(), "%4d-%2d-%2dT%2d-%2d-%2dZ_", &y, &mo, &d, &h, &mi, &s) != 6) return -1;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm));
}

// ---- the program -------------------------------------------------------------------------------

const std::string title_a = "Öppning: Så når vi målen";
const std::string slug_a = "oppning-sa-nar-vi-malen";
const std::string title_b = "Panel: Jobb för fler – nyanländas väg";
const std::string slug_b = "panel-jobb-for-fler-nyanlandas-vag";
const std::string title_c = "Lunch och mingel";
// A session of another room at the same time: it must not name anything of stage "main".
const std::string title_other = "Seminarium: Bostad först";

boost::json::object session_json(const std::string& id, const std::string& room, const std::string& day,
                                  const std::string& start, const std::string& end, const std::string& title) {
  return {{"id", id},
          {"room_id", room},
          {"day", day},
          {"starts_at", start},
          {"ends_at", end},
          {"kind", "plenary"},
          {"track", ""},
          {"title", {{"sv", title}, {"en", title + " (en)"}}},
          {"description", {{"sv", "Beskrivning."}}},
          {"speakers", boost::json::array{}}};
}

// ---- requests ----------------------------------------------------------------------------------


std::optional<boost::json::object> recordings_of(std::uint16_t port) {
  auto r = http_get(port, "/api/v1/stages/main/recordings", bearer(organizer_token()));
  if (r.status != 200) return std::nullopt;
  return parse_object(r.body);
}

// The .ts recordings of a listing, oldest first (the API lists newest first).
std::vector<boost::json::object> ts_files(const std::optional<boost::json::object>& list) {
  std::vector<boost::json::object> out;
  if (!list) return out;
  auto arr = field(*list, "recordings");
  if (!arr.is_array()) return out;
  for (auto& f : arr.as_array())
    if (f.is_object() && string_field(f.as_object(), "name").ends_with(".ts")) out.push_back(f.as_object());
  std::reverse(out.begin(), out.end());
  return out;
}


// ---- WebVTT --------------------------------------------------------------------------------------

struct cue {
  double start_s = -1, end_s = -1;
  std::string text;
};

double vtt_time(const std::string& t) {  // "HH:MM:SS.mmm"
  int h, m, s, ms;
  if (std::sscanf(t.c_str(), "%d:%d:%d.%d", &h, &m, &s, &ms) != 4) return -1;
  return h * 3600.0 + m * 60.0 + s + ms / 1000.0;
}

std::vector<cue> parse_cues(const std::string& vtt) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < vtt.size()) {
    auto eol = vtt.find('\n', pos);
    auto line = vtt.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? vtt.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  std::vector<cue> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto arrow = lines[i].find(" --> ");
    if (arrow == std::string::npos) continue;
    cue c;
    c.start_s = vtt_time(lines[i].substr(0, arrow));
    c.end_s = vtt_time(lines[i].substr(arrow + 5));
    for (std::size_t k = i + 1; k < lines.size() && !lines[k].empty(); ++k) c.text += (c.text.empty() ? "" : "\n") + lines[k];
    out.push_back(c);
  }
  return out;
}

}  // namespace

// SLOW (15-75 s): waits for the next minute boundary of the program.
TEST(MediaRecordingSessions, SplitsBySessionWithTitlesAndChapters) {
  const std::string zone = "Europe/Stockholm";
  // T: the next whole minute at least 8 s away (Stockholm's UTC offset is whole hours, so
  // its minute boundaries are UTC's). The stage must start and record a while before T.
  auto now_s = static_cast<std::int64_t>(unix_ms() / 1000);
  std::int64_t t_s = now_s - now_s % 60 + 60;
  if (t_s - now_s < 8) t_s += 60;
  const auto s_start = local_in(zone, t_s - 120), s_t = local_in(zone, t_s), s_t1 = local_in(zone, t_s + 60),
             s_t2 = local_in(zone, t_s + 120);
  if (s_start.day != s_t2.day) GTEST_SKIP() << "too close to midnight in " << zone << " for a one-day program";
  const std::string day = s_t.day;

  // The program: one event, today (in Stockholm) its only day; in room "main" session A
  // until T, B from T to T+1min, C after it; in room "sal-b" one session across all of it
  // (listed first and starting with A: if the stage's room were ignored, it would win).
  temp_dir dir;
  boost::json::array sessions{
      session_json("sal-b-seminarium", "sal-b", day, s_start.hhmm, s_t2.hhmm, title_other),
      session_json("oppning", "main", day, s_start.hhmm, s_t.hhmm, title_a),
      session_json("panel", "main", day, s_t.hhmm, s_t1.hhmm, title_b),
      session_json("lunch", "main", day, s_t1.hhmm, s_t2.hhmm, title_c),
  };
  boost::json::object event{
      {"id", ws::event_id},
      {"title", {{"sv", "Stockholm tillsammans 2027"}, {"en", "Stockholm Together 2027"}}},
      {"summary", {{"sv", "En dag om inkludering."}}},
      {"organizer", "Länsstyrelsen i Stockholms län"},
      {"venue", "Regeringsgatan 66"},
      {"city", "Stockholm"},
      {"timezone", zone},
      {"days", boost::json::array{boost::json::value(day)}},
      {"languages", boost::json::array{"sv", "en"}},
      {"rooms", boost::json::array{
                    boost::json::object{{"id", "main"}, {"kind", "main_stage"}, {"guests", true}, {"position", 0},
                                        {"name", {{"sv", "Stora salen"}, {"en", "Main hall"}}}},
                    boost::json::object{{"id", "sal-b"}, {"kind", "seminar"}, {"guests", false}, {"position", 1},
                                        {"name", {{"sv", "Sal B"}, {"en", "Room B"}}}}}},
      {"sessions", sessions},
  };
  auto program_path = dir.write("program.json", boost::json::serialize(event));

  server_process::options opt;
  opt.dir = &dir;
  opt.env = ws::auth_env();
  opt.env["SAMLING_DEMO_FILE"] = program_path;  // the [demo] file of the harness's base config
  opt.extra_toml =
      "\n[media]\n"
      "dir = \"{DIR}/media\"\n"
      "\n[[stages]]\n"
      "id = \"main\"\n"
      "name = { sv = \"Stora scenen\", en = \"Main stage\" }\n"
      "mode = \"produced\"\n"
      "input = \"test\"\n"
      "width = 320\nheight = 180\nfps = 15\nvideo_kbps = 300\npreset = \"ultrafast\"\nkeyframe_seconds = 1\n"
      "hls_segment_seconds = 1\nhls_window_seconds = 6\n"
      "room = \"main\"\n"
      "record = true\n";
  server_process server(opt);
  ASSERT_GT(server.port(), 0) << server.stderr_text();

  // The seeded program is ours.
  auto ev = http_get(server.port(), "/api/v1/events/" + ws::event_id);
  ASSERT_EQ(ev.status, 200) << describe(ev);
  ASSERT_NE(ev.body.find(title_b), std::string::npos) << "the program file was not seeded: " << describe(ev);

  // Before T: one file, named after session A.
  std::vector<boost::json::object> files;
  ASSERT_TRUE(eventually(
      [&] {
        files = ts_files(recordings_of(server.port()));
        return !files.empty() && int_field(files[0], "size") > 0;
      },
      15s))
      << str(recordings_of(server.port())) << "\n" << log_excerpt(server);
  ASSERT_LT(unix_ms(), t_s * 1000) << "the recording began only after T: the test cannot check session A";
  EXPECT_EQ(files.size(), 1u) << str(recordings_of(server.port()));
  EXPECT_TRUE(string_field(files[0], "name").ends_with("_01-" + slug_a + ".ts")) << str(files[0]);
  EXPECT_EQ(string_field(files[0], "session"), title_a) << str(files[0]);

  // After T: a second file, named after session B. A new file begins on the next keyframe
  // (every second) after the split; let B record a few seconds.
  ASSERT_TRUE(eventually(
      [&] {
        files = ts_files(recordings_of(server.port()));
        return files.size() >= 2 && int_field(files[1], "size") > 0 && unix_ms() > t_s * 1000 + 4000;
      },
      std::chrono::milliseconds(std::max<std::int64_t>(0, t_s * 1000 - unix_ms()) + 15'000)))
      << "T = " << t_s << ", now " << unix_ms() / 1000 << ": " << str(recordings_of(server.port())) << "\n"
      << log_excerpt(server);

  // While the stage records, the listing names each file's session (the recorder knows the
  // titles of the files of its own run only: after a stop or a restart "session" is null,
  // see media/layout.hpp, recording_file::session).
  auto live_list = recordings_of(server.port());
  ASSERT_TRUE(live_list) << log_excerpt(server);
  files = ts_files(live_list);
  ASSERT_EQ(files.size(), 2u) << str(live_list);
  EXPECT_EQ(string_field(files[0], "session"), title_a) << str(files[0]);
  EXPECT_EQ(string_field(files[1], "session"), title_b) << str(files[1]);

  // The chapters file already has A's cue (B's end is not known yet).
  auto live_vtt = http_get(server.port(), string_field(*live_list, "chapters_url"), bearer(organizer_token()));
  EXPECT_EQ(live_vtt.status, 200) << describe(live_vtt);
  EXPECT_NE(live_vtt.body.find(title_a), std::string::npos) << live_vtt.body;

  // Stop the stage: the last file and its chapter end.
  auto stop = http_request(server.port(), "POST", "/api/v1/stages/main/stop", {}, bearer(organizer_token()));
  ASSERT_EQ(stop.status, 200) << describe(stop);
  auto stopped_ms = unix_ms();

  auto list = recordings_of(server.port());
  ASSERT_TRUE(list) << log_excerpt(server);
  files = ts_files(list);
  ASSERT_EQ(files.size(), 2u) << str(list);
  auto name_a = string_field(files[0], "name"), name_b = string_field(files[1], "name");
  EXPECT_TRUE(name_a.ends_with("_01-" + slug_a + ".ts")) << name_a;
  EXPECT_TRUE(name_b.ends_with("_02-" + slug_b + ".ts")) << name_b;
  for (auto& f : files) EXPECT_EQ(string_field(f, "url"), "/api/v1/stages/main/recordings/" + string_field(f, "name"));
  EXPECT_EQ(list->at("recordings").as_array().size(), 2u) << "only the two .ts files: " << str(list);
  EXPECT_EQ(str(*list).find("Seminarium"), std::string::npos) << "another room's session: " << str(list);

  // File names start with the UTC second the file began: A before T, B at T (the next
  // keyframe after the split, within a few seconds).
  auto start_a = name_start_s(name_a), start_b = name_start_s(name_b);
  ASSERT_GT(start_a, 0) << name_a;
  ASSERT_GT(start_b, 0) << name_b;
  EXPECT_LT(start_a, t_s) << name_a;
  EXPECT_GE(start_b, t_s) << name_b;
  EXPECT_LE(start_b, t_s + 3) << name_b;

  // The chapters: both titles, in order, with increasing times.
  auto chapters_url = string_field(*list, "chapters_url");
  ASSERT_TRUE(chapters_url.ends_with("_chapters.vtt")) << str(list);
  auto vtt = http_get(server.port(), chapters_url, bearer(organizer_token()));
  ASSERT_EQ(vtt.status, 200) << describe(vtt);
  EXPECT_NE(vtt.header("content-type").find("text/vtt"), std::string::npos) << vtt.header("content-type");
  ASSERT_EQ(vtt.body.rfind("WEBVTT", 0), 0u) << vtt.body;
  auto cues = parse_cues(vtt.body);
  ASSERT_EQ(cues.size(), 2u) << vtt.body;
  EXPECT_EQ(cues[0].text, title_a) << vtt.body;
  EXPECT_EQ(cues[1].text, title_b) << vtt.body;
  EXPECT_GE(cues[0].start_s, 0) << vtt.body;
  EXPECT_LT(cues[0].start_s, cues[0].end_s) << vtt.body;
  EXPECT_LE(cues[0].end_s, cues[1].start_s) << vtt.body;
  EXPECT_LT(cues[1].start_s, cues[1].end_s) << vtt.body;
  EXPECT_EQ(vtt.body.find(title_other), std::string::npos) << vtt.body;

  // Both files download and play: H.264 + AAC; A lasts from its start until T, B from T
  // until the stop (±3 s: names are to the second, files begin on keyframes).
  std::vector<probe_result> probes;
  for (auto& f : files) {
    auto dl = http_get(server.port(), string_field(f, "url"), bearer(organizer_token()));
    ASSERT_EQ(dl.status, 200) << describe(dl);
    EXPECT_EQ(dl.header("content-type"), "video/mp2t");
    ASSERT_GT(dl.body.size(), 1000u) << string_field(f, "name");
    auto path = dir.file("download-" + string_field(f, "name"));
    write_file(path, dl.body);
    auto probe = probe_file(path);
    ASSERT_TRUE(probe.ok) << string_field(f, "name") << ": " << probe.error;
    EXPECT_EQ(probe.video_codec, "h264") << string_field(f, "name");
    EXPECT_EQ(probe.audio_codec, "aac") << string_field(f, "name");
    EXPECT_TRUE(probe.first_video_is_keyframe) << string_field(f, "name") << " does not begin on a keyframe";
    probes.push_back(probe);
  }
  const double expected_a = static_cast<double>(t_s - start_a);
  EXPECT_NEAR(probes[0].duration_s, expected_a, 3.0) << name_a << " (T = " << t_s << ")";
  const double expected_b = static_cast<double>(stopped_ms / 1000 - start_b);
  EXPECT_NEAR(probes[1].duration_s, expected_b, 3.0) << name_b;
  // The chapters agree with the files.
  EXPECT_NEAR(cues[0].end_s - cues[0].start_s, probes[0].duration_s, 2.0) << vtt.body;
  EXPECT_NEAR(cues[1].end_s - cues[1].start_s, probes[1].duration_s, 2.0) << vtt.body;
}
