#pragma once
// The stages in HTTP and WebSocket terms (docs/protocol.md, Stages): status as JSON in a
// public and a staff view, the organizer's actions, HLS under /live/, recordings for download.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth/token.hpp"
#include "core/blocking.hpp"
#include "media/stage.hpp"
#include "net/router.hpp"
#include "net/websocket.hpp"

namespace samling::api {

// The stage's JSON: `full` (moderators, organizers) adds input, outputs, mode, recording.
// Stream keys appear only masked, passphrases not at all.
std::string stage_json(const media::stage_status& s, bool full);
std::string output_json(const media::output_status& o);

// The latest snapshot of every stage in both views, and the WebSocket connections watching
// them. Updated by the media engine (any thread), read by HTTP handlers and WebSocket
// sessions without a hop to the media thread.
class stage_board {
 public:
  void update(const media::stage_status& s);
  // {"stages":[…]}: public stages for everyone; every stage of `event` for staff of it.
  std::string list(bool staff, const std::string& event) const;
  std::optional<std::string> one(const std::string& id, bool staff) const;
  bool exists(const std::string& id) const;
  bool is_public(const std::string& id) const;
  std::string event_of(const std::string& id) const;
  // `sink` receives {"type":"stage","stage":…} on every change (latest value only).
  void watch(std::weak_ptr<net::ws_sink> sink, bool staff, std::string event);
  // Prometheus text for every stage and destination (samling_stage_*).
  std::string metrics_text() const;

 private:
  struct entry {
    std::shared_ptr<const std::string> public_json, full_json;
    std::string event;
    bool is_public = true;
    media::stage_status status;
  };
  struct watcher {
    std::weak_ptr<net::ws_sink> sink;
    bool staff;
    std::string event;
  };
  mutable std::mutex m_;
  std::vector<std::string> order_;
  std::map<std::string, entry> stages_;
  std::vector<watcher> watchers_;
};

struct stages_context {
  media::engine* engine = nullptr;  // null: media is off (routes answer media_disabled)
  stage_board* board = nullptr;
  const auth::keyring* keys = nullptr;
  core::blocking_pool* files = nullptr;  // reads HLS segments and recordings
  std::string media_dir;
};

void register_stage_routes(net::router& routes, const stages_context& ctx);

}  // namespace samling::api
