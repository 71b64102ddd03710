#pragma once
// The stages' API (docs/protocol.md, Stages): status for everyone (GET /api/v1/stages, …/{id}),
// and the organizer's actions: start and stop a stage, add, stop, start and remove a
// destination, the pipeline graph. Actions run on the media control thread. Also registers
// recording_routes and live_routes: register_stage_routes is all the app calls.
#include "api/stages_context.hpp"
#include "net/router.hpp"

namespace samling::api {

void register_stage_routes(net::router& routes, stages_context& ctx);

}  // namespace samling::api
