#pragma once
// A stage's time, as bookkeeping in nanoseconds with no GStreamer types, so its rules are
// tested without pipelines (tests/unit/media/timeline_test.cpp):
// - timeline: the stage clock, and how a passthrough source's timestamps are laid onto it;
// - produced_timeline: when produced mode feeds its encoder what: output frame n at the
//   output's own pace, the sound as one unbroken run of samples, and whether the slate is on air.
// ingest applies them to buffers.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace samling::media {

enum class track { video, audio };

// Maps a source's timestamps onto the stage timeline (ns since the stage started). A source
// session (a new SRT caller, a file loop, a pulled stream that restarted) is anchored at the
// stage clock's "now" on its first keyframe, so the timeline follows the wall clock and never
// goes backwards; a jump in the source's own timestamps starts a new session.
// Owned by the stage; map() and restart() run on streaming and control threads (a mutex), the
// rest is read-only.
class timeline {
 public:
  // One buffer's timestamps, ns. No dts: the source gave none (then pts orders the buffer).
  struct stamps {
    std::uint64_t pts = 0;
    std::optional<std::uint64_t> dts;
    bool operator==(const stamps&) const = default;
  };

  timeline();
  // ns since the stage started (the steady clock).
  std::uint64_t now() const;
  // The buffer's timestamps on the stage timeline, or nothing to drop it: before the session's
  // first video keyframe, or audio that would step back more than 20 ms. `now` is the stage
  // clock's time (tests pass their own).
  std::optional<stamps> map(track t, stamps source, bool keyframe) { return map(t, source, keyframe, now()); }
  std::optional<stamps> map(track t, stamps source, bool keyframe, std::uint64_t now);
  // The source restarts: the next buffers start a new session.
  void restart();
  // UTC ms at stage time 0.
  std::int64_t start_utc_ms() const { return start_utc_ms_; }

 private:
  std::chrono::steady_clock::time_point start_;
  std::int64_t start_utc_ms_;
  std::mutex m_;
  std::optional<std::int64_t> offset_;             // source time -> stage time, this session
  std::optional<std::uint64_t> last_source_[2];    // per track: the session's last source time
  std::uint64_t last_out_[2] = {0, 0};             // per track: the latest stage time sent
};

// Produced mode's output timing on the stage timeline (ns). The encoder runs at a constant
// rate on this clock whatever the venue's feed does:
// - video: the ticker sends frame after frame, 1/fps apart; after a stall of more than
//   max_video_fill it starts again at now rather than catching up in a burst;
// - sound: the source's audio laid end to end as it arrives; when it is more than
//   max_audio_late behind now, silence joins the run sample-accurately (no hole, no step
//   back at a switch to or from the slate); source audio arriving while the run is more than
//   max_audio_ahead past now is dropped (its samples, not the run's time);
// - the slate: on air while the source's latest picture is older than input_timeout_ms.
// Owned by ingest, which serializes every call (its raw_m_) except slate_on_air() and
// slate_switches(), which any thread may read.
class produced_timeline {
 public:
  // The encoder's sound: 48 kHz, what AAC encoders and every platform expect.
  static constexpr std::uint32_t audio_rate = 48000;
  // The source's sound arrives in bursts (an MPEG-TS muxer packs several AAC frames per
  // packet, ~180 ms at 128 kbit/s): only when it is later than this does silence fill in.
  static constexpr std::uint64_t max_audio_late = 250'000'000;
  // A burst that would put the sound further ahead of the picture than this is dropped.
  static constexpr std::uint64_t max_audio_ahead = 300'000'000;
  // The ticker never makes up for more than this at once (a stalled machine): no burst.
  static constexpr std::uint64_t max_video_fill = 1'000'000'000;

  // A stretch of the sound run: the time of its first sample and its length, ns.
  struct span {
    std::uint64_t pts = 0;
    std::uint64_t duration = 0;
    bool operator==(const span&) const = default;
  };

  produced_timeline(std::uint32_t fps, std::uint32_t input_timeout_ms);

  // Both runs start at `now`: the next frame and the next sample are stamped there.
  void reset(std::uint64_t now);
  // 1/fps in ns (rounded down).
  std::uint64_t frame_duration() const { return frame_; }

  // The time of the frame to send at `now`, or nothing while the output is more than a frame
  // ahead of now. Each frame returned is taken.
  std::optional<std::uint64_t> next_frame(std::uint64_t now);

  // Decides the slate at `now_ms` (steady ms) from the source's latest picture
  // (`last_picture_ms`, steady ms, 0 = none yet). True when it went on or off air.
  bool update_slate(std::int64_t now_ms, std::int64_t last_picture_ms);
  // Off air, not counted as a switch (the stage stopped).
  void clear_slate() { slate_on_air_ = false; }
  bool slate_on_air() const { return slate_on_air_.load(); }
  // How many times the slate went on air.
  std::uint64_t slate_switches() const { return slate_switches_.load(); }

  // The time of the run's next sample.
  std::uint64_t audio_time() const;
  // Samples in the run since reset().
  std::uint64_t audio_samples() const { return audio_samples_; }
  // Does source sound arriving at `now` join the run (the run is not too far ahead)?
  bool accepts_audio(std::uint64_t now) const { return audio_time() <= now + max_audio_ahead; }
  // Is the run more than max_audio_late behind `now` (then silence carries it on to now)?
  bool audio_late(std::uint64_t now) const { return audio_time() + max_audio_late < now; }
  // The next silent stretch that carries the run on towards `until`, in samples: at most a
  // second's worth (one buffer), 0 when the run has reached `until` (within a sample).
  std::uint64_t silence_samples(std::uint64_t until) const;
  // Appends `samples` to the run: where they go and how long they last.
  span append(std::uint64_t samples);

 private:
  std::uint64_t frame_;
  std::int64_t input_timeout_ms_;
  std::uint64_t next_frame_ = 0;
  std::uint64_t audio_epoch_ = 0;     // the time of sample 0 of the run
  std::uint64_t audio_samples_ = 0;
  std::atomic<bool> slate_on_air_{false};
  std::atomic<std::uint64_t> slate_switches_{0};
};

}  // namespace samling::media
