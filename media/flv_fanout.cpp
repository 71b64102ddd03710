#include "media/flv_fanout.hpp"

#include <algorithm>

#include <gst/app/gstappsrc.h>

#include "media/flv_writer.hpp"
#include "media/gst_util.hpp"

namespace samling::media {

namespace {

constexpr std::size_t max_gop_tags = 4000;  // ~10 s of 30 fps video with its audio, as the hub's
// How long one track waits for the other before its tags go out alone (a program without
// sound, or sound that stopped): the other track's late tags then still go out, in their own
// order, never dropped.
constexpr std::int64_t max_interleave_wait_ms = 500;

constexpr std::size_t flv_tag_header_size = 11;
// The longest run of audio tags a tap holds back while no video tag comes (see flv_tap::push).
constexpr std::int64_t max_batch_ms = 100;

struct flv_tag_info {
  std::uint8_t type = 0;           // 8 audio, 9 video, 18 script data
  std::int64_t timestamp_ms = 0;
  bool video_keyframe = false;     // a coded keyframe (not the AVC sequence header)
};

// Reads an FLV tag's header (and, for video, the first two bytes of its body).
bool parse_tag(GstBuffer* b, flv_tag_info& info) {
  std::uint8_t h[flv_tag_header_size + 2];
  gsize n = gst_buffer_extract(b, 0, h, sizeof h);
  if (n < flv_tag_header_size) return false;
  info.type = h[0] & 0x1f;
  info.timestamp_ms = (static_cast<std::int64_t>(h[7]) << 24) | (static_cast<std::int64_t>(h[4]) << 16) |
                      (static_cast<std::int64_t>(h[5]) << 8) | h[6];
  // Video tag body: frame type (1 = keyframe) << 4 | codec (7 = AVC), then the AVC packet
  // type (0 = sequence header, 1 = NAL units).
  info.video_keyframe = info.type == 9 && n == sizeof h && (h[11] >> 4) == 1 && h[12] == 1;
  return true;
}

// The tag with its timestamp replaced (a copy: the muxer's buffer is shared by every tap).
GstBuffer* retimed(GstBuffer* tag, std::int64_t ms) {
  gsize size = gst_buffer_get_size(tag);
  GstBuffer* out = gst_buffer_new_allocate(nullptr, size, nullptr);
  GstMapInfo m;
  if (!out || !gst_buffer_map(out, &m, GST_MAP_WRITE)) {
    if (out) gst_buffer_unref(out);
    return nullptr;
  }
  gst_buffer_extract(tag, 0, m.data, size);
  auto t = static_cast<std::uint32_t>(ms);
  m.data[4] = static_cast<std::uint8_t>(t >> 16);
  m.data[5] = static_cast<std::uint8_t>(t >> 8);
  m.data[6] = static_cast<std::uint8_t>(t);
  m.data[7] = static_cast<std::uint8_t>(t >> 24);
  gst_buffer_unmap(out, &m);
  GST_BUFFER_FLAGS(out) = GST_BUFFER_FLAGS(tag);
  return out;
}

}  // namespace

// ---- flv_tap ----

flv_tap::~flv_tap() { unbind(); }

void flv_tap::bind(GstElement* src) {
  std::lock_guard lock(m_);
  if (src_) gst_object_unref(src_);
  src_ = src ? GST_ELEMENT(gst_object_ref(src)) : nullptr;
  gst_caps_replace(&caps_, nullptr);
  drop_pending_locked();
  waiting_keyframe_ = true;
  started_ = false;
  offset_ms_ = 0;
  last_out_ms_ = 0;
  last_out_steady_ms_ = 0;
}

void flv_tap::unbind() {
  std::lock_guard lock(m_);
  drop_pending_locked();
  if (src_) gst_object_unref(src_);
  src_ = nullptr;
  gst_caps_replace(&caps_, nullptr);
}

void flv_tap::drop_pending_locked() {
  if (pending_) gst_buffer_list_unref(pending_);
  pending_ = nullptr;
  pending_bytes_ = 0;
}

void flv_tap::flush_locked() {
  if (!pending_) return;
  gst_app_src_push_buffer_list(GST_APP_SRC(src_), pending_);  // takes the list; never blocks
  pending_ = nullptr;
  pending_bytes_ = 0;
}

void flv_tap::push(GstBuffer* tag, GstCaps* caps, std::uint64_t run) {
  std::lock_guard lock(m_);
  if (!src_ || !caps) return;
  // The FLV header, onMetaData and the sequence headers are in the caps' streamheader, which
  // rtmp2sink sends first on its connection (and again after the caps change).
  if (GST_BUFFER_FLAG_IS_SET(tag, GST_BUFFER_FLAG_HEADER)) return;
  flv_tag_info info;
  if (!parse_tag(tag, info)) return;
  bool new_caps = caps != caps_ && (!caps_ || !gst_caps_is_equal(caps, caps_));
  if (!new_caps && caps != caps_) gst_caps_replace(&caps_, caps);  // equal: only a new object
  // New codec headers, or a new muxer run (its timestamps start again near 0): resume on a
  // keyframe, so the decoder on the far side starts clean.
  if (started_ && (run != run_ || (new_caps && caps_))) waiting_keyframe_ = true;
  if (waiting_keyframe_) {
    if (!info.video_keyframe) return;
    if (!started_) {
      offset_ms_ = -info.timestamp_ms;  // this destination's time starts at 0 here
    } else if (run != run_) {
      // Continue from where this destination was, plus the time that passed: never back.
      auto gap = std::max<std::int64_t>(1, steady_ms() - last_out_steady_ms_);
      offset_ms_ = last_out_ms_ + gap - info.timestamp_ms;
    }
    // Resuming after drops in the same run keeps the offset: a gap shows as a gap in time.
    started_ = true;
    run_ = run;
    waiting_keyframe_ = false;
  }
  auto out_ms = info.timestamp_ms + offset_ms_;
  // Audio muxed just before the keyframe it followed; a destination's time never steps back.
  if (out_ms < last_out_ms_) return;
  // A destination that cannot keep up: drop instead of growing, then resume on a keyframe.
  if (gst_app_src_get_current_level_bytes(GST_APP_SRC(src_)) + pending_bytes_ > max_queue_bytes_) {
    ++dropped_;
    waiting_keyframe_ = true;
    drop_pending_locked();
    return;
  }
  if (new_caps) {
    flush_locked();  // the tags before belong to the old caps
    gst_app_src_set_caps(GST_APP_SRC(src_), caps);
    gst_caps_replace(&caps_, caps);
  }
  GstBuffer* out = out_ms == info.timestamp_ms ? gst_buffer_ref(tag) : retimed(tag, out_ms);
  if (!out) return;
  GST_BUFFER_PTS(out) = GST_BUFFER_DTS(out) = static_cast<GstClockTime>(out_ms) * GST_MSECOND;
  last_out_ms_ = out_ms;
  last_out_steady_ms_ = steady_ms();
  auto size = gst_buffer_get_size(out);
  pushed_bytes_ += size;
  last_push_ms_ = last_out_steady_ms_;
  // Tags go to the appsrc in batches: each video frame takes the audio tags muxed before it
  // along, so the destination's streaming thread wakes once per frame instead of once per tag
  // (about 30 instead of 75 times a second). Audio without video goes every 100 ms of its time.
  if (!pending_) {
    pending_ = gst_buffer_list_new_sized(4);
    pending_first_ms_ = out_ms;
  }
  gst_buffer_list_add(pending_, out);  // takes `out`
  pending_bytes_ += size;
  if (info.type != 8 || out_ms - pending_first_ms_ >= max_batch_ms) flush_locked();
}

// ---- flv_fanout ----

namespace {

// A GstBuffer that owns `data` (no copy).
GstBuffer* wrap(flv::bytes data) {
  auto* owned = new flv::bytes(std::move(data));
  return gst_buffer_new_wrapped_full(GST_MEMORY_FLAG_READONLY, owned->data(), owned->size(), 0, owned->size(), owned,
                                     [](gpointer p) { delete static_cast<flv::bytes*>(p); });
}

std::int64_t to_ms(GstClockTime t) { return static_cast<std::int64_t>(t / GST_MSECOND); }

}  // namespace

struct flv_fanout::shared_state : program_sink {
  std::mutex m;
  std::vector<std::shared_ptr<flv_tap>> taps;
  std::vector<GstBuffer*> gop;  // the tags since the latest video keyframe, for a joining tap
  GstCaps* caps = nullptr;      // video/x-flv with the streamheader (file header, metadata, sequence headers)
  std::uint64_t run = 0;        // the current packaging run; a tap restarts its timeline on a new one

  // The program's buffers on their way to becoming tags, in decode order across both tracks.
  struct pending {
    GstBuffer* buf;
    std::int64_t pts_ms;
    bool keyframe;
  };
  flv::interleaver<pending> order{max_interleave_wait_ms};
  flv::bytes sps, pps, avc_config;  // the parameter sets of the current sequence header
  flv::bytes asc;                   // the AudioSpecificConfig of the current sequence header
  GstCaps* last_audio_caps = nullptr;
  bool caps_dirty = true;
  std::atomic<std::uint64_t> refused{0};

  ~shared_state() override {
    std::lock_guard lock(m);
    restart_locked();
  }

  // Forgets everything of the program (nothing is attached to it any more).
  void restart_locked() {
    order.drain([](int, std::int64_t, pending p) { gst_buffer_unref(p.buf); });
    for (auto* b : gop) gst_buffer_unref(b);
    gop.clear();
    gst_caps_replace(&caps, nullptr);
    gst_caps_replace(&last_audio_caps, nullptr);
    sps.clear();
    pps.clear();
    avc_config.clear();
    asc.clear();
    caps_dirty = true;
    ++run;
  }

  void push(track t, GstBuffer* buf, GstCaps* buf_caps, bool keyframe) override {
    GstClockTime pts = GST_BUFFER_PTS(buf);
    GstClockTime dts = GST_BUFFER_DTS_IS_VALID(buf) ? GST_BUFFER_DTS(buf) : pts;
    if (!GST_CLOCK_TIME_IS_VALID(dts)) return;
    if (!GST_CLOCK_TIME_IS_VALID(pts)) pts = dts;
    std::lock_guard lock(m);
    if (t == track::audio) note_audio_config(buf_caps);
    int i = t == track::video ? 0 : 1;
    pending p{gst_buffer_ref(buf), to_ms(pts), t == track::video && keyframe};
    if (!order.push(i, to_ms(dts), p)) {
      gst_buffer_unref(p.buf);
      ++refused;
      return;
    }
    order.pop_ready([this](int from, std::int64_t dts_ms, pending q) {
      if (from == 0) emit_video(q, dts_ms);
      else emit_audio(q, dts_ms);
      gst_buffer_unref(q.buf);
    });
  }

  void note_audio_config(GstCaps* c) {
    if (!c || c == last_audio_caps) return;
    gst_caps_replace(&last_audio_caps, c);
    const GValue* v = gst_structure_get_value(gst_caps_get_structure(c, 0), "codec_data");
    GstBuffer* cd = v && GST_VALUE_HOLDS_BUFFER(v) ? gst_value_get_buffer(v) : nullptr;
    flv::bytes config(cd ? gst_buffer_get_size(cd) : 0);
    if (cd) gst_buffer_extract(cd, 0, config.data(), config.size());
    if (config != asc) {
      asc = std::move(config);
      caps_dirty = true;
    }
  }

  void emit_video(const pending& p, std::int64_t dts_ms) {
    GstMapInfo mi;
    if (!gst_buffer_map(p.buf, &mi, GST_MAP_READ)) return;
    auto frame = flv::avc_frame_body({mi.data, mi.size}, p.keyframe, static_cast<std::int32_t>(p.pts_ms - dts_ms));
    gst_buffer_unmap(p.buf, &mi);
    if (p.keyframe && !frame.sps.empty() && !frame.pps.empty() && (frame.sps != sps || frame.pps != pps)) {
      auto config = flv::avc_decoder_config(frame.sps, frame.pps);
      if (!config.empty()) {
        sps = std::move(frame.sps);
        pps = std::move(frame.pps);
        avc_config = std::move(config);
        caps_dirty = true;
      }
    }
    // Nothing is decodable before the first parameter sets; an access unit of only parameter
    // sets carries no picture.
    if (avc_config.empty() || frame.body.size() <= 5) return;
    deliver(flv::tag(flv::tag_video, dts_ms, frame.body), dts_ms, !p.keyframe);
  }

  void emit_audio(const pending& p, std::int64_t dts_ms) {
    if (asc.empty()) return;  // raw AAC without its AudioSpecificConfig cannot be decoded
    GstMapInfo mi;
    if (!gst_buffer_map(p.buf, &mi, GST_MAP_READ)) return;
    auto body = flv::aac_frame_body({mi.data, mi.size});
    gst_buffer_unmap(p.buf, &mi);
    deliver(flv::tag(flv::tag_audio, dts_ms, body), dts_ms, false);
  }

  void rebuild_caps() {
    GstCaps* c = gst_caps_new_empty_simple("video/x-flv");
    GValue headers = G_VALUE_INIT;
    g_value_init(&headers, GST_TYPE_ARRAY);
    auto add = [&headers](flv::bytes data) {
      GstBuffer* b = wrap(std::move(data));
      GST_BUFFER_FLAG_SET(b, GST_BUFFER_FLAG_HEADER);
      GValue v = G_VALUE_INIT;
      g_value_init(&v, GST_TYPE_BUFFER);
      gst_value_take_buffer(&v, b);
      gst_value_array_append_and_take_value(&headers, &v);
    };
    add(flv::file_header());
    add(flv::metadata_tag(0, 0, !asc.empty()));
    if (!avc_config.empty()) add(flv::tag(flv::tag_video, 0, flv::avc_sequence_body(avc_config)));
    if (!asc.empty()) add(flv::tag(flv::tag_audio, 0, flv::aac_sequence_body(asc)));
    gst_structure_take_value(gst_caps_get_structure(c, 0), "streamheader", &headers);
    gst_caps_replace(&caps, c);
    gst_caps_unref(c);
    caps_dirty = false;
  }

  void deliver(flv::bytes data, std::int64_t ms, bool delta) {
    if (caps_dirty) rebuild_caps();
    GstBuffer* tag = wrap(std::move(data));
    GST_BUFFER_PTS(tag) = GST_BUFFER_DTS(tag) = static_cast<GstClockTime>(ms) * GST_MSECOND;
    if (delta) GST_BUFFER_FLAG_SET(tag, GST_BUFFER_FLAG_DELTA_UNIT);
    flv_tag_info info;
    if (parse_tag(tag, info) && info.video_keyframe) {
      for (auto* b : gop) gst_buffer_unref(b);
      gop.clear();
      gop.push_back(gst_buffer_ref(tag));
    } else if (!gop.empty() && gop.size() < max_gop_tags) {
      gop.push_back(gst_buffer_ref(tag));
    }
    for (auto& t : taps) t->push(tag, caps, run);
    gst_buffer_unref(tag);
  }
};

std::string flv_destination_description(const std::string& location) {
  // The appsrc pushes from its own thread; rtmp2sink waits there while its connection has
  // more than 3 messages queued, so a slow destination fills only its own appsrc (bounded by
  // its tap). sync=false: the tags are sent as they come, the program is live already.
  // chunk-size: rtmp2sink's default (128 bytes, RTMP's initial size) cuts a 10 KB frame into
  // 80 chunks, each a GstBuffer appended to the next (and merged past 16 memories); 4096 is
  // what OBS announces to every platform.
  return "appsrc name=src format=time is-live=true do-timestamp=false block=false max-bytes=0 "
         "! rtmp2sink name=sink sync=false async=false async-connect=true timeout=5 chunk-size=4096 location=" +
         launch_quote(location);
}

flv_fanout::flv_fanout(hub& program, std::string stage_id)
    : program_(program), stage_id_(std::move(stage_id)), state_(std::make_shared<shared_state>()) {}

flv_fanout::~flv_fanout() {
  if (attached_) program_.remove(state_);
}

void flv_fanout::add(std::shared_ptr<flv_tap> tap) {
  {
    std::lock_guard lock(state_->m);
    if (!attached_) state_->restart_locked();  // a new run: the taps' timelines follow on
    for (auto* b : state_->gop) tap->push(b, state_->caps, state_->run);
    state_->taps.push_back(std::move(tap));
  }
  if (!attached_) {
    attached_ = true;
    program_.add(state_);  // replays the program since its latest keyframe, then follows it
  }
}

void flv_fanout::remove(const std::shared_ptr<flv_tap>& tap) {
  bool empty;
  {
    std::lock_guard lock(state_->m);
    std::erase(state_->taps, tap);
    empty = state_->taps.empty();
  }
  if (empty && attached_) {
    program_.remove(state_);
    attached_ = false;
    std::lock_guard lock(state_->m);
    state_->restart_locked();
  }
}

std::uint64_t flv_fanout::refused() const { return state_->refused.load(); }

}  // namespace samling::media
