#pragma once
// A stage's relay destinations share one FLV muxer: the program is muxed once (h264parse,
// aacparse → flvmux streamable=true → appsink) and each FLV tag is handed to every
// destination's own `appsrc ! rtmp2sink` pipeline through its tap. A destination then costs
// its socket writes and little more, instead of a muxer and two parsers of its own.
//
// Each tap keeps what a destination had with a muxer of its own:
// - it starts (and restarts after drops) on a video keyframe tag; the FLV header, onMetaData
//   and the AVC/AAC sequence headers travel as the caps' `streamheader`, which rtmp2sink sends
//   first on every connection;
// - its own timeline: its first keyframe is at 0 ms, and its timestamps never go backwards
//   (RTMP servers drop or reject a publisher whose time steps back), also across a muxer
//   restart;
// - its own byte bound: a destination that falls behind drops and resumes on the next
//   keyframe; nothing here ever waits for a destination.
// - tags reach its appsrc a video frame at a time (a buffer list: the frame and the audio
//   muxed before it), which halves the wake-ups of its streaming thread; audio is held back
//   at most one frame interval (100 ms when there is no video).
//
// Threads: add()/remove() run on the media control thread (which owns the muxer pipeline);
// tags arrive on the muxer's streaming thread (appsink). One mutex for the tap list and the
// GOP cache, one per tap; neither is held while calling anything but appsrc's non-blocking
// push. Owned by the stage; relays hold a reference and outlive none of it.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "media/consumer.hpp"

namespace samling::media {

// One destination's entry: the appsrc of its `appsrc ! rtmp2sink` pipeline.
class flv_tap {
 public:
  explicit flv_tap(std::uint64_t max_queue_bytes) : max_queue_bytes_(max_queue_bytes) {}
  ~flv_tap();
  // Binds the appsrc of a new pipeline: a new connection, so a new timeline from 0 ms.
  void bind(GstElement* src);
  void unbind();
  // One FLV tag (borrowed) of the muxer run `run`, with the muxer's caps (borrowed).
  void push(GstBuffer* tag, GstCaps* caps, std::uint64_t run);

  std::uint64_t dropped() const { return dropped_.load(); }
  std::uint64_t pushed_bytes() const { return pushed_bytes_.load(); }
  // Steady-clock ms of the last tag pushed (0 = never).
  std::int64_t last_push_ms() const { return last_push_ms_.load(); }

 private:
  mutable std::mutex m_;
  GstElement* src_ = nullptr;
  GstCaps* caps_ = nullptr;  // last caps set on the appsrc
  bool waiting_keyframe_ = true;
  bool started_ = false;      // offset_ms_ is set
  std::uint64_t run_ = 0;     // the muxer run offset_ms_ belongs to
  std::int64_t offset_ms_ = 0;  // out = muxer timestamp + offset
  std::int64_t last_out_ms_ = 0;
  std::int64_t last_out_steady_ms_ = 0;
  // Tags pushed but not yet handed to the appsrc: a batch ends with a video tag (or 100 ms
  // of audio), so the destination's thread wakes once per frame.
  void flush_locked();
  void drop_pending_locked();
  GstBufferList* pending_ = nullptr;
  std::uint64_t pending_bytes_ = 0;
  std::int64_t pending_first_ms_ = 0;
  std::uint64_t max_queue_bytes_;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> pushed_bytes_{0};
  std::atomic<std::int64_t> last_push_ms_{0};
};

class flv_fanout {
 public:
  flv_fanout(control_executor control, hub& program, std::string stage_id);
  ~flv_fanout();
  // Control thread. The muxer runs while at least one tap is added. A new tap gets the tags
  // since the latest keyframe at once, so it starts without waiting for the next one.
  void add(std::shared_ptr<flv_tap> tap);
  void remove(const std::shared_ptr<flv_tap>& tap);
  bool running() const { return muxer_.is_open(); }
  std::string dot() const;

  // The shared part, also reachable from the muxer's streaming thread after the fan-out or a
  // muxer pipeline is gone (the appsink callback holds it).
  struct shared_state;

 private:
  void open_muxer();
  void close_muxer();
  void on_bus(const bus_event& ev);

  control_executor control_;
  std::string stage_id_;
  consumer_pipeline muxer_;
  boost::asio::steady_timer restart_timer_;
  std::shared_ptr<shared_state> state_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The description of one destination's pipeline: an appsrc named "src" into an rtmp2sink
// named "sink" at `location` (which holds the stream key: never log it).
std::string flv_destination_description(const std::string& location);

}  // namespace samling::media
