#include "media/ingest.hpp"

#include <stdexcept>

#include <boost/asio/post.hpp>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "core/log.hpp"
#include "media/srt_refusals.hpp"

namespace samling::media {

namespace asio = boost::asio;

namespace {

GstElement* make(const char* factory) {
  GstElement* e = gst_element_factory_make(factory, nullptr);
  if (!e) throw std::runtime_error(std::string("GStreamer element missing: ") + factory);
  return e;
}

GstElement* capsfilter(const std::string& caps) {
  GstElement* f = make("capsfilter");
  GstCaps* c = gst_caps_from_string(caps.c_str());
  g_object_set(f, "caps", c, nullptr);
  gst_caps_unref(c);
  return f;
}

// The source's buffer `in` with its timestamps on the stage timeline (a new buffer the
// caller owns), or nullptr to drop it (see timeline::map).
GstBuffer* map_to_stage(timeline& clock, track t, GstBuffer* in, bool keyframe) {
  if (!GST_BUFFER_PTS_IS_VALID(in)) return nullptr;
  timeline::stamps source{GST_BUFFER_PTS(in), std::nullopt};
  if (GST_BUFFER_DTS_IS_VALID(in)) source.dts = GST_BUFFER_DTS(in);
  std::optional<timeline::stamps> mapped = clock.map(t, source, keyframe);
  if (!mapped) return nullptr;
  GstBuffer* out = gst_buffer_copy(in);
  GST_BUFFER_PTS(out) = mapped->pts;
  GST_BUFFER_DTS(out) = mapped->dts.value_or(GST_CLOCK_TIME_NONE);
  return out;
}

}  // namespace

// ---- slate ----

GstBuffer* render_slate(const stage_spec& spec) {
  const auto& p = spec.produced;
  std::string title = spec.slate_title;
  if (title.empty()) {
    for (const char* l : {"sv", "en", "fi"})
      if (auto it = spec.name.find(l); it != spec.name.end() && !it->second.empty()) {
        title = it->second;
        break;
      }
  }
  std::string text = title + "\n\nVi är strax tillbaka\nWe'll be right back\nPalaamme pian";
  int font = std::max(8, static_cast<int>(p.height / 22));
  std::string desc = "videotestsrc num-buffers=1 pattern=solid-color foreground-color=0xff14213d ! " +
                     raw_video_caps(p) + " ! textoverlay text=" + launch_quote(text) +
                     " font-desc=" + launch_quote("Sans " + std::to_string(font)) +
                     " valignment=center halignment=center line-alignment=center shaded-background=false ! "
                     "videoconvert ! " + raw_video_caps(p) + " ! appsink name=out sync=false";
  pipeline slate("slate-" + spec.id, desc);
  if (!slate.play()) throw std::runtime_error("the slate pipeline did not start");
  auto sink = slate.by_name("out");
  GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 10 * GST_SECOND);
  if (!s) throw std::runtime_error("the slate was not rendered (textoverlay missing? install gstreamer1.0-x)");
  GstBuffer* b = gst_buffer_copy_deep(gst_sample_get_buffer(s));
  gst_sample_unref(s);
  return b;
}

// ---- ingest ----

ingest::ingest(asio::thread_pool::executor_type control, const stage_spec& spec, hub& out, timeline& clock,
               events ev)
    : control_(control),
      spec_(spec),
      out_(out),
      clock_(clock),
      ev_(std::move(ev)),
      produced_(spec.produced.fps, spec.input_timeout_ms) {}

ingest::~ingest() { stop(); }

void ingest::attach_appsink(GstElement* sink, track t) {
  struct ctx {
    ingest* self;
    track t;
    std::uint64_t generation;  // of the source pipeline; a retired one's samples are dropped
  };
  GstAppSinkCallbacks cb{};
  cb.new_sample = [](GstAppSink* s, gpointer p) -> GstFlowReturn {
    auto* c = static_cast<ctx*>(p);
    GstSample* sample = gst_app_sink_pull_sample(s);
    if (!sample) return GST_FLOW_EOS;
    if (c->generation == c->self->source_generation_.load()) c->self->on_source_sample(c->t, sample);
    gst_sample_unref(sample);
    return GST_FLOW_OK;
  };
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cb, new ctx{this, t, source_generation_.load()},
                             [](gpointer p) { delete static_cast<ctx*>(p); });
}

// Stops the source pipeline (synchronously: an SRT listener must release its port before the
// next one binds it). Samples and signals it still emits while stopping are ignored.
void ingest::retire_source() {
  ++source_generation_;
  source_.reset();
}

void ingest::start() {
  if (source_) return;
  alive_->store(true);
  if (spec_.mode == stage_mode::produced) {
    if (!slate_) slate_ = render_slate(spec_);
    auto enc = std::make_unique<encoder>(spec_, out_, ev_.bus);
    {
      std::lock_guard lock(raw_m_);
      encoder_ = std::move(enc);
      produced_.reset(clock_.now());
    }
    if (!encoder_->play()) throw std::runtime_error("the encoder pipeline did not start");
    start_ticker();
  }
  build_source();
}

void ingest::stop() {
  alive_->store(false);
  ticking_ = false;
  if (ticker_.joinable()) ticker_.join();
  retire_source();
  std::unique_ptr<encoder> enc;
  {
    std::lock_guard lock(raw_m_);
    enc = std::move(encoder_);
  }
  enc.reset();  // ends its stream and waits for its threads: not under the lock
  if (slate_) gst_buffer_unref(slate_);
  slate_ = nullptr;
  if (latest_video_) gst_buffer_unref(latest_video_);
  latest_video_ = nullptr;
  produced_.clear_slate();
}

void ingest::restart_source() {
  retire_source();
  clock_.restart();
  build_source();
}

void ingest::build_source() {
  const auto& in = spec_.input;
  const bool produced = spec_.mode == stage_mode::produced;
  const char* bin = produced ? "decodebin" : "parsebin";
  std::string desc;
  switch (in.kind) {
    case input_kind::srt_listener: {
      std::string uri = "srt://" + in.listen + ":" + std::to_string(in.port) + "?mode=listener";
      // poll-timeout: without it, stopping a listener whose caller vanished blocks until SRT
      // gives up on the peer (the streaming thread sits in an endless epoll wait).
      // authentication=true: only then does srtsrc ask "caller-connecting" about each caller
      // (the stream id check, and which stage a refusal belongs to); its default is not
      // dependable (GStreamer 1.22 leaves the field false whatever the property claims).
      desc = "srtsrc name=src uri=" + launch_quote(uri) +
             " keep-listening=true poll-timeout=200 authentication=true latency=" + std::to_string(in.latency_ms);
      if (!in.passphrase.empty()) desc += " passphrase=" + launch_quote(in.passphrase) + " pbkeylen=16";
      desc += std::string(" ! queue ! ") + bin + " name=pb";
      break;
    }
    case input_kind::pull:
      desc = "urisourcebin name=src uri=" + launch_quote(in.url) + " ! " + bin + " name=pb";
      break;
    case input_kind::file:
      desc = "filesrc name=src location=" + launch_quote(in.file) + " ! " + bin + " name=pb";
      break;
    case input_kind::test: {
      const auto& p = spec_.produced;
      int font = std::max(8, static_cast<int>(p.height / 14));
      desc = "videotestsrc name=src is-live=true pattern=smpte ! video/x-raw,width=" + std::to_string(p.width) +
             ",height=" + std::to_string(p.height) + ",framerate=" + std::to_string(p.fps) +
             "/1 ! clockoverlay time-format=%H:%M:%S halignment=center valignment=center font-desc=" +
             launch_quote("Sans Bold " + std::to_string(font)) + " ! videoconvert ! " + raw_video_caps(p) +
             " ! appsink name=v sync=false "
             // The tone is made at the stage's own format (48 kHz S16 stereo): no resampler, so
             // none of its "can't find exact taps" warnings (docs/streaming.md).
             "audiotestsrc is-live=true wave=sine freq=440 volume=0.1 ! " + raw_audio_caps +
             " ! appsink name=a sync=false";
      break;
    }
  }
  auto p = std::make_unique<pipeline>("source-" + spec_.id, desc);
  p->on_bus([this, gen = source_generation_.load(), bus = ev_.bus](bus_event e) {
    if (gen == source_generation_.load()) bus(std::move(e));  // not from a retired source
  });
  if (auto pb = p->by_name("pb")) {
    g_signal_connect(pb.get(), "pad-added", G_CALLBACK(&ingest::on_pad_added), this);
    if (spec_.mode == stage_mode::produced) {
      GstPad* sink = gst_element_get_static_pad(pb.get(), "sink");
      gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER,
                        [](GstPad*, GstPadProbeInfo* info, gpointer self) -> GstPadProbeReturn {
                          if (GstBuffer* b = GST_PAD_PROBE_INFO_BUFFER(info))
                            static_cast<ingest*>(self)->input_meter_.add_bytes(gst_buffer_get_size(b));
                          return GST_PAD_PROBE_OK;
                        },
                        this, nullptr);
      gst_object_unref(sink);
    }
  }
  if (in.kind == input_kind::test) {
    attach_appsink(p->by_name("v").get(), track::video);
    attach_appsink(p->by_name("a").get(), track::audio);
  }
  if (in.kind == input_kind::srt_listener) {
    auto src = p->by_name("src");
    struct hooks {
      std::function<void()> added, removed;
      std::uint64_t generation;
      const std::atomic<std::uint64_t>* current;
      std::shared_ptr<const srt_refusals::listener> refusals;  // lives as long as the element
      std::string stream_id;                                   // empty: any caller's
    };
    auto refusals = std::make_shared<srt_refusals::listener>();
    refusals->encrypted = !in.passphrase.empty();
    refusals->refused = ev_.caller_refused;
    auto* h = new hooks{ev_.caller_added, ev_.caller_removed, source_generation_.load(), &source_generation_,
                        std::move(refusals), in.stream_id};
    g_signal_connect_data(src.get(), "caller-added", G_CALLBACK(+[](GstElement*, gint, gpointer, gpointer d) {
                            auto* x = static_cast<hooks*>(d);
                            if (x->added && x->generation == x->current->load()) x->added();
                          }),
                          h, [](gpointer d, GClosure*) { delete static_cast<hooks*>(d); }, GConnectFlags{});
    g_signal_connect(src.get(), "caller-removed", G_CALLBACK(+[](GstElement*, gint, gpointer, gpointer d) {
                       auto* x = static_cast<hooks*>(d);
                       if (x->removed && x->generation == x->current->load()) x->removed();
                     }),
                     h);
    // libsrt asks here (on its receive thread) before it checks the caller's passphrase: the
    // stream id is decided here, and the passphrase refusal libsrt may log next on this thread
    // is this stage's (srt_refusals.hpp). Refused callers are counted even from a retired
    // source: it is still this stage's port they called.
    g_signal_connect(src.get(), "caller-connecting",
                     G_CALLBACK(+[](GstElement*, gpointer /* GSocketAddress */, gchar* stream_id, gpointer d) -> gboolean {
                       auto* x = static_cast<hooks*>(d);
                       std::string theirs = stream_id ? stream_id : "";
                       if (x->stream_id.empty() || theirs == x->stream_id) {
                         srt_refusals::note_handshake(x->refusals, false);
                         return TRUE;
                       }
                       // Their stream id is not repeated: it may be another stage's (a caller that
                       // dialled the wrong port), which the status masks like a key.
                       if (x->refusals->refused)
                         x->refusals->refused(srt_refusals::wrong_stream_id,
                                              theirs.empty() ? std::string("the caller sent no stream id")
                                                             : "the caller's stream id (" + std::to_string(theirs.size()) +
                                                                   " characters) is not the stage's");
                       srt_refusals::note_handshake(x->refusals, true);
                       return FALSE;
                     }),
                     h);
  }
  if (!p->play()) throw std::runtime_error("the source pipeline did not start (" + describe_input(in) + ")");
  source_ = std::move(p);
}

void ingest::on_pad_added(GstElement*, GstPad* pad, gpointer self) {
  try {
    static_cast<ingest*>(self)->link_branch(pad);
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "media_link_failed", {{"error", e.what()}});
  }
}

// Runs on a streaming thread when parsebin/decodebin exposes a stream: passthrough takes H.264
// and AAC as they are, produced mode takes raw video and audio to the encoder's format; any
// other stream (a second video, subtitles, data) ends in a fakesink.
void ingest::link_branch(GstPad* pad) {
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  std::string name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
  gst_caps_unref(caps);
  // The pad belongs to parsebin/decodebin; its parent is the source pipeline (source_ may not
  // be assigned yet: pads appear on a streaming thread while play() returns).
  GstElement* owner = gst_pad_get_parent_element(pad);
  GstObject* parent = owner ? gst_object_get_parent(GST_OBJECT(owner)) : nullptr;
  if (owner) gst_object_unref(owner);
  if (!parent) return;
  std::unique_ptr<GstObject, void (*)(gpointer)> parent_ref(parent, gst_object_unref);
  GstBin* bin = GST_BIN(parent);
  const bool produced = spec_.mode == stage_mode::produced;
  std::vector<GstElement*> chain;
  std::optional<track> t;
  if (!produced && name == "video/x-h264") {
    t = track::video;
    GstElement* parse = make("h264parse");
    g_object_set(parse, "config-interval", -1, nullptr);
    chain = {make("queue"), parse, capsfilter("video/x-h264,stream-format=byte-stream,alignment=au")};
  } else if (!produced && name == "audio/mpeg") {
    t = track::audio;
    chain = {make("queue"), make("aacparse"), capsfilter("audio/mpeg,stream-format=raw")};
  } else if (produced && name == "video/x-raw") {
    t = track::video;
    chain = {make("queue"), make("videoconvert"), make("videoscale"), make("videorate"),
             capsfilter(raw_video_caps(spec_.produced))};
  } else if (produced && name == "audio/x-raw") {
    t = track::audio;
    chain = {make("queue"), make("audioconvert"), make("audioresample"), capsfilter(raw_audio_caps)};
  }
  if (t) {
    // Only the first stream of each kind is used.
    std::string sink_name = *t == track::video ? "v" : "a";
    GstElement* existing = gst_bin_get_by_name(bin, sink_name.c_str());
    if (existing) {
      gst_object_unref(existing);
      t.reset();
      chain.clear();
    }
  }
  if (!t) {
    for (auto* e : chain) gst_object_unref(e);
    chain = {make("fakesink")};
    if (name.rfind("video/", 0) == 0 && !produced && name != "video/x-h264")
      core::log(core::log_level::warn, "media_input_not_h264",
                {{"stage", spec_.id}, {"caps", name}, {"hint", "passthrough needs H.264 + AAC; use mode = \"produced\""}});
  } else {
    GstElement* sink = make("appsink");
    gst_object_set_name(GST_OBJECT(sink), *t == track::video ? "v" : "a");
    // A file plays at its own pace (appsink syncs to the clock); live inputs pass at once.
    g_object_set(sink, "sync", spec_.input.kind == input_kind::file, "max-buffers", 0u, nullptr);
    attach_appsink(sink, *t);
    chain.push_back(sink);
  }
  for (auto* e : chain) gst_bin_add(bin, e);
  for (std::size_t i = 0; i + 1 < chain.size(); ++i)
    if (!gst_element_link(chain[i], chain[i + 1])) throw std::runtime_error("cannot link the " + name + " branch");
  GstPad* sinkpad = gst_element_get_static_pad(chain.front(), "sink");
  GstPadLinkReturn r = gst_pad_link(pad, sinkpad);
  gst_object_unref(sinkpad);
  for (auto* e : chain) gst_element_sync_state_with_parent(e);
  if (r != GST_PAD_LINK_OK) throw std::runtime_error("cannot link the input's " + name + " stream");
}

void ingest::on_source_sample(track t, GstSample* s) {
  GstBuffer* b = running_time_copy(s);
  if (!b) return;
  std::unique_ptr<GstBuffer, gst_unref> hold(b);
  bool key = t == track::video && is_keyframe(b);
  if (t == track::video) last_source_video_ms_ = steady_ms();
  if (spec_.mode == stage_mode::produced) {
    // Decoded frames: bytes were counted before the decoder (see build_source).
    input_meter_.add(t, 0, false, GST_BUFFER_PTS(b));
    std::lock_guard lock(raw_m_);
    if (t == track::video) {
      // The ticker sends the latest picture at the output's frame rate (a frame
      // synchronizer): the source's own timestamps, which restart with every caller and
      // jump around at a decoder's start, never reach the output.
      if (latest_video_) gst_buffer_unref(latest_video_);
      latest_video_ = hold.release();
      return;
    }
    push_audio_locked(hold.release(), clock_.now());
    return;
  }
  input_meter_.add(t, gst_buffer_get_size(b), key, GST_BUFFER_PTS(b));
  GstBuffer* mapped = map_to_stage(clock_, t, b, key);
  if (!mapped) return;
  out_.push(t, mapped, gst_sample_get_caps(s));
  gst_buffer_unref(mapped);
}

// The produced program's sound is one unbroken run of samples, whatever the source does
// (produced_timeline): the source's audio is laid end to end as it arrives, and when it is
// late (the feed dropped, a caller left, the decoder restarts) silence joins the run
// sample-accurately, so no switch to or from the slate ever leaves a hole or steps back in time
// (players and platforms show a hole as a glitch, and YouTube counts it against the stream's
// health). Too far ahead of the clock (a burst after a stall): the source's audio is dropped,
// not its time.
void ingest::push_samples_locked(GstBuffer* b, std::uint64_t samples) {
  b = gst_buffer_make_writable(b);
  produced_timeline::span at = produced_.append(samples);
  GST_BUFFER_PTS(b) = at.pts;
  GST_BUFFER_DTS(b) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(b) = at.duration;
  encoder_->push(track::audio, b);
}

void ingest::fill_silence_locked(GstClockTime until) {
  while (encoder_) {
    std::uint64_t samples = produced_.silence_samples(until);  // at most a second per buffer
    if (samples == 0) return;
    GstBuffer* b = gst_buffer_new_allocate(nullptr, samples * raw_audio_frame_bytes, nullptr);
    gst_buffer_memset(b, 0, 0, samples * raw_audio_frame_bytes);
    push_samples_locked(b, samples);
  }
}

void ingest::push_audio_locked(GstBuffer* b, GstClockTime now) {
  auto samples = gst_buffer_get_size(b) / raw_audio_frame_bytes;
  if (!encoder_ || samples == 0 || !produced_.accepts_audio(now)) {
    gst_buffer_unref(b);
    return;
  }
  if (produced_.audio_late(now)) fill_silence_locked(now);
  push_samples_locked(b, samples);
}

// The slate runs on a thread of its own, one tick per frame: nothing the control thread does
// (a source that takes seconds to stop, a burst of API calls) can delay it.
void ingest::start_ticker() {
  ticking_ = true;
  ticker_ = std::thread([this] {
    auto period = std::chrono::nanoseconds(1'000'000'000 / spec_.produced.fps);
    auto next = std::chrono::steady_clock::now();
    while (ticking_.load()) {
      next += period;
      std::this_thread::sleep_until(next);
      auto now = std::chrono::steady_clock::now();
      if (now - next > std::chrono::seconds(1)) next = now;  // after a stall, no catch-up burst
      // The switch is told as it happens (the stage's status follows the picture).
      if (tick() && ev_.slate_changed) ev_.slate_changed();
    }
  });
}

// One output frame: the source's latest picture while it is fresh, else the standby slate
// (and silence while no sound arrives), so the encoder and every output are fed in real time
// whatever the venue's feed does.
bool ingest::tick() {
  const auto now_ms = steady_ms();
  const GstClockTime now = clock_.now();
  std::lock_guard lock(raw_m_);
  bool slate_changed = produced_.update_slate(now_ms, last_source_video_ms_.load());
  if (!encoder_) return slate_changed;
  if (std::optional<std::uint64_t> pts = produced_.next_frame(now)) {
    GstBuffer* picture = produced_.slate_on_air() || !latest_video_ ? slate_ : latest_video_;
    GstBuffer* b = gst_buffer_copy(picture);  // shares the pixels
    GST_BUFFER_PTS(b) = *pts;
    GST_BUFFER_DTS(b) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DURATION(b) = produced_.frame_duration();
    GST_BUFFER_FLAG_UNSET(b, GST_BUFFER_FLAG_DISCONT);
    encoder_->push(track::video, b);
  }
  // The source's sound is late beyond its usual jitter: silence carries the run on to now.
  if (produced_.audio_late(now)) fill_silence_locked(now);
  return slate_changed;
}

std::string ingest::dot() const {
  std::string out;
  if (source_) out += source_->dot();
  if (encoder_) out += encoder_->dot();
  return out;
}

}  // namespace samling::media
