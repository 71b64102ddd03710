// The media test peers themselves, without the Samling server: nginx-rtmp records a push and
// rejects a denied key, restarts on the same port, SRT from the test sender arrives, and the
// silent and refused destinations behave as their names say.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "media_peers.hpp"

using namespace samling::testing;

namespace {

std::string describe(const nginx_rtmp& nginx, const ffmpeg_sender& sender) {
  return "ffmpeg:\n" + sender.log() + "\nnginx error log:\n" + nginx.error_log();
}

}  // namespace

TEST(MediaPeers, RtmpPushToLiveIsRecorded) {
  nginx_rtmp nginx;
  rtmp_sender sender(nginx.rtmp_url("live") + "/stage-key", 4.0);
  sender.start();
  auto code = sender.wait_exit(15s);
  ASSERT_TRUE(code.has_value()) << describe(nginx, sender);
  EXPECT_EQ(*code, 0) << describe(nginx, sender);

  auto files = nginx.recordings();
  ASSERT_EQ(files.size(), 1u) << describe(nginx, sender);
  EXPECT_EQ(files[0].extension(), ".flv");
  EXPECT_EQ(files[0].filename().string().rfind("stage-key-", 0), 0u) << files[0];

  auto probe = probe_file(files[0].string());
  ASSERT_TRUE(probe.ok) << probe.error;
  EXPECT_EQ(probe.video_codec, "h264");
  EXPECT_EQ(probe.audio_codec, "aac");
  EXPECT_GE(probe.duration_s, 3.0);
  EXPECT_LE(probe.duration_s, 5.0);
  EXPECT_TRUE(probe.first_video_is_keyframe);
  EXPECT_TRUE(first_packet_is_keyframe(files[0].string()));
  EXPECT_GE(probe.video_pts.size(), 90u);  // ~120 frames at 30 fps
  EXPECT_GT(probe.audio_packets, 100u);    // ~188 AAC frames at 48 kHz
  EXPECT_LT(probe.max_video_gap_s, 0.1);   // one frame is 33 ms
  EXPECT_GE(probe.keyframe_pts.size(), 3u);
  EXPECT_LE(probe.max_keyframe_interval_s, 1.1);  // -g 30 at 30 fps
}

TEST(MediaPeers, PushToDenyIsRejected) {
  nginx_rtmp nginx;
  rtmp_sender sender(nginx.rtmp_url("deny") + "/wrong-key", 4.0);
  auto started = std::chrono::steady_clock::now();
  sender.start();
  auto code = sender.wait_exit(10s);
  ASSERT_TRUE(code.has_value()) << describe(nginx, sender);
  EXPECT_NE(*code, 0) << describe(nginx, sender);
  // Rejected at `publish`, not after streaming for the whole duration.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  EXPECT_TRUE(nginx.recordings().empty());
  EXPECT_NE(nginx.error_log().find("notify: publish"), std::string::npos) << nginx.error_log();
  EXPECT_TRUE(nginx.running());  // a rejection is not a crash
}

TEST(MediaPeers, NginxStopsAndStartsOnTheSamePort) {
  nginx_rtmp nginx;
  auto port = nginx.rtmp_port();
  ASSERT_TRUE(tcp_port_accepts(port));

  nginx.stop();
  EXPECT_FALSE(nginx.running());
  EXPECT_FALSE(tcp_port_accepts(port));
  nginx.start();
  EXPECT_EQ(nginx.rtmp_port(), port);
  EXPECT_TRUE(tcp_port_accepts(port));

  nginx.kill();
  EXPECT_FALSE(nginx.running());
  EXPECT_FALSE(tcp_port_accepts(port));
  nginx.start();
  ASSERT_TRUE(tcp_port_accepts(port));

  // Still records after the restarts.
  rtmp_sender sender(nginx.rtmp_url("live") + "/after-restart", 1.5);
  sender.start();
  auto code = sender.wait_exit(10s);
  ASSERT_TRUE(code.has_value()) << describe(nginx, sender);
  EXPECT_EQ(*code, 0) << describe(nginx, sender);
  ASSERT_EQ(nginx.recordings().size(), 1u) << describe(nginx, sender);
  EXPECT_EQ(probe_file(nginx.recordings()[0].string()).video_codec, "h264");
}

TEST(MediaPeers, SrtSenderDeliversToAListener) {
  temp_dir dir;
  auto port = free_udp_port();
  const std::string passphrase = "samling-test-passphrase";
  // ffmpeg as the SRT listener with the same passphrase, copying 2 s of what arrives.
  child_process receiver({"ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning", "-y", "-i",
                          "srt://127.0.0.1:" + std::to_string(port) +
                              "?mode=listener&passphrase=" + passphrase + "&pbkeylen=16",
                          "-t", "2", "-c", "copy", "-f", "mpegts", dir.file("received.ts")},
                         dir.file("receiver.log"));
  srt_sender sender(port, passphrase);
  sender.start();
  auto code = receiver.wait_exit(15s);
  sender.kill();
  ASSERT_TRUE(code.has_value()) << read_file(dir.file("receiver.log")) << sender.log();
  EXPECT_EQ(*code, 0) << read_file(dir.file("receiver.log")) << sender.log();

  auto probe = probe_file(dir.file("received.ts"));
  ASSERT_TRUE(probe.ok) << probe.error;
  EXPECT_EQ(probe.video_codec, "h264");
  EXPECT_EQ(probe.audio_codec, "aac");
  EXPECT_GE(probe.video_pts.size(), 30u);
}

TEST(MediaPeers, SilentPeerAcceptsAndNeverSpeaks) {
  silent_tcp_peer peer;
  connection c(peer.port());
  ASSERT_TRUE(c.connected());
  EXPECT_TRUE(c.send(std::string("\x03", 1) + std::string(1536, '\0')));  // RTMP C0+C1
  EXPECT_EQ(c.read_all(1s), "");      // not a byte in a second...
  EXPECT_FALSE(c.wait_closed(100ms));  // ...and still open
  EXPECT_EQ(peer.rtmp_url("live"), "rtmp://127.0.0.1:" + std::to_string(peer.port()) + "/live");
}

TEST(MediaPeers, NothingListensOnRefusedPort) {
  auto port = refused_port();
  EXPECT_NE(port, 0);
  EXPECT_EQ(refused_port(), port);
  EXPECT_FALSE(tcp_port_accepts(port));
  connection c(port);
  EXPECT_FALSE(c.connected());
  EXPECT_NE(free_tcp_port(), 0);
  EXPECT_NE(free_udp_port(), 0);
}

TEST(MediaPeers, ProbeOfAMissingFileFails) {
  auto probe = probe_file("/nonexistent/recording.flv");
  EXPECT_FALSE(probe.ok);
  EXPECT_FALSE(probe.error.empty());
  auto run = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"}, 5s);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.output, "out\nerr\n");
  auto slow = run_command({"sleep", "10"}, 200ms);
  EXPECT_TRUE(slow.timed_out);
}
