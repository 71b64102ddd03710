#include "moderation/words.hpp"

#include <algorithm>
#include <cstdint>
#include <set>

#include "rooms/text_rules.hpp"

namespace samling::moderation {
namespace {

// The code point at s[i] and its length in bytes. The text is valid UTF-8 (the JSON parser
// guarantees it); should it not be, a byte that does not start a complete sequence reads as
// U+FFFD of length 1, which is not a word character, so every word handed to rooms::name_key
// is valid UTF-8 whatever came in.
std::uint32_t decode(std::string_view s, std::size_t i, std::size_t& len) {
  constexpr std::uint32_t replacement = 0xFFFD;
  const auto c = static_cast<unsigned char>(s[i]);
  len = 1;
  if (c < 0x80) return c;
  const std::size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return replacement;
  std::uint32_t cp = c & (0xFF >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return replacement;
    cp = (cp << 6) | (cc & 0x3F);
  }
  len = n;
  return cp;
}

// Whether a code point is part of a word. ASCII: letters and digits. Above it, letters of
// every script count, so the test is what is NOT a letter: Latin-1's punctuation and symbols
// (¡ « » ¿ × ÷ …), the general punctuation block (dashes, quotes, ellipsis, zero-width and
// invisible characters), arrows, mathematical and technical symbols, box drawing, dingbats,
// CJK punctuation, the BOM and variation selectors, and the emoji planes. Combining marks
// (U+0300..U+036F) stay in their word: "e" + U+0301 is one letter to a reader.
bool is_word_char(std::uint32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  if (cp < 0xC0) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;  // ª µ º are letters
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;
  if (cp >= 0x2E00 && cp <= 0x2E7F) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp >= 0xFE00 && cp <= 0xFE0F) return false;
  if (cp == 0xFEFF || cp == 0xFFFD) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;
  if (cp >= 0x1F000) return false;
  return true;
}

}  // namespace

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0, i = 0, len = 0;
  bool in_word = false;
  auto finish = [&](std::size_t end) {
    if (in_word) out.push_back(rooms::name_key(std::string(text.substr(start, end - start))));
    in_word = false;
  };
  for (; i < text.size(); i += len) {
    if (is_word_char(decode(text, i, len))) {
      if (!in_word) start = i;
      in_word = true;
    } else {
      finish(i);
    }
  }
  finish(text.size());
  return out;
}

std::string normalize_words(std::vector<std::string>& words) {
  if (words.size() > max_words)
    return "The word list has " + std::to_string(words.size()) + " entries; at most " +
           std::to_string(max_words) + " are allowed.";
  std::vector<std::string> kept;
  std::set<std::vector<std::string>> seen;
  for (auto& w : words) {
    std::string entry = w;
    auto rc = rooms::check_text(entry, max_word_chars);
    if (rc == core::errc::text_empty) return "A word in the list is empty.";
    if (rc == core::errc::text_too_long)
      return "\"" + entry.substr(0, 80) + "…\" is longer than " + std::to_string(max_word_chars) +
             " characters.";
    if (rc != core::errc::ok) return "A word in the list has control characters.";
    auto folded = split_words(entry);
    if (folded.empty()) return "\"" + entry + "\" has no letters or digits to match.";
    if (!seen.insert(folded).second) continue;
    kept.push_back(std::move(entry));
  }
  words = std::move(kept);
  return {};
}

word_list::word_list(const std::vector<std::string>& entries) {
  for (const auto& e : entries) {
    auto folded = split_words(e);
    if (folded.empty()) continue;
    auto first = folded.front();
    by_first_[first].push_back(std::move(folded));
  }
}

bool word_list::matches(std::string_view text) const {
  if (by_first_.empty()) return false;
  const auto words = split_words(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto found = by_first_.find(words[i]);
    if (found == by_first_.end()) continue;
    for (const auto& entry : found->second) {
      if (i + entry.size() > words.size()) continue;
      if (std::equal(entry.begin() + 1, entry.end(), words.begin() + static_cast<std::ptrdiff_t>(i) + 1))
        return true;
    }
  }
  return false;
}

}  // namespace samling::moderation
