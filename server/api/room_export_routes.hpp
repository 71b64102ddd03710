#pragma once
// A room's record after a session and the event's moderation side over HTTP (docs/api.md, "Q&A,
// moderation and the projector"): the room's export as JSON and CSV (questions with votes and
// status, chat, poll results: export_room), the event's moderation log (moderate_chat, JSON or
// CSV) and its Q&A settings (names_to_moderators: read by staff, changed by organizers).
// Handlers read the stores only on db_pool (core::run_blocking).
#include <cstdint>
#include <functional>

#include "api/http_auth.hpp"
#include "auth/audit_log.hpp"
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "program/model.hpp"
#include "rooms/chat_store.hpp"

namespace samling::qa {
class qa_store;
}
namespace samling::moderation {
class moderation_store;
}

namespace samling::api {

struct room_export_context {
  program::program_store* program = nullptr;          // used only on db_pool: the event, its zone, its rooms
  rooms::chat_store* chat = nullptr;                  // used only on db_pool
  qa::qa_store* qa = nullptr;                         // used only on db_pool
  moderation::moderation_store* moderation = nullptr; // used only on db_pool
  auth::audit_log* audit = nullptr;                   // used only on db_pool; null: not recorded
  core::blocking_pool* db_pool = nullptr;
  const http_auth* auth = nullptr;
  // Milliseconds since the epoch; empty: the system clock.
  std::function<std::int64_t()> now_ms;
};

// Registers the routes. `ctx` must outlive the router.
void register_room_export_routes(net::router& routes, const room_export_context& ctx);

}  // namespace samling::api
