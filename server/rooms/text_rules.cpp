#include "rooms/text_rules.hpp"

#include <cstdint>

namespace samling::rooms {
namespace {

// Unicode White_Space that is not a control character (space, tab, CR, LF, no-break and
// typographic spaces, line and paragraph separators, ideographic space) and the invisible
// zero-width space and BOM: what a reader sees as nothing. Other controls (VT, FF, NEL) stay
// and are refused as text_invalid.
bool is_blank(std::uint32_t cp) {
  return cp == 0x09 || cp == 0x0A || cp == 0x0D || cp == 0x20 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

// The code point of valid UTF-8 starting at s[i], and its length in bytes.
std::uint32_t decode(const std::string& s, std::size_t i, std::size_t& len) {
  auto c = static_cast<unsigned char>(s[i]);
  len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
  std::uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// Removes blank code points (is_blank) from both ends.
void trim(std::string& s) {
  std::size_t b = 0, e = s.size(), len = 0;
  while (b < e && is_blank(decode(s, b, len))) b += len;
  while (e > b) {
    std::size_t start = e - 1;
    while (start > b && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    if (!is_blank(decode(s, start, len))) break;
    e = start;
  }
  s = s.substr(b, e - b);
}

// Visits each code point of valid UTF-8.
template <typename F>
void for_each_code_point(const std::string& s, F f) {
  for (std::size_t i = 0, len = 0; i < s.size(); i += len) f(decode(s, i, len));
}

bool is_control(std::uint32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F); }

}  // namespace

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for_each_code_point(s, [&](std::uint32_t) { ++n; });
  return n;
}

core::errc check_text(std::string& text, std::size_t max_chars) {
  trim(text);
  if (text.empty()) return core::errc::text_empty;
  bool invalid = false;
  std::size_t n = 0;
  for_each_code_point(text, [&](std::uint32_t cp) {
    ++n;
    if (is_control(cp) && cp != '\n' && cp != '\t') invalid = true;
  });
  if (invalid) return core::errc::text_invalid;
  if (n > max_chars) return core::errc::text_too_long;
  return core::errc::ok;
}

core::errc check_name(std::string& name) {
  trim(name);
  bool invalid = false;
  std::size_t n = 0;
  for_each_code_point(name, [&](std::uint32_t cp) {
    ++n;
    if (is_control(cp)) invalid = true;
  });
  if (name.empty() || n > 60 || invalid) return core::errc::name_invalid;
  return core::errc::ok;
}

}  // namespace samling::rooms
