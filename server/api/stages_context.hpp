#pragma once
// What the stages' routes (stage_routes, recording_routes, live_routes) share: the engine's
// GStreamer-free face, the board, the keys, the file pool and the media folder layout, and
// /live/'s cache and viewer count. Owned by app::serve, outliving the router that points at it.
#include "api/hls_viewers.hpp"
#include "api/live_cache.hpp"
#include "api/stage_board.hpp"
#include "auth/token.hpp"
#include "core/blocking.hpp"
#include "media/engine.hpp"
#include "media/layout.hpp"

namespace samling::api {

class http_auth;
struct press_context;

struct stages_context {
  media::engine* engine = nullptr;       // null: media is off (routes answer media_disabled)
  stage_board* board = nullptr;
  const auth::keyring* keys = nullptr;
  core::blocking_pool* files = nullptr;  // reads HLS segments and recordings
  media::layout layout;                  // where the stages' files are (media.dir)
  live_cache live;                       // /live/'s open segments and playlists
  hls_viewers* viewers = nullptr;        // /live/ reports its clients here; null: not counted
  // Who calls (tokens and staff sessions); null: tokens only, verified with `keys`.
  const http_auth* auth = nullptr;
  // Grants, viewer tokens and the stages' access rules for /live/ (issue 18, api/press_gate.*);
  // null: every stage that is not public is refused.
  const press_context* press = nullptr;
};

}  // namespace samling::api
