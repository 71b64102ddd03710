#pragma once
// A stage's input side: the source pipeline (SRT listener, a pulled URL, a looping file or the
// test source), the mapping of its timestamps onto the stage's continuous timeline, and in
// produced mode the encoder with the standby slate. Its output is the stage's program:
// H.264 (byte-stream, access units, parameter sets before every keyframe) and AAC (raw),
// pushed into the stage's hub.
//
// Threads: samples arrive on GStreamer's streaming threads and go straight through (no hop);
// everything else (start, stop, restart, the slate ticker) runs on the media control thread.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "media/gst_util.hpp"
#include "media/hub.hpp"
#include "media/stage_spec.hpp"

namespace samling::media {

// Maps a source's timestamps onto the stage timeline (ns since the stage started). A source
// session (a new SRT caller, a file loop, a pulled stream that restarted) is anchored at the
// stage clock's "now" on its first keyframe, so the timeline follows the wall clock and never
// goes backwards; a jump in the source's own timestamps starts a new session.
class timeline {
 public:
  timeline() : start_(std::chrono::steady_clock::now()) {}
  GstClockTime now() const;
  // A new buffer (the caller owns it) with mapped timestamps, or nullptr to drop.
  GstBuffer* map(track t, GstBuffer* in, bool keyframe);
  void restart();
  // UTC ms at stage time 0.
  std::int64_t start_utc_ms() const { return start_utc_ms_; }

 private:
  std::chrono::steady_clock::time_point start_;
  std::int64_t start_utc_ms_ = utc_ms();
  std::mutex m_;
  std::optional<std::int64_t> offset_;
  GstClockTime last_src_[2] = {GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE};
  GstClockTime last_out_[2] = {0, 0};
};

class ingest {
 public:
  struct events {
    std::function<void(bus_event)> bus;        // any thread: post it
    std::function<void()> caller_added;        // SRT: a caller connected (any thread)
    std::function<void()> caller_removed;      // SRT: the caller left (any thread)
    std::function<void()> slate_changed;       // produced: the slate went on or off air (ticker thread)
    // SRT: a caller was refused; reason as in srt_refusals.hpp, detail in plain words (any thread)
    std::function<void(const std::string& reason, const std::string& detail)> caller_refused;
  };
  ingest(boost::asio::thread_pool::executor_type control, const stage_spec& spec, hub& out, timeline& clock,
         events ev);
  ~ingest();
  // On the control thread. start() throws std::runtime_error when the pipeline cannot be built.
  void start();
  void stop();
  // Rebuilds the source pipeline (after an error, a file's end or an SRT caller leaving); the
  // encoder and the slate keep running, so outputs see no interruption in produced mode.
  void restart_source();
  bool running() const { return source_ != nullptr; }
  // Steady ms of the last video frame the source delivered (0 = never).
  std::int64_t last_source_video_ms() const { return last_source_video_ms_.load(); }
  const flow_meter& input_meter() const { return input_meter_; }
  bool slate_on_air() const { return slate_on_air_.load(); }
  std::uint64_t slate_switches() const { return slate_switches_.load(); }
  std::string dot() const;

 private:
  void build_source();
  void retire_source();
  static void on_pad_added(GstElement*, GstPad* pad, gpointer self);
  void link_branch(GstPad* pad);
  void on_source_sample(track t, GstSample* s);
  void on_encoded_sample(track t, GstSample* s);
  void push_audio_locked(GstBuffer* b, GstClockTime now);
  void push_samples_locked(GstBuffer* b, std::uint64_t samples);
  void fill_silence_locked(GstClockTime until);
  GstClockTime audio_pts_locked() const;
  bool tick();  // true when the slate went on or off air
  void start_ticker();
  void attach_appsink(GstElement* sink, track t, bool from_encoder);

  boost::asio::thread_pool::executor_type control_;
  stage_spec spec_;
  hub& out_;
  timeline& clock_;
  events ev_;
  std::unique_ptr<pipeline> source_;
  std::atomic<std::uint64_t> source_generation_{0};
  std::unique_ptr<pipeline> encoder_;
  element_ptr enc_video_src_, enc_audio_src_;
  GstBuffer* slate_ = nullptr;
  GstBuffer* latest_video_ = nullptr;  // produced: the source's newest picture (raw_m_)
  GstCaps* raw_video_caps_ = nullptr;
  GstCaps* raw_audio_caps_ = nullptr;
  std::mutex raw_m_;  // orders pushes into the encoder from the source and the ticker
  GstClockTime next_video_pts_ = 0;
  // The encoder's sound: one unbroken run of samples from audio_epoch_ (see push_audio_locked).
  GstClockTime audio_epoch_ = 0;
  std::uint64_t audio_samples_ = 0;
  std::atomic<std::int64_t> last_source_video_ms_{0};
  std::atomic<bool> slate_on_air_{false};
  std::atomic<std::uint64_t> slate_switches_{0};
  flow_meter input_meter_;
  std::thread ticker_;  // the slate (produced mode)
  std::atomic<bool> ticking_{false};
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

// The standby slate as one raw I420 frame: the stage's names and "we'll be right back" in
// Swedish, English and Finnish. Throws std::runtime_error if it cannot be rendered.
GstBuffer* render_slate(const stage_spec& spec);

}  // namespace samling::media
