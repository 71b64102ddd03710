#pragma once
// Where a stage's files live under media.dir and what they are called: the one copy of these
// rules. The engine writes by them (HLS, recordings), the server's routes read by them (/live/,
// downloads). Pure: no GStreamer, no file access.
//
//   <dir>/hls/<stage>/index.m3u8, <run>-00042.ts    HLS, removed when the stage stops
//   <dir>/recordings/<stage>/*.ts, *_chapters.vtt   recordings, kept
//   <dir>/outputs/<stage>.json                      organizer-added destinations before
//                                                   issue 14 (now in the database), imported once
#include <cstdint>
#include <string>
#include <string_view>

namespace samling::media {

class layout {
 public:
  static constexpr std::string_view playlist_name = "index.m3u8";

  explicit layout(std::string dir = "var/media") : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  std::string hls_dir(std::string_view stage) const;
  std::string hls_file(std::string_view stage, std::string_view name) const;
  std::string playlist_file(std::string_view stage) const { return hls_file(stage, playlist_name); }
  std::string recordings_dir(std::string_view stage) const;
  std::string recording_path(std::string_view stage, std::string_view name) const;
  std::string legacy_outputs_file(std::string_view stage) const;

 private:
  std::string dir_;
};

// splitmuxsink's location pattern for one run of a stage's HLS: "<run>-%05u.ts". Names are
// unique per run (the run is the start's UTC ms), so a segment, once listed, never changes.
std::string hls_segment_pattern(std::string_view run);

// What /live/ may serve from a stage's HLS folder: the playlist, or a segment name (a safe
// file name ending in .ts, shorter than 64 characters).
bool is_live_file_name(std::string_view name);

// What the recordings listing shows and the download route serves: a safe file name ending
// in .ts (a recording) or .vtt (its chapters).
bool is_recording_file_name(std::string_view name);

// Whether the HLS segment `name` is complete, so it may be served and cached for good.
// `playlist`: the stage's current playlist text, or nullptr when there is none; `unmodified_ms`:
// how long ago the file was last written. The HLS writer lists a segment only once it is
// closed, and numbers the segments of a run in order, so with a playlist:
//   listed, or of the same run and numbered before the newest listed one (expired from the
//   window but kept a while for players holding an older playlist) → complete;
//   of the same run and numbered after it → still being written, not complete.
// Otherwise (no playlist: the stage is stopped; or a name of another run) nothing is writing
// it any more once it has not been touched for 3 s.
bool hls_segment_complete(std::string_view name, const std::string* playlist, std::int64_t unmodified_ms);

// A file in a stage's recordings folder, as the organizer's listing shows it.
struct recording_file {
  std::string name;
  std::uint64_t size = 0;
  std::int64_t modified_ms = 0;
  std::string session;  // the session's title when this run named it, else empty
};

}  // namespace samling::media
