#include "api/program_board.hpp"

namespace samling::api {

void program_board::watch(std::weak_ptr<net::ws_sink> sink, const std::string& event) {
  std::lock_guard lock(m_);
  auto& list = by_event_[event];
  // Sessions end without telling the board: sweep the gone ones as new ones arrive, so the
  // list stays as long as the event's connected sessions.
  std::erase_if(list, [](const std::weak_ptr<net::ws_sink>& w) { return w.expired(); });
  for (auto& w : list)
    if (!w.owner_before(sink) && !sink.owner_before(w)) return;  // already watching
  list.push_back(std::move(sink));
}

std::size_t program_board::send(const std::string& event, std::shared_ptr<const std::string> frame,
                                std::string_view coalesce_key) {
  std::vector<std::shared_ptr<net::ws_sink>> targets;
  {
    std::lock_guard lock(m_);
    auto it = by_event_.find(event);
    if (it == by_event_.end()) return 0;
    std::erase_if(it->second, [](const std::weak_ptr<net::ws_sink>& w) { return w.expired(); });
    for (auto& w : it->second)
      if (auto s = w.lock()) targets.push_back(std::move(s));
  }
  for (auto& s : targets) s->send(frame, coalesce_key);
  return targets.size();
}

std::size_t program_board::watchers(const std::string& event) {
  std::lock_guard lock(m_);
  auto it = by_event_.find(event);
  if (it == by_event_.end()) return 0;
  std::erase_if(it->second, [](const std::weak_ptr<net::ws_sink>& w) { return w.expired(); });
  return it->second.size();
}

}  // namespace samling::api
