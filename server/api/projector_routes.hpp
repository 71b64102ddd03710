#pragma once
// The projector's HTTP side (docs/api.md, "Q&A, moderation and the projector"): a room's QR code
// (public), kiosk links (create, list, revoke: manage_kiosk), a kiosk link's lookup (public:
// the projector page opens with it, no sign-in) and the event's Q&A settings. Handlers never
// touch the store on a network thread: they await core::run_blocking.
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "api/http_auth.hpp"
#include "auth/audit_log.hpp"
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "program/model.hpp"
#include "projector/kiosk_store.hpp"

namespace samling::api {

struct projector_context {
  program::program_store* program = nullptr;  // used only on db_pool (does the room exist)
  projector::kiosk_store* kiosks = nullptr;   // used only on db_pool
  auth::audit_log* audit = nullptr;           // used only on db_pool; null: not recorded
  core::blocking_pool* db_pool = nullptr;
  const http_auth* auth = nullptr;
  // server.public_url without a trailing '/'; empty: "http://" + the request's Host header.
  std::string public_url;
  // Closes every connection of `user_id` ("kiosk-…") in `event_id` with close code 4011
  // (rooms::room_registry::close_user); empty: nothing to close (unit tests).
  std::function<void(const std::string& event_id, const std::string& user_id)> close_kiosk;
  // Milliseconds since the epoch; empty: the system clock (tests pass their own).
  std::function<std::int64_t()> now_ms;
};

// Registers the routes. `ctx` must outlive the router.
void register_projector_routes(net::router& routes, const projector_context& ctx);

// The base URL of links the server hands out for `r`: `public_url` when set, else
// "http://" + Host (a request without Host: "http://localhost").
std::string request_base(const std::string& public_url, const net::request& r);

}  // namespace samling::api
