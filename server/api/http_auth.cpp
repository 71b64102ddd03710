#include "api/http_auth.hpp"

#include <algorithm>
#include <chrono>

#include "api/staff_sessions.hpp"

namespace samling::api {

using core::errc;

namespace {

// More rights first: organizer, moderator, press officer, press, speaker, attendee, guest.
int rank(auth::role r) {
  switch (r) {
    case auth::role::organizer: return 0;
    case auth::role::moderator: return 1;
    case auth::role::press_officer: return 2;
    case auth::role::press: return 3;
    case auth::role::speaker: return 4;
    case auth::role::attendee: return 5;
    case auth::role::guest: return 6;
  }
  return 7;
}

}  // namespace

bool principal::can(std::string_view event, rooms::action a) const {
  for (auto& er : roles)
    if ((er.event == event || er.event == "*") && rooms::can(er.role, a)) return true;
  return false;
}

std::vector<auth::role> principal::roles_in(std::string_view event) const {
  std::vector<auth::role> out;
  for (auto& er : roles)
    if ((er.event == event || er.event == "*") && std::find(out.begin(), out.end(), er.role) == out.end())
      out.push_back(er.role);
  std::sort(out.begin(), out.end(), [](auth::role a, auth::role b) { return rank(a) < rank(b); });
  return out;
}

std::string bearer_token(const net::request& r) {
  auto h = r.header("authorization");
  if (h.size() > 7 && (h.substr(0, 7) == "Bearer " || h.substr(0, 7) == "bearer ")) return std::string(h.substr(7));
  if (r.method == "GET" || r.method == "HEAD") return net::query_param(r.query, "token");
  return {};
}

bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

boost::asio::awaitable<identify_result> http_auth::identify(const net::request& r) const {
  identify_result out;
  auto token = bearer_token(r);
  if (token.empty()) {
    auto cookie = staff_ ? session_cookie(r.header("cookie")) : std::string();
    if (cookie.empty()) co_return out;
    auto found = co_await staff_->resolve(cookie, std::string(r.header("user-agent")), r.remote);
    if (!found.who) {
      out.error = found.error;
      out.message = found.message;
      co_return out;
    }
    // The session's own token, compared in constant time; a cross-site form or fetch carries
    // the cookie but cannot read this value (it is only in the sign-in and /auth/me answers).
    if (changes_state(r.method) && !auth::constant_time_equal(r.header("x-csrf-token"), found.who->session.csrf)) {
      out.error = errc::csrf_failed;
      out.message = "This change needs the session's X-CSRF-Token header (from sign-in or GET /api/v1/auth/me).";
      co_return out;
    }
    principal p;
    p.user_id = found.who->account.id;
    p.name = found.who->account.display_name;
    p.email = found.who->account.email;
    p.signed_in = true;
    for (auto& ar : found.who->roles) p.roles.push_back({ar.event_id, ar.r});
    out.who = std::move(p);
    out.csrf = found.who->session.csrf;
    co_return out;
  }
  if (!keys_) {
    out.error = errc::unauthorized;
    out.message = "Tokens are not accepted here.";
    co_return out;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto v = keys_->verify(token, now);
  if (auto* c = std::get_if<auth::claims>(&v)) {
    principal p;
    p.user_id = c->user_id;
    p.name = c->name;
    p.roles.push_back({c->event, c->role});
    out.who = std::move(p);
  } else {
    out.error = errc::unauthorized;
    out.message = "The token does not verify.";
  }
  co_return out;
}

boost::asio::awaitable<std::variant<principal, net::response>> http_auth::require(const net::request& r,
                                                                                  std::string event,
                                                                                  rooms::action a,
                                                                                  std::string refusal) const {
  auto id = co_await identify(r);
  if (id.error != errc::ok) co_return net::json_error(id.error, id.message);
  if (!id.who) co_return net::json_error(errc::unauthorized, "Sign in first (or send a token).");
  if (!id.who->can(event, a)) co_return net::json_error(errc::forbidden, refusal);
  co_return std::move(*id.who);
}

}  // namespace samling::api
