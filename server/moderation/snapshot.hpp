#pragma once
// Moderation's part of a join ack's `qa` object (docs/protocol.md, join): the room's chat
// settings in "settings" for everyone, and "moderation" (muted, banned, words, held) for staff.
// The server's snapshot_fn builds qa::snapshot and passes it through this (on the store's
// thread, in order with the room's operations). No I/O besides the stores.
#include <boost/json/object.hpp>

#include "moderation/moderation_store.hpp"
#include "rooms/chat_store.hpp"
#include "rooms/room_log.hpp"

namespace samling::moderation {

// Adds "slow_mode_seconds" and "locked" to qa["settings"] (made when missing), and, when
// env.staff, qa["moderation"] = staff_snapshot(…, env.now_ms).
void extend_snapshot(boost::json::object& qa, moderation_store& store, rooms::chat_store& chat,
                     const rooms::op_env& env);

}  // namespace samling::moderation
