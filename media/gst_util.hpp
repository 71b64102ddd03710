#pragma once
// Small RAII and message helpers over GStreamer's C API, shared by the media pipelines.
// Rule: GStreamer calls these callbacks on its own threads; they only copy what they need
// and post to a strand (see pipeline::on_bus).
#include <functional>
#include <memory>
#include <string>

#include <gst/gst.h>

#include "media/gst_runtime.hpp"

namespace samling::media {

struct gst_unref {
  void operator()(GstElement* e) const { if (e) gst_object_unref(e); }
  void operator()(GstCaps* c) const { if (c) gst_caps_unref(c); }
  void operator()(GstBuffer* b) const { if (b) gst_buffer_unref(b); }
  void operator()(GstSample* s) const { if (s) gst_sample_unref(s); }
  void operator()(GstStructure* s) const { if (s) gst_structure_free(s); }
};
using element_ptr = std::unique_ptr<GstElement, gst_unref>;
using caps_ptr = std::unique_ptr<GstCaps, gst_unref>;
using structure_ptr = std::shared_ptr<GstStructure>;

// One bus message, copied off GStreamer's thread.
struct bus_event {
  enum kind_t { error, warning, eos, element, state_changed, other } kind = other;
  std::string source;     // the element's path, e.g. "/GstPipeline:relay-o1/GstRtmp2Sink:sink"
  std::string source_name;  // the element's own name, e.g. "sink"
  std::string message;    // error/warning text
  std::string debug;      // error/warning debug detail
  std::string structure;  // element messages: the structure's name
  structure_ptr fields;   // element messages: a copy of the structure
  GstState new_state = GST_STATE_VOID_PENDING;  // state_changed of the pipeline itself
  bool from_pipeline = false;
};

// A pipeline: created from a gst-launch description, stopped and released in the destructor.
// State changes must not run on a GStreamer streaming thread (they would deadlock); the media
// module makes them on its control thread.
class pipeline {
 public:
  // Throws std::runtime_error with GStreamer's parse error.
  pipeline(const std::string& name, const std::string& description);
  ~pipeline();
  pipeline(const pipeline&) = delete;
  pipeline& operator=(const pipeline&) = delete;

  GstElement* get() const { return pipeline_; }
  // A named element inside (a new reference, released by element_ptr); nullptr if absent.
  element_ptr by_name(const char* name) const;
  // `handler` runs on GStreamer's thread for every bus message: it must only copy and post.
  void on_bus(std::function<void(bus_event)> handler);
  bool play();   // false if the state change failed at once
  void stop();   // to NULL, synchronously
  // The pipeline graph in Graphviz dot (for debugging; GST_DEBUG_BIN_TO_DOT_DATA).
  std::string dot() const;
  const std::string& name() const { return name_; }

 private:
  static GstBusSyncReply sync_handler(GstBus*, GstMessage*, gpointer self);
  std::string name_;
  GstElement* pipeline_ = nullptr;
  std::function<void(bus_event)> handler_;
};

// The element's path in its bin hierarchy ("/GstPipeline:p/GstQueue:q").
std::string object_path(GstObject* o);

// Quotes a value for a gst-launch description ("…" with \" and \\ escaped).
std::string launch_quote(const std::string& s);

// A copy of an appsink sample's buffer (sharing its memory) with PTS and DTS as running times
// (the caller owns it), or nullptr when the sample has no buffer.
GstBuffer* running_time_copy(GstSample* s);

// route_gstreamer_logs (defined in gst_util.cpp) is declared in gst_runtime.hpp, without GStreamer.

}  // namespace samling::media
