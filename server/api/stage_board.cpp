#include "api/stage_board.hpp"

#include <chrono>
#include <cstdio>

#include <boost/json.hpp>

#include "api/stage_json.hpp"
#include "media/srt_refusals.hpp"
#include "protocol/frames.hpp"

namespace samling::api {

namespace json = boost::json;

void stage_board::set_clock(std::function<std::int64_t()> now_seconds) { clock_ = std::move(now_seconds); }

std::int64_t stage_board::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void stage_board::update(const media::stage_status& s) {
  // Writers one at a time (the media thread's status, the viewers' tick): each keeps the
  // other's latest value. Readers take only m_.
  std::lock_guard writing(publish_m_);
  std::size_t viewers = 0;
  {
    std::lock_guard lock(m_);
    if (auto it = stages_.find(s.id); it != stages_.end()) viewers = it->second.viewers;
  }
  publish(s, viewers);
}

void stage_board::set_viewers(const std::string& id, std::size_t viewers) {
  std::lock_guard writing(publish_m_);
  media::stage_status s;
  {
    std::lock_guard lock(m_);
    auto it = stages_.find(id);
    if (it == stages_.end() || it->second.viewers == viewers) return;
    s = it->second.status;
  }
  publish(s, viewers);
}

std::size_t stage_board::viewers(const std::string& id) const {
  std::lock_guard lock(m_);
  auto it = stages_.find(id);
  return it == stages_.end() ? 0 : it->second.viewers;
}

void stage_board::publish(const media::stage_status& s, std::size_t viewers) {
  auto pub = stage_object(s, false, viewers);
  auto full = stage_object(s, true, viewers);
  auto pub_json = std::make_shared<const std::string>(json::serialize(pub));
  auto full_json = std::make_shared<const std::string>(json::serialize(full));
  auto pub_frame = protocol::event(protocol::stage_event{*pub_json});
  auto full_frame = protocol::event(protocol::stage_event{*full_json});
  std::vector<watcher> targets;
  auto rule = rule_of(s);
  {
    std::lock_guard lock(m_);
    if (!stages_.count(s.id)) order_.push_back(s.id);
    stages_[s.id] = {std::move(pub_json), std::move(full_json), s.event, rule, s, viewers};
    std::erase_if(watchers_, [](const watcher& w) { return w.sink.expired(); });
    targets = watchers_;
  }
  std::string key = "stage:" + s.id;
  // Everyone else gets the stages public at this moment (an embargoed one from its public_at on).
  bool is_public = rule.at(now()) == press::visibility::public_;
  for (auto& w : targets) {
    bool staff = w.staff && w.event == s.event;
    if (!staff && !is_public) continue;
    if (auto sink = w.sink.lock()) sink->send(staff ? full_frame : pub_frame, key);
  }
}

std::string stage_board::list(bool staff, const std::string& event) const {
  return list([staff, &event](const std::string& e) { return staff && e == event; });
}

std::string stage_board::list(const std::function<bool(const std::string& event)>& staff_of) const {
  auto t = now();
  return list_with([&staff_of, t](const stage_ref& s) {
    if (staff_of(s.event)) return stage_view::staff_view;
    return s.rule.at(t) == press::visibility::public_ ? stage_view::public_view : stage_view::none;
  });
}

std::string stage_board::list_with(const std::function<stage_view(const stage_ref&)>& view_of) const {
  std::vector<std::shared_ptr<const std::string>> chosen;  // kept alive outside the lock
  {
    std::lock_guard lock(m_);
    for (auto& id : order_) {
      auto& e = stages_.at(id);
      auto view = view_of(stage_ref{id, e.event, e.rule});
      if (view == stage_view::none) continue;
      chosen.push_back(view == stage_view::staff_view ? e.full_json : e.public_json);
    }
  }
  std::vector<std::string_view> views(chosen.size());
  for (std::size_t i = 0; i < chosen.size(); ++i) views[i] = *chosen[i];
  return protocol::stage_list(views);
}

std::optional<std::string> stage_board::one(const std::string& id, bool staff) const {
  auto t = now();
  return one_with(id, [staff, t](const stage_ref& s) {
    if (staff) return stage_view::staff_view;
    return s.rule.at(t) == press::visibility::public_ ? stage_view::public_view : stage_view::none;
  });
}

std::optional<std::string> stage_board::one_with(const std::string& id,
                                                 const std::function<stage_view(const stage_ref&)>& view_of) const {
  std::lock_guard lock(m_);
  auto it = stages_.find(id);
  if (it == stages_.end()) return std::nullopt;
  switch (view_of(stage_ref{it->first, it->second.event, it->second.rule})) {
    case stage_view::staff_view: return *it->second.full_json;
    case stage_view::public_view: return *it->second.public_json;
    case stage_view::none: break;
  }
  return std::nullopt;
}

bool stage_board::exists(const std::string& id) const {
  std::lock_guard lock(m_);
  return stages_.count(id) > 0;
}

bool stage_board::is_public(const std::string& id) const {
  auto r = rule(id);
  return r && r->at(now()) == press::visibility::public_;
}

std::optional<press::access_rule> stage_board::rule(const std::string& id) const {
  std::lock_guard lock(m_);
  auto it = stages_.find(id);
  if (it == stages_.end()) return std::nullopt;
  return it->second.rule;
}

std::string stage_board::event_of(const std::string& id) const {
  std::lock_guard lock(m_);
  auto it = stages_.find(id);
  return it == stages_.end() ? std::string() : it->second.event;
}

void stage_board::watch(std::weak_ptr<net::ws_sink> sink, bool staff, std::string event) {
  std::lock_guard lock(m_);
  for (auto& w : watchers_)
    if (!w.sink.owner_before(sink) && !sink.owner_before(w.sink)) return;  // already watching
  watchers_.push_back({std::move(sink), staff, std::move(event)});
}

namespace {

std::string label_value(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out;
}

}  // namespace

std::string stage_board::metrics_text() const {
  std::lock_guard lock(m_);
  if (stages_.empty()) return {};
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  auto line = [&](const char* name, const std::string& labels, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out += std::string(name) + "{" + labels + "} " + buf + "\n";
  };
  auto each_stage = [&](auto fn) {
    for (auto& id : order_) fn("stage=\"" + label_value(id) + "\"", stages_.at(id).status);
  };
  auto each_output = [&](auto fn) {
    for (auto& id : order_)
      for (auto& o : stages_.at(id).status.outputs)
        fn("stage=\"" + label_value(id) + "\",output=\"" + label_value(o.id) + "\"", o);
  };
  family("samling_stage_state", "gauge", "1 for the stage's current state (offline, standby, live).");
  each_stage([&](const std::string& l, const media::stage_status& s) {
    for (auto st : {media::stage_state::offline, media::stage_state::standby, media::stage_state::live})
      line("samling_stage_state", l + ",state=\"" + media::to_string(st) + "\"", s.state == st ? 1 : 0);
  });
  family("samling_stage_viewers", "gauge", "Distinct HLS clients (address + User-Agent) of the stage in the last 30 s.");
  for (auto& id : order_) line("samling_stage_viewers", "stage=\"" + label_value(id) + "\"", static_cast<double>(stages_.at(id).viewers));
  family("samling_stage_input_bytes_total", "counter", "Bytes received from the stage's input.");
  each_stage([&](const auto& l, const auto& s) { line("samling_stage_input_bytes_total", l, static_cast<double>(s.input.flow.bytes)); });
  family("samling_stage_input_bitrate_bps", "gauge", "Input bitrate over the last seconds.");
  each_stage([&](const auto& l, const auto& s) { line("samling_stage_input_bitrate_bps", l, s.input.flow.bitrate_bps); });
  family("samling_stage_input_frames_total", "counter", "Video frames received from the input.");
  each_stage([&](const auto& l, const auto& s) { line("samling_stage_input_frames_total", l, static_cast<double>(s.input.flow.video_frames)); });
  family("samling_stage_input_keyframe_interval_seconds", "gauge", "Last measured keyframe interval of the input.");
  each_stage([&](const auto& l, const auto& s) {
    line("samling_stage_input_keyframe_interval_seconds", l, s.input.flow.keyframe_interval_ms.value_or(0) / 1000.0);
  });
  family("samling_stage_input_rejected_callers_total", "counter", "SRT callers refused, by reason.");
  each_stage([&](const std::string& l, const media::stage_status& s) {
    // Every known reason from zero (a counter that appears only with its first refusal hides
    // the step from rate()); a reason outside the list still gets its line.
    std::map<std::string, std::uint64_t> by = s.input.rejected_by_reason;
    for (const char* r : {media::srt_refusals::no_passphrase, media::srt_refusals::wrong_passphrase,
                          media::srt_refusals::unexpected_passphrase, media::srt_refusals::wrong_stream_id,
                          media::srt_refusals::other})
      by.try_emplace(r, 0);
    for (auto& [reason, n] : by)
      line("samling_stage_input_rejected_callers_total", l + ",reason=\"" + label_value(reason) + "\"", static_cast<double>(n));
  });
  family("samling_stage_slate_switches_total", "counter", "Times the standby slate went on air.");
  each_stage([&](const auto& l, const auto& s) { line("samling_stage_slate_switches_total", l, static_cast<double>(s.slate_switches)); });
  family("samling_stage_hls_segments_total", "counter", "HLS segments written.");
  each_stage([&](const auto& l, const auto& s) { line("samling_stage_hls_segments_total", l, static_cast<double>(s.hls_segments)); });
  family("samling_stage_output_state", "gauge", "1 for the destination's current state.");
  each_output([&](const std::string& l, const media::output_status& o) {
    for (auto st : {media::output_state::idle, media::output_state::connecting, media::output_state::live,
                    media::output_state::retrying, media::output_state::failed, media::output_state::stopped})
      line("samling_stage_output_state", l + ",state=\"" + media::to_string(st) + "\"", o.state == st ? 1 : 0);
  });
  family("samling_stage_output_bytes_total", "counter", "Bytes sent to the destination.");
  each_output([&](const auto& l, const auto& o) { line("samling_stage_output_bytes_total", l, static_cast<double>(o.flow.bytes)); });
  family("samling_stage_output_bitrate_bps", "gauge", "Bitrate to the destination over the last seconds.");
  each_output([&](const auto& l, const auto& o) { line("samling_stage_output_bitrate_bps", l, o.flow.bitrate_bps); });
  family("samling_stage_output_reconnects_total", "counter", "Reconnect attempts to the destination.");
  each_output([&](const auto& l, const auto& o) { line("samling_stage_output_reconnects_total", l, static_cast<double>(o.reconnects)); });
  family("samling_stage_output_dropped_buffers_total", "counter", "Buffers dropped because the destination fell behind.");
  each_output([&](const auto& l, const auto& o) { line("samling_stage_output_dropped_buffers_total", l, static_cast<double>(o.dropped_buffers)); });
  return out;
}

}  // namespace samling::api
