#pragma once
// Who is calling an HTTP route, for every route that needs to know: a join token
// ("Authorization: Bearer TOKEN", or "?token=TOKEN" on GET for download links) or a staff
// session (the sign-in cookie, with its CSRF check on state-changing requests). Roles are per
// event; rooms::can() decides what a role may do. Shared by the organizer's routes (program,
// registrations, staff, outbox); the stages' routes keep their own token check (stage_access).
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/role.hpp"
#include "auth/token.hpp"
#include "core/errors.hpp"
#include "net/router.hpp"
#include "rooms/permissions.hpp"

namespace samling::api {

class staff_sessions;

struct event_role {
  std::string event;  // an event id, or "*": every event
  auth::role role = auth::role::attendee;
};

struct principal {
  std::string user_id;     // an account id ("a-…") or a token's user id
  std::string name;
  std::string email;       // signed-in accounts only
  bool signed_in = false;  // a staff session (cookie), not a token
  std::vector<event_role> roles;

  // Whether any of the caller's roles for `event` (or for every event) allows `a`.
  bool can(std::string_view event, rooms::action a) const;
  // The caller's roles for `event` (those for "*" included), most rights first.
  std::vector<auth::role> roles_in(std::string_view event) const;
};

struct identify_result {
  std::optional<principal> who;          // nobody (no credentials) or the caller
  core::errc error = core::errc::ok;     // credentials that do not hold: unauthorized, …
  std::string message;                   // why, for the error's message
  std::string csrf;                      // a staff session's CSRF token (sign-in, /auth/me)
};

class http_auth {
 public:
  // `staff` null: no staff sessions (the cookie is ignored; tokens only).
  explicit http_auth(const auth::keyring* keys, const staff_sessions* staff = nullptr) : keys_(keys), staff_(staff) {}

  // The caller of `r`. `r` must outlive the await. A bearer token wins over a cookie (and needs
  // no CSRF token: a browser never adds one by itself). A staff session cookie: the account
  // with its roles; on POST, PUT, PATCH and DELETE only with the session's X-CSRF-Token
  // (csrf_failed otherwise); a cookie that does not hold (unknown, expired, signed out, another
  // browser) is nobody, with error session_expired and why.
  boost::asio::awaitable<identify_result> identify(const net::request& r) const;

  // The caller if they may do `a` for `event`; otherwise the answer to send: 401 unauthorized
  // (nobody, or a token that does not hold), 401 session_expired (a staff cookie that does not),
  // 403 csrf_failed, 403 forbidden (`refusal` as its message).
  boost::asio::awaitable<std::variant<principal, net::response>> require(const net::request& r, std::string event,
                                                                         rooms::action a,
                                                                         std::string refusal) const;

 private:
  const auth::keyring* keys_;
  const staff_sessions* staff_;
};

// Whether the method changes state (POST, PUT, PATCH, DELETE: anything but GET, HEAD, OPTIONS),
// so a cookie-authenticated request needs the CSRF token.
bool changes_state(std::string_view method);

// The bearer token of `r`: "Authorization: Bearer …", or the `token` query parameter on GET
// and HEAD (download links); empty when there is none.
std::string bearer_token(const net::request& r);

}  // namespace samling::api
