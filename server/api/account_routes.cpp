#include "api/account_routes.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "api/ids.hpp"
#include "api/invitation_mail.hpp"
#include "auth/password.hpp"
#include "core/log.hpp"
#include "program/timezone.hpp"
#include "rooms/text_rules.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;

namespace {

json::object account_json(const staff_identity& who) {
  json::array roles;
  for (auto& r : who.roles) roles.push_back(json::object{{"event", r.event_id}, {"role", auth::to_string(r.r)}});
  return json::object{{"id", who.account.id},
                      {"email", who.account.email},
                      {"name", who.account.display_name},
                      {"roles", std::move(roles)}};
}

// The sign-in answer: the account and the session's CSRF token, with the cookie.
response signed_in(const staff_sessions& staff, const staff_identity& who, const std::string& cookie) {
  auto r = net::json_response(json::serialize(json::object{{"account", account_json(who)}, {"csrf", who.session.csrf}}));
  if (!cookie.empty()) r.headers.emplace_back("Set-Cookie", staff.set_cookie(cookie));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

response no_content() {
  response r;
  r.status = 204;
  r.content_type = "application/json";
  return r;
}

// A 429 with Retry-After and the seconds in the JSON too.
response too_many(errc e, const std::string& message, std::int64_t retry_after_s) {
  json::object err{{"code", core::code_name(e)}, {"message", message}, {"retry_after_s", retry_after_s}};
  auto r = net::json_response(json::serialize(json::object{{"error", std::move(err)}}), core::http_status(e));
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

response field_error(const std::string& field, const std::string& message) {
  json::object err{{"code", core::code_name(errc::bad_request)},
                   {"message", message},
                   {"fields", json::array{json::object{{"field", field}, {"message", message}}}}};
  return net::json_response(json::serialize(json::object{{"error", std::move(err)}}), 400);
}

// The body's JSON object, or nullopt.
std::optional<json::object> body_object(const request& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::optional<std::string> string_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

std::string user_agent(const request& r) { return std::string(r.header("user-agent")); }

json::object invitation_json(const auth::invitation& i, std::int64_t now) {
  return json::object{{"id", i.id},
                      {"email", i.email},
                      {"name", i.name},
                      {"event", i.event_id},
                      {"role", auth::to_string(i.r)},
                      {"language", i.language},
                      {"state", auth::invitation_state(i, now)},
                      {"created_at", program::utc_iso(i.created_at)},
                      {"expires_at", program::utc_iso(i.expires_at)}};
}

// --- sign-in, me, sign-out -----------------------------------------------------------------------

asio::awaitable<response> sign_in(const account_context* ctx, request r) {
  auto body = body_object(r);
  std::optional<std::string> email, password;
  if (body) {
    email = string_field(*body, "email");
    password = string_field(*body, "password");
  }
  if (!email || !password)
    co_return net::json_error(errc::bad_request, "Send a JSON object {\"email\", \"password\"} (strings).");
  // Bounds the hashing an unauthenticated request can ask for; no real password is longer.
  if (password->size() > auth::max_password_bytes || email->size() > 254)
    co_return net::json_error(errc::sign_in_failed, "The e-mail address or the password is wrong.");
  auto out = co_await ctx->staff->sign_in(*email, *password, user_agent(r), r.remote);
  if (out.error == errc::sign_in_locked || out.error == errc::rate_limited)
    co_return too_many(out.error, out.message, out.retry_after_s);
  if (out.error != errc::ok) co_return net::json_error(out.error, out.message);
  core::log(core::log_level::info, "signed_in", {{"account", out.who->account.id}, {"remote", r.remote}});
  co_return signed_in(*ctx->staff, *out.who, out.cookie);
}

// The session behind the request's cookie (no CSRF check: callers do it where it matters).
asio::awaitable<std::variant<staff_identity, response>> cookie_session(const account_context* ctx, const request& r) {
  auto cookie = session_cookie(r.header("cookie"));
  if (cookie.empty()) co_return net::json_error(errc::not_signed_in, "You are not signed in.");
  auto found = co_await ctx->staff->resolve(cookie, user_agent(r), r.remote);
  if (!found.who) {
    auto res = net::json_error(errc::not_signed_in, found.message);
    res.headers.emplace_back("Set-Cookie", ctx->staff->clear_cookie());
    co_return res;
  }
  co_return std::move(*found.who);
}

asio::awaitable<response> me(const account_context* ctx, request r) {
  auto s = co_await cookie_session(ctx, r);
  if (auto* res = std::get_if<response>(&s)) co_return std::move(*res);
  co_return signed_in(*ctx->staff, std::get<staff_identity>(s), {});
}

asio::awaitable<response> sign_out(const account_context* ctx, request r, bool everywhere) {
  auto s = co_await cookie_session(ctx, r);
  if (auto* res = std::get_if<response>(&s)) co_return std::move(*res);
  auto& who = std::get<staff_identity>(s);
  if (!auth::constant_time_equal(r.header("x-csrf-token"), who.session.csrf))
    co_return net::json_error(errc::csrf_failed, "Signing out needs the session's X-CSRF-Token header.");
  if (everywhere) {
    auto n = co_await ctx->staff->sign_out_everywhere(who, r.remote);
    core::log(core::log_level::info, "signed_out_everywhere", {{"account", who.account.id}, {"sessions", n}});
  } else {
    co_await ctx->staff->sign_out(session_cookie(r.header("cookie")));
  }
  auto res = no_content();
  res.headers.emplace_back("Set-Cookie", ctx->staff->clear_cookie());
  co_return res;
}

asio::awaitable<response> sign_out_here(const account_context* ctx, request r) {
  co_return co_await sign_out(ctx, std::move(r), false);
}
asio::awaitable<response> sign_out_everywhere(const account_context* ctx, request r) {
  co_return co_await sign_out(ctx, std::move(r), true);
}

// --- an event's staff ------------------------------------------------------------------------------

asio::awaitable<response> list_staff(const account_context* ctx, request r) {
  auto event = r.params["event"];
  auto who = co_await ctx->auth->require(r, event, rooms::action::manage_staff, "Only the event's organizers see its staff.");
  if (auto* res = std::get_if<response>(&who)) co_return std::move(*res);
  auto* accounts = ctx->accounts;
  auto* invitations = ctx->invitations;
  auto fetch = [accounts, invitations, event] {
    return std::make_pair(accounts->staff_of(event), invitations->of_event(event));
  };
  auto [staff, invs] = co_await core::run_blocking(ctx->staff->db(), std::move(fetch));
  auto now = ctx->staff->now();
  json::array staff_json;
  for (auto& m : staff) {
    // "roles": what the account may be in this event (its own and those on every event);
    // "roles_everywhere": the part that comes from "*", which this event's DELETE cannot remove.
    json::array roles, everywhere;
    for (auto& ar : m.roles) {
      json::string name(auth::to_string(ar.r));
      if (std::find(roles.begin(), roles.end(), json::value(name)) == roles.end()) roles.push_back(name);
      if (ar.event_id == auth::any_event) everywhere.push_back(name);
    }
    staff_json.push_back(json::object{{"account_id", m.acc.id},
                                      {"email", m.acc.email},
                                      {"name", m.acc.display_name},
                                      {"roles", std::move(roles)},
                                      {"roles_everywhere", std::move(everywhere)}});
  }
  json::array inv_json;
  for (auto& i : invs) inv_json.push_back(invitation_json(i, now));
  co_return net::json_response(
      json::serialize(json::object{{"staff", std::move(staff_json)}, {"invitations", std::move(inv_json)}}));
}

asio::awaitable<response> invite(const account_context* ctx, request r) {
  auto event = r.params["event"];
  auto allowed = co_await ctx->auth->require(r, event, rooms::action::manage_staff, "Only the event's organizers invite staff.");
  if (auto* res = std::get_if<response>(&allowed)) co_return std::move(*res);
  auto who = std::get<principal>(std::move(allowed));
  auto body = body_object(r);
  if (!body) co_return net::json_error(errc::bad_request, "Send a JSON object {\"email\", \"name\", \"role\", \"language\"}.");
  auto email = auth::normalize_email(string_field(*body, "email").value_or(""));
  if (auto problem = auth::email_problem(email)) co_return field_error("email", "Not an e-mail address: " + *problem);
  auto name = string_field(*body, "name").value_or("");
  if (rooms::check_name(name) != errc::ok)
    co_return field_error("name", "The name must be 1-60 characters without control characters.");
  auto role = auth::role_from_string(string_field(*body, "role").value_or(""));
  if (!role || !auth::invitable(*role))
    co_return field_error("role", "The role must be moderator, press, speaker or organizer.");
  auto language = string_field(*body, "language").value_or("sv");
  if (language != "sv" && language != "en" && language != "fi")
    co_return field_error("language", "The language must be sv, en or fi.");

  auto token = auth::new_secret();
  auth::invitation inv{.id = "i-" + random_hex(8),
                       .token_hash = auth::sha256_hex(token),
                       .event_id = event,
                       .email = email,
                       .name = name,
                       .r = *role,
                       .language = language,
                       .invited_by = who.user_id,
                       .created_at = ctx->staff->now(),
                       .expires_at = ctx->staff->now() + ctx->invitation_seconds,
                       .accepted_at = 0};
  auto base = ctx->public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto link = base + "/#invite=" + token;
  // One transaction: the invitation, its e-mail in the outbox and the audit entry.
  auto store = [ctx, inv, link, who, remote = client_address(r.remote)]() -> std::optional<std::string> {
    std::string title = inv.event_id;
    // The expiry as the invited person reads it: in the event's zone, named ("2027-03-26 09:30
    // (Europe/Stockholm)"); in UTC when the event is unknown to the program (a grant ahead of it).
    auto expires = program::utc_iso(inv.expires_at);  // "2027-03-26T08:30:00Z"
    std::string expires_text = expires.substr(0, 10) + " " + expires.substr(11, 5) + " UTC";
    if (ctx->program) {
      auto e = ctx->program->find_event(inv.event_id);
      if (!e) return "No event \"" + inv.event_id + "\".";
      if (auto t = program::localized(e->title, inv.language); !t.empty()) title = t;
      if (auto local = program::to_local(inv.expires_at, e->timezone))
        expires_text = local->day + " " + local->hhmm + " (" + e->timezone + ")";
    }
    ctx->invitations->atomically([&] {
      ctx->invitations->create(inv);
      if (ctx->outbox)
        ctx->outbox->enqueue(invitation_mail(inv, title, who.name.empty() ? who.email : who.name, link, expires_text));
      ctx->staff->audit_blocking({.actor = who.user_id, .actor_name = who.name, .event_id = inv.event_id,
                                  .action = "staff.invited", .target = inv.email,
                                  .detail = std::string(auth::to_string(inv.r)) + " (" + inv.id + ")",
                                  .remote = remote});
    });
    return std::nullopt;
  };
  auto problem = co_await core::run_blocking(ctx->staff->db(), std::move(store));
  if (problem) co_return net::json_error(errc::unknown_event, *problem);
  auto j = invitation_json(inv, ctx->staff->now());
  if (ctx->dev_links) j["link"] = link;
  co_return net::json_response(json::serialize(json::object{{"invitation", std::move(j)}}), 201);
}

asio::awaitable<response> remove_role(const account_context* ctx, request r) {
  auto event = r.params["event"];
  auto allowed = co_await ctx->auth->require(r, event, rooms::action::manage_staff, "Only the event's organizers change its staff.");
  if (auto* res = std::get_if<response>(&allowed)) co_return std::move(*res);
  auto who = std::get<principal>(std::move(allowed));
  auto account_id = r.params["account"];
  auto role = auth::role_from_string(r.params["role"]);
  if (!role) co_return net::json_error(errc::not_found, "No role \"" + r.params["role"] + "\".");
  auto change = [ctx, account_id, event, role = *role, who, remote = client_address(r.remote)] {
    bool removed = false;
    ctx->invitations->atomically([&] {
      removed = ctx->accounts->revoke_role(account_id, {event, role});
      if (removed)
        ctx->staff->audit_blocking({.actor = who.user_id, .actor_name = who.name, .event_id = event,
                                    .action = "staff.role_removed", .target = account_id,
                                    .detail = std::string(auth::to_string(role)), .remote = remote});
    });
    return removed;
  };
  if (!co_await core::run_blocking(ctx->staff->db(), std::move(change)))
    co_return net::json_error(errc::not_found, "That account has no such role on this event.");
  co_return no_content();
}

// --- invitations -------------------------------------------------------------------------------------

struct invitation_lookup {
  std::optional<auth::invitation> inv;
  std::optional<auth::account> account;  // the invited e-mail's account, if it has one
  std::string problem;                   // why the link does not work
};

asio::awaitable<invitation_lookup> find_invitation(const account_context* ctx, std::string token) {
  auto now = ctx->staff->now();
  auto fetch = [ctx, token, now] {
    invitation_lookup out;
    auto inv = ctx->invitations->find_by_token_hash(auth::sha256_hex(token));
    if (!inv) {
      out.problem = "This invitation link is unknown. Check that the whole link was copied.";
      return out;
    }
    auto state = auth::invitation_state(*inv, now);
    if (state == "accepted") {
      out.problem = "This invitation has been used already. Sign in with your e-mail address and password.";
      return out;
    }
    if (state == "expired") {
      out.problem = "This invitation has expired. Ask the organizer for a new one.";
      return out;
    }
    out.account = ctx->accounts->find_by_email(inv->email);
    out.inv = std::move(inv);
    return out;
  };
  co_return co_await core::run_blocking(ctx->staff->db(), std::move(fetch));
}

asio::awaitable<response> show_invitation(const account_context* ctx, request r) {
  auto found = co_await find_invitation(ctx, r.params["token"]);
  if (!found.inv) co_return net::json_error(errc::invitation_invalid, found.problem);
  auto& i = *found.inv;
  co_return net::json_response(json::serialize(json::object{{"email", i.email},
                                                            {"name", i.name},
                                                            {"event", i.event_id},
                                                            {"role", auth::to_string(i.r)},
                                                            {"language", i.language},
                                                            {"expires_at", program::utc_iso(i.expires_at)},
                                                            {"account_exists", found.account.has_value()}}));
}

asio::awaitable<response> accept_invitation(const account_context* ctx, request r) {
  auto body = body_object(r);
  auto password = body ? string_field(*body, "password") : std::nullopt;
  if (!password) co_return net::json_error(errc::bad_request, "Send a JSON object {\"password\"} (a string).");
  if (password->size() > auth::max_password_bytes)
    co_return net::json_error(errc::password_invalid, *auth::password_problem(*password));
  auto found = co_await find_invitation(ctx, r.params["token"]);
  if (!found.inv) co_return net::json_error(errc::invitation_invalid, found.problem);

  std::string new_hash;
  std::optional<sign_in_outcome> existing_sign_in;
  if (found.account) {
    // An existing account adds the role with its own password: the link alone (a forwarded
    // e-mail) must not give a role to whoever holds the account's address. Checked as a
    // sign-in, so the lock-out and the per-address limit count these attempts as well.
    auto out = co_await ctx->staff->sign_in(found.inv->email, *password, user_agent(r), r.remote);
    if (out.error == errc::sign_in_locked || out.error == errc::rate_limited)
      co_return too_many(out.error, out.message, out.retry_after_s);
    if (out.error != errc::ok)
      co_return net::json_error(errc::password_invalid, "You have an account with " + found.inv->email +
                                                            " already: enter its password to accept the invitation.");
    existing_sign_in = std::move(out);
  } else {
    if (auto problem = auth::password_problem(*password)) co_return net::json_error(errc::password_invalid, *problem);
    new_hash = co_await ctx->staff->hash(*password);
  }

  struct accepted {
    bool ok = false;
    staff_identity who;
    std::string cookie;
  };
  auto commit = [ctx, inv = *found.inv, signed_in_already = existing_sign_in, new_hash, ua = user_agent(r),
                 remote = client_address(r.remote)] {
    accepted out;
    auto now = ctx->staff->now();
    auth::account a;
    ctx->invitations->atomically([&] {
      if (!ctx->invitations->mark_accepted(inv.id, now)) return;  // used meanwhile
      if (signed_in_already) {
        a = signed_in_already->who->account;
      } else if (auto existing = ctx->accounts->find_by_email(inv.email)) {
        return;  // created meanwhile (another link for the same e-mail): use that one's password
      } else {
        a = auth::account{.id = "a-" + random_hex(8),
                          .email = inv.email,
                          .display_name = inv.name,
                          .password_hash = new_hash,
                          .created_at = now,
                          .disabled = false};
        ctx->accounts->create(a);
      }
      ctx->accounts->grant_role(a.id, {inv.event_id, inv.r});
      ctx->staff->audit_blocking({.actor = a.id, .actor_name = a.email, .event_id = inv.event_id,
                                  .action = "staff.invitation_accepted", .target = a.email,
                                  .detail = std::string(auth::to_string(inv.r)) + " (" + inv.id + ")" +
                                            (signed_in_already ? "" : "; new account"),
                                  .remote = remote});
      out.ok = true;
    });
    if (!out.ok) return out;
    if (signed_in_already) {
      // The session the password check opened, with the role just granted.
      out.who = *signed_in_already->who;
      out.who.roles = ctx->accounts->roles_of(a.id);
      out.cookie = signed_in_already->cookie;
    } else {
      out.who = ctx->staff->start_session_blocking(a, ua, remote, out.cookie);
    }
    return out;
  };
  auto done = co_await core::run_blocking(ctx->staff->db(), std::move(commit));
  if (!done.ok)
    co_return net::json_error(errc::invitation_invalid, "This invitation has been used already. Sign in instead.");
  core::log(core::log_level::info, "invitation_accepted", {{"account", done.who.account.id}, {"remote", r.remote}});
  co_return signed_in(*ctx->staff, done.who, done.cookie);
}

// --- the audit log ---------------------------------------------------------------------------------------

std::size_t audit_limit(const request& r) {
  auto pos = r.query.find("limit=");
  if (pos == std::string::npos || (pos > 0 && r.query[pos - 1] != '&')) return 500;
  try {
    auto n = std::stoul(r.query.substr(pos + 6));
    return std::clamp<std::size_t>(n, 1, 5000);
  } catch (const std::exception&) {
    return 500;
  }
}

asio::awaitable<std::variant<std::vector<auth::audit_entry>, response>> audit_entries(const account_context* ctx,
                                                                                     const request& r) {
  auto event = r.params.at("event");
  auto allowed = co_await ctx->auth->require(r, event, rooms::action::manage_staff, "Only the event's organizers read its audit log.");
  if (auto* res = std::get_if<response>(&allowed)) co_return std::move(*res);
  // Organization-wide entries (event ""): sign-in lock-outs, sign-out everywhere, refused
  // sessions, `samling account add` for "*") only for organizers of every event; an event's
  // organizer does not read about other events' staff.
  bool everywhere = std::get<principal>(allowed).can(auth::any_event, rooms::action::manage_staff);
  auto* log = ctx->audit;
  auto limit = audit_limit(r);
  auto fetch = [log, event, limit, everywhere] {
    std::vector<auth::audit_entry> out;
    if (!log) return out;
    if (!everywhere) return log->list(event, limit);
    // Newest first over every event, keeping this event's and the organization-wide ones: a
    // bounded read (the log's newest 20,000) of a page an organizer opens now and then.
    out = log->list("", 20000);
    std::erase_if(out, [&](const auth::audit_entry& e) { return !e.event_id.empty() && e.event_id != event; });
    if (out.size() > limit) out.resize(limit);
    return out;
  };
  co_return co_await core::run_blocking(ctx->staff->db(), std::move(fetch));
}

std::string iso_ms(std::int64_t at_ms) {
  auto s = program::utc_iso(at_ms / 1000);  // "…T08:30:00Z"
  auto ms = std::to_string(1000 + at_ms % 1000).substr(1);
  return s.substr(0, s.size() - 1) + "." + ms + "Z";
}

asio::awaitable<response> audit_json(const account_context* ctx, request r) {
  auto got = co_await audit_entries(ctx, r);
  if (auto* res = std::get_if<response>(&got)) co_return std::move(*res);
  json::array arr;
  for (auto& e : std::get<std::vector<auth::audit_entry>>(got))
    arr.push_back(json::object{{"at", iso_ms(e.at_ms)},
                               {"at_ms", e.at_ms},
                               {"actor", e.actor},
                               {"actor_name", e.actor_name},
                               {"event_id", e.event_id},
                               {"action", e.action},
                               {"target", e.target},
                               {"detail", e.detail},
                               {"remote", e.remote}});
  co_return net::json_response(json::serialize(json::object{{"entries", std::move(arr)}}));
}

// RFC 4180: every field quoted, quotes doubled. A field that a spreadsheet would run as a
// formula (= + - @ at the start) gets a leading apostrophe (CSV injection).
std::string csv_field(std::string_view v) {
  std::string out = "\"";
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) out += '\'';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

asio::awaitable<response> audit_csv(const account_context* ctx, request r) {
  auto got = co_await audit_entries(ctx, r);
  if (auto* res = std::get_if<response>(&got)) co_return std::move(*res);
  std::string out = "at,actor,actor_name,event_id,action,target,detail,remote\r\n";
  for (auto& e : std::get<std::vector<auth::audit_entry>>(got)) {
    out += csv_field(iso_ms(e.at_ms)) + "," + csv_field(e.actor) + "," + csv_field(e.actor_name) + "," +
           csv_field(e.event_id) + "," + csv_field(e.action) + "," + csv_field(e.target) + "," +
           csv_field(e.detail) + "," + csv_field(e.remote) + "\r\n";
  }
  response res;
  res.content_type = "text/csv; charset=utf-8";
  res.body = std::move(out);
  res.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"audit-" + r.params["event"] + ".csv\"");
  co_return res;
}

}  // namespace

void register_account_routes(net::router& routes, const account_context& ctx) {
  routes.add("POST", "/api/v1/auth/sign-in", "api_sign_in", with(&ctx, sign_in));
  routes.add("GET", "/api/v1/auth/me", "api_me", with(&ctx, me));
  routes.add("POST", "/api/v1/auth/sign-out", "api_sign_out", with(&ctx, sign_out_here));
  routes.add("POST", "/api/v1/auth/sign-out-everywhere", "api_sign_out_everywhere", with(&ctx, sign_out_everywhere));
  routes.add("GET", "/api/v1/events/{event}/staff", "api_staff", with(&ctx, list_staff));
  routes.add("POST", "/api/v1/events/{event}/invitations", "api_invite", with(&ctx, invite));
  routes.add("DELETE", "/api/v1/events/{event}/staff/{account}/{role}", "api_staff_role", with(&ctx, remove_role));
  routes.add("GET", "/api/v1/invitations/{token}", "api_invitation", with(&ctx, show_invitation));
  routes.add("POST", "/api/v1/invitations/{token}/accept", "api_invitation_accept", with(&ctx, accept_invitation));
  routes.add("GET", "/api/v1/events/{event}/audit", "api_audit", with(&ctx, audit_json));
  routes.add("GET", "/api/v1/events/{event}/audit.csv", "api_audit_csv", with(&ctx, audit_csv));
}

}  // namespace samling::api
