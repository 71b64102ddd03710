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

// Rooms open to guests, and chat history.
//
// guests: ADD COLUMN keeps every existing room, closed to guests (0) as before this version.
//
// chat_messages: `room` is the wire name "EVENT_ID/ROOM_ID", deliberately without a foreign key
// to rooms: save_event replaces an event by DELETE and re-insert, which would cascade away the
// whole chat history of every room on each program edit. The primary key (room, seq) serves
// recent() and last_seq() as one range scan of one room; the UNIQUE constraint is both the
// retry check (find_by_client_id) and its index. An ordinary rowid table rather than WITHOUT
// ROWID: a message may be up to 1000 code points (4000 bytes), and WITHOUT ROWID keeps whole
// rows in interior pages, which suits rows far smaller than that.
static constexpr std::string_view migration_2_sql = R"sql(
ALTER TABLE rooms ADD COLUMN guests INTEGER NOT NULL DEFAULT 0 CHECK (guests IN (0, 1));

CREATE TABLE chat_messages (
  room          TEXT NOT NULL,             -- "EVENT_ID/ROOM_ID"
  seq           INTEGER NOT NULL CHECK (seq >= 1),  -- per room, assigned by the room
  ts_ms         INTEGER NOT NULL,          -- server time, ms since the Unix epoch
  user_id       TEXT NOT NULL,             -- token subject, or "g-..." for a guest
  user_name     TEXT NOT NULL,
  user_role     TEXT NOT NULL,
  text          TEXT NOT NULL,
  client_msg_id TEXT NOT NULL,
  PRIMARY KEY (room, seq),
  UNIQUE (room, user_id, client_msg_id)
) STRICT;
)sql";

// Where each stage's relay destinations are kept between runs (media::destination_store),
// replacing the media folder's outputs/<stage>.json files (imported once by the engine).
// An organizer's destination (source 'api') is kept whole, its stream key too, which is why
// the database file is readable by the server's user only (sqlite_db.cpp); one from the
// configuration ('config') keeps only `enabled`: its name, URL and key come from the
// configuration at every start. `stage` is the configured stage id, deliberately without a
// foreign key: stages come from the configuration file, not from the database. `position`
// keeps the order the organizer added them in.
static constexpr std::string_view migration_3_sql = R"sql(
CREATE TABLE stage_destinations (
  stage      TEXT NOT NULL,
  id         TEXT NOT NULL,
  position   INTEGER NOT NULL,
  source     TEXT NOT NULL CHECK (source IN ('config', 'api')),
  name       TEXT NOT NULL DEFAULT '',
  url        TEXT NOT NULL DEFAULT '',
  stream_key TEXT NOT NULL DEFAULT '',
  enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  PRIMARY KEY (stage, id)
) STRICT;
)sql";

// Staff accounts (auth::account_store). `email` is stored normalized (trimmed, lower-cased by
// auth::normalize_email), so UNIQUE is the case-insensitive duplicate check and its index the
// sign-in lookup. `password_hash` is libsodium's Argon2id string, parameters included.
// account_roles: one row per (account, event, role); event_id '*' is organization-wide. No
// foreign key to events: a grant may name an event before it is created or imported, and
// replacing an event (save_event) must not drop its staff.
static constexpr std::string_view migration_4_sql = R"sql(
CREATE TABLE accounts (
  id            TEXT PRIMARY KEY,          -- "a-<16 hex digits>"
  email         TEXT NOT NULL UNIQUE,      -- normalized
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL,          -- seconds since the Unix epoch
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
) STRICT;

CREATE TABLE account_roles (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  event_id   TEXT NOT NULL,                -- an event id, or '*'
  role       TEXT NOT NULL CHECK (role IN ('attendee', 'speaker', 'press', 'moderator', 'organizer')),
  PRIMARY KEY (account_id, event_id, role)
) STRICT, WITHOUT ROWID;
)sql";

// Issue 16, program-io: series of events (e.g. 17 regional one-day conferences) and the new
// event and session fields. The series table's rows (`series_events`) are the seed table's:
// date, responsible county, co-hosting county, city, and the event created for the row once
// there is one. No foreign key from events.series_id or series_events.event_id: save_event
// replaces an event by DELETE and re-insert, and a series may be imported before its events
// (or the other way round). Times stay as they were: a session's event-local day and HH:MM plus
// the event's zone are the organizer's intent; UTC is derived with the tz database on read.
static constexpr std::string_view migration_7_sql = R"sql(
ALTER TABLE events ADD COLUMN series_id TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
  CHECK (visibility IN ('public', 'unlisted', 'private'));
ALTER TABLE events ADD COLUMN capacity INTEGER NOT NULL DEFAULT 0 CHECK (capacity >= 0);
ALTER TABLE events ADD COLUMN venue_address TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1));
ALTER TABLE sessions ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0);

CREATE TABLE series (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,                -- localized JSON
  organizer   TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '{}'    -- localized JSON
) STRICT;

CREATE TABLE series_events (
  series_id          TEXT NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  position           INTEGER NOT NULL,      -- row order as given
  date               TEXT NOT NULL,         -- YYYY-MM-DD
  responsible_county TEXT NOT NULL DEFAULT '',
  cohost_county      TEXT NOT NULL DEFAULT '',
  city               TEXT NOT NULL DEFAULT '',
  event_id           TEXT,                  -- NULL until an event is made for the row
  PRIMARY KEY (series_id, position)
) STRICT;

CREATE INDEX events_by_series ON events(series_id);
)sql";

// The live program's published versions (program::program_versions_store): one row per
// publish, numbered per event from 1 (the first published program, which the event page marks
// changes against). `changes` is the diff against the previous version (a JSON array, as the
// program event sends it); `snapshot` the whole event as published, with each session's
// cancelled flag and iCalendar sequence. No foreign key to events: save_event replaces an event
// by deleting it (its days, rooms and sessions cascade), and its history must survive that.
static constexpr std::string_view migration_8_sql = R"sql(
CREATE TABLE program_versions (
  event_id     TEXT NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  published_at INTEGER NOT NULL,           -- seconds since the Unix epoch (UTC)
  actor        TEXT NOT NULL,              -- user or account id; 'system' for the baseline
  actor_name   TEXT NOT NULL,
  changes      TEXT NOT NULL,              -- JSON array of session changes
  snapshot     TEXT NOT NULL,              -- JSON: the event as published
  PRIMARY KEY (event_id, version)
) STRICT;
)sql";

// The e-mail outbox (mail::outbox, slice "mail"): one row per message, kept after it is sent
// so organizers can read what went out. `state`: queued (due at next_attempt_at), sending
// (claimed by the sender; back to retrying at the next start if the process died mid-send),
// retrying (a temporary failure; due again at next_attempt_at), sent, failed (a permanent
// refusal or mail.max_attempts used up). Times in seconds since the Unix epoch. The text
// columns are the message as the caller built it; the MIME form is made when it is sent.
// No foreign key to events: a message outlives a deleted or replaced event.
static constexpr std::string_view migration_6_sql = R"sql(
CREATE TABLE outbox (
  id              TEXT NOT NULL UNIQUE,     -- "m-<16 hex digits>"
  event_id        TEXT NOT NULL DEFAULT '',
  kind            TEXT NOT NULL,
  language        TEXT NOT NULL DEFAULT '',
  to_address      TEXT NOT NULL,
  to_name         TEXT NOT NULL DEFAULT '',
  subject         TEXT NOT NULL,
  text            TEXT NOT NULL,
  html            TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'sending', 'retrying', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  sent_at         INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT ''
) STRICT;

-- The sender's "what is due next": only unsent rows are in it.
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state IN ('queued', 'retrying');
-- An event's messages, newest first (the organizer's console).
CREATE INDEX outbox_by_event ON outbox(event_id, created_at);
)sql";

// Staff sign-in (accounts slice): sessions, sign-in failures, invitations and the audit log.
// staff_sessions: the primary key is the SHA-256 of the cookie's session id, never the id
// itself; sessions die with their account (CASCADE). sign_in_failures: one row per wrong
// password, by subject ("account:<id>" or "remote:<address>"), so the lock-out and the
// per-address limit are a range count on (subject, at) and survive a restart. invitations: the
// token is kept hashed as well; accepted_at NULL until it is used (single use). audit_log: an
// append-only list, read per event newest first (its index) and never updated.
static constexpr std::string_view migration_5_sql = R"sql(
CREATE TABLE staff_sessions (
  id_hash    TEXT PRIMARY KEY,             -- hex SHA-256 of the cookie's session id
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf       TEXT NOT NULL,
  created_at INTEGER NOT NULL,             -- seconds since the Unix epoch
  last_seen  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,             -- the absolute end
  user_agent TEXT NOT NULL DEFAULT '',
  remote     TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

CREATE INDEX staff_sessions_by_account ON staff_sessions(account_id);

CREATE TABLE sign_in_failures (
  subject TEXT NOT NULL,                   -- "account:<id>" or "remote:<address>"
  at      INTEGER NOT NULL                 -- seconds since the Unix epoch
) STRICT;

CREATE INDEX sign_in_failures_by_subject ON sign_in_failures(subject, at);

CREATE TABLE invitations (
  id          TEXT PRIMARY KEY,            -- "i-<16 hex digits>"
  token_hash  TEXT NOT NULL UNIQUE,        -- hex SHA-256 of the link's token
  event_id    TEXT NOT NULL,
  email       TEXT NOT NULL,               -- normalized
  name        TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('speaker', 'press', 'moderator', 'organizer')),
  language    TEXT NOT NULL,
  invited_by  TEXT NOT NULL,               -- account id
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  accepted_at INTEGER                      -- NULL until used
) STRICT;

CREATE INDEX invitations_by_event ON invitations(event_id, created_at);

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,          -- insertion order
  at_ms      INTEGER NOT NULL,             -- ms since the Unix epoch
  actor      TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  event_id   TEXT NOT NULL,                -- '' for organization-wide changes
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  detail     TEXT NOT NULL,
  remote     TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_by_event ON audit_log(event_id, id);
)sql";

// Registration (registration slice): an event's settings and its registrations.
// registrations.seq is the order of arrival, which is the waitlist's order. The partial UNIQUE
// index makes "one live registration per e-mail and event" a rule of the database as well as
// of the store (registering again is idempotent); a cancelled one does not block a new one.
// manage_hash is the SHA-256 of the attendee's manage token (the token itself is never
// stored). Erasure at the attendee's request empties the personal fields, NULLs email and
// manage_hash and keeps the anonymous row for the counts. No foreign key to events: replacing
// an event (save_event) must not drop its registrations.
static constexpr std::string_view migration_9_sql = R"sql(
CREATE TABLE registration_settings (
  event_id        TEXT PRIMARY KEY,
  opens_at        INTEGER NOT NULL,          -- UTC seconds
  closes_at       INTEGER NOT NULL,          -- UTC seconds
  capacity        INTEGER NOT NULL CHECK (capacity >= 0),         -- 0: unlimited
  remote_capacity INTEGER NOT NULL DEFAULT 0 CHECK (remote_capacity >= 0),
  waitlist        INTEGER NOT NULL CHECK (waitlist IN (0, 1)),
  modes           TEXT NOT NULL,             -- "hall", "remote" or "hall,remote"
  consent_version TEXT NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE registrations (
  seq                 INTEGER PRIMARY KEY,   -- order of arrival
  id                  TEXT NOT NULL UNIQUE,  -- "r-<16 hex digits>"
  event_id            TEXT NOT NULL,
  manage_hash         TEXT UNIQUE,           -- NULL once erased
  name                TEXT NOT NULL,
  email               TEXT,                  -- normalized; NULL once erased
  organization        TEXT NOT NULL DEFAULT '',
  accessibility_needs TEXT NOT NULL DEFAULT '',
  mode                TEXT NOT NULL CHECK (mode IN ('hall', 'remote')),
  status              TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted', 'cancelled')),
  language            TEXT NOT NULL CHECK (language IN ('sv', 'en', 'fi')),
  consent_version     TEXT NOT NULL,
  consent_at          INTEGER NOT NULL,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  cancelled_at        INTEGER NOT NULL DEFAULT 0,
  erased              INTEGER NOT NULL DEFAULT 0 CHECK (erased IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX registrations_live_email ON registrations (event_id, email) WHERE status != 'cancelled';
CREATE INDEX registrations_by_mode ON registrations (event_id, mode, status, seq);
)sql";

// The `lunch` session kind (issue 16: plenary, seminar, break, lunch, press meeting). SQLite
// cannot change a CHECK in place, so the sessions table is rebuilt with the same columns (those
// of migration 1, then 7's cancelled and sequence) and indexes. Dropping the old table deletes
// its rows first, and speakers' ON DELETE CASCADE with them, so the speakers are kept aside and
// put back once the new table holds their sessions. One transaction, like every migration.
static constexpr std::string_view migration_10_sql = R"sql(
CREATE TEMP TABLE speakers_kept AS SELECT * FROM speakers;

CREATE TABLE sessions_rebuilt (
  event_id    TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  room_id     TEXT NOT NULL,
  day         TEXT NOT NULL,
  starts_at   TEXT NOT NULL,               -- HH:MM, event-local: sorts as text
  ends_at     TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('plenary', 'seminar', 'break', 'lunch', 'press')),
  track       TEXT NOT NULL DEFAULT '',
  title       TEXT NOT NULL,               -- localized JSON
  description TEXT NOT NULL DEFAULT '{}',  -- localized JSON
  cancelled   INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
  sequence    INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),
  PRIMARY KEY (event_id, id),
  FOREIGN KEY (event_id, room_id) REFERENCES rooms(event_id, id) ON DELETE CASCADE,
  FOREIGN KEY (event_id, day) REFERENCES event_days(event_id, day) ON DELETE CASCADE
) STRICT;
INSERT INTO sessions_rebuilt (event_id, id, room_id, day, starts_at, ends_at, kind, track, title, description,
                              cancelled, sequence)
  SELECT event_id, id, room_id, day, starts_at, ends_at, kind, track, title, description, cancelled, sequence
  FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_rebuilt RENAME TO sessions;
CREATE INDEX sessions_in_order ON sessions(event_id, day, starts_at);
CREATE INDEX sessions_by_room ON sessions(event_id, room_id);

DELETE FROM speakers;
INSERT INTO speakers SELECT * FROM speakers_kept;
DROP TABLE speakers_kept;
)sql";

// Issue 17 (H-room): one log per room. room_log holds a room's entries that are not chat
// messages (questions, votes, polls, moderation: rooms/room_log.hpp), each with its serialized
// views; they share the room's seq counter with chat_messages, so (room, seq) is unique across
// both tables (the chat writer assigns each seq once). A deleted message stays in chat_messages
// with deleted_ms set (the moderation log and the export need what was deleted and by whom) and
// is never read back for a room's history; a held one (the word list) waits for a moderator.
static constexpr std::string_view migration_11_sql = R"sql(
CREATE TABLE room_log (
  room          TEXT NOT NULL,             -- "EVENT_ID/ROOM_ID"
  seq           INTEGER NOT NULL CHECK (seq >= 1),
  ts_ms         INTEGER NOT NULL,
  type          TEXT NOT NULL,             -- the event's "type"
  everyone_json TEXT NOT NULL DEFAULT '',  -- '' : not shown to non-staff (but the owner)
  staff_json    TEXT NOT NULL DEFAULT '',  -- '' : staff get everyone_json
  owner_id      TEXT NOT NULL DEFAULT '',
  owner_json    TEXT NOT NULL DEFAULT '',
  hides_seq     INTEGER NOT NULL DEFAULT 0,
  shows_seq     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (room, seq)
) STRICT;

ALTER TABLE chat_messages ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));
ALTER TABLE chat_messages ADD COLUMN deleted_ms INTEGER;
ALTER TABLE chat_messages ADD COLUMN deleted_by TEXT;
ALTER TABLE chat_messages ADD COLUMN deleted_reason TEXT;
CREATE INDEX chat_messages_held ON chat_messages (room, seq) WHERE held = 1 AND deleted_ms IS NULL;
)sql";

// Q&A and polls of a room (issue 17, qa/qa_store.hpp). `room` is the wire name
// "EVENT_ID/ROOM_ID" without a foreign key, for the reason given for chat_messages (migration 2).
//
// questions: `votes` is the count of the question's rows in question_votes, kept by the store
// with every change (lists and tallies read it instead of counting). `asked_by` is the sender
// (the asker, or the moderator who entered a hall question): with client_msg_id it recognises
// a retried ask; '' means none. One pinned question per room, enforced by a partial unique
// index. merged_from is not stored: it is the questions whose merged_into names this one.
// question_votes: one row per voter (the primary key is the "one vote per user id" rule, and a
// merge copies voters with INSERT OR IGNORE so nobody counts twice).
// polls: the options as a JSON array of strings (read and written whole). poll_votes: one row
// per chosen option; counts and distinct voters are read with GROUP BY / count(DISTINCT).
// The settings: a missing row is the default (not pre-moderated; names hidden from moderators).
static constexpr std::string_view migration_12_sql = R"sql(
CREATE TABLE questions (
  id            TEXT PRIMARY KEY,
  room          TEXT NOT NULL,
  text          TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'answered', 'rejected', 'archived', 'merged')),
  pinned        INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
  source        TEXT NOT NULL CHECK (source IN ('online', 'hall')),
  press         INTEGER NOT NULL DEFAULT 0 CHECK (press IN (0, 1)),
  anonymous     INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
  author_id     TEXT NOT NULL DEFAULT '',
  author_name   TEXT NOT NULL DEFAULT '',
  author_role   TEXT NOT NULL,
  asked_by      TEXT NOT NULL,
  client_msg_id TEXT NOT NULL DEFAULT '',
  votes         INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL,
  edited        INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1)),
  merged_into   TEXT NOT NULL DEFAULT '',
  reason        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX questions_by_room ON questions (room, created_ms);
CREATE UNIQUE INDEX questions_client_id ON questions (room, asked_by, client_msg_id) WHERE client_msg_id <> '';
CREATE UNIQUE INDEX questions_one_pinned ON questions (room) WHERE pinned = 1;
CREATE INDEX questions_merged ON questions (merged_into) WHERE merged_into <> '';

CREATE TABLE question_votes (
  question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
  user_id     TEXT NOT NULL,
  at_ms       INTEGER NOT NULL,
  PRIMARY KEY (question_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX question_votes_by_user ON question_votes (user_id, question_id);

CREATE TABLE polls (
  id         TEXT PRIMARY KEY,
  room       TEXT NOT NULL,
  text       TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('single', 'multiple')),
  options    TEXT NOT NULL,               -- JSON array of strings
  state      TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed', 'archived')),
  results    TEXT NOT NULL CHECK (results IN ('live', 'hidden', 'revealed')),
  created_by TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX polls_by_room ON polls (room, created_ms);

CREATE TABLE poll_votes (
  poll_id TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  choice  INTEGER NOT NULL CHECK (choice >= 0),
  at_ms   INTEGER NOT NULL,
  PRIMARY KEY (poll_id, user_id, choice)
) STRICT, WITHOUT ROWID;
CREATE INDEX poll_votes_by_user ON poll_votes (user_id, poll_id);

CREATE TABLE qa_room_settings (
  room         TEXT PRIMARY KEY,
  premoderated INTEGER NOT NULL DEFAULT 0 CHECK (premoderated IN (0, 1))
) STRICT;

CREATE TABLE qa_event_settings (
  event_id            TEXT PRIMARY KEY,
  names_to_moderators INTEGER NOT NULL DEFAULT 0 CHECK (names_to_moderators IN (0, 1))
) STRICT;
)sql";

// Chat moderation (issue 17, moderation: moderation::moderation_store). Mutes and bans are per
// event (a user muted or banned in one room is so in every room of the event), one row per
// user: muting or banning again replaces it; an expired mute stays until replaced or lifted
// (the gate compares until_ms with the post's time). The names and the actor are copies, as
// they were when the action was taken, so the lists read without a join to anything. Room
// settings are keyed by the wire room name, like chat_messages, without a foreign key: an
// event's rooms are deleted and re-inserted on every program edit. The word list is one row
// per event, a JSON array in the moderator's order: it is always read and replaced whole, and
// the post gate reads it for every post, so one short row beats up to 500 (and its text tells
// the gate's prepared copy whether it is still current). The moderation log is append only; its INTEGER PRIMARY KEY is
// the rowid, so records are numbered in the order they were written, and the index reads one
// event's records in that order. Slow mode asks, for every post while it is on, when the
// poster last wrote in the room: chat_messages_by_user answers with one seek (the latest seq of
// that user in that room) where the (room, user_id, client_msg_id) index would visit every
// message the user ever wrote there.
static constexpr std::string_view migration_13_sql = R"sql(
CREATE TABLE mutes (
  event_id  TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  user_name TEXT NOT NULL,
  until_ms  INTEGER NOT NULL,
  reason    TEXT NOT NULL DEFAULT '',
  by_id     TEXT NOT NULL,
  by_name   TEXT NOT NULL,
  at_ms     INTEGER NOT NULL,
  PRIMARY KEY (event_id, user_id)
) STRICT;

CREATE TABLE bans (
  event_id  TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  user_name TEXT NOT NULL,
  reason    TEXT NOT NULL DEFAULT '',
  by_id     TEXT NOT NULL,
  by_name   TEXT NOT NULL,
  at_ms     INTEGER NOT NULL,
  PRIMARY KEY (event_id, user_id)
) STRICT;

CREATE TABLE chat_room_settings (
  room              TEXT PRIMARY KEY,      -- "EVENT_ID/ROOM_ID"
  slow_mode_seconds INTEGER NOT NULL DEFAULT 0 CHECK (slow_mode_seconds >= 0),
  locked            INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1))
) STRICT;

CREATE TABLE word_lists (
  event_id TEXT PRIMARY KEY,
  words    TEXT NOT NULL                   -- JSON array of strings, in the moderator's order
) STRICT;

CREATE TABLE moderation_log (
  id         INTEGER PRIMARY KEY,
  event_id   TEXT NOT NULL,
  room       TEXT NOT NULL,
  ts_ms      INTEGER NOT NULL,
  actor_id   TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL DEFAULT '',
  reason     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX moderation_log_by_event ON moderation_log (event_id, id);

CREATE INDEX chat_messages_by_user ON chat_messages (room, user_id, seq);
)sql";

// Kiosk links (projector::kiosk_store; issue 17, H-proj): the projector view of one room,
// opened by whoever holds the id. No foreign keys to events or rooms, like chat_messages:
// save_event replaces an event by DELETE and re-insert, which would cascade every link away on
// each program edit; a link to a room that no longer exists simply finds no room. Revoked links
// stay (revoked_ms set) so the console can list them and the API can answer 410, not 404.
static constexpr std::string_view migration_14_sql = R"sql(
CREATE TABLE kiosk_links (
  id          TEXT PRIMARY KEY,                        -- 32 hex characters: the link's secret
  event_id    TEXT NOT NULL,
  room_id     TEXT NOT NULL,
  created_by  TEXT NOT NULL,                           -- account id or token subject
  created_ms  INTEGER NOT NULL,
  revoked_ms  INTEGER                                  -- NULL: still valid
) STRICT;
CREATE INDEX kiosk_links_by_event ON kiosk_links(event_id, created_ms);
)sql";

// Press accreditation, grants and interview requests (issue 18, press::press_store). No foreign
// keys to events (as kiosk_links): save_event replaces an event by DELETE and re-insert. `seq`
// is the order of arrival, which breaks ties of the same second in the lists. Lists of strings
// (days, stages, rooms) and the contacts are JSON arrays, read and written whole; enums are
// their press::to_string names. Secret tokens are never stored, only their SHA-256
// (manage_hash, speaker_hash; NULL: none). A grant's revoked_at is 0 until it is revoked; the
// partial index is what the registry reads at start (every revoked id). press_views holds one
// row per (event, viewer, stage, device, address), the sums of what the registry counted
// (press_store::add_views); press_refusals one row per device the cap turned away.
static constexpr std::string_view migration_15_sql = R"sql(
CREATE TABLE press_accreditations (
  seq         INTEGER PRIMARY KEY,           -- order of arrival
  id          TEXT NOT NULL UNIQUE,          -- "acc-<16 hex digits>"
  event_id    TEXT NOT NULL,
  manage_hash TEXT UNIQUE,                   -- SHA-256 hex of the journalist's manage token
  name        TEXT NOT NULL,
  outlet      TEXT NOT NULL,
  email       TEXT NOT NULL,                 -- normalized
  phone       TEXT NOT NULL DEFAULT '',
  press_card  TEXT NOT NULL DEFAULT '',
  days        TEXT NOT NULL DEFAULT '[]',    -- JSON array of YYYY-MM-DD
  attendance  TEXT NOT NULL CHECK (attendance IN ('hall', 'remote')),
  note        TEXT NOT NULL DEFAULT '',
  language    TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('pending', 'info_requested', 'approved', 'rejected', 'revoked')),
  question    TEXT NOT NULL DEFAULT '',
  reason      TEXT NOT NULL DEFAULT '',
  grant_id    TEXT NOT NULL DEFAULT '',
  decided_by  TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,              -- UTC seconds
  updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX press_accreditations_by_event ON press_accreditations (event_id, created_at, seq);
CREATE INDEX press_accreditations_by_email ON press_accreditations (event_id, email);
CREATE INDEX press_accreditations_by_grant ON press_accreditations (grant_id) WHERE grant_id <> '';

CREATE TABLE press_grants (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,     -- "pr-<16 hex digits>"
  event_id         TEXT NOT NULL,
  name             TEXT NOT NULL,
  outlet           TEXT NOT NULL DEFAULT '',
  stages           TEXT NOT NULL,            -- JSON array of stage ids, ["*"]: all
  rooms            TEXT NOT NULL,            -- JSON array of room ids, ["*"]: all
  valid_from       INTEGER NOT NULL,         -- UTC seconds
  valid_until      INTEGER NOT NULL,
  device_cap       INTEGER NOT NULL CHECK (device_cap >= 0),
  email            TEXT NOT NULL DEFAULT '',
  language         TEXT NOT NULL,
  accreditation_id TEXT NOT NULL DEFAULT '',
  created_by       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  revoked_at       INTEGER NOT NULL DEFAULT 0,  -- 0: not revoked
  revoked_by       TEXT NOT NULL DEFAULT '',
  revoke_reason    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX press_grants_by_event ON press_grants (event_id, created_at, seq);
CREATE INDEX press_grants_revoked ON press_grants (id, revoked_at) WHERE revoked_at <> 0;

CREATE TABLE press_interviews (
  seq           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,        -- "iv-<16 hex digits>"
  event_id      TEXT NOT NULL,
  grant_id      TEXT NOT NULL,
  journalist    TEXT NOT NULL,
  speaker       TEXT NOT NULL,
  session_id    TEXT NOT NULL DEFAULT '',
  wanted        TEXT NOT NULL DEFAULT '',
  note          TEXT NOT NULL DEFAULT '',
  state         TEXT NOT NULL CHECK (state IN ('requested', 'accepted', 'proposed', 'declined', 'cancelled')),
  proposed      TEXT NOT NULL DEFAULT '',
  answer_note   TEXT NOT NULL DEFAULT '',
  answered_by   TEXT NOT NULL DEFAULT '',
  speaker_email TEXT NOT NULL DEFAULT '',
  speaker_hash  TEXT UNIQUE,                 -- SHA-256 hex of the speaker's answer token; NULL: none
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX press_interviews_by_event ON press_interviews (event_id, created_at, seq);
CREATE INDEX press_interviews_by_grant ON press_interviews (grant_id, created_at, seq);

CREATE TABLE press_views (
  event_id   TEXT NOT NULL,
  viewer     TEXT NOT NULL,                  -- a grant id, user id or account id
  stage      TEXT NOT NULL,
  device     TEXT NOT NULL,
  address    TEXT NOT NULL,
  name       TEXT NOT NULL DEFAULT '',       -- as of the latest request
  user_agent TEXT NOT NULL DEFAULT '',       -- as of the latest request
  first_at   INTEGER NOT NULL,               -- UTC ms
  last_at    INTEGER NOT NULL,               -- UTC ms
  bytes      INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
  requests   INTEGER NOT NULL DEFAULT 0 CHECK (requests >= 0),
  PRIMARY KEY (event_id, viewer, stage, device, address)
) STRICT;
CREATE INDEX press_views_by_event ON press_views (event_id, first_at);
CREATE INDEX press_views_by_viewer ON press_views (viewer, first_at);

CREATE TABLE press_refusals (
  seq        INTEGER PRIMARY KEY,
  event_id   TEXT NOT NULL,
  grant_id   TEXT NOT NULL,
  stage      TEXT NOT NULL,
  device     TEXT NOT NULL,
  address    TEXT NOT NULL,
  user_agent TEXT NOT NULL DEFAULT '',
  at         INTEGER NOT NULL                -- UTC ms
) STRICT;
CREATE INDEX press_refusals_by_event ON press_refusals (event_id, at, seq);
CREATE INDEX press_refusals_by_grant ON press_refusals (grant_id, at, seq);

CREATE TABLE press_settings (
  event_id           TEXT PRIMARY KEY,
  accreditation_open INTEGER NOT NULL CHECK (accreditation_open IN (0, 1)),
  contacts           TEXT NOT NULL DEFAULT '[]',  -- JSON array of {name, role, email, phone}
  updated_at         INTEGER NOT NULL
) STRICT;

-- The press_officer role (issue 18) for staff accounts and invitations: the CHECKs of migrations
-- 4 and 5 did not know it, and INSERT OR IGNORE (grant_role) silently dropped such a role.
-- SQLite cannot alter a CHECK: each table is rebuilt with its rows (nothing references them).
CREATE TABLE account_roles_15 (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  event_id   TEXT NOT NULL,                -- an event id, or '*'
  role       TEXT NOT NULL CHECK (role IN ('attendee', 'speaker', 'press', 'moderator', 'organizer', 'press_officer')),
  PRIMARY KEY (account_id, event_id, role)
) STRICT, WITHOUT ROWID;
INSERT INTO account_roles_15 (account_id, event_id, role) SELECT account_id, event_id, role FROM account_roles;
DROP TABLE account_roles;
ALTER TABLE account_roles_15 RENAME TO account_roles;

CREATE TABLE invitations_15 (
  id          TEXT PRIMARY KEY,            -- "i-<16 hex digits>"
  token_hash  TEXT NOT NULL UNIQUE,        -- hex SHA-256 of the link's token
  event_id    TEXT NOT NULL,
  email       TEXT NOT NULL,               -- normalized
  name        TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('speaker', 'press', 'moderator', 'organizer', 'press_officer')),
  language    TEXT NOT NULL,
  invited_by  TEXT NOT NULL,               -- account id
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  accepted_at INTEGER                      -- NULL until used
) STRICT;
INSERT INTO invitations_15 SELECT id, token_hash, event_id, email, name, role, language, invited_by, created_at,
                                  expires_at, accepted_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_15 RENAME TO invitations;
CREATE INDEX invitations_by_event ON invitations(event_id, created_at);
)sql";

const std::vector<migration>& migrations() {
  static const std::vector<migration> all = {
      {1, "program: events, days, rooms, sessions, speakers", migration_1_sql},
      {2, "rooms.guests; chat_messages", migration_2_sql},
      {3, "stage_destinations", migration_3_sql},
      {4, "accounts, account_roles", migration_4_sql},
      {5, "staff_sessions, sign_in_failures, invitations, audit_log", migration_5_sql},
      {6, "outbox", migration_6_sql},
      {7, "series, series_events; event series_id, visibility, capacity, venue_address; "
          "session cancelled, sequence", migration_7_sql},
      {8, "program_versions", migration_8_sql},
      {9, "registration_settings, registrations", migration_9_sql},
      {10, "sessions.kind: lunch", migration_10_sql},
      {11, "room_log; chat_messages held, deleted", migration_11_sql},
      {12, "qa: questions, question_votes, polls, poll_votes, qa_room_settings, qa_event_settings",
       migration_12_sql},
      {13, "mutes, bans, chat_room_settings, word_lists, moderation_log", migration_13_sql},
      {14, "kiosk_links", migration_14_sql},
      {15, "press_accreditations, press_grants, press_interviews, press_views, press_refusals, press_settings",
       migration_15_sql},
  };
  return all;
}

int latest_schema_version() { return migrations().empty() ? 0 : migrations().back().version; }

}  // namespace samling::store
