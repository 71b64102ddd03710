#include "api/stages_api.hpp"

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <ctime>
#include <sys/stat.h>

#include <boost/json.hpp>

#include "core/log.hpp"
#include "media/recording_plan.hpp"
#include "media/srt_refusals.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using core::errc;
using net::request;
using net::response;

// ---- JSON ----

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

std::string output_json(const media::output_status& o) { return json::serialize(output_object(o)); }

std::string stage_json(const media::stage_status& s, bool full) {
  json::object j{{"id", s.id},
                 {"name", names_json(s.name)},
                 {"room", s.room.empty() ? json::value(nullptr) : json::value(s.room)},
                 {"public", s.is_public},
                 {"state", media::to_string(s.state)},
                 {"state_since_ms", s.state_since_ms},
                 {"hls", s.hls_url}};
  if (!full) return json::serialize(j);
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
  return json::serialize(j);
}

// ---- board ----

void stage_board::update(const media::stage_status& s) {
  auto pub = std::make_shared<const std::string>(stage_json(s, false));
  auto full = std::make_shared<const std::string>(stage_json(s, true));
  std::vector<watcher> targets;
  {
    std::lock_guard lock(m_);
    if (!stages_.count(s.id)) order_.push_back(s.id);
    stages_[s.id] = {pub, full, s.event, s.is_public, s};
    std::erase_if(watchers_, [](const watcher& w) { return w.sink.expired(); });
    targets = watchers_;
  }
  auto pub_frame = std::make_shared<const std::string>(R"({"type":"stage","stage":)" + *pub + "}");
  auto full_frame = std::make_shared<const std::string>(R"({"type":"stage","stage":)" + *full + "}");
  std::string key = "stage:" + s.id;
  for (auto& w : targets) {
    bool staff = w.staff && w.event == s.event;
    if (!staff && !s.is_public) continue;
    if (auto sink = w.sink.lock()) sink->send(staff ? full_frame : pub_frame, key);
  }
}

std::string stage_board::list(bool staff, const std::string& event) const {
  std::lock_guard lock(m_);
  std::string out = R"({"stages":[)";
  bool first = true;
  for (auto& id : order_) {
    auto& e = stages_.at(id);
    bool full = staff && e.event == event;
    if (!full && !e.is_public) continue;
    if (!first) out += ',';
    first = false;
    out += full ? *e.full_json : *e.public_json;
  }
  return out + "]}";
}

std::optional<std::string> stage_board::one(const std::string& id, bool staff) const {
  std::lock_guard lock(m_);
  auto it = stages_.find(id);
  if (it == stages_.end()) return std::nullopt;
  if (staff) return *it->second.full_json;
  if (!it->second.is_public) return std::nullopt;
  return *it->second.public_json;
}

bool stage_board::exists(const std::string& id) const {
  std::lock_guard lock(m_);
  return stages_.count(id) > 0;
}

bool stage_board::is_public(const std::string& id) const {
  std::lock_guard lock(m_);
  auto it = stages_.find(id);
  return it != stages_.end() && it->second.is_public;
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

// ---- HTTP ----

namespace {

// The caller, from "Authorization: Bearer TOKEN" or "?token=TOKEN" (download links).
struct caller {
  std::optional<auth::claims> claims;
  errc error = errc::ok;
  bool staff_of(const std::string& event) const {
    return claims && claims->event == event &&
           (claims->role == auth::role::organizer || claims->role == auth::role::moderator);
  }
  bool organizer_of(const std::string& event) const {
    return claims && claims->event == event && claims->role == auth::role::organizer;
  }
};

std::string query_param(const std::string& query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto amp = query.find('&', pos);
    std::string_view part(query.data() + pos, (amp == std::string::npos ? query.size() : amp) - pos);
    if (part.substr(0, name.size()) == name && part.size() > name.size() && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));  // tokens are base64url: nothing to decode
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

caller identify(const stages_context* ctx, const request& r) {
  caller c;
  std::string token;
  auto h = r.header("authorization");
  if (h.size() > 7 && (h.substr(0, 7) == "Bearer " || h.substr(0, 7) == "bearer ")) token = std::string(h.substr(7));
  else token = query_param(r.query, "token");
  if (token.empty() || !ctx->keys) return c;
  auto v = ctx->keys->verify(token, now_ms() / 1000);
  if (auto* cl = std::get_if<auth::claims>(&v)) c.claims = *cl;
  else c.error = errc::unauthorized;
  return c;
}

response text_error(errc e, std::string message) { return net::json_error(e, message); }

// Common prelude of the organizer's actions: media on, the stage exists, an organizer of its
// event. Returns an error response, or nullopt to go on.
std::optional<response> require_organizer(const stages_context* ctx, const request& r, const std::string& id) {
  if (!ctx->engine) return text_error(errc::media_disabled, "");
  if (!ctx->board->exists(id)) return text_error(errc::no_such_stage, "No stage \"" + id + "\".");
  auto c = identify(ctx, r);
  if (!c.claims) return text_error(errc::unauthorized, c.error == errc::ok ? "" : "The token does not verify.");
  if (!c.organizer_of(ctx->board->event_of(id)))
    return text_error(errc::forbidden, "Only the event's organizers may change its stages.");
  return std::nullopt;
}

asio::awaitable<response> list_stages(const stages_context* ctx, request r) {
  auto c = identify(ctx, r);
  if (c.error != errc::ok) co_return text_error(c.error, "The token does not verify.");
  std::string event = c.claims ? c.claims->event : std::string();
  bool staff = c.claims && (c.claims->role == auth::role::organizer || c.claims->role == auth::role::moderator);
  co_return net::json_response(ctx->board->list(staff, event));
}

asio::awaitable<response> get_stage(const stages_context* ctx, request r) {
  auto id = r.params["id"];
  auto c = identify(ctx, r);
  if (c.error != errc::ok) co_return text_error(c.error, "The token does not verify.");
  auto j = ctx->board->one(id, c.staff_of(ctx->board->event_of(id)));
  if (!j) co_return text_error(errc::no_such_stage, "No stage \"" + id + "\".");
  co_return net::json_response(*j);
}

// Runs `fn(stage&)` on the media control thread; fn returns the response.
template <typename Fn>
asio::awaitable<response> on_stage(const stages_context* ctx, std::string id, Fn fn) {
  auto* engine = ctx->engine;
  auto* board = ctx->board;
  auto work = [engine, board, id, fn]() -> response {
    auto* s = engine->find(id);
    if (!s) return net::json_error(errc::no_such_stage, "No stage \"" + id + "\".");
    auto r = fn(*s);
    board->update(s->status());  // at once: a GET right after the answer sees the change
    return r;
  };
  co_return co_await core::run_blocking(engine->control(), std::move(work));
}

// Drops what /live/ keeps of a stage's HLS, so a stop or a new run shows at once.
void forget_live(const stages_context* ctx, const std::string& stage);

asio::awaitable<response> start_stage(const stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = require_organizer(ctx, r, id)) co_return *e;
  auto fn = [](media::stage& s) {
    s.start();
    return net::json_response(stage_json(s.status(), true));
  };
  auto res = co_await on_stage(ctx, id, fn);
  forget_live(ctx, id);
  co_return res;
}

asio::awaitable<response> stop_stage(const stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = require_organizer(ctx, r, id)) co_return *e;
  auto fn = [](media::stage& s) {
    s.stop();
    return net::json_response(stage_json(s.status(), true));
  };
  auto res = co_await on_stage(ctx, id, fn);
  forget_live(ctx, id);
  co_return res;
}

asio::awaitable<response> add_output(const stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = require_organizer(ctx, r, id)) co_return *e;
  boost::system::error_code ec;
  auto body = json::parse(r.body, ec);
  if (ec || !body.is_object())
    co_return text_error(errc::bad_request, "Send a JSON object {\"name\", \"url\", \"key\"}.");
  auto& o = body.as_object();
  auto field = [&](const char* k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  media::output_spec spec;
  spec.id = field("id");
  spec.name = field("name");
  spec.url = field("url");
  spec.key = field("key");
  auto fn = [spec](media::stage& s) {
    if (auto err = s.add_output(spec)) return net::json_error(errc::invalid_output, *err);
    auto outs = s.status().outputs;
    return net::json_response(output_json(outs.back()), 201);
  };
  co_return co_await on_stage(ctx, id, fn);
}

asio::awaitable<response> output_action(const stages_context* ctx, request r, std::string action) {
  auto id = r.params["id"];
  auto oid = r.params["oid"];
  if (auto e = require_organizer(ctx, r, id)) co_return *e;
  auto fn = [oid, action](media::stage& s) -> response {
    if (!s.output(oid)) return net::json_error(errc::no_such_output, "No destination \"" + oid + "\".");
    std::optional<std::string> err;
    if (action == "remove") err = s.remove_output(oid);
    else if (action == "stop") err = s.stop_output(oid);
    else err = s.start_output(oid);
    if (err) return net::json_error(errc::invalid_output, *err);
    if (action == "remove") {
      response out;
      out.status = 204;
      out.content_type.clear();
      return out;
    }
    return net::json_response(output_json(*s.output(oid)));
  };
  co_return co_await on_stage(ctx, id, fn);
}

asio::awaitable<response> stop_output(const stages_context* ctx, request r) { return output_action(ctx, std::move(r), "stop"); }
asio::awaitable<response> start_output(const stages_context* ctx, request r) { return output_action(ctx, std::move(r), "start"); }
asio::awaitable<response> remove_output(const stages_context* ctx, request r) { return output_action(ctx, std::move(r), "remove"); }

asio::awaitable<response> graph(const stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = require_organizer(ctx, r, id)) co_return *e;
  auto fn = [](media::stage& s) {
    response out;
    out.content_type = "text/vnd.graphviz; charset=utf-8";
    out.body = s.dot();
    if (out.body.empty()) out.body = "digraph stopped {}\n";
    return out;
  };
  co_return co_await on_stage(ctx, id, fn);
}

asio::awaitable<response> recordings(const stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = require_organizer(ctx, r, id)) co_return *e;
  auto fn = [id](media::stage& s) {
    json::array arr;
    json::value chapters = nullptr;
    for (auto& f : s.recordings()) {
      std::string url = "/api/v1/stages/" + id + "/recordings/" + f.name;
      if (f.name.size() > 4 && f.name.ends_with(".vtt")) {
        if (chapters.is_null()) chapters = url;
        continue;
      }
      arr.push_back(json::object{{"name", f.name}, {"size", f.size}, {"modified", f.modified_ms}, {"url", url},
                                 {"session", f.session.empty() ? json::value(nullptr) : json::value(f.session)}});
    }
    return net::json_response(json::serialize(json::object{{"recordings", std::move(arr)}, {"chapters_url", chapters}}));
  };
  co_return co_await on_stage(ctx, id, fn);
}

std::shared_ptr<const std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  auto s = std::make_shared<std::string>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return s;
}

asio::awaitable<response> download_recording(const stages_context* ctx, request r) {
  auto id = r.params["id"];
  auto name = r.params["name"];
  if (auto e = require_organizer(ctx, r, id)) co_return *e;
  // Only what the listing shows: recordings and their chapters, by a name that stays in the
  // stage's directory.
  bool listed_kind = name.ends_with(".ts") || name.ends_with(".vtt");
  if (!listed_kind || !media::is_safe_file_name(name)) co_return text_error(errc::not_found, "No such recording.");
  auto path = (fs::path(ctx->media_dir) / "recordings" / id / name).string();
  // Opened, never read here: the session sends it from disk (sendfile(2), or TLS in 64 KiB
  // chunks) and answers Range requests, so an hour-long recording costs no memory and an
  // interrupted download resumes. The file being recorded is served as long as it is now.
  auto open = [path] { return net::open_file::open(path); };
  auto file = co_await core::run_blocking(*ctx->files, std::move(open));
  if (!file) co_return text_error(errc::not_found, "No such recording.");
  response out;
  out.content_type = name.ends_with(".vtt") ? "text/vtt; charset=utf-8" : "video/mp2t";
  out.file_body = std::move(file);
  out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  out.headers.emplace_back("Cache-Control", "private, no-store");
  co_return out;
}

// ---- /live/ ----

// Completed segments are immutable: the newest few are kept open, so a crowd asking for the
// same segment costs one open(2) and the kernel sends them from the page cache (sendfile). A
// segment deleted since (the window slid, the stage stopped) is dropped when it is next
// checked, at most once a second (until then its open file still holds the complete bytes).
// A playlist is kept with its file's modification time and size, checked with one stat(2) at
// most every 100 ms: thousands of viewers polling it read the disk once per change and see a
// new segment at most 100 ms late (segments are seconds long).
class live_cache {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr auto segment_check = std::chrono::seconds(1);
  static constexpr auto playlist_check = std::chrono::milliseconds(100);

  std::shared_ptr<const net::open_file> segment(const std::string& path) {
    auto now = clock::now();
    std::lock_guard lock(m_);
    for (auto it = segments_.begin(); it != segments_.end(); ++it) {
      if (it->path != path) continue;
      if (now - it->checked < segment_check) return it->file;
      struct stat st {};
      if (::fstat(it->file->fd, &st) == 0 && st.st_nlink > 0) {
        it->checked = now;
        return it->file;
      }
      segments_.erase(it);
      return nullptr;
    }
    return nullptr;
  }
  // Everything under `prefix` (a stage's HLS directory).
  void forget(const std::string& prefix) {
    std::lock_guard lock(m_);
    std::erase_if(segments_, [&](const cached_segment& c) { return c.path.starts_with(prefix); });
    std::erase_if(playlists_, [&](const cached_playlist& c) { return c.path.starts_with(prefix); });
  }
  void put_segment(const std::string& path, std::shared_ptr<const net::open_file> f) {
    std::lock_guard lock(m_);
    segments_.push_back({path, std::move(f), clock::now()});
    if (segments_.size() > 48) segments_.pop_front();
  }
  // The cached body if it was checked within playlist_check; nullptr otherwise.
  std::shared_ptr<const std::string> fresh_playlist(const std::string& path) {
    auto now = clock::now();
    std::lock_guard lock(m_);
    for (auto& p : playlists_)
      if (p.path == path && now - p.checked < playlist_check) return p.body;
    return nullptr;
  }
  // The cached body if the file is unchanged (and marks it checked); nullptr if it changed or
  // was never read.
  std::shared_ptr<const std::string> playlist(const std::string& path, const struct stat& st) {
    std::lock_guard lock(m_);
    for (auto& p : playlists_)
      if (p.path == path && p.mtime_ns == mtime_ns(st) && p.size == st.st_size) {
        p.checked = clock::now();
        return p.body;
      }
    return nullptr;
  }
  void put_playlist(const std::string& path, const struct stat& st, std::shared_ptr<const std::string> body) {
    std::lock_guard lock(m_);
    cached_playlist fresh{path, std::move(body), mtime_ns(st), st.st_size, clock::now()};
    for (auto& p : playlists_)
      if (p.path == path) {
        p = std::move(fresh);
        return;
      }
    playlists_.push_back(std::move(fresh));
  }

 private:
  static long long mtime_ns(const struct stat& st) {
    return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  }
  struct cached_segment {
    std::string path;
    std::shared_ptr<const net::open_file> file;
    clock::time_point checked;
  };
  struct cached_playlist {
    std::string path;
    std::shared_ptr<const std::string> body;
    long long mtime_ns = 0;
    off_t size = 0;
    clock::time_point checked;
  };
  std::mutex m_;
  std::deque<cached_segment> segments_;
  std::vector<cached_playlist> playlists_;
};

live_cache& cache() {
  static live_cache c;
  return c;
}

std::string live_path(const stages_context* ctx, const std::string& stage, const std::string& name) {
  return ctx->media_dir + (ctx->media_dir.ends_with('/') ? "hls/" : "/hls/") + stage + "/" + name;
}

void forget_live(const stages_context* ctx, const std::string& stage) { cache().forget(live_path(ctx, stage, "")); }

// The one place where access to a stage's HLS is decided. Public stages: everyone. Others:
// refused until press accreditation grants exist (the next issue adds the grant check here).
std::optional<response> live_access(const stages_context* ctx, const request&, const std::string& stage) {
  if (!ctx->board->exists(stage)) return text_error(errc::not_found, "No such stream.");
  if (ctx->board->is_public(stage)) return std::nullopt;
  return text_error(errc::forbidden, "This stream needs an accreditation grant.");
}

bool valid_live_name(const std::string& name) {
  if (name == "index.m3u8") return true;
  return name.size() > 3 && name.size() < 64 && name.ends_with(".ts") && media::is_safe_file_name(name);
}

response live_response(bool is_public, std::shared_ptr<const std::string> playlist,
                       std::shared_ptr<const net::open_file> segment) {
  response out;
  if (playlist) {
    out.shared_body = std::move(playlist);
    out.content_type = "application/vnd.apple.mpegurl";
    out.headers.emplace_back("Cache-Control", "no-cache");
  } else {
    out.file_body = std::move(segment);
    out.content_type = "video/mp2t";
    // Segment names are unique per run of the stage, so a segment never changes.
    out.headers.emplace_back("Cache-Control", is_public ? "public, max-age=86400, immutable" : "private, max-age=86400");
  }
  return out;
}

// /live/'s fast path: the access check, then the answer from the cache without suspending;
// nullopt when the file has to be read or opened first (live_file does that).
std::optional<response> live_now(const stages_context* ctx, const request& r) {
  const auto& stage = r.params.at("stage");
  const auto& name = r.params.at("file");
  if (!ctx->engine) return text_error(errc::not_found, "No such stream.");
  if (auto denied = live_access(ctx, r, stage)) return denied;
  if (!valid_live_name(name)) return text_error(errc::not_found, "No such file.");
  // Both names are checked above (a configured stage, a safe file name): the path is theirs.
  auto path = live_path(ctx, stage, name);
  bool is_public = ctx->board->is_public(stage);
  if (name == "index.m3u8") {
    auto body = cache().fresh_playlist(path);
    if (!body) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) return text_error(errc::not_found, "The stream is not live.");
      body = cache().playlist(path, st);
    }
    if (!body) return std::nullopt;
    return live_response(is_public, std::move(body), nullptr);
  }
  auto file = cache().segment(path);
  if (!file) return std::nullopt;
  return live_response(is_public, nullptr, std::move(file));
}

asio::awaitable<response> live_file(const stages_context* ctx, request r) {
  if (auto now = live_now(ctx, r)) co_return std::move(*now);
  // Not in the cache (and allowed: live_now checked): read the playlist or open the segment.
  const auto& stage = r.params["stage"];
  const auto& name = r.params["file"];
  auto path = live_path(ctx, stage, name);
  bool is_public = ctx->board->is_public(stage);
  if (name == "index.m3u8") {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) co_return text_error(errc::not_found, "The stream is not live.");
    auto read = [path] { return read_whole(path); };
    auto body = co_await core::run_blocking(*ctx->files, std::move(read));
    if (!body) co_return text_error(errc::not_found, "The stream is not live.");
    cache().put_playlist(path, st, body);
    co_return live_response(is_public, std::move(body), nullptr);
  }
  auto open = [path]() -> std::shared_ptr<const net::open_file> {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return nullptr;
    // A segment still being written is never listed; one not touched for 3 s is complete.
    if (::time(nullptr) - st.st_mtim.tv_sec < 3) return nullptr;
    return net::open_file::open(path);
  };
  auto file = co_await core::run_blocking(*ctx->files, std::move(open));
  if (!file) {
    // Listed in the current playlist = complete, even if it was written just now.
    auto list_path = live_path(ctx, stage, "index.m3u8");
    auto open_listed = [path, list_path, name]() -> std::shared_ptr<const net::open_file> {
      auto list = read_whole(list_path);
      if (!list || list->find("\n" + name + "\n") == std::string::npos) return nullptr;
      return net::open_file::open(path);
    };
    file = co_await core::run_blocking(*ctx->files, std::move(open_listed));
  }
  if (!file) co_return text_error(errc::not_found, "No such segment.");
  cache().put_segment(path, file);
  co_return live_response(is_public, nullptr, std::move(file));
}

template <typename F>
net::handler bind(const stages_context* ctx, F f) {
  return [ctx, f](request r) { return f(ctx, std::move(r)); };
}

}  // namespace

void register_stage_routes(net::router& routes, const stages_context& ctx) {
  routes.add("GET", "/api/v1/stages", "api_stages", bind(&ctx, list_stages));
  routes.add("GET", "/api/v1/stages/{id}", "api_stage", bind(&ctx, get_stage));
  routes.add("POST", "/api/v1/stages/{id}/start", "api_stage_start", bind(&ctx, start_stage));
  routes.add("POST", "/api/v1/stages/{id}/stop", "api_stage_stop", bind(&ctx, stop_stage));
  routes.add("POST", "/api/v1/stages/{id}/outputs", "api_stage_outputs", bind(&ctx, add_output));
  routes.add("DELETE", "/api/v1/stages/{id}/outputs/{oid}", "api_stage_output", bind(&ctx, remove_output));
  routes.add("POST", "/api/v1/stages/{id}/outputs/{oid}/stop", "api_stage_output_stop", bind(&ctx, stop_output));
  routes.add("POST", "/api/v1/stages/{id}/outputs/{oid}/start", "api_stage_output_start", bind(&ctx, start_output));
  routes.add("GET", "/api/v1/stages/{id}/graph", "api_stage_graph", bind(&ctx, graph));
  routes.add("GET", "/api/v1/stages/{id}/recordings", "api_stage_recordings", bind(&ctx, recordings));
  routes.add("GET", "/api/v1/stages/{id}/recordings/{name}", "api_stage_recording", bind(&ctx, download_recording));
  routes.add("GET", "/live/{stage}/{file}", "live", bind(&ctx, live_file),
             [c = &ctx](const request& r) { return live_now(c, r); });
}

}  // namespace samling::api
