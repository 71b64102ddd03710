#pragma once
// One relay destination (YouTube, Twitch, a custom RTMP(S) server): its own pipeline
// (appsrc → rtmp2sink) fed with FLV tags by the stage's shared muxer (flv_fanout), its own
// reconnects. States:
//   idle → connecting → live; on failure → retrying (capped exponential backoff with jitter)
//   → connecting …; a destination that rejects the stream key → failed (no more retries);
//   stopped by an organizer → stopped.
// A watchdog reads rtmp2sink's byte counters every second: no bytes for `hung_after` while the
// program flows = a hung connection, torn down and retried.
// A destination that closes the connection before accepting the stream `closes_before_reject`
// times in a row, and had not been live since it was started, refuses the key too (what
// nginx-rtmp's `deny publish` and several platforms do instead of an error reply).
// While a destination cannot be reached at all (refused, unresolved, timeout) a cheap TCP probe
// checks it every `probe_interval` between the backoff's attempts, and the moment it accepts a
// full attempt starts: a platform that comes back is fed again within about a second, however
// far the backoff had grown.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "media/backoff.hpp"
#include "media/consumer.hpp"
#include "media/flv_fanout.hpp"
#include "media/relay_timing.hpp"
#include "media/stage_spec.hpp"
#include "media/status.hpp"

namespace samling::media {

// Classifies an rtmp2sink error: "refused", "timeout", "unresolved", "tls_untrusted",
// "key_rejected", "closed" or "error". The message decides; the debug text (which quotes the
// pipeline's name, chosen by the organizer) only when the message alone says nothing.
std::string classify_rtmp_error(const std::string& message, const std::string& debug);

// The host and TCP port an rtmp:// or rtmps:// URL connects to (default ports 1935 and 443;
// "[::1]:1935" style IPv6 literals), or nothing for another scheme or a malformed URL.
struct host_port {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const host_port&) const = default;
};
std::optional<host_port> rtmp_endpoint(const std::string& url);

// Makes rtmps:// destinations trust the certificates in `ca_file` (PEM) as well as the
// system's: GIO's default TLS database is replaced by one read from `trust_file`, which this
// writes as the system bundle followed by `ca_file`. rtmp2sink has no per-destination
// database, so it applies to every destination of every stage. Call once at start, before a
// relay connects. Returns what went wrong, or nothing.
std::optional<std::string> install_relay_ca(const std::string& ca_file, const std::string& trust_file);

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
  void start_probing();
  void stop_probing();
  void probe();
  void probe_done(std::uint64_t generation, bool accepted);

  control_executor control_;
  output_spec spec_;
  relay_timing timing_;
  std::function<void()> changed_;
  fed_pipeline<flv_tap, flv_fanout> pipe_;  // appsrc ! rtmp2sink, its tap on the stage's fan-out
  boost::asio::steady_timer watchdog_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer probe_timer_;  // the next probe, then the running one's deadline
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket probe_socket_;
  backoff backoff_;
  output_status status_;
  flow_meter meter_;
  std::uint64_t last_out_bytes_ = 0;
  std::int64_t attempt_started_ms_ = 0;
  std::int64_t last_progress_ms_ = 0;
  std::uint64_t attempt_base_bytes_ = 0;
  bool was_live_ = false;
  bool ever_live_ = false;          // live since start(): later closes are not a rejected key
  int closes_on_publish_ = 0;       // attempts in a row closed before the stream was accepted
  std::int64_t retry_due_ms_ = 0;   // UTC ms of the backoff's next attempt
  bool probing_ = false;
  bool probe_saw_down_ = false;     // a probe failed since the last attempt
  std::uint64_t probe_generation_ = 0;  // completions of an abandoned probe are ignored
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace samling::media
