#include "program/program_versions.hpp"

#include <set>

#include <boost/json.hpp>

#include "program/program_json.hpp"

namespace samling::program {

namespace json = boost::json;

std::string_view to_string(change_kind k) {
  switch (k) {
    case change_kind::new_session: return "new";
    case change_kind::removed: return "removed";
    case change_kind::cancelled: return "cancelled";
    case change_kind::moved: return "moved";
    case change_kind::renamed: return "renamed";
    case change_kind::changed: return "changed";
  }
  return "changed";  // unreachable for valid enumerators
}

session_place place_of(const session& s) { return {s.day, s.starts_at, s.ends_at, s.room_id, s.title}; }

namespace {

bool placed_differently(const session& a, const session& b) {
  return a.day != b.day || a.starts_at != b.starts_at || a.ends_at != b.ends_at || a.room_id != b.room_id;
}

// Equal in everything an organizer edits: the sequence is the server's count of published
// changes, so a body or file that carries another one changes nothing by it.
bool same_apart_from_sequence(const session& a, session b) {
  b.sequence = a.sequence;
  return a == b;
}

const session* find_session(const event& e, std::string_view id) {
  for (auto& s : e.sessions)
    if (s.id == id) return &s;
  return nullptr;
}

}  // namespace

std::vector<session_change> diff(const event& before, const event& after) {
  std::vector<session_change> out;
  for (const session& now : after.sessions) {
    const session* was = find_session(before, now.id);
    if (!was) {
      out.push_back({now.id, change_kind::new_session, std::nullopt, place_of(now)});
      continue;
    }
    std::optional<change_kind> kind;
    if (now.cancelled && !was->cancelled) kind = change_kind::cancelled;
    else if (placed_differently(*was, now)) kind = change_kind::moved;
    else if (was->title != now.title) kind = change_kind::renamed;
    else if (!same_apart_from_sequence(*was, now)) kind = change_kind::changed;
    if (kind) out.push_back({now.id, *kind, place_of(*was), place_of(now)});
  }
  for (const session& was : before.sessions)
    if (!find_session(after, was.id)) out.push_back({was.id, change_kind::removed, place_of(was), std::nullopt});
  return out;
}

void bump_sequences(const event& before, event& after, const std::vector<session_change>& changes) {
  std::set<std::string_view> changed;
  for (auto& c : changes)
    if (c.change != change_kind::new_session && c.change != change_kind::removed) changed.insert(c.session);
  for (session& s : after.sessions) {
    const session* was = find_session(before, s.id);
    s.sequence = !was ? 0 : was->sequence + (changed.count(s.id) ? 1 : 0);
  }
}

bool event_fields_differ(const event& before, const event& after) {
  event a = before, b = after;
  a.sessions.clear();
  b.sessions.clear();
  return !(a == b);
}

session_mark mark(const event& first, const session& s) {
  if (s.cancelled) return {change_kind::cancelled, std::nullopt};
  const session* was = find_session(first, s.id);
  if (!was) return {change_kind::new_session, std::nullopt};
  if (placed_differently(*was, s)) return {change_kind::moved, place_of(*was)};
  if (was->title != s.title) return {change_kind::renamed, place_of(*was)};
  return {};
}

json::object to_json(const session_place& p) {
  return json::object{{"day", p.day},
                      {"starts_at", p.starts_at},
                      {"ends_at", p.ends_at},
                      {"room", p.room},
                      {"title", to_json(p.title)}};
}

json::object to_json(const session_change& c) {
  json::object o;
  o["session"] = c.session;
  o["change"] = to_string(c.change);
  o["was"] = c.was ? json::value(to_json(*c.was)) : json::value(nullptr);
  o["now"] = c.now ? json::value(to_json(*c.now)) : json::value(nullptr);
  return o;
}

json::array to_json(const std::vector<session_change>& changes) {
  json::array a;
  a.reserve(changes.size());
  for (auto& c : changes) a.push_back(to_json(c));
  return a;
}

}  // namespace samling::program
