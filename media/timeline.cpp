#include "media/timeline.hpp"

#include <algorithm>

namespace samling::media {

namespace {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t second = 1'000'000'000;
constexpr std::uint64_t jump_back = 2 * second;   // source time going back: a new session
constexpr std::uint64_t jump_ahead = 5 * second;  // or leaping ahead: a new session
// Audio may overlap what was sent by this much (an encoder's priming, rounding); more would
// step back in time, which muxers refuse.
constexpr std::uint64_t audio_overlap = 20 * ms;

// floor(n * num / den), exact, without the overflow of n * num (a run of samples, in ns).
std::uint64_t scale(std::uint64_t n, std::uint64_t num, std::uint64_t den) {
  return n / den * num + n % den * num / den;
}

}  // namespace

// ---- timeline ----

timeline::timeline()
    : start_(std::chrono::steady_clock::now()),
      start_utc_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count()) {}

std::uint64_t timeline::now() const {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count());
}

void timeline::restart() {
  std::lock_guard lock(m_);
  offset_.reset();
  last_source_[0].reset();
  last_source_[1].reset();
}

std::optional<timeline::stamps> timeline::map(track t, stamps source, bool keyframe, std::uint64_t now) {
  const int i = t == track::video ? 0 : 1;
  const std::uint64_t src = source.dts.value_or(source.pts);
  std::lock_guard lock(m_);
  if (offset_ && last_source_[i] && (src + jump_back < *last_source_[i] || src > *last_source_[i] + jump_ahead)) {
    offset_.reset();  // the source's clock jumped: a new session, anchored anew
    last_source_[0].reset();
    last_source_[1].reset();
  }
  if (!offset_) {
    if (t != track::video || !keyframe) return std::nullopt;
    std::int64_t off = static_cast<std::int64_t>(now) - static_cast<std::int64_t>(src);
    // Never behind what was already sent: the timeline only moves forward.
    std::int64_t floor = static_cast<std::int64_t>(std::max(last_out_[0], last_out_[1]) + ms);
    if (static_cast<std::int64_t>(src) + off < floor) off = floor - static_cast<std::int64_t>(src);
    offset_ = off;
  }
  std::int64_t pts = static_cast<std::int64_t>(source.pts) + *offset_;
  std::int64_t dts = static_cast<std::int64_t>(src) + *offset_;
  if (pts < 0 || dts < 0) return std::nullopt;
  if (t == track::audio && static_cast<std::uint64_t>(pts) + audio_overlap < last_out_[1]) return std::nullopt;
  last_source_[i] = src;
  last_out_[i] = std::max(last_out_[i], static_cast<std::uint64_t>(dts));
  stamps out{static_cast<std::uint64_t>(pts), std::nullopt};
  if (source.dts) out.dts = static_cast<std::uint64_t>(dts);
  return out;
}

// ---- produced_timeline ----

produced_timeline::produced_timeline(std::uint32_t fps, std::uint32_t input_timeout_ms)
    : frame_(second / std::max<std::uint32_t>(fps, 1)), input_timeout_ms_(input_timeout_ms) {}

void produced_timeline::reset(std::uint64_t now) {
  next_frame_ = audio_epoch_ = now;
  audio_samples_ = 0;
}

std::optional<std::uint64_t> produced_timeline::next_frame(std::uint64_t now) {
  if (next_frame_ + max_video_fill < now) next_frame_ = now;  // after a stall: no burst
  if (next_frame_ > now + frame_) return std::nullopt;
  std::uint64_t pts = next_frame_;
  next_frame_ += frame_;
  return pts;
}

bool produced_timeline::update_slate(std::int64_t now_ms, std::int64_t last_picture_ms) {
  bool stale = now_ms - last_picture_ms > input_timeout_ms_;
  bool changed = slate_on_air_.exchange(stale) != stale;
  if (stale && changed) ++slate_switches_;
  return changed;
}

// Sample n of the run is at epoch + n/rate, computed from the count (never by adding rounded
// durations), so the run never drifts from its sample count.
std::uint64_t produced_timeline::audio_time() const {
  return audio_epoch_ + scale(audio_samples_, second, audio_rate);
}

std::uint64_t produced_timeline::silence_samples(std::uint64_t until) const {
  std::uint64_t at = audio_time();
  if (at >= until) return 0;
  return std::min<std::uint64_t>(scale(until - at, audio_rate, second), audio_rate);
}

produced_timeline::span produced_timeline::append(std::uint64_t samples) {
  std::uint64_t pts = audio_time();
  audio_samples_ += samples;
  return {pts, audio_time() - pts};
}

}  // namespace samling::media
