#include "api/press_routes.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>

#include <boost/json.hpp>

#include "api/http_auth.hpp"
#include "api/json_fields.hpp"
#include "api/press_gate.hpp"
#include "api/room_export.hpp"
#include "api/stage_board.hpp"
#include "api/staff_sessions.hpp"
#include "auth/account_store.hpp"
#include "core/log.hpp"
#include "core/utf8.hpp"
#include "program/timezone.hpp"
#include "rooms/permissions.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;
using net::no_store;

namespace {

// What every handler gets: the shared press context and, for the press page, the stage board.
struct env {
  const press_context* ctx = nullptr;
  const stage_board* board = nullptr;
};

// As api/bind.hpp's with(), for the env the router's lambdas own (one per registration).
template <typename F>
net::handler bind(std::shared_ptr<const env> e, F f) {
  return [e, f](net::request r) { return f(e.get(), std::move(r)); };
}

// --- Request bodies ---------------------------------------------------------------------------

// An empty body is an empty object (the officer's approve, revoke and speaker-link take only
// optional fields).
std::optional<json::object> parse_optional_object(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object{};
  return parse_object(body);
}

// api/json_fields.hpp's reader, and the accreditation's texts.
struct reader : field_reader<press::field_problem> {
  // A text: trimmed; required or not; UTF-8 without control characters (line breaks allowed
  // when `multiline`); at most `max` characters.
  std::optional<std::string> text(const char* k, std::size_t max, bool required, bool multiline = false) {
    auto s = string(k);
    if (!s) {
      if (required && !has(k)) problem(k, std::string("\"") + k + "\" is required.");
      return std::nullopt;
    }
    std::string t = core::trim_space(*s);
    if (t.empty()) {
      if (required) problem(k, std::string("\"") + k + "\" is required.");
      return t;
    }
    auto len = core::utf8_length(t);
    bool control = multiline ? core::has_control_except_lines(t) : core::has_control(t);
    if (!len || control) {
      problem(k, std::string("\"") + k + "\" must be text without control characters.");
      return std::nullopt;
    }
    if (*len > max) {
      problem(k, std::string("\"") + k + "\" is too long: at most " + std::to_string(max) + " characters.");
      return std::nullopt;
    }
    return t;
  }
  // An RFC 3339 time with an offset.
  std::optional<std::int64_t> time(const char* k) {
    auto s = string(k);
    if (!s) return std::nullopt;
    auto t = program::parse_utc_iso(*s);
    if (!t) problem(k, std::string("\"") + k + "\" must be an RFC 3339 time with an offset, e.g. 2027-02-09T08:00:00+01:00.");
    return t;
  }
};

// Keeps the first problem of each field (a wrong type is not reported again as "required").
void merge_problems(std::vector<press::field_problem>& into, const std::vector<press::field_problem>& more) {
  for (auto& p : more) {
    bool seen = false;
    for (auto& q : into) seen = seen || q.field == p.field;
    if (!seen) into.push_back(p);
  }
}

// --- Views ------------------------------------------------------------------------------------

json::object texts_json(const program::localized_text& t) {
  json::object o;
  for (auto& [lang, text] : t) o[lang] = text;
  return o;
}

json::array strings_json(const std::vector<std::string>& v) {
  json::array a;
  for (auto& s : v) a.emplace_back(s);
  return a;
}

json::object event_json(const program::event& e) {
  return json::object{{"id", e.id}, {"title", texts_json(e.title)}, {"days", strings_json(e.days)}, {"timezone", e.timezone}};
}

json::object room_json(const program::room& r) {
  return json::object{{"id", r.id}, {"kind", program::to_string(r.kind)}, {"name", texts_json(r.name)}};
}

json::array contacts_json(const std::vector<press::contact>& cs) {
  json::array a;
  for (auto& c : cs) a.push_back(json::object{{"name", c.name}, {"role", c.role}, {"email", c.email}, {"phone", c.phone}});
  return a;
}

// The journalist's view; the press officer's adds the grant and who decided.
json::object accreditation_json(const press::accreditation& a, bool officer) {
  json::object o{{"id", a.id},
                 {"event_id", a.event_id},
                 {"name", a.name},
                 {"outlet", a.outlet},
                 {"email", a.email},
                 {"phone", a.phone},
                 {"press_card", a.press_card},
                 {"days", strings_json(a.days)},
                 {"attendance", press::to_string(a.attendance)},
                 {"note", a.note},
                 {"language", a.language},
                 {"state", press::to_string(a.state)},
                 {"question", a.question},
                 {"reason", a.reason},
                 {"created_at", a.created_at},
                 {"updated_at", a.updated_at}};
  if (officer) {
    o["grant_id"] = a.grant_id;
    o["decided_by"] = a.decided_by;
  }
  return o;
}

json::object interview_json(const press::interview& i) {
  return json::object{{"id", i.id},
                      {"event_id", i.event_id},
                      {"grant_id", i.grant_id},
                      {"journalist", i.journalist},
                      {"speaker", i.speaker},
                      {"session_id", i.session_id},
                      {"wanted", i.wanted},
                      {"note", i.note},
                      {"state", press::to_string(i.state)},
                      {"proposed", i.proposed},
                      {"answer_note", i.answer_note},
                      {"answered_by", i.answered_by},
                      {"speaker_email", i.speaker_email},
                      {"created_at", i.created_at},
                      {"updated_at", i.updated_at}};
}

std::string_view grant_state(const press::grant_record& g, bool revoked, std::int64_t now_s) {
  if (g.revoked_at || revoked) return "revoked";
  if (now_s >= g.grant.valid_until) return "expired";
  if (now_s < g.grant.valid_from) return "not_yet_valid";
  return "active";
}

enum class grant_detail { officer, holder };

// The grant view: the officer's with its e-mail, live devices and refused devices; the holder's
// without them.
json::object grant_json(const press_context& ctx, const press::grant_record& g, grant_detail d) {
  auto now_ms = ctx.now_millis();
  bool revoked = ctx.registry && ctx.registry->is_revoked(g.grant.id);
  json::object o{{"id", g.grant.id},
                 {"event", g.grant.event},
                 {"name", g.grant.name},
                 {"outlet", g.grant.outlet},
                 {"language", g.language},
                 {"stages", strings_json(g.grant.stages)},
                 {"rooms", strings_json(g.grant.rooms)},
                 {"valid_from", g.grant.valid_from},
                 {"valid_until", g.grant.valid_until},
                 {"device_cap", g.grant.device_cap},
                 {"accreditation_id", g.accreditation_id},
                 {"created_by", g.created_by},
                 {"created_at", g.created_at},
                 {"revoked_at", g.revoked_at ? json::value(g.revoked_at) : json::value(nullptr)},
                 {"revoked_by", g.revoked_by},
                 {"revoke_reason", g.revoke_reason},
                 {"state", grant_state(g, revoked, now_ms / 1000)}};
  if (d == grant_detail::officer) {
    o["email"] = g.email;
    json::array live, refused;
    if (ctx.registry) {
      for (auto& l : ctx.registry->live(g.grant.id, now_ms))
        live.push_back(json::object{{"device", l.device},
                                    {"stage", l.stage},
                                    {"address", l.address},
                                    {"user_agent", l.user_agent},
                                    {"first_at", l.first_at},
                                    {"last_at", l.last_at},
                                    {"bytes", l.bytes}});
      for (auto& f : ctx.registry->refusals(g.grant.id))
        refused.push_back(json::object{{"stage", f.stage},
                                       {"device", f.device},
                                       {"address", f.address},
                                       {"user_agent", f.user_agent},
                                       {"at", f.at}});
    }
    o["live"] = std::move(live);
    o["refusals"] = std::move(refused);
  }
  return o;
}

json::object settings_json(const press::press_settings& s) {
  return json::object{{"event", s.event_id},
                      {"accreditation_open", s.accreditation_open},
                      {"contacts", contacts_json(s.contacts)},
                      {"updated_at", s.updated_at}};
}

// --- Loading ----------------------------------------------------------------------------------

press::press_settings settings_or_default(const press_context* ctx, const std::string& event) {
  if (auto s = ctx->store->find_settings(event)) return *s;
  press::press_settings d;
  d.event_id = event;
  return d;
}

struct event_data {
  std::optional<program::event> event;
  press::press_settings settings;
};

asio::awaitable<event_data> load_event(const press_context* ctx, std::string id) {
  auto fetch = [ctx, id] {
    event_data out;
    out.event = ctx->program->find_event(id);
    if (out.event) out.settings = settings_or_default(ctx, id);
    return out;
  };  // named: GCC 12 (see api/routes.cpp)
  co_return co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
}

response no_event(const std::string& id) { return net::json_error(errc::unknown_event, "No event \"" + id + "\"."); }
response no_accreditation() {
  return net::json_error(errc::no_such_accreditation, "No accreditation request has this id or link.");
}
response no_grant() { return net::json_error(errc::no_such_grant, "No press grant has this id in this event."); }
response no_interview() {
  return net::json_error(errc::no_such_interview, "No interview request has this id or link.");
}

// --- Mail -------------------------------------------------------------------------------------

press::mail_context mail_base(const press_context* ctx, const program::event& e, const press::press_settings& s,
                              std::string to, std::string to_name, std::string language) {
  press::mail_context mc;
  mc.event_title = e.title;
  mc.days_text = press_days_text(e.days, language);
  mc.contacts = s.contacts;
  mc.to = std::move(to);
  mc.to_name = std::move(to_name);
  mc.language = std::move(language);
  mc.event_id = e.id;
  (void)ctx;
  return mc;
}

// On db_pool, inside the transaction: the mail goes with the change or not at all.
void send(const press_context* ctx, press::mail_kind k, const press::mail_context& mc) {
  if (ctx->outbox && !mc.to.empty()) ctx->outbox->enqueue(press::build_mail(k, mc));
}

// --- Callers ----------------------------------------------------------------------------------

asio::awaitable<std::variant<principal, response>> officer(const press_context* ctx, const request& r,
                                                            std::string event) {
  co_return co_await ctx->auth->require(r, std::move(event), rooms::action::manage_press,
                                        "Only the event's press officers and organizers manage its press accreditation.");
}

std::string actor_name(const principal& p) { return p.name.empty() ? p.email : p.name; }

auth::audit_entry audit_of(const press_context* ctx, const principal& p, const request& r, std::string event,
                           std::string action, std::string target, std::string detail) {
  return auth::audit_entry{.at_ms = ctx->now_millis(),
                           .actor = p.user_id,
                           .actor_name = p.email.empty() ? p.name : p.email,
                           .event_id = std::move(event),
                           .action = std::move(action),
                           .target = std::move(target),
                           .detail = std::move(detail),
                           .remote = client_address(r.remote)};
}

void record(const press_context* ctx, const auth::audit_entry& a) {
  if (ctx->audit) ctx->audit->record(a);
}

// The grant token of a request: "Authorization: Bearer g1.…", or ?grant= on GET.
std::string grant_token_of(const request& r) {
  auto h = r.header("authorization");
  if (h.size() > 7 && (h.starts_with("Bearer ") || h.starts_with("bearer "))) return std::string(h.substr(7));
  if (r.method == "GET" || r.method == "HEAD") return net::query_param(r.query, "grant");
  return {};
}


// The grant a request carries, checked at now: signature, key, validity and revocation. A grant
// not yet valid is the grant too when `allow_early` (the press page says when streams start).
std::variant<press::grant, press::refusal> holder_grant(const press_context* ctx, const request& r, bool allow_early) {
  auto token = grant_token_of(r);
  if (token.empty()) return press::refusal::missing;
  auto now = ctx->now_seconds();
  auto v = press::verify_grant(token, *ctx->keys, now);
  if (auto* why = std::get_if<press::refusal>(&v); why && *why == press::refusal::not_yet_valid && allow_early) {
    // The token hides its times behind the signature check: find a moment it is valid at (the
    // first at or after valid_from), doubling then halving; a few dozen HMACs, once per page.
    std::int64_t lo = now, step = 3600, hi = now;
    std::optional<press::grant> found;
    for (int i = 0; i < 40 && !found; ++i) {
      hi = now + step;
      auto at = press::verify_grant(token, *ctx->keys, hi);
      if (auto* g = std::get_if<press::grant>(&at)) found = *g;
      else if (std::get<press::refusal>(at) != press::refusal::not_yet_valid) break;  // passed valid_until
      else lo = hi;
      step *= 2;
    }
    while (!found && hi - lo > 1) {
      auto mid = lo + (hi - lo) / 2;
      auto at = press::verify_grant(token, *ctx->keys, mid);
      if (auto* g = std::get_if<press::grant>(&at)) found = *g;
      else if (std::get<press::refusal>(at) == press::refusal::not_yet_valid) lo = mid;
      else hi = mid;
    }
    if (!found) return press::refusal::not_yet_valid;
    v = *found;
  }
  if (auto* why = std::get_if<press::refusal>(&v)) return *why;
  auto g = std::get<press::grant>(std::move(v));
  if (ctx->registry && ctx->registry->is_revoked(g.id)) return press::refusal::revoked;
  return g;
}


// --- Validation shared by approve and direct grants ---------------------------------------------

std::vector<std::string> stage_ids_of(const press_context* ctx, const std::string& event) {
  std::vector<std::string> ids;
  if (ctx->access)
    for (auto& s : ctx->access->stages_of(event)) ids.push_back(s.id);
  return ids;
}

bool valid_language(std::string_view l) { return l == "sv" || l == "en" || l == "fi"; }

// The scope and validity of a grant from a request's optional fields; problems go to `problems`.
struct grant_terms {
  std::vector<std::string> stages{"*"};
  std::vector<std::string> rooms{"*"};
  std::uint32_t device_cap = 2;
  std::int64_t valid_from = 0;
  std::int64_t valid_until = 0;
};

grant_terms read_terms(const press_context* ctx, reader& rd, const program::event& e,
                       const std::vector<std::string>& default_days, bool days_allowed) {
  grant_terms t;
  t.device_cap = ctx->options.device_cap;
  if (auto s = rd.strings("stages")) t.stages = *s;
  if (auto r = rd.strings("rooms")) t.rooms = *r;
  merge_problems(rd.problems, check_grant_scope(t.stages, t.rooms, stage_ids_of(ctx, e.id), e));
  if (auto cap = rd.integer("device_cap")) {
    if (*cap < 1 || *cap > 20) rd.problem("device_cap", "\"device_cap\" must be 1 to 20.");
    else t.device_cap = static_cast<std::uint32_t>(*cap);
  }
  std::vector<std::string> days = default_days;
  if (days_allowed) {
    if (auto d = rd.strings("days")) {
      bool ok = !d->empty();
      for (auto& day : *d) ok = ok && std::find(e.days.begin(), e.days.end(), day) != e.days.end();
      if (!ok) rd.problem("days", "\"days\" must be one or more of the event's days.");
      else days = *d;
    }
  }
  auto from = rd.time("valid_from");
  auto until = rd.time("valid_until");
  if (days.empty()) days = e.days;
  std::sort(days.begin(), days.end());
  auto v = press::validity_of(days, e.timezone, ctx->options.grace_before_seconds, ctx->options.grace_after_seconds);
  t.valid_from = from ? *from : (v ? v->from : 0);
  t.valid_until = until ? *until : (v ? v->until : 0);
  if (!v && (!from || !until)) rd.problem("valid_from", "The event has no days: give \"valid_from\" and \"valid_until\".");
  else if (t.valid_until <= t.valid_from)
    rd.problem(until ? "valid_until" : "valid_from", "\"valid_until\" must be after \"valid_from\".");
  return t;
}

press::grant_record new_grant_record(const grant_terms& t, const std::string& event, std::string name,
                                     std::string outlet, std::int64_t now) {
  press::grant_record g;
  g.grant.id = press::new_grant_id();
  g.grant.event = event;
  g.grant.name = std::move(name);
  g.grant.outlet = std::move(outlet);
  g.grant.stages = t.stages;
  g.grant.rooms = t.rooms;
  g.grant.valid_from = t.valid_from;
  g.grant.valid_until = t.valid_until;
  g.grant.device_cap = t.device_cap;
  g.created_at = now;
  return g;
}

std::string grant_detail_text(const press::grant_record& g) {
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  };
  return json::serialize(json::object{{"name", g.grant.name},
                                      {"outlet", g.grant.outlet},
                                      {"stages", join(g.grant.stages)},
                                      {"rooms", join(g.grant.rooms)},
                                      {"valid_from", program::utc_iso(g.grant.valid_from)},
                                      {"valid_until", program::utc_iso(g.grant.valid_until)},
                                      {"device_cap", g.grant.device_cap}});
}

// --- Public: the accreditation form -------------------------------------------------------------

asio::awaitable<response> get_accreditation_form(const env* en, request r) {
  auto ctx = en->ctx;
  auto id = r.params["event"];
  auto d = co_await load_event(ctx, id);
  if (!d.event) co_return no_event(id);
  json::object out{{"event", event_json(*d.event)},
                   {"open", d.settings.accreditation_open},
                   {"contacts", contacts_json(d.settings.contacts)}};
  co_return no_store(net::json_response(json::serialize(out)));
}

asio::awaitable<response> post_accreditation(const env* en, request r) {
  auto ctx = en->ctx;
  auto id = r.params["event"];
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send a JSON object with the accreditation request's fields.");
  auto d = co_await load_event(ctx, id);
  if (!d.event) co_return no_event(id);
  if (!d.settings.accreditation_open)
    co_return net::json_error(errc::accreditation_closed, "This event takes no accreditation requests now.");
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  press::request_fields in;
  in.name = rd.string("name");
  in.outlet = rd.string("outlet");
  in.email = rd.string("email");
  in.phone = rd.string("phone");
  in.press_card = rd.string("press_card");
  in.days = rd.strings("days");
  in.attendance = rd.string("attendance");
  in.note = rd.string("note");
  in.language = rd.string("language");
  auto checked = press::check_request(in, d.event->days);
  merge_problems(problems, checked.problems);
  if (!problems.empty()) co_return field_errors(problems);

  auto now = ctx->now_seconds();
  auto a = std::move(checked.value);
  a.id = press::new_accreditation_id();
  a.event_id = id;
  a.state = press::accreditation_state::pending;
  a.created_at = a.updated_at = now;
  auto token = accreditation_manage_token(*ctx->keys, a.id);
  auto mc = mail_base(ctx, *d.event, d.settings, a.email, a.name, a.language);
  mc.link = manage_link(*ctx, token);
  struct result {
    press::accreditation value;
    bool already = false;
  };
  auto write = [ctx, a, token, mc] {
    result out;
    ctx->store->in_transaction([&] {
      // The same address asking again while its request is open: not a second request (a
      // double click, a second try after a lost mail). Its link goes again to that address, and
      // the answer says only "already": whoever typed the address may not be its owner, so
      // nothing of the stored request is shown.
      for (auto& other : ctx->store->list_accreditations(a.event_id, std::nullopt))
        if (other.email == a.email && (other.state == press::accreditation_state::pending ||
                                       other.state == press::accreditation_state::info_requested)) {
          auto again = mc;
          again.to_name = other.name;
          again.language = other.language;
          again.link = manage_link(*ctx, accreditation_manage_token(*ctx->keys, other.id));
          send(ctx, press::mail_kind::accreditation_received, again);
          out.already = true;
          return;
        }
      ctx->store->add_accreditation(a, press::token_hash(token));
      send(ctx, press::mail_kind::accreditation_received, mc);
      out.value = a;
    });
    return out;
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  json::object answer{{"already", res.already}};
  if (!res.already) answer["accreditation"] = accreditation_json(res.value, false);
  if (ctx->dev_links && !res.already) {
    // Development only (auth.dev_tokens): what the e-mail carries.
    answer["manage_link"] = mc.link;
    answer["manage_token"] = token;
  }
  co_return no_store(net::json_response(json::serialize(answer), res.already ? 200 : 201));
}

// --- The journalist's own request (manage token) --------------------------------------------------

asio::awaitable<response> get_own_accreditation(const env* en, request r) {
  auto ctx = en->ctx;
  auto hash = press::token_hash(r.params["token"]);
  struct found {
    std::optional<press::accreditation> a;
    std::optional<program::event> e;
  };
  auto fetch = [ctx, hash] {
    found out;
    out.a = ctx->store->find_accreditation_by_manage(hash);
    if (out.a) out.e = ctx->program->find_event(out.a->event_id);
    return out;
  };  // named: GCC 12
  auto f = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!f.a) co_return no_accreditation();
  json::object out{{"accreditation", accreditation_json(*f.a, false)},
                   {"event", f.e ? json::value(event_json(*f.e)) : json::value(nullptr)}};
  co_return no_store(net::json_response(json::serialize(out)));
}

asio::awaitable<response> answer_own_accreditation(const env* en, request r) {
  auto ctx = en->ctx;
  auto hash = press::token_hash(r.params["token"]);
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send {\"answer\": \"…\"}.");
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  auto text = rd.text("answer", press::max_note_chars, true, true);
  if (!problems.empty()) co_return field_errors(problems);
  auto now = ctx->now_seconds();
  auto at_ms = ctx->now_millis();
  auto remote = client_address(r.remote);
  struct result {
    std::optional<press::accreditation> value;
    bool wrong_state = false;
  };
  auto write = [ctx, hash, text = *text, now, at_ms, remote] {
    result out;
    ctx->store->in_transaction([&] {
      auto a = ctx->store->find_accreditation_by_manage(hash);
      if (!a) return;
      if (a->state != press::accreditation_state::info_requested) {
        out.wrong_state = true;
        out.value = a;
        return;
      }
      a->note += "\n\n\u2014 Svar: " + text;
      a->state = press::accreditation_state::pending;
      a->updated_at = now;
      ctx->store->update_accreditation(*a);
      record(ctx, auth::audit_entry{.at_ms = at_ms,
                                    .actor = a->id,
                                    .actor_name = a->name,
                                    .event_id = a->event_id,
                                    .action = "press.accreditation.answered",
                                    .target = a->id,
                                    .detail = "",
                                    .remote = remote});
      out.value = a;
    });
    return out;
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!res.value) co_return no_accreditation();
  if (res.wrong_state)
    co_return net::json_error(errc::accreditation_state,
                              "This request has no open question (it is " +
                                  std::string(press::to_string(res.value->state)) + ").");
  co_return no_store(net::json_response(json::serialize(json::object{{"accreditation", accreditation_json(*res.value, false)}})));
}

// --- Press officer: the queue -----------------------------------------------------------------

asio::awaitable<response> list_accreditations(const env* en, request r) {
  auto ctx = en->ctx;
  auto id = r.params["event"];
  auto who = co_await officer(ctx, r, id);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  std::optional<press::accreditation_state> state;
  if (auto s = net::query_param(r.query, "state"); !s.empty()) {
    state = press::accreditation_state_from_string(s);
    if (!state)
      co_return field_errors<press::field_problem>({{"state", "\"state\" must be pending, info_requested, approved, rejected or revoked."}});
  }
  struct all {
    bool event = false;
    std::vector<press::accreditation> list;
  };
  auto fetch = [ctx, id, state] {
    all out;
    out.event = ctx->program->find_event(id).has_value();
    if (out.event) out.list = ctx->store->list_accreditations(id, state);
    return out;
  };  // named: GCC 12
  auto a = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!a.event) co_return no_event(id);
  json::array list;
  for (auto& one : a.list) list.push_back(accreditation_json(one, true));
  co_return no_store(net::json_response(json::serialize(json::object{{"accreditations", std::move(list)}})));
}

// An accreditation of `event` by id, with the event and its settings.
struct decision_data {
  std::optional<program::event> event;
  press::press_settings settings;
  std::optional<press::accreditation> accreditation;
};

asio::awaitable<decision_data> load_decision(const press_context* ctx, std::string event, std::string id) {
  auto fetch = [ctx, event, id] {
    decision_data out;
    out.event = ctx->program->find_event(event);
    if (!out.event) return out;
    out.settings = settings_or_default(ctx, event);
    out.accreditation = ctx->store->find_accreditation(id);
    if (out.accreditation && out.accreditation->event_id != event) out.accreditation.reset();
    return out;
  };  // named: GCC 12
  co_return co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
}

bool open_state(press::accreditation_state s) {
  return s == press::accreditation_state::pending || s == press::accreditation_state::info_requested;
}

response state_conflict(const press::accreditation& a, std::string_view what) {
  return net::json_error(errc::accreditation_state, "This request is " + std::string(press::to_string(a.state)) +
                                                        "; it cannot be " + std::string(what) + ".");
}

asio::awaitable<response> approve(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto id = r.params["id"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto actor = std::get<principal>(std::move(who));
  auto body = parse_optional_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send a JSON object (or nothing) with the grant's terms.");
  auto d = co_await load_decision(ctx, event, id);
  if (!d.event) co_return no_event(event);
  if (!d.accreditation) co_return no_accreditation();
  if (!open_state(d.accreditation->state)) co_return state_conflict(*d.accreditation, "approved");
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  auto terms = read_terms(ctx, rd, *d.event, d.accreditation->days, false);
  if (!problems.empty()) co_return field_errors(problems);

  auto now = ctx->now_seconds();
  auto a = *d.accreditation;
  auto g = new_grant_record(terms, event, a.name, a.outlet, now);
  g.email = a.email;
  g.language = a.language;
  g.accreditation_id = a.id;
  g.created_by = actor_name(actor);
  auto token = press::sign_grant(g.grant, *ctx->keys);
  auto link = press_link(*ctx, token);
  auto mc = mail_base(ctx, *d.event, d.settings, a.email, a.name, a.language);
  mc.link = link;
  mc.valid_text = press_valid_text(g.grant.valid_from, g.grant.valid_until, d.event->timezone, a.language);
  auto audit = audit_of(ctx, actor, r, event, "press.accreditation.approved", a.id,
                        json::serialize(json::object{{"grant", g.grant.id}, {"name", a.name}, {"outlet", a.outlet}}));
  auto issued = audit_of(ctx, actor, r, event, "press.grant.issued", g.grant.id, grant_detail_text(g));
  struct result {
    std::optional<press::accreditation> value;
    bool wrong_state = false;
  };
  auto decider = actor_name(actor);
  auto write = [ctx, id, g, mc, audit, issued, now, decider] {
    result out;
    ctx->store->in_transaction([&] {
      auto cur = ctx->store->find_accreditation(id);
      if (!cur) return;
      out.value = cur;
      if (!open_state(cur->state)) {
        out.wrong_state = true;  // decided meanwhile by another press officer
        return;
      }
      ctx->store->add_grant(g);
      cur->state = press::accreditation_state::approved;
      cur->grant_id = g.grant.id;
      cur->decided_by = decider;
      cur->question.clear();
      cur->updated_at = now;
      ctx->store->update_accreditation(*cur);
      send(ctx, press::mail_kind::accreditation_approved, mc);
      record(ctx, audit);
      record(ctx, issued);
      out.value = cur;
    });
    return out;
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!res.value) co_return no_accreditation();
  if (res.wrong_state) co_return state_conflict(*res.value, "approved");
  json::object out{{"accreditation", accreditation_json(*res.value, true)},
                   {"grant", grant_json(*ctx, g, grant_detail::officer)},
                   {"link", link}};
  co_return no_store(net::json_response(json::serialize(out)));
}

// Reject and ask: a text the journalist reads, a state change, a mail.
asio::awaitable<response> decide(const env* en, request r, bool reject) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto id = r.params["id"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto actor = std::get<principal>(std::move(who));
  const char* key = reject ? "reason" : "question";
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, std::string("Send {\"") + key + "\": \"…\"}.");
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  auto text = rd.text(key, press::max_reason_chars, true, true);
  if (!problems.empty()) co_return field_errors(problems);
  auto d = co_await load_decision(ctx, event, id);
  if (!d.event) co_return no_event(event);
  if (!d.accreditation) co_return no_accreditation();
  const char* verb = reject ? "rejected" : "asked for more information";
  if (!open_state(d.accreditation->state)) co_return state_conflict(*d.accreditation, verb);

  auto now = ctx->now_seconds();
  auto& a = *d.accreditation;
  auto mc = mail_base(ctx, *d.event, d.settings, a.email, a.name, a.language);
  if (reject) mc.reason = *text;
  else mc.question = *text;
  // The journalist's own request: to answer the question, or to see what was rejected.
  mc.link = manage_link(*ctx, accreditation_manage_token(*ctx->keys, a.id));
  auto audit = audit_of(ctx, actor, r, event, reject ? "press.accreditation.rejected" : "press.accreditation.info_requested",
                        a.id, *text);
  auto decider = actor_name(actor);
  struct result {
    std::optional<press::accreditation> value;
    bool wrong_state = false;
  };
  auto write = [ctx, id, text = *text, reject, mc, audit, now, decider] {
    result out;
    ctx->store->in_transaction([&] {
      auto cur = ctx->store->find_accreditation(id);
      if (!cur) return;
      out.value = cur;
      if (!open_state(cur->state)) {
        out.wrong_state = true;
        return;
      }
      if (reject) {
        cur->state = press::accreditation_state::rejected;
        cur->reason = text;
      } else {
        cur->state = press::accreditation_state::info_requested;
        cur->question = text;
      }
      cur->decided_by = decider;
      cur->updated_at = now;
      ctx->store->update_accreditation(*cur);
      send(ctx, reject ? press::mail_kind::accreditation_rejected : press::mail_kind::accreditation_info_requested, mc);
      record(ctx, audit);
      out.value = cur;
    });
    return out;
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!res.value) co_return no_accreditation();
  if (res.wrong_state) co_return state_conflict(*res.value, verb);
  co_return no_store(net::json_response(json::serialize(json::object{{"accreditation", accreditation_json(*res.value, true)}})));
}

asio::awaitable<response> reject_accreditation(const env* en, request r) { co_return co_await decide(en, std::move(r), true); }
asio::awaitable<response> ask_accreditation(const env* en, request r) { co_return co_await decide(en, std::move(r), false); }

// --- Press officer: grants ----------------------------------------------------------------------

asio::awaitable<response> create_grant(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto actor = std::get<principal>(std::move(who));
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send a JSON object with the grant's fields.");
  auto d = co_await load_event(ctx, event);
  if (!d.event) co_return no_event(event);
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  auto name = rd.text("name", press::max_name_chars, true);
  auto outlet = rd.text("outlet", press::max_outlet_chars, false);
  std::string email;
  if (auto e = rd.string("email"); e && !e->empty()) {
    email = auth::normalize_email(*e);
    if (auto problem = auth::email_problem(email)) rd.problem("email", "\"email\" " + *problem + ".");
  }
  std::string language = "sv";
  if (auto l = rd.string("language")) {
    if (!valid_language(*l)) rd.problem("language", "\"language\" must be sv, en or fi.");
    else language = *l;
  }
  auto terms = read_terms(ctx, rd, *d.event, d.event->days, true);
  if (!problems.empty()) co_return field_errors(problems);

  auto now = ctx->now_seconds();
  auto g = new_grant_record(terms, event, *name, outlet.value_or(""), now);
  g.email = email;
  g.language = language;
  g.created_by = actor_name(actor);
  auto token = press::sign_grant(g.grant, *ctx->keys);
  auto link = press_link(*ctx, token);
  auto mc = mail_base(ctx, *d.event, d.settings, email, g.grant.name, language);
  mc.link = link;
  mc.valid_text = press_valid_text(g.grant.valid_from, g.grant.valid_until, d.event->timezone, language);
  auto audit = audit_of(ctx, actor, r, event, "press.grant.issued", g.grant.id, grant_detail_text(g));
  auto write = [ctx, g, mc, audit] {
    ctx->store->in_transaction([&] {
      ctx->store->add_grant(g);
      send(ctx, press::mail_kind::grant_issued, mc);
      record(ctx, audit);
    });
  };  // named: GCC 12
  co_await core::run_blocking(*ctx->db_pool, std::move(write));
  json::object out{{"grant", grant_json(*ctx, g, grant_detail::officer)}, {"link", link}};
  co_return no_store(net::json_response(json::serialize(out), 201));
}

asio::awaitable<response> list_grants(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  struct all {
    bool event = false;
    std::vector<press::grant_record> list;
  };
  auto fetch = [ctx, event] {
    all out;
    out.event = ctx->program->find_event(event).has_value();
    if (out.event) out.list = ctx->store->list_grants(event);
    return out;
  };  // named: GCC 12
  auto a = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!a.event) co_return no_event(event);
  json::array list;
  for (auto& g : a.list) list.push_back(grant_json(*ctx, g, grant_detail::officer));
  co_return no_store(net::json_response(json::serialize(json::object{{"grants", std::move(list)}})));
}

asio::awaitable<response> revoke_grant(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto id = r.params["id"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto actor = std::get<principal>(std::move(who));
  auto body = parse_optional_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send {\"reason\": \"…\"} or nothing.");
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  auto reason = rd.text("reason", press::max_reason_chars, false, true).value_or("");
  if (!problems.empty()) co_return field_errors(problems);
  auto d = co_await load_event(ctx, event);
  if (!d.event) co_return no_event(event);

  auto now = ctx->now_seconds();
  auto by = actor_name(actor);
  auto audit = audit_of(ctx, actor, r, event, "press.grant.revoked", id, reason);
  auto e = *d.event;
  auto settings = d.settings;
  struct result {
    std::optional<press::grant_record> value;
    bool changed = false;
  };
  auto write = [ctx, id, event, now, by, reason, audit, e, settings] {
    result out;
    ctx->store->in_transaction([&] {
      auto g = ctx->store->find_grant(id);
      if (!g || g->grant.event != event) return;
      out.value = g;
      if (g->revoked_at) return;  // revoked already: unchanged
      if (!ctx->store->revoke_grant(id, now, by, reason)) return;
      out.changed = true;
      if (!g->accreditation_id.empty())
        if (auto a = ctx->store->find_accreditation(g->accreditation_id)) {
          a->state = press::accreditation_state::revoked;
          a->updated_at = now;
          ctx->store->update_accreditation(*a);
        }
      auto mc = mail_base(ctx, e, settings, g->email, g->grant.name, g->language);
      mc.reason = reason;
      send(ctx, press::mail_kind::grant_revoked, mc);
      record(ctx, audit);
      out.value = ctx->store->find_grant(id);
    });
    return out;
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!res.value) co_return no_grant();
  // Stored first, so a restart keeps it; then every check fails at once and the listener
  // (serve.cpp) closes the grant's room connections with 4012.
  if (res.changed || !ctx->registry->is_revoked(id)) ctx->registry->revoke(event, id, res.value->revoked_at ? res.value->revoked_at : now);
  json::object out{{"grant", grant_json(*ctx, *res.value, grant_detail::officer)}, {"changed", res.changed}};
  co_return no_store(net::json_response(json::serialize(out)));
}

// The link of a grant issued earlier: only the grant is stored, never its link, but the same
// grant signs to a link that works the same (same id, stages, rooms, validity and cap), so the
// officer can copy it again. A revoked grant has no link (410): it would only be refused.
asio::awaitable<response> grant_link(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto id = r.params["id"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto actor = std::get<principal>(std::move(who));
  auto audit = audit_of(ctx, actor, r, event, "press.grant.link", id, "");
  struct result {
    bool event = false;
    std::optional<press::grant_record> value;
  };
  auto fetch = [ctx, event, id, audit] {
    result out;
    out.event = ctx->program->find_event(event).has_value();
    if (!out.event) return out;
    auto g = ctx->store->find_grant(id);
    if (!g || g->grant.event != event) return out;
    out.value = g;
    // Recorded only when a link goes out: who copied which journalist's link, and when.
    bool revoked = g->revoked_at || (ctx->registry && ctx->registry->is_revoked(id));
    if (!revoked) record(ctx, audit);
    return out;
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!res.event) co_return no_event(event);
  if (!res.value) co_return no_grant();
  if (res.value->revoked_at || (ctx->registry && ctx->registry->is_revoked(id)))
    co_return net::json_error(errc::grant_revoked, "This press grant has been revoked; it has no link.");
  auto link = press_link(*ctx, press::sign_grant(res.value->grant, *ctx->keys));
  co_return no_store(net::json_response(json::serialize(json::object{{"link", link}})));
}

// --- Press officer: audit ------------------------------------------------------------------------

struct audit_data {
  std::optional<program::event> event;
  std::vector<press::view_record> views;
  std::vector<press::device_refusal> refusals;
  std::vector<auth::audit_entry> actions;  // press.* of the event, oldest first
};

asio::awaitable<audit_data> load_audit(const press_context* ctx, std::string event) {
  auto fetch = [ctx, event] {
    audit_data out;
    out.event = ctx->program->find_event(event);
    if (!out.event) return out;
    flush_press_audit(*ctx);  // what the registry counted until now is part of the export
    out.views = ctx->store->list_views(event);
    out.refusals = ctx->store->list_refusals(event);
    if (ctx->audit)
      for (auto& a : ctx->audit->list(event, 100000))
        if (a.action.starts_with("press.")) out.actions.push_back(a);
    std::reverse(out.actions.begin(), out.actions.end());
    return out;
  };  // named: GCC 12
  co_return co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
}

asio::awaitable<response> audit_json(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto a = co_await load_audit(ctx, event);
  if (!a.event) co_return no_event(event);
  json::array views, refusals, actions;
  for (auto& v : a.views)
    views.push_back(json::object{{"viewer", v.viewer},
                                 {"name", v.name},
                                 {"stage", v.stage},
                                 {"device", v.device},
                                 {"address", v.address},
                                 {"user_agent", v.user_agent},
                                 {"first_at", v.first_at},
                                 {"last_at", v.last_at},
                                 {"bytes", v.bytes},
                                 {"requests", v.requests}});
  for (auto& f : a.refusals)
    refusals.push_back(json::object{{"grant", f.grant},
                                    {"stage", f.stage},
                                    {"device", f.device},
                                    {"address", f.address},
                                    {"user_agent", f.user_agent},
                                    {"at", f.at}});
  for (auto& x : a.actions)
    actions.push_back(json::object{{"at", x.at_ms},
                                   {"actor", x.actor},
                                   {"actor_name", x.actor_name},
                                   {"action", x.action},
                                   {"target", x.target},
                                   {"detail", x.detail},
                                   {"remote", x.remote}});
  json::object out{{"event", event}, {"timezone", a.event->timezone}, {"views", std::move(views)},
                   {"refusals", std::move(refusals)}, {"actions", std::move(actions)}};
  co_return no_store(net::json_response(json::serialize(out)));
}

asio::awaitable<response> audit_csv(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto a = co_await load_audit(ctx, event);
  if (!a.event) co_return no_event(event);
  const auto& zone = a.event->timezone;
  auto t = [&zone](std::int64_t ms) { return room_export::local_time(ms, zone); };
  // One table, one section per kind; the "kind" column says which columns mean what.
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"kind", "viewer", "name", "stage", "device", "address", "user_agent", "first", "last", "bytes",
                  "requests"});
  for (auto& v : a.views)
    rows.push_back({"view", v.viewer, v.name, v.stage, v.device, v.address, v.user_agent, t(v.first_at), t(v.last_at),
                    std::to_string(v.bytes), std::to_string(v.requests)});
  rows.push_back({});
  rows.push_back({"kind", "grant", "stage", "device", "address", "user_agent", "at"});
  for (auto& f : a.refusals)
    rows.push_back({"device_refused", f.grant, f.stage, f.device, f.address, f.user_agent, t(f.at)});
  rows.push_back({});
  rows.push_back({"kind", "at", "actor", "actor_name", "action", "target", "detail", "remote"});
  for (auto& x : a.actions)
    rows.push_back({"action", t(x.at_ms), x.actor, x.actor_name, x.action, x.target, x.detail, x.remote});
  response resp;
  resp.content_type = "text/csv; charset=utf-8";
  resp.body = room_export::csv(rows);
  resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"press-audit-" + event + ".csv\"");
  co_return no_store(std::move(resp));
}

// --- Press officer: settings ---------------------------------------------------------------------

asio::awaitable<response> get_settings(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto d = co_await load_event(ctx, event);
  if (!d.event) co_return no_event(event);
  co_return no_store(net::json_response(json::serialize(settings_json(d.settings))));
}

asio::awaitable<response> put_settings(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto actor = std::get<principal>(std::move(who));
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send {\"accreditation_open\": …, \"contacts\": […]}.");
  auto d = co_await load_event(ctx, event);
  if (!d.event) co_return no_event(event);
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  auto s = d.settings;
  if (auto open = rd.boolean("accreditation_open")) s.accreditation_open = *open;
  if (auto* c = body->if_contains("contacts"); c && !c->is_null()) {
    if (!c->is_array() || c->as_array().size() > 20) {
      rd.problem("contacts", "\"contacts\" must be a list of at most 20 {name, role, email, phone}.");
    } else {
      std::vector<press::contact> contacts;
      for (auto& item : c->as_array()) {
        if (!item.is_object()) {
          rd.problem("contacts", "Each contact must be an object {name, role, email, phone}.");
          break;
        }
        std::vector<press::field_problem> sub;
        reader cr{item.as_object(), sub};
        press::contact one;
        one.name = cr.text("name", press::max_name_chars, true).value_or("");
        one.role = cr.text("role", press::max_name_chars, false).value_or("");
        if (auto e = cr.string("email"); e && !e->empty()) {
          one.email = auth::normalize_email(*e);
          if (auto problem = auth::email_problem(one.email)) cr.problem("email", "\"email\" " + *problem + ".");
        }
        one.phone = cr.text("phone", press::max_phone_chars, false).value_or("");
        if (!sub.empty()) {
          rd.problem("contacts", "Contact " + std::to_string(contacts.size() + 1) + ": " + sub.front().message);
          break;
        }
        contacts.push_back(std::move(one));
      }
      s.contacts = std::move(contacts);
    }
  }
  if (!problems.empty()) co_return field_errors(problems);
  s.event_id = event;
  s.updated_at = ctx->now_seconds();
  auto audit = audit_of(ctx, actor, r, event, "press.settings", event,
                        json::serialize(json::object{{"accreditation_open", s.accreditation_open},
                                                     {"contacts", s.contacts.size()}}));
  auto write = [ctx, s, audit] {
    ctx->store->in_transaction([&] {
      ctx->store->save_settings(s);
      record(ctx, audit);
    });
  };  // named: GCC 12
  co_await core::run_blocking(*ctx->db_pool, std::move(write));
  // The gate's refusal pages name the contacts without a database read (api/press_gate.hpp).
  set_press_contacts(event, s.contacts);
  set_press_event_title(event, d.event->title);
  co_return no_store(net::json_response(json::serialize(settings_json(s))));
}

// --- Interviews -----------------------------------------------------------------------------------

asio::awaitable<response> list_interviews(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  struct all {
    bool event = false;
    std::vector<press::interview> list;
  };
  auto fetch = [ctx, event] {
    all out;
    out.event = ctx->program->find_event(event).has_value();
    if (out.event) out.list = ctx->store->list_interviews(event);
    return out;
  };  // named: GCC 12
  auto a = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!a.event) co_return no_event(event);
  json::array list;
  for (auto& i : a.list) list.push_back(interview_json(i));
  co_return no_store(net::json_response(json::serialize(json::object{{"interviews", std::move(list)}})));
}

// An answer from the speaker (`speaker_hash`) or a press officer (`officer_event` + `id`):
// the state change, the mail to the journalist (the grant's address), the officer's audit entry.
struct answer_input {
  press::answer what = press::answer::accept;
  std::string proposed;
  std::string note;
};

std::optional<answer_input> read_answer(const json::object& body, std::vector<press::field_problem>& problems) {
  reader rd{body, problems};
  answer_input in;
  bool known = false;
  auto a = rd.string("answer");
  if (a)
    if (auto parsed = press::answer_from_string(*a)) {
      in.what = *parsed;
      known = true;
    }
  if (!known && !rd.has("answer")) rd.problem("answer", "\"answer\" is required: accept, propose or decline.");
  else if (!known && a) rd.problem("answer", "\"answer\" must be accept, propose or decline.");
  in.proposed = rd.text("proposed", press::max_wanted_chars, false).value_or("");
  in.note = rd.text("note", press::max_interview_note_chars, false, true).value_or("");
  if (known && in.what == press::answer::propose && in.proposed.empty() &&
      std::none_of(problems.begin(), problems.end(), [](auto& p) { return p.field == "proposed"; }))
    rd.problem("proposed", "\"proposed\" is required with answer propose: the time you suggest.");
  if (!problems.empty()) return std::nullopt;
  return in;
}

struct answer_result {
  std::optional<press::interview> value;
  std::optional<program::event> event;
  bool wrong_state = false;
};

// On db_pool: finds the interview by `find`, applies the answer, mails the journalist.
answer_result apply_answer(const press_context* ctx, const std::function<std::optional<press::interview>()>& find,
                           const answer_input& in, const std::string& answered_by,
                           const std::optional<auth::audit_entry>& audit, std::int64_t now) {
  answer_result out;
  ctx->store->in_transaction([&] {
    auto i = find();
    if (!i) return;
    out.value = i;
    auto next = press::after_answer(i->state, in.what);
    if (!next) {
      out.wrong_state = true;
      return;
    }
    i->state = *next;
    i->proposed = in.what == press::answer::propose ? in.proposed : i->proposed;
    i->answer_note = in.note;
    i->answered_by = answered_by;
    i->updated_at = now;
    ctx->store->update_interview(*i);
    out.value = i;
    out.event = ctx->program->find_event(i->event_id);
    if (auto g = ctx->store->find_grant(i->grant_id); g && out.event) {
      auto settings = settings_or_default(ctx, i->event_id);
      auto mc = mail_base(ctx, *out.event, settings, g->email, g->grant.name, g->language);
      mc.interview = &*out.value;
      // The press page, where the journalist takes a proposed time: the same grant signs the same link.
      mc.link = press_link(*ctx, press::sign_grant(g->grant, *ctx->keys));
      send(ctx, press::mail_kind::interview_answered, mc);
    }
    if (audit) {
      auto a = *audit;
      a.detail = std::string(press::to_string(i->state)) + (in.proposed.empty() ? "" : ": " + in.proposed);
      record(ctx, a);
    }
  });
  return out;
}

response interview_conflict(const press::interview& i) {
  return net::json_error(errc::interview_state,
                         "This interview request is " + std::string(press::to_string(i.state)) + "; that answer does not fit.");
}

asio::awaitable<response> officer_answer(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto id = r.params["id"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto actor = std::get<principal>(std::move(who));
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send {\"answer\": \"accept\"|\"propose\"|\"decline\", …}.");
  std::vector<press::field_problem> problems;
  auto in = read_answer(*body, problems);
  if (!in) co_return field_errors(problems);
  auto audit = audit_of(ctx, actor, r, event, "press.interview.answered", id, "");
  auto by = actor_name(actor);
  auto now = ctx->now_seconds();
  auto write = [ctx, event, id, in = *in, by, audit, now] {
    auto find = [ctx, &event, &id]() -> std::optional<press::interview> {
      auto i = ctx->store->find_interview(id);
      if (i && i->event_id != event) return std::nullopt;
      return i;
    };
    return apply_answer(ctx, find, in, by, audit, now);
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!res.value) co_return no_interview();
  if (res.wrong_state) co_return interview_conflict(*res.value);
  co_return no_store(net::json_response(json::serialize(json::object{{"interview", interview_json(*res.value)}})));
}

asio::awaitable<response> speaker_link_route(const env* en, request r) {
  auto ctx = en->ctx;
  auto event = r.params["event"];
  auto id = r.params["id"];
  auto who = co_await officer(ctx, r, event);
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto body = parse_optional_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send {\"email\": \"…\", \"language\": \"sv\"} or nothing.");
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  std::string email;
  if (auto e = rd.string("email"); e && !e->empty()) {
    email = auth::normalize_email(*e);
    if (auto problem = auth::email_problem(email)) rd.problem("email", "\"email\" " + *problem + ".");
  }
  std::string language = "sv";
  if (auto l = rd.string("language")) {
    if (!valid_language(*l)) rd.problem("language", "\"language\" must be sv, en or fi.");
    else language = *l;
  }
  if (!problems.empty()) co_return field_errors(problems);
  auto token = press::new_link_token();
  auto link = speaker_link(*ctx, token);
  auto hash = press::token_hash(token);
  auto write = [ctx, event, id, hash, email, language, link] {
    bool found = false;
    ctx->store->in_transaction([&] {
      auto i = ctx->store->find_interview(id);
      if (!i || i->event_id != event) return;
      auto e = ctx->program->find_event(event);
      if (!e) return;
      found = ctx->store->set_speaker_link(id, hash, email);
      if (!found || email.empty()) return;
      i->speaker_email = email;
      auto mc = mail_base(ctx, *e, settings_or_default(ctx, event), email, i->speaker, language);
      mc.link = link;
      mc.interview = &*i;
      send(ctx, press::mail_kind::interview_requested, mc);
    });
    return found;
  };  // named: GCC 12
  auto found = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!found) co_return no_interview();
  co_return no_store(net::json_response(json::serialize(json::object{{"link", link}})));
}

// --- The speaker's answer link -------------------------------------------------------------------

asio::awaitable<response> speaker_get(const env* en, request r) {
  auto ctx = en->ctx;
  auto hash = press::token_hash(r.params["token"]);
  struct found {
    std::optional<press::interview> i;
    std::optional<program::event> e;
  };
  auto fetch = [ctx, hash] {
    found out;
    out.i = ctx->store->find_interview_by_speaker(hash);
    if (out.i) out.e = ctx->program->find_event(out.i->event_id);
    return out;
  };  // named: GCC 12
  auto f = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!f.i) co_return no_interview();
  json::object ev{{"id", f.i->event_id}, {"title", f.e ? texts_json(f.e->title) : json::object{}}};
  co_return no_store(net::json_response(json::serialize(json::object{{"interview", interview_json(*f.i)}, {"event", ev}})));
}

asio::awaitable<response> speaker_answer(const env* en, request r) {
  auto ctx = en->ctx;
  auto hash = press::token_hash(r.params["token"]);
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send {\"answer\": \"accept\"|\"propose\"|\"decline\", …}.");
  std::vector<press::field_problem> problems;
  auto in = read_answer(*body, problems);
  if (!in) co_return field_errors(problems);
  auto now = ctx->now_seconds();
  auto write = [ctx, hash, in = *in, now] {
    auto find = [ctx, &hash] { return ctx->store->find_interview_by_speaker(hash); };
    return apply_answer(ctx, find, in, "speaker", std::nullopt, now);
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!res.value) co_return no_interview();
  if (res.wrong_state) co_return interview_conflict(*res.value);
  co_return no_store(net::json_response(json::serialize(json::object{{"interview", interview_json(*res.value)}})));
}

// --- The grant holder ---------------------------------------------------------------------------

asio::awaitable<response> press_me(const env* en, request r) {
  auto ctx = en->ctx;
  auto checked = holder_grant(ctx, r, true);
  if (auto* why = std::get_if<press::refusal>(&checked)) co_return refusal_response(r, *why, "");
  auto g = std::get<press::grant>(std::move(checked));
  struct found {
    std::optional<program::event> e;
    std::optional<press::grant_record> record;
    press::press_settings settings;
    std::vector<press::interview> interviews;
  };
  auto fetch = [ctx, id = g.id, event = g.event] {
    found out;
    out.e = ctx->program->find_event(event);
    out.record = ctx->store->find_grant(id);
    out.settings = settings_or_default(ctx, event);
    out.interviews = ctx->store->list_interviews_of(id);
    return out;
  };  // named: GCC 12
  auto f = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!f.e) co_return refusal_response(r, press::refusal::other_stage, "");
  // The token is the grant; the stored record adds who issued it (a grant issued where this
  // store cannot see it still opens its page).
  press::grant_record rec = f.record.value_or(press::grant_record{});
  rec.grant = g;
  auto token = grant_token_of(r);
  auto now = ctx->now_seconds();
  bool valid_now = now >= g.valid_from && now < g.valid_until;

  json::array rooms_all, rooms_now;
  for (auto& room : f.e->rooms) {
    rooms_all.push_back(room_json(room));
    if (!valid_now || !g.covers_room(room.id)) continue;
    if (!rooms::can_join(auth::role::press, room.kind, room.guests)) continue;
    auto rule = ctx->access ? ctx->access->room_rule(g.event, room, now) : press::room_default(room);
    if (press::admits(rule.at(now), press::visibility::press)) rooms_now.push_back(room_json(room));
  }
  json::object event = event_json(*f.e);
  event["rooms"] = std::move(rooms_all);

  json::array stages;
  if (ctx->access)
    for (auto& s : ctx->access->stages_of(g.event)) {
      if (!g.covers_stage(s.id) || !press::admits(s.rule.level, press::visibility::press)) continue;
      json::value name = json::object{};
      std::string state = "unknown";
      if (en->board)
        if (auto one = en->board->one(s.id, true)) {
          boost::system::error_code ec;
          auto v = json::parse(*one, ec);
          if (!ec && v.is_object()) {
            if (auto* n = v.as_object().if_contains("name")) name = *n;
            if (auto* st = v.as_object().if_contains("state"); st && st->is_string()) state = std::string(st->as_string());
          }
        }
      stages.push_back(json::object{{"id", s.id},
                                    {"name", name},
                                    {"room", s.room},
                                    {"state", state},
                                    {"visibility", press::to_string(s.rule.at(now))},
                                    {"public_at", s.rule.public_at ? json::value(s.rule.public_at) : json::value(nullptr)},
                                    {"hls", "/live/" + s.id + "/index.m3u8?grant=" + token}});
    }

  // The program's speakers with their sessions (the interview form picks one).
  json::array speakers;
  {
    std::vector<std::string> order;
    std::map<std::string, json::object> by_name;
    for (auto& s : f.e->sessions) {
      if (s.cancelled) continue;
      for (auto& sp : s.speakers) {
        auto [it, fresh] = by_name.try_emplace(sp.name);
        if (fresh) {
          order.push_back(sp.name);
          it->second = json::object{{"name", sp.name}, {"affiliation", texts_json(sp.affiliation)}, {"sessions", json::array{}}};
        }
        it->second["sessions"].as_array().push_back(json::object{{"id", s.id},
                                                                 {"title", texts_json(s.title)},
                                                                 {"day", s.day},
                                                                 {"starts_at", s.starts_at},
                                                                 {"ends_at", s.ends_at},
                                                                 {"room_id", s.room_id}});
      }
    }
    for (auto& n : order) speakers.push_back(std::move(by_name[n]));
  }
  json::array interviews;
  for (auto& i : f.interviews) interviews.push_back(interview_json(i));

  json::object out{{"grant", grant_json(*ctx, rec, grant_detail::holder)},
                   {"event", std::move(event)},
                   {"stages", std::move(stages)},
                   {"rooms", std::move(rooms_now)},
                   {"contacts", contacts_json(f.settings.contacts)},
                   {"interviews", std::move(interviews)},
                   {"speakers", std::move(speakers)}};
  co_return no_store(net::json_response(json::serialize(out)));
}

asio::awaitable<response> press_interview(const env* en, request r) {
  auto ctx = en->ctx;
  auto checked = holder_grant(ctx, r, true);
  if (auto* why = std::get_if<press::refusal>(&checked)) co_return refusal_response(r, *why, "");
  auto g = std::get<press::grant>(std::move(checked));
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send {\"speaker\", \"session_id\", \"wanted\", \"note\"}.");
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  auto speaker = rd.text("speaker", press::max_name_chars, true);
  auto session_id = rd.text("session_id", 100, false).value_or("");
  auto wanted = rd.text("wanted", press::max_wanted_chars, true);
  auto note = rd.text("note", press::max_interview_note_chars, false, true).value_or("");
  auto fetch = [ctx, event = g.event] { return ctx->program->find_event(event); };  // named: GCC 12
  auto e = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!e) co_return refusal_response(r, press::refusal::other_stage, "");
  if (speaker) {
    bool in_program = false, in_session = session_id.empty();
    bool session_exists = session_id.empty();
    for (auto& s : e->sessions) {
      bool speaks = std::any_of(s.speakers.begin(), s.speakers.end(), [&](auto& sp) { return sp.name == *speaker; });
      in_program = in_program || speaks;
      if (s.id == session_id) {
        session_exists = true;
        in_session = in_session || speaks;
      }
    }
    if (!in_program) rd.problem("speaker", "\"speaker\" must be a speaker in the event's program.");
    else if (!session_exists) rd.problem("session_id", "\"session_id\" is not a session of the event.");
    else if (!in_session) rd.problem("session_id", "The speaker does not speak in that session.");
  }
  if (!problems.empty()) co_return field_errors(problems);
  auto now = ctx->now_seconds();
  press::interview i;
  i.id = press::new_interview_id();
  i.event_id = g.event;
  i.grant_id = g.id;
  i.journalist = g.outlet.empty() ? g.name : g.name + ", " + g.outlet;
  i.speaker = *speaker;
  i.session_id = session_id;
  i.wanted = *wanted;
  i.note = note;
  i.created_at = i.updated_at = now;
  auto write = [ctx, i] { ctx->store->add_interview(i); };  // named: GCC 12
  co_await core::run_blocking(*ctx->db_pool, std::move(write));
  co_return no_store(net::json_response(json::serialize(json::object{{"interview", interview_json(i)}}), 201));
}

asio::awaitable<response> press_respond(const env* en, request r) {
  auto ctx = en->ctx;
  auto checked = holder_grant(ctx, r, true);
  if (auto* why = std::get_if<press::refusal>(&checked)) co_return refusal_response(r, *why, "");
  auto g = std::get<press::grant>(std::move(checked));
  auto id = r.params["id"];
  auto body = parse_object(r.body);
  if (!body) co_return net::json_error(errc::bad_request, "Send {\"answer\": \"accept\"|\"decline\"|\"cancel\"}.");
  std::vector<press::field_problem> problems;
  reader rd{*body, problems};
  auto a = rd.string("answer");
  if (!a) {
    if (problems.empty()) rd.problem("answer", "\"answer\" is required: accept, decline or cancel.");
  } else if (*a != "accept" && *a != "decline" && *a != "cancel") {
    rd.problem("answer", "\"answer\" must be accept, decline or cancel.");
  }
  if (!problems.empty()) co_return field_errors(problems);
  auto now = ctx->now_seconds();
  struct result {
    std::optional<press::interview> value;
    bool wrong_state = false;
  };
  auto write = [ctx, id, grant = g.id, answer = *a, now] {
    result out;
    ctx->store->in_transaction([&] {
      auto i = ctx->store->find_interview(id);
      if (!i || i->grant_id != grant) return;
      out.value = i;
      using st = press::interview_state;
      std::optional<st> next;
      // The journalist takes a proposed time or not, or withdraws what is still open.
      if (answer == "accept" && i->state == st::proposed) next = st::accepted;
      else if (answer == "decline" && i->state == st::proposed) next = st::declined;
      else if (answer == "cancel" && (i->state == st::requested || i->state == st::proposed || i->state == st::accepted))
        next = st::cancelled;
      if (!next) {
        out.wrong_state = true;
        return;
      }
      i->state = *next;
      i->updated_at = now;
      ctx->store->update_interview(*i);
      out.value = i;
    });
    return out;
  };  // named: GCC 12
  auto res = co_await core::run_blocking(*ctx->db_pool, std::move(write));
  if (!res.value) co_return no_interview();
  if (res.wrong_state) co_return interview_conflict(*res.value);
  co_return no_store(net::json_response(json::serialize(json::object{{"interview", interview_json(*res.value)}})));
}

}  // namespace

// --- Shared helpers ------------------------------------------------------------------------------

void flush_press_audit(const press_context& ctx) {
  if (!ctx.registry || !ctx.store) return;
  auto views = ctx.registry->take_views();
  auto refusals = ctx.registry->take_refusals();
  if (!views.empty()) ctx.store->add_views(views);
  if (!refusals.empty()) ctx.store->add_refusals(refusals);
}

std::string accreditation_manage_token(const auth::keyring& keys, std::string_view accreditation_id) {
  auto derived = auth::hmac_sha256(keys.current().secret, "samling press manage v1");
  auto mac = auth::hmac_sha256(std::string_view(reinterpret_cast<const char*>(derived.data()), derived.size()),
                               std::string("accreditation ") + std::string(accreditation_id));
  return auth::base64url_encode(mac.data(), mac.size());
}

std::string press_days_text(const std::vector<std::string>& days, std::string_view language) {
  static const char* const sv[] = {"januari", "februari", "mars",      "april",   "maj",      "juni",
                                   "juli",    "augusti",  "september", "oktober", "november", "december"};
  static const char* const en[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
  std::string out;
  for (auto& d : days) {
    std::string one = d;  // anything but YYYY-MM-DD stays as it is
    if (d.size() == 10 && d[4] == '-' && d[7] == '-') {
      int month = std::atoi(d.substr(5, 2).c_str()), day = std::atoi(d.substr(8, 2).c_str());
      if (month >= 1 && month <= 12 && day >= 1) {
        auto year = d.substr(0, 4);
        if (language == "fi") one = std::to_string(day) + "." + std::to_string(month) + "." + year;
        else one = std::to_string(day) + " " + (language == "en" ? en : sv)[month - 1] + " " + year;
      }
    }
    out += (out.empty() ? "" : ", ") + one;
  }
  return out;
}

std::string press_valid_text(std::int64_t from, std::int64_t until, std::string_view zone, std::string_view language) {
  auto local = [&zone](std::int64_t t) {
    auto l = program::to_local(t, zone);
    return l ? l->day + " " + l->hhmm : program::utc_iso(t);
  };
  std::string z = "(" + std::string(zone) + ")";
  if (language == "sv") return "från " + local(from) + " till " + local(until) + " " + z;
  if (language == "fi") return local(from) + " \u2013 " + local(until) + " " + z;
  return "from " + local(from) + " until " + local(until) + " " + z;
}

std::vector<press::field_problem> check_grant_scope(const std::vector<std::string>& stages,
                                                    const std::vector<std::string>& rooms,
                                                    const std::vector<std::string>& stage_ids,
                                                    const program::event& e) {
  std::vector<press::field_problem> out;
  auto all_or_known = [](const std::vector<std::string>& v, auto known) {
    if (v.empty()) return false;
    if (v.size() == 1 && v.front() == "*") return true;
    return std::all_of(v.begin(), v.end(), [&](auto& x) { return x != "*" && known(x); });
  };
  if (!all_or_known(stages, [&](const std::string& s) {
        return std::find(stage_ids.begin(), stage_ids.end(), s) != stage_ids.end();
      }))
    out.push_back({"stages", "\"stages\" must be [\"*\"] or stage ids of the event."});
  if (!all_or_known(rooms, [&](const std::string& id) {
        return std::any_of(e.rooms.begin(), e.rooms.end(), [&](auto& room) { return room.id == id; });
      }))
    out.push_back({"rooms", "\"rooms\" must be [\"*\"] or room ids of the event."});
  return out;
}

void register_press_routes(net::router& routes, const press_context& ctx) { register_press_routes(routes, ctx, nullptr); }

void register_press_routes(net::router& routes, const press_context& ctx, const stage_board* board) {
  auto e = std::make_shared<const env>(env{&ctx, board});
  // Public: the form and the journalist's own request.
  routes.add("GET", "/api/v1/events/{event}/accreditation", "api_press_form", bind(e, get_accreditation_form));
  routes.add("POST", "/api/v1/events/{event}/accreditations", "api_press_accredit", bind(e, post_accreditation));
  routes.add("GET", "/api/v1/accreditations/{token}", "api_press_own", bind(e, get_own_accreditation));
  routes.add("POST", "/api/v1/accreditations/{token}/answer", "api_press_own_answer", bind(e, answer_own_accreditation));
  // The press officer.
  routes.add("GET", "/api/v1/events/{event}/accreditations", "api_press_queue", bind(e, list_accreditations));
  routes.add("POST", "/api/v1/events/{event}/accreditations/{id}/approve", "api_press_approve", bind(e, approve));
  routes.add("POST", "/api/v1/events/{event}/accreditations/{id}/reject", "api_press_reject", bind(e, reject_accreditation));
  routes.add("POST", "/api/v1/events/{event}/accreditations/{id}/ask", "api_press_ask", bind(e, ask_accreditation));
  routes.add("POST", "/api/v1/events/{event}/grants", "api_press_grant", bind(e, create_grant));
  routes.add("GET", "/api/v1/events/{event}/grants", "api_press_grants", bind(e, list_grants));
  routes.add("POST", "/api/v1/events/{event}/grants/{id}/revoke", "api_press_revoke", bind(e, revoke_grant));
  routes.add("POST", "/api/v1/events/{event}/grants/{id}/link", "api_press_grant_link", bind(e, grant_link));
  routes.add("GET", "/api/v1/events/{event}/press/audit.csv", "api_press_audit_csv", bind(e, audit_csv));
  routes.add("GET", "/api/v1/events/{event}/press/audit.json", "api_press_audit_json", bind(e, audit_json));
  routes.add("GET", "/api/v1/events/{event}/press/settings", "api_press_settings", bind(e, get_settings));
  routes.add("PUT", "/api/v1/events/{event}/press/settings", "api_press_settings_put", bind(e, put_settings));
  routes.add("GET", "/api/v1/events/{event}/interviews", "api_press_interviews", bind(e, list_interviews));
  routes.add("POST", "/api/v1/events/{event}/interviews/{id}/answer", "api_press_interview_answer", bind(e, officer_answer));
  routes.add("POST", "/api/v1/events/{event}/interviews/{id}/speaker-link", "api_press_speaker_link",
             bind(e, speaker_link_route));
  // The grant holder.
  routes.add("GET", "/api/v1/press/me", "api_press_me", bind(e, press_me));
  routes.add("POST", "/api/v1/press/interviews", "api_press_interview_request", bind(e, press_interview));
  routes.add("POST", "/api/v1/press/interviews/{id}/respond", "api_press_interview_respond", bind(e, press_respond));
  // The speaker.
  routes.add("GET", "/api/v1/interviews/{token}", "api_press_speaker", bind(e, speaker_get));
  routes.add("POST", "/api/v1/interviews/{token}/answer", "api_press_speaker_answer", bind(e, speaker_answer));
}

}  // namespace samling::api
