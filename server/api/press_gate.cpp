#include "api/press_gate.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <shared_mutex>

#include <boost/json.hpp>

#include "api/press_context.hpp"
#include "api/staff_sessions.hpp"
#include "press/grant.hpp"
#include "press/texts.hpp"

namespace samling::api {

namespace json = boost::json;
using core::errc;
using net::request;
using net::response;

// --- The refusal page's event title and contacts -------------------------------------------------

namespace {

struct page_info {
  program::localized_text title;
  std::vector<press::contact> contacts;
};

struct page_infos {
  std::shared_mutex mu;
  std::map<std::string, page_info, std::less<>> by_event;
};

page_infos& infos() {
  static page_infos all;
  return all;
}

}  // namespace

void set_press_contacts(const std::string& event, std::vector<press::contact> contacts) {
  auto& all = infos();
  std::unique_lock lock(all.mu);
  all.by_event[event].contacts = std::move(contacts);
}

void set_press_event_title(const std::string& event, program::localized_text title) {
  auto& all = infos();
  std::unique_lock lock(all.mu);
  all.by_event[event].title = std::move(title);
}

std::vector<press::contact> press_contacts(std::string_view event) {
  auto& all = infos();
  std::shared_lock lock(all.mu);
  auto it = all.by_event.find(event);
  return it == all.by_event.end() ? std::vector<press::contact>{} : it->second.contacts;
}

program::localized_text press_event_title(std::string_view event) {
  auto& all = infos();
  std::shared_lock lock(all.mu);
  auto it = all.by_event.find(event);
  return it == all.by_event.end() ? program::localized_text{} : it->second.title;
}

// --- Refusals ---------------------------------------------------------------------------------

namespace {

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// press_context::now_millis(), here so the gate does not need the press routes' library part.
std::int64_t now_ms_of(const press_context& press) { return press.now_ms ? press.now_ms() : system_ms(); }

constexpr std::string_view no_store_private = "private, no-store";

// ?lang= wins (a link can fix the language), else the browser's Accept-Language.
std::string language_of(const request& r) {
  auto lang = net::query_param(r.query, "lang");
  if (lang == "sv" || lang == "en" || lang == "fi") return lang;
  return press::language_from_accept(r.header("accept-language"), "sv");
}

json::object contact_json(const press::contact& c) {
  return {{"name", c.name}, {"role", c.role}, {"email", c.email}, {"phone", c.phone}};
}

// Below the stage's level and no credential that would lift it: an embargo says it opens
// later; a press-level stage asks for a grant; a staff stage is simply not for them.
response below_level(const request& r, const std::string& event, const press::access_rule& rule, std::int64_t now_s) {
  if (rule.embargoed(now_s)) return refusal_response(r, press::refusal::embargoed, event);
  if (press::admits(rule.at(now_s), press::visibility::press)) return refusal_response(r, press::refusal::missing, event);
  auto out = net::json_error(errc::forbidden, "This stream is for the event's staff.");
  out.headers.emplace_back("Cache-Control", no_store_private);
  return out;
}

press::refusal refusal_of(auth::token_error e) {
  switch (e) {
    case auth::token_error::expired: return press::refusal::expired;
    case auth::token_error::unknown_key: return press::refusal::unknown_key;
    case auth::token_error::invalid: break;
  }
  return press::refusal::tampered;
}

// The client's address without the port ("203.0.113.7:51234" → "203.0.113.7"): one browser
// opens several connections, each from another port.
std::string_view address_of(std::string_view remote) {
  auto colon = remote.rfind(':');
  return colon == std::string_view::npos ? remote : remote.substr(0, colon);
}

// The device the client names (the press page sends a random id per browser), else one made
// from its address and User-Agent.
std::string device_of(const request& r) {
  auto d = net::query_param(r.query, "device");
  if (press::is_device_id(d)) return d;
  return press::device_of(address_of(r.remote), r.header("user-agent"));
}

// The highest level any of `who`'s roles for `event` reaches.
press::visibility level_in(const principal& who, std::string_view event) {
  auto level = press::visibility::public_;
  for (auto role : who.roles_in(event)) {
    auto l = press::level_of(role);
    if (static_cast<int>(l) > static_cast<int>(level)) level = l;
  }
  return level;
}

bool is_grant_id(std::string_view viewer) { return viewer.substr(0, 3) == "pr-"; }

gate_decision check_grant(const stages_context& ctx, const request& r, const std::string& stage,
                          const std::string& event, const press::access_rule& rule, std::string_view token,
                          std::int64_t now_s) {
  const auto& press = *ctx.press;
  auto verified = press::verify_grant(token, *press.keys, now_s);
  if (auto* why = std::get_if<press::refusal>(&verified)) return refusal_response(r, *why, event);
  auto& g = std::get<press::grant>(verified);
  if (press.registry->is_revoked(g.id)) return refusal_response(r, press::refusal::revoked, event);
  // Another event's grant, a stage it does not name, or a staff-only stage: not this one.
  if (g.event != event || !g.covers_stage(stage) || !press::admits(rule.at(now_s), press::visibility::press))
    return refusal_response(r, press::refusal::other_stage, event);
  auto device = device_of(r);
  if (!press.registry->admit_device(event, g.id, stage, device, g.device_cap, address_of(r.remote), r.header("user-agent"),
                                    now_ms_of(press)))
    return refusal_response(r, press::refusal::device_limit, event);
  auto name = g.outlet.empty() ? g.name : g.name + ", " + g.outlet;
  return gate_pass{event, std::move(g.id), std::move(name), std::move(device)};
}

gate_decision check_token(const stages_context& ctx, const request& r, const std::string& event,
                          const press::access_rule& rule, std::string_view token, std::int64_t now_s) {
  auto verified = ctx.press->keys->verify(token, now_s);
  if (auto* e = std::get_if<auth::token_error>(&verified)) return refusal_response(r, refusal_of(*e), event);
  auto& c = std::get<auth::claims>(verified);
  principal who;
  who.roles.push_back({c.event, c.role});
  if (!press::admits(rule.at(now_s), level_in(who, event))) return below_level(r, event, rule, now_s);
  return gate_pass{event, std::move(c.user_id), std::move(c.name), device_of(r)};
}

gate_decision check_segment(const stages_context& ctx, const request& r, const std::string& stage,
                            const std::string& event, const press::access_rule& rule, std::int64_t now_s) {
  const auto& press = *ctx.press;
  auto v = net::query_param(r.query, "v");
  if (v.empty()) return below_level(r, event, rule, now_s);
  auto verified = press::verify_viewer(v, *press.keys, now_s);
  if (auto* why = std::get_if<press::refusal>(&verified)) return refusal_response(r, *why, event);
  auto& t = std::get<press::viewer_ticket>(verified);
  if (t.stage != stage) return refusal_response(r, press::refusal::other_stage, event);
  // Revoked: refused at once. Whether the device still holds its place on the grant is
  // decided with the count, under one lock, when the segment is served (gated_segment).
  if (is_grant_id(t.viewer) && press.registry->is_revoked(t.viewer))
    return refusal_response(r, press::refusal::revoked, event);
  // The row's name comes from the viewer's playlist (the same row, or the stored one).
  return gate_pass{event, std::move(t.viewer), std::string(), std::move(t.device)};
}

// "private, max-age=N", made once per thread for the configured N (every segment sends it).
const std::string& segment_cache_control(std::int64_t seconds) {
  thread_local std::int64_t made_for = -1;
  thread_local std::string value;
  if (made_for != seconds) {
    value = "private, max-age=" + std::to_string(seconds);
    made_for = seconds;
  }
  return value;
}

void count(const stages_context& ctx, const request& r, const std::string& stage, const gate_pass& pass,
           std::uint64_t bytes) {
  ctx.press->registry->count(pass.event, pass.viewer, pass.name, stage, pass.device, address_of(r.remote),
                             r.header("user-agent"), bytes, now_ms_of(*ctx.press));
}

}  // namespace

response refusal_response(const request& r, press::refusal why, std::string_view event) {
  auto lang = language_of(r);
  auto contacts = press_contacts(event);
  response out;
  out.status = core::http_status(press::to_errc(why));
  if (r.header("accept").find("text/html") != std::string_view::npos) {
    out.content_type = "text/html; charset=utf-8";
    out.body = press::refusal_page(why, lang, program::localized(press_event_title(event), lang), contacts);
  } else {
    json::array list;
    for (auto& c : contacts) list.push_back(contact_json(c));
    json::object err{{"code", press::to_string(why)},
                     {"message", press::refusal_text(why, lang)},
                     {"contact", contacts.empty() ? json::value(nullptr) : json::value(contact_json(contacts.front()))},
                     {"contacts", std::move(list)}};
    out.body = json::serialize(json::object{{"error", std::move(err)}});
  }
  out.headers.emplace_back("Cache-Control", no_store_private);
  return out;
}

std::int64_t gate_now_seconds(const stages_context& ctx) {
  return (ctx.press ? now_ms_of(*ctx.press) : system_ms()) / 1000;
}

gate_decision gate_request(const stages_context& ctx, const request& r, const std::string& stage, bool playlist,
                           const press::access_rule& rule, std::int64_t now_s) {
  if (!ctx.press || !ctx.press->keys || !ctx.press->registry)
    return net::json_error(errc::forbidden, "This stream needs an accreditation grant.");
  auto event = ctx.board->event_of(stage);
  if (!playlist) return check_segment(ctx, r, stage, event, rule, now_s);
  // The playlist: a grant, else a join token, else a staff session.
  auto grant = net::query_param(r.query, "grant");
  std::string token;
  if (grant.empty()) {
    token = bearer_token(r);
    if (token.substr(0, 3) == "g1.") {  // a grant as a bearer token (API clients)
      grant = std::move(token);
      token.clear();
    }
  }
  if (!grant.empty()) return check_grant(ctx, r, stage, event, rule, grant, now_s);
  if (!token.empty()) return check_token(ctx, r, event, rule, token, now_s);
  if (ctx.auth && !session_cookie(r.header("cookie")).empty()) return gate_needs_session{};
  return below_level(r, event, rule, now_s);
}

gate_decision gate_session(const stages_context& ctx, const request& r, const std::string& stage,
                           const press::access_rule& rule, std::int64_t now_s, const std::optional<principal>& who) {
  if (!ctx.press) return net::json_error(errc::forbidden, "This stream needs an accreditation grant.");
  auto event = ctx.board->event_of(stage);
  if (!who || !press::admits(rule.at(now_s), level_in(*who, event))) return below_level(r, event, rule, now_s);
  return gate_pass{event, who->user_id, who->name, device_of(r)};
}

response gated_playlist(const stages_context& ctx, const request& r, const std::string& stage, const gate_pass& pass,
                        std::string_view m3u8, std::int64_t now_s) {
  const auto& press = *ctx.press;
  press::viewer_ticket ticket{pass.viewer, stage, pass.device, now_s + press.options.segment_token_seconds};
  response out;
  out.body = press::rewrite_playlist(m3u8, "v", press::sign_viewer(ticket, *press.keys));
  out.content_type = "application/vnd.apple.mpegurl";
  // Personal (it carries the viewer's token): never kept by a shared cache, never reused.
  out.headers.emplace_back("Cache-Control", no_store_private);
  count(ctx, r, stage, pass, out.body.size());
  return out;
}

response gated_segment(const stages_context& ctx, const request& r, const std::string& stage, const gate_pass& pass,
                       std::shared_ptr<const net::open_file> file) {
  auto bytes = file->size;
  if (is_grant_id(pass.viewer)) {
    // The device must still hold its place on the grant (its playlist admitted it, and it has
    // fetched within press.device_idle_seconds); touched and counted under one lock.
    if (!ctx.press->registry->segment(pass.event, pass.viewer, stage, pass.device, address_of(r.remote),
                                      r.header("user-agent"), bytes, now_ms_of(*ctx.press)))
      return refusal_response(r, press::refusal::device_limit, pass.event);
  } else {
    count(ctx, r, stage, pass, bytes);
  }
  response out;
  out.file_body = std::move(file);
  out.content_type = "video/mp2t";
  // The browser may keep it while its URL's token lives; a shared cache must not.
  out.headers.emplace_back("Cache-Control", segment_cache_control(ctx.press->options.segment_token_seconds));
  return out;
}

}  // namespace samling::api
