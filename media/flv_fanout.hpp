#pragma once
// A stage's relay destinations share one FLV packaging of the program: each access unit is
// turned into its FLV tag once (flv_writer: no muxer element, no clock, so no destination ever
// sees a timestamp step back or a track dropped because the other was late) and each tag is
// handed to every destination's own `appsrc ! rtmp2sink` pipeline through its tap. A
// destination then costs its socket writes and little more. Destinations joining, leaving or
// stalling change nothing for the others: the packaging does not restart for them, and each
// tap keeps its own queue.
//
// Each tap keeps what a destination had with a muxer of its own:
// - it starts (and restarts after drops) on a video keyframe tag; the FLV header, onMetaData
//   and the AVC/AAC sequence headers travel as the caps' `streamheader`, which rtmp2sink sends
//   first on every connection;
// - its own timeline: its first keyframe is at 0 ms, and its timestamps never go backwards
//   (RTMP servers drop or reject a publisher whose time steps back), also across a restart of
//   the packaging (after every destination had left);
// - its own byte bound: a destination that falls behind drops and resumes on the next
//   keyframe; nothing here ever waits for a destination.
// - tags reach its appsrc a video frame at a time (a buffer list: the frame and the audio
//   muxed before it), which halves the wake-ups of its streaming thread; audio is held back
//   at most one frame interval (100 ms when there is no video).
//
// Threads: add()/remove() run on the media control thread; the program arrives on its
// streaming threads (hub::push). One mutex for the tap list and the
// GOP cache, one per tap; neither is held while calling anything but appsrc's non-blocking
// push. Owned by the stage; relays hold a reference and outlive none of it.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gst/gst.h>

#include "media/hub.hpp"

namespace samling::media {

// One destination's entry: the appsrc of its `appsrc ! rtmp2sink` pipeline.
class flv_tap {
 public:
  explicit flv_tap(std::uint64_t max_queue_bytes) : max_queue_bytes_(max_queue_bytes) {}
  ~flv_tap();
  // Binds the appsrc of a new pipeline: a new connection, so a new timeline from 0 ms.
  void bind(GstElement* src);
  void unbind();
  // One FLV tag (borrowed) of the packaging run `run`, with its caps (borrowed).
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
  std::uint64_t run_ = 0;     // the packaging run offset_ms_ belongs to
  std::int64_t offset_ms_ = 0;  // out = program timestamp + offset
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
  flv_fanout(hub& program, std::string stage_id);
  ~flv_fanout();
  // Control thread. The packaging runs (joined to the program's hub) while at least one tap is
  // added. A new tap gets the tags since the latest keyframe at once, so it starts without
  // waiting for the next one.
  void add(std::shared_ptr<flv_tap> tap);
  void remove(const std::shared_ptr<flv_tap>& tap);
  bool running() const { return attached_; }
  // Buffers refused because their track's time stepped back (never sent to anyone).
  std::uint64_t refused() const;

  // The shared part: the hub's sink for the program, also reachable from the program's
  // streaming threads while the hub still holds it.
  struct shared_state;

 private:
  hub& program_;
  std::string stage_id_;
  std::shared_ptr<shared_state> state_;
  bool attached_ = false;
};

// The description of one destination's pipeline: an appsrc named "src" into an rtmp2sink
// named "sink" at `location` (which holds the stream key: never log it).
std::string flv_destination_description(const std::string& location);

}  // namespace samling::media
