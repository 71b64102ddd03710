#include "api/registration_routes.hpp"

#include <chrono>

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "api/ids.hpp"
#include "api/json_fields.hpp"
#include "api/staff_sessions.hpp"
#include "program/timezone.hpp"
#include "registration/mail_texts.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
namespace reg = registration;
using core::errc;
using net::request;
using net::response;
using net::no_store;

namespace {

std::int64_t now_of(const registration_context* ctx) {
  if (ctx->now) return ctx->now();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

using reader = field_reader<reg::field_problem>;

std::string local_iso_minute(std::int64_t utc_s, std::string_view zone) {
  auto l = program::to_local(utc_s, zone);
  return l ? l->day + "T" + l->hhmm : program::utc_iso(utc_s);
}

// A time as the contract writes times: UTC RFC 3339 plus the event-local form.
void put_time(json::object& o, const char* key, std::int64_t utc_s, std::string_view zone) {
  o[key] = program::utc_iso(utc_s);
  o[std::string(key) + "_local"] = local_iso_minute(utc_s, zone);
}

// The attendee's own registration, everything stored about it.
json::object full_json(const reg::registration& r, std::string_view zone) {
  json::object o{{"id", r.id},
                 {"event", r.event_id},
                 {"status", reg::to_string(r.state)},
                 {"mode", reg::to_string(r.attendance)},
                 {"name", r.name},
                 {"email", r.email},
                 {"organization", r.organization},
                 {"accessibility_needs", r.accessibility_needs},
                 {"accessibility", r.accessibility_needs},  // the same, by the web app's name
                 {"language", r.language},
                 {"consent", json::object{{"given", true}, {"version", r.consent_version},
                                          {"at", program::utc_iso(r.consent_at)}}},
                 {"erased", r.erased}};
  put_time(o, "created_at", r.created_at, zone);
  put_time(o, "updated_at", r.updated_at, zone);
  if (r.cancelled_at) put_time(o, "cancelled_at", r.cancelled_at, zone);
  else o["cancelled_at"] = nullptr;
  return o;
}

// What the form's sender learns: no personal fields (a repeated e-mail must not reveal what
// someone else entered).
json::object short_json(const reg::registration& r) {
  return json::object{{"id", r.id},
                      {"event", r.event_id},
                      {"status", reg::to_string(r.state)},
                      {"mode", reg::to_string(r.attendance)},
                      {"language", r.language},
                      {"created_at", program::utc_iso(r.created_at)}};
}

std::string public_state(const reg::settings& s, const reg::counts& c, std::int64_t now) {
  switch (reg::window_at(s, now)) {
    case reg::window::not_open: return "not_open";
    case reg::window::closed: return "closed";
    case reg::window::open: break;
  }
  bool any_seat = false;
  for (auto m : s.modes) {
    auto limit = s.limit(m);
    if (limit == 0 || c.of(m).registered < limit) any_seat = true;
  }
  if (any_seat) return "open";
  return s.waitlist ? "full_waitlist" : "full";
}

json::value seats_left(const reg::settings& s, const reg::counts& c, reg::mode m) {
  auto limit = s.limit(m);
  if (limit == 0) return nullptr;
  return std::max<std::int64_t>(0, limit - c.of(m).registered);
}

json::object settings_json(const program::event& e, const reg::settings& s, const reg::counts& c, std::int64_t now) {
  json::object o{{"event", e.id}, {"timezone", e.timezone}, {"state", public_state(s, c, now)}};
  put_time(o, "opens_at", s.opens_at, e.timezone);
  put_time(o, "closes_at", s.closes_at, e.timezone);
  o["opens_at_text"] = reg::local_text(s.opens_at, e.timezone);
  o["closes_at_text"] = reg::local_text(s.closes_at, e.timezone);
  o["capacity"] = s.capacity;
  o["remote_capacity"] = s.remote_capacity;
  o["waitlist"] = s.waitlist;
  json::array modes;
  for (auto m : s.modes) modes.emplace_back(reg::to_string(m));
  o["modes"] = std::move(modes);
  o["consent_version"] = s.consent_version;
  o["seats_left"] = seats_left(s, c, s.modes.front());
  json::object by_mode;
  for (auto m : s.modes) by_mode[reg::to_string(m)] = seats_left(s, c, m);
  o["seats_left_by_mode"] = std::move(by_mode);
  return o;
}

json::object counts_json(const reg::counts& c) {
  auto one = [](const reg::mode_counts& m) {
    return json::object{{"registered", m.registered}, {"waitlisted", m.waitlisted}, {"cancelled", m.cancelled}};
  };
  reg::mode_counts total{c.hall.registered + c.remote.registered, c.hall.waitlisted + c.remote.waitlisted,
                         c.hall.cancelled + c.remote.cancelled};
  return json::object{{"hall", one(c.hall)}, {"remote", one(c.remote)}, {"total", one(total)}};
}

std::string base_url(const registration_context* ctx) {
  auto u = ctx->public_url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u;
}

std::string join_link(const registration_context* ctx, const program::event& e, const reg::registration& r,
                      std::int64_t now) {
  if (!ctx->keys || e.days.empty()) return {};
  auth::claims c;
  c.user_id = r.id;
  c.name = r.name;
  c.event = e.id;
  c.role = auth::role::attendee;
  c.issued_at = now;
  c.expires_at = reg::join_valid_until(e.days.back(), e.timezone).value_or(now + 86400);
  return base_url(ctx) + "/#event=" + e.id + "&join=" + ctx->keys->sign(c);
}

std::string manage_link(const registration_context* ctx, const std::string& event_id, const std::string& token) {
  return base_url(ctx) + "/#event=" + event_id + "&registration=" + token;
}

// The e-mails of one change, queued inside the store's transaction. `manage_token` is the new
// registration's (only its hash is stored, so later mails point back to the first one);
// `skip` is a notice not to mail (erasure: no mail to an address being deleted).
reg::notify_fn mailer(const registration_context* ctx, program::event e, std::string manage_token,
                      std::optional<reg::notice> skip = std::nullopt) {
  if (!ctx->outbox) return {};
  return [ctx, e = std::move(e), manage_token = std::move(manage_token), skip](reg::notice n, const reg::registration& r) {
    if (skip && *skip == n) return;
    reg::mail_context mc;
    mc.event_title = e.title;
    mc.day = e.days.empty() ? std::string() : e.days.front();
    mc.city = e.city;
    if (n == reg::notice::registered || n == reg::notice::promoted) mc.join_link = join_link(ctx, e, r, now_of(ctx));
    if (!manage_token.empty() && (n == reg::notice::registered || n == reg::notice::waitlisted))
      mc.manage_link = manage_link(ctx, e.id, manage_token);
    ctx->outbox->enqueue(reg::build_mail(n, r, mc));
  };
}

struct event_and_settings {
  std::optional<program::event> event;
  std::optional<reg::settings> settings;
  reg::counts counts;
};

asio::awaitable<event_and_settings> load(const registration_context* ctx, std::string id) {
  auto fetch = [ctx, id] {
    event_and_settings out;
    out.event = ctx->program->find_event(id);
    if (out.event) {
      out.settings = ctx->store->find_settings(id);
      if (out.settings) out.counts = ctx->store->count(id);
    }
    return out;
  };  // named: GCC 12 (see api/routes.cpp)
  co_return co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
}

response no_event(const std::string& id) { return net::json_error(errc::unknown_event, "No event \"" + id + "\"."); }
response no_settings() {
  return net::json_error(errc::registration_not_found, "Registration is not set up for this event.");
}

// --- Public ---------------------------------------------------------------------------------

asio::awaitable<response> get_settings(const registration_context* ctx, request r) {
  auto id = r.params["event"];
  auto loaded = co_await load(ctx, id);
  if (!loaded.event) co_return no_event(id);
  if (!loaded.settings) co_return no_settings();
  co_return net::json_response(json::serialize(settings_json(*loaded.event, *loaded.settings, loaded.counts, now_of(ctx))));
}

asio::awaitable<response> post_registration(const registration_context* ctx, request r) {
  auto id = r.params["event"];
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send a JSON object with the registration's fields.");
  auto loaded = co_await load(ctx, id);
  if (!loaded.event) co_return no_event(id);
  if (!loaded.settings) co_return no_settings();
  const auto& e = *loaded.event;
  const auto& s = *loaded.settings;
  const auto now = now_of(ctx);
  switch (reg::window_at(s, now)) {
    case reg::window::not_open:
      co_return net::json_error(errc::registration_not_open,
                                "Registration opens " + reg::local_text(s.opens_at, e.timezone) + ".");
    case reg::window::closed:
      co_return net::json_error(errc::registration_closed,
                                "Registration closed " + reg::local_text(s.closes_at, e.timezone) + ".");
    case reg::window::open: break;
  }
  std::vector<reg::field_problem> problems;
  reader rd{*body, problems};
  reg::request_fields in;
  in.name = rd.string("name");
  in.email = rd.string("email");
  in.organization = rd.string("organization");
  // "accessibility" is the web app's name for the same field (an alias).
  const char* needs_key = body->contains("accessibility_needs") || !body->contains("accessibility")
                              ? "accessibility_needs"
                              : "accessibility";
  in.accessibility_needs = rd.string(needs_key);
  in.mode = rd.string("mode");
  in.consent = rd.boolean("consent");
  in.consent_version = rd.string("consent_version");
  in.language = rd.string("language");
  auto checked = reg::check_request(in, s);
  for (auto& p : checked.problems)
    if (p.field == "accessibility_needs") p.field = needs_key;  // under the name the client sent
  // A field of the wrong type is reported once, not again as "required".
  for (auto& p : checked.problems) {
    bool seen = false;
    for (auto& q : problems) seen = seen || q.field == p.field;
    if (!seen) problems.push_back(p);
  }
  if (!problems.empty()) co_return field_errors(problems);

  auto v = std::move(checked.value);
  v.id = "r-" + random_hex(8);
  v.event_id = id;
  v.consent_at = v.created_at = v.updated_at = now;
  auto token = reg::new_manage_token();
  auto hash = reg::manage_token_hash(token);
  auto notify = mailer(ctx, e, token);
  auto write = [ctx, v, hash, notify] { return ctx->store->register_attendee(v, hash, notify); };  // named: GCC 12
  auto result = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (result.refused_full)
    co_return net::json_error(errc::registration_full, "The event is full and has no waiting list.");

  auto out = short_json(result.value);
  out["already"] = result.already;
  json::object answer{{"registration", std::move(out)}};
  if (ctx->dev_links && !result.already) {
    // Development only (auth.dev_tokens): what the e-mail would carry.
    if (result.value.state == reg::status::registered) answer["join_link"] = join_link(ctx, e, result.value, now);
    answer["manage_link"] = manage_link(ctx, id, token);
    answer["manage_token"] = token;
  }
  co_return no_store(net::json_response(json::serialize(answer), result.already ? 200 : 201));
}

// --- The attendee's own registration (by the manage token) ---------------------------------

std::string query_token(const request& r) {
  std::string_view q = r.query;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto part = q.substr(0, amp);
    if (part.starts_with("token=")) return std::string(part.substr(6));  // base64url: nothing to decode
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return {};
}

std::string body_token(const request& r) {
  auto body = parse_object(r.body);
  if (!body) return {};
  auto* t = body->if_contains("token");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

response unknown_token() {
  return net::json_error(errc::registration_not_found,
                         "No registration has this link; it may have been deleted.");
}

asio::awaitable<response> get_mine(const registration_context* ctx, request r) {
  auto token = query_token(r);
  if (token.empty()) co_return unknown_token();
  auto hash = reg::manage_token_hash(token);
  struct found {
    std::optional<reg::registration> reg;
    std::optional<program::event> event;
  };
  auto fetch = [ctx, hash] {
    found out;
    out.reg = ctx->store->find_by_manage(hash);
    if (out.reg) out.event = ctx->program->find_event(out.reg->event_id);
    return out;
  };  // named: GCC 12
  auto f = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!f.reg) co_return unknown_token();
  std::string zone = f.event ? f.event->timezone : "UTC";
  json::object out{{"registration", full_json(*f.reg, zone)}, {"timezone", zone}};
  if (f.event) {
    json::object title;
    for (auto& [lang, text] : f.event->title) title[lang] = text;
    out["event_title"] = std::move(title);
  }
  out["stored"] =
      "Everything Samling stores about this registration is above. E-mails sent to you are kept in the "
      "server's outbox as sent. Delete erases your name, e-mail, organization and needs.";
  auto resp = no_store(net::json_response(json::serialize(out)));
  resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"registration-" + f.reg->id + ".json\"");
  co_return resp;
}

asio::awaitable<response> change_mine(const registration_context* ctx, request r, bool erase) {
  auto token = body_token(r);
  if (token.empty()) co_return net::json_error(errc::bad_request, "Send {\"token\": \"…\"} from your manage link.");
  auto hash = reg::manage_token_hash(token);
  auto current = [ctx, hash] {
    std::optional<program::event> e;
    if (auto reg = ctx->store->find_by_manage(hash)) e = ctx->program->find_event(reg->event_id);
    return e;
  };  // named: GCC 12
  auto event = co_await core::run_blocking(*ctx->db_pool, std::move(current));
  program::event e = event.value_or(program::event{});
  auto notify = mailer(ctx, e, {}, erase ? std::optional<reg::notice>(reg::notice::cancelled) : std::nullopt);
  auto now = now_of(ctx);
  auto write = [ctx, hash, now, notify, erase] {
    return erase ? ctx->store->erase(hash, now, notify) : ctx->store->cancel(hash, now, notify);
  };  // named: GCC 12
  auto result = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!result) co_return unknown_token();
  if (erase)
    co_return no_store(net::json_response(json::serialize(json::object{{"deleted", true}, {"id", result->value.id}})));
  json::object out{{"registration", full_json(result->value, e.timezone)},
                   {"already_cancelled", result->was_cancelled}};
  co_return no_store(net::json_response(json::serialize(out)));
}

asio::awaitable<response> cancel_mine(const registration_context* ctx, request r) {
  co_return co_await change_mine(ctx, std::move(r), false);
}
asio::awaitable<response> delete_mine(const registration_context* ctx, request r) {
  co_return co_await change_mine(ctx, std::move(r), true);
}

// --- Organizers -------------------------------------------------------------------------------

asio::awaitable<std::variant<principal, response>> organizer(const registration_context* ctx, const request& r,
                                                              std::string event) {
  co_return co_await ctx->auth->require(r, std::move(event), rooms::action::manage_registrations,
                                        "Only the event's organizers manage its registrations.");
}

asio::awaitable<response> put_settings(const registration_context* ctx, request r) {
  auto id = r.params["event"];
  auto who = co_await organizer(ctx, r, id);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto actor = std::get<principal>(std::move(who));
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send a JSON object with the registration settings.");
  auto loaded = co_await load(ctx, id);
  if (!loaded.event) co_return no_event(id);
  const auto& e = *loaded.event;

  std::vector<reg::field_problem> problems;
  reader rd{*body, problems};
  reg::settings_fields in;
  // "opens_at_local"/"closes_at_local" (the web app's names) are aliases of opens_at/closes_at.
  auto key = [&](const char* name, const char* alias) {
    return body->contains(name) || !body->contains(alias) ? name : alias;
  };
  const char* opens_key = key("opens_at", "opens_at_local");
  const char* closes_key = key("closes_at", "closes_at_local");
  in.opens_at = rd.string(opens_key);
  in.closes_at = rd.string(closes_key);
  in.capacity = rd.integer("capacity");
  in.remote_capacity = rd.integer("remote_capacity");
  in.waitlist = rd.boolean("waitlist");
  in.modes = rd.strings("modes");
  in.consent_version = rd.string("consent_version");
  // A field left out keeps its current value; "capacity": null is unlimited (0).
  if (auto* c = body->if_contains("capacity"); c && c->is_null()) in.capacity = 0;
  if (const auto& cur = loaded.settings) {
    if (!body->contains(opens_key)) in.opens_at = program::utc_iso(cur->opens_at);
    if (!body->contains(closes_key)) in.closes_at = program::utc_iso(cur->closes_at);
    if (!body->contains("capacity")) in.capacity = cur->capacity;
    if (!body->contains("remote_capacity") && (!in.modes || in.modes->size() > 1)) in.remote_capacity = cur->remote_capacity;
    if (!body->contains("waitlist")) in.waitlist = cur->waitlist;
    if (!body->contains("modes")) {
      std::vector<std::string> modes;
      for (auto m : cur->modes) modes.emplace_back(reg::to_string(m));
      in.modes = modes;
    }
    if (!body->contains("consent_version")) in.consent_version = cur->consent_version;
  }
  auto checked = reg::check_settings(in, id, e.timezone);
  for (auto& p : checked.problems) {
    if (p.field == "opens_at") p.field = opens_key;  // under the names the client sent
    if (p.field == "closes_at") p.field = closes_key;
  }
  for (auto& p : checked.problems) {
    bool seen = false;
    for (auto& q : problems) seen = seen || q.field == p.field;
    if (!seen) problems.push_back(p);
  }
  if (!problems.empty()) co_return field_errors(problems);

  auto s = std::move(checked.value);
  s.updated_at = now_of(ctx);
  auto notify = mailer(ctx, e, {});
  auto detail = json::serialize(json::object{{"opens_at", program::utc_iso(s.opens_at)},
                                             {"closes_at", program::utc_iso(s.closes_at)},
                                             {"capacity", s.capacity},
                                             {"remote_capacity", s.remote_capacity},
                                             {"waitlist", s.waitlist},
                                             {"consent_version", s.consent_version}});
  auth::audit_entry audit{.at_ms = s.updated_at * 1000,
                          .actor = actor.user_id,
                          .actor_name = actor.email.empty() ? actor.name : actor.email,
                          .event_id = id,
                          .action = "registration.settings",
                          .target = id,
                          .detail = detail,
                          .remote = client_address(r.remote)};
  auto write = [ctx, s, notify, audit] {
    auto promoted = ctx->store->save_settings(s, notify);
    if (ctx->audit) ctx->audit->record(audit);
    return ctx->store->count(s.event_id);
  };  // named: GCC 12
  auto counts = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  co_return net::json_response(json::serialize(settings_json(e, s, counts, now_of(ctx))));
}

asio::awaitable<response> list_registrations(const registration_context* ctx, request r) {
  auto id = r.params["event"];
  auto who = co_await organizer(ctx, r, id);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  struct all {
    std::optional<program::event> event;
    std::vector<reg::registration> list;
    reg::counts counts;
  };
  auto fetch = [ctx, id] {
    all out;
    out.event = ctx->program->find_event(id);
    if (out.event) {
      out.list = ctx->store->list(id);
      out.counts = ctx->store->count(id);
    }
    return out;
  };  // named: GCC 12
  auto a = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!a.event) co_return no_event(id);
  json::array list;
  for (auto& one : a.list) list.push_back(full_json(one, a.event->timezone));
  json::object out{{"event", id}, {"timezone", a.event->timezone}, {"registrations", std::move(list)},
                   {"counts", counts_json(a.counts)}};
  co_return no_store(net::json_response(json::serialize(out)));
}

asio::awaitable<response> export_csv(const registration_context* ctx, request r) {
  auto id = r.params["event"];
  auto who = co_await organizer(ctx, r, id);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  struct all {
    std::optional<program::event> event;
    std::vector<reg::registration> list;
  };
  auto fetch = [ctx, id] {
    all out;
    out.event = ctx->program->find_event(id);
    if (out.event) out.list = ctx->store->list(id);
    return out;
  };  // named: GCC 12
  auto a = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!a.event) co_return no_event(id);
  response resp;
  resp.content_type = "text/csv; charset=utf-8";
  resp.body = registrations_csv(a.list, a.event->timezone);
  resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"registrations-" + id + ".csv\"");
  co_return no_store(std::move(resp));
}

std::string csv_field(std::string_view v) {
  std::string s(v);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s.insert(s.begin(), '\'');
  if (s.find_first_of(",;\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string registrations_csv(const std::vector<reg::registration>& all, std::string_view zone) {
  std::string out = "\xEF\xBB\xBF";
  out += "id,status,mode,name,email,organization,accessibility_needs,language,consent_version,consent_at,created_at,"
         "cancelled_at\r\n";
  auto local = [&](std::int64_t t) {
    if (!t) return std::string();
    auto l = program::to_local(t, zone);
    return l ? l->day + " " + l->hhmm : program::utc_iso(t);
  };
  for (auto& r : all) {
    std::vector<std::string> f{r.id,
                               std::string(reg::to_string(r.state)),
                               std::string(reg::to_string(r.attendance)),
                               r.name,
                               r.email,
                               r.organization,
                               r.accessibility_needs,
                               r.language,
                               r.consent_version,
                               local(r.consent_at),
                               local(r.created_at),
                               local(r.cancelled_at)};
    for (std::size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + csv_field(f[i]);
    out += "\r\n";
  }
  return out;
}

void register_registration_routes(net::router& routes, const registration_context& ctx) {
  routes.add("GET", "/api/v1/events/{event}/registration", "api_registration_settings", with(&ctx, get_settings));
  routes.add("PUT", "/api/v1/events/{event}/registration", "api_registration_settings_put", with(&ctx, put_settings));
  routes.add("POST", "/api/v1/events/{event}/registrations", "api_registration_create", with(&ctx, post_registration));
  routes.add("GET", "/api/v1/events/{event}/registrations", "api_registration_list", with(&ctx, list_registrations));
  routes.add("GET", "/api/v1/events/{event}/registrations.csv", "api_registration_csv", with(&ctx, export_csv));
  routes.add("GET", "/api/v1/registrations/mine", "api_registration_mine", with(&ctx, get_mine));
  routes.add("POST", "/api/v1/registrations/mine/cancel", "api_registration_cancel", with(&ctx, cancel_mine));
  routes.add("POST", "/api/v1/registrations/mine/delete", "api_registration_delete", with(&ctx, delete_mine));
}

}  // namespace samling::api
