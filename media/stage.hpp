#pragma once
// A stage (the main stage, a seminar room's stream): one input, its program in a hub, and its
// consumers: relay destinations, HLS, recording. And the engine that owns all stages and the
// media control thread on which every stage is driven.
//
// Threads: everything in this header runs on the engine's control thread (one thread; callers
// elsewhere use core::run_blocking(engine.control(), …)). GStreamer's threads only post here,
// except the media data itself, which flows from appsink to the hub to each consumer's appsrc
// without a hop.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "core/blocking.hpp"
#include "media/backoff.hpp"
#include "media/hls_output.hpp"
#include "media/flv_fanout.hpp"
#include "media/hub.hpp"
#include "media/ingest.hpp"
#include "media/recorder.hpp"
#include "media/relay.hpp"
#include "media/stage_spec.hpp"
#include "media/status.hpp"

namespace samling::media {

struct engine_options {
  std::string dir = "var/media";  // hls/<stage>/, recordings/<stage>/, outputs/<stage>.json
  relay_timing relay;
};

class stage {
 public:
  stage(control_executor control, stage_spec spec, const engine_options& opts, std::function<void()> changed);
  ~stage();
  void start();
  void stop();
  bool running() const { return running_; }
  stage_status status() const;
  const stage_spec& spec() const { return spec_; }

  // Organizer actions. Each returns an error message for the person, or nullopt on success.
  std::optional<std::string> add_output(output_spec o);  // o.id empty = made from the name
  std::optional<std::string> remove_output(const std::string& id);
  std::optional<std::string> stop_output(const std::string& id);
  std::optional<std::string> start_output(const std::string& id);
  std::optional<output_status> output(const std::string& id) const;

  void set_schedule(std::vector<session_slot> schedule);
  std::vector<recording_file> recordings() const;
  std::string recordings_dir() const;
  std::string hls_dir() const;
  std::string dot() const;
  // An SRT caller to this stage was refused: counted, logged and shown (reason as in
  // srt_refusals.hpp).
  void caller_rejected(const std::string& reason, const std::string& detail);

 private:
  void on_ingest_bus(const bus_event& ev);
  void restart_source_later(const std::string& why);
  void watch_input();
  void renew_source(const std::string& why);
  bool input_fresh() const;  // the source delivered video within input_timeout_ms
  stage_state status_state() const;
  void follow_state();
  void save_outputs() const;
  void load_outputs();
  relay* find_relay(const std::string& id) const;
  void notify() { if (changed_) changed_(); }

  control_executor control_;
  stage_spec spec_;
  engine_options opts_;
  std::function<void()> changed_;
  hub hub_;
  flv_fanout fanout_;  // the relays' shared FLV muxer; declared before them, so outlives them
  timeline clock_;
  std::unique_ptr<ingest> ingest_;
  std::unique_ptr<hls_output> hls_;
  std::unique_ptr<recorder> recorder_;
  std::vector<std::unique_ptr<relay>> relays_;
  bool running_ = false;
  std::int64_t started_ms_ = 0;
  input_status input_;
  std::uint64_t callers_ = 0;  // SRT callers connected (as srtsrc reports them)
  backoff source_backoff_;
  boost::asio::steady_timer source_timer_;
  boost::asio::steady_timer input_timer_;
  std::int64_t last_source_restart_ms_ = 0;
  stage_state shown_state_ = stage_state::offline;  // as last told (follow_state)
  std::int64_t state_since_ms_ = 0;                  // UTC ms it became that
  std::vector<session_slot> schedule_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class engine {
 public:
  // `on_change` runs on the control thread with a fresh snapshot whenever a stage changed
  // (at once, then coalesced: at most 10 a second) and every 2 s while a stage runs (bitrates).
  engine(engine_options opts, std::vector<stage_spec> stages, std::function<void(const stage_status&)> on_change);
  ~engine();
  core::blocking_pool& control() { return control_; }

  // On the control thread:
  void start_autostart();
  stage* find(const std::string& id) const;
  std::vector<stage*> stages() const;
  void shutdown();  // stops every stage; after this the engine only answers status

  // Any thread: libsrt refused an SRT caller that no stage's listener claimed (from the log
  // hook; see srt_refusals.hpp). Counted on the only running SRT stage if there is one;
  // otherwise only logged, since which stage it was is unknown.
  void caller_rejected(const std::string& reason, const std::string& detail);

 private:
  void changed(const std::string& id);
  void tick();

  core::blocking_pool control_{1};
  engine_options opts_;
  std::function<void(const stage_status&)> on_change_;
  std::vector<std::unique_ptr<stage>> stages_;
  std::map<std::string, bool> dirty_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  bool flush_pending_ = false;
  std::int64_t last_flush_ms_ = 0;
  bool stopped_ = false;
};

}  // namespace samling::media
