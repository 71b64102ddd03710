#include "media/layout.hpp"

#include <gtest/gtest.h>

#include "media/destination_store.hpp"

using namespace samling::media;

// ---- folders --------------------------------------------------------------------------------

TEST(layout, folders_under_the_media_dir) {
  layout l("var/media");
  EXPECT_EQ(l.hls_dir("main"), "var/media/hls/main");
  EXPECT_EQ(l.hls_file("main", "r1-00001.ts"), "var/media/hls/main/r1-00001.ts");
  EXPECT_EQ(l.playlist_file("main"), "var/media/hls/main/index.m3u8");
  EXPECT_EQ(l.recordings_dir("main"), "var/media/recordings/main");
  EXPECT_EQ(l.recording_path("main", "a.ts"), "var/media/recordings/main/a.ts");
  EXPECT_EQ(l.legacy_outputs_file("main"), "var/media/outputs/main.json");
}

TEST(layout, a_trailing_slash_on_the_dir_changes_nothing) {
  layout l("/srv/media/");
  EXPECT_EQ(l.hls_file("main", "index.m3u8"), "/srv/media/hls/main/index.m3u8");
  EXPECT_EQ(l.recordings_dir("seminar-1"), "/srv/media/recordings/seminar-1");
}

TEST(layout, a_stage_prefix_ends_with_a_separator) {
  // /live/'s cache forgets a stage by this prefix: "main" must not take "main2" with it.
  layout l("m");
  EXPECT_EQ(l.hls_file("main", ""), "m/hls/main/");
}

TEST(layout, segment_pattern) { EXPECT_EQ(hls_segment_pattern("1796822400000"), "1796822400000-%05u.ts"); }

// ---- names ----------------------------------------------------------------------------------

TEST(layout, live_file_names) {
  EXPECT_TRUE(is_live_file_name("index.m3u8"));
  EXPECT_TRUE(is_live_file_name("1796822400000-00042.ts"));
  EXPECT_FALSE(is_live_file_name(".ts"));
  EXPECT_FALSE(is_live_file_name("..ts"));
  EXPECT_FALSE(is_live_file_name(".hidden.ts"));
  EXPECT_FALSE(is_live_file_name("../x.ts"));
  EXPECT_FALSE(is_live_file_name("a.m3u8"));
  EXPECT_FALSE(is_live_file_name("segment.mp4"));
  EXPECT_FALSE(is_live_file_name(std::string(61, 'a') + ".ts"));  // 64 characters
  EXPECT_TRUE(is_live_file_name(std::string(60, 'a') + ".ts"));
}

TEST(layout, recording_file_names) {
  EXPECT_TRUE(is_recording_file_name("2026-11-21T09-00-00Z_01-oppning.ts"));
  EXPECT_TRUE(is_recording_file_name("2026-11-21T09-00-00Z_chapters.vtt"));
  EXPECT_FALSE(is_recording_file_name("notes.txt"));
  EXPECT_FALSE(is_recording_file_name(".hidden.ts"));
  EXPECT_FALSE(is_recording_file_name("../main/a.ts"));
  EXPECT_FALSE(is_recording_file_name(".titles"));
}

// ---- segment completeness -------------------------------------------------------------------

namespace {

const std::string playlist =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:4\n"
    "#EXTINF:2.000,\nr9-00004.ts\n#EXTINF:2.000,\nr9-00005.ts\n";

}  // namespace

TEST(segment_complete, listed_is_complete_even_when_just_written) {
  EXPECT_TRUE(hls_segment_complete("r9-00004.ts", &playlist, 0));
  EXPECT_TRUE(hls_segment_complete("r9-00005.ts", &playlist, 0));
}

TEST(segment_complete, expired_from_the_window_is_still_complete) {
  EXPECT_TRUE(hls_segment_complete("r9-00001.ts", &playlist, 0));
}

TEST(segment_complete, newer_than_the_newest_listed_is_being_written) {
  EXPECT_FALSE(hls_segment_complete("r9-00006.ts", &playlist, 0));
  // However long ago the file was created: the writer fills it when it closes.
  EXPECT_FALSE(hls_segment_complete("r9-00006.ts", &playlist, 60'000));
}

TEST(segment_complete, without_a_playlist_untouched_for_3_s) {
  EXPECT_FALSE(hls_segment_complete("r1-00001.ts", nullptr, 2'999));
  EXPECT_TRUE(hls_segment_complete("r1-00001.ts", nullptr, 3'000));
}

TEST(segment_complete, another_run_goes_by_age) {
  EXPECT_FALSE(hls_segment_complete("r8-00009.ts", &playlist, 100));
  EXPECT_TRUE(hls_segment_complete("r8-00009.ts", &playlist, 10'000));
}

TEST(segment_complete, an_empty_playlist_goes_by_age) {
  const std::string empty = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n";
  EXPECT_FALSE(hls_segment_complete("r9-00000.ts", &empty, 0));
  EXPECT_TRUE(hls_segment_complete("r9-00000.ts", &empty, 5'000));
}

// ---- destinations kept before issue 14 --------------------------------------------------------

TEST(legacy_outputs, both_sources_in_order) {
  auto parsed = parse_legacy_outputs(
      R"([{"id":"cfg","source":"config","enabled":false},)"
      R"({"id":"yt","source":"api","enabled":true,"name":"YouTube","url":"rtmp://a/live2","key":"abcd-1234"},)"
      R"(7,{"id":"old","source":"api","name":"Old","url":"rtmp://b/x","key":"k"}])");
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 3u);
  auto& cfg = (*parsed)[0];
  EXPECT_EQ(cfg.id, "cfg");
  EXPECT_EQ(cfg.source, "config");
  EXPECT_FALSE(cfg.enabled);
  auto& yt = (*parsed)[1];
  EXPECT_EQ(yt.id, "yt");
  EXPECT_EQ(yt.source, "api");
  EXPECT_TRUE(yt.enabled);
  EXPECT_EQ(yt.name, "YouTube");
  EXPECT_EQ(yt.url, "rtmp://a/live2");
  EXPECT_EQ(yt.key, "abcd-1234");
  EXPECT_TRUE((*parsed)[2].enabled) << "no \"enabled\" means on";
}

TEST(legacy_outputs, not_such_a_file) {
  EXPECT_FALSE(parse_legacy_outputs(""));
  EXPECT_FALSE(parse_legacy_outputs("{\"id\":\"x\"}"));
  EXPECT_FALSE(parse_legacy_outputs("[{\"id\":"));
}

TEST(legacy_outputs, kept_part_of_a_configured_destination_is_its_switch) {
  output_spec cfg{"cfg", "Configured", "rtmp://a/x", "secret-key-123", "config", false};
  auto kept = kept_part(cfg);
  EXPECT_EQ(kept.id, "cfg");
  EXPECT_EQ(kept.source, "config");
  EXPECT_FALSE(kept.enabled);
  EXPECT_TRUE(kept.name.empty() && kept.url.empty() && kept.key.empty());
  output_spec api{"yt", "YouTube", "rtmp://a/x", "secret-key-123", "api", true};
  EXPECT_EQ(kept_part(api).key, "secret-key-123");
}
