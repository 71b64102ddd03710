#pragma once
// The organizer's program routes (docs/api.md, "Program editing and versions"): create and
// replace events, add, change and delete sessions, each publishing one version through the
// live program; the versions' history; now and next per room; and the event's JSON with the
// live program's marks (version, change, was).
#include "api/http_auth.hpp"
#include "api/live_program.hpp"
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "program/program_versions.hpp"

namespace samling::api {

struct program_context {
  live_program* live = nullptr;                        // set before the server starts
  const http_auth* auth = nullptr;
  core::blocking_pool* db_pool = nullptr;
  program::program_versions_store* versions = nullptr;  // used only on db_pool
};

// Registers every route of the list above but GET /api/v1/events/{id} (see event_handler).
// `ctx` must outlive the router.
void register_program_routes(net::router& routes, const program_context& ctx);

// GET /api/v1/events/{id} with the marks: api_context::event_handler, so routes.cpp keeps the
// route's place and name.
net::handler event_handler(const program_context& ctx);

}  // namespace samling::api
