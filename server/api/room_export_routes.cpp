#include "api/room_export_routes.hpp"

#include <chrono>
#include <optional>
#include <variant>

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "api/room_export.hpp"
#include "api/staff_sessions.hpp"
#include "program/program_json.hpp"
#include "moderation/moderation_store.hpp"
#include "qa/qa_store.hpp"
#include "qa/views.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;
using net::no_store;

namespace {

std::int64_t now_of(const room_export_context* ctx) {
  if (ctx->now_ms) return ctx->now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

response csv_download(std::string body, const std::string& filename) {
  response r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  return no_store(std::move(r));
}

// Everything a room's export shows, read in one job on the store's thread (which also runs
// every write, so the parts agree with each other).
struct room_record {
  bool event_found = false;
  bool room_found = false;
  bool session_found = true;   // false: ?session= names no session of this room
  std::optional<json::object> session;  // the session the export is limited to
  std::int64_t from_ms = 0, until_ms = INT64_MAX;  // what is kept: created in [from_ms, until_ms)
  std::string zone;
  bool names_to_moderators = false;
  std::vector<qa::question> questions;
  std::vector<std::vector<std::string>> voters;  // per question: user ids in the order they voted
  std::vector<qa::poll> polls;
  std::vector<rooms::chat_message> chat;
};

// A session's part of its room's record: what was asked, posted and polled from the end of the
// room's previous session (questions sent in during the break belong to the next talk) until
// this session's end. Sets out.session_found = false when the room has no such session.
void limit_to_session(const program::event& e, const std::string& room_id, const std::string& session_id,
                      room_record& out) {
  const program::session* found = nullptr;
  for (auto& s : e.sessions)
    if (s.id == session_id && s.room_id == room_id) found = &s;
  auto starts = found ? program::starts_utc(e, *found) : std::nullopt;
  auto ends = found ? program::ends_utc(e, *found) : std::nullopt;
  if (!starts || !ends) {
    out.session_found = false;
    return;
  }
  std::int64_t from = 0;
  for (auto& s : e.sessions) {
    if (s.room_id != room_id || s.id == session_id || s.cancelled) continue;
    auto end = program::ends_utc(e, s);
    if (end && *end <= *starts && *end > from) from = *end;
  }
  out.from_ms = from * 1000;
  out.until_ms = *ends * 1000;
  out.session = json::object{{"id", found->id},
                             {"title", program::to_json(found->title)},
                             {"starts", *starts * 1000},
                             {"ends", *ends * 1000},
                             {"from", out.from_ms}};
}

room_record read_room(const room_export_context* ctx, const std::string& event, const std::string& room_id,
                      const std::string& session_id) {
  room_record out;
  auto e = ctx->program->find_event(event);
  if (!e) return out;
  out.event_found = true;
  out.zone = e->timezone;
  for (auto& r : e->rooms)
    if (r.id == room_id) out.room_found = true;
  if (!out.room_found) return out;
  if (!session_id.empty()) {
    limit_to_session(*e, room_id, session_id, out);
    if (!out.session_found) return out;
  }
  auto within = [&out](std::int64_t ms) { return ms >= out.from_ms && ms < out.until_ms; };
  const std::string room = event + "/" + room_id;
  out.names_to_moderators = ctx->qa->names_to_moderators(event);
  for (auto& q : ctx->qa->questions(room))
    if (within(q.created_ms)) {
      out.voters.push_back(ctx->qa->voters(q.id));
      out.questions.push_back(std::move(q));
    }
  for (auto& p : ctx->qa->polls(room))
    if (within(p.created_ms)) out.polls.push_back(std::move(p));
  for (auto& m : ctx->chat->messages(room))
    if (within(m.ts_ms)) out.chat.push_back(std::move(m));
  return out;
}

std::optional<response> record_refusal(const room_record& rec, const std::string& event, const std::string& room) {
  if (!rec.event_found) return net::json_error(errc::no_such_event, "No event \"" + event + "\".");
  if (!rec.room_found) return net::json_error(errc::no_such_room, "No room \"" + room + "\" in this event.");
  if (!rec.session_found) return net::json_error(errc::not_found, "No such session in this room.");
  return std::nullopt;
}

// A chat message as the `message` event shows it (docs/protocol.md).
json::object message_json(const rooms::chat_message& m) {
  return json::object{{"type", "message"},
                      {"room", m.room},
                      {"seq", m.seq},
                      {"ts", m.ts_ms},
                      {"user", json::object{{"id", m.user.id}, {"name", m.user.name}, {"role", auth::to_string(m.user.role)}}},
                      {"text", m.text}};
}

asio::awaitable<std::variant<room_record, response>> staff_read(const room_export_context* ctx, const request& r,
                                                                const std::string& event, const std::string& room) {
  auto who = co_await ctx->auth->require(r, event, rooms::action::export_room, "Only the event's moderators and organizers may export a room.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  const std::string session = net::query_param(r.query, "session");
  auto read = [ctx, event, room, session] { return read_room(ctx, event, room, session); };  // named: GCC 12
  auto rec = co_await core::run_blocking(*ctx->db_pool, std::move(read));
  if (auto refusal = record_refusal(rec, event, room)) co_return std::move(*refusal);
  co_return rec;
}

// GET /api/v1/events/{event}/rooms/{room}/export.json (export_room)
asio::awaitable<response> export_json(const room_export_context* ctx, request r) {
  const std::string event = r.params["event"], room = r.params["room"];
  auto got = co_await staff_read(ctx, r, event, room);
  if (auto* refusal = std::get_if<response>(&got)) co_return std::move(*refusal);
  auto& rec = std::get<room_record>(got);
  json::array questions, polls, chat;
  for (std::size_t i = 0; i < rec.questions.size(); ++i) {
    auto o = qa::to_json(rec.questions[i], qa::view::staff, rec.names_to_moderators);
    // Who is counted in "votes" (a merge's voters once), for an organizer checking the count.
    json::array ids;
    for (auto& id : rec.voters[i]) ids.push_back(json::value(id));
    o["voters"] = std::move(ids);
    questions.push_back(std::move(o));
  }
  for (auto& p : rec.polls) polls.push_back(qa::to_json(p, qa::view::staff));
  for (auto& m : rec.chat) chat.push_back(message_json(m));
  json::object out{{"room", event + "/" + room},
                   {"exported", now_of(ctx)},
                   {"session", rec.session ? json::value(*rec.session) : json::value(nullptr)},
                   {"questions", std::move(questions)},
                   {"chat", std::move(chat)},
                   {"polls", std::move(polls)}};
  auto resp = net::json_response(json::serialize(out));
  resp.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + event + "-" + room + ".json\"");
  co_return no_store(std::move(resp));
}

// GET /api/v1/events/{event}/rooms/{room}/export/{file} (export_room): questions.csv, chat.csv, polls.csv
asio::awaitable<response> export_csv(const room_export_context* ctx, request r) {
  const std::string event = r.params["event"], room = r.params["room"], file = r.params["file"];
  if (file != "questions.csv" && file != "chat.csv" && file != "polls.csv")
    co_return net::json_error(errc::not_found, "The exports are questions.csv, chat.csv and polls.csv.");
  auto got = co_await staff_read(ctx, r, event, room);
  if (auto* refusal = std::get_if<response>(&got)) co_return std::move(*refusal);
  auto& rec = std::get<room_record>(got);
  const auto session = rec.session ? std::string(rec.session->at("id").as_string()) : std::string();
  const std::string name = event + "-" + room + (session.empty() ? "" : "-" + session) + "-" + file;
  if (file == "questions.csv")
    co_return csv_download(room_export::questions_csv(rec.questions, rec.names_to_moderators, rec.zone), name);
  if (file == "chat.csv") co_return csv_download(room_export::chat_csv(rec.chat, rec.zone), name);
  co_return csv_download(room_export::polls_csv(rec.polls, rec.zone), name);
}

json::object log_json(const moderation::log_record& l) {
  return json::object{{"id", l.id},
                      {"ts", l.ts_ms},
                      {"room", l.room},
                      {"actor", json::object{{"id", l.actor_id}, {"name", l.actor_name}, {"role", l.actor_role}}},
                      {"action", l.action},
                      {"target", l.target},
                      {"reason", l.reason}};
}

// GET /api/v1/events/{event}/moderation-log[?format=csv] (moderate_chat)
asio::awaitable<response> moderation_log(const room_export_context* ctx, request r) {
  const std::string event = r.params["event"];
  auto who = co_await ctx->auth->require(r, event, rooms::action::moderate_chat,
                                         "Only the event's moderators and organizers may read its moderation log.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  struct log_read {
    std::optional<std::string> zone;
    std::vector<moderation::log_record> entries;
  };
  auto read = [ctx, event] {
    log_read out;
    if (auto e = ctx->program->find_event(event)) {
      out.zone = e->timezone;
      out.entries = ctx->moderation->log_entries(event);
    }
    return out;
  };  // named: GCC 12
  auto got = co_await core::run_blocking(*ctx->db_pool, std::move(read));
  if (!got.zone) co_return net::json_error(errc::no_such_event, "No event \"" + event + "\".");
  if (net::query_param(r.query, "format") == "csv") {
    std::vector<std::vector<std::string>> rows{
        {"id", "time", "room", "actor_id", "actor_name", "actor_role", "action", "target", "reason"}};
    for (auto& l : got.entries)
      rows.push_back({std::to_string(l.id), room_export::local_time(l.ts_ms, *got.zone), l.room, l.actor_id,
                      l.actor_name, l.actor_role, l.action, l.target, l.reason});
    co_return csv_download(room_export::csv(rows), event + "-moderation-log.csv");
  }
  json::array arr;
  for (auto& l : got.entries) arr.push_back(log_json(l));
  co_return no_store(net::json_response(json::serialize(json::object{{"entries", std::move(arr)}})));
}

// GET /api/v1/events/{event}/qa-settings (staff)
asio::awaitable<response> get_settings(const room_export_context* ctx, request r) {
  const std::string event = r.params["event"];
  auto who = co_await ctx->auth->require(r, event, rooms::action::moderate_qa,
                                         "Only the event's moderators and organizers may see its Q&A settings.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto read = [ctx, event]() -> std::optional<bool> {
    if (!ctx->program->find_event(event)) return std::nullopt;
    return ctx->qa->names_to_moderators(event);
  };  // named: GCC 12
  auto names = co_await core::run_blocking(*ctx->db_pool, std::move(read));
  if (!names) co_return net::json_error(errc::no_such_event, "No event \"" + event + "\".");
  co_return no_store(net::json_response(json::serialize(json::object{{"names_to_moderators", *names}})));
}

// PUT /api/v1/events/{event}/qa-settings (edit_program: organizers)
asio::awaitable<response> put_settings(const room_export_context* ctx, request r) {
  const std::string event = r.params["event"];
  auto who = co_await ctx->auth->require(r, event, rooms::action::edit_program,
                                         "Only the event's organizers may change its Q&A settings.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  boost::system::error_code ec;
  auto body = json::parse(r.body, ec);
  const json::value* flag = (!ec && body.is_object()) ? body.as_object().if_contains("names_to_moderators") : nullptr;
  if (!flag || !flag->is_bool())
    co_return net::json_error(errc::bad_request, "Send {\"names_to_moderators\": true|false}.");
  const bool names = flag->as_bool();
  auto& caller = std::get<principal>(who);
  auth::audit_entry entry{.at_ms = now_of(ctx),
                          .actor = caller.user_id,
                          .actor_name = caller.name.empty() ? caller.email : caller.name,
                          .event_id = event,
                          .action = "qa.settings",
                          .target = event,
                          .detail = std::string("names_to_moderators=") + (names ? "true" : "false"),
                          .remote = client_address(r.remote)};
  auto write = [ctx, event, names, entry] {
    if (!ctx->program->find_event(event)) return false;
    ctx->qa->set_names_to_moderators(event, names);
    if (ctx->audit) ctx->audit->record(entry);
    return true;
  };  // named: GCC 12
  if (!co_await core::run_blocking(*ctx->db_pool, std::move(write)))
    co_return net::json_error(errc::no_such_event, "No event \"" + event + "\".");
  co_return no_store(net::json_response(json::serialize(json::object{{"names_to_moderators", names}})));
}

}  // namespace

void register_room_export_routes(net::router& routes, const room_export_context& ctx) {
  routes.add("GET", "/api/v1/events/{event}/rooms/{room}/export.json", "api_room_export", with(&ctx, export_json));
  routes.add("GET", "/api/v1/events/{event}/rooms/{room}/export/{file}", "api_room_export_csv", with(&ctx, export_csv));
  routes.add("GET", "/api/v1/events/{event}/moderation-log", "api_moderation_log", with(&ctx, moderation_log));
  routes.add("GET", "/api/v1/events/{event}/qa-settings", "api_qa_settings", with(&ctx, get_settings));
  routes.add("PUT", "/api/v1/events/{event}/qa-settings", "api_qa_settings_put", with(&ctx, put_settings));
}

}  // namespace samling::api
