#include "media/gst_util.hpp"

#include <cstring>
#include <mutex>
#include <stdexcept>

#include "core/log.hpp"
#include "media/srt_refusals.hpp"

namespace samling::media {

std::string object_path(GstObject* o) {
  if (!o) return {};
  gchar* p = gst_object_get_path_string(o);
  std::string out = p ? p : "";
  g_free(p);
  return out;
}

std::string launch_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

pipeline::pipeline(const std::string& name, const std::string& description) : name_(name) {
  GError* err = nullptr;
  GstElement* p = gst_parse_launch_full(description.c_str(), nullptr, GST_PARSE_FLAG_FATAL_ERRORS, &err);
  if (!p || err) {
    std::string msg = err ? err->message : "gst_parse_launch failed";
    if (err) g_error_free(err);
    if (p) gst_object_unref(p);
    throw std::runtime_error("cannot build pipeline " + name + ": " + msg);
  }
  if (!GST_IS_PIPELINE(p)) {  // a single element: wrap it
    GstElement* wrap = gst_pipeline_new(nullptr);
    gst_bin_add(GST_BIN(wrap), p);
    p = wrap;
  }
  gst_object_set_name(GST_OBJECT(p), name.c_str());
  pipeline_ = p;
}

pipeline::~pipeline() {
  stop();
  if (pipeline_) {
    GstBus* bus = gst_element_get_bus(pipeline_);
    gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
    gst_object_unref(bus);
    gst_object_unref(pipeline_);
  }
}

element_ptr pipeline::by_name(const char* name) const {
  return element_ptr(gst_bin_get_by_name(GST_BIN(pipeline_), name));
}

void pipeline::on_bus(std::function<void(bus_event)> handler) {
  handler_ = std::move(handler);
  GstBus* bus = gst_element_get_bus(pipeline_);
  gst_bus_set_sync_handler(bus, &pipeline::sync_handler, this, nullptr);
  gst_object_unref(bus);
}

namespace {
// A sync handler that answers GST_BUS_DROP owns the message and must unref it (GstBusSyncHandler's
// contract; GstBus only unrefs messages it queues). Without this every message stayed alive, and
// with it the element that posted it: every pipeline ever built (a failed relay attempt's, the
// relay muxer's) stayed whole, with its bus (a socketpair), its sockets and TLS sessions.
GstBusSyncReply drop(GstMessage* m) {
  gst_message_unref(m);
  return GST_BUS_DROP;
}
}  // namespace

GstBusSyncReply pipeline::sync_handler(GstBus*, GstMessage* m, gpointer self_ptr) {
  auto* self = static_cast<pipeline*>(self_ptr);
  if (!self->handler_) return drop(m);
  bus_event ev;
  ev.source = object_path(GST_MESSAGE_SRC(m));
  if (GST_MESSAGE_SRC(m)) ev.source_name = GST_OBJECT_NAME(GST_MESSAGE_SRC(m));
  ev.from_pipeline = GST_MESSAGE_SRC(m) == GST_OBJECT(self->pipeline_);
  switch (GST_MESSAGE_TYPE(m)) {
    case GST_MESSAGE_ERROR:
    case GST_MESSAGE_WARNING: {
      GError* err = nullptr;
      gchar* dbg = nullptr;
      if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
        ev.kind = bus_event::error;
        gst_message_parse_error(m, &err, &dbg);
      } else {
        ev.kind = bus_event::warning;
        gst_message_parse_warning(m, &err, &dbg);
      }
      ev.message = err ? err->message : "";
      ev.debug = dbg ? dbg : "";
      if (err) g_error_free(err);
      g_free(dbg);
      break;
    }
    case GST_MESSAGE_EOS:
      ev.kind = bus_event::eos;
      break;
    case GST_MESSAGE_ELEMENT:
      if (const GstStructure* s = gst_message_get_structure(m)) {
        ev.kind = bus_event::element;
        ev.structure = gst_structure_get_name(s);
        ev.fields = structure_ptr(gst_structure_copy(s), gst_structure_free);
      }
      break;
    case GST_MESSAGE_STATE_CHANGED:
      if (!ev.from_pipeline) return drop(m);
      ev.kind = bus_event::state_changed;
      gst_message_parse_state_changed(m, nullptr, &ev.new_state, nullptr);
      break;
    default:
      return drop(m);
  }
  self->handler_(std::move(ev));
  return drop(m);
}

bool pipeline::play() {
  return gst_element_set_state(pipeline_, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
}

void pipeline::stop() {
  if (pipeline_) gst_element_set_state(pipeline_, GST_STATE_NULL);
}

std::string pipeline::dot() const {
  gchar* d = gst_debug_bin_to_dot_data(GST_BIN(pipeline_), GST_DEBUG_GRAPH_SHOW_ALL);
  std::string out = d ? d : "";
  g_free(d);
  return out;
}

namespace {

// Refusals libsrt logged that no stage's listener claimed (see srt_refusals.hpp).
std::function<void(const std::string&, const std::string&)>* unattributed_refusal_hook = nullptr;

void log_function(GstDebugCategory* category, GstDebugLevel level, const gchar*, const gchar*, gint,
                  GObject* object, GstDebugMessage* message, gpointer) {
  const char* cat = gst_debug_category_get_name(category);
  const char* text = gst_debug_message_get(message);
  if (!text) return;
  if (std::strcmp(cat, "srtlib") == 0) {
    // libsrt reports a caller refused in the handshake (no passphrase, a wrong one) only here,
    // on the listener's side; srt_refusals finds the stage it belongs to.
    static const std::function<void(const std::string&, const std::string&)> none;
    srt_refusals::on_libsrt_log(text, unattributed_refusal_hook ? *unattributed_refusal_hook : none);
    if (level > GST_LEVEL_WARNING) return;
  }
  // srtsrc's warning for a caller its "caller-connecting" refused names the caller's stream id
  // (possibly another stage's); the stage logs that refusal itself (stage_caller_rejected).
  if (std::strcmp(cat, "srtobject") == 0 && std::strncmp(text, "Rejecting sink", 14) == 0) return;
  // audioresample converting a source's rate (e.g. 44.1 kHz from an encoder) to the stage's 48 kHz
  // S16 rounds its filter taps to integers; when no rounding makes them sum to exactly 1.0 it says
  // "can't find exact taps" as it builds the filter. The taps are used all the same (a gain error
  // of a few parts in 32768, inaudible): nothing for an operator to act on (docs/streaming.md).
  if (std::strcmp(cat, "audio-resampler") == 0 && std::strcmp(text, "can't find exact taps") == 0) return;
  if (level > GST_LEVEL_WARNING) return;
  // Never gst_object_get_path_string() here: GStreamer logs while holding object locks, and
  // taking the parents' locks from inside the log call deadlocks (seen: a pad query logging
  // while its pipeline was being stopped). The names are read without locks, as GStreamer's
  // own debug output does.
  std::string path;
  for (GstObject* o = object && GST_IS_OBJECT(object) ? GST_OBJECT(object) : nullptr; o; o = GST_OBJECT_PARENT(o)) {
    const char* name = GST_OBJECT_NAME(o);
    path = "/" + std::string(name ? name : "?") + path;
  }
  core::log(level == GST_LEVEL_ERROR ? core::log_level::error : core::log_level::warn, "gstreamer",
            {{"category", cat}, {"element", path}, {"message", text}});
}

}  // namespace

void route_gstreamer_logs(std::function<void(const std::string& reason, const std::string& detail)> on_unattributed_refusal) {
  static std::once_flag once;
  static std::function<void(const std::string&, const std::string&)> hook;
  std::call_once(once, [&] {
    hook = std::move(on_unattributed_refusal);
    unattributed_refusal_hook = &hook;
    // With GST_DEBUG set (debugging), GStreamer's own output stays on stderr as well.
    if (!g_getenv("GST_DEBUG")) gst_debug_remove_log_function(gst_debug_log_default);
    gst_debug_add_log_function(log_function, nullptr, nullptr);
    // WARNING and ERROR everywhere (unless GST_DEBUG asks for more); INFO for libsrt, whose
    // handshake rejections are only visible at that level.
    if (!g_getenv("GST_DEBUG")) gst_debug_set_default_threshold(GST_LEVEL_WARNING);
    gst_debug_set_threshold_for_name("srtlib", GST_LEVEL_INFO);
  });
}

GstBuffer* running_time_copy(GstSample* s) {
  GstBuffer* in = gst_sample_get_buffer(s);
  if (!in) return nullptr;
  const GstSegment* seg = gst_sample_get_segment(s);
  GstBuffer* out = gst_buffer_copy(in);
  if (seg && seg->format == GST_FORMAT_TIME) {
    auto convert = [seg](GstClockTime t) -> GstClockTime {
      if (!GST_CLOCK_TIME_IS_VALID(t)) return t;
      guint64 rt = 0;
      int sign = gst_segment_to_running_time_full(seg, GST_FORMAT_TIME, t, &rt);
      return sign > 0 ? rt : 0;
    };
    GST_BUFFER_PTS(out) = convert(GST_BUFFER_PTS(in));
    GST_BUFFER_DTS(out) = convert(GST_BUFFER_DTS(in));
  }
  return out;
}

}  // namespace samling::media
