#include "core/version.hpp"

namespace samling::core {
std::string_view version() { return SAMLING_VERSION; }
}  // namespace samling::core
