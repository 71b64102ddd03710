#pragma once
// Demo content: on first start with an empty database, the server seeds the event described
// in a JSON data file under config/demo/.
#include <string>
#include <vector>

#include "program/model.hpp"

namespace samling::program {

// Reads and validates the demo event file. Throws std::runtime_error naming the file and
// the problems when it cannot be read, parsed or validated.
event load_demo_event(const std::string& path);

// Seeds `store` with the demo event when it holds no event yet. Returns true when it seeded.
bool seed_demo_if_empty(program_store& store, const std::string& path);

}  // namespace samling::program
