#pragma once
// Guests have no lasting identity: each connection gets a fresh "g-…" id (docs/protocol.md,
// hello). A ban or mute of a guest would end with their connection, so it also holds for
// guests who come back under the same name, compared as rooms::name_key compares names
// ("  anna  SVENSSON" is "Anna Svensson"). Signed-in users are matched by id only. No I/O
// besides the store.
#include <cstdint>
#include <optional>
#include <string>

#include "moderation/moderation_store.hpp"

namespace samling::moderation {

// Whether a guest ban of this event carries this name (hello refuses such a guest: banned).
bool is_banned_guest_name(moderation_store& store, const std::string& event_id, const std::string& name);

// The running guest mute of this event under this name at now_ms, if any.
std::optional<mute_record> guest_mute_for_name(moderation_store& store, const std::string& event_id,
                                               const std::string& name, std::int64_t now_ms);

}  // namespace samling::moderation
