#pragma once
// Invitations: an organizer invites a person by e-mail to one event with one staff role; the
// link in the e-mail (…/#invite=TOKEN) lets them set a password (a new account) or, for an
// existing account, add the role. Single use, with an expiry. The store keeps the SHA-256 of
// the token only (as for sessions): the link itself exists only in the e-mail.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role.hpp"

namespace samling::auth {

struct invitation {
  std::string id;            // "i-" + 16 hex digits: names it in lists and the audit log
  std::string token_hash;    // hex SHA-256 of the link's token
  std::string event_id;
  std::string email;         // normalized
  std::string name;          // the display name the organizer gave
  role r = role::moderator;
  std::string language;      // of the e-mail: "sv", "en" or "fi"
  std::string invited_by;    // account id
  std::int64_t created_at = 0;  // seconds since the Unix epoch
  std::int64_t expires_at = 0;
  std::int64_t accepted_at = 0;  // 0 until accepted
};

// "pending", "accepted" or "expired" at `now`.
std::string_view invitation_state(const invitation& i, std::int64_t now);

// The roles an organizer may invite staff to: moderator, press, speaker, organizer (not
// attendee: attendees register; not guest).
bool invitable(role r);

class invitation_store {
 public:
  virtual ~invitation_store() = default;
  virtual void create(const invitation& i) = 0;
  virtual std::optional<invitation> find_by_token_hash(std::string_view token_hash) = 0;
  // Marks it accepted at `at`; false when it was accepted already (single use).
  virtual bool mark_accepted(std::string_view id, std::int64_t at) = 0;
  // An event's invitations, newest first.
  virtual std::vector<invitation> of_event(std::string_view event_id) = 0;
  // Runs `fn` in one transaction of the database the store writes to (accepting an
  // invitation marks it, creates the account or grants the role, and records it as one step).
  virtual void atomically(const std::function<void()>& fn) = 0;
};

}  // namespace samling::auth
