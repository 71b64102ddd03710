#include "program/program_versions.hpp"

#include <set>

#include <boost/json.hpp>

#include "program/program_json.hpp"

namespace samling::program {

namespace json = boost::json;

bool published_program::cancelled(std::string_view session_id) const {
  auto it = flags.find(std::string(session_id));
  return it != flags.end() && it->second.cancelled;
}

int published_program::sequence(std::string_view session_id) const {
  auto it = flags.find(std::string(session_id));
  return it == flags.end() ? 0 : it->second.sequence;
}

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

const session* find_session(const event& e, std::string_view id) {
  for (auto& s : e.sessions)
    if (s.id == id) return &s;
  return nullptr;
}

}  // namespace

std::vector<session_change> diff(const published_program& before, const published_program& after) {
  std::vector<session_change> out;
  for (const session& now : after.e.sessions) {
    const session* was = find_session(before.e, now.id);
    if (!was) {
      out.push_back({now.id, change_kind::new_session, std::nullopt, place_of(now)});
      continue;
    }
    const bool cancelled_now = after.cancelled(now.id), cancelled_before = before.cancelled(now.id);
    std::optional<change_kind> kind;
    if (cancelled_now && !cancelled_before) kind = change_kind::cancelled;
    else if (placed_differently(*was, now)) kind = change_kind::moved;
    else if (was->title != now.title) kind = change_kind::renamed;
    else if (!(*was == now) || cancelled_now != cancelled_before) kind = change_kind::changed;
    if (kind) out.push_back({now.id, *kind, place_of(*was), place_of(now)});
  }
  for (const session& was : before.e.sessions)
    if (!find_session(after.e, was.id)) out.push_back({was.id, change_kind::removed, place_of(was), std::nullopt});
  return out;
}

bool event_fields_differ(const event& before, const event& after) {
  event a = before, b = after;
  a.sessions.clear();
  b.sessions.clear();
  return !(a == b);
}

session_mark mark(const published_program& first, const published_program& now, const session& s) {
  if (now.cancelled(s.id)) return {change_kind::cancelled, std::nullopt};
  const session* was = find_session(first.e, s.id);
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

json::value snapshot_json(const published_program& p) {
  json::value v = to_json(p.e);
  for (auto& s : v.as_object()["sessions"].as_array()) {
    auto& o = s.as_object();
    const std::string id(o["id"].as_string());
    o["cancelled"] = p.cancelled(id);
    o["sequence"] = p.sequence(id);
  }
  return v;
}

std::optional<published_program> program_from_snapshot(const json::value& v, std::vector<std::string>& errors) {
  auto e = event_from_json(v, errors);
  if (!e) return std::nullopt;
  published_program p;
  p.e = std::move(*e);
  for (auto& s : v.as_object().at("sessions").as_array()) {
    auto& o = s.as_object();
    session_flags f;
    if (auto* c = o.if_contains("cancelled"); c && c->is_bool()) f.cancelled = c->as_bool();
    if (auto* n = o.if_contains("sequence"); n && n->is_int64()) f.sequence = static_cast<int>(n->as_int64());
    if (f != session_flags{}) p.flags[std::string(o.at("id").as_string())] = f;
  }
  return p;
}

}  // namespace samling::program
