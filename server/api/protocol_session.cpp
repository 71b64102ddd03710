#include "api/protocol_session.hpp"

#include <array>
#include <chrono>
#include <limits>
#include <optional>

#include <boost/asio/steady_timer.hpp>

#include "api/http_auth.hpp"
#include "api/ids.hpp"
#include "api/press_context.hpp"
#include "api/program_board.hpp"
#include "api/room_ops.hpp"
#include "api/staff_sessions.hpp"
#include "api/stage_board.hpp"
#include "core/log.hpp"
#include "moderation/guests.hpp"
#include "moderation/ops.hpp"
#include "press/grant.hpp"
#include "press/registry.hpp"
#include "projector/kiosk_store.hpp"
#include "protocol/frames.hpp"
#include "protocol/requests.hpp"
#include "rooms/permissions.hpp"
#include "rooms/text_rules.hpp"
#include "rooms/visibility.hpp"

namespace samling::api {

namespace asio = boost::asio;
using core::errc;

namespace {

bool is_malformed(errc e) { return e == errc::bad_json || e == errc::bad_message || e == errc::unknown_type; }

protocol::user_ref user_ref(const rooms::chat_user& u) { return {u.id, u.name, u.role}; }

class protocol_session;

// How a session runs one request type: what the role needs (checked after decoding, before
// the handler; join's rule depends on the room's kind and is checked by its handler), and the
// handler.
struct route {
  std::size_t index;                   // the protocol::request_body alternative it runs
  std::optional<rooms::action> needs;  // refused with forbidden when the role may not
  std::string_view refusal;            // forbidden's message; empty: the default
  asio::awaitable<void> (*run)(protocol_session& s, std::string id_json, protocol::request_body body);
};

// One connection's protocol state: who it is after hello (its rooms::member), its event, the
// hello timer and the streak of malformed requests. Runs on the connection's strand; owned by
// the connection (the shared_ptr the factory hands it).
class protocol_session final : public net::ws_handler,
                               public std::enable_shared_from_this<protocol_session> {
 public:
  protocol_session(net::ws_context ctx, protocol_settings settings, protocol_services services)
      : ctx_(std::move(ctx)), settings_(settings), services_(services),
        hello_timer_(ctx_.strand, settings.hello_timeout) {
    // The upgrade request lives only during this call: keep what a staff hello needs of it.
    if (ctx_.upgrade && services_.staff) {
      staff_cookie_ = session_cookie(ctx_.upgrade->header("cookie"));
      user_agent_ = std::string(ctx_.upgrade->header("user-agent"));
    }
    ctx_.upgrade = nullptr;
  }

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

  void on_closed() override {
    closed_ = true;
    hello_timer_.cancel();
    if (member_) {
      services_.rooms->signed_out(event_id_, member_->user());
      services_.rooms->disconnected(member_, event_id_);
      services_.rooms->remove_everywhere(member_);
    }
  }

 private:
  friend constexpr std::array<route, protocol::request_type_count> make_routes();

  template <typename Request, asio::awaitable<void> (protocol_session::*handler)(std::string, Request)>
  static constexpr route to(std::optional<rooms::action> needs = std::nullopt,
                            std::string_view refusal = {}) {
    return {protocol::request_index<Request>, needs, refusal,
            [](protocol_session& s, std::string id_json, protocol::request_body body) {
              return (s.*handler)(std::move(id_json), std::get<Request>(std::move(body)));
            }};
  }
  // Decodes and runs one request; sets `id_json` as soon as the request's id is known.
  asio::awaitable<void> handle(std::string text, std::string& id_json);

  // Whether the session's state admits a request of this type now; replies when not.
  bool admitted(const protocol::request_type& type, const std::string& id_json) {
    if (type.when == protocol::admits::before_hello) {
      if (!member_) return true;
      reply_error(id_json, errc::already_authenticated);
      return false;
    }
    if (!member_) {
      reply_error(id_json, errc::not_authenticated);
      return false;
    }
    error_streak_ = 0;
    return true;
  }

  asio::awaitable<void> hello(std::string id_json, protocol::hello_request req) {
    auto event = co_await services_.rooms->event(req.event);
    if (!event) {
      reply_error(id_json, errc::no_such_event, "No event \"" + req.event + "\".");
      co_return;
    }
    rooms::chat_user user;
    std::string guest_token;
    std::optional<press::grant> grant;  // a press grant's hello: kept on the session once admitted
    if (auto* token = std::get_if<protocol::hello_request::token_credential>(&req.credential)) {
      auto now = std::chrono::duration_cast<std::chrono::seconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
      auto verified = services_.keys->verify(token->token, now);
      if (auto* err = std::get_if<auth::token_error>(&verified)) {
        reply_error(id_json, *err == auth::token_error::expired       ? errc::token_expired
                             : *err == auth::token_error::unknown_key ? errc::token_unknown_key
                                                                      : errc::token_invalid);
        co_return;
      }
      auto& claims = std::get<auth::claims>(verified);
      if (claims.event != req.event) {
        reply_error(id_json, errc::token_wrong_event);
        co_return;
      }
      user = {claims.user_id, claims.name, claims.role};
    } else if (std::holds_alternative<protocol::hello_request::session_credential>(req.credential)) {
      // A signed-in staff member: the account's best role for this event (its roles on the
      // event and on every event), checked like a token's role from here on.
      if (staff_cookie_.empty()) {
        reply_error(id_json, errc::bad_message,
                    "hello needs \"token\" (a string), \"guest\" (an object), or a staff sign-in cookie.");
        co_return;
      }
      auto found = co_await services_.staff->resolve(staff_cookie_, user_agent_, ctx_.remote);
      if (!found.who) {
        reply_error(id_json, errc::not_authenticated, found.message);
        co_return;
      }
      principal p;
      for (auto& ar : found.who->roles) p.roles.push_back({ar.event_id, ar.r});
      auto roles = p.roles_in(req.event);
      if (roles.empty()) {
        reply_error(id_json, errc::token_wrong_event, "Your account has no role in this event.");
        co_return;
      }
      user = {found.who->account.id, found.who->account.display_name, roles.front()};
    } else if (auto* kiosk = std::get_if<protocol::hello_request::kiosk_credential>(&req.credential)) {
      // A projector: the link's room only, watching only (docs/protocol.md, Kiosk hello).
      std::optional<projector::kiosk_link> link;
      if (services_.kiosks && services_.db) {
        auto* kiosks = services_.kiosks;
        auto find = [kiosks, id = kiosk->id] { return kiosks->find(id); };  // named: GCC 12
        link = co_await core::run_blocking(*services_.db, std::move(find));
      }
      if (!link || link->event_id != req.event) {
        reply_error(id_json, errc::kiosk_unknown);
        co_return;
      }
      if (link->revoked_ms) {
        reply_error(id_json, errc::kiosk_revoked);
        co_return;
      }
      user = {"kiosk-" + kiosk->id.substr(0, 8), "Projector", auth::role::guest};
      kiosk_room_ = req.event + "/" + link->room_id;
    } else if (auto* link = std::get_if<protocol::hello_request::grant_credential>(&req.credential)) {
      // A press grant (docs/protocol.md, Press grant hello): the signature and the times, then
      // the event, then the revocations; all in memory (no database on a grant check).
      if (!services_.press || !services_.press->keys || !services_.press->registry) {
        // The server was started without the press module (no press context): it cannot tell a
        // good link from a bad one, so it does not say the link is bad.
        reply_error(id_json, errc::unavailable, "This server does not take press links.");
        co_return;
      }
      auto checked = press::verify_grant(link->token, *services_.press->keys, services_.press->now_seconds());
      if (auto* why = std::get_if<press::refusal>(&checked)) {
        reply_error(id_json, press::to_errc(*why));
        co_return;
      }
      auto& g = std::get<press::grant>(checked);
      if (g.event != req.event) {
        reply_error(id_json, errc::grant_wrong_stage, "This press link is for another event.");
        co_return;
      }
      if (services_.press->registry->is_revoked(g.id)) {
        reply_error(id_json, errc::grant_revoked);
        co_return;
      }
      // The grant id is the user id: revocation closes the sessions of that user (4012).
      user = {g.id, g.outlet.empty() ? g.name : g.name + " (" + g.outlet + ")", auth::role::press};
      grant = std::move(g);
    } else {
      auto& guest = std::get<protocol::hello_request::guest_credential>(req.credential);
      if (auto* bad = std::get_if<protocol::decode_error>(&guest.name)) {
        reply_error(id_json, bad->code, bad->message);
        co_return;
      }
      auto& display = std::get<std::string>(guest.name);
      if (auto e = rooms::check_name(display); e != errc::ok) {
        reply_error(id_json, e);
        co_return;
      }
      if (!event->any_guest_room) {
        reply_error(id_json, errc::guests_not_allowed);
        co_return;
      }
      // A guest may not pass for staff, nor for a signed-in participant of the event.
      if (rooms::is_staff_name(display)) {
        reply_error(id_json, errc::name_reserved);
        co_return;
      }
      if (co_await services_.rooms->name_taken(req.event, display)) {
        reply_error(id_json, errc::name_taken);
        co_return;
      }
      user = {"g-" + random_hex(6), display, auth::role::guest};
      // A guest reconnects with this token and keeps its id, so a post re-sent after a
      // reconnect is still recognised by its client_msg_id.
      auth::claims c;
      c.user_id = user.id;
      c.name = user.name;
      c.event = req.event;
      c.role = auth::role::guest;
      c.issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
      c.expires_at = c.issued_at + settings_.guest_token_ttl.count();
      guest_token = services_.keys->sign(c);
    }
    event_id_ = req.event;
    services_.rooms->signed_in(event_id_, user);  // a guest's name is not kept
    auto sink = ctx_.sink;
    member_ = std::make_shared<rooms::member>(
        "s-" + random_hex(8), user, rooms::can(user.role, rooms::action::see_member_lists),
        [sink](std::shared_ptr<const std::string> f, std::string_view key, rooms::member::kind k) {
          if (k == rooms::member::kind::reply) sink->reply(std::move(f));
          else sink->send(std::move(f), key);
        },
        [sink](core::ws_close code) { sink->close(code); }, !kiosk_room_.empty(), kiosk_room_);
    services_.rooms->connected(member_, event_id_);
    // Undoes the sign-in above when a check after it refuses the hello.
    auto refuse = [this, &id_json](errc e) {
      services_.rooms->signed_out(event_id_, member_->user());
      services_.rooms->disconnected(member_, event_id_);
      member_.reset();
      event_id_.clear();
      reply_error(id_json, e);
    };
    // A grant revoked while the checks above ran: registry::revoke marks it before it calls the
    // listener that closes the grant's sessions, so a revocation either shows here or finds
    // this session through close_user.
    if (grant && services_.press->registry->is_revoked(grant->id)) {
      refuse(errc::grant_revoked);
      co_return;
    }
    // A banned user (docs/protocol.md, moderate: ban) is refused whatever its credential; a
    // guest also by its name, since a guest gets a new id with each new hello. Staff are not
    // moderated (a ban recorded while they were offline does not lock them out). Checked after
    // connected(): a ban committed while this check runs closes the session through
    // close_user instead of missing it.
    if (kiosk_room_.empty() && !rooms::is_staff(user.role) && services_.moderation && services_.db) {
      auto* store = services_.moderation;
      bool guest = user.role == auth::role::guest;
      auto check = [store, event = req.event, id = user.id, name = user.name, guest] {
        return moderation::is_banned(*store, event, id) ||
               (guest && moderation::is_banned_guest_name(*store, event, name));
      };  // named: GCC 12
      bool banned = co_await core::run_blocking(*services_.db, std::move(check));
      if (closed_) co_return;  // the connection ended meanwhile: on_closed undid the sign-in
      if (banned) {
        refuse(errc::banned);
        co_return;
      }
    }
    if (grant) {
      grant_token_ = std::get<protocol::hello_request::grant_credential>(req.credential).token;
      grant_ = std::move(grant);
    }
    hello_timer_.cancel();
    error_streak_ = 0;
    ctx_.sink->reply(protocol::ack(id_json, protocol::hello_result{
                                                .session = member_->session_id(),
                                                .server_time = protocol::now_ms(),
                                                .user = user_ref(user),
                                                .event = event_id_,
                                                .text_max_chars = settings_.text_max_chars,
                                                .rate_burst = settings_.rate_burst,
                                                .rate_per_second = settings_.rate_per_minute / 60.0,
                                                .history = settings_.history,
                                                .token = guest_token,
                                            }));
    // The live program's events (program, now_next) go to every session of the event from
    // now on, whatever rooms it joins; after the ack, so none arrives before it.
    if (services_.programs) services_.programs->watch(ctx_.sink, event_id_);
    core::log(core::log_level::debug, "ws_hello",
              {{"remote", ctx_.remote}, {"user", user.id}, {"role", std::string(auth::to_string(user.role))},
               {"event", event_id_}});
  }

  asio::awaitable<void> join(std::string id_json, protocol::join_request req) {
    auto found = co_await services_.rooms->resolve(req.room, event_id_);
    if (found.error != errc::ok) {
      reply_error(id_json, found.error);
      co_return;
    }
    auto& info = found.found->info();
    if (!member_->only_room().empty() && info.key != member_->only_room()) {
      reply_error(id_json, errc::forbidden, "The projector view shows only its own room.");
      co_return;
    }
    if (auto refusal = room_access(info); refusal.code != errc::ok) {
      reply_error(id_json, refusal.code, refusal.message);
      co_return;
    }
    if (!rooms::can_join(member_->user().role, info.kind, info.guests)) {
      reply_error(id_json, errc::forbidden, "Your role may not join " + info.key + ".");
      co_return;
    }
    if (!member_->reserve(req.room, settings_.max_rooms_per_session)) {
      reply_error(id_json, errc::too_many_rooms);
      co_return;
    }
    found.found->join(member_, id_json, req.since);
  }

  // The room's visibility and a press grant's session's grant (issue 18; rooms/visibility.hpp).
  rooms::join_refusal room_access(const rooms::room_info& info) const {
    if (!services_.press || !services_.press->access) return {};
    rooms::grant_session g;
    if (grant_) g = {&*grant_, grant_token_, services_.press->registry, services_.press->keys};
    return rooms::check_join(*services_.press->access, info, member_->user().role, g,
                             services_.press->now_seconds());
  }

  asio::awaitable<void> leave(std::string id_json, protocol::leave_request req) {
    auto found = co_await services_.rooms->resolve(req.room, event_id_);
    if (found.error != errc::ok) {
      reply_error(id_json, found.error);
      co_return;
    }
    found.found->leave(member_, id_json);
  }

  asio::awaitable<void> post(std::string id_json, protocol::post_request req) {
    if (auto e = rooms::check_text(req.text, settings_.text_max_chars); e != errc::ok) {
      reply_error(id_json, e, e == errc::text_too_long
                                  ? "At most " + std::to_string(settings_.text_max_chars) + " characters."
                                  : std::string());
      co_return;
    }
    auto found = co_await services_.rooms->resolve(req.room, event_id_);
    if (found.error != errc::ok) {
      reply_error(id_json, found.error);
      co_return;
    }
    found.found->post(member_, id_json, std::move(req.text), std::move(req.client_msg_id));
  }

  asio::awaitable<void> members(std::string id_json, protocol::members_request req) {
    auto found = co_await services_.rooms->resolve(req.room, event_id_);
    if (found.error != errc::ok) {
      reply_error(id_json, found.error);
      co_return;
    }
    found.found->list_members(member_, id_json);
  }

  asio::awaitable<void> ping(std::string id_json, protocol::ping_request) {
    ctx_.sink->reply(protocol::ack(id_json, protocol::ping_result{protocol::now_ms()}));
    co_return;
  }

  // The stages' status, then a "stage" event whenever one changes. Moderators and organizers
  // of the event get the staff view (outputs, input, errors).
  asio::awaitable<void> stages(std::string id_json, protocol::stages_request) {
    if (!services_.stages) {
      ctx_.sink->reply(protocol::ack(id_json, protocol::stages_result{protocol::stage_list({})}));
      co_return;
    }
    bool staff = rooms::can(member_->user().role, rooms::action::see_stage_staff_view);
    auto list = services_.stages->list(staff, event_id_);
    ctx_.sink->reply(protocol::ack(id_json, protocol::stages_result{list}));
    services_.stages->watch(ctx_.sink, staff, event_id_);
    co_return;
  }

  // --- Q&A, polls and moderation (issue 17): bound to their operations (api/room_ops) and
  // run by the room (room::apply), which answers.

  room_op_stores op_stores() const {
    return {services_.qa, services_.moderation, services_.chat, settings_.question_max_chars};
  }

  // Hands `op` to the room `key` of the session's event; the room replies (not_in_room too).
  asio::awaitable<void> run_op(std::string id_json, std::string key, rooms::op_fn op,
                               bool rate_limited = false) {
    auto found = co_await services_.rooms->resolve(std::move(key), event_id_);
    if (found.error != errc::ok) {
      reply_error(id_json, found.error);
      co_return;
    }
    found.found->apply(member_, std::move(id_json), std::move(op), rate_limited);
  }

  // Whether the Q&A and moderation stores are wired; replies `unavailable` when not.
  bool ops_ready(const std::string& id_json) {
    if (services_.qa && services_.moderation && services_.chat) return true;
    reply_error(id_json, errc::unavailable);
    return false;
  }

  asio::awaitable<void> ask(std::string id_json, protocol::ask_request req) {
    if (!ops_ready(id_json)) co_return;
    if (req.hall && !rooms::can(member_->user().role, rooms::action::moderate_qa)) {
      reply_error(id_json, errc::forbidden, "Only moderators and organizers enter questions from the hall.");
      co_return;
    }
    // The question's own length limit (question_too_long) is the operation's.
    if (auto e = rooms::check_text(req.text, std::numeric_limits<std::size_t>::max()); e != errc::ok) {
      reply_error(id_json, e);
      co_return;
    }
    if (!req.name.empty()) {
      if (auto e = rooms::check_name(req.name); e != errc::ok) {
        reply_error(id_json, e);
        co_return;
      }
    }
    auto room = req.room;
    auto op = ask_op(op_stores(), std::move(req));  // named before co_await: GCC 12
    // A question shares the asker's post bucket: asking cannot flood the queue.
    co_await run_op(std::move(id_json), std::move(room), std::move(op), true);
  }

  asio::awaitable<void> vote(std::string id_json, protocol::vote_request req) {
    if (!ops_ready(id_json)) co_return;
    auto room = req.room;
    auto op = vote_op(op_stores(), std::move(req));  // named before co_await: GCC 12
    co_await run_op(std::move(id_json), std::move(room), std::move(op));
  }

  asio::awaitable<void> question(std::string id_json, protocol::question_request req) {
    if (!ops_ready(id_json)) co_return;
    if (req.action == protocol::question_verb::edit) {
      if (auto e = rooms::check_text(req.text, std::numeric_limits<std::size_t>::max()); e != errc::ok) {
        reply_error(id_json, e);
        co_return;
      }
    }
    auto room = req.room;
    auto op = question_op(op_stores(), std::move(req));  // named before co_await: GCC 12
    co_await run_op(std::move(id_json), std::move(room), std::move(op));
  }

  asio::awaitable<void> poll_create(std::string id_json, protocol::poll_create_request req) {
    if (!ops_ready(id_json)) co_return;
    auto room = req.room;
    auto op = poll_create_op(op_stores(), std::move(req));  // named before co_await: GCC 12
    co_await run_op(std::move(id_json), std::move(room), std::move(op));
  }

  asio::awaitable<void> poll(std::string id_json, protocol::poll_request req) {
    if (!ops_ready(id_json)) co_return;
    auto room = req.room;
    auto op = poll_op(op_stores(), std::move(req));  // named before co_await: GCC 12
    co_await run_op(std::move(id_json), std::move(room), std::move(op));
  }

  asio::awaitable<void> poll_vote(std::string id_json, protocol::poll_vote_request req) {
    if (!ops_ready(id_json)) co_return;
    auto room = req.room;
    auto op = poll_vote_op(op_stores(), std::move(req));  // named before co_await: GCC 12
    co_await run_op(std::move(id_json), std::move(room), std::move(op));
  }

  asio::awaitable<void> moderate(std::string id_json, protocol::moderate_request req) {
    if (!ops_ready(id_json)) co_return;
    // Pre-moderation is a Q&A setting: the moderate_qa right (the same roles today).
    if (req.action == protocol::moderate_verb::premoderation &&
        !rooms::can(member_->user().role, rooms::action::moderate_qa)) {
      reply_error(id_json, errc::forbidden);
      co_return;
    }
    // Mute and ban are for participants: a user connected to the event as staff is refused
    // here; moderation::moderate also refuses one who last posted as staff.
    if ((req.action == protocol::moderate_verb::mute || req.action == protocol::moderate_verb::ban) &&
        services_.rooms->connected_as_staff(event_id_, req.user)) {
      reply_error(id_json, errc::forbidden,
                  "Moderators and organizers cannot be muted or banned; an organizer removes a staff role in the console.");
      co_return;
    }
    auto room = req.room;
    auto op = moderate_op(op_stores(), std::move(req));  // named before co_await: GCC 12
    co_await run_op(std::move(id_json), std::move(room), std::move(op));
  }

  void reply_error(const std::string& id_json, errc e, std::string_view message = {}) {
    ctx_.sink->reply(protocol::error(id_json, e, message));
    if (is_malformed(e) && ++error_streak_ > settings_.max_error_streak)
      ctx_.sink->close(core::ws_close::too_many_errors);
  }

  net::ws_context ctx_;
  std::string staff_cookie_;  // the upgrade's samling_session cookie, if any
  std::string user_agent_;    // the upgrade's User-Agent (the session's browser binding)
  const protocol_settings settings_;
  const protocol_services services_;
  asio::steady_timer hello_timer_;
  std::shared_ptr<rooms::member> member_;  // set by a successful hello
  bool closed_ = false;                    // on_closed() has run
  std::string event_id_;
  std::string kiosk_room_;  // a projector's one room ("EVENT_ID/ROOM_ID"); empty: not a kiosk
  // A press grant's session (issue 18): the grant and its token, checked again at each join.
  std::optional<press::grant> grant_;
  std::string grant_token_;
  int error_streak_ = 0;
};

// The dispatch table: one route per request type, in protocol::request_body's order.
constexpr std::array<route, protocol::request_type_count> make_routes() {
  using rooms::action;
  using s = protocol_session;
  return {
      s::to<protocol::hello_request, &s::hello>(),
      s::to<protocol::join_request, &s::join>(),
      s::to<protocol::leave_request, &s::leave>(),
      s::to<protocol::post_request, &s::post>(action::post),
      s::to<protocol::members_request, &s::members>(
          action::see_member_lists, "Only moderators and organizers see member lists."),
      s::to<protocol::ping_request, &s::ping>(),
      s::to<protocol::stages_request, &s::stages>(),
      s::to<protocol::ask_request, &s::ask>(action::ask_question),
      s::to<protocol::vote_request, &s::vote>(action::vote),
      s::to<protocol::question_request, &s::question>(
          action::moderate_qa, "Only moderators and organizers act on questions."),
      s::to<protocol::poll_create_request, &s::poll_create>(
          action::manage_polls, "Only moderators and organizers make polls."),
      s::to<protocol::poll_request, &s::poll>(
          action::manage_polls, "Only moderators and organizers open and close polls."),
      s::to<protocol::poll_vote_request, &s::poll_vote>(action::vote),
      s::to<protocol::moderate_request, &s::moderate>(
          action::moderate_chat, "Only moderators and organizers moderate the chat."),
  };
}
constexpr auto routes = make_routes();
constexpr bool routes_in_order() {
  for (std::size_t i = 0; i < routes.size(); ++i)
    if (routes[i].index != i) return false;
  return true;
}
static_assert(routes_in_order(), "one route per request type, in protocol::request_body's order");

asio::awaitable<void> protocol_session::handle(std::string text, std::string& id_json) {
  auto decoded = protocol::decode_request(text);
  if (auto* bad = std::get_if<protocol::rejected>(&decoded)) {
    id_json = bad->id_json;
    // A request of a known type with wrong fields: hello first, then the field's error.
    if (!bad->type || admitted(*bad->type, id_json))
      reply_error(id_json, bad->error.code, bad->error.message);
    co_return;
  }
  auto& req = std::get<protocol::request>(decoded);
  id_json = req.id_json;
  if (!admitted(*req.type, id_json)) co_return;
  const route& r = routes[req.body.index()];
  if (r.needs && !rooms::can(member_->user().role, *r.needs)) {
    reply_error(id_json, errc::forbidden, r.refusal);
    co_return;
  }
  // A projector only watches: no action of the role table (post, ask, vote, …) is its own.
  if (r.needs && member_->read_only()) {
    reply_error(id_json, errc::forbidden, "The projector view only shows.");
    co_return;
  }
  co_await r.run(*this, id_json, std::move(req.body));
}

}  // namespace

net::ws_handler_factory make_protocol_session_factory(protocol_settings settings,
                                                      protocol_services services) {
  return [settings, services](net::ws_context ctx) -> std::shared_ptr<net::ws_handler> {
    auto session = std::make_shared<protocol_session>(std::move(ctx), settings, services);
    session->start();
    return session;
  };
}

}  // namespace samling::api
