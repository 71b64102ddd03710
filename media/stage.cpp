#include "media/stage.hpp"

#include <filesystem>
#include <fstream>
#include <random>

#include <boost/asio/post.hpp>

#include "core/log.hpp"
#include "media/destination_store.hpp"

namespace samling::media {

namespace asio = boost::asio;
namespace fs = std::filesystem;

// ---- stage ----

stage::stage(control_executor control, stage_spec spec, const engine_options& opts, destination_store* destinations,
             std::function<void()> changed)
    : control_(control),
      spec_(std::move(spec)),
      opts_(opts),
      layout_(opts.dir),
      destinations_(destinations),
      changed_(std::move(changed)),
      fanout_(hub_, spec_.id),
      source_backoff_(backoff_policy{std::chrono::milliseconds(500), std::chrono::milliseconds(10000), 2.0, 0.2},
                      std::random_device{}()),
      source_timer_(control),
      input_timer_(control) {
  input_.description = describe_input(spec_.input);
  input_.kind = to_string(spec_.input.kind);
  load_outputs();
  for (auto& o : spec_.outputs)
    relays_.push_back(std::make_unique<relay>(control_, fanout_, o, opts_.relay, [this] { notify(); }));
}

stage::~stage() {
  *alive_ = false;
  stop();
}

void stage::start() {
  if (running_) return;
  running_ = true;
  started_ms_ = utc_ms();
  shown_state_ = stage_state::standby;
  state_since_ms_ = started_ms_;
  input_.state = input_state::waiting;
  input_.last_error.reset();
  auto alive = alive_;
  auto control = control_;
  ingest::events ev;
  ev.bus = [this, alive, control](bus_event e) {
    asio::post(control, [this, alive, e = std::move(e)] {
      if (*alive) on_ingest_bus(e);
    });
  };
  ev.caller_added = [this, alive, control] {
    asio::post(control, [this, alive] {
      if (!*alive) return;
      ++input_.connections;
      ++callers_;
      last_source_restart_ms_ = steady_ms();  // the silence watch counts from here
      input_.connected_since_ms = utc_ms();
      core::log(core::log_level::info, "stage_caller_connected", {{"stage", spec_.id}});
      notify();
    });
  };
  ev.caller_removed = [this, alive, control] {
    asio::post(control, [this, alive] {
      if (!*alive || !running_) return;
      if (callers_ > 0) --callers_;
      core::log(core::log_level::info, "stage_caller_left", {{"stage", spec_.id}, {"callers", static_cast<long long>(callers_)}});
      // A caller that vanished is only noticed after SRT's peer timeout (5 s); a new caller
      // may be sending by then, and keeps its connection. With nobody left: a fresh listener
      // for the next caller (the demuxer starts clean; the keyframe gate is downstream).
      if (callers_ == 0) {
        input_.connected_since_ms = 0;
        renew_source("the caller left");
      }
      notify();
    });
  };
  ev.slate_changed = [this, alive, control] {
    asio::post(control, [this, alive] {
      if (*alive && running_) follow_state();
    });
  };
  ev.caller_refused = [this, alive, control](const std::string& reason, const std::string& detail) {
    asio::post(control, [this, alive, reason, detail] {
      if (*alive) caller_rejected(reason, detail);
    });
  };
  hls_ = std::make_unique<hls_output>(control_, hub_, clock_, layout_.hls_dir(spec_.id), spec_.hls_segment_seconds,
                                      spec_.hls_window_seconds, [this] { notify(); });
  hls_->start();
  if (spec_.record) {
    recorder_ = std::make_unique<recorder>(control_, hub_, layout_.recordings_dir(spec_.id), [this] { notify(); });
    recorder_->set_schedule(schedule_);
    recorder_->start();
  }
  for (auto& r : relays_)
    if (r->spec().enabled) r->start();
  ingest_ = std::make_unique<ingest>(control_, spec_, hub_, clock_, std::move(ev));
  try {
    ingest_->start();
  } catch (const std::exception& e) {
    input_.state = input_state::failed;
    input_.last_error = e.what();
    core::log(core::log_level::error, "stage_input_failed", {{"stage", spec_.id}, {"error", e.what()}});
    restart_source_later(e.what());
  }
  watch_input();
  core::log(core::log_level::info, "stage_started",
            {{"stage", spec_.id}, {"mode", to_string(spec_.mode)}, {"input", input_.description}});
  notify();
}

void stage::stop() {
  if (!running_) return;
  running_ = false;
  source_timer_.cancel();
  input_timer_.cancel();
  if (ingest_) ingest_->stop();
  ingest_.reset();
  for (auto& r : relays_) r->halt();  // not an organizer's stop: it restarts with the stage
  if (hls_) hls_->stop();
  hls_.reset();
  if (recorder_) recorder_->stop();
  recorder_.reset();
  hub_.clear_cache();
  input_.state = input_state::idle;
  input_.connected_since_ms = 0;
  callers_ = 0;
  shown_state_ = stage_state::offline;
  state_since_ms_ = utc_ms();
  core::log(core::log_level::info, "stage_stopped", {{"stage", spec_.id}});
  notify();
}

// An SRT caller that vanished (crash, network gone) is only dropped by SRT after its 5 s peer
// timeout, and srtsrc accepts no other caller meanwhile. So once the feed has been silent for
// 3 s (or input_timeout_ms, if longer), the listener is renewed: an encoder that reconnects
// finds it free (OBS retries until it gets through). Not sooner: renewing drops a caller
// that was only having a hiccup, and ffmpeg-like senders do not reconnect by themselves.
//
// It also tells the page as soon as the picture changes: the input lost or back (the slate
// itself is told by the ticker that puts it on air), checked every 100 ms.
void stage::watch_input() {
  input_timer_.expires_after(std::chrono::milliseconds(100));
  auto alive = alive_;
  input_timer_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || !*alive || !running_) return;
    follow_state();
    if (spec_.input.kind == input_kind::srt_listener && ingest_ && ingest_->running() && callers_ > 0) {
      auto silent_ms = steady_ms() - std::max(ingest_->last_source_video_ms(), last_source_restart_ms_);
      if (silent_ms > std::max<std::int64_t>(spec_.input_timeout_ms, 3000)) {
        core::log(core::log_level::info, "stage_listener_renewed", {{"stage", spec_.id}, {"silent_ms", static_cast<long long>(silent_ms)}});
        callers_ = 0;
        input_.connected_since_ms = 0;
        renew_source("the feed went silent");
        notify();
      }
    }
    watch_input();
  });
}

void stage::on_ingest_bus(const bus_event& ev) {
  if (!running_ || !ingest_) return;
  bool from_encoder = ev.source.find("encoder-") != std::string::npos;
  if (ev.kind == bus_event::error) {
    core::log(core::log_level::warn, "stage_input_error",
              {{"stage", spec_.id}, {"element", ev.source}, {"error", ev.message}, {"debug", ev.debug}});
    input_.last_error = ev.message;
    if (from_encoder) {
      // The encoder itself failed: rebuild the whole input side.
      ingest_->stop();
      input_.state = input_state::failed;
      restart_source_later(ev.message);
      return;
    }
    input_.state = input_state::failed;
    restart_source_later(ev.message);
    notify();
  } else if (ev.kind == bus_event::eos && !from_encoder) {
    if (spec_.input.kind == input_kind::file) {
      renew_source("the file ended");  // the loop: play it again
    } else {
      input_.last_error = "the input ended";
      restart_source_later("the input ended");
    }
  } else if (ev.kind == bus_event::warning) {
    core::log(core::log_level::warn, "stage_input_warning",
              {{"stage", spec_.id}, {"element", ev.source}, {"warning", ev.message}});
  }
}

void stage::restart_source_later(const std::string& why) {
  auto delay = source_backoff_.next();
  source_timer_.expires_after(delay);
  auto alive = alive_;
  core::log(core::log_level::info, "stage_input_restart",
            {{"stage", spec_.id}, {"reason", why}, {"in_ms", static_cast<long long>(delay.count())}});
  source_timer_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || !*alive || !running_) return;
    try {
      if (!ingest_->running()) ingest_->start();
      else ingest_->restart_source();
      input_.state = input_state::waiting;
    } catch (const std::exception& e) {
      input_.state = input_state::failed;
      input_.last_error = e.what();
      restart_source_later(e.what());
    }
    notify();
  });
}

// Rebuilds the source pipeline now; if that fails, reports it and retries with backoff.
void stage::renew_source(const std::string& why) {
  last_source_restart_ms_ = steady_ms();
  if (!ingest_) return;
  try {
    ingest_->restart_source();
  } catch (const std::exception& e) {
    input_.state = input_state::failed;
    input_.last_error = e.what();
    core::log(core::log_level::warn, "stage_input_failed", {{"stage", spec_.id}, {"after", why}, {"error", e.what()}});
    restart_source_later(e.what());
  }
}

void stage::caller_rejected(const std::string& reason, const std::string& detail) {
  if (spec_.input.kind != input_kind::srt_listener) return;
  ++input_.rejected_callers;
  ++input_.rejected_by_reason[reason];
  input_.last_rejection = caller_rejection{reason, detail, utc_ms()};
  input_.last_error = "an SRT caller was refused: " + detail;
  core::log(core::log_level::warn, "stage_caller_rejected", {{"stage", spec_.id}, {"reason", reason}, {"detail", detail}});
  notify();
}

stage_status stage::status() const {
  stage_status s;
  s.id = spec_.id;
  s.name = spec_.name;
  s.room = spec_.room;
  s.event = spec_.event;
  s.is_public = spec_.is_public;
  s.visibility = spec_.visibility;
  s.public_at = spec_.public_at;
  s.mode = spec_.mode;
  s.running = running_;
  s.started_ms = running_ ? started_ms_ : 0;
  s.input = input_;
  s.hls_url = "/live/" + spec_.id + "/index.m3u8";
  s.record = spec_.record;
  if (ingest_) {
    s.input.flow = ingest_->input_meter().snapshot();
    bool fresh = input_fresh();
    if (fresh) s.input.state = input_state::connected;
    else if (s.input.state == input_state::connected) s.input.state = input_state::waiting;
    s.slate_switches = ingest_->slate_switches();
  }
  s.state = status_state();
  s.state_since_ms = state_since_ms_;
  s.program = hub_.meter().snapshot();
  if (hls_) s.hls_segments = hls_->segments_written();
  if (recorder_ && recorder_->recording()) s.recording_file = recorder_->current_file();
  for (auto& r : relays_) s.outputs.push_back(r->status());
  return s;
}

// Tells the page when what viewers see changes (live, the slate or nothing, offline), with
// the time it changed: called as the slate switches and every 100 ms (input lost or back,
// the first HLS segment).
void stage::follow_state() {
  auto now = status_state();
  if (now == shown_state_) return;
  shown_state_ = now;
  state_since_ms_ = utc_ms();
  core::log(core::log_level::info, "stage_state", {{"stage", spec_.id}, {"state", to_string(now)}});
  notify();
}

stage_state stage::status_state() const {
  if (!running_) return stage_state::offline;
  if (!ingest_) return stage_state::standby;
  // Produced: what is on air, as the ticker decided it (the same frame the slate went out).
  bool on_air = spec_.mode == stage_mode::produced ? !ingest_->slate_on_air() : input_fresh();
  // "live" means watchable: until the first HLS segment is out, a starting stage is on standby.
  if (on_air && hls_ && hls_->segments_written() == 0) on_air = false;
  return on_air ? stage_state::live : stage_state::standby;
}

bool stage::input_fresh() const {
  return ingest_ && steady_ms() - ingest_->last_source_video_ms() <= static_cast<std::int64_t>(spec_.input_timeout_ms);
}

relay* stage::find_relay(const std::string& id) const {
  for (auto& r : relays_)
    if (r->spec().id == id) return r.get();
  return nullptr;
}

std::optional<output_status> stage::output(const std::string& id) const {
  if (auto* r = find_relay(id)) return r->status();
  return std::nullopt;
}

std::optional<std::string> stage::add_output(output_spec o) {
  if (relays_.size() >= 16) return "a stage has at most 16 destinations";
  if (o.id.empty()) {
    std::string base = slugify(o.name, 30);
    o.id = base;
    for (int n = 2; find_relay(o.id); ++n) o.id = base + "-" + std::to_string(n);
  } else if (find_relay(o.id)) {
    return "a destination with id \"" + o.id + "\" exists";
  }
  o.source = "api";
  o.enabled = true;
  if (auto e = validate_output(o)) return *e;
  relays_.push_back(std::make_unique<relay>(control_, fanout_, o, opts_.relay, [this] { notify(); }));
  if (running_) relays_.back()->start();
  core::log(core::log_level::info, "output_added", {{"stage", spec_.id}, {"output", o.id}, {"url", o.url}});
  save_outputs();
  notify();
  return std::nullopt;
}

std::optional<std::string> stage::remove_output(const std::string& id) {
  auto it = std::find_if(relays_.begin(), relays_.end(), [&](auto& r) { return r->spec().id == id; });
  if (it == relays_.end()) return "no destination \"" + id + "\"";
  (*it)->stop();
  relays_.erase(it);
  core::log(core::log_level::info, "output_removed", {{"stage", spec_.id}, {"output", id}});
  save_outputs();
  notify();
  return std::nullopt;
}

std::optional<std::string> stage::stop_output(const std::string& id) {
  auto* r = find_relay(id);
  if (!r) return "no destination \"" + id + "\"";
  r->stop();
  save_outputs();
  notify();
  return std::nullopt;
}

std::optional<std::string> stage::start_output(const std::string& id) {
  auto* r = find_relay(id);
  if (!r) return "no destination \"" + id + "\"";
  if (!running_) {
    r->enable();
    save_outputs();
    notify();
    return std::nullopt;  // starts with the stage
  }
  r->start();
  save_outputs();
  notify();
  return std::nullopt;
}

void stage::set_schedule(std::vector<session_slot> schedule) {
  schedule_ = std::move(schedule);
  if (recorder_) recorder_->set_schedule(schedule_);
}

std::vector<recording_file> stage::recordings() const {
  if (recorder_) return recorder_->list();
  recorder probe(control_, const_cast<hub&>(hub_), layout_.recordings_dir(spec_.id), {});
  return probe.list();
}

std::string stage::dot() const {
  std::string out;
  if (ingest_) out += ingest_->dot();
  if (hls_) out += hls_->dot();
  if (recorder_) out += recorder_->dot();
  for (auto& r : relays_) out += r->dot();
  // GStreamer prints every property, the stream key in rtmp2sink's location among them.
  for (auto& r : relays_) out = hide_key(std::move(out), r->spec().key);
  return out;
}

// Destinations: those from the configuration come from it at every start (an organizer's
// stop is remembered); those added through the API are kept whole (with their stream keys) in
// the destination store, so a restart does not lose them. Saved before the organizer's action
// is answered.
void stage::save_outputs() const {
  if (!destinations_) return;
  std::vector<output_spec> all;
  for (auto& r : relays_) all.push_back(kept_part(r->spec()));
  try {
    destinations_->save(spec_.id, all);
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "outputs_save_failed", {{"stage", spec_.id}, {"error", e.what()}});
  }
}

void stage::load_outputs() {
  std::vector<output_spec> saved;
  try {
    if (destinations_) saved = destinations_->load(spec_.id);
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "outputs_load_failed", {{"stage", spec_.id}, {"error", e.what()}});
  }
  import_legacy_outputs(saved);
  for (auto& o : saved) {
    if (o.source == "api") {
      if (!validate_output(o) &&
          std::none_of(spec_.outputs.begin(), spec_.outputs.end(), [&](auto& x) { return x.id == o.id; }))
        spec_.outputs.push_back(o);
    } else {
      for (auto& c : spec_.outputs)
        if (c.id == o.id) c.enabled = o.enabled;
    }
  }
}

// Before issue 14 the destinations were kept in <media.dir>/outputs/<stage>.json. Such a file
// is imported into the store once (it replaces what the store held for the stage: a file
// still there is newer than any import) and renamed to <stage>.json.imported, so it is never
// read again; the operator deletes it (it holds stream keys).
void stage::import_legacy_outputs(std::vector<output_spec>& saved) {
  auto path = layout_.legacy_outputs_file(spec_.id);
  std::ifstream in(path, std::ios::binary);
  if (!in || !destinations_) return;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  auto legacy = parse_legacy_outputs(text);
  if (!legacy) {
    core::log(core::log_level::error, "outputs_load_failed", {{"stage", spec_.id}, {"path", path}});
    return;
  }
  saved = *legacy;
  try {
    destinations_->save(spec_.id, *legacy);
  } catch (const std::exception& e) {
    // Used this time all the same; the import is tried again at the next start.
    core::log(core::log_level::error, "outputs_import_failed", {{"stage", spec_.id}, {"path", path}, {"error", e.what()}});
    return;
  }
  std::error_code ec;
  fs::rename(path, path + ".imported", ec);
  core::log(ec ? core::log_level::error : core::log_level::info, "outputs_imported",
            {{"stage", spec_.id}, {"from", path}, {"destinations", static_cast<long long>(legacy->size())},
             {"renamed_to", ec ? std::string("(rename failed: ") + ec.message() + ")" : path + ".imported"}});
}

}  // namespace samling::media
