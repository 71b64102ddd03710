// The venue's feed drops: in produced mode the destinations get the standby slate and stay
// connected, HLS goes on, and the feed takes over again when the encoder comes back. And the
// SRT listener's own checks: a wrong passphrase is refused and reported; a new caller after
// the previous one left is accepted (passthrough, keyframe-gated).
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <iostream>

#include "media_fixture.hpp"
#include "temp_dir.hpp"

namespace samling::testing {
namespace {

using namespace media_fixture;

std::string srt_stage(std::uint16_t port, const std::string& mode, const std::string& extra) {
  return "[[stages]]\nid = \"main\"\nname = { sv = \"Stora scenen\", en = \"Main stage\" }\nroom = \"main\"\nmode = \"" +
         mode + "\"\ninput = \"srt\"\nlisten = \"127.0.0.1\"\nport = " + std::to_string(port) +
         "\npassphrase = \"correct-horse-42\"\n" + extra;
}

TEST(MediaStandby, in_produced_mode_the_slate_keeps_destinations_connected_while_the_feed_is_away) {
  nginx_rtmp platform;
  auto srt_port = free_udp_port();
  server_process server(media_server(srt_stage(srt_port, "produced", small_produced_toml()) +
                                     output_toml("yt", platform.rtmp_url("live"), "slate-key")));
  srt_sender obs(srt_port, "correct-horse-42");
  obs.start();
  // The platform records from the destination's publish: in produced mode that is with the
  // slate, before the venue's feed arrives.
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "yt") == "live"; }, 30s))
      << json::serialize(stage(server.port()));
  auto live_since = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return str(stage(server.port()), "state") == "live"; }, 30s))
      << json::serialize(stage(server.port())) << "\nffmpeg: " << obs.log();
  pause_for(4s);

  // The encoder at the venue stops for 5 s.
  obs.kill();
  auto dropped = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return str(stage(server.port()), "state") == "standby"; }, 5s));
  auto to_standby = std::chrono::duration<double>(std::chrono::steady_clock::now() - dropped).count();
  EXPECT_LT(to_standby, 2.5) << "the slate should be on air within about a second";
  auto segments_at_drop = num(stage(server.port()), "hls_segments");
  bool stayed_live = true;
  auto end = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < end) {
    if (output_state(server.port(), "yt") != "live") stayed_live = false;
    pause_for(200ms);
  }
  EXPECT_TRUE(stayed_live) << "the destination must not notice the feed dropping";
  auto s = stage(server.port());
  EXPECT_GE(num(s, "slate_switches"), 1);
  EXPECT_GE(num(s, "hls_segments"), segments_at_drop + 3) << "HLS must go on during standby";

  // The encoder comes back (a new SRT caller).
  obs.start();
  ASSERT_TRUE(eventually([&] { return str(stage(server.port()), "state") == "live"; }, 15s))
      << json::serialize(stage(server.port())) << "\nffmpeg: " << obs.log();
  pause_for(4s);
  s = stage(server.port());
  EXPECT_EQ(str(output(s, "yt"), "state"), "live");
  EXPECT_EQ(num(output(s, "yt"), "reconnects"), 0) << json::serialize(output(s, "yt"));
  EXPECT_GE(num(s["input"].as_object(), "connections"), 2);
  auto live_for = std::chrono::duration<double>(std::chrono::steady_clock::now() - live_since).count();
  obs.stop();
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_exit(20s).has_value());
  platform.stop();

  auto recs = platform.recordings();
  ASSERT_EQ(recs.size(), 1u) << "one publish from start to end: the platform never lost the stream";
  auto p = probe_file(recs.front().string());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.video_codec, "h264");
  EXPECT_EQ(p.audio_codec, "aac");
  EXPECT_LT(p.max_video_gap_s, 0.5) << "the slate should fill the time the feed was away";
  EXPECT_NEAR(p.duration_s, live_for, 4.0) << "video " << p.video_pts.front() << "-" << p.video_pts.back() << ", audio "
                                           << (p.audio_pts.empty() ? -1 : p.audio_pts.front()) << "-"
                                           << (p.audio_pts.empty() ? -1 : p.audio_pts.back());
}

// The segments of the stage's HLS playlist, fetched as a viewer would and joined into one
// MPEG-TS file (segments of one run join byte for byte), probed.
probe_result hls_window(std::uint16_t port, const temp_dir& dir) {
  auto failed = [](std::string why) {
    probe_result r;
    r.error = std::move(why);
    return r;
  };
  auto playlist = http_get(port, "/live/main/index.m3u8");
  if (playlist.status != 200) return failed("playlist: status " + std::to_string(playlist.status));
  std::string joined;
  for (auto& line : lines_where(playlist.body, [](const std::string& l) { return !l.empty() && l[0] != '#'; })) {
    auto seg = http_get(port, "/live/main/" + line);
    if (seg.status != 200) return failed(line + ": status " + std::to_string(seg.status));
    joined += seg.body;
  }
  return probe_file(dir.write("hls.ts", joined));
}

// The venue's encoder drops and comes back five times (a laptop restarted between sessions):
// the platform's recording must play as one stream whose sound has no hole at any of the ten
// switches (silence joins the source's audio sample-accurately) and never steps back; and the
// page must hear of each switch as it happens, not on the next 2 s status tick.
TEST(MediaStandby, five_switches_to_the_slate_and_back_leave_no_hole_in_the_sound_and_the_page_follows_at_once) {
  nginx_rtmp platform;
  auto srt_port = free_udp_port();
  // HLS keeps 30 s: each round's window then holds both of its switches.
  auto produced = small_produced_toml();
  produced.replace(produced.find("hls_window_seconds = 10"), 23, "hls_window_seconds = 30");
  server_process server(media_server(srt_stage(srt_port, "produced", produced) +
                                     output_toml("yt", platform.rtmp_url("live"), "switch-key")));
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "yt") == "live"; }, 30s))
      << json::serialize(stage(server.port())) << "\n" << log_excerpt(server);
  ws_client org;
  ASSERT_TRUE(org.connect(server.port())) << org.error();
  ASSERT_TRUE(is_ack(org.hello(ws::event_id, organizer_token())));
  ASSERT_TRUE(is_ack(org.request(json::object{{"type", "stages"}})));  // and its stage events
  // The delay from a switch (the server's own time of it, `state_since_ms`) to the page
  // hearing of it, for each switch seen.
  std::vector<std::int64_t> delays;
  // The next stage event that tells a new state `want` (events repeat the state every 2 s).
  std::int64_t last_since = num(stage(server.port()), "state_since_ms");
  std::string last_state = str(stage(server.port()), "state");
  auto wait_state = [&](const std::string& want, std::chrono::milliseconds deadline) {
    auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      auto ev = org.next_event("stage", std::max(left, std::chrono::milliseconds(1)));
      if (!ev) return false;
      auto since = int_field(*ev, "stage.state_since_ms");
      auto state = string_field(*ev, "stage.state");
      if (string_field(*ev, "stage.id") != "main" || (since == last_since && state == last_state)) continue;
      last_since = since;
      last_state = state;
      if (state != want) continue;
      if (since > 0) delays.push_back(unix_ms() - since);
      return true;
    }
    return false;
  };
  // AAC at 48 kHz: a frame is 1024 samples, 21.3 ms. A step of two frames between packets is
  // one frame missing; anything longer is a hole.
  constexpr double frame = 1024.0 / 48000.0;
  temp_dir scratch;
  srt_sender obs(srt_port, "correct-horse-42");
  for (int round = 0; round < 5; ++round) {
    // Like OBS: when the connection fails (the listener still held by the vanished caller
    // until the server renews it), try again a little later.
    bool live = false;
    for (int attempt = 0; attempt < 5 && !live; ++attempt) {
      obs.start();
      live = wait_state("live", 6s);
    }
    ASSERT_TRUE(live) << "round " << round << ": " << json::serialize(stage(server.port())) << "\nffmpeg: " << obs.log();
    pause_for(3s);
    obs.kill();
    ASSERT_TRUE(wait_state("standby", 5s)) << "round " << round << ": " << json::serialize(stage(server.port()));
    pause_for(3s);
    // The viewers' side: HLS's last 30 s, both switches of this round in it, played as one.
    SCOPED_TRACE("HLS after round " + std::to_string(round));
    auto hls = hls_window(server.port(), scratch);
    ASSERT_TRUE(hls.ok) << hls.error;
    EXPECT_EQ(hls.audio_steps_back, 0u) << "HLS's sound stepped back in time";
    EXPECT_LE(hls.max_audio_step_s, 2 * frame + 0.002) << "a hole in HLS's sound";
  }
  auto s = stage(server.port());
  EXPECT_GE(num(s, "slate_switches"), 5);
  EXPECT_EQ(str(output(s, "yt"), "state"), "live");
  EXPECT_EQ(num(output(s, "yt"), "reconnects"), 0) << json::serialize(output(s, "yt"));
  ASSERT_EQ(delays.size(), 10u);
  std::sort(delays.begin(), delays.end());
  std::cerr << "stage event after the switch: median " << delays[5] << " ms, max " << delays.back() << " ms\n";
  // Pushed as it happens (the server takes a few ms; the 2 s tick took up to 2.8 s): a busy
  // shared machine gets a generous bound.
  EXPECT_LT(delays.back(), 1000) << "a stage event came late";
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_exit(20s).has_value());
  platform.stop();

  auto recs = platform.recordings();
  ASSERT_EQ(recs.size(), 1u) << "one publish from start to end";
  auto p = probe_file(recs.front().string());
  ASSERT_TRUE(p.ok) << p.error;
  ASSERT_GT(p.audio_pts.size(), 500u);
  EXPECT_EQ(p.audio_steps_back, 0u) << "the platform's sound stepped back in time";
  EXPECT_LE(p.max_audio_step_s, 2 * frame + 0.002) << "a hole in the platform's sound";
  EXPECT_LT(p.max_video_gap_s, 0.2);
  // The sound covers the picture from start to end.
  EXPECT_NEAR(p.audio_pts.back() - p.audio_pts.front(), p.video_pts.back() - p.video_pts.front(), 0.5);
}

TEST(MediaSrt, a_wrong_passphrase_is_refused_and_reported_and_a_new_caller_is_accepted_after_the_last_left) {
  auto srt_port = free_udp_port();
  server_process server(media_server(srt_stage(srt_port, "passthrough", "hls_segment_seconds = 1\nhls_window_seconds = 10\n")));
  ASSERT_TRUE(eventually([&] { return str(stage(server.port()), "state") == "standby"; }, 5s));
  {
    srt_sender intruder(srt_port, "not-the-passphrase");
    intruder.start();
    ASSERT_TRUE(eventually([&] { return num(stage(server.port())["input"].as_object(), "rejected_callers") >= 1; }, 15s))
        << json::serialize(stage(server.port()));
    auto in = stage(server.port())["input"].as_object();
    EXPECT_NE(str(in, "last_error").find("passphrase"), std::string::npos) << json::serialize(in);
    EXPECT_NE(str(in, "state"), "connected");
    EXPECT_EQ(num(in, "frames"), 0);
    EXPECT_EQ(str(stage(server.port()), "state"), "standby");
    EXPECT_GE(metric(server.port(), "samling_stage_input_rejected_callers_total{stage=\"main\",reason=\"wrong_passphrase\"}"), 1);
  }
  // The right encoder, twice: the listener takes a new caller after the first one left.
  for (int round = 0; round < 2; ++round) {
    srt_sender obs(srt_port, "correct-horse-42");
    // Like OBS: when the connection fails (the listener still held by the vanished caller),
    // try again a little later.
    bool live = false;
    for (int attempt = 0; attempt < 5 && !live; ++attempt) {
      obs.start();
      live = eventually([&] { return str(stage(server.port()), "state") == "live"; }, 5s);
    }
    ASSERT_TRUE(live) << "round " << round << ": " << json::serialize(stage(server.port())) << "\nffmpeg: " << obs.log();
    auto segments = num(stage(server.port()), "hls_segments");
    EXPECT_TRUE(eventually([&] { return num(stage(server.port()), "hls_segments") >= segments + 2; }, 10s));
    obs.kill();
    ASSERT_TRUE(eventually([&] { return str(stage(server.port()), "state") == "standby"; }, 5s))
        << "round " << round << ": " << json::serialize(stage(server.port()));
  }
  auto in = stage(server.port())["input"].as_object();
  EXPECT_GE(num(in, "connections"), 2);
  auto r = http_get(server.port(), "/live/main/index.m3u8");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("#EXT-X-PROGRAM-DATE-TIME:"), std::string::npos);
}

}  // namespace
}  // namespace samling::testing
