#include "app/media_setup.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "media/relay.hpp"

namespace samling::app {

std::vector<media::stage_spec> stage_specs(const config::config& cfg, const std::vector<program::event>& events,
                                           std::vector<std::string>& errors) {
  std::vector<media::stage_spec> out;
  for (std::size_t i = 0; i < cfg.stages.size(); ++i) {
    const auto& c = cfg.stages[i];
    media::stage_spec s;
    s.id = c.id;
    s.name = c.name;
    s.event = c.event;
    if (s.event.empty() && !events.empty()) s.event = events.front().id;
    for (auto& e : events)
      if (e.id == s.event) s.slate_title = program::localized(e.title, e.languages.empty() ? "sv" : e.languages.front());
    s.room = c.room;
    s.is_public = c.is_public;
    s.visibility = c.visibility;
    s.public_at = c.public_at;
    s.autostart = c.autostart;
    s.mode = media::stage_mode_from(c.mode).value_or(media::stage_mode::passthrough);
    s.input.kind = media::input_kind_from(c.input).value_or(media::input_kind::test);
    s.input.listen = c.listen;
    s.input.port = c.port;
    s.input.passphrase = c.passphrase;
    s.input.stream_id = c.stream_id;
    s.input.latency_ms = c.latency_ms;
    s.input.url = c.url;
    s.input.file = c.file;
    s.produced.width = c.width;
    s.produced.height = c.height;
    s.produced.fps = c.fps;
    s.produced.video_kbps = c.video_kbps;
    s.produced.audio_kbps = c.audio_kbps;
    s.produced.keyframe_seconds = c.keyframe_seconds;
    s.produced.preset = c.preset;
    s.hls_segment_seconds = c.hls_segment_seconds;
    s.hls_window_seconds = c.hls_window_seconds;
    s.record = c.record;
    s.input_timeout_ms = c.input_timeout_ms;
    for (auto& o : c.outputs) s.outputs.push_back({o.id, o.name, o.url, o.key, "config", o.enabled});
    for (auto& problem : media::validate_stage(s)) errors.push_back("stages[" + std::to_string(i) + "]." + problem);
    if (!s.event.empty() && !events.empty() &&
        std::none_of(events.begin(), events.end(), [&](auto& e) { return e.id == s.event; }))
      errors.push_back("stages[" + std::to_string(i) + "].event: no event \"" + s.event + "\" in the program");
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<std::string> install_relay_trust(const config::config& cfg) {
  if (cfg.media.relay_ca_file.empty()) return std::nullopt;
  auto trust = (std::filesystem::path(cfg.media.dir) / "relay-trust.pem").string();
  if (auto problem = media::install_relay_ca(cfg.media.relay_ca_file, trust))
    return "media.relay_ca_file: " + *problem;
  return std::nullopt;
}

namespace {

// UTC seconds of an event-local "YYYY-MM-DD" + "HH:MM" in the time zone now set in TZ.
std::int64_t local_to_utc(const std::string& day, const std::string& hhmm) {
  std::tm tm{};
  if (std::sscanf(day.c_str(), "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3) return 0;
  if (std::sscanf(hhmm.c_str(), "%d:%d", &tm.tm_hour, &tm.tm_min) != 2) return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(std::mktime(&tm));
}

}  // namespace

std::vector<media::session_slot> room_schedule(const program::event& e, const std::string& room) {
  std::vector<media::session_slot> out;
  if (room.empty()) return out;
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", e.timezone.c_str(), 1);
  tzset();
  std::string lang = e.languages.empty() ? "sv" : e.languages.front();
  for (auto& s : e.sessions) {
    if (s.room_id != room) continue;
    auto start = local_to_utc(s.day, s.starts_at), end = local_to_utc(s.day, s.ends_at);
    if (start && end > start) out.push_back({start * 1000, end * 1000, program::localized(s.title, lang)});
  }
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  return out;
}

}  // namespace samling::app
