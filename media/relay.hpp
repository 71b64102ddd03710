#pragma once
// One relay destination (YouTube, Twitch, a custom RTMP(S) server): its own pipeline
// (appsrc → rtmp2sink) fed with FLV tags by the stage's shared muxer (flv_fanout), its own
// reconnects. States:
//   idle → connecting → live; on failure → retrying (capped exponential backoff with jitter)
//   → connecting …; a destination that rejects the stream key → failed (no more retries);
//   stopped by an organizer → stopped.
// A watchdog reads rtmp2sink's byte counters every second: no bytes for `hung_after` while the
// program flows = a hung connection, torn down and retried.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "media/backoff.hpp"
#include "media/consumer.hpp"
#include "media/flv_fanout.hpp"
#include "media/stage_spec.hpp"
#include "media/status.hpp"

namespace samling::media {

struct relay_timing {
  std::chrono::milliseconds connect_timeout{10000};  // from start to media flowing
  std::chrono::milliseconds hung_after{5000};        // no bytes leaving while we feed
  std::chrono::milliseconds healthy_after{10000};    // live this long resets the backoff
  backoff_policy backoff{};
};

// Classifies an rtmp2sink error: "refused", "timeout", "key_rejected", "closed" or "error".
std::string classify_rtmp_error(const std::string& message, const std::string& debug);

class relay {
 public:
  relay(control_executor control, flv_fanout& fanout, output_spec spec, relay_timing timing,
        std::function<void()> changed);
  ~relay();
  void start();  // also "retry now" after failed/retrying
  void stop();   // an organizer stopped it → stopped (stays so until start)
  void halt();   // the stage stopped: → idle, starts again with the stage
  void enable() { spec_.enabled = true; }
  output_status status() const;
  const output_spec& spec() const { return spec_; }
  std::string dot() const;

 private:
  void connect();
  void open_pipeline();   // throws on build errors
  void close_pipeline();
  void fail(const std::string& reason, const std::string& error);
  void on_bus(const bus_event& ev);
  void watch();
  void set_state(output_state s);
  std::string description() const;

  control_executor control_;
  output_spec spec_;
  relay_timing timing_;
  std::function<void()> changed_;
  fed_pipeline<flv_tap, flv_fanout> pipe_;  // appsrc ! rtmp2sink, its tap on the stage's fan-out
  boost::asio::steady_timer watchdog_;
  boost::asio::steady_timer retry_timer_;
  backoff backoff_;
  output_status status_;
  flow_meter meter_;
  std::uint64_t last_out_bytes_ = 0;
  std::int64_t attempt_started_ms_ = 0;
  std::int64_t last_progress_ms_ = 0;
  std::uint64_t attempt_base_bytes_ = 0;
  bool was_live_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace samling::media
