// The other inputs of a stage: a media file played in a loop (a pre-recorded talk) and a
// stream pulled from a URL (here RTMP from nginx, fed by ffmpeg).
#include <gtest/gtest.h>

#include <csignal>

#include "media_fixture.hpp"

namespace samling::testing {
namespace {

using namespace media_fixture;

TEST(MediaInputs, a_looping_file_plays_on_past_its_end_in_both_modes) {
  temp_dir files;
  auto talk = files.file("talk.mp4");
  auto made = run_command({"ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15",
                           "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000", "-t", "3", "-c:v", "libx264",
                           "-preset", "ultrafast", "-g", "15", "-pix_fmt", "yuv420p", "-c:a", "aac", talk});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  std::string stages =
      "[[stages]]\nid = \"main\"\nname = \"Talk\"\nmode = \"passthrough\"\ninput = \"file\"\nfile = \"" + talk +
      "\"\nhls_segment_seconds = 1\nhls_window_seconds = 10\n"
      "[[stages]]\nid = \"produced\"\nname = \"Talk, produced\"\nmode = \"produced\"\ninput = \"file\"\nfile = \"" + talk +
      "\"\n" + small_produced_toml();
  server_process server(media_server(stages));
  // 3 s of file at 15 fps is 45 frames; a loop goes well past that, without a standby.
  for (const char* id : {"main", "produced"}) {
    ASSERT_TRUE(eventually([&] { return num(stage(server.port(), id)["input"].as_object(), "frames") > 100; }, 20s))
        << id << ": " << json::serialize(stage(server.port(), id));
    auto s = stage(server.port(), id);
    EXPECT_EQ(str(s, "state"), "live") << id;
    EXPECT_EQ(num(s, "slate_switches"), 0) << id << ": the loop should not leave a gap";
    auto r = http_get(server.port(), std::string("/live/") + id + "/index.m3u8");
    EXPECT_EQ(r.status, 200) << id;
  }
  // SIGTERM with both stages live is a clean exit (pipelines retired during shutdown used to
  // post their last bus messages to the media control thread after it was gone: SIGSEGV).
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(15s), 0) << server.stderr_text().substr(0, 2000);
}

TEST(MediaInputs, a_stream_pulled_from_an_rtmp_url_is_relayed_to_hls) {
  nginx_rtmp origin;
  rtmp_sender camera(origin.rtmp_url("live") + "/venue");
  camera.start();
  std::string stage_toml = "[[stages]]\nid = \"main\"\nname = \"Pulled\"\nmode = \"passthrough\"\ninput = \"pull\"\nurl = \"" +
                           origin.rtmp_url("live") + "/venue\"\nhls_segment_seconds = 1\nhls_window_seconds = 10\n";
  server_process server(media_server(stage_toml));
  ASSERT_TRUE(eventually([&] { return str(stage(server.port()), "state") == "live"; }, 25s))
      << json::serialize(stage(server.port())) << "\n" << server.stderr_text();
  auto s = stage(server.port());
  EXPECT_EQ(str(s["input"].as_object(), "kind"), "pull");
  EXPECT_GT(num(s["input"].as_object(), "keyframes"), 0);
  auto r = http_get(server.port(), "/live/main/index.m3u8");
  EXPECT_EQ(r.status, 200);
  // The origin goes away: the input is retried, and recovers when the origin is back.
  camera.kill();
  origin.stop();
  ASSERT_TRUE(eventually([&] { return str(stage(server.port()), "state") == "standby"; }, 10s));
  origin.start();
  camera.start();
  EXPECT_TRUE(eventually([&] { return str(stage(server.port()), "state") == "live"; }, 30s))
      << json::serialize(stage(server.port()));
}

}  // namespace
}  // namespace samling::testing
