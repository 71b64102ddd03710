// The stage's timing rules without pipelines: how a passthrough source's timestamps are laid
// onto the stage timeline, and produced mode's frames, sound run and slate.
#include "media/timeline.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

namespace samling::media {
namespace {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t s = 1000 * ms;

using stamps = timeline::stamps;

// --- timeline: passthrough sources ------------------------------------------------------------

TEST(timeline, nothing_passes_before_the_first_video_keyframe) {
  timeline t;
  EXPECT_FALSE(t.map(track::audio, {5 * s, std::nullopt}, false, 10 * s));
  EXPECT_FALSE(t.map(track::video, {5 * s, 5 * s}, false, 10 * s));
  std::optional<stamps> key = t.map(track::video, {5 * s, 5 * s}, true, 10 * s);
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, (stamps{10 * s, 10 * s}));  // anchored at the stage clock's now
  EXPECT_TRUE(t.map(track::audio, {5 * s, std::nullopt}, false, 10 * s));
}

TEST(timeline, a_session_keeps_its_offset_and_the_sources_pts_dts_distance) {
  timeline t;
  ASSERT_TRUE(t.map(track::video, {1 * s, 1 * s}, true, 3 * s));
  // Later buffers follow the source's own clock, not the stage clock's now.
  EXPECT_EQ(t.map(track::video, {1 * s + 80 * ms, 1 * s + 40 * ms}, false, 9 * s),
            (stamps{3 * s + 80 * ms, 3 * s + 40 * ms}));
  // No dts in, none out; pts alone places it.
  EXPECT_EQ(t.map(track::audio, {1 * s + 21 * ms, std::nullopt}, false, 9 * s),
            (stamps{3 * s + 21 * ms, std::nullopt}));
}

TEST(timeline, a_jump_in_the_sources_clock_starts_a_new_session_never_behind_what_was_sent) {
  timeline t;
  ASSERT_EQ(t.map(track::video, {100 * s, 100 * s}, true, 1 * s), (stamps{1 * s, 1 * s}));
  // Up to 5 s ahead or 2 s back of the last buffer: the same session, whatever now is.
  EXPECT_EQ(t.map(track::video, {104 * s, 104 * s}, false, 60 * s), (stamps{5 * s, 5 * s}));
  EXPECT_EQ(t.map(track::video, {102 * s, 102 * s}, false, 60 * s), (stamps{3 * s, 3 * s}));
  // 3 s back: the source restarted its clock; dropped until its next keyframe...
  EXPECT_FALSE(t.map(track::video, {99 * s, 99 * s}, false, 2 * s));
  // ...which is anchored at now, here behind what was sent: 1 ms after the latest sent.
  EXPECT_EQ(t.map(track::video, {99 * s, 99 * s}, true, 2 * s), (stamps{5 * s + ms, 5 * s + ms}));
  // More than 5 s ahead is a new session too, anchored at now.
  EXPECT_FALSE(t.map(track::video, {105 * s, 105 * s}, false, 20 * s));
  EXPECT_EQ(t.map(track::video, {105 * s, 105 * s}, true, 20 * s), (stamps{20 * s, 20 * s}));
}

TEST(timeline, restart_waits_for_a_keyframe_and_moves_only_forward) {
  timeline t;
  ASSERT_TRUE(t.map(track::video, {0, 0}, true, 4 * s));
  ASSERT_TRUE(t.map(track::audio, {500 * ms, std::nullopt}, false, 4 * s));
  t.restart();
  EXPECT_FALSE(t.map(track::audio, {0, std::nullopt}, false, 6 * s));
  EXPECT_FALSE(t.map(track::video, {0, 0}, false, 6 * s));
  EXPECT_EQ(t.map(track::video, {0, 0}, true, 6 * s), (stamps{6 * s, 6 * s}));
}

TEST(timeline, audio_may_not_step_back_more_than_20_ms) {
  timeline t;
  ASSERT_TRUE(t.map(track::video, {0, 0}, true, 1 * s));
  ASSERT_EQ(t.map(track::audio, {1000 * ms, std::nullopt}, false, 1 * s), (stamps{2 * s, std::nullopt}));
  EXPECT_TRUE(t.map(track::audio, {980 * ms, std::nullopt}, false, 1 * s));   // 20 ms back: kept
  EXPECT_FALSE(t.map(track::audio, {979 * ms, std::nullopt}, false, 1 * s));  // 21 ms back: dropped
}

TEST(timeline, the_clock_starts_at_zero_and_runs) {
  timeline t;
  std::uint64_t a = t.now();
  EXPECT_LT(a, 10 * s);
  EXPECT_GE(t.now(), a);
  EXPECT_GT(t.start_utc_ms(), 1'600'000'000'000);  // after 2020: wall-clock ms
}

// --- produced_timeline: frames ----------------------------------------------------------------

TEST(produced_timeline, frames_are_one_period_apart_from_the_reset) {
  produced_timeline p(25, 700);
  EXPECT_EQ(p.frame_duration(), 40 * ms);
  p.reset(10 * s);
  EXPECT_EQ(p.next_frame(10 * s), 10 * s);
  EXPECT_EQ(p.next_frame(10 * s), 10 * s + 40 * ms);  // up to a frame ahead of now
  EXPECT_EQ(p.next_frame(10 * s), std::nullopt);      // more than a frame ahead: wait
  EXPECT_EQ(p.next_frame(10 * s + 45 * ms), 10 * s + 80 * ms);
}

TEST(produced_timeline, a_late_ticker_catches_up_frame_by_frame_but_a_stall_restarts_at_now) {
  produced_timeline p(30, 700);
  const std::uint64_t frame = p.frame_duration();
  EXPECT_EQ(frame, 33'333'333u);
  p.reset(0);
  ASSERT_EQ(p.next_frame(0), 0u);
  // 500 ms late: the frames that were due come one per call, each a period after the last.
  EXPECT_EQ(p.next_frame(500 * ms), frame);
  EXPECT_EQ(p.next_frame(500 * ms), 2 * frame);
  // More than a second behind: no burst of old frames, the next one is now.
  EXPECT_EQ(p.next_frame(5 * s), 5 * s);
  EXPECT_EQ(p.next_frame(5 * s), 5 * s + frame);
}

// --- produced_timeline: the slate -------------------------------------------------------------

TEST(produced_timeline, the_slate_goes_on_after_input_timeout_and_counts_each_time_it_does) {
  produced_timeline p(30, 700);
  EXPECT_FALSE(p.slate_on_air());
  // No picture yet (0): on air, one switch.
  EXPECT_TRUE(p.update_slate(10'000, 0));
  EXPECT_TRUE(p.slate_on_air());
  EXPECT_EQ(p.slate_switches(), 1u);
  EXPECT_FALSE(p.update_slate(10'033, 0));  // still on: no switch
  // A fresh picture: off air; going off is not counted.
  EXPECT_TRUE(p.update_slate(10'100, 10'090));
  EXPECT_FALSE(p.slate_on_air());
  EXPECT_EQ(p.slate_switches(), 1u);
  // Exactly input_timeout_ms old is still fresh; a millisecond more is not.
  EXPECT_FALSE(p.update_slate(10'790, 10'090));
  EXPECT_TRUE(p.update_slate(10'791, 10'090));
  EXPECT_EQ(p.slate_switches(), 2u);
  // Stopping takes it off air without a switch.
  p.clear_slate();
  EXPECT_FALSE(p.slate_on_air());
  EXPECT_EQ(p.slate_switches(), 2u);
}

// --- produced_timeline: the sound run ---------------------------------------------------------

TEST(produced_timeline, the_sound_run_is_timed_by_its_sample_count_without_drift) {
  produced_timeline p(30, 700);
  p.reset(7 * s);
  // 1024 samples (an AAC frame) at 48 kHz: 21.333... ms, rounded down.
  EXPECT_EQ(p.append(1024), (produced_timeline::span{7 * s, 21'333'333}));
  EXPECT_EQ(p.audio_time(), 7 * s + 21'333'333);
  // Single samples (20833.33 ns each): the rounding never accumulates.
  EXPECT_EQ(p.append(1).duration, 20'833u);
  EXPECT_EQ(p.append(1).duration, 20'834u);
  EXPECT_EQ(p.append(1).duration, 20'833u);
  EXPECT_EQ(p.audio_samples(), 1027u);
  p.append(48000 - 1027);
  EXPECT_EQ(p.audio_time(), 8 * s);  // exactly a second of samples, exactly a second on
  // Days of sound: still exact (no overflow in samples * 1e9).
  p.reset(0);
  p.append(std::uint64_t{48000} * 86400 * 5);
  EXPECT_EQ(p.audio_time(), 86400 * 5 * s);
}

TEST(produced_timeline, late_sound_is_carried_on_by_silence_in_buffers_of_at_most_a_second) {
  produced_timeline p(30, 700);
  p.reset(0);
  // Up to 250 ms behind is the source's usual jitter: no silence.
  EXPECT_FALSE(p.audio_late(250 * ms));
  EXPECT_TRUE(p.audio_late(250 * ms + 1));
  // 2.5 s of nothing: silence up to now, a second per buffer.
  const std::uint64_t now = 2500 * ms;
  EXPECT_EQ(p.silence_samples(now), 48000u);
  p.append(p.silence_samples(now));
  EXPECT_EQ(p.silence_samples(now), 48000u);
  p.append(p.silence_samples(now));
  EXPECT_EQ(p.silence_samples(now), 24000u);
  p.append(p.silence_samples(now));
  EXPECT_EQ(p.silence_samples(now), 0u);
  EXPECT_EQ(p.audio_time(), now);
  EXPECT_EQ(p.audio_samples(), 120000u);
  // Less than a sample short of the goal: nothing more to fill.
  EXPECT_EQ(p.silence_samples(now + 20'000), 0u);
  EXPECT_EQ(p.silence_samples(now + 20'834), 1u);
  // The source's sound then joins the run right after the silence.
  EXPECT_EQ(p.append(960).pts, now);
}

TEST(produced_timeline, sound_too_far_ahead_of_the_clock_is_refused_but_the_run_keeps_its_time) {
  produced_timeline p(30, 700);
  p.reset(0);
  p.append(48000 * 13 / 10);  // 1.3 s of sound at once (a burst after a stall)
  EXPECT_EQ(p.audio_time(), 1300 * ms);
  EXPECT_TRUE(p.accepts_audio(1000 * ms));       // 300 ms ahead: still joins
  EXPECT_FALSE(p.accepts_audio(1000 * ms - 1));  // further ahead: dropped
  EXPECT_FALSE(p.audio_late(1550 * ms));         // and no silence while the run is ahead
  EXPECT_EQ(p.silence_samples(1000 * ms), 0u);   // nor when asked for a time already passed
  EXPECT_EQ(p.audio_time(), 1300 * ms);
}

TEST(produced_timeline, reset_starts_both_runs_again_at_now) {
  produced_timeline p(50, 700);
  p.reset(0);
  p.append(4800);
  ASSERT_TRUE(p.next_frame(0));
  p.reset(60 * s);
  EXPECT_EQ(p.audio_samples(), 0u);
  EXPECT_EQ(p.audio_time(), 60 * s);
  EXPECT_EQ(p.next_frame(60 * s), 60 * s);
}

}  // namespace
}  // namespace samling::media
