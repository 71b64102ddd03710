#pragma once
// The wire names of the moderate request's actions (docs/protocol.md, moderate), which are
// also the `action` of `moderation` events and of the moderation log. "premoderation" is a
// moderate action on the wire but a Q&A setting (qa::set_premoderation): not in this enum.
#include <optional>
#include <string_view>

#include "moderation/ops.hpp"

namespace samling::moderation {

std::string_view to_string(moderate_action a);
// nullopt for a name that is not one of moderate_action's (also for "premoderation").
std::optional<moderate_action> action_from_string(std::string_view name);

}  // namespace samling::moderation
