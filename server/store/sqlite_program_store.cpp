#include "store/sqlite_program_store.hpp"

#include <map>

#include <boost/json.hpp>

#include "program/program_json.hpp"
#include "store/statement.hpp"

namespace samling::store {

namespace json = boost::json;
using program::localized_text;

namespace {

std::string localized_column(const localized_text& t) {
  return json::serialize(program::to_json(t));
}

// The store wrote these columns itself, so a value that does not parse means the file was
// edited or damaged: fail loudly with where, rather than show an event with missing text.
localized_text read_localized(sqlite_db& db, const std::string& text, const std::string& where) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  std::vector<std::string> errors;
  localized_text out;
  if (ec || !program::localized_from_json(v, where, out, errors))
    throw store_error(db.path() + ": stored text of " + where + " is not valid localized JSON");
  return out;
}

std::vector<std::string> read_string_list(sqlite_db& db, const std::string& text,
                                          const std::string& where) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  std::vector<std::string> out;
  const json::array* a = ec ? nullptr : v.if_array();
  if (!a) throw store_error(db.path() + ": stored " + where + " is not a JSON array");
  for (const json::value& item : *a) {
    const json::string* s = item.if_string();
    if (!s) throw store_error(db.path() + ": stored " + where + " holds a non-string");
    out.emplace_back(s->data(), s->size());
  }
  return out;
}

std::string string_list_column(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return json::serialize(a);
}

}  // namespace

bool sqlite_program_store::has_events() {
  statement s(db_, "SELECT EXISTS (SELECT 1 FROM events)");
  return s.step() && s.integer(0) != 0;
}

std::vector<program::event_summary> sqlite_program_store::list_events() {
  transaction tx(db_, transaction::kind::read);
  std::map<std::string, std::vector<std::string>> days;
  {
    statement s(db_, "SELECT event_id, day FROM event_days ORDER BY event_id, day");
    while (s.step()) days[s.text(0)].push_back(s.text(1));
  }
  std::vector<program::event_summary> out;
  statement s(db_,
              "SELECT e.id, e.title, e.summary, e.city, e.venue,"
              "       (SELECT min(d.day) FROM event_days d WHERE d.event_id = e.id) AS first_day,"
              "       e.series_id, e.visibility, e.timezone "
              "FROM events e ORDER BY first_day, e.id");
  while (s.step()) {
    program::event_summary summary;
    summary.id = s.text(0);
    summary.title = read_localized(db_, s.text(1), "events[" + summary.id + "].title");
    summary.summary = read_localized(db_, s.text(2), "events[" + summary.id + "].summary");
    summary.city = s.text(3);
    summary.venue = s.text(4);
    summary.series_id = s.text(6);
    const std::string vis = s.text(7);
    auto v = program::visibility_from_string(vis);
    if (!v)
      throw store_error(db_.path() + ": event " + summary.id + " has unknown visibility " + vis);
    summary.visibility = *v;
    summary.timezone = s.text(8);
    if (auto it = days.find(summary.id); it != days.end()) summary.days = std::move(it->second);
    out.push_back(std::move(summary));
  }
  tx.commit();
  return out;
}

std::optional<program::event> sqlite_program_store::find_event(std::string_view id) {
  // One snapshot for the five reads, so a concurrent save_event (another process on the same
  // file) cannot give us the old rooms with the new sessions.
  transaction tx(db_, transaction::kind::read);
  program::event e;
  {
    statement s(db_,
                "SELECT id, title, summary, organizer, venue, city, timezone, languages,"
                "       series_id, visibility, capacity, venue_address "
                "FROM events WHERE id = ?1");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    e.id = s.text(0);
    e.title = read_localized(db_, s.text(1), "events[" + e.id + "].title");
    e.summary = read_localized(db_, s.text(2), "events[" + e.id + "].summary");
    e.organizer = s.text(3);
    e.venue = s.text(4);
    e.city = s.text(5);
    e.timezone = s.text(6);
    e.languages = read_string_list(db_, s.text(7), "events[" + e.id + "].languages");
    e.series_id = s.text(8);
    const std::string vis = s.text(9);
    auto v = program::visibility_from_string(vis);
    if (!v) throw store_error(db_.path() + ": event " + e.id + " has unknown visibility " + vis);
    e.visibility = *v;
    e.capacity = s.integer(10);
    e.venue_address = s.text(11);
  }
  {
    statement s(db_, "SELECT day FROM event_days WHERE event_id = ?1 ORDER BY day");
    s.bind(1, id);
    while (s.step()) e.days.push_back(s.text(0));
  }
  {
    statement s(db_,
                "SELECT id, kind, name, position, guests FROM rooms WHERE event_id = ?1 "
                "ORDER BY position, id");
    s.bind(1, id);
    while (s.step()) {
      program::room r;
      r.id = s.text(0);
      const std::string kind = s.text(1);
      auto k = program::room_kind_from_string(kind);
      if (!k) throw store_error(db_.path() + ": room " + r.id + " has unknown kind " + kind);
      r.kind = *k;
      r.name = read_localized(db_, s.text(2), "rooms[" + r.id + "].name");
      r.position = s.integer(3);
      r.guests = s.integer(4) != 0;
      e.rooms.push_back(std::move(r));
    }
  }
  std::map<std::string, std::size_t> session_index;
  {
    // The order normalize() gives: day, start, room position, id.
    statement s(db_,
                "SELECT s.id, s.room_id, s.day, s.starts_at, s.ends_at, s.kind, s.track,"
                "       s.title, s.description, s.cancelled, s.sequence "
                "FROM sessions s JOIN rooms r ON r.event_id = s.event_id AND r.id = s.room_id "
                "WHERE s.event_id = ?1 "
                "ORDER BY s.day, s.starts_at, r.position, s.id");
    s.bind(1, id);
    while (s.step()) {
      program::session ss;
      ss.id = s.text(0);
      ss.room_id = s.text(1);
      ss.day = s.text(2);
      ss.starts_at = s.text(3);
      ss.ends_at = s.text(4);
      const std::string kind = s.text(5);
      auto k = program::session_kind_from_string(kind);
      if (!k) throw store_error(db_.path() + ": session " + ss.id + " has unknown kind " + kind);
      ss.kind = *k;
      ss.track = s.text(6);
      ss.title = read_localized(db_, s.text(7), "sessions[" + ss.id + "].title");
      ss.description = read_localized(db_, s.text(8), "sessions[" + ss.id + "].description");
      ss.cancelled = s.integer(9) != 0;
      ss.sequence = s.integer(10);
      session_index.emplace(ss.id, e.sessions.size());
      e.sessions.push_back(std::move(ss));
    }
  }
  {
    statement s(db_,
                "SELECT session_id, name, affiliation FROM speakers WHERE event_id = ?1 "
                "ORDER BY session_id, position");
    s.bind(1, id);
    while (s.step()) {
      const std::string session_id = s.text(0);
      auto it = session_index.find(session_id);
      if (it == session_index.end()) continue;  // impossible: the foreign key cascades
      program::speaker sp;
      sp.name = s.text(1);
      sp.affiliation = read_localized(db_, s.text(2), "speakers[" + sp.name + "].affiliation");
      e.sessions[it->second].speakers.push_back(std::move(sp));
    }
  }
  tx.commit();
  return e;
}

void sqlite_program_store::save_event(const program::event& e) {
  transaction tx(db_);
  // Deleting the event cascades to its days, rooms, sessions and speakers, so nothing of the
  // previous version (a session since removed, a renamed room) survives the replace.
  statement(db_, "DELETE FROM events WHERE id = ?1").bind(1, e.id).run();

  statement(db_,
            "INSERT INTO events (id, title, summary, organizer, venue, city, timezone, languages,"
            "                    series_id, visibility, capacity, venue_address) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
      .bind(1, e.id)
      .bind(2, localized_column(e.title))
      .bind(3, localized_column(e.summary))
      .bind(4, e.organizer)
      .bind(5, e.venue)
      .bind(6, e.city)
      .bind(7, e.timezone)
      .bind(8, string_list_column(e.languages))
      .bind(9, e.series_id)
      .bind(10, program::to_string(e.visibility))
      .bind(11, e.capacity)
      .bind(12, e.venue_address)
      .run();

  statement day(db_, "INSERT INTO event_days (event_id, day) VALUES (?1, ?2)");
  for (const std::string& d : e.days) {
    day.bind(1, e.id).bind(2, d).run();
    day.reset();
  }

  statement room(db_,
                 "INSERT INTO rooms (event_id, id, kind, name, position, guests) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (const program::room& r : e.rooms) {
    room.bind(1, e.id)
        .bind(2, r.id)
        .bind(3, program::to_string(r.kind))
        .bind(4, localized_column(r.name))
        .bind(5, r.position)
        .bind(6, r.guests ? 1 : 0)
        .run();
    room.reset();
  }

  statement session(db_,
                    "INSERT INTO sessions (event_id, id, room_id, day, starts_at, ends_at, kind,"
                    "                      track, title, description, cancelled, sequence) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  statement speaker(db_,
                    "INSERT INTO speakers (event_id, session_id, position, name, affiliation) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)");
  for (const program::session& s : e.sessions) {
    session.bind(1, e.id)
        .bind(2, s.id)
        .bind(3, s.room_id)
        .bind(4, s.day)
        .bind(5, s.starts_at)
        .bind(6, s.ends_at)
        .bind(7, program::to_string(s.kind))
        .bind(8, s.track)
        .bind(9, localized_column(s.title))
        .bind(10, localized_column(s.description))
        .bind(11, s.cancelled ? 1 : 0)
        .bind(12, s.sequence)
        .run();
    session.reset();
    for (std::size_t i = 0; i < s.speakers.size(); ++i) {
      speaker.bind(1, e.id)
          .bind(2, s.id)
          .bind(3, static_cast<std::int64_t>(i))
          .bind(4, s.speakers[i].name)
          .bind(5, localized_column(s.speakers[i].affiliation))
          .run();
      speaker.reset();
    }
  }
  tx.commit();
}

}  // namespace samling::store
