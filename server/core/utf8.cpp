#include "core/utf8.hpp"

#include <cstdint>

namespace samling::core {

std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++count) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xe0) == 0xc0) {
      n = 1;
      cp = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
      n = 2;
      cp = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
      n = 3;
      cp = b & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + n >= s.size()) return std::nullopt;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      if ((byte(i + k) & 0xc0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (byte(i + k) & 0x3f);
    }
    static constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return std::nullopt;
    }
    i += n + 1;
  }
  return count;
}

bool has_control(std::string_view s) {
  for (char ch : s) {
    auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) return true;
  }
  return false;
}

std::string trim_space(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

bool has_control_except_lines(std::string_view s) {
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if ((b < 0x20 && c != '\n' && c != '\r' && c != '\t') || b == 0x7f) return true;
  }
  return false;
}

std::optional<std::string> text_field_problem(std::string_view s, std::size_t min, std::size_t max, bool multiline) {
  auto n = utf8_length(s);
  if (!n) return "must be UTF-8 text";
  if (multiline ? has_control_except_lines(s) : has_control(s)) return "must not contain control characters";
  if (*n < min) return min == 1 ? "is required" : "is too short";
  if (*n > max) return "is " + std::to_string(*n) + " characters; at most " + std::to_string(max) + " are allowed";
  return std::nullopt;
}

}  // namespace samling::core
