#include "media/hub.hpp"

#include <chrono>

#include <gst/app/gstappsrc.h>

namespace samling::media {

namespace {
constexpr std::size_t max_gop_buffers = 4000;  // ~10 s of 30 fps video with its audio
constexpr std::int64_t bitrate_window_ms = 3000;
}  // namespace

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::int64_t utc_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool is_keyframe(GstBuffer* b) { return !GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT); }

void flow_meter::add(track t, std::size_t bytes, bool keyframe, GstClockTime pts) {
  std::lock_guard lock(m_);
  auto now = steady_ms();
  totals_.bytes += bytes;
  window_.emplace_back(now, bytes);
  while (!window_.empty() && window_.front().first < now - bitrate_window_ms) window_.pop_front();
  if (t != track::video) return;
  ++totals_.video_frames;
  if (!keyframe) return;
  ++totals_.keyframes;
  if (GST_CLOCK_TIME_IS_VALID(pts) && GST_CLOCK_TIME_IS_VALID(last_keyframe_pts_) && pts > last_keyframe_pts_)
    totals_.keyframe_interval_ms = static_cast<double>(pts - last_keyframe_pts_) / 1e6;
  last_keyframe_pts_ = pts;
}

void flow_meter::add_bytes(std::size_t bytes) {
  std::lock_guard lock(m_);
  auto now = steady_ms();
  totals_.bytes += bytes;
  window_.emplace_back(now, bytes);
  while (!window_.empty() && window_.front().first < now - bitrate_window_ms) window_.pop_front();
}

flow_stats flow_meter::snapshot() const {
  std::lock_guard lock(m_);
  flow_stats s = totals_;
  auto now = steady_ms();
  std::size_t bytes = 0;
  for (auto& [t, b] : window_)
    if (t >= now - bitrate_window_ms) bytes += b;
  s.bitrate_bps = static_cast<double>(bytes) * 8.0 * 1000.0 / bitrate_window_ms;
  return s;
}

void flow_meter::reset() {
  std::lock_guard lock(m_);
  totals_ = {};
  window_.clear();
  last_keyframe_pts_ = GST_CLOCK_TIME_NONE;
}

feeder::~feeder() { unbind(); }

void feeder::bind(GstElement* video_src, GstElement* audio_src) {
  std::lock_guard lock(m_);
  if (video_) gst_object_unref(video_);
  if (audio_) gst_object_unref(audio_);
  video_ = video_src ? GST_ELEMENT(gst_object_ref(video_src)) : nullptr;
  audio_ = audio_src ? GST_ELEMENT(gst_object_ref(audio_src)) : nullptr;
  gst_caps_replace(&video_caps_, nullptr);
  gst_caps_replace(&audio_caps_, nullptr);
  waiting_keyframe_ = true;
  start_.reset();
  offset_ = 0;
  last_dts_[0] = last_dts_[1] = GST_CLOCK_TIME_NONE;
}

void feeder::unbind() {
  std::lock_guard lock(m_);
  if (video_) gst_object_unref(video_);
  if (audio_) gst_object_unref(audio_);
  video_ = audio_ = nullptr;
  gst_caps_replace(&video_caps_, nullptr);
  gst_caps_replace(&audio_caps_, nullptr);
}

std::optional<std::int64_t> feeder::base() const {
  std::lock_guard lock(m_);
  if (!start_) return std::nullopt;
  return -offset_;
}

GstClockTime running_time_now(GstElement* e) {
  GstClock* clock = gst_element_get_clock(e);
  if (!clock) return 0;
  GstClockTime now = gst_clock_get_time(clock);
  gst_object_unref(clock);
  GstClockTime base = gst_element_get_base_time(e);
  return now > base ? now - base : 0;
}

void feeder::push(track t, GstBuffer* buf, GstCaps* caps, bool keyframe) {
  std::lock_guard lock(m_);
  GstElement* src = t == track::video ? video_ : audio_;
  if (!src) return;
  if (waiting_keyframe_) {
    if (t != track::video || !keyframe) return;  // start (again) on a keyframe
    GstClockTime start = GST_BUFFER_DTS_IS_VALID(buf) ? GST_BUFFER_DTS(buf) : GST_BUFFER_PTS(buf);
    if (!GST_CLOCK_TIME_IS_VALID(start)) return;
    // A new binding maps this keyframe to the consumer pipeline's running time now: its live
    // muxers then wait for every track as long as their latency allows instead of judging
    // everything late (and writing audio behind video). Resuming after drops keeps the
    // mapping, so a gap shows as a gap in time rather than as compressed time.
    if (!start_) {
      start_ = start;
      offset_ = static_cast<std::int64_t>(running_time_now(src)) - static_cast<std::int64_t>(start);
    }
    waiting_keyframe_ = false;
  }
  GstClockTime pts = GST_BUFFER_PTS(buf);
  if (!GST_CLOCK_TIME_IS_VALID(pts) || pts < *start_) return;  // audio from before the keyframe
  // A destination that cannot keep up: drop instead of growing, then resume on a keyframe.
  if (gst_app_src_get_current_level_bytes(GST_APP_SRC(src)) > max_queue_bytes_) {
    ++dropped_;
    waiting_keyframe_ = true;
    return;
  }
  GstCaps*& current = t == track::video ? video_caps_ : audio_caps_;
  if (caps && (!current || !gst_caps_is_equal(current, caps))) {
    gst_app_src_set_caps(GST_APP_SRC(src), caps);
    gst_caps_replace(&current, caps);
  }
  // Muxers refuse time going backwards on a track (flvmux logs "Got backwards dts" for every
  // such buffer): a source's audio that steps back (its packets' timestamps resynchronising)
  // loses those few frames here instead.
  GstClockTime dts = GST_BUFFER_DTS_IS_VALID(buf) ? GST_BUFFER_DTS(buf) : pts;
  GstClockTime& last = last_dts_[t == track::video ? 0 : 1];
  if (GST_CLOCK_TIME_IS_VALID(last) && dts < last) {
    ++dropped_;
    return;
  }
  last = dts;
  GstBuffer* out = gst_buffer_copy(buf);  // shares the memory; only the metadata is ours
  auto shift = [this](GstClockTime t) {
    auto v = static_cast<std::int64_t>(t) + offset_;
    return static_cast<GstClockTime>(std::max<std::int64_t>(0, v));
  };
  GST_BUFFER_PTS(out) = shift(pts);
  if (GST_BUFFER_DTS_IS_VALID(buf)) GST_BUFFER_DTS(out) = shift(GST_BUFFER_DTS(buf));
  pushed_bytes_ += gst_buffer_get_size(buf);
  last_push_ms_ = steady_ms();
  gst_app_src_push_buffer(GST_APP_SRC(src), out);  // takes `out`; never blocks (block=false)
}

hub::~hub() {
  std::lock_guard lock(m_);
  drop_cache_locked();
}

void hub::drop_cache_locked() {
  for (auto& c : gop_) {
    gst_buffer_unref(c.buf);
    if (c.caps) gst_caps_unref(c.caps);
  }
  gop_.clear();
}

void hub::clear_cache() {
  std::lock_guard lock(m_);
  drop_cache_locked();
}

void hub::add(std::shared_ptr<program_sink> f) {
  std::lock_guard lock(m_);
  for (auto& c : gop_) f->push(c.t, c.buf, c.caps, c.keyframe);
  feeders_.push_back(std::move(f));
}

void hub::remove(const std::shared_ptr<program_sink>& f) {
  std::lock_guard lock(m_);
  std::erase(feeders_, f);
}

void hub::push(track t, GstBuffer* buf, GstCaps* caps) {
  bool key = t == track::video && is_keyframe(buf);
  meter_.add(t, gst_buffer_get_size(buf), key, GST_BUFFER_PTS(buf));
  if (t == track::video) last_video_ms_ = steady_ms();
  std::lock_guard lock(m_);
  if (key) drop_cache_locked();
  if (!gop_.empty() || key) {
    if (gop_.size() < max_gop_buffers)
      gop_.push_back({t, gst_buffer_ref(buf), caps ? gst_caps_ref(caps) : nullptr, key});
  }
  for (auto& f : feeders_) f->push(t, buf, caps, key);
}

}  // namespace samling::media
