#pragma once
// A live HLS media playlist (RFC 8216): the sliding window of segments a player sees, and its
// text. Pure: no GStreamer, no files. The media engine adds a segment when the muxer closes
// one, calls expire() to slide the window, writes render() atomically, and deletes the files
// of expired segments only later: a player that fetched an older playlist may still ask for
// them (RFC 8216 6.2.2: keep a removed segment for its duration plus the duration of the
// longest playlist that listed it).
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace samling::media {

struct hls_segment {
  std::string uri;                        // relative to the playlist, e.g. "seg-000042.ts"
  double duration_s = 0;                  // the real duration, written as #EXTINF
  std::int64_t program_date_time_ms = 0;  // UTC ms of the segment's first frame
  std::uint64_t sequence = 0;             // media sequence number; consecutive (see add())
  bool discontinuity = false;             // encoder restart, format change: #EXT-X-DISCONTINUITY
};

// "2026-11-21T09:00:00.000Z": ISO 8601, UTC, millisecond precision, as
// #EXT-X-PROGRAM-DATE-TIME wants it. Times before 1970 work too (floored, not truncated).
std::string format_program_date_time(std::int64_t utc_ms);

class hls_playlist {
 public:
  // `target_segment_s`: the duration the segmenter aims for; the target duration never goes
  // below its ceiling. `window_s`: how far back a player can rewind. The window always keeps
  // at least 3 segments and at least 3 target durations (RFC 8216 6.2.2), however small
  // `window_s` is. Invalid values (not positive and finite) are treated as 1 s and 0 s.
  hls_playlist(double target_segment_s, double window_s);

  // Appends a segment. Returns false and changes nothing when the segment cannot be listed:
  // its sequence is not exactly one more than the last one's (a player derives each
  // segment's number from its position, so gaps cannot be expressed), its duration is not a
  // positive finite number, or its uri is empty or contains a line break.
  bool add(hls_segment s);

  // Removes the oldest segments that are no longer needed to fill the window and returns
  // them, oldest first, so the caller can delete their files after a delay. Keeps at least
  // 3 segments. Counts removed discontinuities into the discontinuity sequence.
  std::vector<hls_segment> expire();

  // The playlist text. `ended`: the stream is over (#EXT-X-ENDLIST); players stop reloading.
  std::string render(bool ended = false) const;

  const std::deque<hls_segment>& segments() const { return segments_; }

  // #EXT-X-TARGETDURATION: the ceiling of the longest segment ever listed (as written, to
  // the millisecond), never below ceil(target). It does not shrink when a long segment
  // expires: RFC 8216 6.2.1 says its value MUST NOT change, so it only grows when it must.
  int target_duration() const { return target_duration_; }

  // #EXT-X-MEDIA-SEQUENCE: the first listed segment's sequence (0 while empty).
  std::uint64_t media_sequence() const;

  // #EXT-X-DISCONTINUITY-SEQUENCE: how many discontinuity tags have left the window.
  std::uint64_t discontinuity_sequence() const { return discontinuity_sequence_; }

 private:
  std::int64_t listed_ms() const;  // the listed durations as written
  bool can_drop_oldest() const;

  std::int64_t window_ms_;
  int target_duration_;
  std::deque<hls_segment> segments_;
  std::uint64_t discontinuity_sequence_ = 0;
};

}  // namespace samling::media
