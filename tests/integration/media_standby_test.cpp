// The venue's feed drops: in produced mode the destinations get the standby slate and stay
// connected, HLS goes on, and the feed takes over again when the encoder comes back. And the
// SRT listener's own checks: a wrong passphrase is refused and reported; a new caller after
// the previous one left is accepted (passthrough, keyframe-gated).
#include <gtest/gtest.h>

#include <csignal>

#include "media_fixture.hpp"

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
  ASSERT_TRUE(eventually([&] {
    auto s = stage(server.port());
    return str(s, "state") == "live" && str(output(s, "yt"), "state") == "live";
  }, 30s)) << json::serialize(stage(server.port())) << "\nffmpeg: " << obs.log();
  auto live_since = std::chrono::steady_clock::now();
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
  EXPECT_NEAR(p.duration_s, live_for, 4.0);
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
