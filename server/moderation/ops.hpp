#pragma once
// Chat moderation of an event's rooms (docs/protocol.md, "Moderation"): delete and release
// messages, mute, ban, slow mode, lock, the event's word list, and the moderation log. The
// operations run on the store's thread inside a room op's savepoint (rooms/room_log.hpp); the
// API layer binds them. No I/O besides the stores.
#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "rooms/chat_store.hpp"
#include "rooms/room_log.hpp"

namespace samling::moderation {

class moderation_store;  // moderation/moderation_store.hpp

enum class moderate_action {
  delete_message, release_message, mute, unmute, ban, unban, slow_mode, lock, unlock, words
};
struct moderate_args {
  moderate_action action = moderate_action::delete_message;
  std::uint64_t seq = 0;        // delete_message, release_message
  std::string user_id;          // mute, unmute, ban, unban
  std::string user_name;        // optional, for the lists (else the name from the chat, else the id)
  std::int64_t seconds = 0;     // mute (> 0), slow_mode (0 = off)
  std::string reason;
  std::vector<std::string> words;  // words: the event's whole list, replaced
};
rooms::op_outcome moderate(moderation_store& store, rooms::chat_store& chat, rooms::op_env& env,
                           const moderate_args& a);

// Before a chat post is stored: banned, muted (retry_after_ms), room_locked, slow_mode
// (retry_after_ms), or held by the word list. Staff pass every check.
rooms::post_verdict gate_post(moderation_store& store, const rooms::chat_message& m, bool staff);

// Whether the user is banned from the event (hello refuses them).
bool is_banned(moderation_store& store, const std::string& event_id, const std::string& user_id);

// The room's chat settings for every member: {"slow_mode_seconds":N,"locked":bool}.
boost::json::object room_settings(moderation_store& store, const std::string& room);
// What moderators see in a join ack: {"muted":[…],"banned":[…],"words":[…],"held":[…]}.
boost::json::object staff_snapshot(moderation_store& store, rooms::chat_store& chat,
                                   const std::string& event_id, const std::string& room);
// The same at a given time (env.now_ms; the overload above reads the clock): "muted" lists the
// mutes still running at now_ms.
boost::json::object staff_snapshot(moderation_store& store, rooms::chat_store& chat,
                                   const std::string& event_id, const std::string& room,
                                   std::int64_t now_ms);

}  // namespace samling::moderation
