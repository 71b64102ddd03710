#include "api/projector_routes.hpp"

#include <chrono>
#include <optional>
#include <variant>

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "api/staff_sessions.hpp"
#include "projector/kiosk.hpp"
#include "projector/qr.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;
using net::no_store;

namespace {

std::int64_t now_of(const projector_context* ctx) {
  if (ctx->now_ms) return ctx->now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A kiosk link that is not there (404) or no longer valid (410).
response kiosk_unknown() { return net::json_error(errc::kiosk_unknown, "No such kiosk link."); }
response kiosk_revoked() {
  return net::json_error(errc::kiosk_revoked, "This kiosk link was revoked; ask the moderator for a new one.");
}

response no_content() {
  response r;
  r.status = 204;
  return r;
}

// Whether the event and its room exist: an error response when not.
enum class room_check { ok, no_event, no_room };
room_check check_room(program::program_store& program, const std::string& event, const std::string& room) {
  auto e = program.find_event(event);
  if (!e) return room_check::no_event;
  for (auto& r : e->rooms)
    if (r.id == room) return room_check::ok;
  return room_check::no_room;
}
std::optional<response> room_refusal(room_check c, const std::string& event, const std::string& room) {
  if (c == room_check::no_event) return net::json_error(errc::no_such_event, "No event \"" + event + "\".");
  if (c == room_check::no_room) return net::json_error(errc::no_such_room, "No room \"" + room + "\" in this event.");
  return std::nullopt;
}

json::object link_json(const projector::kiosk_link& l, const std::string& base) {
  json::object o;
  o["id"] = l.id;
  o["url"] = projector::projector_url(base, l.id);
  o["event"] = l.event_id;
  o["room"] = l.room_id;
  o["created"] = l.created_ms;
  o["created_by"] = l.created_by;
  if (l.revoked_ms)
    o["revoked"] = *l.revoked_ms;
  else
    o["revoked"] = nullptr;
  return o;
}

auth::audit_entry audit_of(const principal& who, const request& r, std::string event, std::string action,
                           std::string target, std::int64_t now_ms) {
  // Never the link id itself in the log: it is the link's secret. The kiosk's user id (its
  // first 8 characters) names it, as the connections' logs do.
  return auth::audit_entry{.at_ms = now_ms,
                           .actor = who.user_id,
                           .actor_name = who.name.empty() ? who.email : who.name,
                           .event_id = std::move(event),
                           .action = std::move(action),
                           .target = std::move(target),
                           .detail = {},
                           .remote = client_address(r.remote)};
}

// GET /api/v1/events/{event}/rooms/{room}/qr.svg (public): the QR code of the room's Q&A page.
asio::awaitable<response> get_qr(const projector_context* ctx, request r) {
  const std::string event = r.params["event"], room = r.params["room"];
  auto* program = ctx->program;
  auto look = [program, event, room] { return check_room(*program, event, room); };  // named: GCC 12
  auto found = co_await core::run_blocking(*ctx->db_pool, std::move(look));
  if (auto refusal = room_refusal(found, event, room)) co_return std::move(*refusal);
  response out;
  out.content_type = "image/svg+xml";
  out.body = projector::qr_svg(projector::qa_url(request_base(ctx->public_url, r), event, room));
  out.headers.emplace_back("Cache-Control", "public, max-age=300");
  // Without server.public_url the target follows the Host the client used.
  if (ctx->public_url.empty()) out.headers.emplace_back("Vary", "Host");
  co_return out;
}

// POST /api/v1/events/{event}/rooms/{room}/kiosk-links (manage_kiosk)
asio::awaitable<response> create_link(const projector_context* ctx, request r) {
  const std::string event = r.params["event"], room = r.params["room"];
  auto who = co_await ctx->auth->require(r, event, rooms::action::manage_kiosk, "Only the event's moderators and organizers may make kiosk links.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto& caller = std::get<principal>(who);
  projector::kiosk_link link;
  link.id = projector::new_kiosk_id();
  link.event_id = event;
  link.room_id = room;
  link.created_by = caller.user_id;
  link.created_ms = now_of(ctx);
  auto entry = audit_of(caller, r, event, "kiosk.created", projector::kiosk_user_id(link.id) + " " + room,
                        link.created_ms);
  auto* program = ctx->program;
  auto* kiosks = ctx->kiosks;
  auto* audit = ctx->audit;
  auto make = [program, kiosks, audit, link, entry] {
    auto c = check_room(*program, link.event_id, link.room_id);
    if (c != room_check::ok) return c;
    kiosks->insert(link);
    if (audit) audit->record(entry);
    return c;
  };  // named: GCC 12
  auto made = co_await core::run_blocking(*ctx->db_pool, std::move(make));
  if (auto refusal = room_refusal(made, event, room)) co_return std::move(*refusal);
  co_return no_store(net::json_response(json::serialize(link_json(link, request_base(ctx->public_url, r))), 201));
}

// GET /api/v1/events/{event}/kiosk-links (manage_kiosk)
asio::awaitable<response> list_links(const projector_context* ctx, request r) {
  const std::string event = r.params["event"];
  auto who = co_await ctx->auth->require(r, event, rooms::action::manage_kiosk, "Only the event's moderators and organizers may see its kiosk links.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto* kiosks = ctx->kiosks;
  auto fetch = [kiosks, event] { return kiosks->list(event); };  // named: GCC 12
  auto links = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  const auto base = request_base(ctx->public_url, r);
  json::array arr;
  for (auto& l : links) arr.push_back(link_json(l, base));
  co_return no_store(net::json_response(json::serialize(json::object{{"links", std::move(arr)}})));
}

// DELETE /api/v1/events/{event}/kiosk-links/{id} (manage_kiosk): revoked, and the kiosk's open
// connections closed with 4011.
asio::awaitable<response> revoke_link(const projector_context* ctx, request r) {
  const std::string event = r.params["event"], id = r.params["id"];
  auto who = co_await ctx->auth->require(r, event, rooms::action::manage_kiosk, "Only the event's moderators and organizers may revoke kiosk links.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  if (!projector::valid_kiosk_id(id)) co_return kiosk_unknown();
  const auto now = now_of(ctx);
  auto entry = audit_of(std::get<principal>(who), r, event, "kiosk.revoked", projector::kiosk_user_id(id), now);
  auto* kiosks = ctx->kiosks;
  auto* audit = ctx->audit;
  auto drop = [kiosks, audit, event, id, now, entry] {
    auto before = kiosks->find(id);
    if (!before || before->event_id != event) return false;
    kiosks->revoke(event, id, now);
    if (audit && !before->revoked_ms) {
      auto e = entry;
      e.target += " " + before->room_id;
      audit->record(e);
    }
    return true;
  };  // named: GCC 12
  if (!co_await core::run_blocking(*ctx->db_pool, std::move(drop))) co_return kiosk_unknown();
  // After the store says revoked: a kiosk's hello that reads the link from now on is refused,
  // and those already in are closed here.
  if (ctx->close_kiosk) ctx->close_kiosk(event, projector::kiosk_user_id(id));
  co_return no_content();
}

// GET /api/v1/kiosk/{id} (public: the id is the secret): what the projector page shows.
asio::awaitable<response> get_kiosk(const projector_context* ctx, request r) {
  const std::string id = r.params["id"];
  if (!projector::valid_kiosk_id(id)) co_return kiosk_unknown();
  auto* kiosks = ctx->kiosks;
  auto fetch = [kiosks, id] { return kiosks->find(id); };  // named: GCC 12
  auto link = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!link) co_return kiosk_unknown();
  if (link->revoked_ms) co_return kiosk_revoked();
  json::object o;
  o["event"] = link->event_id;
  o["room"] = link->room_id;
  o["user"] = projector::kiosk_user_id(link->id);
  o["qa_url"] = projector::qa_url(request_base(ctx->public_url, r), link->event_id, link->room_id);
  o["qr"] = "/api/v1/events/" + link->event_id + "/rooms/" + link->room_id + "/qr.svg";
  co_return no_store(net::json_response(json::serialize(o)));
}

}  // namespace

std::string request_base(const std::string& public_url, const net::request& r) {
  if (!public_url.empty()) return projector::trim_base(public_url);
  auto host = r.header("host");
  return "http://" + std::string(host.empty() ? std::string_view("localhost") : host);
}

void register_projector_routes(net::router& routes, const projector_context& ctx) {
  routes.add("GET", "/api/v1/events/{event}/rooms/{room}/qr.svg", "api_room_qr", with(&ctx, get_qr));
  routes.add("POST", "/api/v1/events/{event}/rooms/{room}/kiosk-links", "api_kiosk_create", with(&ctx, create_link));
  routes.add("GET", "/api/v1/events/{event}/kiosk-links", "api_kiosk_list", with(&ctx, list_links));
  routes.add("DELETE", "/api/v1/events/{event}/kiosk-links/{id}", "api_kiosk_revoke", with(&ctx, revoke_link));
  routes.add("GET", "/api/v1/kiosk/{id}", "api_kiosk_get", with(&ctx, get_kiosk));
}

}  // namespace samling::api
