#pragma once
// Staff accounts (organizers, moderators, press officers, speakers who sign in with e-mail and
// password) and their roles per event: the domain's view, with no storage in it. The SQLite
// implementation is store/sqlite_account_store.*.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role.hpp"

namespace samling::auth {

// Grants organization-wide: a role on every event (today only used for the first organizer).
inline constexpr std::string_view any_event = "*";

struct account {
  std::string id;             // "a-" + 16 random hex digits
  std::string email;          // normalized: trimmed and lower-cased (normalize_email)
  std::string display_name;
  std::string password_hash;  // Argon2id, auth/password.hpp
  std::int64_t created_at = 0;  // seconds since the Unix epoch
  bool disabled = false;
};

struct account_role {
  std::string event_id;  // an event id, or any_event
  role r = role::attendee;
  friend bool operator==(const account_role&, const account_role&) = default;
};

// Thrown by create() when the (normalized) e-mail already has an account.
class duplicate_email : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// E-mail addresses are compared and stored trimmed of surrounding white space and lower-cased
// (ASCII only). Lower-casing the local part is not what RFC 5321 promises, but no mail provider
// a conference uses treats Anna@ and anna@ as two people, and two accounts for them would be a
// worse mistake than one.
std::string normalize_email(std::string_view email);

// The one rule for an e-mail address, applied after normalize_email(): at most 254 bytes, no
// white space or control characters, exactly one '@' with something before it, and a domain
// with a dot that neither starts nor ends it. Nullopt when `email` passes; else why not.
std::optional<std::string> email_problem(std::string_view email);

// An account with its roles on one event (those on every event, any_event, included).
struct staff_member {
  account acc;
  std::vector<account_role> roles;
};

class account_store {
 public:
  virtual ~account_store() = default;
  // Stores `a` (id, email already normalized and valid). Throws duplicate_email when the
  // e-mail is taken; other storage failures throw the store's error.
  virtual void create(const account& a) = 0;
  virtual std::optional<account> find_by_email(std::string_view email) = 0;  // normalizes
  virtual std::optional<account> find_by_id(std::string_view id) = 0;
  // False when there is no such account.
  virtual bool set_password(std::string_view id, const std::string& password_hash) = 0;
  // Idempotent: true when the role was added, false when the account already had it.
  virtual bool grant_role(std::string_view account_id, const account_role& r) = 0;
  // Sorted by event id, then role.
  virtual std::vector<account_role> roles_of(std::string_view account_id) = 0;
  // True when the account had the role and no longer has it.
  virtual bool revoke_role(std::string_view account_id, const account_role& r) = 0;
  // Every account with a role on `event_id` or on any_event, by e-mail.
  virtual std::vector<staff_member> staff_of(std::string_view event_id) = 0;
};

}  // namespace samling::auth
