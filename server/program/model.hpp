#pragma once
// The program domain: an event with its days, rooms (main stage, parallel seminar rooms, press
// room) and sessions. Plain values; no I/O, no Beast, no GStreamer.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samling::program {

// Languages the product speaks; content falls back to Swedish, then to any text present.
inline constexpr std::string_view supported_languages[] = {"sv", "en", "fi"};

// Text in several languages: language code ("sv", "en", "fi") -> text.
using localized_text = std::map<std::string, std::string>;

// The text for `lang`, falling back to Swedish, then to the first language present.
std::string localized(const localized_text& text, std::string_view lang);

enum class room_kind { main_stage, seminar, press };
std::string_view to_string(room_kind k);
std::optional<room_kind> room_kind_from_string(std::string_view s);

enum class session_kind { plenary, seminar, break_time, lunch, press };
std::string_view to_string(session_kind k);
std::optional<session_kind> session_kind_from_string(std::string_view s);

// Who finds an event: public events are listed and open; unlisted ones are reachable by their
// link but not listed; private ones are for staff only (the listing and the attendee pages
// leave them out).
enum class visibility { public_event, unlisted, private_event };
std::string_view to_string(visibility v);
std::optional<visibility> visibility_from_string(std::string_view s);

struct room {
  std::string id;            // unique within the event, e.g. "main", "seminar-housing"
  room_kind kind = room_kind::seminar;
  localized_text name;
  int position = 0;          // display order
  // Whether people without a token may join with a display name alone (docs/protocol.md,
  // "guest"). Off unless the event says so: a room is closed to the anonymous by default.
  bool guests = false;

  bool operator==(const room&) const = default;
};

struct speaker {
  std::string name;
  localized_text affiliation;  // role and organisation, e.g. "generaldirektör, Arbetsförmedlingen"

  bool operator==(const speaker&) const = default;
};

struct session {
  std::string id;            // unique within the event
  std::string room_id;       // one of the event's rooms
  std::string day;           // YYYY-MM-DD, one of the event's days
  std::string starts_at;     // HH:MM, event-local time
  std::string ends_at;       // HH:MM, after starts_at
  session_kind kind = session_kind::plenary;
  std::string track;         // optional theme, e.g. "housing"
  localized_text title;
  localized_text description;
  std::vector<speaker> speakers;
  // Cancelled sessions stay in the program (attendees see them struck through, calendars get
  // STATUS:CANCELLED) and are left out of the one-room overlap check.
  bool cancelled = false;
  // iCalendar SEQUENCE (RFC 5545 3.8.7.4): 0 when created, increased by every published change
  // to the session so calendar apps replace their copy. The server's: only publishing
  // (program_versions' bump_sequences, through api/live_program) sets it.
  int sequence = 0;

  bool operator==(const session&) const = default;
};

struct event {
  std::string id;            // URL-safe slug, e.g. "stockholm-tillsammans-2027"
  localized_text title;
  localized_text summary;
  std::string organizer;
  std::string venue;
  std::string city;
  std::string timezone = "Europe/Stockholm";
  std::vector<std::string> days;       // YYYY-MM-DD, ascending
  std::vector<std::string> languages;  // content languages, e.g. {"sv","en","fi"}
  std::vector<room> rooms;             // ordered by position
  std::vector<session> sessions;       // ordered by day, starts_at, room position
  std::string series_id;               // the series it belongs to, "" for none
  program::visibility visibility = program::visibility::public_event;
  int capacity = 0;                    // seats for registration; 0 = no limit
  std::string venue_address;           // street address of the venue (hybrid events)

  bool operator==(const event&) const = default;
};

struct event_summary {
  std::string id;
  localized_text title;
  localized_text summary;
  std::string city;
  std::string venue;
  std::vector<std::string> days;
  std::string series_id;
  program::visibility visibility = program::visibility::public_event;
  std::string timezone = "Europe/Stockholm";

  bool operator==(const event_summary&) const = default;
};

// The listing form of an event (what list_events returns).
event_summary summary_of(const event& e);

// The rules of the values (one place): a URL-safe slug (a-z, 0-9, -), a date YYYY-MM-DD that
// exists, a time HH:MM (00:00-23:59).
bool is_slug(std::string_view s);
bool is_date(std::string_view s);
bool is_time(std::string_view s);
// A slug made from a title: lower-cased ASCII letters and digits, Swedish and Finnish letters
// folded (å, ä -> a; ö -> o; é -> e), everything else one '-'; at most 48 characters; "" when
// nothing is left.
std::string slugify(std::string_view text);

// One problem found by check(): which item (list + index, e.g. sessions[3]), which field of it,
// and what is wrong, so an importer can point at the CSV line and column the item came from.
struct problem {
  std::string list;                  // "sessions", "rooms", "days", "languages"; "" = the event
  std::optional<std::size_t> index;  // the item's index in that list
  std::string where;                 // readable item name: "sessions[3] (\"s-health\")", "id"
  std::string field;                 // "starts_at", "room_id", "day", "title", "id", … ("" = the item)
  std::string message;               // what is wrong, e.g. "room \"x\" does not exist"

  bool operator==(const problem&) const = default;
};

// Checks an event's internal consistency (ids, dates, times, the time zone, rooms referenced by
// sessions, sessions within the event's days, no overlap in one room among sessions not
// cancelled). Structured form, for importers.
std::vector<problem> check(const event& e);

// The same problems as readable lines ("<where>: <message>"); empty when valid.
std::vector<std::string> validate(const event& e);

// A session's start and end in UTC (seconds since the epoch), from its day and event-local
// HH:MM in the event's time zone through the tz database (program/timezone.hpp). The wall
// clock is what the organizer means; UTC is derived, so a tzdata rule change is followed.
// nullopt for a bad day, time or zone.
std::optional<std::int64_t> starts_utc(const event& e, const session& s);
std::optional<std::int64_t> ends_utc(const event& e, const session& s);

// Sorts rooms by position and sessions by (day, starts_at, room position, id).
void normalize(event& e);

// What the program domain needs from storage. Implementations do blocking I/O: callers run
// them off the network threads (see core/blocking.hpp). Failures throw store_error.
class program_store {
 public:
  virtual ~program_store() = default;
  virtual bool has_events() = 0;
  virtual std::vector<event_summary> list_events() = 0;
  virtual std::optional<event> find_event(std::string_view id) = 0;
  // Inserts or replaces the event with its rooms and sessions, atomically.
  virtual void save_event(const event& e) = 0;
};

}  // namespace samling::program
