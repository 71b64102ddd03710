#include "rooms/text_rules.hpp"

#include <cstdint>

namespace samling::rooms {
namespace {

void trim(std::string& s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  std::size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  s = s.substr(b, e - b);
}

// Visits each code point of valid UTF-8.
template <typename F>
void for_each_code_point(const std::string& s, F f) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    std::uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    f(cp);
    i += len;
  }
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
