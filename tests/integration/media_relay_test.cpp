// Relay destinations as separate failure domains (issue: main stage media). Real programs on
// 127.0.0.1: nginx with the RTMP module stands in for YouTube (two of them), ffmpeg pushing
// SRT with a passphrase stands in for OBS, ffprobe reads back what the platforms recorded.
#include <gtest/gtest.h>

#include <csignal>

#include "media_fixture.hpp"

namespace samling::testing {
namespace {

using namespace media_fixture;

std::string srt_stage(std::uint16_t port, const std::string& mode, const std::string& outputs) {
  return "[[stages]]\nid = \"main\"\nname = \"Main stage\"\nroom = \"main\"\nmode = \"" + mode +
         "\"\ninput = \"srt\"\nlisten = \"127.0.0.1\"\nport = " + std::to_string(port) +
         "\npassphrase = \"correct-horse-42\"\nhls_segment_seconds = 1\nhls_window_seconds = 10\n" +
         (mode == "produced" ? small_produced_toml().substr(0, small_produced_toml().find("hls_")) : std::string()) +
         outputs;
}

// Stops the server so that every RTMP session ends cleanly and nginx closes its recordings.
void stop_server(server_process& s) {
  s.signal(SIGTERM);
  ASSERT_TRUE(s.wait_exit(20s).has_value()) << "the server did not exit";
}

// AAC at 48 kHz: a frame is 1024 samples, 21.3 ms (FLV rounds to whole ms). A step of two
// frames between packets is one frame missing; anything longer is a hole. Time never goes back.
void expect_continuous_sound(const probe_result& p) {
  constexpr double frame = 1024.0 / 48000.0;
  EXPECT_EQ(p.audio_steps_back, 0u) << "the sound stepped back in time";
  EXPECT_LE(p.max_audio_step_s, 2 * frame + 0.002) << "a hole in the sound";
}

// A destination that stayed live the whole time: never reconnected, never dropped anything.
void expect_untouched(const json::object& stage_status, const std::string& id) {
  auto o = output(stage_status, id);
  EXPECT_EQ(str(o, "state"), "live") << json::serialize(o);
  EXPECT_EQ(num(o, "reconnects"), 0) << json::serialize(o);
  EXPECT_EQ(num(o, "dropped_buffers"), 0) << json::serialize(o);
}

// A destination that was never disconnected: one recording of the whole `live_for` seconds,
// H.264 and AAC, starting on a keyframe, without a video gap.
void expect_one_gapless_recording(const nginx_rtmp& dest, double live_for) {
  auto recordings = dest.recordings();
  ASSERT_EQ(recordings.size(), 1u) << "never disconnected, so it recorded one publish";
  auto p = probe_file(recordings.front().string());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.video_codec, "h264");
  EXPECT_EQ(p.audio_codec, "aac");
  EXPECT_GT(p.audio_packets, 100u);
  EXPECT_TRUE(p.first_video_is_keyframe);
  EXPECT_LT(p.max_video_gap_s, 0.5) << "the recording has a gap";
  EXPECT_NEAR(p.duration_s, live_for, 4.0);
  expect_continuous_sound(p);
  EXPECT_EQ(decode_errors(recordings.front().string()), "") << "the recording does not decode cleanly";
}

TEST(MediaRelay, a_destination_killed_for_10s_reconnects_on_its_own_while_the_other_has_no_gap) {
  nginx_rtmp a, b;
  auto srt_port = free_udp_port();
  server_process server(media_server(srt_stage(srt_port, "passthrough",
                                               output_toml("a", a.rtmp_url("live"), "stage-a") +
                                                   output_toml("b", b.rtmp_url("live"), "stage-b"))));
  srt_sender obs(srt_port, "correct-horse-42");
  obs.start();
  ASSERT_TRUE(eventually([&] {
    auto s = stage(server.port());
    return str(output(s, "a"), "state") == "live" && str(output(s, "b"), "state") == "live";
  }, 30s)) << "both destinations should go live; status: " << json::serialize(stage(server.port()))
           << "\nffmpeg: " << obs.log();
  auto live_since = std::chrono::steady_clock::now();
  pause_for(4s);

  // B goes away for 10 s (a crash: no goodbye), then comes back on the same port.
  b.kill();
  ASSERT_TRUE(eventually([&] {
    auto st = output_state(server.port(), "b");
    return st == "retrying" || st == "connecting";
  }, 10s)) << json::serialize(output(stage(server.port()), "b"));
  auto segments_before = num(stage(server.port()), "hls_segments");
  pause_for(10s);
  EXPECT_EQ(output_state(server.port(), "a"), "live") << "A must not notice B's failure";
  EXPECT_GT(num(stage(server.port()), "hls_segments"), segments_before + 5) << "HLS must go on while B is away";
  b.start();
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "b") == "live"; }, 20s))
      << "B should reconnect on its own: " << json::serialize(output(stage(server.port()), "b")) << "\n"
      << server.stderr_text();
  pause_for(5s);
  auto s = stage(server.port());
  EXPECT_EQ(num(output(s, "a"), "reconnects"), 0) << json::serialize(output(s, "a"));
  EXPECT_GE(num(output(s, "b"), "reconnects"), 1) << json::serialize(output(s, "b"));
  auto live_for = std::chrono::duration<double>(std::chrono::steady_clock::now() - live_since).count();
  obs.stop();
  stop_server(server);
  a.stop();
  b.stop();

  // A: one recording, the whole time, without a gap.
  {
    SCOPED_TRACE("A, while B was killed and came back");
    expect_one_gapless_recording(a, live_for);
  }

  // B: the publish before the crash, and one after it that starts on a keyframe.
  auto rb = b.recordings();
  ASSERT_GE(rb.size(), 2u);
  auto pb = probe_file(rb.back().string());
  ASSERT_TRUE(pb.ok) << pb.error;
  EXPECT_EQ(pb.video_codec, "h264");
  EXPECT_EQ(pb.audio_codec, "aac");
  EXPECT_TRUE(pb.first_video_is_keyframe) << "B's new publish must start on a keyframe";
  EXPECT_GT(pb.duration_s, 3.0);
  EXPECT_LT(pb.max_video_gap_s, 0.5);
}

TEST(MediaRelay, refused_silent_and_key_rejecting_destinations_reach_their_states_without_disturbing_a_good_one) {
  nginx_rtmp platform;
  silent_tcp_peer silent;
  auto refused = refused_port();
  std::string stage_toml = "[[stages]]\nid = \"main\"\nname = \"Main stage\"\nmode = \"produced\"\ninput = \"test\"\n" +
                           small_produced_toml() + output_toml("good", platform.rtmp_url("live"), "good-key") +
                           output_toml("denied", platform.rtmp_url("deny"), "wrong-key") +
                           output_toml("refused", "rtmp://127.0.0.1:" + std::to_string(refused) + "/live", "k1") +
                           output_toml("silent", silent.rtmp_url("live"), "k2");
  server_process server(media_server(stage_toml));
  auto live_since = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "good") == "live"; }, 20s))
      << json::serialize(stage(server.port()));
  ASSERT_TRUE(eventually([&] {
    auto o = output(stage(server.port()), "denied");
    return str(o, "state") == "failed" && str(o, "reason") == "key_rejected";
  }, 15s)) << json::serialize(output(stage(server.port()), "denied"));
  ASSERT_TRUE(eventually([&] {
    auto o = output(stage(server.port()), "refused");
    return str(o, "state") != "live" && str(o, "reason") == "refused" && num(o, "reconnects") >= 2;
  }, 15s)) << json::serialize(output(stage(server.port()), "refused"));
  ASSERT_TRUE(eventually([&] {
    auto o = output(stage(server.port()), "silent");
    return str(o, "state") != "live" && str(o, "reason") == "timeout";
  }, 20s)) << json::serialize(output(stage(server.port()), "silent"));
  // A rejected key is not retried: it stays failed, with no further attempts.
  auto denied_before = num(output(stage(server.port()), "denied"), "reconnects");
  pause_for(3s);
  auto s = stage(server.port());
  EXPECT_EQ(str(output(s, "denied"), "state"), "failed");
  EXPECT_EQ(num(output(s, "denied"), "reconnects"), denied_before);
  EXPECT_EQ(str(output(s, "good"), "state"), "live");
  EXPECT_EQ(num(output(s, "good"), "reconnects"), 0);
  EXPECT_EQ(str(s, "state"), "live");
  // The stream key appears masked in the status, never in clear.
  EXPECT_EQ(json::serialize(s).find("good-key"), std::string::npos);
  EXPECT_EQ(server.stderr_text().find("wrong-key"), std::string::npos) << "a stream key reached the log";
  auto live_for = std::chrono::duration<double>(std::chrono::steady_clock::now() - live_since).count();
  stop_server(server);
  platform.stop();

  auto recs = platform.recordings();
  ASSERT_EQ(recs.size(), 1u) << "only the good destination records, once";
  auto p = probe_file(recs.front().string());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.video_codec, "h264");
  EXPECT_EQ(p.audio_codec, "aac");
  EXPECT_LT(p.max_video_gap_s, 0.5) << "the failing destinations disturbed the good one";
  EXPECT_NEAR(p.duration_s, live_for, 5.0);
}

// The stage muxes FLV once and fans the tags out (media/flv_fanout): a destination that joins
// while another is live, and one that is restarted, must each start their publish with the
// headers and a keyframe, play back whole, and leave the live one untouched.
TEST(MediaRelay, a_destination_added_late_and_restarted_starts_on_a_keyframe_without_disturbing_the_live_one) {
  nginx_rtmp a, b;
  auto srt_port = free_udp_port();
  server_process server(
      media_server(srt_stage(srt_port, "passthrough", output_toml("a", a.rtmp_url("live"), "stage-a"))));
  srt_sender obs(srt_port, "correct-horse-42");
  obs.start();
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "a") == "live"; }, 30s))
      << json::serialize(stage(server.port())) << "\nffmpeg: " << obs.log();
  auto live_since = std::chrono::steady_clock::now();
  pause_for(5s);  // the shared muxer has been running for a while: its timestamps are not 0

  auto org = [&](const std::string& method, const std::string& target, const std::string& body = {}) {
    return organizer_request(server.port(), method, target, body);
  };
  auto added = org("POST", "/api/v1/stages/main/outputs",
                   json::serialize(json::object{{"id", "b"}, {"name", "B"}, {"url", b.rtmp_url("live")}, {"key", "stage-b"}}));
  ASSERT_EQ(added.status, 201) << added.body;
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "b") == "live"; }, 20s))
      << json::serialize(output(stage(server.port()), "b")) << "\n" << server.stderr_text();
  pause_for(5s);

  // Restart B: a new connection, a new publish; A goes on.
  ASSERT_EQ(org("POST", "/api/v1/stages/main/outputs/b/stop").status, 200);
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "b") == "stopped"; }, 5s));
  pause_for(2s);
  ASSERT_EQ(org("POST", "/api/v1/stages/main/outputs/b/start").status, 200);
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "b") == "live"; }, 20s))
      << json::serialize(output(stage(server.port()), "b"));
  pause_for(5s);
  expect_untouched(stage(server.port()), "a");
  auto live_for = std::chrono::duration<double>(std::chrono::steady_clock::now() - live_since).count();
  obs.stop();
  stop_server(server);
  a.stop();
  b.stop();

  {
    SCOPED_TRACE("A, while B joined late and was restarted");
    expect_one_gapless_recording(a, live_for);
  }

  auto rb = b.recordings();
  ASSERT_EQ(rb.size(), 2u) << "B published twice: added late, then restarted";
  for (auto& file : rb) {
    auto pb = probe_file(file.string());
    ASSERT_TRUE(pb.ok) << file << ": " << pb.error;
    EXPECT_EQ(pb.video_codec, "h264") << file;
    EXPECT_EQ(pb.audio_codec, "aac") << file;
    EXPECT_TRUE(pb.first_video_is_keyframe) << file << ": each publish must start on a keyframe";
    EXPECT_GT(pb.audio_packets, 50u) << file;
    EXPECT_GT(pb.duration_s, 3.0) << file;
    EXPECT_LT(pb.max_video_gap_s, 0.5) << file;
    // Video timestamps increase from the first packet on: the destination's time starts
    // where it joined, without a jump.
    ASSERT_FALSE(pb.video_pts.empty()) << file;
    EXPECT_LT(pb.video_pts.front(), 1.0) << file;
    EXPECT_NEAR(pb.video_pts.back() - pb.video_pts.front(), pb.duration_s, 1.0) << file;
  }
}

// One destination joining, leaving or stalling must not touch the others: the stage packages
// FLV once for all of them, and a live destination's recording must show no gap, no hole in
// its sound and no step back in time while others come and go around it, ten times over.
TEST(MediaRelay, destinations_joining_leaving_and_stalling_over_and_over_leave_a_live_one_untouched) {
  nginx_rtmp a, b;
  silent_tcp_peer stalled;
  auto srt_port = free_udp_port();
  server_process server(
      media_server(srt_stage(srt_port, "passthrough", output_toml("a", a.rtmp_url("live"), "steady"))));
  srt_sender obs(srt_port, "correct-horse-42");
  obs.set_b_frames(2);  // like OBS: decode order differs from presentation order
  obs.start();
  // "live" is the platform accepting the publish; the venue's first pictures (x264 with
  // B-frames takes a moment) come a little later: the rounds start once media flows.
  ASSERT_TRUE(eventually([&] { return num(output(stage(server.port()), "a"), "bytes") > 100'000; }, 30s))
      << json::serialize(stage(server.port())) << "\nffmpeg: " << obs.log();
  auto live_since = std::chrono::steady_clock::now();
  auto org = [&](const std::string& method, const std::string& target, const std::string& body = {}) {
    return organizer_request(server.port(), method, target, body);
  };
  auto add = [&](const std::string& id, const std::string& url, const std::string& key) {
    return org("POST", "/api/v1/stages/main/outputs",
               json::serialize(json::object{{"id", id}, {"name", id}, {"url", url}, {"key", key}}));
  };
  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // A destination joins and goes live; one that never answers (a stalled platform) joins
    // next to it; both leave again.
    ASSERT_EQ(add("b", b.rtmp_url("live"), "joiner-" + std::to_string(round)).status, 201);
    ASSERT_EQ(add("stalled", stalled.rtmp_url("live"), "never").status, 201);
    ASSERT_TRUE(eventually([&] { return output_state(server.port(), "b") == "live"; }, 20s))
        << json::serialize(stage(server.port()));
    pause_for(round % 2 ? 1500ms : 500ms);
    ASSERT_EQ(org("DELETE", "/api/v1/stages/main/outputs/b").status, 204);
    ASSERT_EQ(org("DELETE", "/api/v1/stages/main/outputs/stalled").status, 204);
    pause_for(round % 3 ? 300ms : 1s);
  }
  pause_for(2s);
  expect_untouched(stage(server.port()), "a");
  auto live_for = std::chrono::duration<double>(std::chrono::steady_clock::now() - live_since).count();
  obs.stop();
  stop_server(server);
  a.stop();
  b.stop();
  {
    SCOPED_TRACE("A, while B and a stalled destination came and went ten times");
    expect_one_gapless_recording(a, live_for);
  }
  auto rb = b.recordings();
  EXPECT_EQ(rb.size(), 10u) << "B published once per round";
  for (auto& file : rb) {
    auto pb = probe_file(file.string());
    ASSERT_TRUE(pb.ok) << file << ": " << pb.error << "\n" << lines_with(server.stderr_text(), "output=b") << b.error_log();
    EXPECT_TRUE(pb.first_video_is_keyframe) << file;
    EXPECT_EQ(pb.audio_steps_back, 0u) << file;
    EXPECT_EQ(decode_errors(file.string()), "") << file;
  }
}

}  // namespace
}  // namespace samling::testing
