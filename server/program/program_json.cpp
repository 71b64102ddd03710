#include "program/program_json.hpp"

#include <limits>

#include <boost/json.hpp>

#include "program/timezone.hpp"

namespace samling::program {

namespace json = boost::json;

namespace {

json::array to_json_array(const std::vector<std::string>& items) {
  json::array a;
  a.reserve(items.size());
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

// Reads one JSON document into the model, collecting every problem with the path of the
// field it concerns rather than stopping at the first, so a demo file or an API request can
// be fixed in one round.
class reader {
 public:
  explicit reader(std::vector<std::string>& errors) : errors_(errors), before_(errors.size()) {}

  bool failed() const { return errors_.size() != before_; }

  void fail(const std::string& path, const std::string& what) {
    errors_.push_back(path + ": " + what);
  }

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

  // The member `key` of `o`, or nullptr when absent (or null: optional fields may be sent as
  // null by clients that serialise every field). Reports a missing required member.
  const json::value* member(const json::object& o, std::string_view key, const std::string& path,
                            bool required) {
    const json::value* v = o.if_contains(key);
    if (v && v->is_null()) v = nullptr;
    if (!v && required) fail(join(path, key), "is required");
    return v;
  }

  const json::object* as_object(const json::value& v, const std::string& path) {
    if (auto* o = v.if_object()) return o;
    fail(path, "expected an object");
    return nullptr;
  }

  const json::array* as_array(const json::value& v, const std::string& path) {
    if (auto* a = v.if_array()) return a;
    fail(path, "expected an array");
    return nullptr;
  }

  void string_field(const json::object& o, std::string_view key, const std::string& path,
                    bool required, std::string& out) {
    const json::value* v = member(o, key, path, required);
    if (!v) return;
    if (auto* s = v->if_string())
      out.assign(s->data(), s->size());
    else
      fail(join(path, key), "expected a string");
  }

  void localized_field(const json::object& o, std::string_view key, const std::string& path,
                       bool required, localized_text& out) {
    if (const json::value* v = member(o, key, path, required))
      localized_from_json(*v, join(path, key), out, errors_);
  }

  void string_list_field(const json::object& o, std::string_view key, const std::string& path,
                         bool required, std::vector<std::string>& out) {
    const json::value* v = member(o, key, path, required);
    if (!v) return;
    const std::string where = join(path, key);
    const json::array* a = as_array(*v, where);
    if (!a) return;
    out.clear();
    for (std::size_t i = 0; i < a->size(); ++i) {
      if (auto* s = (*a)[i].if_string())
        out.emplace_back(s->data(), s->size());
      else
        fail(index(where, i), "expected a string");
    }
  }

  void int_field(const json::object& o, std::string_view key, const std::string& path,
                 bool required, int& out) {
    const json::value* v = member(o, key, path, required);
    if (!v) return;
    const std::string where = join(path, key);
    if (auto* i = v->if_int64()) {
      if (*i >= std::numeric_limits<int>::min() && *i <= std::numeric_limits<int>::max())
        out = static_cast<int>(*i);
      else
        fail(where, "is out of range");
    } else if (v->is_uint64()) {
      fail(where, "is out of range");
    } else {
      fail(where, "expected an integer");
    }
  }

  void bool_field(const json::object& o, std::string_view key, const std::string& path,
                  bool required, bool& out) {
    const json::value* v = member(o, key, path, required);
    if (!v) return;
    if (auto* b = v->if_bool())
      out = *b;
    else
      fail(join(path, key), "expected true or false");
  }

  room read_room(const json::value& v, const std::string& path) {
    room r;
    const json::object* o = as_object(v, path);
    if (!o) return r;
    string_field(*o, "id", path, true, r.id);
    std::string kind;
    string_field(*o, "kind", path, true, kind);
    if (!kind.empty()) {
      if (auto k = room_kind_from_string(kind))
        r.kind = *k;
      else
        fail(join(path, "kind"),
             "unknown room kind \"" + kind + "\" (expected main_stage, seminar or press)");
    }
    localized_field(*o, "name", path, true, r.name);
    int_field(*o, "position", path, true, r.position);
    bool_field(*o, "guests", path, false, r.guests);
    return r;
  }

  speaker read_speaker(const json::value& v, const std::string& path) {
    speaker s;
    const json::object* o = as_object(v, path);
    if (!o) return s;
    string_field(*o, "name", path, true, s.name);
    localized_field(*o, "affiliation", path, false, s.affiliation);
    return s;
  }

  session read_session(const json::value& v, const std::string& path) {
    session s;
    const json::object* o = as_object(v, path);
    if (!o) return s;
    string_field(*o, "id", path, true, s.id);
    string_field(*o, "room_id", path, true, s.room_id);
    string_field(*o, "day", path, true, s.day);
    string_field(*o, "starts_at", path, true, s.starts_at);
    string_field(*o, "ends_at", path, true, s.ends_at);
    std::string kind;
    string_field(*o, "kind", path, true, kind);
    if (!kind.empty()) {
      if (auto k = session_kind_from_string(kind))
        s.kind = *k;
      else
        fail(join(path, "kind"),
             "unknown session kind \"" + kind + "\" (expected plenary, seminar, break, lunch or press)");
    }
    string_field(*o, "track", path, false, s.track);
    bool_field(*o, "cancelled", path, false, s.cancelled);
    int_field(*o, "sequence", path, false, s.sequence);
    // starts_utc/ends_utc in a document are ignored: derived from day, time and zone.
    localized_field(*o, "title", path, true, s.title);
    localized_field(*o, "description", path, false, s.description);
    if (const json::value* speakers = member(*o, "speakers", path, false)) {
      const std::string where = join(path, "speakers");
      if (const json::array* a = as_array(*speakers, where))
        for (std::size_t i = 0; i < a->size(); ++i)
          s.speakers.push_back(read_speaker((*a)[i], index(where, i)));
    }
    return s;
  }

  series_event read_series_row(const json::value& v, const std::string& path) {
    series_event r;
    const json::object* o = as_object(v, path);
    if (!o) return r;
    string_field(*o, "date", path, true, r.date);
    string_field(*o, "responsible_county", path, false, r.responsible_county);
    string_field(*o, "cohost_county", path, false, r.cohost_county);
    // The web console's first draft called it co_hosting_county: read that too.
    if (!o->if_contains("cohost_county"))
      string_field(*o, "co_hosting_county", path, false, r.cohost_county);
    string_field(*o, "city", path, false, r.city);
    string_field(*o, "event_id", path, false, r.event_id);
    return r;
  }

  std::vector<series_event> read_series_rows(const json::value& v, const std::string& path) {
    std::vector<series_event> rows;
    if (const json::array* a = as_array(v, path))
      for (std::size_t i = 0; i < a->size(); ++i)
        rows.push_back(read_series_row((*a)[i], index(path, i)));
    return rows;
  }

  series read_series(const json::value& v) {
    series s;
    const json::object* o = as_object(v, "(series)");
    if (!o) return s;
    const std::string root;
    string_field(*o, "id", root, true, s.id);
    localized_field(*o, "name", root, true, s.name);
    string_field(*o, "organizer", root, false, s.organizer);
    localized_field(*o, "description", root, false, s.description);
    if (const json::value* rows = member(*o, "events", root, false))
      s.events = read_series_rows(*rows, "events");
    return s;
  }

  event read_event(const json::value& v) {
    event e;
    const json::object* o = as_object(v, "(event)");
    if (!o) return e;
    const std::string root;
    string_field(*o, "id", root, true, e.id);
    localized_field(*o, "title", root, true, e.title);
    localized_field(*o, "summary", root, false, e.summary);
    string_field(*o, "organizer", root, false, e.organizer);
    string_field(*o, "venue", root, false, e.venue);
    string_field(*o, "city", root, false, e.city);
    string_field(*o, "timezone", root, false, e.timezone);
    string_field(*o, "series_id", root, false, e.series_id);
    std::string vis;
    string_field(*o, "visibility", root, false, vis);
    if (!vis.empty()) {
      if (auto v = visibility_from_string(vis))
        e.visibility = *v;
      else
        fail("visibility",
             "unknown visibility \"" + vis + "\" (expected public, unlisted or private)");
    }
    int_field(*o, "capacity", root, false, e.capacity);
    string_field(*o, "venue_address", root, false, e.venue_address);
    string_list_field(*o, "days", root, true, e.days);
    // Content in Swedish only unless the event says otherwise: Swedish is the fallback language.
    e.languages = {"sv"};
    string_list_field(*o, "languages", root, false, e.languages);
    if (const json::value* rooms = member(*o, "rooms", root, true))
      if (const json::array* a = as_array(*rooms, "rooms"))
        for (std::size_t i = 0; i < a->size(); ++i)
          e.rooms.push_back(read_room((*a)[i], index("rooms", i)));
    if (const json::value* sessions = member(*o, "sessions", root, true))
      if (const json::array* a = as_array(*sessions, "sessions"))
        for (std::size_t i = 0; i < a->size(); ++i)
          e.sessions.push_back(read_session((*a)[i], index("sessions", i)));
    return e;
  }

 private:
  std::vector<std::string>& errors_;
  std::size_t before_;
};

}  // namespace

json::object to_json(const localized_text& t) {
  json::object o;
  o.reserve(t.size());
  for (const auto& [lang, text] : t) o.emplace(lang, text);
  return o;
}

bool localized_from_json(const json::value& v, std::string_view path, localized_text& out,
                         std::vector<std::string>& errors) {
  const std::string where(path);
  const json::object* o = v.if_object();
  if (!o) {
    errors.push_back(where + ": expected an object of texts by language, e.g. {\"sv\": \"...\"}");
    return false;
  }
  bool ok = true;
  out.clear();
  for (const auto& kv : *o) {
    const std::string lang(kv.key());
    if (auto* s = kv.value().if_string()) {
      out.emplace(lang, std::string(s->data(), s->size()));
    } else {
      errors.push_back(where + "." + lang + ": expected a string");
      ok = false;
    }
  }
  return ok;
}

json::value to_json(const event& e) {
  json::array rooms;
  rooms.reserve(e.rooms.size());
  for (const room& r : e.rooms) {
    rooms.push_back(json::object{{"id", r.id},
                                 {"kind", to_string(r.kind)},
                                 {"name", to_json(r.name)},
                                 {"position", r.position},
                                 {"guests", r.guests}});
  }
  // UTC forms for clients that compare with their own clock; null when the day, time or zone
  // is not valid (an event being edited).
  auto utc = [&](const session& s, bool start) -> json::value {
    const auto t = start ? starts_utc(e, s) : ends_utc(e, s);
    if (!t) return nullptr;
    return json::value(utc_iso(*t));
  };
  json::array sessions;
  sessions.reserve(e.sessions.size());
  for (const session& s : e.sessions) {
    json::array speakers;
    speakers.reserve(s.speakers.size());
    for (const speaker& sp : s.speakers)
      speakers.push_back(json::object{{"name", sp.name}, {"affiliation", to_json(sp.affiliation)}});
    sessions.push_back(json::object{{"id", s.id},
                                    {"room_id", s.room_id},
                                    {"day", s.day},
                                    {"starts_at", s.starts_at},
                                    {"ends_at", s.ends_at},
                                    {"kind", to_string(s.kind)},
                                    {"track", s.track},
                                    {"title", to_json(s.title)},
                                    {"description", to_json(s.description)},
                                    {"speakers", std::move(speakers)},
                                    {"cancelled", s.cancelled},
                                    {"sequence", s.sequence},
                                    {"starts_utc", utc(s, true)},
                                    {"ends_utc", utc(s, false)}});
  }
  return json::object{{"id", e.id},
                      {"title", to_json(e.title)},
                      {"summary", to_json(e.summary)},
                      {"organizer", e.organizer},
                      {"venue", e.venue},
                      {"city", e.city},
                      {"timezone", e.timezone},
                      {"days", to_json_array(e.days)},
                      {"languages", to_json_array(e.languages)},
                      {"rooms", std::move(rooms)},
                      {"sessions", std::move(sessions)},
                      {"series_id", e.series_id},
                      {"visibility", to_string(e.visibility)},
                      {"capacity", e.capacity},
                      {"venue_address", e.venue_address}};
}

json::value to_json(const event_summary& s) {
  return json::object{{"id", s.id},
                      {"title", to_json(s.title)},
                      {"summary", to_json(s.summary)},
                      {"city", s.city},
                      {"venue", s.venue},
                      {"days", to_json_array(s.days)},
                      {"series_id", s.series_id},
                      {"visibility", to_string(s.visibility)},
                      {"timezone", s.timezone}};
}

json::value to_json(const series_event& row) {
  json::value event_id = nullptr;
  if (!row.event_id.empty()) event_id = json::value(row.event_id);
  return json::object{{"date", row.date},
                      {"responsible_county", row.responsible_county},
                      {"cohost_county", row.cohost_county},
                      {"city", row.city},
                      {"event_id", std::move(event_id)}};
}

json::value to_json(const series& s) {
  json::array rows;
  for (const series_event& r : s.events) rows.push_back(to_json(r));
  return json::object{{"id", s.id},
                      {"name", to_json(s.name)},
                      {"organizer", s.organizer},
                      {"description", to_json(s.description)},
                      {"events", std::move(rows)}};
}

json::value to_json(const series_summary& s) {
  return json::object{{"id", s.id},
                      {"name", to_json(s.name)},
                      {"organizer", s.organizer},
                      {"event_count", static_cast<std::uint64_t>(s.event_count)}};
}

namespace {

void append_problems(const std::vector<problem>& problems, std::vector<std::string>& errors) {
  for (const problem& p : problems)
    errors.push_back(p.where + (p.field.empty() || p.field == p.where ? "" : "." + p.field) +
                     ": " + p.message);
}

}  // namespace

std::optional<series> series_from_json(const json::value& v, std::vector<std::string>& errors) {
  reader r(errors);
  series s = r.read_series(v);
  if (r.failed()) return std::nullopt;
  const auto problems = check(s);
  if (!problems.empty()) {
    append_problems(problems, errors);
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<series_event>> series_rows_from_json(const json::value& v,
                                                               std::vector<std::string>& errors) {
  reader r(errors);
  std::vector<series_event> rows;
  if (const json::object* o = v.if_object()) {
    if (const json::value* list = r.member(*o, "events", "", true))
      rows = r.read_series_rows(*list, "events");
  } else {
    rows = r.read_series_rows(v, "events");
  }
  if (r.failed()) return std::nullopt;
  const auto problems = check_rows(rows);
  if (!problems.empty()) {
    append_problems(problems, errors);
    return std::nullopt;
  }
  return rows;
}

std::optional<event> event_from_json(const json::value& v, std::vector<std::string>& errors) {
  reader r(errors);
  event e = r.read_event(v);
  // Validation messages on a half-read event would mostly echo the type errors: report those
  // first, and check consistency once the shape is right.
  if (r.failed()) return std::nullopt;
  std::vector<std::string> problems = validate(e);
  if (!problems.empty()) {
    errors.insert(errors.end(), problems.begin(), problems.end());
    return std::nullopt;
  }
  normalize(e);
  return e;
}

}  // namespace samling::program
