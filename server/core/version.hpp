#pragma once
#include <string_view>

namespace samling::core {
// The release version, from CMake's project(VERSION).
std::string_view version();
}  // namespace samling::core
