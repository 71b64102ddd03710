#pragma once
// The stages' recordings for organizers: GET /api/v1/stages/{id}/recordings (the listing, with
// the chapters file's URL) and …/recordings/{name} (the download, sent from disk, with Range).
#include "api/stages_context.hpp"
#include "net/router.hpp"

namespace samling::api {

void register_recording_routes(net::router& routes, stages_context& ctx);

}  // namespace samling::api
