#include "media/consumer.hpp"

#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

namespace samling::media {

// Each appsrc pushes from its own streaming thread out of its own queue (the feeder bounds it),
// so no queue element follows it: one thread and one hand-over fewer per buffer, which is most
// of a relay's cost per destination (docs/benchmarks.md, relay).
std::string consumer_sources() {
  return "appsrc name=v format=time is-live=true do-timestamp=false block=false max-bytes=0 ! h264parse name=vparse "
         "appsrc name=a format=time is-live=true do-timestamp=false block=false max-bytes=0 ! aacparse name=aparse ";
}

std::string ts_fragment_branches() {
  return "vparse. ! video/x-h264,stream-format=byte-stream,alignment=au ! queue name=vq "
         "aparse. ! audio/mpeg,stream-format=raw ! queue name=aq ";
}

void add_ts_fragments(pipeline& p, const ts_fragment_options& opts) {
  GstElement* split = gst_element_factory_make("splitmuxsink", "split");
  GstElement* mux = gst_element_factory_make("mpegtsmux", nullptr);
  if (!split || !mux) throw std::runtime_error("splitmuxsink or mpegtsmux missing");
  g_object_set(split, "muxer", mux, "location", opts.location.c_str(), "max-size-time", opts.max_size_time,
               "send-keyframe-requests", FALSE, "start-index", opts.start_index, nullptr);
  if (opts.write_buffer_bytes) {
    GstElement* sink = gst_element_factory_make("filesink", nullptr);
    if (!sink) throw std::runtime_error("filesink missing");
    g_object_set(sink, "buffer-size", opts.write_buffer_bytes, nullptr);
    g_object_set(split, "sink", sink, nullptr);
  }
  if (opts.name_fragment) {
    auto* fn = new std::function<std::string(unsigned)>(opts.name_fragment);
    g_signal_connect_data(split, "format-location",
                          G_CALLBACK(+[](GstElement*, guint index, gpointer d) -> gchar* {
                            auto name = (*static_cast<std::function<std::string(unsigned)>*>(d))(index);
                            return g_strdup(name.c_str());
                          }),
                          fn, [](gpointer d, GClosure*) { delete static_cast<std::function<std::string(unsigned)>*>(d); },
                          GConnectFlags{});
  }
  gst_bin_add(GST_BIN(p.get()), split);
  auto link = [&](const char* from, const char* pad_template) {
    auto q = p.by_name(from);
    GstPad* src = gst_element_get_static_pad(q.get(), "src");
    GstPad* sink = gst_element_request_pad_simple(split, pad_template);
    bool ok = sink && gst_pad_link(src, sink) == GST_PAD_LINK_OK;
    gst_object_unref(src);
    if (sink) gst_object_unref(sink);
    if (!ok) throw std::runtime_error(std::string("cannot link ") + from + " to splitmuxsink");
  };
  link("vq", "video");
  link("aq", "audio_%u");
}

void split_after(pipeline& p) {
  if (auto split = p.by_name("split")) g_signal_emit_by_name(split.get(), "split-after");
}

bool fragment_message(const bus_event& ev, bool& opened, std::string& location, GstClockTime& running_time) {
  if (ev.kind != bus_event::element || !ev.fields) return false;
  if (ev.structure == "splitmuxsink-fragment-opened") opened = true;
  else if (ev.structure == "splitmuxsink-fragment-closed") opened = false;
  else return false;
  const gchar* loc = gst_structure_get_string(ev.fields.get(), "location");
  location = loc ? loc : "";
  guint64 rt = 0;
  gst_structure_get_uint64(ev.fields.get(), "running-time", &rt);
  running_time = rt;
  return true;
}

void post_bus(pipeline& p, control_executor control, std::shared_ptr<std::atomic<std::uint64_t>> generation,
              std::function<void(const bus_event&)> on_bus) {
  auto gen = generation->load();
  auto handler = std::make_shared<std::function<void(const bus_event&)>>(std::move(on_bus));
  p.on_bus([control, generation, gen, handler](bus_event ev) {
    if (generation->load() != gen) return;  // retired: control may be shutting down
    boost::asio::post(control, [generation, gen, handler, ev = std::move(ev)] {
      if (generation->load() == gen) (*handler)(ev);
    });
  });
}

void consumer_pipeline::open(const std::string& name, const std::string& description,
                             std::function<void(const bus_event&)> on_bus, std::function<void(pipeline&)> prepare,
                             std::uint64_t max_queue_bytes) {
  fed_.open(name, description, std::move(on_bus), std::make_shared<feeder>(max_queue_bytes),
            [&prepare](pipeline& p, feeder& f) {
              auto v = p.by_name("v");
              auto a = p.by_name("a");
              f.bind(v.get(), a.get());
              if (prepare) prepare(p);
            });
}

// Stopping a pipeline waits for its streaming threads; a sink stuck on a dead connection can
// make that slow. The control thread does not wait for it: a thread of its own does, one per
// retired pipeline. Not one shared thread: a pipeline whose stop never returns (seen: a
// splitmuxsink whose streaming thread waits inside it while the stage is stopped and started
// again quickly; unblock_fragments now prevents that one) would then keep every pipeline
// retired after it, with its threads, buses, sockets and TLS sessions, for the rest of the
// process's life. A thread per pipeline costs little next to the threads the pipeline itself
// had, and a stuck one holds only its own.
namespace {
struct reaper_state {
  std::mutex mutex;
  std::condition_variable idle;
  std::size_t pending = 0;
};
reaper_state& reaper() {
  // Never destroyed: a thread still stopping a pipeline at exit must not find it gone.
  static auto* r = new reaper_state;
  return *r;
}
}  // namespace

// splitmuxsink (1.22) can lose its own stop. Stopping sets its output state to STOPPED and wakes
// the streaming threads waiting inside it, but a thread that had let go of its lock in the
// middle of a step puts its own next state back over STOPPED: the reference (video) thread
// posting async-done while it opens the first fragment (a stop in the first moments of a
// pipeline), or the end-of-fragment EOS coming back from the file sink (a stop as a segment
// closes). The audio thread then waits inside splitmuxsink's output probe for a command that
// never comes, holding the stream lock of splitmuxsink's internal queue, and the stop waits for
// that lock when it deactivates the queue: set_state(NULL) never returns (upstream fixed it in
// 1.29, "splitmuxsink: Fix some failure-to-shutdown race conditions"). A flush-start on each of
// its sink pads first marks every stream of it flushing, a state that no step overwrites and
// that every wait inside it checks, and wakes them; the stop then finds nobody inside.
namespace {
void unblock_fragments(pipeline& p) {
  auto split = p.by_name("split");
  if (!split) return;
  GstIterator* it = gst_element_iterate_sink_pads(split.get());
  GValue item = G_VALUE_INIT;
  for (bool done = false; !done;) {
    switch (gst_iterator_next(it, &item)) {
      case GST_ITERATOR_OK:
        gst_pad_send_event(GST_PAD(g_value_get_object(&item)), gst_event_new_flush_start());
        g_value_reset(&item);
        break;
      case GST_ITERATOR_RESYNC:  // a pad came or went: again from the start (flushing twice is harmless)
        gst_iterator_resync(it);
        break;
      default:
        done = true;
    }
  }
  g_value_unset(&item);
  gst_iterator_free(it);
}
}  // namespace

void retire(std::unique_ptr<pipeline> p) {
  if (!p) return;
  auto& r = reaper();
  {
    std::lock_guard lock(r.mutex);
    ++r.pending;
  }
  // The thread gets a plain pointer: if it cannot be started, its lambda is destroyed without
  // stopping the pipeline, and the stop happens here as meant (with the unblocking first).
  auto stop = [raw = p.release(), &r] {
    std::unique_ptr<pipeline> q(raw);
    unblock_fragments(*q);
    q.reset();
    std::lock_guard lock(r.mutex);
    if (--r.pending == 0) r.idle.notify_all();
  };
  try {
    std::thread(stop).detach();
  } catch (const std::system_error&) {
    stop();  // no thread to be had (the process is at its limit): stop it here rather than leak it
  }
}

bool drain_retired(std::chrono::milliseconds limit) {
  auto& r = reaper();
  std::unique_lock lock(r.mutex);
  return r.idle.wait_for(lock, limit, [&] { return r.pending == 0; });
}

}  // namespace samling::media
