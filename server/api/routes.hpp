#pragma once
// The JSON API under /api/v1/ and the operational routes (/healthz, /readyz, /metrics).
// Handlers never touch the store on a network thread: they await core::run_blocking.
#include <functional>

#include "auth/token.hpp"
#include "core/blocking.hpp"
#include "metrics/registry.hpp"
#include "net/router.hpp"
#include "program/model.hpp"
#include "rooms/registry.hpp"

namespace samling::api {

struct api_context {
  program::program_store* program = nullptr;  // used only on db_pool
  core::blocking_pool* db_pool = nullptr;
  metrics::registry* metrics = nullptr;
  std::function<bool()> store_ping;   // runs on db_pool: the store answers
  std::function<bool()> stopping;     // shutdown has begun
  // POST /api/v1/dev/token (auth.dev_tokens): mints join tokens for the demo and tests.
  const auth::keyring* dev_token_keys = nullptr;  // null: the route does not exist
  std::int64_t token_ttl_seconds = 43200;
  std::function<std::string()> extra_metrics;  // more Prometheus text (the stages)
  // GET /api/v1/events/{event}/rooms/members and samling_room_members; null: no rooms
  // (the route answers unknown_event, the metric is absent).
  rooms::room_registry* rooms = nullptr;
  // GET /api/v1/events/{id} with the live program's marks (api/program_routes.hpp); empty: the
  // stored event as it is.
  net::handler event_handler;
};

// samling_room_members{event,room}: distinct users joined to each room that has come to life.
std::string room_metrics_text(const rooms::room_registry& rooms);

// Registers every route. `ctx` must outlive the router.
void register_routes(net::router& routes, const api_context& ctx);

// Process figures for /metrics (RSS, CPU seconds, open fds, start time), read from /proc.
std::string process_metrics_text();

}  // namespace samling::api
