#include "media/hls_playlist.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace samling::media;

namespace {

constexpr std::int64_t t0 = 1'795'251'600'000;  // 2026-11-21T09:00:00.000Z

hls_segment seg(std::uint64_t sequence, double duration = 2.0, bool discontinuity = false) {
  return {"seg-" + std::to_string(sequence) + ".ts", duration,
          t0 + static_cast<std::int64_t>(sequence) * 2000, sequence, discontinuity};
}

// Adds segments first..last (inclusive) of `duration` seconds.
void fill(hls_playlist& p, std::uint64_t first, std::uint64_t last, double duration = 2.0) {
  for (auto s = first; s <= last; ++s) ASSERT_TRUE(p.add(seg(s, duration))) << s;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// ---- format_program_date_time ---------------------------------------------------------------

TEST(hls_program_date_time, formats_utc_with_milliseconds) {
  EXPECT_EQ(format_program_date_time(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_program_date_time(t0), "2026-11-21T09:00:00.000Z");
  EXPECT_EQ(format_program_date_time(t0 + 45 * 60'000 + 7'089), "2026-11-21T09:45:07.089Z");
}

TEST(hls_program_date_time, handles_leap_years) {
  EXPECT_EQ(format_program_date_time(1'709'251'199'999), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(format_program_date_time(1'709'251'200'000), "2024-03-01T00:00:00.000Z");
  EXPECT_EQ(format_program_date_time(951'825'600'001), "2000-02-29T12:00:00.001Z");  // /400
  // 2100 is not a leap year (/100): the day after 02-28 is 03-01.
  EXPECT_EQ(format_program_date_time(4'107'542'399'500), "2100-02-28T23:59:59.500Z");
  EXPECT_EQ(format_program_date_time(4'107'542'400'000), "2100-03-01T00:00:00.000Z");
}

TEST(hls_program_date_time, floors_before_1970_and_clamps_to_four_digit_years) {
  EXPECT_EQ(format_program_date_time(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_program_date_time(-2'208'988'800'000), "1900-01-01T00:00:00.000Z");
  EXPECT_EQ(format_program_date_time(std::numeric_limits<std::int64_t>::max()),
            "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_program_date_time(std::numeric_limits<std::int64_t>::min()),
            "0000-01-01T00:00:00.000Z");
}

// ---- rendering --------------------------------------------------------------------------------

TEST(hls_playlist, renders_a_live_playlist) {
  hls_playlist p(2.0, 60);
  ASSERT_TRUE(p.add({"seg-7.ts", 2.0, t0, 7}));
  ASSERT_TRUE(p.add({"seg-8.ts", 1.9876, t0 + 2000, 8}));
  EXPECT_EQ(p.render(),
            "#EXTM3U\n"
            "#EXT-X-VERSION:3\n"
            "#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-MEDIA-SEQUENCE:7\n"
            "#EXT-X-PROGRAM-DATE-TIME:2026-11-21T09:00:00.000Z\n"
            "#EXTINF:2.000,\n"
            "seg-7.ts\n"
            "#EXT-X-PROGRAM-DATE-TIME:2026-11-21T09:00:02.000Z\n"
            "#EXTINF:1.988,\n"
            "seg-8.ts\n");
}

TEST(hls_playlist, ended_playlist_closes_with_endlist) {
  hls_playlist p(2.0, 60);
  fill(p, 0, 2);
  auto text = p.render(true);
  EXPECT_EQ(count(text, "#EXT-X-ENDLIST"), 1u);
  EXPECT_TRUE(text.ends_with("seg-2.ts\n#EXT-X-ENDLIST\n")) << text;
  EXPECT_EQ(p.render(false).find("#EXT-X-ENDLIST"), std::string::npos);
}

TEST(hls_playlist, empty_playlist_is_still_well_formed) {
  hls_playlist p(6.0, 60);
  EXPECT_EQ(p.render(), "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n"
                        "#EXT-X-MEDIA-SEQUENCE:0\n");
  EXPECT_TRUE(p.expire().empty());
}

// ---- target duration ----------------------------------------------------------------------

TEST(hls_playlist, target_duration_is_the_ceiling_never_below_the_target) {
  hls_playlist p(5.5, 60);
  EXPECT_EQ(p.target_duration(), 6);  // ceil(5.5)
  ASSERT_TRUE(p.add(seg(0, 2.0)));
  EXPECT_EQ(p.target_duration(), 6);  // short segments never lower it
  ASSERT_TRUE(p.add(seg(1, 6.001)));
  EXPECT_EQ(p.target_duration(), 7);  // 6.001 rounds up
  EXPECT_NE(p.render().find("#EXT-X-TARGETDURATION:7\n"), std::string::npos);
}

TEST(hls_playlist, target_duration_ignores_noise_below_the_written_millisecond) {
  hls_playlist p(6.0, 60);
  ASSERT_TRUE(p.add(seg(0, 6.0000001)));  // written as 6.000
  EXPECT_EQ(p.target_duration(), 6);
  EXPECT_NE(p.render().find("#EXTINF:6.000,\n"), std::string::npos);
}

TEST(hls_playlist, target_duration_does_not_shrink_when_the_long_segment_expires) {
  // RFC 8216 6.2.1: the value must not change; lowering it could invalidate what players saw.
  hls_playlist p(2.0, 0);
  ASSERT_TRUE(p.add(seg(0, 4.5)));
  fill(p, 1, 20);
  p.expire();
  ASSERT_NE(p.segments().front().sequence, 0u);
  EXPECT_EQ(p.target_duration(), 5);
}

// ---- window ---------------------------------------------------------------------------------

TEST(hls_playlist, expire_keeps_the_window_and_returns_the_removed_oldest_first) {
  hls_playlist p(2.0, 20);
  fill(p, 100, 119);  // 20 segments, 40 s
  auto removed = p.expire();
  ASSERT_EQ(removed.size(), 10u);
  EXPECT_EQ(removed.front().sequence, 100u);
  EXPECT_EQ(removed.back().sequence, 109u);
  EXPECT_EQ(removed.front().uri, "seg-100.ts");  // the caller deletes these files later
  ASSERT_EQ(p.segments().size(), 10u);          // exactly 20 s left
  EXPECT_EQ(p.segments().front().sequence, 110u);
  EXPECT_TRUE(p.expire().empty()) << "a second expire with nothing new removes nothing";
}

TEST(hls_playlist, expire_keeps_at_least_three_segments_however_small_the_window) {
  hls_playlist p(1.0, 0.5);
  fill(p, 0, 9, 1.0);
  p.expire();
  EXPECT_EQ(p.segments().size(), 3u);

  hls_playlist q(1.0, 0);
  fill(q, 0, 2, 1.0);
  EXPECT_TRUE(q.expire().empty());
  EXPECT_EQ(q.segments().size(), 3u);
}

TEST(hls_playlist, expire_keeps_three_target_durations) {
  // 1 s segments under a 4 s target: 3 segments would be 3 s, less than 3 × 4 s.
  hls_playlist p(4.0, 0);
  fill(p, 0, 19, 1.0);
  p.expire();
  EXPECT_EQ(p.segments().size(), 12u);  // 12 s = 3 × target duration 4
}

TEST(hls_playlist, media_sequence_is_the_first_listed_segment) {
  hls_playlist p(2.0, 6);
  EXPECT_EQ(p.media_sequence(), 0u);
  fill(p, 42, 50);
  EXPECT_NE(p.render().find("#EXT-X-MEDIA-SEQUENCE:42\n"), std::string::npos);
  p.expire();
  EXPECT_EQ(p.media_sequence(), 48u);
  EXPECT_NE(p.render().find("#EXT-X-MEDIA-SEQUENCE:48\n"), std::string::npos);
}

// ---- discontinuities ------------------------------------------------------------------------

TEST(hls_playlist, discontinuity_tag_precedes_its_segment) {
  hls_playlist p(2.0, 60);
  fill(p, 0, 1);
  ASSERT_TRUE(p.add(seg(2, 2.0, true)));
  auto text = p.render();
  EXPECT_NE(text.find("seg-1.ts\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:"),
            std::string::npos)
      << text;
  EXPECT_EQ(count(text, "#EXT-X-DISCONTINUITY\n"), 1u);
  EXPECT_EQ(text.find("#EXT-X-DISCONTINUITY-SEQUENCE"), std::string::npos)
      << "absent while no discontinuity has left the window";
}

TEST(hls_playlist, discontinuity_sequence_counts_discontinuities_that_left_the_window) {
  hls_playlist p(2.0, 6);  // keeps 3 segments of 2 s
  ASSERT_TRUE(p.add(seg(0, 2.0, true)));  // a first segment may carry the tag too
  fill(p, 1, 3);
  ASSERT_TRUE(p.add(seg(4, 2.0, true)));
  ASSERT_TRUE(p.add(seg(5, 2.0, true)));
  fill(p, 6, 6);

  // Listed 0..6; expiring 0..3 drops one discontinuity (at 0).
  auto removed = p.expire();
  ASSERT_EQ(removed.size(), 4u);
  EXPECT_EQ(p.discontinuity_sequence(), 1u);
  auto text = p.render();
  EXPECT_NE(text.find("#EXT-X-MEDIA-SEQUENCE:4\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(count(text, "#EXT-X-DISCONTINUITY\n"), 2u);  // 4 and 5 still listed

  // 4 and 5 leave: both count, 2 + 1 = 3.
  fill(p, 7, 8);
  p.expire();
  EXPECT_EQ(p.media_sequence(), 6u);
  EXPECT_EQ(p.discontinuity_sequence(), 3u);
  text = p.render();
  EXPECT_NE(text.find("#EXT-X-DISCONTINUITY-SEQUENCE:3\n"), std::string::npos) << text;
  EXPECT_EQ(count(text, "#EXT-X-DISCONTINUITY\n"), 0u);
}

// ---- rejected segments ----------------------------------------------------------------------

TEST(hls_playlist, rejects_segments_it_cannot_list) {
  hls_playlist p(2.0, 60);
  ASSERT_TRUE(p.add(seg(5)));
  EXPECT_FALSE(p.add(seg(5))) << "repeated sequence";
  EXPECT_FALSE(p.add(seg(4))) << "going back";
  EXPECT_FALSE(p.add(seg(7))) << "a gap: players number segments by position";
  EXPECT_FALSE(p.add({"", 2.0, t0, 6}));
  EXPECT_FALSE(p.add({"a.ts\n#EXT-X-ENDLIST", 2.0, t0, 6}));
  EXPECT_FALSE(p.add({"a.ts", 0.0, t0, 6}));
  EXPECT_FALSE(p.add({"a.ts", -1.0, t0, 6}));
  EXPECT_FALSE(p.add({"a.ts", std::nan(""), t0, 6}));
  EXPECT_FALSE(p.add({"a.ts", 1e300, t0, 6}));
  EXPECT_EQ(p.segments().size(), 1u);
  EXPECT_EQ(p.target_duration(), 2) << "a rejected segment changes nothing";
  EXPECT_TRUE(p.add(seg(6)));
}
