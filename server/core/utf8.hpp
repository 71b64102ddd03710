#pragma once
// UTF-8 checks shared by the command line and the account rules (the WebSocket's own
// incremental validator is net/ws_frame's; the log's repair is core/log's).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace samling::core {

// The number of code points in `s` if it is valid UTF-8 (shortest forms, no surrogates, at
// most U+10FFFF); nullopt otherwise.
std::optional<std::size_t> utf8_length(std::string_view s);

// Whether `s` holds an ASCII control character (U+0000..U+001F or U+007F).
bool has_control(std::string_view s);

// The rules of a form's text field (registration, press accreditation):
// `s` without ASCII white space (space, tab, CR, LF) at either end, what a field picks up by accident.
std::string trim_space(std::string_view s);
// Whether `s` holds a control character other than a line break or a tab (free text of several lines).
bool has_control_except_lines(std::string_view s);
// What is wrong with a text field: not UTF-8, control characters (line breaks allowed if
// `multiline`), fewer than `min` or more than `max` code points. Said after the field's name
// ("is required"), or nothing.
std::optional<std::string> text_field_problem(std::string_view s, std::size_t min, std::size_t max, bool multiline);

}  // namespace samling::core
