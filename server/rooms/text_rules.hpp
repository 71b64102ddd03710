#pragma once
// The rules for chat text and display names (docs/protocol.md, post and hello).
#include <cstddef>
#include <string>

#include "core/errors.hpp"

namespace samling::rooms {

// Trims surrounding blanks in place (Unicode White_Space, zero-width space, BOM), then checks: not empty (text_empty), at most
// `max_chars` code points (text_too_long), no control characters other than line feed and tab
// (text_invalid). The input is valid UTF-8 (the JSON parser guarantees it). Returns errc::ok
// when the text may be posted.
core::errc check_text(std::string& text, std::size_t max_chars);

// A guest's display name: trimmed the same way, 1..60 code points, no control characters.
core::errc check_name(std::string& name);

// Number of Unicode code points in valid UTF-8.
std::size_t code_points(const std::string& s);

}  // namespace samling::rooms
