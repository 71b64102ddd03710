#pragma once
#include <atomic>
#include <chrono>
// What every consumer of a stage's program (HLS, recording, the relays' FLV muxer) shares: its own
// pipeline fed by a feeder from the hub, built and torn down on the media control thread, with
// bus messages posted back there. A consumer's failure stays inside it.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "media/gst_util.hpp"
#include "media/hub.hpp"

namespace samling::media {

using control_executor = boost::asio::thread_pool::executor_type;

// Posts `p`'s bus messages to `handler` on the control thread while `*generation` still has
// the value it has now: bump it to retire the pipeline's messages (those already queued too).
void post_bus(pipeline& p, control_executor control, std::shared_ptr<std::atomic<std::uint64_t>> generation,
              std::function<void(const bus_event&)> handler);

// Stops and frees a pipeline on a thread of its own (not the caller's). A splitmuxsink in it
// (add_ts_fragments) is flushed first: stopped while busy, it could otherwise wedge the stop.
void retire(std::unique_ptr<pipeline> p);
// Waits (up to `limit`) until every retired pipeline is gone. The engine calls it before its
// control thread goes away: a pipeline being torn down may still emit bus messages.
bool drain_retired(std::chrono::milliseconds limit);

// One pipeline fed by a source that joins a distributor while the pipeline runs: a consumer's
// pipeline with its hub feeder, a relay destination's with its tap on the stage's FLV fan-out.
// Control thread only.
template <typename Source, typename Distributor>
class fed_pipeline {
 public:
  fed_pipeline(control_executor control, Distributor& distributor) : control_(control), distributor_(distributor) {}
  ~fed_pipeline() { close(); }
  fed_pipeline(const fed_pipeline&) = delete;
  fed_pipeline& operator=(const fed_pipeline&) = delete;

  // Closes the current pipeline, builds `description`, lets `bind` connect `source` to it (and
  // add what the description cannot express), plays it and joins the distributor. `on_bus`
  // runs on the control thread while this pipeline is the current one (messages of a closed
  // pipeline are dropped). Throws on build errors; the name may be logged, the description
  // not (a relay's holds its stream key).
  void open(const std::string& name, const std::string& description, std::function<void(const bus_event&)> on_bus,
            std::shared_ptr<Source> source, const std::function<void(pipeline&, Source&)>& bind) {
    close();
    auto p = std::make_unique<pipeline>(name, description);
    ++*generation_;
    post_bus(*p, control_, generation_, std::move(on_bus));
    bind(*p, *source);
    if (!p->play()) throw std::runtime_error("pipeline " + name + " did not start");
    pipeline_ = std::move(p);
    source_ = source;
    distributor_.add(std::move(source));
  }
  // Leaves the distributor and retires the pipeline (stopped on the reaper thread).
  void close() {
    ++*generation_;  // drop messages still queued for the old pipeline
    if (source_) {
      distributor_.remove(source_);
      source_->unbind();
      source_.reset();
    }
    retire(std::move(pipeline_));
  }
  bool is_open() const { return pipeline_ != nullptr; }
  pipeline* get() const { return pipeline_.get(); }
  const std::shared_ptr<Source>& source() const { return source_; }

 private:
  control_executor control_;
  Distributor& distributor_;
  std::unique_ptr<pipeline> pipeline_;
  std::shared_ptr<Source> source_;
  // Read on GStreamer's threads: a message of a retired pipeline is never posted to control.
  std::shared_ptr<std::atomic<std::uint64_t>> generation_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

class consumer_pipeline {
 public:
  consumer_pipeline(control_executor control, hub& program) : fed_(control, program) {}

  // Builds `description` (which must contain appsrcs named "v" and "a"), binds them to a new
  // feeder, plays, and joins the hub. `on_bus` runs on the control thread while this pipeline
  // is the current one (messages of a closed pipeline are dropped). Throws on build errors.
  // `prepare` (optional) adds elements the description cannot express before it plays.
  void open(const std::string& name, const std::string& description, std::function<void(const bus_event&)> on_bus,
            std::function<void(pipeline&)> prepare = {}, std::uint64_t max_queue_bytes = 16 * 1024 * 1024);
  // Leaves the hub and stops the pipeline (on the reaper thread).
  void close() { fed_.close(); }
  bool is_open() const { return fed_.is_open(); }
  pipeline* get() const { return fed_.get(); }
  const std::shared_ptr<feeder>& feed() const { return fed_.source(); }

 private:
  fed_pipeline<feeder, hub> fed_;
};

// The appsrc pair every consumer description starts from: H.264 on "v", AAC on "a", both live
// and never blocking (the feeder bounds their queues).
std::string consumer_sources();

// MPEG-TS files cut at keyframes, for HLS segments and recordings: the description part to
// append to consumer_sources(), and the splitmuxsink (with an mpegtsmux) that `prepare` adds.
// Fragments are announced on the bus as "splitmuxsink-fragment-opened"/"-closed" element
// messages with "location" and "running-time" (ns on the consumer's own timeline).
std::string ts_fragment_branches();
struct ts_fragment_options {
  std::string location;                    // printf pattern with one %u / %05u (the index)
  GstClockTime max_size_time = 0;          // 0 = split only when asked (split_after)
  unsigned start_index = 0;
  // Called on a streaming thread to name fragment `index` (optional; overrides location).
  std::function<std::string(unsigned index)> name_fragment;
  // 0: the file sink's default (64 KiB writes). Larger: a fragment smaller than this is
  // written in one write(2) when it closes, which leaves it in the page cache in large folios
  // (HLS segments: sendfile then moves a few large page fragments per packet instead of many
  // 4 KiB pages). Not for recordings: whatever is buffered is lost if the process is killed.
  unsigned write_buffer_bytes = 0;
};
void add_ts_fragments(pipeline& p, const ts_fragment_options& opts);
// Asks the splitmuxsink added by add_ts_fragments to start a new file at the next keyframe.
void split_after(pipeline& p);
// A fragment message's location and running time; false if `ev` is none.
bool fragment_message(const bus_event& ev, bool& opened, std::string& location, GstClockTime& running_time);

}  // namespace samling::media
