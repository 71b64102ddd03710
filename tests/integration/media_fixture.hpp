#pragma once
// Shared by the media integration tests: a server with one stage, its status read through the
// stages API with an organizer token, and the nginx/ffmpeg peers of support/media_peers.hpp.
#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "media_peers.hpp"
#include "ws_client.hpp"

namespace samling::testing::media_fixture {

namespace json = boost::json;
using namespace std::chrono_literals;

inline std::string organizer_token() { return ws::token("u-org", "Olga Organizer", "organizer"); }

using header_list = std::vector<std::pair<std::string, std::string>>;
inline header_list bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// A JSON object, or an empty one when `text` is not one.
inline json::object parse_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

// For failure messages: the status and the start of the body.
inline std::string describe(const http_response& r) {
  return "status " + std::to_string(r.status) + ", body: " + r.body.substr(0, 2000);
}

inline std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The lines of `text` for which `keep(line)` holds.
template <typename Keep>
std::vector<std::string> lines_where(const std::string& text, Keep keep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    auto line = text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    pos = eol == std::string::npos ? text.size() : eol + 1;
    if (keep(line)) out.push_back(std::move(line));
  }
  return out;
}

// The lines of `text` that contain `needle` (for messages about a leaked secret).
inline std::string lines_with(const std::string& text, const std::string& needle) {
  std::string out;
  for (auto& l : lines_where(text, [&](const std::string& line) { return line.find(needle) != std::string::npos; }))
    out += l + "\n";
  return out;
}

// The server's log without the access log lines, at most the last 80 lines: for failure messages.
inline std::string log_excerpt(const server_process& server) {
  auto lines = lines_where(server.stderr_text(),
                           [](const std::string& line) { return line.find(" http_request ") == std::string::npos; });
  std::string out = "server log (without access lines):\n";
  for (std::size_t i = lines.size() > 80 ? lines.size() - 80 : 0; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

// The stage's staff view, or an empty object when the request failed.
inline json::object stage(std::uint16_t port, const std::string& id = "main") {
  auto r = http_get(port, "/api/v1/stages/" + id, {{"Authorization", "Bearer " + organizer_token()}});
  if (r.status != 200) return {};
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  return !ec && v.is_object() ? v.as_object() : json::object{};
}

// A request as an organizer of the demo event; a body is sent as JSON.
inline http_response organizer_request(std::uint16_t port, const std::string& method, const std::string& target,
                                       const std::string& body = {}) {
  header_list h = bearer(organizer_token());
  if (!body.empty()) h.emplace_back("Content-Type", "application/json");
  return http_request(port, method, target, body, h);
}

inline json::object output(const json::object& stage, const std::string& id) {
  if (auto* outs = stage.if_contains("outputs"); outs && outs->is_array())
    for (auto& o : outs->as_array())
      if (o.is_object() && o.as_object().at("id").as_string() == id) return o.as_object();
  return {};
}

inline std::string str(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

inline std::int64_t num(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  if (!v) return -1;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
  return -1;
}

inline std::string output_state(std::uint16_t port, const std::string& out, const std::string& stage_id = "main") {
  return str(output(stage(port, stage_id), out), "state");
}

// "[[stages.outputs]]" for an RTMP destination.
inline std::string output_toml(const std::string& id, const std::string& url, const std::string& key) {
  return "[[stages.outputs]]\nid = \"" + id + "\"\nname = \"" + id + "\"\nurl = \"" + url + "\"\nkey = \"" + key + "\"\n";
}

// [media] with quick retries (tests wait for reconnects), files in the test's directory.
inline std::string media_toml() {
  return "[media]\ndir = \"{DIR}/media\"\nrelay_backoff_initial_ms = 500\nrelay_backoff_max_ms = 3000\n";
}

// A produced stage's encoder settings that a shared 2-core machine encodes without effort.
inline std::string small_produced_toml() {
  return "width = 320\nheight = 180\nfps = 15\nvideo_kbps = 400\npreset = \"ultrafast\"\n"
         "keyframe_seconds = 1\nhls_segment_seconds = 1\nhls_window_seconds = 10\n";
}

inline server_process::options media_server(const std::string& stage_toml) {
  server_process::options opt;
  opt.extra_toml = media_toml() + stage_toml;
  opt.env = ws::auth_env();
  return opt;
}

// Lets a scenario run for a stretch of stream time (a destination down for 10 s, 4 s of live
// feed to record). Never used to wait for a state: that is eventually() with a deadline.
inline void pause_for(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

}  // namespace samling::testing::media_fixture
