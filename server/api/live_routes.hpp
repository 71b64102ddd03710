#pragma once
// /live/<stage>/<file>: the stages' HLS (playlist and segments) for players, from the folders
// media writes (media/layout.hpp), through the context's live_cache. A stage public at this
// moment: everyone, as is; any other stage through the gate of api/press_gate.hpp (grants,
// tokens, staff sessions on the playlist; viewer tokens on the segments).
#include <string>

#include "api/stages_context.hpp"
#include "net/router.hpp"

namespace samling::api {

void register_live_routes(net::router& routes, stages_context& ctx);

// Drops what /live/ keeps of a stage's HLS, so a stop or a new run shows at once.
void forget_live(stages_context& ctx, const std::string& stage);

}  // namespace samling::api
