#pragma once
// FLV packaging of a stage's program for its relay destinations, without a muxer element.
//
// Why not flvmux: flvmux is a live aggregator. It waits for both tracks against the pipeline's
// clock and, when one is late by more than its latency (a machine busy starting another
// pipeline, an encoder's audio arriving in bursts), writes the other alone and then drops the
// late track's buffers as "backwards dts": audio holes and bunched timestamps on every
// destination at once. The program's timestamps are already final, so packaging needs no clock:
// this file turns each access unit into its FLV tag, and `interleaver` orders the two tracks by
// their own timestamps, waiting only on the data itself. Nothing here can step a track back.
//
// Pure: bytes in, bytes out, no GStreamer; the fan-out (flv_fanout) wraps it.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace samling::media::flv {

using bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t tag_audio = 8;
constexpr std::uint8_t tag_video = 9;
constexpr std::uint8_t tag_script = 18;

// The NAL units of an H.264 access unit in Annex B byte-stream form (start codes removed,
// empty units skipped).
std::vector<std::span<const std::uint8_t>> split_annexb(std::span<const std::uint8_t> au);

// An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1) for one SPS and one PPS, with
// 4-byte NAL lengths. Empty if the SPS is too short to hold its profile and level.
bytes avc_decoder_config(std::span<const std::uint8_t> sps, std::span<const std::uint8_t> pps);

// One complete FLV tag: the 11-byte header, `body`, and the 4-byte size of the tag that
// follows it (what rtmp2sink and FLV files expect per tag). `ms` may exceed 24 bits.
bytes tag(std::uint8_t type, std::int64_t ms, std::span<const std::uint8_t> body);

// The 9-byte FLV file header (audio and video) and the first PreviousTagSize (0).
bytes file_header();

// A minimal onMetaData script tag: codec ids, and width/height when known (0: left out).
bytes metadata_tag(int width, int height, bool has_audio);

// The parts of an H.264 access unit an FLV video tag needs.
struct avc_frame {
  bytes body;       // the tag body: frame type + codec, packet type 1, composition time, NALs
  bytes sps, pps;   // the access unit's parameter sets (empty when it carries none)
};
// Packs an access unit: its NAL units with 4-byte lengths, without access unit delimiters and
// parameter sets (those travel in the sequence header). `cts_ms` is PTS - DTS.
avc_frame avc_frame_body(std::span<const std::uint8_t> au, bool keyframe, std::int32_t cts_ms);
// The video sequence header's body (packet type 0) for a decoder configuration record.
bytes avc_sequence_body(const bytes& config);
// The body of a raw AAC frame's tag, and of its sequence header (an AudioSpecificConfig).
bytes aac_frame_body(std::span<const std::uint8_t> raw);
bytes aac_sequence_body(std::span<const std::uint8_t> audio_specific_config);

// Orders two tracks' items by decode time without a clock. An item leaves when nothing of
// the other track can come before it any more (the other track already reached its time), or
// when its own track has run `max_wait_ms` ahead of it (the other track stopped or is that
// late: it does not hold this one up for longer). Within a track, time never goes back: an
// item older than its track's last is refused.
template <typename T>
class interleaver {
 public:
  explicit interleaver(std::int64_t max_wait_ms = 500) : max_wait_ms_(max_wait_ms) {}

  // Track 0 or 1. False (and `item` not taken) when it would step its track back in time.
  bool push(int track, std::int64_t dts_ms, T item) {
    if (last_in_[track] && dts_ms < *last_in_[track]) return false;
    last_in_[track] = dts_ms;
    queue_[track].push_back({dts_ms, std::move(item)});
    return true;
  }

  // Hands every item that may leave now to `out(track, dts_ms, item)`, in order.
  template <typename Out>
  void pop_ready(Out&& out) {
    for (;;) {
      int from = -1;
      if (!queue_[0].empty() && !queue_[1].empty()) {
        from = queue_[1].front().dts < queue_[0].front().dts ? 1 : 0;
      } else {
        for (int t = 0; t < 2 && from < 0; ++t) {
          if (queue_[t].empty()) continue;
          const auto& head = queue_[t].front();
          const auto& other = last_in_[1 - t];
          if ((other && *other >= head.dts) || queue_[t].back().dts - head.dts > max_wait_ms_) from = t;
        }
      }
      if (from < 0) return;
      auto e = std::move(queue_[from].front());
      queue_[from].pop_front();
      out(from, e.dts, std::move(e.item));
    }
  }

  // Everything still waiting, in order, then forgets the tracks' times (a new start).
  template <typename Out>
  void drain(Out&& out) {
    while (!queue_[0].empty() || !queue_[1].empty()) {
      int from = queue_[0].empty() ? 1 : queue_[1].empty() ? 0 : (queue_[1].front().dts < queue_[0].front().dts ? 1 : 0);
      auto e = std::move(queue_[from].front());
      queue_[from].pop_front();
      out(from, e.dts, std::move(e.item));
    }
    last_in_[0].reset();
    last_in_[1].reset();
  }

  std::size_t waiting() const { return queue_[0].size() + queue_[1].size(); }

 private:
  struct entry {
    std::int64_t dts;
    T item;
  };
  std::int64_t max_wait_ms_;
  std::deque<entry> queue_[2];
  std::optional<std::int64_t> last_in_[2];
};

}  // namespace samling::media::flv
