#include "media/relay.hpp"

#include <gio/gio.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <boost/asio/connect.hpp>

#include "core/log.hpp"

namespace samling::media {

namespace {

bool contains(const std::string& s, const char* needle) {
  std::string a = s, b = needle;
  for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return a.find(b) != std::string::npos;
}

std::uint64_t stat_u64(const GstStructure* s, const char* field) {
  guint64 v = 0;
  if (s && gst_structure_get_uint64(s, field, &v)) return v;
  return 0;
}

// rtmp2sink's counters stay 0 until the destination acknowledged the publish (it posts no
// message for that), so any byte counted means: published, media flowing.
constexpr std::uint64_t media_flowing_bytes = 1;

// A destination's own queue of FLV tags: 8 MiB is ~25 s at 2.5 Mbit/s, room for a slow
// network's bursts; past it the destination drops and resumes on a keyframe.
constexpr std::uint64_t max_queue_bytes = 8 * 1024 * 1024;

}  // namespace

namespace {

std::string classify_text(const std::string& all) {
  if (contains(all, "refused")) return "refused";
  if (contains(all, "timed out") || contains(all, "timeout")) return "timeout";
  // GIO's "Unacceptable TLS certificate" (G_TLS_ERROR_BAD_CERTIFICATE): the server's chain
  // does not lead to a trusted CA, or names another host, or has expired.
  if (contains(all, "certificate")) return "tls_untrusted";
  // "'publish' cmd failed: …" (nginx-rtmp's on_publish said no and hung up), "publish
  // denied" (NetStream.Publish.Denied/BadName), "Not authorized to connect: …".
  if (contains(all, "publish") || contains(all, "not authorized") || contains(all, "badname") ||
      contains(all, "rejected") || contains(all, "forbidden") || contains(all, "denied"))
    return "key_rejected";
  if (contains(all, "resolve") || contains(all, "name or service")) return "unresolved";
  if (contains(all, "closed") || contains(all, "reset") || contains(all, "broken pipe") || contains(all, "eof"))
    return "closed";
  return "error";
}

}  // namespace

std::string classify_rtmp_error(const std::string& message, const std::string& debug) {
  // The debug text names the pipeline ("relay-<output id>"): an output called "publish-test"
  // must not turn every error into key_rejected, so it is read only when the message is mute.
  auto reason = classify_text(message);
  return reason != "error" ? reason : classify_text(debug);
}

std::optional<host_port> rtmp_endpoint(const std::string& url) {
  host_port out;
  std::string rest;
  auto lower = url.substr(0, 8);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("rtmp://", 0) == 0) {
    out.port = 1935;
    rest = url.substr(7);
  } else if (lower.rfind("rtmps://", 0) == 0) {
    out.port = 443;
    rest = url.substr(8);
  } else {
    return std::nullopt;
  }
  auto authority = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    out.host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
      if (port_text.empty()) return std::nullopt;
    }
  } else {
    auto colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return std::nullopt;
    }
  }
  if (out.host.empty()) return std::nullopt;
  if (!port_text.empty()) {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    auto p = std::stoul(port_text);
    if (p == 0 || p > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(p);
  }
  return out;
}

namespace {

// Where distributions keep the bundle of trusted CAs (OpenSSL's SSL_CERT_FILE first): the
// Debian/Ubuntu, Fedora/RHEL, openSUSE and Alpine/BSD locations.
std::string system_ca_bundle() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("SSL_CERT_FILE"); env && *env) candidates.emplace_back(env);
  for (const char* p : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                        "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"})
    candidates.emplace_back(p);
  for (auto& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c, ec)) return c;
  }
  return {};
}

std::optional<std::string> read_text(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read " + path;
  std::ostringstream text;
  text << in.rdbuf();
  out = std::move(text).str();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> install_relay_ca(const std::string& ca_file, const std::string& trust_file) {
  std::string ca;
  if (auto problem = read_text(ca_file, ca)) return problem;
  if (ca.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
    return ca_file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  // GIO can read one file as its database, not add to the system's: a file with both keeps
  // public platforms (YouTube, Twitch over rtmps://) trusted as before.
  std::string bundle, system = system_ca_bundle();
  if (!system.empty()) {
    if (auto problem = read_text(system, bundle)) return problem;
  } else {
    core::log(core::log_level::warn, "relay_ca_no_system_bundle",
              {{"detail", "no system CA bundle found: rtmps:// destinations trust only media.relay_ca_file"}});
  }
  if (!bundle.empty() && bundle.back() != '\n') bundle += '\n';
  bundle += ca;
  // GIO refuses a relative anchor file name (media.dir is "var/media" by default).
  std::error_code ec;
  auto trust_path = std::filesystem::absolute(trust_file, ec);
  if (ec) return "cannot resolve " + trust_file + ": " + ec.message();
  {
    std::filesystem::create_directories(trust_path.parent_path(), ec);
    std::ofstream out(trust_path, std::ios::binary | std::ios::trunc);
    out << bundle;
    out.close();
    if (!out) return "cannot write " + trust_path.string();
  }
  GTlsBackend* backend = g_tls_backend_get_default();
  if (!backend || !g_tls_backend_supports_tls(backend))
    return "GIO has no TLS backend (install glib-networking)";
  GError* error = nullptr;
  GTlsDatabase* db = g_tls_file_database_new(trust_path.c_str(), &error);
  if (!db) {
    std::string why = error ? error->message : "unknown error";
    if (error) g_error_free(error);
    return "cannot load " + ca_file + " as trusted CAs: " + why;
  }
  // Connections made from now on verify against it (rtmp2sink makes one per attempt).
  g_tls_backend_set_default_database(backend, db);
  g_object_unref(db);
  core::log(core::log_level::info, "relay_ca_installed",
            {{"ca_file", ca_file}, {"system_bundle", system.empty() ? std::string("none") : system}});
  return std::nullopt;
}

relay::relay(control_executor control, flv_fanout& fanout, output_spec spec, relay_timing timing,
             std::function<void()> changed)
    : control_(control),
      spec_(std::move(spec)),
      timing_(timing),
      changed_(std::move(changed)),
      pipe_(control, fanout),
      watchdog_(control),
      retry_timer_(control),
      probe_timer_(control),
      resolver_(control),
      probe_socket_(control),
      backoff_(timing.backoff, std::random_device{}()) {
  status_.id = spec_.id;
  status_.name = spec_.name;
  status_.url = spec_.url;
  status_.masked_key = mask_key(spec_.key);
  status_.source = spec_.source;
  status_.state = spec_.enabled ? output_state::idle : output_state::stopped;
}

relay::~relay() {
  *alive_ = false;
  watchdog_.cancel();
  retry_timer_.cancel();
  stop_probing();
  close_pipeline();
}

std::string relay::description() const {
  std::string location = spec_.url;
  if (!location.empty() && location.back() != '/') location += '/';
  location += spec_.key;
  return flv_destination_description(location);
}

void relay::open_pipeline() {
  // The description holds the stream key: it must never reach a log line or an error text.
  pipe_.open("relay-" + spec_.id, description(), [this](const bus_event& ev) { on_bus(ev); },
             std::make_shared<flv_tap>(max_queue_bytes), [](pipeline& p, flv_tap& tap) {
               auto src = p.by_name("src");
               tap.bind(src.get());
             });
}

void relay::close_pipeline() { pipe_.close(); }

void relay::set_state(output_state s) {
  if (status_.state == s) return;
  status_.state = s;
  if (changed_) changed_();
}

void relay::start() {
  retry_timer_.cancel();
  spec_.enabled = true;
  backoff_.reset();
  ever_live_ = false;
  closes_on_publish_ = 0;
  connect();
}

void relay::stop() {
  spec_.enabled = false;
  halt();
}

void relay::halt() {
  retry_timer_.cancel();
  stop_probing();
  watchdog_.cancel();
  close_pipeline();
  status_.live_since_ms = 0;
  status_.next_retry_ms.reset();
  status_.reason.reset();
  set_state(spec_.enabled ? output_state::idle : output_state::stopped);
}

void relay::connect() {
  watchdog_.cancel();
  retry_timer_.cancel();
  stop_probing();
  status_.next_retry_ms.reset();
  try {
    open_pipeline();
  } catch (const std::exception&) {
    fail("error", "the relay pipeline could not be built");
    return;
  }
  attempt_started_ms_ = steady_ms();
  last_progress_ms_ = attempt_started_ms_;
  attempt_base_bytes_ = 0;
  last_out_bytes_ = 0;
  was_live_ = false;
  status_.live_since_ms = 0;
  set_state(output_state::connecting);
  core::log(core::log_level::info, "relay_connecting", {{"output", spec_.id}, {"url", spec_.url}});
  watch();
}

void relay::fail(const std::string& reason_in, const std::string& error_in) {
  std::string reason = reason_in, error = error_in;
  bool before_accepted = status_.state == output_state::connecting;
  watchdog_.cancel();
  close_pipeline();
  status_.live_since_ms = 0;
  // Some platforms (and nginx-rtmp's `deny publish`) answer a wrong key by hanging up right
  // after the publish instead of replying. One such close may be a platform restarting; the
  // same close on every attempt is a refused key. Only before the destination was ever live
  // since it was started: one that worked and now closes is retried like any other failure.
  if (reason == "closed" && before_accepted && !ever_live_) {
    if (++closes_on_publish_ >= timing_.closes_before_reject) {
      reason = "key_rejected";
      error = "the destination closed the connection before accepting the stream " +
              std::to_string(closes_on_publish_) + " times in a row: it refuses the stream key (" + error + ")";
    } else {
      error += " (closed before accepting the stream, " + std::to_string(closes_on_publish_) + " of " +
               std::to_string(timing_.closes_before_reject) + " before it counts as a rejected key)";
    }
  } else if (reason != "closed" || !before_accepted) {
    closes_on_publish_ = 0;
  }
  status_.reason = reason;
  status_.last_error = error;
  // A stream key the destination never accepted will not start working by retrying.
  if (reason == "key_rejected" && !was_live_) {
    status_.next_retry_ms.reset();
    core::log(core::log_level::warn, "relay_failed", {{"output", spec_.id}, {"reason", reason}, {"error", error}});
    set_state(output_state::failed);
    if (changed_) changed_();
    return;
  }
  auto delay = backoff_.next();
  retry_due_ms_ = utc_ms() + delay.count();
  status_.next_retry_ms = retry_due_ms_;
  ++status_.reconnects;
  core::log(core::log_level::warn, "relay_retrying",
            {{"output", spec_.id}, {"reason", reason}, {"error", error}, {"retry_in_ms", static_cast<long long>(delay.count())}});
  set_state(output_state::retrying);
  if (changed_) changed_();
  retry_timer_.expires_after(delay);
  auto alive = alive_;
  retry_timer_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || !*alive || !spec_.enabled) return;
    connect();
  });
  // The destination could not be reached at all: whether it is back is cheap to find out, and
  // an attempt need not wait for the backoff once it is. Failures after connecting (closed,
  // hung, error, a rejected key or certificate) keep the backoff alone.
  if (reason == "refused" || reason == "unresolved" || reason == "timeout") start_probing();
}

// ---- probes -------------------------------------------------------------------------------------
// A probe is a TCP connect to the URL's host and port, closed at once. A failed probe is
// followed by another every probe_interval. A probe that connects after one failed means the
// destination came back: a full attempt starts at once. If the very first probe connects, the
// destination's port was open all along (the failure came later: a silent server, a TLS or
// RTMP handshake that timed out), so probing says nothing new and the backoff decides.

void relay::start_probing() {
  stop_probing();
  if (!rtmp_endpoint(spec_.url)) return;  // validated URLs always parse; nothing to probe else
  probing_ = true;
  probe_saw_down_ = false;
  probe();
}

void relay::stop_probing() {
  probing_ = false;
  ++probe_generation_;
  probe_timer_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  probe_socket_.close(ignored);
}

void relay::probe() {
  auto target = rtmp_endpoint(spec_.url);
  if (!probing_ || !target) return;
  auto generation = ++probe_generation_;
  auto alive = alive_;
  // The deadline covers the lookup and the connect: a destination whose packets are dropped
  // answers nothing, and a probe must not wait for the kernel's minutes-long SYN retries.
  probe_timer_.expires_after(timing_.probe_timeout);
  probe_timer_.async_wait([this, alive, generation](boost::system::error_code ec) {
    if (ec || !*alive || generation != probe_generation_) return;
    probe_done(generation, false);
  });
  auto on_connected = [this, alive, generation](boost::system::error_code ec) {
    if (!*alive || generation != probe_generation_) return;
    probe_done(generation, !ec);
  };
  // An address needs no lookup: no resolver (whose first lookup starts a thread of Asio's that
  // stays for the life of the engine) for destinations given by IP.
  boost::system::error_code not_an_address;
  auto address = boost::asio::ip::make_address(target->host, not_an_address);
  if (!not_an_address) {
    probe_socket_.async_connect({address, target->port}, on_connected);
    return;
  }
  resolver_.async_resolve(
      target->host, std::to_string(target->port), boost::asio::ip::tcp::resolver::numeric_service,
      [this, alive, generation, on_connected](boost::system::error_code ec,
                                              boost::asio::ip::tcp::resolver::results_type results) {
        if (!*alive || generation != probe_generation_) return;
        if (ec) return probe_done(generation, false);
        boost::asio::async_connect(probe_socket_, results,
                                   [on_connected](boost::system::error_code ec, const auto&) { on_connected(ec); });
      });
}

void relay::probe_done(std::uint64_t generation, bool accepted) {
  if (!probing_ || generation != probe_generation_) return;
  ++probe_generation_;  // the rest of this probe (its deadline, a late completion) is moot
  probe_timer_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  probe_socket_.close(ignored);
  if (accepted) {
    if (probe_saw_down_) {
      core::log(core::log_level::info, "relay_probe_accepted", {{"output", spec_.id}, {"url", spec_.url}});
      connect();  // stops probing and the backoff's timer
    } else {
      stop_probing();
      status_.next_retry_ms = retry_due_ms_;
    }
    return;
  }
  probe_saw_down_ = true;
  // The countdown on the page shows the next probe: a destination that answers it is tried
  // at once. The backoff's attempt still comes if it is sooner.
  auto next_ms = utc_ms() + timing_.probe_interval.count();
  status_.next_retry_ms = std::min(next_ms, retry_due_ms_);
  auto alive = alive_;
  probe_timer_.expires_after(timing_.probe_interval);
  auto next_generation = probe_generation_;
  probe_timer_.async_wait([this, alive, next_generation](boost::system::error_code ec) {
    if (ec || !*alive || next_generation != probe_generation_) return;
    probe();
  });
}

void relay::on_bus(const bus_event& ev) {
  if (ev.kind == bus_event::error) {
    // GStreamer's text may quote the location; take the key out before it goes anywhere.
    std::string msg = hide_key(ev.message, spec_.key), dbg = hide_key(ev.debug, spec_.key);
    core::log(core::log_level::warn, "relay_error", {{"output", spec_.id}, {"element", ev.source}, {"error", msg}, {"debug", dbg}});
    fail(classify_rtmp_error(msg, dbg), msg);
  } else if (ev.kind == bus_event::eos) {
    fail("closed", "the relay pipeline ended");
  }
}

void relay::watch() {
  // While connecting, a quarter second: the page shows `live` as soon as the destination takes
  // the stream (a returning platform is reported within a probe and a tick). Once live, every
  // second is enough for the byte counters and the hung check.
  watchdog_.expires_after(status_.state == output_state::connecting ? std::chrono::milliseconds(250)
                                                                    : std::chrono::milliseconds(1000));
  auto alive = alive_;
  watchdog_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || !*alive || !pipe_.is_open()) return;
    auto sink = pipe_.get()->by_name("sink");
    GstStructure* stats = nullptr;
    if (sink) g_object_get(sink.get(), "stats", &stats, nullptr);
    std::uint64_t out = stat_u64(stats, "out-bytes-total");
    if (stats) gst_structure_free(stats);
    auto now = steady_ms();
    if (out > last_out_bytes_) {
      meter_.add(track::audio, out - last_out_bytes_, false, GST_CLOCK_TIME_NONE);
      status_.flow.bytes += out - last_out_bytes_;
      last_out_bytes_ = out;
      last_progress_ms_ = now;
    }
    auto& tap = pipe_.source();
    auto feeding = tap && now - tap->last_push_ms() < 2000;
    if (status_.state == output_state::connecting) {
      if (out >= media_flowing_bytes) {
        was_live_ = true;
        ever_live_ = true;
        closes_on_publish_ = 0;
        status_.live_since_ms = utc_ms();
        status_.reason.reset();
        core::log(core::log_level::info, "relay_live", {{"output", spec_.id}});
        set_state(output_state::live);
      } else if (now - attempt_started_ms_ > timing_.connect_timeout.count()) {
        fail("timeout", "the destination did not accept the stream within " +
                            std::to_string(timing_.connect_timeout.count() / 1000) + " s");
        return;
      }
    } else if (status_.state == output_state::live) {
      if (feeding && now - last_progress_ms_ > timing_.hung_after.count()) {
        fail("hung", "no bytes left for the destination in " + std::to_string(timing_.hung_after.count() / 1000) + " s");
        return;
      }
      if (status_.live_since_ms && utc_ms() - status_.live_since_ms > timing_.healthy_after.count()) backoff_.reset();
    }
    if (auto& tap = pipe_.source()) status_.dropped_buffers = tap->dropped();
    watch();
  });
}

output_status relay::status() const {
  output_status s = status_;
  auto f = meter_.snapshot();
  s.flow.bitrate_bps = f.bitrate_bps;
  return s;
}

std::string relay::dot() const { return pipe_.is_open() ? pipe_.get()->dot() : std::string(); }

}  // namespace samling::media
