#pragma once
// Staff sessions as the HTTP routes and the WebSocket hello use them: sign-in (lock-out,
// per-address limit, rehash), the cookie -> account lookup (idle and absolute expiry, the
// browser binding), sign-out, and the cookie's Set-Cookie lines. The rules are
// auth/staff_session.*; the rows are in the session_store; this class runs them on the right
// threads: every store call on the store's one thread (db pool), every Argon2id hash on its own
// pool (a sign-in's ~0.1 s of hashing must not hold up chat messages waiting for the store).
//
// No cache in front of the lookup: a cookie request costs two primary-key reads on the store's
// thread (the session, the account and its roles), which is far below what the store does per
// chat message, and staff are a few dozen people; a cache would have to be invalidated on
// sign-out, sign-out everywhere, role removal and account changes, each a way to get it wrong.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/password.hpp"
#include "auth/staff_session.hpp"
#include "core/blocking.hpp"
#include "core/errors.hpp"

namespace samling::api {

inline constexpr std::string_view session_cookie_name = "samling_session";

struct staff_settings {
  auth::session_limits limits;
  auth::lockout_policy lockout;
  bool tls = false;  // the cookie gets Secure
  auth::hash_limits hashing = auth::hash_limits::interactive();
};

// A signed-in account as a request sees it (no password hash).
struct staff_identity {
  auth::account account;
  std::vector<auth::account_role> roles;
  auth::staff_session session;
};

struct session_lookup {
  std::optional<staff_identity> who;
  core::errc error = core::errc::ok;  // session_expired: a cookie that does not hold
  std::string message;
};

struct sign_in_outcome {
  core::errc error = core::errc::ok;  // sign_in_failed, sign_in_locked, rate_limited
  std::string message;
  std::int64_t retry_after_s = 0;     // for the 429s
  std::optional<staff_identity> who;
  std::string cookie;                 // the new session id (only in Set-Cookie)
};

// Seconds since the Unix epoch.
using clock_fn = std::function<std::int64_t()>;
std::int64_t system_now();

class staff_sessions {
 public:
  staff_sessions(core::blocking_pool& db, core::blocking_pool& hashing, auth::account_store& accounts,
                 auth::session_store& sessions, auth::audit_log* audit, staff_settings settings,
                 clock_fn now = system_now);

  boost::asio::awaitable<sign_in_outcome> sign_in(std::string email, std::string password, std::string user_agent,
                                                  std::string remote) const;
  // The account behind a cookie value; refuses (and ends) a session used by another browser.
  boost::asio::awaitable<session_lookup> resolve(std::string cookie, std::string user_agent,
                                                 std::string remote) const;
  boost::asio::awaitable<void> sign_out(std::string cookie) const;
  // Ends every session of the account; returns how many.
  boost::asio::awaitable<int> sign_out_everywhere(staff_identity who, std::string remote) const;

  // On the store's thread: a new session for `account_id` (sign-in, an accepted invitation).
  // Returns the identity and sets `cookie` to the session id.
  staff_identity start_session_blocking(const auth::account& a, const std::string& user_agent,
                                        const std::string& remote, std::string& cookie) const;

  // On the store's thread: records `e` (time and nothing else filled in here) if there is a log.
  void audit_blocking(auth::audit_entry e) const;

  // Verifies `password` against `hash` on the hashing pool.
  boost::asio::awaitable<bool> verify(std::string hash, std::string password) const;
  // Hashes a new password on the hashing pool.
  boost::asio::awaitable<std::string> hash(std::string password) const;

  // "samling_session=…; Path=/; Max-Age=…; HttpOnly; SameSite=Lax[; Secure]"
  std::string set_cookie(const std::string& cookie) const;
  // The same cookie, emptied and expired: the browser drops it.
  std::string clear_cookie() const;

  core::blocking_pool& db() const { return db_; }
  std::int64_t now() const { return now_(); }
  const staff_settings& settings() const { return settings_; }

 private:
  core::blocking_pool& db_;
  core::blocking_pool& hashing_;
  auth::account_store& accounts_;
  auth::session_store& sessions_;
  auth::audit_log* audit_;
  staff_settings settings_;
  clock_fn now_;
  // Verified for unknown e-mails: the same work as a real account. Made on the hashing pool at
  // the first unknown e-mail, not at start (every start, and every test server, would pay it).
  const std::string& dummy_hash() const;
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_hash_;
};

// The client's address without the port ("127.0.0.1:52114" -> "127.0.0.1", "::1:52114" ->
// "::1"): what the per-address limit counts and the audit log shows.
std::string client_address(std::string_view remote);

// The value of the samling_session cookie in a Cookie header, or empty.
std::string session_cookie(std::string_view cookie_header);

}  // namespace samling::api
