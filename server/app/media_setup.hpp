#pragma once
// Wiring between the configuration, the program and the media engine: stage specs from
// [[stages]] (with the event's name for the slate and the room's sessions for the recording).
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "media/recording_plan.hpp"
#include "media/stage_spec.hpp"
#include "program/model.hpp"

namespace samling::app {

// The stage specs for `cfg.stages`; `events` fills in the default event and the slate title.
// Problems (as "stages[0].…: …") go to `errors`.
std::vector<media::stage_spec> stage_specs(const config::config& cfg, const std::vector<program::event>& events,
                                           std::vector<std::string>& errors);

// media.relay_ca_file, when set: rtmps:// destinations trust its CAs as well as the system's
// (through <media.dir>/relay-trust.pem). Call before a stage starts. What went wrong, or nothing.
std::optional<std::string> install_relay_trust(const config::config& cfg);

// The sessions in `room` of `e` as UTC times, titled in the event's first language. Converts
// event-local times with the event's time zone (switches TZ briefly: call before threads run).
std::vector<media::session_slot> room_schedule(const program::event& e, const std::string& room);

}  // namespace samling::app
