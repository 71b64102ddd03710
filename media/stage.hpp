#pragma once
// A stage (the main stage, a seminar room's stream): one input, its program in a hub, and its
// consumers: relay destinations, HLS, recording. Owned by the engine (engine.hpp, which is
// also the face the server sees: stage_control).
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

#include "media/backoff.hpp"
#include "media/engine.hpp"
#include "media/hls_output.hpp"
#include "media/flv_fanout.hpp"
#include "media/hub.hpp"
#include "media/ingest.hpp"
#include "media/recorder.hpp"
#include "media/relay.hpp"
#include "media/stage_spec.hpp"
#include "media/status.hpp"

namespace samling::media {

class stage final : public stage_control {
 public:
  // `destinations` (may be null) keeps the organizer's changes to the destinations.
  stage(control_executor control, stage_spec spec, const engine_options& opts, destination_store* destinations,
        std::function<void()> changed);
  ~stage();
  void start() override;
  void stop() override;
  bool running() const override { return running_; }
  stage_status status() const override;
  const stage_spec& spec() const override { return spec_; }

  std::optional<std::string> add_output(output_spec o) override;
  std::optional<std::string> remove_output(const std::string& id) override;
  std::optional<std::string> stop_output(const std::string& id) override;
  std::optional<std::string> start_output(const std::string& id) override;
  std::optional<output_status> output(const std::string& id) const override;

  void set_schedule(std::vector<session_slot> schedule) override;
  std::vector<recording_file> recordings() const override;
  std::string dot() const override;
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
  void import_legacy_outputs(std::vector<output_spec>& saved);
  relay* find_relay(const std::string& id) const;
  void notify() { if (changed_) changed_(); }

  control_executor control_;
  stage_spec spec_;
  engine_options opts_;
  layout layout_;
  destination_store* destinations_;
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

}  // namespace samling::media
