#pragma once
// The program domain: an event with its days, rooms (main stage, parallel seminar rooms, press
// room) and sessions. Plain values; no I/O, no Beast, no GStreamer.
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

enum class session_kind { plenary, seminar, break_time, press };
std::string_view to_string(session_kind k);
std::optional<session_kind> session_kind_from_string(std::string_view s);

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

  bool operator==(const event&) const = default;
};

struct event_summary {
  std::string id;
  localized_text title;
  localized_text summary;
  std::string city;
  std::string venue;
  std::vector<std::string> days;

  bool operator==(const event_summary&) const = default;
};

// The listing form of an event (what list_events returns).
event_summary summary_of(const event& e);

// Checks an event's internal consistency (ids, dates, times, rooms referenced by sessions).
// Returns the problems found, each naming the offending item; empty when valid.
std::vector<std::string> validate(const event& e);

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
