// The stages' HTTP contract (docs/protocol.md, "Stages"), against the real binary with
// produced-mode test-source stages at cheap settings: HLS under /live/<id>/, the public and
// staff views of /api/v1/stages, who may act on a stage, destinations added through the API
// (masked keys, retrying against a refused port, persistence across a restart), /metrics,
// recordings (listing, download, ffprobe, surviving SIGKILL), the debug graph and the
// WebSocket "stages" request.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <boost/json.hpp>
#include <sqlite3.h>

#include "harness.hpp"
#include "media_fixture.hpp"
#include "media_peers.hpp"
#include "ws_client.hpp"

using namespace samling::testing;
namespace fs = std::filesystem;

namespace {

using media_fixture::bearer;
using media_fixture::describe;
using media_fixture::organizer_request;
using media_fixture::header_list;
using media_fixture::lines_with;
using media_fixture::log_excerpt;
using media_fixture::organizer_token;
using media_fixture::parse_object;
using media_fixture::unix_ms;

// ---- configuration -----------------------------------------------------------------------------

// A produced-mode test-source stage at the cheapest settings that still make real HLS.
std::string stage_toml(const std::string& id, const std::string& extra = {}) {
  return "\n[[stages]]\n"
         "id = \"" + id + "\"\n"
         "name = { sv = \"Scen " + id + "\", en = \"Stage " + id + "\", fi = \"Lava " + id + "\" }\n"
         "mode = \"produced\"\n"
         "input = \"test\"\n"
         "width = 320\n"
         "height = 180\n"
         "fps = 15\n"
         "video_kbps = 300\n"
         "preset = \"ultrafast\"\n"
         "keyframe_seconds = 1\n"
         "hls_segment_seconds = 1\n"
         "hls_window_seconds = 6\n" +
         extra;
}

// media.dir inside the test's own directory; quick relay retries so a refused destination
// counts reconnects within a few seconds.
server_process::options media_server(const std::string& stages, const temp_dir* dir = nullptr) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "\n[media]\n"
                 "dir = \"{DIR}/media\"\n"
                 "relay_backoff_initial_ms = 200\n"
                 "relay_backoff_max_ms = 1000\n" +
                 stages;
  o.dir = dir;
  return o;
}

// ---- the store -----------------------------------------------------------------------------------

// A row of the database's stage_destinations (media's destination store), read directly.
struct saved_destination {
  std::string id, source, key;
  bool enabled = true;
};

std::vector<saved_destination> saved_destinations(const std::string& db_path, const std::string& stage) {
  std::vector<saved_destination> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path << ": " << (db ? sqlite3_errmsg(db) : "");
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* st = nullptr;
  const char* sql = "SELECT id, source, stream_key, enabled FROM stage_destinations WHERE stage = ?1 ORDER BY position";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot read stage_destinations: " << sqlite3_errmsg(db);
  } else {
    sqlite3_bind_text(st, 1, stage.c_str(), -1, SQLITE_TRANSIENT);
    auto text = [&](int c) {
      auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
      return p ? std::string(p) : std::string();
    };
    while (sqlite3_step(st) == SQLITE_ROW) out.push_back({text(0), text(1), text(2), sqlite3_column_int(st, 3) != 0});
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

std::string describe(const std::vector<saved_destination>& rows) {
  std::string out;
  for (auto& r : rows) out += r.id + " (" + r.source + (r.enabled ? ", on" : ", off") + ")\n";
  return out.empty() ? "(none)" : out;
}

// ---- tokens and requests ------------------------------------------------------------------------

const std::string other_event = "another-event-2028";

std::string moderator_token() { return ws::token("u-mod", "Mats Moderator", "moderator"); }
std::string attendee_token() { return ws::token("u-att", "Anna Attendee", "attendee"); }
std::string foreign_organizer_token() { return ws::token("u-far", "Frida Far", "organizer", other_event); }


http_response org_get(std::uint16_t port, const std::string& target) {
  return http_get(port, target, bearer(organizer_token()));
}
http_response org_post(std::uint16_t port, const std::string& target, const std::string& body = {}) {
  return organizer_request(port, "POST", target, body);
}

std::string error_code(const http_response& r) { return string_field(parse_object(r.body), "error.code"); }

// The stage `id` in a {"stages": [...]} body.
std::optional<json::object> stage_in(const std::string& body, const std::string& id) {
  auto o = parse_object(body);
  auto* arr = o.if_contains("stages");
  if (!arr || !arr->is_array()) return std::nullopt;
  for (auto& s : arr->as_array())
    if (s.is_object() && string_field(s.as_object(), "id") == id) return s.as_object();
  return std::nullopt;
}

// The staff view of one stage (organizer token).
std::optional<json::object> staff_stage(std::uint16_t port, const std::string& id) {
  auto r = org_get(port, "/api/v1/stages/" + id);
  if (r.status != 200) return std::nullopt;
  auto o = parse_object(r.body);
  if (o.empty()) return std::nullopt;
  return o;
}

std::optional<json::object> output_in(const std::optional<json::object>& stage, const std::string& oid) {
  if (!stage) return std::nullopt;
  auto* arr = stage->if_contains("outputs");
  if (!arr || !arr->is_array()) return std::nullopt;
  for (auto& o : arr->as_array())
    if (o.is_object() && string_field(o.as_object(), "id") == oid) return o.as_object();
  return std::nullopt;
}

double number_field(const json::object& o, std::string_view path) {
  auto v = field(o, path);
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return -1;
}

// ---- HLS -------------------------------------------------------------------------------------

struct hls_segment_entry {
  std::string uri;
  double duration_s = -1;
  std::string program_date_time;  // the EXT-X-PROGRAM-DATE-TIME just before it ("" if none)
};
struct parsed_playlist {
  bool ok = false;  // starts with #EXTM3U
  std::int64_t media_sequence = -1;
  int target_duration = -1;
  std::vector<hls_segment_entry> segments;
  double listed_s() const {
    double t = 0;
    for (auto& s : segments) t += s.duration_s;
    return t;
  }
};

parsed_playlist parse_playlist(const std::string& text) {
  parsed_playlist p;
  p.ok = text.rfind("#EXTM3U", 0) == 0;
  std::size_t pos = 0;
  hls_segment_entry pending;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    std::string line = text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("#EXT-X-MEDIA-SEQUENCE:", 0) == 0) {
      p.media_sequence = std::stoll(line.substr(22));
    } else if (line.rfind("#EXT-X-TARGETDURATION:", 0) == 0) {
      p.target_duration = std::stoi(line.substr(22));
    } else if (line.rfind("#EXT-X-PROGRAM-DATE-TIME:", 0) == 0) {
      pending.program_date_time = line.substr(25);
    } else if (line.rfind("#EXTINF:", 0) == 0) {
      pending.duration_s = std::stod(line.substr(8));
    } else if (!line.empty() && line[0] != '#') {
      pending.uri = line;
      p.segments.push_back(pending);
      pending = {};
    }
  }
  return p;
}

// "2027-05-20T09:00:00.123Z" -> Unix milliseconds; -1 when malformed.
std::int64_t parse_utc_ms(const std::string& s) {
  int y, mo, d, h, mi, sec, ms;
  char z = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &sec, &ms, &z) != 8 || z != 'Z')
    return -1;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + ms;
}

// Polls the playlist until it lists at least `min_segments` segments.
std::optional<parsed_playlist> wait_playlist(std::uint16_t port, const std::string& id,
                                             std::size_t min_segments,
                                             std::chrono::milliseconds deadline = 15s,
                                             http_response* last = nullptr) {
  parsed_playlist p;
  http_response r;
  bool ok = eventually(
      [&] {
        r = http_get(port, "/live/" + id + "/index.m3u8");
        if (r.status != 200) return false;
        p = parse_playlist(r.body);
        return p.ok && p.segments.size() >= min_segments;
      },
      deadline);
  if (last) *last = r;
  if (!ok) return std::nullopt;
  return p;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}


}  // namespace

// ================================================================================================
// HLS
// ================================================================================================

TEST(MediaHls, PlaylistIsLiveWithProgramDateTimeAndSegmentsAreH264Aac) {
  server_process server(media_server(stage_toml("main", "room = \"main\"\n")));
  http_response r;
  auto p = wait_playlist(server.port(), "main", 3, 15s, &r);
  ASSERT_TRUE(p) << "no playlist with 3 segments: " << describe(r) << "\n" << log_excerpt(server);

  EXPECT_EQ(r.header("content-type"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(r.header("cache-control"), "no-cache");
  EXPECT_GE(p->media_sequence, 0);
  EXPECT_GE(p->target_duration, 1);
  EXPECT_LE(p->target_duration, 3);

  auto now = unix_ms();
  std::int64_t previous_pdt = -1;
  for (auto& s : p->segments) {
    SCOPED_TRACE(s.uri);
    EXPECT_GE(s.duration_s, 0.5) << r.body;
    EXPECT_LE(s.duration_s, 2.5) << r.body;
    ASSERT_FALSE(s.program_date_time.empty()) << "segment without EXT-X-PROGRAM-DATE-TIME:\n" << r.body;
    auto pdt = parse_utc_ms(s.program_date_time);
    ASSERT_GT(pdt, 0) << s.program_date_time;
    EXPECT_LE(std::llabs(now - pdt), 30'000) << s.program_date_time << " vs now " << now;
    if (previous_pdt > 0) {
      // The timeline follows the wall clock: consecutive segments are about a duration apart.
      EXPECT_GT(pdt, previous_pdt) << r.body;
      EXPECT_LE(pdt - previous_pdt, 2'500) << r.body;
    }
    previous_pdt = pdt;
  }
  // The newest segment started at most a few seconds ago.
  EXPECT_LE(now - previous_pdt, 10'000) << r.body;

  // A listed segment: MPEG-TS with H.264 and AAC, cacheable.
  auto uri = p->segments.back().uri;
  auto seg = http_get(server.port(), "/live/main/" + uri);
  ASSERT_EQ(seg.status, 200) << describe(seg);
  EXPECT_EQ(seg.header("content-type"), "video/mp2t");
  EXPECT_TRUE(contains(seg.header("cache-control"), "max-age")) << seg.header("cache-control");
  ASSERT_GT(seg.body.size(), 188u * 10);
  EXPECT_EQ(seg.body[0], 0x47) << "not MPEG-TS";
  auto path = server.dir().file("segment.ts");
  write_file(path, seg.body);
  auto probe = probe_file(path);
  ASSERT_TRUE(probe.ok) << probe.error;
  EXPECT_EQ(probe.video_codec, "h264");
  EXPECT_EQ(probe.audio_codec, "aac");
  EXPECT_TRUE(probe.first_video_is_keyframe) << "a segment must start on a keyframe";
  EXPECT_GE(probe.video_pts.size(), 5u);  // ~15 frames per 1 s segment
}

TEST(MediaHls, WindowSlidesAndOldSegmentsLeaveThePlaylist) {
  server_process server(media_server(stage_toml("main")));
  auto first = wait_playlist(server.port(), "main", 1);
  ASSERT_TRUE(first) << log_excerpt(server);
  auto first_uri = first->segments.front().uri;
  auto first_seq = first->media_sequence;

  // A 6 s window of 1 s segments: within ~10 s the first segment has left the playlist and the
  // media sequence has moved on.
  parsed_playlist later;
  http_response r;
  bool slid = eventually(
      [&] {
        r = http_get(server.port(), "/live/main/index.m3u8");
        if (r.status != 200) return false;
        later = parse_playlist(r.body);
        if (later.media_sequence <= first_seq) return false;
        for (auto& s : later.segments)
          if (s.uri == first_uri) return false;
        return true;
      },
      20s);
  ASSERT_TRUE(slid) << "the window did not slide; last playlist:\n" << r.body;
  EXPECT_GT(later.media_sequence, first_seq);
  // What stays covers the window (>= 6 s) but not much more (one segment beyond it).
  EXPECT_GE(later.listed_s(), 5.5) << r.body;
  EXPECT_LE(later.listed_s(), 6.0 + 2.5) << r.body;
  EXPECT_LE(later.segments.size(), 9u) << r.body;
  // No segment is listed twice.
  std::set<std::string> uris;
  for (auto& s : later.segments) EXPECT_TRUE(uris.insert(s.uri).second) << "listed twice: " << s.uri;

  // Still advancing.
  auto seq = later.media_sequence;
  EXPECT_TRUE(eventually(
      [&] {
        auto p = parse_playlist(http_get(server.port(), "/live/main/index.m3u8").body);
        return p.media_sequence > seq;
      },
      5s));
}

TEST(MediaHls, UnknownStageAndBadFileNamesAre404) {
  server_process server(media_server(stage_toml("main")));
  auto p = wait_playlist(server.port(), "main", 1);
  ASSERT_TRUE(p) << log_excerpt(server);

  auto nope = http_get(server.port(), "/live/nope/index.m3u8");
  EXPECT_EQ(nope.status, 404) << describe(nope);
  auto nope_seg = http_get(server.port(), "/live/nope/" + p->segments.front().uri);
  EXPECT_EQ(nope_seg.status, 404) << describe(nope_seg);

  for (std::string name : {"../x", "../../samling.db", "index.txt", ".index.m3u8.tmp", "a%20b.ts", "a$b.ts",
                           "a%0Ab.ts", "..a.ts", "a..ts", "nosuchsegment.ts", "index.m3u8x", "INDEX.M3U8"}) {
    auto r = http_get(server.port(), "/live/main/" + name);
    EXPECT_EQ(r.status, 404) << name << ": " << describe(r);
  }
  // An encoded slash is refused by the HTTP layer before routing; never served.
  for (std::string name : {"..%2Fx", "..%2F..%2Fsamling.db", "%2E%2E%2Fsamling.db"}) {
    auto r = http_get(server.port(), "/live/main/" + name);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << name << ": " << describe(r);
  }
}

TEST(MediaHls, NonPublicStageIsForbidden) {
  server_process server(media_server(stage_toml("closed", "public = false\n")));
  // It runs (the staff view says so) and writes HLS, but nobody gets it without a grant.
  ASSERT_TRUE(eventually(
      [&] {
        auto s = staff_stage(server.port(), "closed");
        return s && string_field(*s, "state") == "live" && int_field(*s, "hls_segments") >= 1;
      },
      15s))
      << str(staff_stage(server.port(), "closed"));
  // `public = false` is visibility "press" (issue 18): no credential, grant_missing.
  auto r = http_get(server.port(), "/live/closed/index.m3u8");
  EXPECT_EQ(r.status, 403) << describe(r);
  EXPECT_EQ(error_code(r), "grant_missing") << describe(r);
  auto seg = http_get(server.port(), "/live/closed/x-00000.ts");
  EXPECT_EQ(seg.status, 403) << describe(seg);
  auto with_token = http_get(server.port(), "/live/closed/index.m3u8", bearer(attendee_token()));
  EXPECT_EQ(with_token.status, 403) << describe(with_token);
}

TEST(MediaHls, StopMakesThePlaylist404AndStartBringsItBack) {
  server_process server(media_server(stage_toml("main")));
  auto before = wait_playlist(server.port(), "main", 1);
  ASSERT_TRUE(before) << log_excerpt(server);

  auto stop = org_post(server.port(), "/api/v1/stages/main/stop");
  ASSERT_EQ(stop.status, 200) << describe(stop);
  auto stopped = parse_object(stop.body);
  EXPECT_EQ(string_field(stopped, "state"), "offline") << stop.body;
  EXPECT_EQ(field(stopped, "running"), json::value(false)) << stop.body;
  EXPECT_TRUE(stopped.contains("outputs")) << "stop answers with the staff view: " << stop.body;

  auto gone = http_get(server.port(), "/live/main/index.m3u8");
  EXPECT_EQ(gone.status, 404) << describe(gone);
  auto gone_seg = http_get(server.port(), "/live/main/" + before->segments.front().uri);
  EXPECT_EQ(gone_seg.status, 404) << "a stopped stage serves no segments: " << describe(gone_seg);
  EXPECT_TRUE(eventually(
      [&] {
        auto s = stage_in(http_get(server.port(), "/api/v1/stages").body, "main");
        return s && string_field(*s, "state") == "offline";
      },
      5s))
      << http_get(server.port(), "/api/v1/stages").body;
  // Stopping a stopped stage is harmless.
  auto again = org_post(server.port(), "/api/v1/stages/main/stop");
  EXPECT_EQ(again.status, 200) << describe(again);
  EXPECT_EQ(string_field(parse_object(again.body), "state"), "offline");

  auto start = org_post(server.port(), "/api/v1/stages/main/start");
  ASSERT_EQ(start.status, 200) << describe(start);
  EXPECT_EQ(field(parse_object(start.body), "running"), json::value(true)) << start.body;
  auto after = wait_playlist(server.port(), "main", 1);
  ASSERT_TRUE(after) << log_excerpt(server);
  // A new run: new segment names, none of the old ones.
  for (auto& s : after->segments)
    for (auto& old : before->segments) EXPECT_NE(s.uri, old.uri);
  EXPECT_TRUE(eventually(
      [&] {
        auto s = stage_in(http_get(server.port(), "/api/v1/stages").body, "main");
        return s && string_field(*s, "state") == "live";
      },
      10s))
      << http_get(server.port(), "/api/v1/stages").body;
}

// ================================================================================================
// API: views and permissions
// ================================================================================================

TEST(MediaApi, PublicAndStaffViews) {
  server_process server(media_server(stage_toml("main", "room = \"main\"\n") +
                                     stage_toml("closed", "public = false\n")));
  // The staff view shows the input delivering and the programme going out.
  std::optional<json::object> staff;
  ASSERT_TRUE(eventually(
      [&] {
        staff = staff_stage(server.port(), "main");
        // "live" once the first HLS segment is out (a starting stage shows "standby").
        return staff && int_field(*staff, "input.frames") > 0 && number_field(*staff, "program.bitrate_bps") > 0 &&
               string_field(*staff, "state") == "live";
      },
      15s))
      << str(staff);

  const std::set<std::string> public_fields = {"id",    "name",           "room", "public", "visibility", "public_at",
                                               "state", "state_since_ms", "hls",  "viewers"};
  auto keys_of = [](const json::object& o) {
    std::set<std::string> k;
    for (auto& kv : o) k.insert(std::string(kv.key()));
    return k;
  };

  // Anyone, an attendee, and an organizer of another event: the public view, public stages only.
  for (auto& [who, headers] : std::vector<std::pair<std::string, header_list>>{
           {"no token", {}},
           {"attendee", bearer(attendee_token())},
           {"organizer of another event", bearer(foreign_organizer_token())}}) {
    SCOPED_TRACE(who);
    auto r = http_get(server.port(), "/api/v1/stages", headers);
    ASSERT_EQ(r.status, 200) << describe(r);
    EXPECT_TRUE(contains(r.header("content-type"), "application/json")) << r.header("content-type");
    auto main = stage_in(r.body, "main");
    ASSERT_TRUE(main) << r.body;
    EXPECT_EQ(keys_of(*main), public_fields) << r.body;
    EXPECT_FALSE(main->contains("outputs"));
    EXPECT_FALSE(main->contains("input"));
    EXPECT_EQ(string_field(*main, "name.sv"), "Scen main");
    EXPECT_EQ(string_field(*main, "name.en"), "Stage main");
    EXPECT_EQ(string_field(*main, "name.fi"), "Lava main");
    EXPECT_EQ(string_field(*main, "room"), "main");
    EXPECT_EQ(field(*main, "public"), json::value(true));
    EXPECT_EQ(string_field(*main, "hls"), "/live/main/index.m3u8");
    EXPECT_EQ(string_field(*main, "state"), "live") << r.body;
    EXPECT_FALSE(stage_in(r.body, "closed")) << "a non-public stage is listed for " << who << ": " << r.body;

    auto one = http_get(server.port(), "/api/v1/stages/main", headers);
    ASSERT_EQ(one.status, 200) << describe(one);
    EXPECT_EQ(keys_of(parse_object(one.body)), public_fields) << one.body;
    auto closed = http_get(server.port(), "/api/v1/stages/closed", headers);
    EXPECT_EQ(closed.status, 404) << describe(closed);
    EXPECT_EQ(error_code(closed), "no_such_stage") << describe(closed);
  }

  // Moderators and organizers of the event: the staff view, non-public stages too.
  for (auto& [who, token] : std::vector<std::pair<std::string, std::string>>{
           {"moderator", moderator_token()}, {"organizer", organizer_token()}}) {
    SCOPED_TRACE(who);
    auto r = http_get(server.port(), "/api/v1/stages", bearer(token));
    ASSERT_EQ(r.status, 200) << describe(r);
    auto main = stage_in(r.body, "main");
    ASSERT_TRUE(main) << r.body;
    for (auto& k : public_fields) EXPECT_TRUE(main->contains(k)) << k;
    EXPECT_EQ(string_field(*main, "event"), ws::event_id);
    EXPECT_EQ(string_field(*main, "mode"), "produced");
    EXPECT_EQ(field(*main, "running"), json::value(true));
    EXPECT_GT(int_field(*main, "uptime_ms"), 0);
    EXPECT_EQ(string_field(*main, "input.kind"), "test");
    EXPECT_EQ(string_field(*main, "input.state"), "connected") << r.body;
    EXPECT_GT(int_field(*main, "input.frames"), 0) << r.body;
    // The test source makes raw pictures: no encoded input to count (bytes, keyframes); the
    // programme carries the encoder's keyframes.
    EXPECT_EQ(int_field(*main, "input.bytes"), 0) << r.body;
    EXPECT_GT(int_field(*main, "program.keyframes"), 0) << r.body;
    EXPECT_GT(number_field(*main, "program.bitrate_bps"), 0) << r.body;
    EXPECT_GT(int_field(*main, "program.frames"), 0) << r.body;
    EXPECT_GE(int_field(*main, "hls_segments"), 0);
    EXPECT_EQ(field(*main, "recording.enabled"), json::value(false));
    EXPECT_EQ(string_field(*main, "recording.state"), "off");
    ASSERT_TRUE(field(*main, "outputs").is_array()) << r.body;
    EXPECT_TRUE(field(*main, "outputs").as_array().empty());

    auto closed = stage_in(r.body, "closed");
    ASSERT_TRUE(closed) << "staff see non-public stages: " << r.body;
    EXPECT_EQ(field(*closed, "public"), json::value(false));
    EXPECT_EQ(field(*closed, "room"), json::value(nullptr));
    EXPECT_TRUE(closed->contains("outputs"));

    auto one = http_get(server.port(), "/api/v1/stages/closed", bearer(token));
    ASSERT_EQ(one.status, 200) << describe(one);
    EXPECT_TRUE(parse_object(one.body).contains("input")) << one.body;
  }

  // A token that does not verify is an error, not the public view.
  auto bad = http_get(server.port(), "/api/v1/stages", bearer("v1.k1.bm9uc2Vuc2U.c2lnbmF0dXJl"));
  EXPECT_EQ(bad.status, 401) << describe(bad);
  EXPECT_EQ(error_code(bad), "unauthorized") << describe(bad);
  auto unknown = http_get(server.port(), "/api/v1/stages/nope");
  EXPECT_EQ(unknown.status, 404) << describe(unknown);
  EXPECT_EQ(error_code(unknown), "no_such_stage");
}

TEST(MediaApi, OrganizerActionsNeedAnOrganizerOfTheEvent) {
  server_process server(media_server(stage_toml("main")));
  ASSERT_TRUE(wait_playlist(server.port(), "main", 1)) << log_excerpt(server);
  const std::string add_body = R"({"name":"X","url":"rtmp://127.0.0.1:1/live2","key":"abcdefghijkl"})";
  struct action {
    std::string method, target, body;
  };
  const std::vector<action> actions = {
      {"POST", "/api/v1/stages/main/start", ""},
      {"POST", "/api/v1/stages/main/stop", ""},
      {"POST", "/api/v1/stages/main/outputs", add_body},
      {"DELETE", "/api/v1/stages/main/outputs/x", ""},
      {"POST", "/api/v1/stages/main/outputs/x/stop", ""},
      {"POST", "/api/v1/stages/main/outputs/x/start", ""},
      {"GET", "/api/v1/stages/main/graph", ""},
      {"GET", "/api/v1/stages/main/recordings", ""},
      {"GET", "/api/v1/stages/main/recordings/x.ts", ""},
  };
  const std::vector<std::tuple<std::string, header_list, int, std::string>> callers = {
      {"no token", {}, 401, "unauthorized"},
      {"bad token", bearer("v1.k1.bm9uc2Vuc2U.c2lnbmF0dXJl"), 401, "unauthorized"},
      {"attendee", bearer(attendee_token()), 403, "forbidden"},
      {"moderator", bearer(moderator_token()), 403, "forbidden"},
      {"organizer of another event", bearer(foreign_organizer_token()), 403, "forbidden"},
  };
  for (auto& a : actions) {
    for (auto& [who, headers, status, code] : callers) {
      auto r = http_request(server.port(), a.method, a.target, a.body, headers);
      EXPECT_EQ(r.status, status) << a.method << " " << a.target << " as " << who << ": " << describe(r);
      EXPECT_EQ(error_code(r), code) << a.method << " " << a.target << " as " << who << ": " << describe(r);
    }
    // An unknown stage, even for an organizer.
    auto target = a.target;
    target.replace(target.find("/main"), 5, "/nope");
    auto r = http_request(server.port(), a.method, target, a.body, bearer(organizer_token()));
    EXPECT_EQ(r.status, 404) << a.method << " " << target << ": " << describe(r);
    EXPECT_EQ(error_code(r), "no_such_stage") << a.method << " " << target << ": " << describe(r);
  }
  // An unknown destination of a known stage.
  for (auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
           {"DELETE", "/api/v1/stages/main/outputs/x"},
           {"POST", "/api/v1/stages/main/outputs/x/stop"},
           {"POST", "/api/v1/stages/main/outputs/x/start"}}) {
    auto r = http_request(server.port(), method, target, "", bearer(organizer_token()));
    EXPECT_EQ(r.status, 404) << method << " " << target << ": " << describe(r);
    EXPECT_EQ(error_code(r), "no_such_output") << method << " " << target << ": " << describe(r);
  }
  // None of the refused requests did anything: the stage runs and has no destinations.
  auto s = staff_stage(server.port(), "main");
  ASSERT_TRUE(s);
  EXPECT_EQ(field(*s, "running"), json::value(true)) << str(s);
  EXPECT_TRUE(field(*s, "outputs").is_array() && field(*s, "outputs").as_array().empty()) << str(s);
  EXPECT_EQ(http_get(server.port(), "/live/main/index.m3u8").status, 200);
}

// ================================================================================================
// API: destinations
// ================================================================================================

TEST(MediaApi, OutputAddedThroughTheApiRetriesMaskedAndIsRemoved) {
  const std::string key = "abcd-efgh-ijkl-1234";
  server_process server(media_server(stage_toml("main")));
  ASSERT_TRUE(wait_playlist(server.port(), "main", 1)) << log_excerpt(server);
  auto url = "rtmp://127.0.0.1:" + std::to_string(refused_port()) + "/live2";
  auto body = json::serialize(json::object{{"name", "YouTube"}, {"url", url}, {"key", key}});

  auto added = org_post(server.port(), "/api/v1/stages/main/outputs", body);
  ASSERT_EQ(added.status, 201) << describe(added);
  auto out = parse_object(added.body);
  auto oid = string_field(out, "id");
  ASSERT_FALSE(oid.empty()) << added.body;
  EXPECT_EQ(oid, "youtube") << "an id from the name";
  EXPECT_EQ(string_field(out, "name"), "YouTube");
  EXPECT_EQ(string_field(out, "url"), url);
  EXPECT_EQ(string_field(out, "key"), "\u2022\u2022\u2022\u20221234") << added.body;
  EXPECT_EQ(string_field(out, "source"), "api");
  EXPECT_NE(string_field(out, "state"), "stopped") << added.body;
  EXPECT_FALSE(contains(added.body, key)) << added.body;

  // The same id again is refused.
  auto dup = org_post(server.port(), "/api/v1/stages/main/outputs",
                      json::serialize(json::object{{"id", oid}, {"name", "Again"}, {"url", url}, {"key", key}}));
  EXPECT_EQ(dup.status, 400) << describe(dup);
  EXPECT_EQ(error_code(dup), "invalid_output") << describe(dup);

  // Nothing listens there: retrying, reason refused, reconnects counting up.
  std::optional<json::object> o;
  ASSERT_TRUE(eventually(
      [&] {
        o = output_in(staff_stage(server.port(), "main"), oid);
        return o && string_field(*o, "state") == "retrying" && int_field(*o, "reconnects") >= 2;
      },
      15s))
      << str(o) << "\n" << log_excerpt(server);
  EXPECT_EQ(string_field(*o, "reason"), "refused") << str(o);
  EXPECT_FALSE(field(*o, "last_error").is_null()) << str(o);
  auto reconnects = int_field(*o, "reconnects");
  ASSERT_TRUE(eventually(
      [&] {
        o = output_in(staff_stage(server.port(), "main"), oid);
        return o && int_field(*o, "reconnects") > reconnects;
      },
      10s))
      << str(o);
  EXPECT_EQ(int_field(*o, "uptime_ms"), 0);

  // The stream key appears nowhere: staff view, metrics, log.
  auto list = http_get(server.port(), "/api/v1/stages", bearer(organizer_token()));
  ASSERT_EQ(list.status, 200);
  EXPECT_TRUE(contains(list.body, "\u2022\u2022\u2022\u20221234")) << list.body;
  EXPECT_FALSE(contains(list.body, key)) << list.body;
  auto metrics = http_get(server.port(), "/metrics");
  EXPECT_TRUE(contains(metrics.body, "output=\"" + oid + "\"")) << metrics.body;
  EXPECT_FALSE(contains(metrics.body, key));
  auto log = server.stderr_text();
  EXPECT_TRUE(contains(log, "relay_retrying")) << log_excerpt(server);
  EXPECT_FALSE(contains(log, key)) << "the stream key is in the server's log:\n" << lines_with(log, key);

  // Stop: stopped, and it stays stopped (no more attempts).
  auto stop = org_post(server.port(), "/api/v1/stages/main/outputs/" + oid + "/stop");
  ASSERT_EQ(stop.status, 200) << describe(stop);
  EXPECT_EQ(string_field(parse_object(stop.body), "state"), "stopped") << stop.body;
  EXPECT_FALSE(contains(stop.body, key));
  ASSERT_TRUE(eventually(
      [&] {
        o = output_in(staff_stage(server.port(), "main"), oid);
        return o && string_field(*o, "state") == "stopped";
      },
      5s))
      << str(o);
  auto stopped_reconnects = int_field(*o, "reconnects");
  EXPECT_FALSE(eventually(
      [&] {
        auto now = output_in(staff_stage(server.port(), "main"), oid);
        return !now || string_field(*now, "state") != "stopped" || int_field(*now, "reconnects") != stopped_reconnects;
      },
      2500ms))
      << "a stopped destination changed by itself: " << str(output_in(staff_stage(server.port(), "main"), oid));

  // Start: it leaves "stopped" and tries again.
  auto start = org_post(server.port(), "/api/v1/stages/main/outputs/" + oid + "/start");
  ASSERT_EQ(start.status, 200) << describe(start);
  EXPECT_NE(string_field(parse_object(start.body), "state"), "stopped") << start.body;
  EXPECT_TRUE(eventually(
      [&] {
        o = output_in(staff_stage(server.port(), "main"), oid);
        return o && string_field(*o, "state") == "retrying" && string_field(*o, "reason") == "refused";
      },
      10s))
      << str(o);

  // Delete: 204, gone, and a second delete is 404.
  auto del = http_request(server.port(), "DELETE", "/api/v1/stages/main/outputs/" + oid, "", bearer(organizer_token()));
  EXPECT_EQ(del.status, 204) << describe(del);
  EXPECT_TRUE(del.body.empty()) << del.body;
  auto del2 = http_request(server.port(), "DELETE", "/api/v1/stages/main/outputs/" + oid, "", bearer(organizer_token()));
  EXPECT_EQ(del2.status, 404) << describe(del2);
  EXPECT_EQ(error_code(del2), "no_such_output") << describe(del2);
  EXPECT_TRUE(eventually([&] { return !output_in(staff_stage(server.port(), "main"), oid); }, 5s))
      << str(staff_stage(server.port(), "main"));
  EXPECT_FALSE(contains(server.stderr_text(), key))
      << "the stream key is in the server's log:\n" << lines_with(server.stderr_text(), key);
}

TEST(MediaApi, InvalidOutputsAre400) {
  server_process server(media_server(stage_toml("main")));
  // Stopped, so that the destinations added below do not all start relays.
  auto stop = org_post(server.port(), "/api/v1/stages/main/stop");
  ASSERT_EQ(stop.status, 200) << describe(stop);
  const std::string url = "rtmp://127.0.0.1:" + std::to_string(refused_port()) + "/live2";
  auto output = [&](const std::string& name, const std::string& u, const std::string& key) {
    return json::serialize(json::object{{"name", name}, {"url", u}, {"key", key}});
  };
  const std::vector<std::pair<std::string, std::string>> invalid = {
      {"http url", output("Web", "http://x", "abcdefghijkl")},
      {"http url, long", output("Web", "http://example.com/live2", "abcdefghijkl")},
      {"srt url", output("Srt", "srt://127.0.0.1:9000", "abcdefghijkl")},
      {"empty key", output("YouTube", url, "")},
      {"key with a space", output("YouTube", url, "abcd efgh")},
      {"name too long", output(std::string(61, 'n'), url, "abcdefghijkl")},
      {"empty name", output("", url, "abcdefghijkl")},
      {"no url", json::serialize(json::object{{"name", "YouTube"}, {"key", "abcdefghijkl"}})},
      {"bad id", json::serialize(json::object{{"id", "Bad Id!"}, {"name", "YouTube"}, {"url", url}, {"key", "abcdefghijkl"}})},
  };
  for (auto& [what, body] : invalid) {
    auto r = org_post(server.port(), "/api/v1/stages/main/outputs", body);
    EXPECT_EQ(r.status, 400) << what << ": " << describe(r);
    EXPECT_EQ(error_code(r), "invalid_output") << what << ": " << describe(r);
    EXPECT_FALSE(string_field(parse_object(r.body), "error.message").empty()) << what << ": " << describe(r);
  }
  // Not JSON, or not an object: 400 as well.
  for (std::string body : {"not json", "[1,2]", "", "{\"name\":"}) {
    auto r = org_post(server.port(), "/api/v1/stages/main/outputs", body);
    EXPECT_EQ(r.status, 400) << "body '" << body << "': " << describe(r);
    EXPECT_FALSE(error_code(r).empty()) << describe(r);
  }
  // At most 16 destinations.
  for (int i = 0; i < 16; ++i) {
    auto r = org_post(server.port(), "/api/v1/stages/main/outputs",
                      output("Dest " + std::to_string(i), url, "key-number-" + std::to_string(1000 + i)));
    ASSERT_EQ(r.status, 201) << i << ": " << describe(r);
  }
  auto r = org_post(server.port(), "/api/v1/stages/main/outputs", output("One too many", url, "abcdefghijkl"));
  EXPECT_EQ(r.status, 400) << describe(r);
  EXPECT_EQ(error_code(r), "invalid_output") << describe(r);
  // The status board follows within a moment: exactly the 16 valid ones, none of the invalid.
  std::optional<json::object> s;
  EXPECT_TRUE(eventually(
      [&] {
        s = staff_stage(server.port(), "main");
        return s && field(*s, "outputs").is_array() && field(*s, "outputs").as_array().size() == 16;
      },
      5s))
      << str(s);
  EXPECT_FALSE(eventually(
      [&] {
        s = staff_stage(server.port(), "main");
        return !s || field(*s, "outputs").as_array().size() != 16;
      },
      1s))
      << str(s);
  auto outputs = field(*s, "outputs");
  for (auto& o : outputs.as_array())
    EXPECT_TRUE(string_field(o.as_object(), "name").rfind("Dest ", 0) == 0) << str(o);
}

TEST(MediaApi, ApiOutputsSurviveARestart) {
  const std::string key = "abcd-efgh-ijkl-1234";
  const std::string other_key = "zyxw-vuts-rqpo-5678";
  temp_dir dir;
  const std::string url = "rtmp://127.0.0.1:" + std::to_string(refused_port()) + "/live2";
  // And one destination from the configuration file, never touched by an organizer.
  const std::string stages = stage_toml("main") +
                             "\n[[stages.outputs]]\nid = \"cfg\"\nname = \"Configured\"\n"
                             "url = \"" + url + "\"\nkey = \"config-key-0000-9999\"\n";
  {
    server_process server(media_server(stages, &dir));
    auto a = org_post(server.port(), "/api/v1/stages/main/outputs",
                      json::serialize(json::object{{"id", "yt"}, {"name", "YouTube"}, {"url", url}, {"key", key}}));
    ASSERT_EQ(a.status, 201) << describe(a);
    auto b = org_post(server.port(), "/api/v1/stages/main/outputs",
                      json::serialize(json::object{{"id", "backup"}, {"name", "Backup"}, {"url", url}, {"key", other_key}}));
    ASSERT_EQ(b.status, 201) << describe(b);
    auto stop = org_post(server.port(), "/api/v1/stages/main/outputs/backup/stop");
    ASSERT_EQ(stop.status, 200) << describe(stop);

    // Kept in the database (store.path), whole for the organizer's destinations, readable by
    // the server's user only; no file of media's own any more.
    auto db = dir.path() / "samling.db";
    struct stat st {};
    ASSERT_EQ(::stat(db.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "mode " << std::oct << (st.st_mode & 0777);
    auto rows = saved_destinations(db.string(), "main");
    ASSERT_EQ(rows.size(), 3u) << "cfg, yt and backup are kept";
    EXPECT_EQ(rows[1].id, "yt");
    EXPECT_EQ(rows[1].key, key) << "the key itself is kept, to send it after a restart";
    EXPECT_EQ(rows[2].id, "backup");
    EXPECT_FALSE(fs::exists(dir.path() / "media" / "outputs")) << "media wrote its own file again";
    EXPECT_FALSE(contains(server.stderr_text(), key))
      << "the stream key is in the server's log:\n" << lines_with(server.stderr_text(), key);
  }
  // After a clean shutdown (SIGTERM) the store still says which destinations are on: "yt" was
  // never stopped by an organizer, "backup" was.
  auto saved = saved_destinations((dir.path() / "samling.db").string(), "main");
  auto saved_enabled = [&](const std::string& id) -> std::optional<bool> {
    for (auto& o : saved)
      if (o.id == id) return o.enabled;
    return std::nullopt;
  };
  EXPECT_EQ(saved_enabled("backup"), std::optional<bool>(false)) << describe(saved);
  EXPECT_EQ(saved_enabled("yt"), std::optional<bool>(true))
      << "after SIGTERM, the store marks the running destination \"yt\" as disabled "
         "(shutting the stage down is saved as if an organizer had stopped it):\n"
      << describe(saved);

  EXPECT_NE(saved_enabled("cfg"), std::optional<bool>(false))
      << "after SIGTERM, the store marks the configured destination \"cfg\" as disabled:\n"
      << describe(saved);

  server_process server(media_server(stages, &dir));
  std::optional<json::object> yt, backup;
  ASSERT_TRUE(eventually(
      [&] {
        auto s = staff_stage(server.port(), "main");
        yt = output_in(s, "yt");
        backup = output_in(s, "backup");
        return yt && backup;
      },
      10s))
      << "the API-added destinations are not listed after a restart: " << str(staff_stage(server.port(), "main"))
      << "\n" << log_excerpt(server);
  EXPECT_TRUE(eventually(
      [&] {
        yt = output_in(staff_stage(server.port(), "main"), "yt");
        return yt && string_field(*yt, "state") == "retrying";
      },
      10s))
      << "after a restart the destination that was running is not started again: " << str(yt);
  std::optional<json::object> cfg;
  EXPECT_TRUE(eventually(
      [&] {
        cfg = output_in(staff_stage(server.port(), "main"), "cfg");
        return cfg && string_field(*cfg, "state") == "retrying";
      },
      5s))
      << "after a restart the configured destination is not started again: " << str(cfg);
  EXPECT_EQ(string_field(*yt, "source"), "api");
  EXPECT_EQ(string_field(*yt, "name"), "YouTube");
  EXPECT_EQ(string_field(*yt, "url"), url);
  EXPECT_EQ(string_field(*yt, "key"), "\u2022\u2022\u2022\u20221234");
  if (string_field(*yt, "state") == "retrying") {
    EXPECT_EQ(string_field(*yt, "reason"), "refused") << str(yt);
  }
  EXPECT_EQ(string_field(*backup, "key"), "\u2022\u2022\u2022\u20225678");
  EXPECT_EQ(string_field(*backup, "state"), "stopped") << "an organizer's stop is remembered: " << str(backup);
  auto log = server.stderr_text();
  EXPECT_FALSE(contains(log, key)) << "the stream key is in the server's log:\n" << lines_with(log, key);
  EXPECT_FALSE(contains(log, other_key)) << "the stream key is in the server's log:\n" << lines_with(log, other_key);
  // Deleting one after the restart is stored before it is answered.
  auto del = http_request(server.port(), "DELETE", "/api/v1/stages/main/outputs/backup", "", bearer(organizer_token()));
  EXPECT_EQ(del.status, 204) << describe(del);
  auto after = saved_destinations((dir.path() / "samling.db").string(), "main");
  EXPECT_TRUE(std::none_of(after.begin(), after.end(), [](auto& o) { return o.id == "backup"; })) << describe(after);
  EXPECT_TRUE(std::any_of(after.begin(), after.end(), [](auto& o) { return o.id == "yt"; })) << describe(after);
}

// A media.dir/outputs/<stage>.json left by a version before the destinations moved into the
// database is imported once: its destinations (keys, switches) are there after the upgrade,
// the file is renamed so it is never read again, and a later change is not undone by it.
TEST(MediaApi, AnOutputsFileFromBeforeIsImportedOnce) {
  const std::string key = "abcd-efgh-ijkl-1234";
  temp_dir dir;
  const std::string url = "rtmp://127.0.0.1:" + std::to_string(refused_port()) + "/live2";
  const std::string stages = stage_toml("main") +
                             "\n[[stages.outputs]]\nid = \"cfg\"\nname = \"Configured\"\n"
                             "url = \"" + url + "\"\nkey = \"config-key-0000-9999\"\n";
  // As the previous version wrote it.
  auto legacy = dir.write("media/outputs/main.json",
                          json::serialize(json::array{
                              json::object{{"id", "cfg"}, {"source", "config"}, {"enabled", false}},
                              json::object{{"id", "yt"}, {"source", "api"}, {"enabled", true}, {"name", "YouTube"},
                                           {"url", url}, {"key", key}}}));
  {
    server_process server(media_server(stages, &dir));
    std::optional<json::object> yt, cfg;
    ASSERT_TRUE(eventually(
        [&] {
          auto s = staff_stage(server.port(), "main");
          yt = output_in(s, "yt");
          cfg = output_in(s, "cfg");
          return yt && cfg;
        },
        10s))
        << "the imported destination is not listed: " << str(staff_stage(server.port(), "main")) << "\n"
        << log_excerpt(server);
    EXPECT_EQ(string_field(*yt, "source"), "api");
    EXPECT_EQ(string_field(*yt, "name"), "YouTube");
    EXPECT_EQ(string_field(*yt, "url"), url);
    EXPECT_EQ(string_field(*yt, "key"), "\u2022\u2022\u2022\u20221234");
    EXPECT_EQ(string_field(*cfg, "state"), "stopped") << "the organizer's stop is imported too: " << str(cfg);
    EXPECT_FALSE(fs::exists(legacy)) << "the imported file is still where it would be read again";
    EXPECT_TRUE(fs::exists(legacy + ".imported"));
    auto rows = saved_destinations((dir.path() / "samling.db").string(), "main");
    ASSERT_EQ(rows.size(), 2u) << describe(rows);
    EXPECT_EQ(rows[1].key, key);
    EXPECT_FALSE(contains(server.stderr_text(), key)) << lines_with(server.stderr_text(), key);
    auto del = http_request(server.port(), "DELETE", "/api/v1/stages/main/outputs/yt", "", bearer(organizer_token()));
    ASSERT_EQ(del.status, 204) << describe(del);
  }
  // The next start reads the store only: the deleted destination stays deleted.
  server_process server(media_server(stages, &dir));
  ASSERT_TRUE(eventually([&] { return output_in(staff_stage(server.port(), "main"), "cfg").has_value(); }, 10s))
      << log_excerpt(server);
  EXPECT_FALSE(output_in(staff_stage(server.port(), "main"), "yt")) << str(staff_stage(server.port(), "main"));
}

// The debug graph is for organizers, but the stream key has no business in it: it ends up in
// bug reports and screenshots. A destination that accepts TCP and never answers keeps the relay
// pipeline (and its rtmp2sink `location`) up while connecting.
TEST(MediaApi, GraphIsGraphvizWithoutTheStreamKey) {
  const std::string key = "abcd-efgh-ijkl-1234";
  silent_tcp_peer silent;
  server_process server(media_server(stage_toml("main")));
  ASSERT_TRUE(wait_playlist(server.port(), "main", 1)) << log_excerpt(server);
  auto g = org_get(server.port(), "/api/v1/stages/main/graph");
  ASSERT_EQ(g.status, 200) << describe(g);
  EXPECT_TRUE(contains(g.body, "digraph")) << g.body.substr(0, 500);
  EXPECT_TRUE(contains(g.header("content-type"), "graphviz")) << g.header("content-type");

  auto added = org_post(server.port(), "/api/v1/stages/main/outputs",
                        json::serialize(json::object{{"name", "YouTube"}, {"url", silent.rtmp_url("live2")}, {"key", key}}));
  ASSERT_EQ(added.status, 201) << describe(added);
  ASSERT_TRUE(eventually(
      [&] {
        auto o = output_in(staff_stage(server.port(), "main"), "youtube");
        return o && string_field(*o, "state") == "connecting";
      },
      5s))
      << str(staff_stage(server.port(), "main"));
  g = org_get(server.port(), "/api/v1/stages/main/graph");
  ASSERT_EQ(g.status, 200) << describe(g);
  EXPECT_TRUE(contains(g.body, "rtmp2sink") || contains(g.body, "GstRtmp2Sink")) << "no relay in the graph";
  EXPECT_FALSE(contains(g.body, key))
      << "GET /api/v1/stages/main/graph shows the destination's stream key (rtmp2sink location):\n"
      << g.body.substr(g.body.find(key) > 300 ? g.body.find(key) - 300 : 0, 600);
}

// ================================================================================================
// Metrics and WebSocket
// ================================================================================================

TEST(MediaApi, MetricsShowStageAndOutputState) {
  const std::string key = "metrics-key-5678";
  server_process server(media_server(
      stage_toml("main") + "\n[[stages.outputs]]\nid = \"yt\"\nname = \"YouTube\"\n"
                           "url = \"rtmp://127.0.0.1:" + std::to_string(refused_port()) + "/live2\"\n"
                           "key = \"" + key + "\"\n"));
  const std::string live = R"(samling_stage_state{stage="main",state="live"})";
  ASSERT_TRUE(eventually([&] { return metric(server.port(), live) == 1; }, 15s))
      << http_get(server.port(), "/metrics").body;
  auto text = http_get(server.port(), "/metrics").body;
  EXPECT_EQ(metric_value(text, R"(samling_stage_state{stage="main",state="offline"})"), 0) << text;
  EXPECT_EQ(metric_value(text, R"(samling_stage_state{stage="main",state="standby"})"), 0) << text;
  EXPECT_TRUE(contains(text, "# TYPE samling_stage_hls_segments_total counter")) << text;

  const std::string segments = R"(samling_stage_hls_segments_total{stage="main"})";
  double first = metric(server.port(), segments);
  ASSERT_GE(first, 0) << text;
  EXPECT_TRUE(eventually([&] { return metric(server.port(), segments) >= first + 2; }, 10s))
      << "segments stay at " << first;
  EXPECT_GT(metric(server.port(), R"(samling_stage_input_frames_total{stage="main"})"), 0);

  const std::string retrying = R"(samling_stage_output_state{stage="main",output="yt",state="retrying"})";
  EXPECT_TRUE(eventually([&] { return metric(server.port(), retrying) == 1; }, 10s))
      << http_get(server.port(), "/metrics").body;
  text = http_get(server.port(), "/metrics").body;
  EXPECT_EQ(metric_value(text, R"(samling_stage_output_state{stage="main",output="yt",state="live"})"), 0) << text;
  EXPECT_EQ(metric_value(text, R"(samling_stage_output_state{stage="main",output="yt",state="stopped"})"), 0);
  EXPECT_GE(metric_value(text, R"(samling_stage_output_reconnects_total{stage="main",output="yt"})"), 1) << text;
  EXPECT_FALSE(contains(text, key));

  // A stopped stage reports offline.
  ASSERT_EQ(org_post(server.port(), "/api/v1/stages/main/stop").status, 200);
  EXPECT_TRUE(eventually(
      [&] { return metric(server.port(), R"(samling_stage_state{stage="main",state="offline"})") == 1; }, 5s))
      << http_get(server.port(), "/metrics").body;
  EXPECT_FALSE(contains(server.stderr_text(), key))
      << "the stream key is in the server's log:\n" << lines_with(server.stderr_text(), key);
}

TEST(MediaApi, WebSocketStagesRequestAndStageEvents) {
  server_process server(media_server(stage_toml("main", "room = \"main\"\n") +
                                     stage_toml("closed", "public = false\n")));
  auto stage_of = [](const json::object& result, const std::string& id) -> std::optional<json::object> {
    auto arr = field(result, "stages");
    if (!arr.is_array()) return std::nullopt;
    for (auto& s : arr.as_array())
      if (s.is_object() && string_field(s.as_object(), "id") == id) return s.as_object();
    return std::nullopt;
  };

  ws_client org;
  ASSERT_TRUE(org.connect(server.port())) << org.error();
  auto h = org.hello(ws::event_id, organizer_token());
  ASSERT_TRUE(is_ack(h)) << str(h);
  auto ack = org.request(json::object{{"type", "stages"}});
  ASSERT_TRUE(is_ack(ack)) << str(ack);
  auto result = field(*ack, "result");
  ASSERT_TRUE(result.is_object()) << str(ack);
  auto main = stage_of(result.as_object(), "main");
  ASSERT_TRUE(main) << str(ack);
  EXPECT_TRUE(main->contains("outputs")) << "organizers get the staff view: " << str(ack);
  EXPECT_TRUE(main->contains("input")) << str(ack);
  EXPECT_TRUE(stage_of(result.as_object(), "closed")) << str(ack);
  auto ev = org.next_event("stage", 5s);
  ASSERT_TRUE(ev) << "no stage event within 5 s";
  EXPECT_FALSE(string_field(*ev, "stage.id").empty()) << str(ev);
  EXPECT_TRUE(field(*ev, "stage.outputs").is_array()) << str(ev);

  ws_client att;
  ASSERT_TRUE(att.connect(server.port())) << att.error();
  ASSERT_TRUE(is_ack(att.hello(ws::event_id, attendee_token())));
  auto pub = att.request(json::object{{"type", "stages"}});
  ASSERT_TRUE(is_ack(pub)) << str(pub);
  auto pub_main = stage_of(field(*pub, "result").as_object(), "main");
  ASSERT_TRUE(pub_main) << str(pub);
  EXPECT_FALSE(pub_main->contains("outputs")) << "attendees get the public view: " << str(pub);
  EXPECT_FALSE(stage_of(field(*pub, "result").as_object(), "closed")) << str(pub);
  auto pub_ev = att.next_event("stage", 5s);
  ASSERT_TRUE(pub_ev) << "no stage event within 5 s";
  EXPECT_EQ(string_field(*pub_ev, "stage.id"), "main") << "only public stages: " << str(pub_ev);
  EXPECT_FALSE(field(*pub_ev, "stage").as_object().contains("outputs")) << str(pub_ev);
  for (auto& e : att.read_all_events(2500ms)) {
    if (string_field(e, "type") == "stage") {
      EXPECT_EQ(string_field(e, "stage.id"), "main") << "a non-public stage reached an attendee: " << str(e);
    }
  }
}

// ================================================================================================
// Recording
// ================================================================================================

namespace {

std::optional<json::object> recordings_of(std::uint16_t port) {
  auto r = org_get(port, "/api/v1/stages/main/recordings");
  if (r.status != 200) return std::nullopt;
  return parse_object(r.body);
}

// The first .ts recording listed, as {name, size, url}.
std::optional<json::object> first_ts(const std::optional<json::object>& list) {
  if (!list) return std::nullopt;
  auto arr = field(*list, "recordings");
  if (!arr.is_array()) return std::nullopt;
  for (auto& f : arr.as_array())
    if (f.is_object() && string_field(f.as_object(), "name").ends_with(".ts")) return f.as_object();
  return std::nullopt;
}

// The first .ts recording once it has data (nullopt after 15 s without).
std::optional<json::object> wait_recording_started(std::uint16_t port) {
  std::optional<json::object> file;
  eventually(
      [&] {
        file = first_ts(recordings_of(port));
        return file && int_field(*file, "size") > 0;
      },
      15s);
  if (file && int_field(*file, "size") > 0) return file;
  return std::nullopt;
}

const std::string recording_stage = stage_toml("main", "room = \"main\"\nrecord = true\n");

}  // namespace

TEST(MediaRecording, RecordingIsListedGrowsAndDownloads) {
  server_process server(media_server(recording_stage));
  std::optional<json::object> list, file;
  ASSERT_TRUE(eventually(
      [&] {
        list = recordings_of(server.port());
        file = first_ts(list);
        return file && int_field(*file, "size") > 0 && !field(*list, "chapters_url").is_null();
      },
      15s))
      << str(list) << "\n" << log_excerpt(server);
  auto name = string_field(*file, "name");
  auto size = int_field(*file, "size");
  EXPECT_EQ(string_field(*file, "url"), "/api/v1/stages/main/recordings/" + name) << str(file);
  EXPECT_GT(int_field(*file, "modified"), 0) << str(file);
  EXPECT_TRUE(file->contains("session")) << str(file);
  auto chapters_url = string_field(*list, "chapters_url");
  EXPECT_TRUE(chapters_url.ends_with(".vtt")) << str(list);

  // It grows while the stage runs, and the staff view names it.
  EXPECT_TRUE(eventually(
      [&] {
        auto f = first_ts(recordings_of(server.port()));
        return f && string_field(*f, "name") == name && int_field(*f, "size") > size;
      },
      10s))
      << str(recordings_of(server.port()));
  auto s = staff_stage(server.port(), "main");
  ASSERT_TRUE(s);
  EXPECT_EQ(field(*s, "recording.enabled"), json::value(true)) << str(s);
  EXPECT_EQ(string_field(*s, "recording.state"), "recording") << str(s);
  EXPECT_EQ(string_field(*s, "recording.file"), name) << str(s);

  // Download by link (?token=), as a browser would.
  auto token = organizer_token();
  auto dl = http_get(server.port(), string_field(*file, "url") + "?token=" + token);
  ASSERT_EQ(dl.status, 200) << describe(dl);
  EXPECT_EQ(dl.header("content-type"), "video/mp2t");
  EXPECT_TRUE(contains(dl.header("content-disposition"), "attachment")) << dl.header("content-disposition");
  EXPECT_TRUE(contains(dl.header("content-disposition"), name)) << dl.header("content-disposition");
  ASSERT_GT(dl.body.size(), 10'000u);
  auto path = server.dir().file("download.ts");
  write_file(path, dl.body);
  auto probe = probe_file(path);
  ASSERT_TRUE(probe.ok) << probe.error;
  EXPECT_EQ(probe.video_codec, "h264");
  EXPECT_EQ(probe.audio_codec, "aac");
  EXPECT_GT(probe.duration_s, 1.0);

  // The chapters.
  auto vtt = http_get(server.port(), chapters_url, bearer(organizer_token()));
  EXPECT_EQ(vtt.status, 200) << describe(vtt);
  EXPECT_TRUE(contains(vtt.header("content-type"), "text/vtt")) << vtt.header("content-type");
  EXPECT_EQ(vtt.body.rfind("WEBVTT", 0), 0u) << vtt.body;

  // Only organizers, and only files of the recordings directory.
  auto anon = http_get(server.port(), string_field(*file, "url"));
  EXPECT_EQ(anon.status, 401) << describe(anon);
  auto att = http_get(server.port(), string_field(*file, "url") + "?token=" + attendee_token());
  EXPECT_EQ(att.status, 403) << describe(att);
  for (std::string bad : {"../../samling.db", "..", ".chapters.tmp", "a..ts", "nosuch.ts", "x%20y.ts",
                          "samling.db", "..%2F..%2Fsamling.db", "%2E%2E%2F%2E%2E%2Fsamling.toml"}) {
    auto r = http_get(server.port(), "/api/v1/stages/main/recordings/" + bad, bearer(organizer_token()));
    EXPECT_TRUE(r.status == 404 || (r.status == 400 && contains(bad, "%2F"))) << bad << ": " << describe(r);
    EXPECT_NE(r.status, 200) << bad;
  }
}

// A join token in a download link (?token=, docs/protocol.md "Stages") is a credential: the
// access log must not keep it, or anyone who reads the log can act as that organizer.
TEST(MediaRecording, DownloadLinkTokenIsNotLogged) {
  server_process server(media_server(recording_stage));
  auto file = wait_recording_started(server.port());
  ASSERT_TRUE(file) << log_excerpt(server);
  auto token = organizer_token();
  auto dl = http_get(server.port(), string_field(*file, "url") + "?token=" + token);
  ASSERT_EQ(dl.status, 200) << describe(dl);
  ASSERT_TRUE(eventually([&] { return contains(server.stderr_text(), "route=api_stage_recording"); }, 5s))
      << log_excerpt(server);
  EXPECT_FALSE(contains(server.stderr_text(), token))
      << "GET " << string_field(*file, "url") << "?token=<organizer token> writes the token to the server's "
      << "log (access log target):\n"
      << lines_with(server.stderr_text(), token);
}

TEST(MediaRecording, RecordingSurvivesSigkill) {
  server_process server(media_server(recording_stage));
  auto file = wait_recording_started(server.port());
  ASSERT_TRUE(file) << log_excerpt(server);
  auto name = string_field(*file, "name");
  // The file name starts with the UTC second the recording began: 2027-05-20T09-00-00Z_01….
  auto stamp = name.substr(0, 19);
  for (auto i : {13u, 16u}) stamp[i] = ':';
  auto started_ms = parse_utc_ms(stamp + ".000Z");
  ASSERT_GT(started_ms, 0) << name;

  // Record for a while, then crash.
  auto path = server.dir().path() / "media" / "recordings" / "main" / name;
  ASSERT_TRUE(eventually([&] { return unix_ms() - started_ms >= 8'000; }, 12s));
  server.signal(SIGKILL);
  auto killed_ms = unix_ms();
  auto code = server.wait_exit(5s);
  ASSERT_TRUE(code) << "the server did not die";
  EXPECT_EQ(*code, 128 + SIGKILL);

  ASSERT_TRUE(fs::exists(path)) << path;
  auto probe = probe_file(path.string());
  ASSERT_TRUE(probe.ok) << probe.error;
  EXPECT_EQ(probe.video_codec, "h264");
  EXPECT_EQ(probe.audio_codec, "aac");
  // The recording began within the second its name says.
  double recorded_s = (killed_ms - started_ms) / 1000.0 - 0.5;
  RecordProperty("recorded_ms", static_cast<int>(recorded_s * 1000));
  RecordProperty("file_duration_ms", static_cast<int>(probe.duration_s * 1000));
  EXPECT_NEAR(probe.duration_s, recorded_s, 3.0)
      << "recorded for about " << recorded_s << " s, the file after SIGKILL holds " << probe.duration_s << " s";
  EXPECT_TRUE(probe.first_video_is_keyframe);
}
