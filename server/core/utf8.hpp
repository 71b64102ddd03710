#pragma once
// UTF-8 checks shared by the command line and the account rules (the WebSocket's own
// incremental validator is net/ws_frame's; the log's repair is core/log's).
#include <cstddef>
#include <optional>
#include <string_view>

namespace samling::core {

// The number of code points in `s` if it is valid UTF-8 (shortest forms, no surrogates, at
// most U+10FFFF); nullopt otherwise.
std::optional<std::size_t> utf8_length(std::string_view s);

// Whether `s` holds an ASCII control character (U+0000..U+001F or U+007F).
bool has_control(std::string_view s);

}  // namespace samling::core
