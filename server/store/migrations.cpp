#include "store/migrations.hpp"

namespace samling::store {

// Localized text (titles, names, descriptions, affiliations) is kept as a JSON object
// {"sv": "...", "en": "...", "fi": "..."} in a TEXT column, not in a translations table: it is
// always read and written whole together with its item, never searched or joined by language,
// so a table would triple the rows and add a join to every program read for no query we make.
// SQLite's json_extract() still reaches inside when a report needs one language.
//
// Tables are STRICT (SQLite >= 3.37; Debian 12 ships 3.40) so a wrongly typed bind fails loudly
// instead of being stored as whatever type it happened to be. Child rows use composite keys
// (event_id, id) because room and session ids are unique only within their event; every child
// cascades from its parent, so replacing an event is one DELETE followed by inserts.
static constexpr std::string_view migration_1_sql = R"sql(
CREATE TABLE events (
  id         TEXT PRIMARY KEY,
  title      TEXT NOT NULL,                -- localized JSON
  summary    TEXT NOT NULL DEFAULT '{}',   -- localized JSON
  organizer  TEXT NOT NULL DEFAULT '',
  venue      TEXT NOT NULL DEFAULT '',
  city       TEXT NOT NULL DEFAULT '',
  timezone   TEXT NOT NULL,
  languages  TEXT NOT NULL DEFAULT '["sv"]' -- JSON array of language codes
) STRICT;

CREATE TABLE event_days (
  event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  day      TEXT NOT NULL,                  -- YYYY-MM-DD: sorts as text
  PRIMARY KEY (event_id, day)
) STRICT, WITHOUT ROWID;

-- Listing events by their first day scans this instead of every event's days.
CREATE INDEX event_days_by_day ON event_days(day, event_id);

CREATE TABLE rooms (
  event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  id       TEXT NOT NULL,
  kind     TEXT NOT NULL CHECK (kind IN ('main_stage', 'seminar', 'press')),
  name     TEXT NOT NULL,                  -- localized JSON
  position INTEGER NOT NULL,
  PRIMARY KEY (event_id, id)
) STRICT;

CREATE INDEX rooms_in_order ON rooms(event_id, position, id);

CREATE TABLE sessions (
  event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  room_id     TEXT NOT NULL,
  day         TEXT NOT NULL,
  starts_at   TEXT NOT NULL,               -- HH:MM, event-local: sorts as text
  ends_at     TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('plenary', 'seminar', 'break', 'press')),
  track       TEXT NOT NULL DEFAULT '',
  title       TEXT NOT NULL,               -- localized JSON
  description TEXT NOT NULL DEFAULT '{}',  -- localized JSON
  PRIMARY KEY (event_id, id),
  FOREIGN KEY (event_id, room_id) REFERENCES rooms(event_id, id) ON DELETE CASCADE,
  FOREIGN KEY (event_id, day) REFERENCES event_days(event_id, day) ON DELETE CASCADE
) STRICT;

-- Reading a day's program in time order; also serves the foreign-key checks on rooms.
CREATE INDEX sessions_in_order ON sessions(event_id, day, starts_at);
CREATE INDEX sessions_by_room ON sessions(event_id, room_id);

CREATE TABLE speakers (
  event_id    TEXT NOT NULL,
  session_id  TEXT NOT NULL,
  position    INTEGER NOT NULL,            -- order within the session as given
  name        TEXT NOT NULL,
  affiliation TEXT NOT NULL DEFAULT '{}',  -- localized JSON
  PRIMARY KEY (event_id, session_id, position),
  FOREIGN KEY (event_id, session_id) REFERENCES sessions(event_id, id) ON DELETE CASCADE
) STRICT;
)sql";

const std::vector<migration>& migrations() {
  static const std::vector<migration> all = {
      {1, "program: events, days, rooms, sessions, speakers", migration_1_sql},
  };
  return all;
}

int latest_schema_version() { return migrations().empty() ? 0 : migrations().back().version; }

}  // namespace samling::store
