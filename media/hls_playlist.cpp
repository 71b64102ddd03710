#include "media/hls_playlist.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace samling::media {

namespace {

// A player only sees durations as written (three decimals), so every rule about durations
// (target duration, window) works on the written value in whole milliseconds. That also
// keeps 6.0000001 s of floating-point noise from raising the target duration to 7.
// Sanity bounds that keep the millisecond arithmetic far from overflow.
constexpr double max_segment_s = 24 * 60 * 60;
constexpr double max_window_s = 365.0 * 24 * 60 * 60;

std::int64_t written_ms(double seconds) { return std::llround(seconds * 1000.0); }

int ceil_seconds(std::int64_t ms) { return static_cast<int>((ms + 999) / 1000); }

// "6.000": fixed three decimals from integers, so a process locale with a decimal comma
// (setlocale by some library) cannot change the playlist.
std::string format_duration(std::int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

bool valid_uri(const std::string& uri) {
  return !uri.empty() && uri.find_first_of("\r\n") == std::string::npos;
}

bool valid_duration(double s) {
  return std::isfinite(s) && s <= max_segment_s && written_ms(s) >= 1;
}

}  // namespace

std::string format_program_date_time(std::int64_t utc_ms) {
  using namespace std::chrono;
  // ISO 8601 needs four-digit years; clamp to 0000-01-01 .. 9999-12-31 rather than print
  // something a parser would reject.
  static const sys_time<milliseconds> first = sys_days{year{0} / January / 1};
  static const sys_time<milliseconds> last =
      sys_days{year{9999} / December / 31} + days{1} - milliseconds{1};
  auto tp = std::clamp(sys_time<milliseconds>{milliseconds{utc_ms}}, first, last);
  auto day = floor<days>(tp);  // floor, not truncation: correct before 1970 too
  year_month_day ymd{day};
  hh_mm_ss hms{tp - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

hls_playlist::hls_playlist(double target_segment_s, double window_s)
    : window_ms_(std::isfinite(window_s) && window_s > 0
                     ? written_ms(std::min(window_s, max_window_s))
                     : 0) {
  if (!valid_duration(target_segment_s)) target_segment_s = 1;
  target_duration_ = std::max(1, ceil_seconds(written_ms(target_segment_s)));
}

bool hls_playlist::add(hls_segment s) {
  if (!valid_uri(s.uri) || !valid_duration(s.duration_s)) return false;
  if (!segments_.empty() && s.sequence != segments_.back().sequence + 1) return false;
  target_duration_ = std::max(target_duration_, ceil_seconds(written_ms(s.duration_s)));
  segments_.push_back(std::move(s));
  return true;
}

std::int64_t hls_playlist::listed_ms() const {
  std::int64_t ms = 0;
  for (auto& s : segments_) ms += written_ms(s.duration_s);
  return ms;
}

// The oldest segment may go when what stays still covers the rewind window and three target
// durations (RFC 8216 6.2.2; players start about three target durations from the live edge),
// and at least 3 segments stay.
bool hls_playlist::can_drop_oldest() const {
  if (segments_.size() <= 3) return false;
  std::int64_t remaining = listed_ms() - written_ms(segments_.front().duration_s);
  std::int64_t needed = std::max<std::int64_t>(window_ms_, 3000 * std::int64_t{target_duration_});
  return remaining >= needed;
}

std::vector<hls_segment> hls_playlist::expire() {
  std::vector<hls_segment> removed;
  while (can_drop_oldest()) {
    // RFC 8216 6.2.1: removing a segment that carries EXT-X-DISCONTINUITY increments the
    // discontinuity sequence, so players keep matching segments across renditions.
    if (segments_.front().discontinuity) ++discontinuity_sequence_;
    removed.push_back(std::move(segments_.front()));
    segments_.pop_front();
  }
  return removed;
}

std::uint64_t hls_playlist::media_sequence() const {
  return segments_.empty() ? 0 : segments_.front().sequence;
}

std::string hls_playlist::render(bool ended) const {
  // Version 3: decimal EXTINF durations. Nothing else used here needs more.
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n";
  out += "#EXT-X-TARGETDURATION:" + std::to_string(target_duration_) + "\n";
  out += "#EXT-X-MEDIA-SEQUENCE:" + std::to_string(media_sequence()) + "\n";
  // Absent means 0, so the tag appears only once a discontinuity has left the window.
  if (discontinuity_sequence_ > 0)
    out += "#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(discontinuity_sequence_) + "\n";
  for (auto& s : segments_) {
    if (s.discontinuity) out += "#EXT-X-DISCONTINUITY\n";
    out += "#EXT-X-PROGRAM-DATE-TIME:" + format_program_date_time(s.program_date_time_ms) + "\n";
    out += "#EXTINF:" + format_duration(written_ms(s.duration_s)) + ",\n";
    out += s.uri + "\n";
  }
  if (ended) out += "#EXT-X-ENDLIST\n";
  return out;
}

}  // namespace samling::media
