#include "api/ws_handler.hpp"

#include <chrono>

#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "api/ids.hpp"
#include "api/stages_api.hpp"
#include "core/log.hpp"
#include "rooms/frames.hpp"
#include "rooms/permissions.hpp"
#include "rooms/text_rules.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using rooms::error_frame;
using rooms::json_string;

namespace {

bool is_malformed(errc e) { return e == errc::bad_json || e == errc::bad_message || e == errc::unknown_type; }

class ws_session final : public net::ws_handler, public std::enable_shared_from_this<ws_session> {
 public:
  ws_session(net::ws_context ctx, ws_settings settings, ws_services services)
      : ctx_(std::move(ctx)), settings_(settings), services_(services),
        hello_timer_(ctx_.strand, settings.hello_timeout) {}

  void start() {
    hello_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->member_) return;
      self->ctx_.sink->close(core::ws_close::hello_timeout);
    });
  }

  asio::awaitable<void> on_text(std::string text) override {
    // Every request gets its one reply even when the store fails underneath (a room or an
    // event could not be read): `unavailable`, and the connection stays open.
    std::string id_json = "null";
    try {
      co_await handle(std::move(text), id_json);
    } catch (const std::exception& e) {
      core::log(core::log_level::error, "ws_request_failed", {{"remote", ctx_.remote}, {"error", e.what()}});
      reply_error(id_json, errc::unavailable);
    }
  }

  // Parses and dispatches one request; sets `id_json` as soon as the request's id is known.
  asio::awaitable<void> handle(std::string text, std::string& id_json) {
    boost::system::error_code ec;
    auto parsed = json::parse(text, ec);
    if (ec || !parsed.is_object()) {
      reply_error("null", errc::bad_json, ec ? "The frame is not valid JSON: " + ec.message() + "."
                                              : "The frame must be a JSON object.");
      co_return;
    }
    auto& req = parsed.as_object();
    if (auto* id = req.if_contains("id"); id && id->is_string() && !id->as_string().empty() &&
                                          id->as_string().size() <= 64) {
      id_json = json::serialize(*id);
    } else if (id && id->is_int64()) {
      id_json = json::serialize(*id);
    } else {
      reply_error("null", errc::bad_message, "\"id\" must be a string of 1-64 characters or an integer.");
      co_return;
    }
    auto* type = req.if_contains("type");
    if (!type || !type->is_string()) {
      reply_error(id_json, errc::bad_message, "\"type\" must be a string.");
      co_return;
    }
    std::string_view t = type->as_string();
    if (t == "hello") co_return co_await hello(id_json, req);
    if (t != "join" && t != "leave" && t != "post" && t != "members" && t != "ping" && t != "stages") {
      reply_error(id_json, errc::unknown_type, "Unknown request type \"" + std::string(t) + "\".");
      co_return;
    }
    if (!member_) {
      reply_error(id_json, errc::not_authenticated);
      co_return;
    }
    error_streak_ = 0;
    if (t == "ping") {
      ok(id_json, R"({"server_time":)" + std::to_string(rooms::now_ms()) + "}");
      co_return;
    }
    if (t == "stages") {
      // The stages' status, then a "stage" event whenever one changes. Moderators and
      // organizers of the event get the staff view (outputs, input, errors).
      bool staff = rooms::can(member_->user().role, rooms::action::see_stage_staff_view);
      if (!services_.stages) {
        ok(id_json, R"({"stages":[]})");
        co_return;
      }
      ok(id_json, services_.stages->list(staff, event_id_));
      services_.stages->watch(ctx_.sink, staff, event_id_);
      co_return;
    }
    auto room_key = string_field(req, "room", id_json);
    if (!room_key) co_return;
    if (t == "join") {
      std::optional<std::uint64_t> since;
      if (auto* s = req.if_contains("since"); s && !s->is_null()) {
        if (s->is_int64() && s->as_int64() >= 0) since = static_cast<std::uint64_t>(s->as_int64());
        else if (s->is_uint64()) since = s->as_uint64();
        else {
          reply_error(id_json, errc::bad_message, "\"since\" must be a non-negative integer.");
          co_return;
        }
      }
      co_return co_await join(id_json, *room_key, since);
    }
    if (t == "post") {
      auto text_field = string_field(req, "text", id_json);
      if (!text_field) co_return;
      auto client_id = string_field(req, "client_msg_id", id_json);
      if (!client_id) co_return;
      if (client_id->empty() || client_id->size() > 64) {
        reply_error(id_json, errc::bad_message, "\"client_msg_id\" must be 1-64 characters.");
        co_return;
      }
      co_return co_await post(id_json, *room_key, std::move(*text_field), std::move(*client_id));
    }
    if (t == "members" && !rooms::can(member_->user().role, rooms::action::see_member_lists)) {
      reply_error(id_json, errc::forbidden, "Only moderators and organizers see member lists.");
      co_return;
    }
    auto found = co_await services_.rooms->resolve(*room_key, event_id_);
    if (found.error != errc::ok) {
      reply_error(id_json, found.error);
      co_return;
    }
    if (t == "leave") found.found->leave(member_, id_json);
    else found.found->list_members(member_, id_json);
  }

  void on_closed() override {
    hello_timer_.cancel();
    if (member_) services_.rooms->remove_everywhere(member_);
  }

 private:
  asio::awaitable<void> hello(std::string id_json, const json::object& req) {
    if (member_) {
      reply_error(id_json, errc::already_authenticated);
      co_return;
    }
    auto event_id = string_field(req, "event", id_json);
    if (!event_id) co_return;
    auto* token = req.if_contains("token");
    auto* guest = req.if_contains("guest");
    if ((token == nullptr) == (guest == nullptr) || (token && !token->is_string()) ||
        (guest && !guest->is_object())) {
      reply_error(id_json, errc::bad_message, "hello needs either \"token\" (a string) or \"guest\" (an object).");
      co_return;
    }
    auto event = co_await services_.rooms->event(*event_id);
    if (!event) {
      reply_error(id_json, errc::no_such_event, "No event \"" + *event_id + "\".");
      co_return;
    }
    rooms::chat_user user;
    std::string guest_token;
    if (token) {
      auto now = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
      auto verified = services_.keys->verify(token->as_string(), now);
      if (auto* err = std::get_if<auth::token_error>(&verified)) {
        reply_error(id_json, *err == auth::token_error::expired       ? errc::token_expired
                             : *err == auth::token_error::unknown_key ? errc::token_unknown_key
                                                                      : errc::token_invalid);
        co_return;
      }
      auto& claims = std::get<auth::claims>(verified);
      if (claims.event != *event_id) {
        reply_error(id_json, errc::token_wrong_event);
        co_return;
      }
      user = {claims.user_id, claims.name, claims.role};
    } else {
      auto* name = guest->as_object().if_contains("name");
      if (!name || !name->is_string()) {
        reply_error(id_json, errc::bad_message, "\"guest.name\" must be a string.");
        co_return;
      }
      std::string display(name->as_string());
      if (auto e = rooms::check_name(display); e != errc::ok) {
        reply_error(id_json, e);
        co_return;
      }
      if (!event->any_guest_room) {
        reply_error(id_json, errc::guests_not_allowed);
        co_return;
      }
      user = {"g-" + random_hex(6), display, auth::role::guest};
      // A guest reconnects with this token and keeps its id, so a post re-sent after a
      // reconnect is still recognised by its client_msg_id.
      auth::claims c;
      c.user_id = user.id;
      c.name = user.name;
      c.event = *event_id;
      c.role = auth::role::guest;
      c.issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
      c.expires_at = c.issued_at + settings_.guest_token_ttl.count();
      guest_token = services_.keys->sign(c);
    }
    event_id_ = *event_id;
    auto sink = ctx_.sink;
    member_ = std::make_shared<rooms::member>(
        "s-" + random_hex(8), user, rooms::can(user.role, rooms::action::see_member_lists),
        [sink](std::shared_ptr<const std::string> f, std::string_view key, rooms::member::kind k) {
          if (k == rooms::member::kind::reply) sink->reply(std::move(f));
          else sink->send(std::move(f), key);
        });
    hello_timer_.cancel();
    error_streak_ = 0;
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.4g", settings_.rate_per_minute / 60.0);
    ok(id_json, R"({"session":)" + json_string(member_->session_id()) + R"(,"server_time":)" +
                    std::to_string(rooms::now_ms()) + R"(,"user":)" + rooms::user_json(user) +
                    R"(,"event":)" + json_string(event_id_) + R"(,"limits":{"text_max_chars":)" +
                    std::to_string(settings_.text_max_chars) + R"(,"rate_burst":)" +
                    std::to_string(static_cast<long long>(settings_.rate_burst)) +
                    R"(,"rate_per_second":)" + rate + R"(,"history":)" +
                    std::to_string(settings_.history) + "}" +
                    (guest_token.empty() ? "" : R"(,"token":)" + json_string(guest_token)) + "}");
    core::log(core::log_level::debug, "ws_hello",
              {{"remote", ctx_.remote}, {"user", user.id}, {"role", std::string(auth::to_string(user.role))},
               {"event", event_id_}});
  }

  asio::awaitable<void> join(std::string id_json, std::string key, std::optional<std::uint64_t> since) {
    auto found = co_await services_.rooms->resolve(key, event_id_);
    if (found.error != errc::ok) {
      reply_error(id_json, found.error);
      co_return;
    }
    auto& info = found.found->info();
    if (!rooms::can_join(member_->user().role, info.kind, info.guests)) {
      reply_error(id_json, errc::forbidden, "Your role may not join " + info.key + ".");
      co_return;
    }
    if (!member_->reserve(key, settings_.max_rooms_per_session)) {
      reply_error(id_json, errc::too_many_rooms);
      co_return;
    }
    found.found->join(member_, id_json, since);
  }

  asio::awaitable<void> post(std::string id_json, std::string key, std::string text, std::string client_id) {
    if (auto e = rooms::check_text(text, settings_.text_max_chars); e != errc::ok) {
      reply_error(id_json, e, e == errc::text_too_long
                                  ? "At most " + std::to_string(settings_.text_max_chars) + " characters."
                                  : std::string());
      co_return;
    }
    auto found = co_await services_.rooms->resolve(key, event_id_);
    if (found.error != errc::ok) {
      reply_error(id_json, found.error);
      co_return;
    }
    if (!rooms::can(member_->user().role, rooms::action::post)) {
      reply_error(id_json, errc::forbidden);
      co_return;
    }
    found.found->post(member_, id_json, std::move(text), std::move(client_id));
  }

  // A required string field; on a missing or wrong-typed one, replies bad_message naming it.
  std::optional<std::string> string_field(const json::object& req, std::string_view name,
                                          const std::string& id_json) {
    auto* v = req.if_contains(name);
    if (!v || !v->is_string()) {
      reply_error(id_json, errc::bad_message, "\"" + std::string(name) + "\" must be a string.");
      return std::nullopt;
    }
    return std::string(v->as_string());
  }

  void ok(const std::string& id_json, const std::string& result) {
    ctx_.sink->reply(rooms::ack_frame(id_json, result));
  }

  void reply_error(const std::string& id_json, errc e, std::string_view message = {}) {
    ctx_.sink->reply(error_frame(id_json, e, message));
    if (is_malformed(e) && ++error_streak_ > settings_.max_error_streak)
      ctx_.sink->close(core::ws_close::too_many_errors);
  }

  net::ws_context ctx_;
  const ws_settings settings_;
  const ws_services services_;
  asio::steady_timer hello_timer_;
  std::shared_ptr<rooms::member> member_;  // set by a successful hello
  std::string event_id_;
  int error_streak_ = 0;
};

}  // namespace

net::ws_handler_factory make_ws_handler_factory(ws_settings settings, ws_services services) {
  return [settings, services](net::ws_context ctx) -> std::shared_ptr<net::ws_handler> {
    auto session = std::make_shared<ws_session>(std::move(ctx), settings, services);
    session->start();
    return session;
  };
}

const std::vector<std::string>& server_message_types() {
  static const std::vector<std::string> types{"ack", "error", "message", "presence", "stage"};
  return types;
}

}  // namespace samling::api
