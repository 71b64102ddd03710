#include "api/stage_json.hpp"

#include <algorithm>
#include <chrono>

#include <boost/json.hpp>

namespace samling::api {

namespace json = boost::json;

namespace {

json::value opt(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

json::object flow_json(const media::flow_stats& f) {
  json::object o{{"bytes", f.bytes}, {"frames", f.video_frames}, {"keyframes", f.keyframes},
                 {"bitrate_bps", static_cast<std::int64_t>(f.bitrate_bps)}};
  o["keyframe_interval_ms"] =
      f.keyframe_interval_ms ? json::value(static_cast<std::int64_t>(*f.keyframe_interval_ms)) : json::value(nullptr);
  return o;
}

json::object names_json(const std::map<std::string, std::string>& names) {
  json::object o;
  for (auto& [k, v] : names) o[k] = v;
  return o;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

json::object output_object(const media::output_status& o) {
  json::object j{{"id", o.id},
                 {"name", o.name},
                 {"url", o.url},
                 {"key", o.masked_key},
                 {"source", o.source},
                 {"state", media::to_string(o.state)},
                 {"reason", opt(o.reason)},
                 {"last_error", opt(o.last_error)},
                 {"bitrate_bps", static_cast<std::int64_t>(o.flow.bitrate_bps)},
                 {"bytes", o.flow.bytes},
                 {"reconnects", o.reconnects},
                 {"dropped_buffers", o.dropped_buffers},
                 {"uptime_ms", o.live_since_ms ? now_ms() - o.live_since_ms : 0}};
  j["next_retry_ms"] = o.next_retry_ms ? json::value(std::max<std::int64_t>(0, *o.next_retry_ms - now_ms())) : json::value(nullptr);
  return j;
}

}  // namespace

press::access_rule rule_of(const media::stage_status& s) {
  press::access_rule r;
  r.level = press::visibility_from_string(s.visibility).value_or(press::visibility::press);
  if (r.level == press::visibility::public_ && !s.is_public) r.level = press::visibility::press;
  r.public_at = r.level == press::visibility::public_ ? 0 : s.public_at;
  return r;
}

std::string output_json(const media::output_status& o) { return json::serialize(output_object(o)); }

std::string stage_json(const media::stage_status& s, bool full, std::size_t viewers) {
  return json::serialize(stage_object(s, full, viewers));
}

json::object stage_object(const media::stage_status& s, bool full, std::size_t viewers) {
  auto rule = rule_of(s);
  json::object j{{"id", s.id},
                 {"name", names_json(s.name)},
                 {"room", s.room.empty() ? json::value(nullptr) : json::value(s.room)},
                 {"public", s.is_public},
                 {"visibility", press::to_string(rule.level)},
                 {"public_at", rule.public_at > 0 ? json::value(rule.public_at) : json::value(nullptr)},
                 {"state", media::to_string(s.state)},
                 {"state_since_ms", s.state_since_ms},
                 {"hls", s.hls_url},
                 {"viewers", static_cast<std::uint64_t>(viewers)}};
  if (!full) return j;
  j["event"] = s.event;
  j["mode"] = media::to_string(s.mode);
  j["running"] = s.running;
  j["uptime_ms"] = s.started_ms ? now_ms() - s.started_ms : 0;
  json::object in{{"kind", s.input.kind},
                  {"url", s.input.description},
                  {"state", media::to_string(s.input.state)},
                  {"last_error", opt(s.input.last_error)},
                  {"connections", s.input.connections},
                  {"rejected_callers", s.input.rejected_callers},
                  {"last_rejection", s.input.last_rejection
                                         ? json::value(json::object{{"reason", s.input.last_rejection->reason},
                                                                    {"detail", s.input.last_rejection->detail},
                                                                    {"at_ms", s.input.last_rejection->at_ms}})
                                         : json::value(nullptr)},
                  {"uptime_ms", s.input.connected_since_ms ? now_ms() - s.input.connected_since_ms : 0}};
  auto f = flow_json(s.input.flow);
  for (auto& [k, v] : f) in[k] = v;
  in["bitrate_bps"] = f["bitrate_bps"];
  j["input"] = std::move(in);
  j["program"] = flow_json(s.program);
  j["hls_segments"] = s.hls_segments;
  j["recording"] = json::object{{"enabled", s.record},
                                {"state", s.recording_file ? "recording" : "off"},
                                {"file", opt(s.recording_file)}};
  j["slate_switches"] = s.slate_switches;
  json::array outs;
  for (auto& o : s.outputs) outs.push_back(output_object(o));
  j["outputs"] = std::move(outs);
  return j;
}

}  // namespace samling::api
