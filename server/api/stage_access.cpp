#include "api/stage_access.hpp"


namespace samling::api {

using core::errc;

boost::asio::awaitable<caller> identify(const stages_context& ctx, const net::request& r) {
  // Without the server's http_auth (a test's context), tokens only.
  const http_auth tokens_only(ctx.keys);
  const http_auth& auth = ctx.auth ? *ctx.auth : tokens_only;
  auto id = co_await auth.identify(r);
  caller c;
  c.who = std::move(id.who);
  c.error = id.error;
  c.message = std::move(id.message);
  co_return c;
}

boost::asio::awaitable<std::optional<net::response>> require_organizer(const stages_context& ctx,
                                                                       const net::request& r, const std::string& id) {
  if (!ctx.engine) co_return net::json_error(errc::media_disabled, "");
  if (!ctx.board->exists(id)) co_return net::json_error(errc::no_such_stage, "No stage \"" + id + "\".");
  auto c = co_await identify(ctx, r);
  if (c.error != errc::ok) co_return net::json_error(c.error, c.message);
  if (!c.who) co_return net::json_error(errc::unauthorized, "");
  if (!c.organizer_of(ctx.board->event_of(id)))
    co_return net::json_error(errc::forbidden, "Only the event's organizers may change its stages.");
  co_return std::nullopt;
}

}  // namespace samling::api
