#pragma once
// Produced mode's encoder: raw pictures and sound in (two appsrcs, in the formats below), the
// stage's program out to its hub: H.264 (byte-stream, access units, parameter sets before
// every keyframe) and AAC (raw). Its own pipeline, which keeps running while sources come and
// go, so the outputs never see a gap.
//
// Owned by ingest; built, started and destroyed on the media control thread; push() from the
// ticker thread and a source's streaming threads (appsrc's push is thread-safe and never
// blocks); its output goes to the hub on the encoder's streaming threads.
#include <functional>
#include <memory>
#include <string>

#include "media/gst_util.hpp"
#include "media/hub.hpp"
#include "media/stage_spec.hpp"

namespace samling::media {

// What the encoder takes, and what produced-mode sources are converted to.
std::string raw_video_caps(const produced_spec& p);  // I420 at the stage's size and rate
extern const char* const raw_audio_caps;               // S16LE stereo at 48 kHz
constexpr std::size_t raw_audio_frame_bytes = 4;       // one S16LE stereo sample

class encoder {
 public:
  // Builds the pipeline (throws std::runtime_error when it cannot); `bus` gets its messages
  // (on GStreamer's thread: it must only post).
  encoder(const stage_spec& spec, hub& out, std::function<void(bus_event)> bus);
  // Ends the stream and tears the pipeline down, synchronously.
  ~encoder();
  encoder(const encoder&) = delete;
  encoder& operator=(const encoder&) = delete;

  // false when the pipeline did not start.
  bool play();
  // Takes `b` (raw, stamped on the stage timeline).
  void push(track t, GstBuffer* b);
  std::string dot() const;

 private:
  std::unique_ptr<pipeline> pipeline_;
  element_ptr video_in_, audio_in_;
};

}  // namespace samling::media
