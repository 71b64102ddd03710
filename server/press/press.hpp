#pragma once
// Press accreditation, grants and interview requests (issue 18), the domain's view: the values,
// their rules, and the store the domain needs. Plain values and pure functions; no I/O (the
// SQLite implementation is store/sqlite_press_store.*, the HTTP face api/press_routes.*, the
// gate on the streams api/press_gate.*).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "press/grant.hpp"
#include "press/registry.hpp"

namespace samling::press {

// --- Accreditation ------------------------------------------------------------------------------

// pending → approved | rejected | info_requested; info_requested → pending (the journalist
// answers) | approved | rejected; approved → revoked (its grant revoked). Rejected and revoked
// are final.
enum class accreditation_state { pending, info_requested, approved, rejected, revoked };
std::string_view to_string(accreditation_state s);
std::optional<accreditation_state> accreditation_state_from_string(std::string_view s);

enum class attendance { hall, remote };
std::string_view to_string(attendance a);
std::optional<attendance> attendance_from_string(std::string_view s);

struct accreditation {
  std::string id;         // "acc-" + 16 hex
  std::string event_id;
  std::string name;
  std::string outlet;     // the publication or broadcaster; required
  std::string email;      // normalized (auth::normalize_email)
  std::string phone;
  std::string press_card; // press card number; optional
  std::vector<std::string> days;  // event days (YYYY-MM-DD) they will cover; at least one
  press::attendance attendance = press::attendance::remote;
  std::string note;       // the journalist's note; with an answer to a question appended
  std::string language = "sv";  // of the e-mails: sv, en, fi
  accreditation_state state = accreditation_state::pending;
  std::string question;   // what the press officer asked (info_requested), "" otherwise
  std::string reason;     // why it was rejected, "" otherwise
  std::string grant_id;   // the grant it got (approved, revoked), "" otherwise
  std::string decided_by; // the press officer's name (approved, rejected, info_requested)
  std::int64_t created_at = 0;  // UTC seconds
  std::int64_t updated_at = 0;
  bool operator==(const accreditation&) const = default;
};

// One problem with one field of a request (as registration's).
struct field_problem {
  std::string field;
  std::string message;
  bool operator==(const field_problem&) const = default;
};

inline constexpr std::size_t max_name_chars = 100;
inline constexpr std::size_t max_outlet_chars = 200;
inline constexpr std::size_t max_phone_chars = 40;
inline constexpr std::size_t max_press_card_chars = 40;
inline constexpr std::size_t max_note_chars = 2000;
inline constexpr std::size_t max_reason_chars = 1000;

// What a journalist sends (POST /api/v1/events/{event}/accreditations).
struct request_fields {
  std::optional<std::string> name;
  std::optional<std::string> outlet;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::string> press_card;
  std::optional<std::vector<std::string>> days;
  std::optional<std::string> attendance;
  std::optional<std::string> note;
  std::optional<std::string> language;
};
struct checked_request {
  accreditation value;  // name … language filled in (not id, state or times)
  std::vector<field_problem> problems;
};
// Checks and normalizes against the event's days: name, outlet, email and days required; days
// must be the event's; phone [0-9 +()-]; texts UTF-8 without control characters (the note may
// hold line breaks), within their limits; language sv|en|fi (default sv).
checked_request check_request(const request_fields& in, const std::vector<std::string>& event_days);

// The grant's validity from the event's (or the chosen) days in the event's zone: from the first
// day's 00:00 minus `grace_before_s`, until the last day's 24:00 plus `grace_after_s`. nullopt
// for bad days or zone.
struct validity {
  std::int64_t from = 0;
  std::int64_t until = 0;
};
std::optional<validity> validity_of(const std::vector<std::string>& days, std::string_view zone,
                                    std::int64_t grace_before_s, std::int64_t grace_after_s);

// --- Grants as stored -------------------------------------------------------------------------

struct grant_record {
  press::grant grant;          // what the token carries
  std::string email;           // where its link went; may be empty (command line without --email)
  std::string language = "sv";
  std::string accreditation_id;  // "" for a direct accreditation or the command line
  std::string created_by;      // the press officer's name, or "cli"
  std::int64_t created_at = 0;   // UTC seconds
  std::int64_t revoked_at = 0;   // 0 unless revoked
  std::string revoked_by;
  std::string revoke_reason;
  bool operator==(const grant_record&) const = default;
};

// --- Interview requests -------------------------------------------------------------------------

// requested → accepted | proposed | declined | cancelled; proposed → accepted (the journalist
// takes the new time) | declined | cancelled. Accepted → cancelled. Declined and cancelled are
// final.
enum class interview_state { requested, accepted, proposed, declined, cancelled };
std::string_view to_string(interview_state s);
std::optional<interview_state> interview_state_from_string(std::string_view s);

struct interview {
  std::string id;          // "iv-" + 16 hex
  std::string event_id;
  std::string grant_id;    // who asks
  std::string journalist;  // their name and outlet at the time ("Eva Ek, Dagens Nyheter")
  std::string speaker;     // a speaker's name as in the program
  std::string session_id;  // the session they speak in; may be empty
  std::string wanted;      // when the journalist would like it, free text ("the coffee break at 10:30")
  std::string note;        // what about
  interview_state state = interview_state::requested;
  std::string proposed;    // another time the speaker or press officer proposes ("11:45, foyer")
  std::string answer_note; // a word with the answer
  std::string answered_by; // "speaker" or the press officer's name
  std::string speaker_email;  // where the speaker's answer link went, "" if not sent
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  bool operator==(const interview&) const = default;
};

inline constexpr std::size_t max_wanted_chars = 200;
inline constexpr std::size_t max_interview_note_chars = 1000;

// An answer by the speaker or the press officer: accept, propose (with a time), decline.
enum class answer { accept, propose, decline };
std::optional<answer> answer_from_string(std::string_view s);
// The state after `a` from `from`, or nullopt when `from` does not allow it.
std::optional<interview_state> after_answer(interview_state from, answer a);

// --- Per event settings -------------------------------------------------------------------------

struct contact {
  std::string name;
  std::string role;   // "Pressansvarig", free text
  std::string email;
  std::string phone;
  bool operator==(const contact&) const = default;
};

struct press_settings {
  std::string event_id;
  bool accreditation_open = true;   // the public form takes requests
  std::vector<contact> contacts;    // shown on the press page, the refusal pages and the form
  std::int64_t updated_at = 0;
  bool operator==(const press_settings&) const = default;
};

// --- The store ------------------------------------------------------------------------------------

// Blocking I/O on the store's thread; failures throw (store_error). Every method is one
// transaction, or part of the caller's when called inside in_transaction().
class press_store {
 public:
  virtual ~press_store() = default;

  // Runs `fn` in one write transaction (BEGIN IMMEDIATE … COMMIT; a throw rolls back). Store
  // calls and outbox enqueues inside it on the same database are part of it.
  virtual void in_transaction(const std::function<void()>& fn) = 0;

  // Accreditations. `manage_hash`: SHA-256 hex of the journalist's manage token (their link to
  // answer a question), as registration's.
  virtual void add_accreditation(const accreditation& a, std::string_view manage_hash) = 0;
  virtual std::optional<accreditation> find_accreditation(std::string_view id) = 0;
  virtual std::optional<accreditation> find_accreditation_by_manage(std::string_view manage_hash) = 0;
  // Oldest first; `state` nullopt: all.
  virtual std::vector<accreditation> list_accreditations(std::string_view event_id,
                                                         std::optional<accreditation_state> state) = 0;
  // Replaces the stored one with the same id; false when there is none.
  virtual bool update_accreditation(const accreditation& a) = 0;

  // Grants.
  virtual void add_grant(const grant_record& g) = 0;
  virtual std::optional<grant_record> find_grant(std::string_view id) = 0;
  virtual std::vector<grant_record> list_grants(std::string_view event_id) = 0;  // newest first
  // Marks it revoked; false when there is none or it was revoked already (nothing changed).
  virtual bool revoke_grant(std::string_view id, std::int64_t at, std::string_view by, std::string_view reason) = 0;
  // Every revoked grant of every event (id, revoked_at): the registry's start.
  virtual std::vector<std::pair<std::string, std::int64_t>> revoked_grants() = 0;

  // Interview requests. `speaker_hash`: SHA-256 hex of the speaker's answer link's token, "" none.
  virtual void add_interview(const interview& i) = 0;
  virtual std::optional<interview> find_interview(std::string_view id) = 0;
  virtual std::optional<interview> find_interview_by_speaker(std::string_view speaker_hash) = 0;
  virtual std::vector<interview> list_interviews(std::string_view event_id) = 0;       // oldest first
  virtual std::vector<interview> list_interviews_of(std::string_view grant_id) = 0;    // oldest first
  virtual bool update_interview(const interview& i) = 0;
  // Sets the speaker's answer link (a new token replaces an older one).
  virtual bool set_speaker_link(std::string_view interview_id, std::string_view speaker_hash,
                                std::string_view speaker_email) = 0;

  // The viewing audit: adds each record to the row of its (viewer, stage, device, address)
  // (first_at the earliest, last_at the latest, bytes and requests summed).
  virtual void add_views(const std::vector<view_record>& views) = 0;
  virtual std::vector<view_record> list_views(std::string_view event_id) = 0;  // by first_at
  virtual void add_refusals(const std::vector<device_refusal>& refusals) = 0;
  virtual std::vector<device_refusal> list_refusals(std::string_view event_id) = 0;  // by at

  // Settings; nullopt: never saved (the defaults hold).
  virtual std::optional<press_settings> find_settings(std::string_view event_id) = 0;
  virtual void save_settings(const press_settings& s) = 0;
};

// New ids and secret tokens: "acc-"/"iv-" + 16 hex (RAND_bytes); a link token is 32 random
// bytes base64url, and the store keeps only token_hash() (SHA-256, lower-case hex).
std::string new_accreditation_id();
std::string new_interview_id();
std::string new_link_token();
std::string token_hash(std::string_view token);

}  // namespace samling::press
