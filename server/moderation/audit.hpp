#pragma once
// The moderation log's side of room operations (rooms/room_log.hpp, op_env::audit): the record
// an op's env makes, and the function the server binds as room_services::audit. No I/O besides
// the store.
#include <functional>
#include <string_view>

#include "moderation/moderation_store.hpp"
#include "rooms/room_log.hpp"

namespace samling::moderation {

// Who (env.actor), when (env.now_ms), where (env.event_id, env.room), what and why.
log_record audit_record(const rooms::op_env& env, std::string_view action, std::string_view target,
                        std::string_view reason);

// room_services::audit for a server: each call writes audit_record(...) through `store` (on
// the store's thread, inside the op's savepoint, as every op runs). `store` must outlive it.
std::function<void(const rooms::op_env&, std::string_view, std::string_view, std::string_view)>
audit_to(moderation_store& store);

}  // namespace samling::moderation
