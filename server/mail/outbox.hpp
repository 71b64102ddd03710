#pragma once
// The e-mail outbox as the rest of the server sees it: a message is put in the outbox (a
// database table) and a sender delivers it later, with retries, so an SMTP outage loses
// nothing and a request never waits for a mail server. Without SMTP configured (the demo)
// messages stay in the outbox, where organizers read them in the console.
//
// Callers build the message (subject, plain text and HTML in the recipient's language) and
// enqueue it on the store's thread; a store that opened a transaction may enqueue inside it,
// so "registered" and "the confirmation is in the outbox" are one atomic step.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samling::mail {

struct message {
  std::string to;          // one address (already validated by the caller)
  std::string to_name;     // display name, may be empty
  std::string subject;     // one line, UTF-8
  std::string text;        // the plain-text part, UTF-8
  std::string html;        // the HTML part (a whole document or a fragment), UTF-8; may be empty
  std::string language;    // "sv", "en" or "fi"
  std::string event_id;    // the event it concerns (organizers read the outbox per event); may be empty
  std::string kind;        // what it is: "invitation", "registration_confirmed", "registration_waitlisted",
                           // "registration_promoted", "registration_cancelled", …
};

// How one message stands (GET /api/v1/events/{event}/outbox).
struct outbox_entry {
  std::string id;
  message msg;
  std::string state;               // "queued", "sending", "sent", "retrying", "failed"
  int attempts = 0;
  std::int64_t created_at = 0;     // seconds since the Unix epoch
  std::int64_t next_attempt_at = 0;
  std::int64_t sent_at = 0;        // 0 until sent
  std::string last_error;          // the last SMTP failure, empty if none
};

// What callers need. Implementations do blocking I/O on the store's thread; failures throw
// (the store's store_error).
class outbox {
 public:
  virtual ~outbox() = default;
  // Stores the message as queued, due now; returns its id. Inside a transaction the caller
  // opened on the same database, it is part of that transaction.
  virtual std::string enqueue(const message& m) = 0;
  // The newest first, at most `limit`; `event_id` empty: every message.
  virtual std::vector<outbox_entry> list(std::string_view event_id, std::size_t limit) = 0;
};

// Escapes text for HTML element content and attribute values (& < > " ').
inline std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace samling::mail
