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
#include "press/access.hpp"

namespace samling::api {

// How a caller sees one stage in a list (issue 18): not at all, its public view, or the staff
// view. stage_routes decides from the caller's level and the stage's rule.
enum class stage_view { none, public_view, staff_view };

// What a list's chooser knows of a stage: its id, event and own rule (from its status, i.e. the
// configuration's visibility and public_at).
struct stage_ref {
  const std::string& id;
  const std::string& event;
  press::access_rule rule;
};

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
  // The same with the view `view_of` chooses per stage (called under the board's lock: it must
  // not call the board).
  std::string list_with(const std::function<stage_view(const stage_ref&)>& view_of) const;
  std::optional<std::string> one_with(const std::string& id,
                                      const std::function<stage_view(const stage_ref&)>& view_of) const;
  bool exists(const std::string& id) const;
  // Whether anyone may watch the stage now: its rule at this moment is public (an embargoed
  // stage becomes public at its public_at, without a restart).
  bool is_public(const std::string& id) const;
  // The stage's own rule; nullopt for no such stage. No allocation: /live/'s fast path asks
  // it on every request.
  std::optional<press::access_rule> rule(const std::string& id) const;
  // The clock of the embargo (UTC seconds); by default the system clock. For tests.
  void set_clock(std::function<std::int64_t()> now_seconds);
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
    press::access_rule rule;
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
  std::int64_t now() const;
  std::function<std::int64_t()> clock_;  // set before use (set_clock), then only read
  std::mutex publish_m_;  // one writer at a time: update() and set_viewers()
  mutable std::mutex m_;
  std::vector<std::string> order_;  // first seen first
  std::map<std::string, entry> stages_;
  std::vector<watcher> watchers_;
};

}  // namespace samling::api
