#pragma once
// The live program: published versions of an event's program and what changed between two of
// them. Publishing (api/live_program) stores the whole event as version n and tells the pages
// what moved, was cancelled, is new, was renamed or removed; the event's page marks each session
// relative to version 1, the first published program. Plain values; no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "program/model.hpp"

namespace samling::program {

// How a session differs from an earlier version of the program.
//   new        not in the earlier version
//   removed    not in the later version (deleted, not cancelled)
//   cancelled  cancelled in the later version, not in the earlier one
//   moved      day, start, end or room differ
//   renamed    the title differs (in any language)
//   changed    anything else differs (description, kind, track, speakers, or cancelled → not)
// One kind per session, the first that applies in this order: new, removed, cancelled, moved,
// renamed, changed. A session both moved and renamed is "moved" (its new title is in `now`).
// The sessions' `sequence` is not compared: it is the server's count of changes, not a change.
enum class change_kind { new_session, removed, cancelled, moved, renamed, changed };
std::string_view to_string(change_kind k);

// Where and when a session is, as the change events and "was" show it.
struct session_place {
  std::string day;        // YYYY-MM-DD, event-local
  std::string starts_at;  // HH:MM, event-local
  std::string ends_at;    // HH:MM, event-local
  std::string room;       // room id
  localized_text title;

  bool operator==(const session_place&) const = default;
};
session_place place_of(const session& s);

struct session_change {
  std::string session;                // session id
  change_kind change = change_kind::changed;
  std::optional<session_place> was;   // absent for new
  std::optional<session_place> now;   // absent for removed

  bool operator==(const session_change&) const = default;
};

// Every session that differs between `before` and `after`, in `after`'s session order, then
// the removed ones in `before`'s order. Empty: nothing to publish.
std::vector<session_change> diff(const event& before, const event& after);

// The sessions' iCalendar SEQUENCE for publishing `after` over `before` (the one place where
// sequences rise for edits): every session of `after` takes the sequence it has in `before`
// (whatever the edit said: sequences are the server's), one more when `changes` names it as
// cancelled, moved, renamed or changed; a new session starts at 0.
void bump_sequences(const event& before, event& after, const std::vector<session_change>& changes);

// Whether `after` differs from `before` outside the sessions (title, days, rooms, …): such an
// edit publishes a version even when no session changed.
bool event_fields_differ(const event& before, const event& after);

// A session's mark on the event page, relative to the first published version `first`:
// cancelled (cancelled now), new (not in `first`), moved (day, start, end or room differ; `was`
// is where it was), renamed (the title differs), else none. Precedence in that order.
struct session_mark {
  std::optional<change_kind> change;  // cancelled, new_session, moved or renamed; none: unchanged
  std::optional<session_place> was;   // for moved and renamed: the place in `first`
};
session_mark mark(const event& first, const session& s);

// JSON forms ---------------------------------------------------------------------------------

// {"day","starts_at","ends_at","room","title":{…}}
boost::json::object to_json(const session_place& p);
// {"session","change","was":{…}|null,"now":{…}|null}
boost::json::object to_json(const session_change& c);
boost::json::array to_json(const std::vector<session_change>& changes);

// Versions -----------------------------------------------------------------------------------

struct version_summary {
  int version = 0;                  // 1, 2, …: per event
  std::int64_t published_at_s = 0;  // UTC seconds since the epoch
  std::string actor;                // who published: a user or account id, "system" for the baseline
  std::string actor_name;
  std::string changes_json;         // the diff against the previous version, a JSON array
};

struct version_record {
  version_summary summary;
  std::string snapshot_json;        // the published event as program_json's to_json writes it
                                    // (each session with its "cancelled" and "sequence")
};

// What the live program needs from storage. Blocking: callers run it on the store's thread.
class program_versions_store {
 public:
  virtual ~program_versions_store() = default;
  virtual std::vector<version_summary> list(std::string_view event_id) = 0;  // oldest first
  virtual std::optional<version_record> get(std::string_view event_id, int version) = 0;
  virtual std::optional<version_record> latest(std::string_view event_id) = 0;
  // Stores `e` through the program store and its version row (number = latest + 1) in one
  // transaction; returns the new version's number.
  virtual int publish(const event& e, const version_summary& summary) = 0;
};

}  // namespace samling::program
