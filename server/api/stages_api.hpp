#pragma once
// Kept only so that ws_handler.cpp, which includes this name for the stage board, builds until
// the protocol work merges; then its include becomes "api/stage_board.hpp" and this goes. The
// stages' API is split by concept: stage_board, stage_json, stage_routes, recording_routes,
// live_routes (with live_cache), stages_context.
#include "api/stage_board.hpp"
