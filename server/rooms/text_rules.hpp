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

// The form in which two display names are compared (docs/protocol.md, hello: name_taken):
// trimmed as above, every inner run of blanks one space, lower-cased. Lower-casing covers
// ASCII, Latin-1 and Latin Extended-A (å ä ö, š ž and the other letters of Swedish, Finnish
// and the Sami languages), Greek and Cyrillic; other characters are compared as they are.
// "  Anna   SVENSSON " and "anna svensson" have the same key.
std::string name_key(const std::string& name);

// Whether a guest name presents its bearer as staff (docs/protocol.md, hello: name_reserved):
// its key, after an optional leading "@", is a staff word of en, sv or fi, or starts with one.
// A long word (8 letters or more: moderator, järjestäjä, ...) counts as a prefix of anything
// ("Moderatorn"); a short one (admin, staff, press, ...) only as a whole first word
// ("Press Anna", "admin2"), so ordinary names such as "Staffan" or "Pressley" stay free.
bool is_staff_name(const std::string& name);

}  // namespace samling::rooms
