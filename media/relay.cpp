#include "media/relay.hpp"

#include <random>

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

std::string classify_rtmp_error(const std::string& message, const std::string& debug) {
  std::string all = message + " " + debug;
  if (contains(all, "refused")) return "refused";
  if (contains(all, "timed out") || contains(all, "timeout")) return "timeout";
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

relay::relay(control_executor control, flv_fanout& fanout, output_spec spec, relay_timing timing,
             std::function<void()> changed)
    : control_(control),
      spec_(std::move(spec)),
      timing_(timing),
      changed_(std::move(changed)),
      pipe_(control, fanout),
      watchdog_(control),
      retry_timer_(control),
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
  connect();
}

void relay::stop() {
  spec_.enabled = false;
  halt();
}

void relay::halt() {
  retry_timer_.cancel();
  watchdog_.cancel();
  close_pipeline();
  status_.live_since_ms = 0;
  status_.next_retry_ms.reset();
  status_.reason.reset();
  set_state(spec_.enabled ? output_state::idle : output_state::stopped);
}

void relay::connect() {
  watchdog_.cancel();
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

void relay::fail(const std::string& reason, const std::string& error) {
  watchdog_.cancel();
  close_pipeline();
  status_.live_since_ms = 0;
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
  status_.next_retry_ms = utc_ms() + delay.count();
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
  watchdog_.expires_after(std::chrono::seconds(1));
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
