// Loading, environment overrides and validation of the configuration. One table of key specs
// (specs() below, on the table engine of field_spec.hpp that [[stages]] uses too) drives all
// of it, and config_keys(), so a key cannot be parsed without being overridable, validated and
// documented.
#include "config/config.hpp"
#include "config/config_internal.hpp"
#include "config/field_spec.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <type_traits>
#include <variant>

#include <fcntl.h>
#include <unistd.h>

#include "auth/token.hpp"
#include "core/origin.hpp"
#include "mail/mime.hpp"
#include "mail/smtp_sender.hpp"

extern char** environ;  // POSIX; unistd.h declares it only under _GNU_SOURCE

namespace samling::config {
using namespace internal;
namespace {

using key_spec = field_spec<config>;

// --- auth.*: the rules are samling::auth's ------------------------------------------------------

std::optional<std::string> key_id_problem(const std::string& id) { return auth::key_id_problem(id); }

// Empty is the configuration's own choice (a random secret per start); otherwise auth's rule.
std::optional<std::string> secret_problem(const std::string& secret) {
  if (secret.empty() || secret.size() >= auth::min_secret_bytes) return std::nullopt;
  return "must be empty (a random secret per start) or at least " +
         std::to_string(auth::min_secret_bytes) + " bytes, got " + std::to_string(secret.size()) +
         " bytes";
}

std::optional<std::string> previous_keys_problem(const std::string& text) {
  std::string error;
  if (auth::parse_key_list(text, error)) return std::nullopt;
  return error;
}

// --- server.public_url: the rule is core's (origin.hpp), shared with `samling token` ----------

// Empty: the links are made from server.listen and server.port.
std::optional<std::string> public_url_problem(const std::string& url) {
  if (url.empty()) return std::nullopt;
  return core::public_url_problem(url);
}

// --- mail.*: the rules are samling::mail's ----------------------------------------------------

// Empty: nothing is sent (messages stay in the outbox).
std::optional<std::string> smtp_url_problem(const std::string& url) {
  if (url.empty()) return std::nullopt;
  return mail::smtp_url_problem(url);
}

// Empty is allowed here; validate() requires it when mail.smtp_url is set.
std::optional<std::string> mail_from_problem(const std::string& address) {
  if (address.empty()) return std::nullopt;
  if (auto problem = mail::address_problem(address)) return "is not an e-mail address: it " + *problem;
  return std::nullopt;
}

// A display name goes into the From header: no line breaks or other control characters.
std::optional<std::string> mail_from_name_problem(const std::string& name) {
  if (mail::header_safe(name) != name) return "must not contain control characters (line breaks, tabs)";
  return std::nullopt;
}

constexpr std::string_view starttls_modes[] = {"required", "optional", "off"};

constexpr std::string_view store_drivers[] = {"sqlite"};
constexpr std::string_view store_drivers_not_yet[] = {"postgresql"};
constexpr std::string_view log_levels[] = {"debug", "info", "warn", "error"};
constexpr std::string_view log_formats[] = {"text", "json"};

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t gib = kib * kib * kib;

const std::vector<key_spec>& specs() {
  static const std::vector<key_spec> table = [] {
    std::vector<key_spec> t = {
        {.key = "server.listen",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.server.listen; },
         .description = "Address to bind. Loopback, so a fresh install is not exposed to the "
                        "network until someone decides it should be (reverse proxy on the same "
                        "host, or 0.0.0.0 / :: for all interfaces).",
         .non_empty = true},
        {.key = "server.port",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.server.port; },
         .description = "TCP port, 0..65535. 8080 needs no privileges; 0 picks any free "
                        "port (tests).",
         .range = {0, 65535}},
        {.key = "server.threads",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.server.threads; },
         .description = "Network threads, 0..256. 0 = one per CPU core, which suits a server "
                        "that mostly waits on sockets. Connections get that many threads (each "
                        "connection stays on one); rooms and shared work as many again.",
         .range = {0, 256}},
        {.key = "server.web_root",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.server.web_root; },
         .description = "Directory of the built web app, served as static files. Not checked "
                        "at start-up: without a web build the server warns and still serves "
                        "the API."},
        {.key = "server.allowed_origins",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.server.allowed_origins; },
         .description = "Other sites whose pages may open the WebSocket, comma-separated origins "
                        "(scheme://host or scheme://host:port, e.g. \"https://stream.example.org\"). "
                        "The server's own pages always may (their Origin is the address they "
                        "asked), and so may clients that send no Origin (apps, scripts). Empty: "
                        "no other site. A browser page of any other site is refused with 403, "
                        "so a signed-in browser cannot be used by another site."},
        {.key = "server.public_url",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.server.public_url; },
         .description = "The address people open the web app at, e.g. "
                        "\"https://live.example.org\" (or with a path, behind a proxy that "
                        "serves it under one): the start of the personal join links that "
                        "`samling token --link` prints. An absolute http:// or https:// URL "
                        "without query or fragment. Empty: made from server.listen and "
                        "server.port (https with TLS; 0.0.0.0 and :: as localhost), which suits "
                        "a test on this machine only.",
         .check = public_url_problem},
        {.key = "server.limits.max_header_bytes",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.server.limits.max_header_bytes; },
         .description = "Largest request line plus headers, 1024..1048576; beyond it: 431. "
                        "16 KiB fits real browser requests, cookies included, and bounds the "
                        "memory a connection can pin.",
         .range = {1 * kib, 1024 * kib}},
        {.key = "server.limits.max_body_bytes",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.server.limits.max_body_bytes; },
         .description = "Largest request body, 1..1073741824; beyond it: 413. 1 MiB is ample "
                        "for the JSON the API accepts and bounds what one request can make the "
                        "server buffer.",
         .range = {1, gib}},
        {.key = "server.limits.idle_timeout_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.server.limits.idle_timeout_seconds; },
         .description = "A keep-alive connection with no request in progress is closed after "
                        "this, 1..3600. 30 s lets a browser reuse its connections without "
                        "idle sockets piling up.",
         .range = {1, 3600}},
        {.key = "server.limits.request_timeout_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.server.limits.request_timeout_seconds; },
         .description = "Time to receive one whole request, headers and body, 1..3600. 15 s "
                        "allows a slow mobile link but not a client that trickles bytes to "
                        "hold a connection.",
         .range = {1, 3600}},
        {.key = "server.limits.max_connections",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.server.limits.max_connections; },
         .description = "Open connections at once, 1..1000000; beyond it new connections are "
                        "refused. 10000 covers a large audience; the open-files limit "
                        "(ulimit -n) must be higher.",
         .range = {1, 1000000}},
        {.key = "server.limits.shutdown_grace_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.server.limits.shutdown_grace_seconds; },
         .description = "On SIGTERM, in-flight requests get this long to finish, 0..300. 5 s "
                        "is well inside the 10 s a container runtime waits before SIGKILL.",
         .range = {0, 300}},
        {.key = "tls.certificate",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.tls.certificate; },
         .description = "PEM certificate chain. Empty = plain HTTP, for local use or behind a "
                        "TLS-terminating proxy. Set together with tls.private_key; the file "
                        "must exist and be readable."},
        {.key = "tls.private_key",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.tls.private_key; },
         .description = "PEM private key of tls.certificate. Set together with "
                        "tls.certificate; the file must exist and be readable."},
        {.key = "store.driver",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.store.driver; },
         .description = "Storage backend. Only sqlite: one file, no database server to run. "
                        "postgresql is not available yet.",
         .one_of = store_drivers,
         .not_yet = store_drivers_not_yet},
        {.key = "store.path",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.store.path; },
         .description = "The SQLite database file. Must not be empty. Kept under var/ so "
                        "state stays apart from the sources and the config.",
         .non_empty = true},
        {.key = "log.level",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.log.level; },
         .description = "debug, info, warn or error. info reports start-up, shutdown and "
                        "problems without per-message noise.",
         .one_of = log_levels},
        {.key = "log.format",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.log.format; },
         .description = "text or json. text for a person at a terminal; json for a log "
                        "collector.",
         .one_of = log_formats},
        {.key = "log.access_log",
         .type = value_type::boolean,
         .field = [](config& c) -> field_ref { return &c.log.access_log; },
         .description = "One log line per HTTP request. On, because traffic is the first "
                        "thing asked about during a live event; turn off when a proxy in "
                        "front logs it already."},
        {.key = "demo.seed",
         .type = value_type::boolean,
         .field = [](config& c) -> field_ref { return &c.demo.seed; },
         .description = "Seed an empty database with the program in demo.file, so a fresh "
                        "start shows a working conference."},
        {.key = "demo.file",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.demo.file; },
         .description = "The demo program (JSON) used by demo.seed. Not checked by "
                        "validation: it matters only when an empty database is seeded."},
        {.key = "demo.series_file",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.demo.series_file; },
         .description = "The demo series (JSON: id, name, organizer, description, and "
                        "events_csv, its table as CSV with the seed table's columns) seeded "
                        "with demo.seed when no series exists; empty for none. Not checked by "
                        "validation."},
        {.key = "auth.key_id",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.auth.key_id; },
         .description = "Id of the current signing key, written into every token it signs "
                        "(1-32 of A-Z a-z 0-9 - _). A new id per rotation lets the server tell "
                        "a token of a retired key (token_unknown_key) from a forged one.",
         .check = key_id_problem},
        {.key = "auth.secret",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.auth.secret; },
         .description = "HMAC-SHA256 secret of auth.key_id, at least 32 bytes (e.g. "
                        "`openssl rand -base64 32`). Empty = a random secret per start, enough "
                        "for development: tokens then do not survive a restart and "
                        "`samling token` cannot mint them. Prefer SAMLING_AUTH_SECRET to "
                        "writing it into a file.",
         .check = secret_problem},
        {.key = "auth.previous_keys",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.auth.previous_keys; },
         .description = "Keys that still verify but no longer sign, \"id:secret,id2:secret2\" "
                        "(same rules as key_id and secret; ids distinct and not auth.key_id). "
                        "During a rotation, tokens already handed out stay valid until they "
                        "expire; remove the old key after auth.token_ttl_seconds.",
         .check = previous_keys_problem},
        {.key = "auth.token_ttl_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.auth.token_ttl_seconds; },
         .description = "Lifetime of a token minted by `samling token` or the dev endpoint, "
                        "60..2592000 (30 days). 12 h covers a conference day from one link; a "
                        "leaked link stops working by the next day.",
         .range = {auth::min_token_ttl_seconds, auth::max_token_ttl_seconds}},
        {.key = "auth.dev_tokens",
         .type = value_type::boolean,
         .field = [](config& c) -> field_ref { return &c.auth.dev_tokens; },
         .description = "Enables POST /api/v1/dev/token, which mints a token for any name and "
                        "role without a login: anyone who reaches the server can then be an "
                        "organizer. Off by default; the demo config turns it on for the demo "
                        "page. Never in production."},
        {.key = "auth.session_idle_minutes",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.auth.session_idle_minutes; },
         .description = "A staff session not used for this long ends (sign in again), 5..10080. "
                        "720 (12 h) keeps a conference day signed in and ends a session "
                        "forgotten on a shared computer by the next morning.",
         .range = {5, 10080}},
        {.key = "auth.session_max_hours",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.auth.session_max_hours; },
         .description = "A staff session ends this long after sign-in however much it is used, "
                        "1..2160 (90 days). 168 (a week) spans a conference's preparation "
                        "days; a stolen cookie stops working within it.",
         .range = {1, 2160}},
        {.key = "auth.sign_in_max_failures",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.auth.sign_in_max_failures; },
         .description = "Wrong passwords for one account within 15 minutes that lock its "
                        "sign-in (sign_in_locked), 3..100. One address may fail five times "
                        "as often, over all accounts, before it is refused (rate_limited).",
         .range = {3, 100}},
        {.key = "auth.sign_in_lock_minutes",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.auth.sign_in_lock_minutes; },
         .description = "How long a locked account's sign-in stays locked, 1..1440. 15 "
                        "minutes makes guessing hopeless and a typist's mistake bearable.",
         .range = {1, 1440}},
        {.key = "auth.invitation_days",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.auth.invitation_days; },
         .description = "Days an invitation link (staff, per event) stays valid, 1..60.",
         .range = {1, 60}},
        {.key = "rooms.history",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.rooms.history; },
         .description = "Messages a join without `since` gets, 0..500. 50 fills a chat pane "
                        "with context without a large first reply for every joiner.",
         .range = {0, 500}},
        {.key = "rooms.resume_window",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.rooms.resume_window; },
         .description = "Messages per room kept for resume (join with `since`), 10..100000; "
                        "older gets too_far_behind. 1000 covers a client that was away for "
                        "minutes in a busy room, at bounded memory per room.",
         .range = {10, 100000}},
        {.key = "rooms.max_rooms_per_session",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.rooms.max_rooms_per_session; },
         .description = "Rooms one connection may be in at once, 1..256; beyond: "
                        "too_many_rooms. 16 is more than an event's rooms, and bounds the "
                        "fan-out one client can ask for.",
         .range = {1, 256}},
        {.key = "rooms.rate_burst",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.rooms.rate_burst; },
         .description = "Posts a user may send at once before rate_limited, 1..1000 (the "
                        "token bucket's size). 5 allows a quick exchange, not a flood.",
         .range = {1, 1000}},
        {.key = "rooms.rate_per_minute",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.rooms.rate_per_minute; },
         .description = "Sustained posts per user per minute, 1..60000 (the bucket's refill). "
                        "60, one a second, is faster than anyone types and slows a script.",
         .range = {1, 60000}},
        {.key = "rooms.text_max_chars",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.rooms.text_max_chars; },
         .description = "Longest message in Unicode code points, 1..10000; beyond: "
                        "text_too_long. 1000 fits a question with context and keeps one "
                        "message from filling every member's screen.",
         .range = {1, 10000}},
        {.key = "qa.question_max_chars",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.qa.question_max_chars; },
         .description = "Longest question in a room's Q&A in Unicode code points, 1..10000; "
                        "beyond: question_too_long. 300 keeps a question readable on the "
                        "projector and in a phone's list.",
         .range = {1, 10000}},
        {.key = "ws.max_frame_bytes",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.ws.max_frame_bytes; },
         .description = "Largest WebSocket message a client may send, 1024..16777216; beyond: "
                        "close 1009. 64 KiB is far above any valid request and bounds what one "
                        "client makes the server buffer.",
         .range = {1 * kib, 16 * kib * kib}},
        {.key = "ws.send_queue_messages",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.ws.send_queue_messages; },
         .description = "Messages waiting to be sent to one client, 1..100000; beyond: close "
                        "4008 (slow consumer), so one slow reader cannot stall a room or grow "
                        "memory. 256 rides out a few seconds of a poor link.",
         .range = {1, 100000}},
        {.key = "ws.send_queue_bytes",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.ws.send_queue_bytes; },
         .description = "Bytes waiting to be sent to one client, 1024..1073741824; beyond: "
                        "close 4008. 1 MiB bounds memory per connection whatever the message "
                        "sizes.",
         .range = {1 * kib, gib}},
        {.key = "ws.write_batch_ms",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.ws.write_batch_ms; },
         .description = "Under load (see ws.batch_above_frames_per_second), events for a "
                        "client that was written to less than this long ago wait until then, "
                        "to go out together in one write, 0..1000. Replies and idle clients "
                        "never wait. 50 ms is below what a reader notices in a chat and makes "
                        "a busy room's fan-out about three times cheaper (docs/benchmarks.md); "
                        "0 writes every event as soon as its handler returns.",
         .range = {0, 1000}},
        {.key = "ws.batch_above_frames_per_second",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.ws.batch_above_frames_per_second; },
         .description = "The server counts as under load, and events may wait for "
                        "ws.write_batch_ms, while it fans out more than this many events a "
                        "second (all connections, measured over 100 ms). Below it every frame "
                        "goes out as soon as its handler returns.",
         .range = {0, 100000000}},
        {.key = "ws.idle_timeout_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.ws.idle_timeout_seconds; },
         .description = "A connection that sends nothing (not even a pong) for this long is "
                        "closed as dead, 2..3600; the server pings at half of it. 30 s frees a "
                        "vanished mobile client's resources quickly, and pings every 15 s keep "
                        "proxies and NATs from dropping an idle but live one.",
         .range = {2, 3600}},
        {.key = "ws.hello_timeout_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.ws.hello_timeout_seconds; },
         .description = "Time from the handshake to the first message (hello), 1..300; beyond: "
                        "close 4001. 10 s is ample for a real client and stops "
                        "unauthenticated connections from piling up.",
         .range = {1, 300}},
        {.key = "media.enabled",
         .type = value_type::boolean,
         .field = [](config& c) -> field_ref { return &c.media.enabled; },
         .description = "Run the media engine: the stages of [[stages]], their HLS under "
                        "/live/<stage>/, recordings and relays. false = no stages and no "
                        "/live, for a chat-and-program server; [[stages]] is still validated."},
        {.key = "media.dir",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.media.dir; },
         .description = "Directory of the media engine's files: HLS segments (hls/<stage>/), "
                        "recordings (recordings/<stage>/) and destinations added through the "
                        "API (outputs/<stage>.json). Must not be empty. Under var/, like the "
                        "database, so state stays apart from the sources.",
         .non_empty = true},
        {.key = "media.relay_connect_timeout_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.media.relay_connect_timeout_seconds; },
         .description = "A relay destination (YouTube, ...) that has not accepted the "
                        "connection within this is given up and retried, 2..120. 10 s allows a "
                        "slow TLS handshake to a distant ingest server.",
         .range = {2, 120}},
        {.key = "media.relay_hung_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.media.relay_hung_seconds; },
         .description = "A connected relay that sends nothing for this long is treated as "
                        "hung and restarted, 2..120. 5 s notices a dead destination while the "
                        "platform's own buffer still bridges the gap.",
         .range = {2, 120}},
        {.key = "media.relay_backoff_initial_ms",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.media.relay_backoff_initial_ms; },
         .description = "Wait before the first reconnect of a failed relay, 100..60000 ms; "
                        "each further failure doubles it, up to media.relay_backoff_max_ms. "
                        "1 s recovers from a blip at once.",
         .range = {100, 60000}},
        {.key = "media.relay_backoff_max_ms",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.media.relay_backoff_max_ms; },
         .description = "Longest wait between reconnects of a failed relay, 1000..600000 ms, "
                        "and at least media.relay_backoff_initial_ms. 30 s keeps trying a "
                        "destination that is down without hammering it.",
         .range = {1000, 600000}},
        {.key = "media.relay_ca_file",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.media.relay_ca_file; },
         .description = "A PEM file of CA certificates that rtmps:// destinations are trusted "
                        "with, besides the system's (a private ingest behind its own CA). "
                        "Applies to every destination: GStreamer's RTMP sink has no "
                        "per-destination setting. Empty = the system's CAs only; set, it must "
                        "be a readable file with at least one certificate."},
        {.key = "mail.smtp_url",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.mail.smtp_url; },
         .description = "The SMTP server e-mail is sent through: smtp://host:port (STARTTLS as "
                        "mail.starttls says) or smtps://host:port (TLS from the start), without "
                        "user or password. Empty = send nothing: messages stay queued in the "
                        "outbox, where organizers read them (the demo).",
         .check = smtp_url_problem},
        {.key = "mail.starttls",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.mail.starttls; },
         .description = "STARTTLS on smtp://: required (refuse to send in the clear), optional "
                        "(use it when offered) or off (a relay on the same host). required, so "
                        "passwords and personal data never cross a network unencrypted by accident.",
         .one_of = starttls_modes},
        {.key = "mail.username",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.mail.username; },
         .description = "SMTP AUTH user. Empty = no AUTH (a relay that trusts this host)."},
        {.key = "mail.password",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.mail.password; },
         .description = "SMTP AUTH password of mail.username. Prefer mail.password_env (or "
                        "SAMLING_MAIL_PASSWORD), which keeps the secret out of the file; not both."},
        {.key = "mail.password_env",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.mail.password_env; },
         .description = "Name of an environment variable holding the SMTP password; it must be "
                        "set and not empty when this is."},
        {.key = "mail.ca_file",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.mail.ca_file; },
         .description = "A PEM file of CA certificates the SMTP server's certificate is trusted "
                        "with, besides the system's (a private mail server). Empty = the system's CAs."},
        {.key = "mail.from",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.mail.from; },
         .description = "The sender's address (From, and MAIL FROM), e.g. noreply@example.org; "
                        "also the domain of each Message-ID. Required when mail.smtp_url is set.",
         .check = mail_from_problem},
        {.key = "mail.from_name",
         .type = value_type::string,
         .field = [](config& c) -> field_ref { return &c.mail.from_name; },
         .description = "The sender's display name, e.g. the organizing authority's name.",
         .check = mail_from_name_problem},
        {.key = "mail.max_attempts",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.mail.max_attempts; },
         .description = "Deliveries tried per message before it is marked failed, 1..100. 10, "
                        "with the default backoff, keeps trying for about a day and a half of an "
                        "SMTP outage. A permanent refusal (5xx) fails at once.",
         .range = {1, 100}},
        {.key = "mail.backoff_initial_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.mail.backoff_initial_seconds; },
         .description = "Wait before the first retry of a temporary failure, 1..86400; it "
                        "doubles per failure up to mail.backoff_max_seconds, each wait a random "
                        "point in its upper half. 30 s rides out a restarting mail server.",
         .range = {1, 86400}},
        {.key = "mail.backoff_max_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.mail.backoff_max_seconds; },
         .description = "Longest wait between retries, 1..604800, and at least "
                        "mail.backoff_initial_seconds. An hour keeps a long outage from being hammered.",
         .range = {1, 604800}},
        {.key = "mail.timeout_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.mail.timeout_seconds; },
         .description = "Time to connect to the SMTP server, and to send one message, 1..600. "
                        "30 s; a slower server is treated as down and retried.",
         .range = {1, 600}},
        {.key = "press.device_cap",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.press.device_cap; },
         .description = "Devices that may watch on one press grant at once, 1..20: a new grant's "
                        "cap (the press officer may set another per grant). 2 lets a journalist "
                        "watch on a laptop and a phone; a link passed round a newsroom meets the "
                        "third device with device_limit.",
         .range = {1, 20}},
        {.key = "press.device_idle_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.press.device_idle_seconds; },
         .description = "A device that fetched nothing of a gated stream for this long no longer "
                        "counts toward its grant's cap, 10..600. 30 s is many segments: a player "
                        "that is still playing never reaches it, a closed tab frees its place soon.",
         .range = {10, 600}},
        {.key = "press.segment_token_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.press.segment_token_seconds; },
         .description = "Lifetime of the viewer token on each segment URL of a gated stream's "
                        "playlist, 5..3600. Players fetch a new playlist every segment or two, so "
                        "120 s is ample; a segment URL copied out of a playlist stops working "
                        "after it (grant_expired).",
         .range = {5, 3600}},
        {.key = "press.grace_before_minutes",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.press.grace_before_minutes; },
         .description = "A grant made from an event's days is valid from the first day's start "
                        "minus this, 0..43200 (30 days). 1440 (a day) lets a journalist open "
                        "the link and test it the day before.",
         .range = {0, 43200}},
        {.key = "press.grace_after_minutes",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.press.grace_after_minutes; },
         .description = "A grant made from an event's days is valid until the last day's end plus "
                        "this, 0..43200. 720 (12 h) covers an evening program and the next "
                        "morning's follow-up.",
         .range = {0, 43200}},
        {.key = "press.audit_flush_seconds",
         .type = value_type::integer,
         .field = [](config& c) -> field_ref { return &c.press.audit_flush_seconds; },
         .description = "How often the viewing counts of gated streams (who, what, when, from "
                        "where, bytes) are written from memory to the database, 1..300. 5 s "
                        "costs one small transaction per interval however many viewers; a "
                        "crash loses at most that much of the audit.",
         .range = {1, 300}},
    };
    check_table(t);
    return t;
  }();
  return table;
}

const std::vector<std::string>& table_names() {
  // Every dotted prefix of a key ("server", "server.limits", ...), in first-seen order.
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const key_spec& s : specs()) {
      for (std::size_t dot = s.key.find('.'); dot != std::string_view::npos;
           dot = s.key.find('.', dot + 1)) {
        std::string prefix(s.key.substr(0, dot));
        if (std::find(n.begin(), n.end(), prefix) == n.end()) n.push_back(prefix);
      }
    }
    return n;
  }();
  return names;
}

const key_spec* find_key(std::string_view key) {
  for (const key_spec& s : specs()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

const key_spec* find_env(std::string_view name) {
  for (const key_spec& s : specs()) {
    if (env_name(s.key) == name) return &s;
  }
  return nullptr;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions, the commonest
// typing slip ("prot" for "port").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Within 2 edits the intended name is almost always the one meant; further away, a
// suggestion misleads more often than it helps.
constexpr std::size_t max_suggestion_distance = 2;

}  // namespace
namespace internal {

std::string suggestion(std::string_view wrong, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  std::size_t best_distance = max_suggestion_distance + 1;
  for (const std::string& c : candidates) {
    std::size_t d = edit_distance(wrong, c);
    if (d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  return best ? ", did you mean \"" + *best + "\"?" : std::string();
}

}  // namespace internal
namespace {

}  // namespace
namespace internal {

std::string_view toml_type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
  }
  return "unknown";
}

}  // namespace internal
namespace {

}  // namespace
namespace internal {
std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }
}  // namespace internal
namespace {

template <class T>
T& field_as(const key_spec& s, config& c) {
  return *std::get<T*>(s.field(c));
}

// --- TOML ------------------------------------------------------------------------------------

}  // namespace
namespace internal {

std::string location(const std::string& origin, const toml::source_region& r) {
  return origin + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

}  // namespace internal
namespace {

void assign_from_toml(const key_spec& s, const toml::node& node, config& out,
                      const std::string& origin, std::vector<located_error>& errors) {
  // Type and range here, with the value's location; the rest of the rule in validate().
  if (std::optional<std::string> problem = read_toml(s, node, out)) {
    errors.push_back({{std::string(s.key), *problem + " (" + location(origin, node.source()) + ")"},
                      node.source().begin});
  }
}

void walk(const toml::table& table, const std::string& prefix, config& out,
          const std::string& origin, const std::map<std::string, std::string>& env,
          std::vector<located_error>& errors) {
  for (auto&& [k, node] : table) {
    std::string path = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (path == "stages") {
      parse_stages(node, out, origin, env, errors);
      continue;
    }
    if (const key_spec* s = find_key(path)) {
      assign_from_toml(*s, node, out, origin, errors);
      continue;
    }
    const auto& tables = table_names();
    if (std::find(tables.begin(), tables.end(), path) != tables.end()) {
      if (const toml::table* sub = node.as_table()) {
        walk(*sub, path, out, origin, env, errors);
      } else {
        errors.push_back(
            {{path, "expected a table, got " + std::string(toml_type_name(node.type())) + " (" +
                        location(origin, node.source()) + ")"},
             node.source().begin});
      }
      continue;
    }
    // An unknown table is reported once, not once per key inside it.
    std::vector<std::string> candidates = tables;
    for (const key_spec& s : specs()) candidates.emplace_back(s.key);
    candidates.emplace_back("stages");
    errors.push_back({{path, "unknown key" + suggestion(path, candidates) + " (" +
                                 location(origin, k.source()) + ")"},
                      k.source().begin});
  }
}

// Parses TOML text into `out` (which holds the defaults or earlier values). Syntax errors
// stop the parse; everything else is collected.
void apply_toml(const std::string& text, const std::string& origin,
                const std::map<std::string, std::string>& env, config& out,
                std::vector<config_error>& errors) {
  toml::table root;
  auto syntax_error = [&](const toml::parse_error& e) {
    errors.push_back({"", location(origin, e.source()) + ": " + std::string(e.description())});
  };
#if TOML_EXCEPTIONS
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    syntax_error(e);
    return;
  }
#else
  toml::parse_result result = toml::parse(text, origin);
  if (!result) {
    syntax_error(result.error());
    return;
  }
  root = std::move(result).table();
#endif
  std::vector<located_error> found;
  walk(root, "", out, origin, env, found);
  // toml++ iterates a table in key order; report in file order, as a person reads the file.
  std::stable_sort(found.begin(), found.end(), [](const located_error& a, const located_error& b) {
    return a.where.line != b.where.line ? a.where.line < b.where.line
                                        : a.where.column < b.where.column;
  });
  for (located_error& e : found) errors.push_back(std::move(e.error));
}

// --- environment -----------------------------------------------------------------------------

constexpr std::string_view env_prefix = "SAMLING_";

std::optional<bool> parse_bool(std::string_view text) {
  std::string lower(text);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return std::nullopt;
}

void assign_from_env(const key_spec& s, const std::string& name, const std::string& text,
                     config& out, std::vector<config_error>& errors) {
  std::string from = " (from " + name + ")";
  switch (s.type) {
    case value_type::string:
      // Taken as is: an empty value is how TLS is switched off from the environment.
      field_as<std::string>(s, out) = text;
      return;
    case value_type::boolean:
      if (std::optional<bool> b = parse_bool(text)) {
        field_as<bool>(s, out) = *b;
      } else {
        errors.push_back({std::string(s.key), "expected a boolean (true/false/1/0/yes/no), got " +
                                                  in_quotes(text) + from});
      }
      return;
    case value_type::integer: {
      // Decimal digits only: no sign, no spaces, no 0x, so "8080 " or "-1" is a mistake
      // reported rather than a value guessed at.
      bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                 [](char ch) { return ch >= '0' && ch <= '9'; });
      if (!digits) {
        errors.push_back({std::string(s.key), "expected an integer (decimal digits only), got " +
                                                  in_quotes(text) + from});
        return;
      }
      std::uint64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || unsigned_problem(s.range, v)) {
        errors.push_back({std::string(s.key), range_message(s.range, text) + from});
        return;
      }
      // In range, and the range fits the field (check_table()).
      field_ref ref = s.field(out);
      if (auto* narrow = std::get_if<std::uint32_t*>(&ref)) {
        **narrow = static_cast<std::uint32_t>(v);
      } else {
        field_as<std::uint64_t>(s, out) = v;
      }
      return;
    }
    case value_type::number:
    case value_type::name:
      return;  // not among the scalar keys
  }
}

void apply_environment(const std::map<std::string, std::string>& env, config& out,
                       std::vector<config_error>& errors) {
  const auto& reserved = reserved_environment();
  // Variables that hold a stage's secrets (key_env, passphrase_env) may be called SAMLING_*.
  std::vector<std::string> secrets;
  for (const stage_config& s : out.stages) {
    secrets.push_back(s.passphrase_env);
    for (const output_config& o : s.outputs) secrets.push_back(o.key_env);
  }
  secrets.push_back(out.mail.password_env);
  std::vector<std::string> env_names;
  for (const key_spec& s : specs()) env_names.push_back(env_name(s.key));
  for (const auto& [name, value] : env) {
    if (!name.starts_with(env_prefix)) continue;
    if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) continue;
    if (std::find(secrets.begin(), secrets.end(), name) != secrets.end()) continue;
    if (const key_spec* s = find_env(name)) {
      assign_from_env(*s, name, value, out, errors);
    } else {
      // A misspelt override would otherwise be silently ignored, and the default used.
      errors.push_back({name, "unknown environment variable" + suggestion(name, env_names)});
    }
  }
}

// --- files -----------------------------------------------------------------------------------

// Why the file at `path` cannot be read, or nothing if it can; `what` names it ("file",
// "config file").
}  // namespace
namespace internal {

std::optional<std::string> file_problem(const std::string& path, std::string_view what) {
  std::string w(what);
  std::error_code ec;
  std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found) return w + " not found: " + path;
  if (ec) return "cannot access " + w + " " + path + " (" + ec.message() + ")";
  if (std::filesystem::is_directory(st)) return w + " is a directory: " + path;
  // Opening is the only reliable readability test (ACLs, root, network file systems).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return w + " not readable: " + path + " (" + std::strerror(errno) + ")";
  ::close(fd);
  return std::nullopt;
}

}  // namespace internal
namespace {

std::optional<std::string> read_file(const std::string& path, std::string& text) {
  if (std::optional<std::string> problem = file_problem(path, "config file")) return problem;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in || in.bad()) return "cannot read config file " + path;
  text = std::move(buffer).str();
  return std::nullopt;
}

}  // namespace

std::string env_name(std::string_view key) {
  std::string name(env_prefix);
  for (char ch : key) {
    name += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return name;
}

const std::vector<std::string>& reserved_environment() {
  // SAMLING_BIN, SAMLING_SOURCE_DIR: set by CTest for the browser tests; SAMLING_E2E_URL:
  // points those tests at a running server; SAMLING_CONFIG: the config path for scripts.
  static const std::vector<std::string> names = {"SAMLING_BIN", "SAMLING_SOURCE_DIR",
                                                 "SAMLING_E2E_URL", "SAMLING_CONFIG"};
  return names;
}

std::string default_config_path(const std::map<std::string, std::string>& env) {
  if (auto it = env.find("SAMLING_CONFIG"); it != env.end() && !it->second.empty()) {
    return it->second;
  }
  if (std::error_code ec; std::filesystem::exists("config/samling.toml", ec)) {
    return "config/samling.toml";
  }
  return {};
}

const std::vector<key_info>& config_keys() {
  static const std::vector<key_info> keys = [] {
    std::vector<key_info> k;
    config defaults;
    for (const key_spec& s : specs()) k.push_back(describe(s, defaults, std::string(s.key), env_name(s.key)));
    return k;
  }();
  return keys;
}

std::vector<config_error> validate(const config& c) {
  std::vector<config_error> errors;
  // The field accessors hand out mutable pointers; this copy is only read.
  config copy = c;
  for (const key_spec& s : specs()) {
    if (std::optional<std::string> problem = field_problem(s, copy)) errors.push_back({std::string(s.key), *problem});
  }

  for (auto& origin : core::split_origins(c.server.allowed_origins)) {
    if (!core::valid_origin(origin))
      errors.push_back({"server.allowed_origins", in_quotes(origin) +
                                                      " is not an origin: expected http(s)://host or "
                                                      "http(s)://host:port, without a path"});
  }

  // A certificate without its key (or the reverse) cannot serve TLS; silently falling back to
  // plain HTTP would expose what the operator meant to protect.
  if (!c.tls.certificate.empty() && c.tls.private_key.empty()) {
    errors.push_back({"tls.private_key", "must be set when tls.certificate is set"});
  }
  if (c.tls.certificate.empty() && !c.tls.private_key.empty()) {
    errors.push_back({"tls.certificate", "must be set when tls.private_key is set"});
  }
  if (!c.tls.certificate.empty()) {
    if (auto problem = file_problem(c.tls.certificate, "file"))
      errors.push_back({"tls.certificate", *problem});
  }
  if (!c.tls.private_key.empty()) {
    if (auto problem = file_problem(c.tls.private_key, "file"))
      errors.push_back({"tls.private_key", *problem});
  }

  // The same id for the current and a previous key would make verification depend on which
  // secret is tried first.
  std::string ignored;  // a malformed list is reported above
  std::optional<std::vector<auth::signing_key>> previous = auth::parse_key_list(c.auth.previous_keys, ignored);
  if (previous && std::any_of(previous->begin(), previous->end(),
                              [&](const auth::signing_key& k) { return k.id == c.auth.key_id; })) {
    errors.push_back({"auth.previous_keys", "key id \"" + c.auth.key_id +
                                                "\" is also auth.key_id, the current key"});
  }

  // Backoff doubles from the initial delay up to the maximum; a smaller maximum is a mistake.
  if (c.media.relay_backoff_max_ms < c.media.relay_backoff_initial_ms) {
    errors.push_back({"media.relay_backoff_max_ms",
                      "must be at least media.relay_backoff_initial_ms (" +
                          std::to_string(c.media.relay_backoff_initial_ms) + "), got " +
                          std::to_string(c.media.relay_backoff_max_ms)});
  }
  if (!c.media.relay_ca_file.empty()) {
    if (auto problem = file_problem(c.media.relay_ca_file, "file")) {
      errors.push_back({"media.relay_ca_file", *problem});
    } else {
      std::ifstream in(c.media.relay_ca_file, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (text.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        errors.push_back({"media.relay_ca_file", "no PEM certificate (-----BEGIN CERTIFICATE-----) in " +
                                                     c.media.relay_ca_file});
    }
  }
  // E-mail: sending needs a sender; AUTH needs both halves; retries grow, not shrink.
  if (!c.mail.smtp_url.empty() && c.mail.from.empty())
    errors.push_back({"mail.from", "must be set when mail.smtp_url is set"});
  if (!c.mail.username.empty() && c.mail.password.empty() && c.mail.password_env.empty())
    errors.push_back({"mail.password", "must be set (or mail.password_env) when mail.username is set"});
  if (c.mail.backoff_max_seconds < c.mail.backoff_initial_seconds)
    errors.push_back({"mail.backoff_max_seconds", "must be at least mail.backoff_initial_seconds (" +
                                                      std::to_string(c.mail.backoff_initial_seconds) + "), got " +
                                                      std::to_string(c.mail.backoff_max_seconds)});
  if (!c.mail.ca_file.empty()) {
    if (auto problem = file_problem(c.mail.ca_file, "file")) errors.push_back({"mail.ca_file", *problem});
  }
  validate_stages(c, errors);
  return errors;
}

namespace {

// The steps after the file, shared by load() and load_from_string().
void finish(const std::map<std::string, std::string>& env, config& out,
            std::vector<config_error>& errors) {
  apply_environment(env, out, errors);
  // The SMTP password from the variable mail.password_env names (a secret: never quoted).
  if (!out.mail.password_env.empty()) {
    auto it = env.find(out.mail.password_env);
    if (!out.mail.password.empty())
      errors.push_back({"mail.password_env", "set mail.password or mail.password_env, not both"});
    else if (it == env.end() || it->second.empty())
      errors.push_back({"mail.password_env", "environment variable " + out.mail.password_env +
                                                 " gave no password (not set or empty)"});
    else
      out.mail.password = it->second;
  }
  std::vector<std::string> reported;
  for (const config_error& e : errors) reported.push_back(e.key);
  for (config_error& e : validate(out)) {
    if (!already_reported(e.key, reported)) errors.push_back(std::move(e));
  }
}

}  // namespace

std::vector<config_error> load(const std::string& path,
                               const std::map<std::string, std::string>& env, config& out) {
  out = config{};
  std::vector<config_error> errors;
  if (!path.empty()) {
    std::string text;
    if (std::optional<std::string> problem = read_file(path, text)) {
      errors.push_back({"", *problem});
    } else {
      apply_toml(text, path, env, out, errors);
    }
  }
  // Carry on after a file problem: reporting the environment's problems too saves a round trip.
  finish(env, out, errors);
  return errors;
}

std::vector<config_error> load_from_string(const std::string& toml_text,
                                           const std::map<std::string, std::string>& env,
                                           config& out, const std::string& origin) {
  out = config{};
  std::vector<config_error> errors;
  apply_toml(toml_text, origin, env, out, errors);
  finish(env, out, errors);
  return errors;
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view e(*entry);
    std::size_t eq = e.find('=');
    if (eq == std::string_view::npos) continue;
    // emplace keeps the first of duplicate names, as getenv() does.
    env.emplace(std::string(e.substr(0, eq)), std::string(e.substr(eq + 1)));
  }
  return env;
}

}  // namespace samling::config
