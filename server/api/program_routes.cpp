#include "api/program_routes.hpp"

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "api/staff_sessions.hpp"
#include "program/program_json.hpp"
#include "program/timezone.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;

namespace {

// The fields a PATCH may change, as the request names them, and the event JSON's name for each.
constexpr std::pair<std::string_view, std::string_view> patchable[] = {
    {"day", "day"},   {"starts_at", "starts_at"},     {"ends_at", "ends_at"}, {"room", "room_id"},
    {"room_id", "room_id"}, {"title", "title"}, {"description", "description"}, {"kind", "kind"},
    {"track", "track"}, {"speakers", "speakers"}};

// {"error":{"code":"program_invalid","message":…,"problems":[{"where","message"},…]}}: each of
// validate()'s "where: what" split in two, so a form can put the reason beside its field.
response invalid(const publish_outcome& o) {
  json::array problems;
  for (auto& p : o.problems) {
    auto colon = p.find(": ");
    problems.push_back(colon == std::string::npos
                           ? json::object{{"where", ""}, {"message", p}}
                           : json::object{{"where", p.substr(0, colon)}, {"message", p.substr(colon + 2)}});
  }
  json::object err{{"code", core::code_name(o.error)},
                   {"message", o.message.empty() ? std::string(core::default_message(o.error)) : o.message},
                   {"problems", std::move(problems)}};
  response r = net::json_response(json::serialize(json::object{{"error", std::move(err)}}), core::http_status(o.error));
  return r;
}

response answer(const publish_outcome& o, unsigned status = 200) {
  if (o.error != errc::ok) return o.problems.empty() ? net::json_error(o.error, o.message) : invalid(o);
  json::object out{{"version", o.version},
                   {"unchanged", o.unchanged},
                   {"changes", program::to_json(o.changes)}};
  return net::json_response(json::serialize(out), o.unchanged ? 200 : status);
}

std::optional<json::object> body_object(const request& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// The program from an edited event JSON (program_json's form), or the reasons it is not one.
edit_result from_json(const json::value& v) {
  edit_result out;
  std::vector<std::string> errors;
  out.next = program::event_from_json(v, errors);
  if (!out.next) {
    out.error = errc::program_invalid;
    out.message = "The program would not be valid: nothing was stored.";
    out.problems = std::move(errors);
  }
  return out;
}

json::object* find_session(json::array& sessions, std::string_view id) {
  for (auto& s : sessions)
    if (auto* o = s.if_object(); o && o->contains("id") && o->at("id").is_string() && o->at("id").as_string() == id)
      return o;
  return nullptr;
}

publisher who_of(const principal& p, const request& r) { return {p.user_id, p.name, client_address(r.remote)}; }

asio::awaitable<response> create_event(const program_context* ctx, request r) {
  auto who = co_await ctx->auth->require(r, "*", rooms::action::edit_program,
                                         "Only organizers of every event may create events.");
  if (auto* refused = std::get_if<response>(&who)) co_return std::move(*refused);
  auto body = body_object(r);
  if (!body) co_return net::json_error(errc::bad_request, "Send the event as a JSON object.");
  auto* id = body->if_contains("id");
  if (!id || !id->is_string() || id->as_string().empty())
    co_return net::json_error(errc::bad_request, "The event needs an \"id\" (a URL-safe slug).");
  std::string event_id(id->as_string());
  if (auto* sessions = body->if_contains("sessions"); sessions && sessions->is_array())
    for (auto& s : sessions->as_array())
      if (auto* o = s.if_object()) o->erase("sequence");  // a new event's sessions start at 0
  json::value v = std::move(*body);
  auto edit = [v](const std::optional<program::event>&) { return from_json(v); };
  auto o = co_await ctx->live->publish(event_id, true, std::move(edit), who_of(std::get<principal>(who), r));
  co_return answer(o, 201);
}

asio::awaitable<response> replace_event(const program_context* ctx, request r) {
  auto event_id = r.params["event"];
  auto who = co_await ctx->auth->require(r, event_id, rooms::action::edit_program,
                                         "Only the event's organizers may edit its program.");
  if (auto* refused = std::get_if<response>(&who)) co_return std::move(*refused);
  auto body = body_object(r);
  if (!body) co_return net::json_error(errc::bad_request, "Send the event as a JSON object.");
  if (auto* id = body->if_contains("id"); id && !(id->is_string() && id->as_string() == event_id))
    co_return net::json_error(errc::bad_request, "The body's \"id\" must be \"" + event_id + "\" (or absent).");
  (*body)["id"] = event_id;
  json::value v = std::move(*body);
  // The body's sequence numbers are ignored: they are the server's (live_program::publish).
  auto edit = [v](const std::optional<program::event>&) { return from_json(v); };
  co_return answer(co_await ctx->live->publish(event_id, false, std::move(edit), who_of(std::get<principal>(who), r)));
}

asio::awaitable<response> patch_session(const program_context* ctx, request r) {
  auto event_id = r.params["event"], session_id = r.params["session"];
  auto who = co_await ctx->auth->require(r, event_id, rooms::action::edit_program,
                                         "Only the event's organizers may edit its program.");
  if (auto* refused = std::get_if<response>(&who)) co_return std::move(*refused);
  auto body = body_object(r);
  if (!body) co_return net::json_error(errc::bad_request, "Send the session's changes as a JSON object.");
  std::vector<std::string> unknown;
  for (auto& [k, _] : *body) {
    bool known = k == "cancelled";
    for (auto& [name, column] : patchable) known = known || k == name;
    if (!known) unknown.push_back(std::string(k) + ": is not a field of a session that can be changed");
  }
  if (auto* c = body->if_contains("cancelled"); c && !c->is_bool())
    unknown.push_back("cancelled: expected true or false");
  if (!unknown.empty()) {
    publish_outcome bad;
    bad.error = errc::program_invalid;
    bad.message = "The change names fields a session does not have: nothing was stored.";
    bad.problems = std::move(unknown);
    co_return invalid(bad);
  }
  json::object changes = std::move(*body);
  auto edit = [changes, session_id](const std::optional<program::event>& current) {
    edit_result out;
    auto v = program::to_json(*current);
    auto* s = find_session(v.as_object()["sessions"].as_array(), session_id);
    if (!s) {
      out.error = errc::no_such_session;
      out.message = "No session \"" + session_id + "\" in this event.";
      return out;
    }
    for (auto& [k, value] : changes)
      for (auto& [name, column] : patchable)
        if (k == name) (*s)[column] = value;
    if (auto* c = changes.if_contains("cancelled")) (*s)["cancelled"] = *c;
    return from_json(v);
  };
  co_return answer(co_await ctx->live->publish(event_id, false, std::move(edit), who_of(std::get<principal>(who), r)));
}

asio::awaitable<response> add_session(const program_context* ctx, request r) {
  auto event_id = r.params["event"];
  auto who = co_await ctx->auth->require(r, event_id, rooms::action::edit_program,
                                         "Only the event's organizers may edit its program.");
  if (auto* refused = std::get_if<response>(&who)) co_return std::move(*refused);
  auto body = body_object(r);
  if (!body) co_return net::json_error(errc::bad_request, "Send the session as a JSON object.");
  // Copied before it is inserted: operator[] may move the object's elements, `room` among them.
  if (auto* room = body->if_contains("room"); room && !body->contains("room_id")) {
    json::value room_id = *room;
    (*body)["room_id"] = std::move(room_id);
  }
  body->erase("room");
  body->erase("sequence");
  json::object session = std::move(*body);
  auto edit = [session](const std::optional<program::event>& current) {
    auto v = program::to_json(*current);
    v.as_object()["sessions"].as_array().push_back(session);
    return from_json(v);
  };
  co_return answer(co_await ctx->live->publish(event_id, false, std::move(edit), who_of(std::get<principal>(who), r)),
                   201);
}

asio::awaitable<response> delete_session(const program_context* ctx, request r) {
  auto event_id = r.params["event"], session_id = r.params["session"];
  auto who = co_await ctx->auth->require(r, event_id, rooms::action::edit_program,
                                         "Only the event's organizers may edit its program.");
  if (auto* refused = std::get_if<response>(&who)) co_return std::move(*refused);
  auto edit = [session_id](const std::optional<program::event>& current) {
    edit_result out;
    auto v = program::to_json(*current);
    auto& sessions = v.as_object()["sessions"].as_array();
    auto* s = find_session(sessions, session_id);
    if (!s) {
      out.error = errc::no_such_session;
      out.message = "No session \"" + session_id + "\" in this event.";
      return out;
    }
    for (auto it = sessions.begin(); it != sessions.end(); ++it)
      if (&it->as_object() == s) {
        sessions.erase(it);
        break;
      }
    return from_json(v);
  };
  co_return answer(co_await ctx->live->publish(event_id, false, std::move(edit), who_of(std::get<principal>(who), r)));
}

json::object summary_json(const program::version_summary& s) {
  boost::system::error_code ec;
  auto changes = json::parse(s.changes_json, ec);
  return json::object{{"version", s.version},
                      {"published_at", program::utc_iso(s.published_at_s)},
                      {"actor", json::object{{"id", s.actor}, {"name", s.actor_name}}},
                      {"changes", ec ? json::value(json::array{}) : std::move(changes)}};
}

asio::awaitable<response> list_versions(const program_context* ctx, request r) {
  auto event_id = r.params["event"];
  auto who = co_await ctx->auth->require(r, event_id, rooms::action::edit_program,
                                         "Only the event's organizers may read the program's history.");
  if (auto* refused = std::get_if<response>(&who)) co_return std::move(*refused);
  auto* live = ctx->live;
  auto* versions = ctx->versions;
  auto fetch = [live, versions, event_id]() -> std::optional<std::vector<program::version_summary>> {
    if (!live->load(event_id)) return std::nullopt;
    return versions->list(event_id);
  };  // named: GCC 12
  auto list = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!list) co_return net::json_error(errc::not_found, "No event with id \"" + event_id + "\".");
  json::array arr;
  for (auto& s : *list) arr.push_back(summary_json(s));
  co_return net::json_response(json::serialize(json::object{{"event", event_id}, {"versions", std::move(arr)}}));
}

asio::awaitable<response> one_version(const program_context* ctx, request r) {
  auto event_id = r.params["event"];
  auto who = co_await ctx->auth->require(r, event_id, rooms::action::edit_program,
                                         "Only the event's organizers may read the program's history.");
  if (auto* refused = std::get_if<response>(&who)) co_return std::move(*refused);
  int n = 0;
  try {
    std::size_t used = 0;
    n = std::stoi(r.params["n"], &used);
    if (used != r.params["n"].size()) n = 0;
  } catch (const std::exception&) {
    n = 0;
  }
  if (n < 1) co_return net::json_error(errc::no_such_version, "A version is a number from 1.");
  auto* versions = ctx->versions;
  auto fetch = [versions, event_id, n] { return versions->get(event_id, n); };  // named: GCC 12
  auto rec = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!rec) co_return net::json_error(errc::no_such_version, "Event \"" + event_id + "\" has no version " + std::to_string(n) + ".");
  auto out = summary_json(rec->summary);
  boost::system::error_code ec;
  out["event"] = json::parse(rec->snapshot_json, ec);
  if (ec) co_return net::json_error(errc::internal);
  co_return net::json_response(json::serialize(out));
}

asio::awaitable<response> now_next(const program_context* ctx, request r) {
  auto event_id = r.params["event"];
  auto rooms = co_await ctx->live->now(event_id);
  if (!rooms) co_return net::json_error(errc::not_found, "No event with id \"" + event_id + "\".");
  co_return net::json_response(json::serialize(json::object{
      {"event", event_id}, {"at", program::utc_iso(ctx->live->clock_now())}, {"rooms", std::move(*rooms)}}));
}

asio::awaitable<response> get_event(const program_context* ctx, request r) {
  auto id = r.params["id"];
  auto* live = ctx->live;
  auto fetch = [live, id] { return live->load(id); };  // named: GCC 12
  auto st = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!st) co_return net::json_error(errc::not_found, "No event with id \"" + id + "\".");
  co_return net::json_response(json::serialize(marked_event_json(st->first, st->current, st->version)));
}

}  // namespace

void register_program_routes(net::router& routes, const program_context& ctx) {
  routes.add("POST", "/api/v1/events", "api_event_create", with(&ctx, create_event));
  routes.add("PUT", "/api/v1/events/{event}", "api_event_replace", with(&ctx, replace_event));
  routes.add("POST", "/api/v1/events/{event}/sessions", "api_session_add", with(&ctx, add_session));
  routes.add("PATCH", "/api/v1/events/{event}/sessions/{session}", "api_session_patch", with(&ctx, patch_session));
  routes.add("DELETE", "/api/v1/events/{event}/sessions/{session}", "api_session_delete", with(&ctx, delete_session));
  routes.add("GET", "/api/v1/events/{event}/program/versions", "api_program_versions", with(&ctx, list_versions));
  routes.add("GET", "/api/v1/events/{event}/program/versions/{n}", "api_program_version", with(&ctx, one_version));
  routes.add("GET", "/api/v1/events/{event}/now", "api_now_next", with(&ctx, now_next));
}

net::handler event_handler(const program_context& ctx) { return with(&ctx, get_event); }

}  // namespace samling::api
