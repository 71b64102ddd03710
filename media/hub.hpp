#pragma once
// The fan-out from a stage's program (its encoded H.264 + AAC, on the stage's timeline) to its
// consumers: HLS, the recording and the relays' shared FLV muxer (flv_fanout, which fans out
// to each destination in turn) run their own pipeline fed through their own appsrc pair (a
// "feeder"). One consumer's trouble never reaches the others: a feeder
// whose queue passes its bound drops and then restarts cleanly on the next keyframe, and
// nothing here ever blocks the program.
//
// Threads: push() is called on the program's streaming thread; feeders are added and removed
// on the media control thread. Two small mutexes, never held while calling into another
// component except appsrc's non-blocking push.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <gst/gst.h>

#include "media/status.hpp"
#include "media/timeline.hpp"

namespace samling::media {

// Counts a stream's bytes, frames and keyframes, and its bitrate over a sliding window.
class flow_meter {
 public:
  void add(track t, std::size_t bytes, bool keyframe, GstClockTime pts);
  void add_bytes(std::size_t bytes);  // bytes only (no frame), e.g. before a decoder
  flow_stats snapshot() const;
  void reset();

 private:
  mutable std::mutex m_;
  flow_stats totals_;
  std::deque<std::pair<std::int64_t, std::size_t>> window_;  // (steady ms, bytes)
  GstClockTime last_keyframe_pts_ = GST_CLOCK_TIME_NONE;
};

// What the hub hands the program to: a consumer pipeline's feeder, or the relays' FLV
// packaging. push() runs on the program's streaming threads (video and audio may each have
// their own) and must never block.
class program_sink {
 public:
  virtual ~program_sink() = default;
  // `buf` and `caps` are borrowed.
  virtual void push(track t, GstBuffer* buf, GstCaps* caps, bool keyframe) = 0;
};

// One consumer's entry: a pair of appsrcs (video, audio) it reads the program from.
class feeder : public program_sink {
 public:
  explicit feeder(std::uint64_t max_queue_bytes = 16 * 1024 * 1024) : max_queue_bytes_(max_queue_bytes) {}
  ~feeder() override;
  // Binds (or rebinds, after the consumer rebuilt its pipeline) the appsrcs; the next buffer
  // it passes on is a keyframe, and the consumer's timeline starts at 0 there.
  void bind(GstElement* video_src, GstElement* audio_src);
  void unbind();
  void push(track t, GstBuffer* buf, GstCaps* caps, bool keyframe) override;

  // The stage-timeline time (ns) that this consumer's running time 0 corresponds to (may be
  // negative); nullopt until the first keyframe passed.
  std::optional<std::int64_t> base() const;
  std::uint64_t dropped() const { return dropped_.load(); }
  std::uint64_t pushed_bytes() const { return pushed_bytes_.load(); }
  // Steady-clock ms of the last buffer pushed (0 = never).
  std::int64_t last_push_ms() const { return last_push_ms_.load(); }

 private:
  mutable std::mutex m_;
  GstElement* video_ = nullptr;
  GstElement* audio_ = nullptr;
  GstCaps* video_caps_ = nullptr;  // last caps set on each appsrc
  GstCaps* audio_caps_ = nullptr;
  bool waiting_keyframe_ = true;
  std::optional<GstClockTime> start_;  // stage time of the first keyframe passed on
  std::int64_t offset_ = 0;            // consumer running time = stage time + offset_
  GstClockTime last_dts_[2] = {GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE};  // per track, stage time
  std::uint64_t max_queue_bytes_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> pushed_bytes_{0};
  std::atomic<std::int64_t> last_push_ms_{0};
};

// The program's fan-out, with the current group of pictures kept so that a consumer that
// joins (or rejoins) starts at once on the latest keyframe instead of waiting for the next.
class hub {
 public:
  hub() = default;
  ~hub();
  void add(std::shared_ptr<program_sink> f);
  void remove(const std::shared_ptr<program_sink>& f);
  // `buf` and `caps` are borrowed.
  void push(track t, GstBuffer* buf, GstCaps* caps);
  void clear_cache();
  const flow_meter& meter() const { return meter_; }
  std::int64_t last_video_ms() const { return last_video_ms_.load(); }

 private:
  struct cached {
    track t;
    GstBuffer* buf;
    GstCaps* caps;
    bool keyframe;
  };
  void drop_cache_locked();
  std::mutex m_;
  std::vector<std::shared_ptr<program_sink>> feeders_;
  std::vector<cached> gop_;
  flow_meter meter_;
  std::atomic<std::int64_t> last_video_ms_{0};
};

bool is_keyframe(GstBuffer* b);
// The element's running time on its pipeline's clock (0 before it has one).
GstClockTime running_time_now(GstElement* e);
std::int64_t steady_ms();
std::int64_t utc_ms();

}  // namespace samling::media
