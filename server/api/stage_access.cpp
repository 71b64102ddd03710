#include "api/stage_access.hpp"

#include <chrono>
#include <string_view>
#include <variant>

namespace samling::api {

using core::errc;

namespace {

std::string query_param(const std::string& query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    auto amp = query.find('&', pos);
    std::string_view part(query.data() + pos, (amp == std::string::npos ? query.size() : amp) - pos);
    if (part.substr(0, name.size()) == name && part.size() > name.size() && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));  // tokens are base64url: nothing to decode
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

caller identify(const stages_context& ctx, const net::request& r) {
  caller c;
  std::string token;
  auto h = r.header("authorization");
  if (h.size() > 7 && (h.substr(0, 7) == "Bearer " || h.substr(0, 7) == "bearer ")) token = std::string(h.substr(7));
  else token = query_param(r.query, "token");
  if (token.empty() || !ctx.keys) return c;
  auto v = ctx.keys->verify(token, now_s());
  if (auto* cl = std::get_if<auth::claims>(&v)) c.claims = *cl;
  else c.error = errc::unauthorized;
  return c;
}

std::optional<net::response> require_organizer(const stages_context& ctx, const net::request& r, const std::string& id) {
  if (!ctx.engine) return net::json_error(errc::media_disabled, "");
  if (!ctx.board->exists(id)) return net::json_error(errc::no_such_stage, "No stage \"" + id + "\".");
  auto c = identify(ctx, r);
  if (!c.claims) return net::json_error(errc::unauthorized, c.error == errc::ok ? "" : "The token does not verify.");
  if (!c.organizer_of(ctx.board->event_of(id)))
    return net::json_error(errc::forbidden, "Only the event's organizers may change its stages.");
  return std::nullopt;
}

}  // namespace samling::api
