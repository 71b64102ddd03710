#pragma once
// Registration for an event, the domain's view: the organizer's settings (when it opens and
// closes in the event's own zone, seats, waitlist, attendance modes, the consent text's
// version), an attendee's registration, the rules between them, and the store the domain needs.
// Plain values and pure functions; no I/O (the SQLite implementation is
// store/sqlite_registration_store.*, the HTTP face api/registration_routes.*).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samling::registration {

// How an attendee takes part: in the hall, or remotely (the stream and the chat rooms).
enum class mode { hall, remote };
std::string_view to_string(mode m);
std::optional<mode> mode_from_string(std::string_view s);

enum class status { registered, waitlisted, cancelled };
std::string_view to_string(status s);
std::optional<status> status_from_string(std::string_view s);

struct settings {
  std::string event_id;
  std::int64_t opens_at = 0;   // UTC seconds; registration is open from this second on
  std::int64_t closes_at = 0;  // UTC seconds; closed from this second on
  // Seats: of the only mode, or of the hall when the event has both modes. 0: unlimited.
  std::int64_t capacity = 0;
  // Remote places when the event has both modes. 0: unlimited (a stream has room for all).
  std::int64_t remote_capacity = 0;
  bool waitlist = true;              // full: waitlisted (true) or refused (false)
  std::vector<mode> modes{mode::hall};  // one or both, hall first
  std::string consent_version = "1";    // the consent text attendees agree to
  std::int64_t updated_at = 0;

  bool hybrid() const { return modes.size() > 1; }
  bool offers(mode m) const;
  // The seats of `m`; 0: unlimited.
  std::int64_t limit(mode m) const;
  bool operator==(const settings&) const = default;
};

struct registration {
  std::string id;                   // "r-" + 16 hex digits; also the join token's user id
  std::string event_id;
  std::string name;
  std::string email;                // normalized (auth::normalize_email)
  std::string organization;
  std::string accessibility_needs;
  mode attendance = mode::hall;
  status state = status::registered;
  std::string language = "sv";      // of the e-mails: sv, en, fi
  std::string consent_version;
  std::int64_t consent_at = 0;      // UTC seconds: when they gave it
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t cancelled_at = 0;    // 0 unless cancelled
  bool erased = false;              // personal fields deleted at the attendee's request
  bool operator==(const registration&) const = default;
};

// --- Rules ------------------------------------------------------------------------------------

// Where registration stands at `now` (UTC seconds), seats aside.
enum class window { not_open, open, closed };
window window_at(const settings& s, std::int64_t now);

// One problem with one field of a request, for {"error":{…,"fields":[…]}}.
struct field_problem {
  std::string field;
  std::string message;
  bool operator==(const field_problem&) const = default;
};

// Limits of the attendee's fields (code points; UTF-8, no control characters except the
// line breaks the accessibility needs may hold).
inline constexpr std::size_t max_name_chars = 100;
inline constexpr std::size_t max_organization_chars = 200;
inline constexpr std::size_t max_needs_chars = 1000;

// What an attendee sends.
struct request_fields {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::string> organization;
  std::optional<std::string> accessibility_needs;
  std::optional<std::string> mode;
  std::optional<bool> consent;
  std::optional<std::string> consent_version;  // the version the form showed; absent: the current one
  std::optional<std::string> language;
};

struct checked_request {
  registration value;                  // filled in: name … language, consent_version (not ids or times)
  std::vector<field_problem> problems;  // empty when the request is acceptable
};
// Checks and normalizes a request against the event's settings: each bad field is one problem.
checked_request check_request(const request_fields& in, const settings& s);

// What an organizer sends (times as event-local "YYYY-MM-DDTHH:MM", or RFC 3339 with an offset).
struct settings_fields {
  std::optional<std::string> opens_at;
  std::optional<std::string> closes_at;
  std::optional<std::int64_t> capacity;
  std::optional<std::int64_t> remote_capacity;
  std::optional<bool> waitlist;
  std::optional<std::vector<std::string>> modes;
  std::optional<std::string> consent_version;
};
struct checked_settings {
  settings value;
  std::vector<field_problem> problems;
};
// The settings for `event_id` in `zone` (the event's time zone), each bad field one problem.
checked_settings check_settings(const settings_fields& in, std::string_view event_id, std::string_view zone);

// "2027-11-12 09:00 (Europe/Stockholm)": a moment as people of the event read it.
std::string local_text(std::int64_t utc_s, std::string_view zone);

// The join token's expiry: the end of the event's last day in its zone, plus one day (a
// recording watched the day after, a late chat). nullopt for a bad day or zone.
std::optional<std::int64_t> join_valid_until(std::string_view last_day, std::string_view zone);

// The demo's registration for `e` (a fresh demo database, serve.cpp): open from `now` (its
// minute) until 14:00 the day before the event's first day in its zone (the press releases'
// "19.11 at 14:00"), or for 30 days when that has passed; hall and remote, 120 seats in the
// hall, a waiting list.
settings demo_settings(std::string_view event_id, std::string_view first_day, std::string_view zone, std::int64_t now);

// --- Manage tokens ------------------------------------------------------------------------------

// A fresh manage token: 32 random bytes (OpenSSL), base64url. Only its hash is stored.
std::string new_manage_token();
// SHA-256 of the token, lower-case hex: what the store keeps and looks up.
std::string manage_token_hash(std::string_view token);

// --- The store ----------------------------------------------------------------------------------

// What happened to whom, told to the caller inside the store's transaction (the e-mail goes
// into the outbox in the same transaction: registered and mailed are one step). A callback
// that throws rolls the whole change back.
enum class notice { registered, waitlisted, promoted, cancelled };
std::string_view to_string(notice n);  // the mail kind: "registration_confirmed", …
using notify_fn = std::function<void(notice, const registration&)>;

struct register_result {
  registration value;
  bool already = false;  // the e-mail had a live registration: that one, unchanged
  bool refused_full = false;  // no seat and no waitlist: nothing stored
};

struct cancel_result {
  registration value;                      // as it is now (cancelled)
  std::optional<registration> promoted;    // the first waitlisted, now registered
  bool was_cancelled = false;              // it was cancelled already: nothing changed
};

struct mode_counts {
  std::int64_t registered = 0;
  std::int64_t waitlisted = 0;
  std::int64_t cancelled = 0;
};
struct counts {
  mode_counts hall;
  mode_counts remote;
  const mode_counts& of(mode m) const { return m == mode::hall ? hall : remote; }
};

class registration_store {
 public:
  virtual ~registration_store() = default;
  virtual std::optional<settings> find_settings(std::string_view event_id) = 0;
  // Stores the settings; seats the settings now give (more capacity, waitlist) promote the
  // waitlisted in order, in the same transaction, each told through `notify`.
  virtual std::vector<registration> save_settings(const settings& s, const notify_fn& notify) = 0;
  // In one write transaction: the live registration of the same e-mail if there is one
  // (already); else a seat check and the insert (registered, or waitlisted when full, or
  // refused when full without a waitlist), then `notify`. `r` carries id, fields and times.
  virtual register_result register_attendee(const registration& r, std::string_view manage_hash,
                                            const notify_fn& notify) = 0;
  virtual std::optional<registration> find_by_manage(std::string_view manage_hash) = 0;
  // Cancels; a freed seat goes to the first waitlisted of the same mode. nullopt: no such token.
  virtual std::optional<cancel_result> cancel(std::string_view manage_hash, std::int64_t now,
                                              const notify_fn& notify) = 0;
  // Cancels (promoting as cancel does) and erases the personal fields; the manage token stops
  // working. nullopt: no such token.
  virtual std::optional<cancel_result> erase(std::string_view manage_hash, std::int64_t now,
                                             const notify_fn& notify) = 0;
  // Every registration of the event, in order of arrival.
  virtual std::vector<registration> list(std::string_view event_id) = 0;
  virtual counts count(std::string_view event_id) = 0;
};

}  // namespace samling::registration
