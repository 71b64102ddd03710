#pragma once
// The audit log: who changed what, when. Every change staff make (accounts, roles,
// invitations, the program, registration settings, …) is recorded here by the code that makes
// it. Implementations do blocking I/O on the store's thread; failures throw.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samling::auth {

struct audit_entry {
  std::int64_t at_ms = 0;     // milliseconds since the Unix epoch (UTC)
  std::string actor;          // who: an account id ("a-…"), a token's user id, or "cli"
  std::string actor_name;     // their display name or e-mail at the time
  std::string event_id;       // the event concerned, "" for organization-wide changes
  std::string action;         // what, dotted: "staff.invited", "program.published", "registration.settings", …
  std::string target;         // the object: an e-mail, a session id, a version number, …
  std::string detail;         // a short human-readable (or JSON) detail; never a secret
  std::string remote;         // the client address, "" from the command line
};

class audit_log {
 public:
  virtual ~audit_log() = default;
  virtual void record(const audit_entry& e) = 0;
  // Newest first; `event_id` empty: every entry.
  virtual std::vector<audit_entry> list(std::string_view event_id, std::size_t limit) = 0;
};

}  // namespace samling::auth
