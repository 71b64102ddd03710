#pragma once
// The server's configuration: one TOML file, SAMLING_* environment overrides, validated at
// start-up. Every key is listed in config_keys() and documented in docs/configuration.md.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace samling::config {

struct limits_config {
  std::uint32_t max_header_bytes = 16 * 1024;     // request line + headers; beyond: 431
  std::uint64_t max_body_bytes = 1024 * 1024;     // request body; beyond: 413
  std::uint32_t idle_timeout_seconds = 30;        // keep-alive connection with no request
  std::uint32_t request_timeout_seconds = 15;     // to receive one whole request
  std::uint32_t max_connections = 10000;          // open connections; beyond: refused
  std::uint32_t shutdown_grace_seconds = 5;       // in-flight requests at SIGTERM

  bool operator==(const limits_config&) const = default;
};

struct server_config {
  std::string listen = "127.0.0.1";   // address to bind
  std::uint32_t port = 8080;          // 0 = any free port (tests)
  std::uint32_t threads = 0;          // network threads; 0 = number of cores
  std::string web_root = "web/dist";  // the built web app
  // Other sites whose pages may open the WebSocket, comma-separated origins ("" = own only).
  std::string allowed_origins;
  // The address people open the web app at ("https://live.example.org"), for the links
  // `samling token --link` prints; "" = made from listen, port and TLS.
  std::string public_url;
  limits_config limits;

  bool operator==(const server_config&) const = default;
};

struct tls_config {
  std::string certificate;  // PEM chain; empty = plain HTTP
  std::string private_key;  // PEM key; required with certificate

  bool operator==(const tls_config&) const = default;
};

struct store_config {
  std::string driver = "sqlite";
  std::string path = "var/samling.db";

  bool operator==(const store_config&) const = default;
};

struct log_config {
  std::string level = "info";   // debug | info | warn | error
  std::string format = "text";  // text | json
  bool access_log = true;

  bool operator==(const log_config&) const = default;
};

struct demo_config {
  bool seed = true;                                         // seed an empty database
  std::string file = "config/demo/stockholm-tillsammans.json";
  // The demo series (JSON, its table in the CSV file it names); "" for none.
  std::string series_file = "config/demo/sverige-tillsammans-2016.json";

  bool operator==(const demo_config&) const = default;
};

// Signing keys and lifetime of join tokens (docs/protocol.md, Tokens).
struct auth_config {
  std::string key_id = "dev";               // id of the current signing key
  std::string secret;                       // empty = a random secret per start
  std::string previous_keys;                // "id:secret,id2:secret2", still verified
  std::uint32_t token_ttl_seconds = 43200;  // lifetime of a minted token
  bool dev_tokens = false;                  // POST /api/v1/dev/token; never in production
  // Staff sign-in (docs/api.md, Staff accounts and sign-in)
  std::uint32_t session_idle_minutes = 720;  // a session unused this long ends
  std::uint32_t session_max_hours = 168;     // a session ends this long after sign-in
  std::uint32_t sign_in_max_failures = 10;   // wrong passwords per account within 15 min before a lock
  std::uint32_t sign_in_lock_minutes = 15;   // how long the lock lasts
  std::uint32_t invitation_days = 7;         // an invitation link's lifetime

  bool operator==(const auth_config&) const = default;
};

// E-mail ([mail]): the SMTP server the outbox is sent through, and its retries. Empty
// smtp_url: nothing is sent; messages stay in the outbox for the organizers' console.
// load() resolves password_env into password.
struct mail_config {
  std::string smtp_url;                       // smtp://host:port or smtps://host:port; "" = do not send
  std::string starttls = "required";          // smtp:// only: required | optional | off
  std::string username;                       // "" = no AUTH
  std::string password;                       // a secret; prefer password_env
  std::string password_env;                   // variable holding the password
  std::string ca_file;                        // PEM CAs trusted besides the system's
  std::string from;                           // sender address; required with smtp_url
  std::string from_name = "Samling";          // sender display name
  std::uint32_t max_attempts = 10;            // then failed
  std::uint32_t backoff_initial_seconds = 30; // first retry delay; doubles per failure
  std::uint32_t backoff_max_seconds = 3600;   // longest retry delay
  std::uint32_t timeout_seconds = 30;         // connect, and one message's whole exchange

  bool operator==(const mail_config&) const = default;
};

// Chat rooms: history, resume and per-user limits.
struct rooms_config {
  std::uint32_t history = 50;                 // messages sent on join
  std::uint32_t resume_window = 1000;         // messages per room kept for resume
  std::uint32_t max_rooms_per_session = 16;   // rooms joined at once
  std::uint32_t rate_burst = 5;               // posts a user may send at once
  std::uint32_t rate_per_minute = 60;         // sustained posts per user
  std::uint32_t text_max_chars = 1000;        // code points per message

  bool operator==(const rooms_config&) const = default;
};

// Q&A of the rooms (issue 17).
struct qa_config {
  std::uint32_t question_max_chars = 300;     // code points per question

  bool operator==(const qa_config&) const = default;
};

// Press accreditation and gated streams (issue 18; docs/configuration.md, [press]).
struct press_config {
  std::uint32_t device_cap = 2;               // 1..20: devices watching on one grant at once
  std::uint32_t device_idle_seconds = 30;     // 10..600: a device not seen this long no longer counts
  std::uint32_t segment_token_seconds = 120;  // 5..3600: a segment URL from a viewer's playlist works this long
  std::uint32_t grace_before_minutes = 1440;  // 0..43200: a grant is valid from the first day's start minus this
  std::uint32_t grace_after_minutes = 720;    // 0..43200: until the last day's end plus this
  std::uint32_t audit_flush_seconds = 5;      // 1..300: viewing counts are written to the database this often

  bool operator==(const press_config&) const = default;
};

// WebSocket connections: frame and send-queue bounds, timeouts.
struct ws_config {
  std::uint32_t max_frame_bytes = 64 * 1024;       // beyond: close 1009
  std::uint32_t send_queue_messages = 256;         // beyond: close 4008 (slow consumer)
  std::uint64_t send_queue_bytes = 1024 * 1024;    // beyond: close 4008 (slow consumer)
  std::uint32_t idle_timeout_seconds = 30;         // dead peer; pings at half of it
  std::uint32_t write_batch_ms = 50;               // under load: events wait up to this long to share a write
  std::uint32_t batch_above_frames_per_second = 20000;  // "under load": the server-wide fan-out rate
  std::uint32_t hello_timeout_seconds = 10;        // beyond: close 4001

  bool operator==(const ws_config&) const = default;
};

// The media engine (stages): where its files live and how relay destinations are watched.
struct media_config {
  bool enabled = true;                                 // false = no stages, no /live
  std::string dir = "var/media";  // hls/<stage>/, recordings/<stage>/, outputs/<stage>.json
  std::uint32_t relay_connect_timeout_seconds = 10;    // a destination must accept within this
  std::uint32_t relay_hung_seconds = 5;                // no bytes sent this long = hung, restart
  std::uint32_t relay_backoff_initial_ms = 1000;       // first retry delay after a failure
  std::uint32_t relay_backoff_max_ms = 30000;          // retry delays double up to this
  std::string relay_ca_file;                           // PEM CAs trusted for rtmps:// besides the system's

  bool operator==(const media_config&) const = default;
};

// A stage's RTMP(S) destination from the file ([[stages.outputs]]). load() resolves key_env
// into key, so after load() `key` holds the stream key whichever way it was given.
struct output_config {
  std::string id;       // [a-z0-9-]{1,40}, unique within the stage
  std::string name;     // shown to organizers, e.g. "YouTube"
  std::string url;      // rtmp:// or rtmps:// server URL, without the key
  std::string key;      // the stream key (a secret; never quoted in messages)
  std::string key_env;  // name of the environment variable holding the key (preferred)
  bool enabled = true;

  bool operator==(const output_config&) const = default;
};

// One stage ([[stages]] in the file): an input, a mode, HLS, recording and destinations.
// Not in config_keys() and not overridable from the environment; see stage_keys().
struct stage_config {
  std::string id;                           // required, [a-z0-9-]{1,40}, unique
  std::map<std::string, std::string> name;  // language ("sv", "en", "fi") -> name; required
  std::string event;                        // program event id; empty = the first event
  std::string room;                         // program room id; optional
  bool is_public = true;                    // TOML key: public (old form: false = visibility "press")
  // Who may watch (issue 18, docs/configuration.md "Stages"): "public" | "registered" | "press"
  // | "staff"; its room takes the same rule. With public_at (an embargo): this visibility until
  // then, public from that second on, without a restart.
  std::string visibility = "public";
  std::int64_t public_at = 0;               // TOML: RFC 3339 with an offset; UTC seconds; 0 = none
  bool autostart = true;
  std::string mode = "passthrough";         // passthrough | produced
  std::string input = "test";               // srt | pull | file | test
  std::string listen = "0.0.0.0";           // srt: address to listen on
  std::uint32_t port = 9000;                // srt: UDP port, 1..65535
  std::string passphrase;                   // srt: empty or 10..79 characters (a secret)
  std::string passphrase_env;               // srt: variable holding the passphrase
  std::string stream_id;                    // srt: the only stream id accepted; empty = any
  std::uint32_t latency_ms = 200;           // srt (and pull over SRT): 20..10000
  std::string url;                          // pull: srt://, rtmp(s)://, rtsp://, http(s)://
  std::string file;                         // file: a media file played in a loop
  std::uint32_t width = 1280, height = 720, fps = 30;  // produced
  std::uint32_t video_kbps = 3000, audio_kbps = 128;   // produced
  double keyframe_seconds = 1.0;            // produced: 0.5..10
  std::string preset = "veryfast";          // produced: x264 speed preset
  double hls_segment_seconds = 2.0;         // 0.5..10
  double hls_window_seconds = 120.0;        // >= 3 segments, <= 21600
  bool record = false;
  std::uint32_t input_timeout_ms = 700;     // 200..10000; no media this long = standby
  std::vector<output_config> outputs;       // [[stages.outputs]]

  bool operator==(const stage_config&) const = default;
};

struct config {
  server_config server;
  tls_config tls;
  store_config store;
  log_config log;
  demo_config demo;
  auth_config auth;
  rooms_config rooms;
  qa_config qa;
  ws_config ws;
  media_config media;
  mail_config mail;
  press_config press;
  std::vector<stage_config> stages;  // [[stages]], in file order

  bool operator==(const config&) const = default;
};

// One configuration problem: the key it concerns ("server.port") and what is wrong.
struct config_error {
  std::string key;
  std::string message;
  std::string to_string() const { return key.empty() ? message : key + ": " + message; }
};

struct key_info {
  std::string key;          // dotted TOML path, e.g. "server.limits.max_body_bytes"
  std::string env;          // environment override, e.g. "SAMLING_SERVER_LIMITS_MAX_BODY_BYTES"
  std::string type;         // "string" | "integer" | "boolean"
  std::string default_value;
  std::string description;
};

// Every scalar key the configuration accepts, in file order. [[stages]] keys are not here.
const std::vector<key_info>& config_keys();

// The keys of one [[stages]] table, then those of one [[stages.outputs]] table as
// "outputs.<key>"; `env` is empty (stages are file-only), `type` is "string", "integer",
// "boolean", "number" (integer or float), "string or table" (name) or "array of tables".
const std::vector<key_info>& stage_keys();

// Reads `path` (TOML), applies overrides from `env` (name -> value, only SAMLING_* are read),
// and validates. On any problem returns the errors (all of them, not only the first) and leaves
// `out` unspecified. An empty path means: defaults + environment only.
std::vector<config_error> load(const std::string& path,
                               const std::map<std::string, std::string>& env,
                               config& out);

// Same, from TOML text instead of a file (for tests); `origin` names it in messages.
std::vector<config_error> load_from_string(const std::string& toml_text,
                                           const std::map<std::string, std::string>& env,
                                           config& out, const std::string& origin = "<string>");

// Validation alone (ranges, enums, files that must exist), on an already filled config.
// Stage secrets given by key_env / passphrase_env are resolved by load(), not here.
std::vector<config_error> validate(const config& c);

// The process environment as a map, for load().
std::map<std::string, std::string> process_environment();

// The config file to use when none is named on the command line: $SAMLING_CONFIG (from `env`)
// when set and not empty, else config/samling.toml when it exists in the working directory,
// else "" (built-in defaults plus the environment). Shared by every subcommand.
std::string default_config_path(const std::map<std::string, std::string>& env);

// The environment override for a dotted key: "SAMLING_" + key upper-cased, '.' -> '_'.
std::string env_name(std::string_view key);

// SAMLING_* variables that belong to the tooling (run script, tests), not to the
// configuration; load() ignores them instead of reporting them as misspelt keys.
const std::vector<std::string>& reserved_environment();

}  // namespace samling::config
