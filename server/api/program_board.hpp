#pragma once
// Who gets the live program's events: every WebSocket session of an event, from its hello on,
// whatever rooms it joined (a page shows the whole program, not one room's). The live program
// (api/live_program) hands it a frame encoded once; the board queues it on each session's
// sink. Thread-safe (one mutex, never held while sending). Owned by app::serve.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "net/websocket.hpp"

namespace samling::api {

class program_board {
 public:
  // `sink` gets the event's program and now_next events until it is gone.
  void watch(std::weak_ptr<net::ws_sink> sink, const std::string& event);
  // Queues `frame` on every live sink of `event`. A non-empty `coalesce_key` replaces a queued,
  // unsent frame with the same key (now_next: only the latest matters; program events are
  // never coalesced, each carries its own changes). Returns how many sinks it reached.
  std::size_t send(const std::string& event, std::shared_ptr<const std::string> frame,
                   std::string_view coalesce_key = {});
  // Sessions watching `event` now (gone ones are dropped first).
  std::size_t watchers(const std::string& event);

 private:
  std::mutex m_;
  std::map<std::string, std::vector<std::weak_ptr<net::ws_sink>>> by_event_;
};

}  // namespace samling::api
