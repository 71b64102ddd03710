#pragma once
// A stage's input side: the source pipeline (SRT listener, a pulled URL, a looping file or the
// test source), its timestamps laid onto the stage's continuous timeline (timeline.hpp), and
// in produced mode the ticker that feeds the encoder (encoder.hpp) the latest picture or the
// standby slate, and the sound (produced_timeline). Its output is the stage's program:
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

#include "media/encoder.hpp"
#include "media/gst_util.hpp"
#include "media/hub.hpp"
#include "media/stage_spec.hpp"
#include "media/timeline.hpp"

namespace samling::media {

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
  bool slate_on_air() const { return produced_.slate_on_air(); }
  std::uint64_t slate_switches() const { return produced_.slate_switches(); }
  std::string dot() const;

 private:
  void build_source();
  void retire_source();
  static void on_pad_added(GstElement*, GstPad* pad, gpointer self);
  void link_branch(GstPad* pad);
  void on_source_sample(track t, GstSample* s);
  void push_audio_locked(GstBuffer* b, GstClockTime now);
  void push_samples_locked(GstBuffer* b, std::uint64_t samples);
  void fill_silence_locked(GstClockTime until);
  bool tick();  // true when the slate went on or off air
  void start_ticker();
  void attach_appsink(GstElement* sink, track t);

  boost::asio::thread_pool::executor_type control_;
  stage_spec spec_;
  hub& out_;
  timeline& clock_;
  events ev_;
  std::unique_ptr<pipeline> source_;
  std::atomic<std::uint64_t> source_generation_{0};
  std::unique_ptr<encoder> encoder_;  // produced mode, while started (raw_m_ for pushes)
  GstBuffer* slate_ = nullptr;
  GstBuffer* latest_video_ = nullptr;  // produced: the source's newest picture (raw_m_)
  GstCaps* raw_video_caps_ = nullptr;
  GstCaps* raw_audio_caps_ = nullptr;
  std::mutex raw_m_;  // orders pushes into the encoder from the source and the ticker
  produced_timeline produced_;  // what goes to the encoder when (raw_m_)
  std::atomic<std::int64_t> last_source_video_ms_{0};
  flow_meter input_meter_;
  std::thread ticker_;  // the slate (produced mode)
  std::atomic<bool> ticking_{false};
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
};

// The standby slate as one raw I420 frame: the stage's names and "we'll be right back" in
// Swedish, English and Finnish. Throws std::runtime_error if it cannot be rendered.
GstBuffer* render_slate(const stage_spec& spec);

}  // namespace samling::media
