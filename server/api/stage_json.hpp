#pragma once
// A stage's status as JSON (docs/protocol.md, Stages), in a public and a staff view: `full`
// (moderators, organizers) adds input, outputs, mode, recording. Stream keys appear only
// masked, passphrases not at all. Built with Boost.JSON; tests/integration/media_api_test.cpp
// pins the fields and their order.
#include <cstddef>
#include <string>

#include <boost/json/object.hpp>

#include "media/status.hpp"
#include "press/access.hpp"

namespace samling::api {

// A stage's own rule from its status (issue 18): its visibility (an unknown one: press, failing
// closed) and public_at; `public = false` with visibility "public" (a status built in code
// with the old flag only) is press.
press::access_rule rule_of(const media::stage_status& s);

// Both views carry "public" (the configured rule is public), "visibility" (its level) and
// "public_at" (UTC seconds of an embargo's end, null for none).
// `viewers`: distinct HLS clients of the stage in the last 30 s (api/hls_viewers.hpp), in
// both views.
boost::json::object stage_object(const media::stage_status& s, bool full, std::size_t viewers);
std::string stage_json(const media::stage_status& s, bool full, std::size_t viewers);
std::string output_json(const media::output_status& o);

}  // namespace samling::api
