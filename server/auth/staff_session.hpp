#pragma once
// Staff sign-in sessions: what a session is, the rules that end one (idle timeout, absolute
// lifetime, a User-Agent that changed wholesale), the sign-in lock-out, and the session_store
// interface they are kept in. No I/O here: the clock is a parameter, so the rules are tested
// with any time; the SQLite implementation is store/sqlite_session_store.*.
//
// The cookie carries a random 256-bit session id; the store keeps only its SHA-256, so a copy
// of the database (a backup, a leaked file) holds no cookie that signs anyone in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samling::auth {

struct staff_session {
  std::string id_hash;       // hex SHA-256 of the cookie's session id
  std::string account_id;
  std::string csrf;          // the X-CSRF-Token this session's state-changing requests carry
  std::int64_t created_at = 0;  // seconds since the Unix epoch
  std::int64_t last_seen = 0;
  std::int64_t expires_at = 0;  // the absolute end (created_at + auth.session_max_hours)
  std::string user_agent;    // as sent at sign-in
  std::string remote;        // the address it signed in from (information only)
};

struct session_limits {
  std::int64_t idle_seconds = 720 * 60;       // auth.session_idle_minutes
  std::int64_t max_seconds = 168 * 3600;      // auth.session_max_hours
};

enum class session_verdict {
  valid,
  idle_expired,    // not used for longer than the idle timeout
  expired,         // past its absolute lifetime
  agent_changed,   // presented by another kind of browser: a stolen-looking cookie
};

// Whether `s` may still be used at `now` by a client sending `user_agent`.
session_verdict check_session(const staff_session& s, std::int64_t now, const session_limits& limits,
                              std::string_view user_agent);

// Loose binding to the browser: a User-Agent with every digit and dot removed ("Mozilla/ (X;
// Linux x_) … Firefox/"), so a browser updating itself (Firefox/127.0 -> 128.0) keeps its
// session while another browser, another platform or a script presenting the cookie does not.
std::string user_agent_family(std::string_view user_agent);

// The sign-in lock-out: at most `max_failures` wrong passwords for one account within
// `window_seconds`; the `max_failures`-th locks the account for `lock_seconds` from that failure.
struct lockout_policy {
  int max_failures = 10;                  // auth.sign_in_max_failures
  std::int64_t window_seconds = 15 * 60;  // the failures counted
  std::int64_t lock_seconds = 15 * 60;    // auth.sign_in_lock_minutes
};

// When the lock over `failures` (seconds, any order) ends, if it is still on at `now`; nullopt
// when sign-in is open. Only failures after the last lock count towards the next one.
std::optional<std::int64_t> locked_until(std::vector<std::int64_t> failures, std::int64_t now,
                                         const lockout_policy& p);

// The per-address limit: failed sign-ins from one address (any e-mail) within the window before
// it is refused with rate_limited; several accounts' worth, so one office behind one address
// is not stopped by a colleague's typos, while a password sprayer is.
inline int remote_failure_limit(const lockout_policy& p) { return p.max_failures * 5; }

// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string sha256_hex(std::string_view data);
// Equal strings, compared in time independent of where they differ (CRYPTO_memcmp).
bool constant_time_equal(std::string_view a, std::string_view b);
// A fresh secret for a cookie, a CSRF token or an invitation link: 32 random bytes, base64url.
std::string new_secret();

// Where sessions and sign-in failures are kept. Implementations do blocking I/O on the store's
// thread; failures throw.
class session_store {
 public:
  virtual ~session_store() = default;
  virtual void create(const staff_session& s) = 0;
  virtual std::optional<staff_session> find(std::string_view id_hash) = 0;
  virtual void touch(std::string_view id_hash, std::int64_t last_seen) = 0;
  // False when there was no such session.
  virtual bool remove(std::string_view id_hash) = 0;
  // Every session of the account; returns how many there were.
  virtual int remove_all_of(std::string_view account_id) = 0;
  // Ended sessions (idle or expired at `now`) and failures older than `before`: housekeeping.
  virtual void purge(std::int64_t now, std::int64_t idle_seconds, std::int64_t failures_before) = 0;

  // Sign-in failures by subject: "account:<id>" or "remote:<address>".
  virtual void record_failure(std::string_view subject, std::int64_t at) = 0;
  virtual std::vector<std::int64_t> failures_since(std::string_view subject, std::int64_t since) = 0;
  virtual void clear_failures(std::string_view subject) = 0;
};

}  // namespace samling::auth
