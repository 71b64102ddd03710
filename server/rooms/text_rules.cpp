#include "rooms/text_rules.hpp"

#include <cstdint>
#include <string_view>

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

// Simple lower-case mapping for the scripts a name at these events is written in (see
// name_key() in the header); everything else maps to itself.
std::uint32_t to_lower(std::uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 0x20;
  if (cp < 0xC0) return cp;
  if (cp <= 0xDE) return cp == 0xD7 ? cp : cp + 0x20;  // À..Þ, not ×
  if (cp >= 0x100 && cp <= 0x17F) {
    // Latin Extended-A: upper and lower case alternate, the upper first, except where the
    // alternation shifts by one (Ĳ..ķ even-first; Ĺ..ň and Ź..ž odd-first; Ÿ is ÿ's).
    if (cp == 0x130) return 'i';  // İ
    if (cp == 0x178) return 0xFF;
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return cp % 2 == 1 ? cp + 1 : cp;
    if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;
    return cp % 2 == 0 ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;  // Greek
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;                  // Cyrillic А..Я
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;                  // Ѐ..Џ
  return cp;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The staff words of en, sv and fi (docs/protocol.md, hello), lower case.
constexpr const char* staff_words[] = {
    "moderator", "organizer", "organiser", "admin", "administrator", "samling", "staff", "speaker", "press",
    "moderaattori", "järjestäjä", "ylläpitäjä", "puhuja", "lehdistö",
    "arrangör", "administratör", "talare",
};
// A staff word this long (in code points) is reserved as a prefix of anything; shorter ones
// only as a whole first word.
constexpr std::size_t prefix_word_chars = 8;

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

std::string name_key(const std::string& name) {
  std::string trimmed = name;
  trim(trimmed);
  std::string out;
  out.reserve(trimmed.size());
  bool blank_run = false;
  for_each_code_point(trimmed, [&](std::uint32_t cp) {
    if (is_blank(cp)) {
      blank_run = true;
      return;
    }
    if (blank_run) out += ' ';
    blank_run = false;
    append_utf8(out, to_lower(cp));
  });
  return out;
}

bool is_staff_name(const std::string& name) {
  std::string key = name_key(name);
  std::string_view k = key;
  if (!k.empty() && k.front() == '@') k.remove_prefix(1);
  for (std::string_view word : staff_words) {
    if (!k.starts_with(word)) continue;
    if (k.size() == word.size() || code_points(std::string(word)) >= prefix_word_chars) return true;
    // A short word must end the first word: what follows is not a letter. Bytes of 0x80 and
    // above start or continue a non-ASCII character, which is taken as a letter ("Pressé").
    auto next = static_cast<unsigned char>(k[word.size()]);
    bool letter = (next >= 'a' && next <= 'z') || next >= 0x80;
    if (!letter) return true;
  }
  return false;
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
