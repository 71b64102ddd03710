#pragma once
// The stage board: the latest status of every stage in both views (public, staff), the
// WebSocket connections watching them, and the stages' Prometheus metrics. Updated by the media
// engine (any thread; in practice its control thread), read by HTTP handlers and WebSocket
// sessions without a hop to the media thread. Owned by app::serve. No GStreamer.
#include <functional>
#include <map>
#include <memory>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>


#include "media/status.hpp"
#include "net/websocket.hpp"

namespace samling::api {


class stage_board {
 public:
  void update(const media::stage_status& s);
  // The stage's viewers (distinct HLS clients lately, api/hls_viewers.hpp): when the number
  // changed, both views are rebuilt and watchers get a stage event, as for a status change.
  // Unknown stages are ignored.
  void set_viewers(const std::string& id, std::size_t viewers);
  std::size_t viewers(const std::string& id) const;
  // {"stages":[…]}: public stages for everyone; every stage of `event` for staff of it.
  std::string list(bool staff, const std::string& event) const;
  // The same with the staff view of each stage whose event `staff_of` accepts.
  std::string list(const std::function<bool(const std::string& event)>& staff_of) const;
  std::optional<std::string> one(const std::string& id, bool staff) const;
  bool exists(const std::string& id) const;
  bool is_public(const std::string& id) const;
  std::string event_of(const std::string& id) const;
  // `sink` receives the stage event (protocol::event(stage_event)) of every change it may see, latest
  // value only (coalesced per stage in its send queue).
  void watch(std::weak_ptr<net::ws_sink> sink, bool staff, std::string event);
  // Prometheus text for every stage and destination (samling_stage_*).
  std::string metrics_text() const;

 private:
  struct entry {
    std::shared_ptr<const std::string> public_json, full_json;
    std::string event;
    bool is_public = true;
    media::stage_status status;
    std::size_t viewers = 0;
  };
  struct watcher {
    std::weak_ptr<net::ws_sink> sink;
    bool staff;
    std::string event;
  };
  // Stores `s` with `viewers`, both views rebuilt, and sends them to those watching. Called
  // with publish_m_ held.
  void publish(const media::stage_status& s, std::size_t viewers);
  std::mutex publish_m_;  // one writer at a time: update() and set_viewers()
  mutable std::mutex m_;
  std::vector<std::string> order_;  // first seen first
  std::map<std::string, entry> stages_;
  std::vector<watcher> watchers_;
};

}  // namespace samling::api
