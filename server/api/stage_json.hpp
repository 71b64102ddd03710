#pragma once
// A stage's status as JSON (docs/protocol.md, Stages), in a public and a staff view: `full`
// (moderators, organizers) adds input, outputs, mode, recording. Stream keys appear only
// masked, passphrases not at all. Built with Boost.JSON; tests/integration/media_api_test.cpp
// pins the fields and their order.
#include <cstddef>
#include <string>

#include <boost/json/object.hpp>

#include "media/status.hpp"

namespace samling::api {

// `viewers`: distinct HLS clients of the stage in the last 30 s (api/hls_viewers.hpp), in
// both views.
boost::json::object stage_object(const media::stage_status& s, bool full, std::size_t viewers);
std::string stage_json(const media::stage_status& s, bool full, std::size_t viewers);
std::string output_json(const media::output_status& o);

}  // namespace samling::api
