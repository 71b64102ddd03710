#pragma once
// Who calls a stage route, and the organizer check the stages' routes share (the role checks
// of docs/protocol.md, Stages). Internal to the stages' routes.
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "api/http_auth.hpp"
#include "api/stages_context.hpp"
#include "auth/token.hpp"
#include "net/router.hpp"
#include "rooms/permissions.hpp"

namespace samling::api {

// The caller: a join token ("Authorization: Bearer TOKEN", or "?token=TOKEN" on GET for
// download links) or a signed-in staff member's session (its cookie, with the CSRF header on a
// change), through the server's one http_auth; roles are per event.
struct caller {
  std::optional<principal> who;
  core::errc error = core::errc::ok;
  std::string message;  // why the credentials do not hold
  // The stages' staff view (rooms/permissions.hpp) of `event`'s stages.
  bool staff_of(const std::string& event) const {
    return who && who->can(event, rooms::action::see_stage_staff_view);
  }
  // Starting, stopping and changing `event`'s stages.
  bool organizer_of(const std::string& event) const {
    return who && who->can(event, rooms::action::control_stages);
  }
};

// `r` must outlive the await.
boost::asio::awaitable<caller> identify(const stages_context& ctx, const net::request& r);

// Common prelude of the organizer's actions: media on, the stage exists, an organizer of its
// event. Returns an error response, or nullopt to go on.
boost::asio::awaitable<std::optional<net::response>> require_organizer(const stages_context& ctx,
                                                                       const net::request& r, const std::string& id);

// Runs `fn(stage_control&)` on the media control thread; fn returns the response. The board
// is updated at once, so a GET right after the answer sees the change.
template <typename Fn>
boost::asio::awaitable<net::response> on_stage(const stages_context& ctx, std::string id, Fn fn) {
  auto* engine = ctx.engine;
  auto* board = ctx.board;
  auto work = [engine, board, id, fn]() -> net::response {
    auto* s = engine->find(id);
    if (!s) return net::json_error(core::errc::no_such_stage, "No stage \"" + id + "\".");
    auto r = fn(*s);
    board->update(s->status());
    return r;
  };
  co_return co_await core::run_blocking(engine->control(), std::move(work));
}

}  // namespace samling::api
