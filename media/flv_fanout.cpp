#include "media/flv_fanout.hpp"

#include <algorithm>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "core/log.hpp"

namespace samling::media {

namespace {

constexpr std::size_t max_gop_tags = 4000;  // ~10 s of 30 fps video with its audio, as the hub's
// The muxer's input queue, as a destination's was before the muxer was shared: 8 MiB holds
// ~25 s at 2.5 Mbit/s; the muxer only falls that far behind when the machine is starved.
constexpr std::uint64_t muxer_queue_bytes = 8 * 1024 * 1024;
// A muxer that failed (it should not: its input is the program, already parsed once) is
// rebuilt after this pause; the destinations stay connected meanwhile.
constexpr std::chrono::milliseconds muxer_restart_delay{1000};

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

struct flv_fanout::shared_state {
  std::mutex m;
  std::vector<std::shared_ptr<flv_tap>> taps;
  std::vector<GstBuffer*> gop;  // the tags since the latest video keyframe, for a joining tap
  GstCaps* caps = nullptr;      // the muxer's caps (with the streamheader)
  std::uint64_t run = 0;        // the current muxer pipeline; tags of an older one are dropped

  ~shared_state() {
    clear_locked();
  }
  void clear_locked() {
    for (auto* b : gop) gst_buffer_unref(b);
    gop.clear();
    gst_caps_replace(&caps, nullptr);
  }
  void on_tag(GstBuffer* tag, GstCaps* tag_caps, std::uint64_t tag_run) {
    std::lock_guard lock(m);
    if (tag_run != run) return;
    if (tag_caps != caps) gst_caps_replace(&caps, tag_caps);
    if (!GST_BUFFER_FLAG_IS_SET(tag, GST_BUFFER_FLAG_HEADER)) {
      flv_tag_info info;
      if (parse_tag(tag, info) && info.video_keyframe) {
        for (auto* b : gop) gst_buffer_unref(b);
        gop.clear();
        gop.push_back(gst_buffer_ref(tag));
      } else if (!gop.empty() && gop.size() < max_gop_tags) {
        gop.push_back(gst_buffer_ref(tag));
      }
    }
    for (auto& t : taps) t->push(tag, caps, run);
  }
};

namespace {

struct sink_context {
  std::shared_ptr<flv_fanout::shared_state> state;
  std::uint64_t run;
};

GstFlowReturn on_new_sample(GstAppSink* sink, gpointer data) {
  auto* ctx = static_cast<sink_context*>(data);
  GstSample* sample = gst_app_sink_pull_sample(sink);
  if (!sample) return GST_FLOW_EOS;
  if (GstBuffer* b = gst_sample_get_buffer(sample)) ctx->state->on_tag(b, gst_sample_get_caps(sample), ctx->run);
  gst_sample_unref(sample);
  return GST_FLOW_OK;
}

}  // namespace

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

flv_fanout::flv_fanout(control_executor control, hub& program, std::string stage_id)
    : control_(control),
      stage_id_(std::move(stage_id)),
      muxer_(control, program),
      restart_timer_(control),
      state_(std::make_shared<shared_state>()) {}

flv_fanout::~flv_fanout() {
  *alive_ = false;
  restart_timer_.cancel();
  close_muxer();
}

void flv_fanout::add(std::shared_ptr<flv_tap> tap) {
  {
    std::lock_guard lock(state_->m);
    for (auto* b : state_->gop) tap->push(b, state_->caps, state_->run);
    state_->taps.push_back(std::move(tap));
  }
  if (!muxer_.is_open()) open_muxer();
}

void flv_fanout::remove(const std::shared_ptr<flv_tap>& tap) {
  bool empty;
  {
    std::lock_guard lock(state_->m);
    std::erase(state_->taps, tap);
    empty = state_->taps.empty();
  }
  if (empty) {
    restart_timer_.cancel();
    close_muxer();
  }
}

void flv_fanout::open_muxer() {
  std::uint64_t run;
  {
    std::lock_guard lock(state_->m);
    state_->clear_locked();
    run = ++state_->run;
  }
  auto state = state_;
  auto prepare = [state, run](pipeline& p) {
    auto sink = p.by_name("out");
    GstAppSinkCallbacks callbacks{};
    callbacks.new_sample = on_new_sample;
    gst_app_sink_set_callbacks(GST_APP_SINK(sink.get()), &callbacks, new sink_context{state, run},
                               [](gpointer d) { delete static_cast<sink_context*>(d); });
  };
  // streamable=true: no seeking back to fix up the header, and the header with onMetaData and
  // the sequence headers go into the caps as streamheader, which each rtmp2sink sends first.
  // latency: how long the muxer waits for the other track before writing what it has; the
  // program's audio and video arrive together, 500 ms covers a source's interleaving.
  std::string description =
      consumer_sources() +
      "vparse. ! video/x-h264,stream-format=avc,alignment=au ! flvmux name=mux streamable=true latency=500000000 "
      "! appsink name=out sync=false async=false emit-signals=false "
      "aparse. ! audio/mpeg,stream-format=raw ! mux.";
  try {
    muxer_.open("relay-flvmux", description, [this](const bus_event& ev) { on_bus(ev); }, prepare, muxer_queue_bytes);
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "relay_mux_error", {{"stage", stage_id_}, {"error", e.what()}});
  }
}

void flv_fanout::close_muxer() {
  muxer_.close();
  std::lock_guard lock(state_->m);
  state_->clear_locked();
  ++state_->run;  // tags still on their way from the closed muxer are dropped
}

void flv_fanout::on_bus(const bus_event& ev) {
  if (ev.kind != bus_event::error && ev.kind != bus_event::eos) return;
  core::log(core::log_level::warn, "relay_mux_error",
            {{"stage", stage_id_}, {"element", ev.source}, {"error", ev.kind == bus_event::eos ? "end of stream" : ev.message}});
  close_muxer();
  restart_timer_.expires_after(muxer_restart_delay);
  auto alive = alive_;
  restart_timer_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || !*alive || muxer_.is_open()) return;
    bool any;
    {
      std::lock_guard lock(state_->m);
      any = !state_->taps.empty();
    }
    if (any) open_muxer();
  });
}

std::string flv_fanout::dot() const { return muxer_.is_open() ? muxer_.get()->dot() : std::string(); }

}  // namespace samling::media
