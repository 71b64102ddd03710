#include "media/recording_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "media/hls_playlist.hpp"  // format_program_date_time

namespace samling::media {

namespace {

// ---- UTF-8 ---------------------------------------------------------------------------------

constexpr char32_t invalid_code_point = 0xFFFFFFFF;

// Decodes the code point at s[i] and advances i past it. Invalid sequences (stray
// continuation bytes, overlong forms, surrogates, beyond U+10FFFF, truncated) yield
// invalid_code_point and advance one byte, so decoding always makes progress.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) return ++i, b0;
  // Lead bytes: C2–DF two bytes, E0–EF three, F0–F4 four; 80–C1 and F5–FF never lead.
  int extra = b0 >= 0xF5 ? -1 : b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC2 ? 1 : -1;
  if (extra < 0 || i + extra >= s.size()) return ++i, invalid_code_point;
  char32_t cp = b0 & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return ++i, invalid_code_point;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
  if (cp < min_for_length[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return ++i, invalid_code_point;
  i += extra + 1;
  return cp;
}

// ---- slug classification -----------------------------------------------------------------

// Locale-independent: <cctype> would follow the process locale.
bool is_ascii_alnum(char32_t cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
}

char ascii_lower(char32_t cp) {
  return static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
}

// Latin letters with diacritics and their ASCII spelling (lower case: slugs are lower case).
// Latin-1 Supplement and Latin Extended-A in full, plus the Romanian and Skolt Sámi letters
// of Latin Extended-B.
struct transliteration {
  char32_t first, last;
  const char* ascii;
};
constexpr transliteration transliterations[] = {
    {0x00C0, 0x00C5, "a"},  {0x00C6, 0x00C6, "ae"}, {0x00C7, 0x00C7, "c"},
    {0x00C8, 0x00CB, "e"},  {0x00CC, 0x00CF, "i"},  {0x00D0, 0x00D0, "d"},
    {0x00D1, 0x00D1, "n"},  {0x00D2, 0x00D6, "o"},  {0x00D8, 0x00D8, "o"},
    {0x00D9, 0x00DC, "u"},  {0x00DD, 0x00DD, "y"},  {0x00DE, 0x00DE, "th"},
    {0x00DF, 0x00DF, "ss"}, {0x00E0, 0x00E5, "a"},  {0x00E6, 0x00E6, "ae"},
    {0x00E7, 0x00E7, "c"},  {0x00E8, 0x00EB, "e"},  {0x00EC, 0x00EF, "i"},
    {0x00F0, 0x00F0, "d"},  {0x00F1, 0x00F1, "n"},  {0x00F2, 0x00F6, "o"},
    {0x00F8, 0x00F8, "o"},  {0x00F9, 0x00FC, "u"},  {0x00FD, 0x00FD, "y"},
    {0x00FE, 0x00FE, "th"}, {0x00FF, 0x00FF, "y"},  {0x0100, 0x0105, "a"},
    {0x0106, 0x010D, "c"},  {0x010E, 0x0111, "d"},  {0x0112, 0x011B, "e"},
    {0x011C, 0x0123, "g"},  {0x0124, 0x0127, "h"},  {0x0128, 0x0131, "i"},
    {0x0132, 0x0133, "ij"}, {0x0134, 0x0135, "j"},  {0x0136, 0x0138, "k"},
    {0x0139, 0x0142, "l"},  {0x0143, 0x014B, "n"},  {0x014C, 0x0151, "o"},
    {0x0152, 0x0153, "oe"}, {0x0154, 0x0159, "r"},  {0x015A, 0x0161, "s"},
    {0x0162, 0x0167, "t"},  {0x0168, 0x0173, "u"},  {0x0174, 0x0175, "w"},
    {0x0176, 0x0178, "y"},  {0x0179, 0x017E, "z"},  {0x017F, 0x017F, "s"},
    {0x01B7, 0x01B7, "z"},  {0x01E4, 0x01E7, "g"},  {0x01E8, 0x01E9, "k"},
    {0x01EE, 0x01EF, "z"},  {0x0218, 0x0219, "s"},  {0x021A, 0x021B, "t"},
    {0x0292, 0x0292, "z"},
};

const char* transliterate(char32_t cp) {
  for (auto& t : transliterations)
    if (cp >= t.first && cp <= t.last) return t.ascii;
  return nullptr;
}

// Apostrophes join a word rather than split it: "Don't" → "dont", not "don-t".
bool is_apostrophe(char32_t cp) { return cp == U'\'' || cp == 0x2019 || cp == 0x02BC; }

// Characters that separate words: ASCII punctuation, whitespace and controls; the Latin-1
// controls, spaces and signs (U+0080–U+00BF, × ÷); Unicode's general punctuation and spaces
// (dashes, quotes, bullets, U+2000–U+206F) except the invisible joiners inside emoji
// sequences and words, supplemental punctuation and the ideographic space. Everything else
// that is not a letter we know is simply dropped.
bool is_separator(char32_t cp) {
  if (cp < 0x80) return !is_ascii_alnum(cp);
  if (cp == 0x200C || cp == 0x200D || cp == 0x2060) return false;  // ZWNJ, ZWJ, word joiner
  return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
         (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2E00 && cp <= 0x2E7F) || cp == 0x3000;
}

// Cuts a slug to max_len at a word boundary, mid-word only if the first word is too long.
std::string truncate_slug(std::string slug, std::size_t max_len) {
  if (slug.size() <= max_len) return slug;
  bool cut_mid_word = slug[max_len] != '-';
  slug.resize(max_len);
  if (cut_mid_word) {
    auto dash = slug.rfind('-');
    if (dash != std::string::npos) slug.resize(dash);
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

// ---- WebVTT -------------------------------------------------------------------------------

// "hh:mm:ss.ttt", hours with at least two digits.
std::string vtt_timestamp(std::int64_t ms) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%03lld",
                static_cast<long long>(ms / 3'600'000), static_cast<long long>(ms / 60'000 % 60),
                static_cast<long long>(ms / 1000 % 60), static_cast<long long>(ms % 1000));
  return buf;
}

// One line of cue text: control characters (line breaks included, so no blank line can end
// the cue early) become spaces, whitespace runs collapse, the ends are trimmed, and & < >
// are escaped, which also rules out "-->".
std::string vtt_cue_text(std::string_view title) {
  std::string out;
  bool pending_space = false;
  for (char c : title) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == ' ') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string slugify(std::string_view title, std::size_t max_len) {
  std::string slug;
  bool pending_dash = false;  // a separator was seen after some output
  auto append = [&](std::string_view letters) {
    if (pending_dash) slug += '-';
    pending_dash = false;
    slug += letters;
  };
  for (std::size_t i = 0; i < title.size();) {
    char32_t cp = next_code_point(title, i);
    if (is_ascii_alnum(cp)) {
      char c = ascii_lower(cp);
      append(std::string_view(&c, 1));
    } else if (is_apostrophe(cp)) {
      // joins the word
    } else if (auto* ascii = transliterate(cp)) {
      append(ascii);
    } else if (is_separator(cp)) {
      pending_dash = !slug.empty();
    }
    // anything else (emoji, other scripts, combining marks, invalid bytes) is dropped
  }
  slug = truncate_slug(std::move(slug), max_len);
  return slug.empty() ? "session" : slug;
}

std::string recording_file_name(std::int64_t start_utc_ms, int index,
                                std::string_view session_title) {
  // "2026-11-21T09:00:00.000Z" → "2026-11-21T09-00-00Z"
  std::string name = format_program_date_time(start_utc_ms).substr(0, 19);
  std::replace(name.begin(), name.end(), ':', '-');
  char number[16];
  std::snprintf(number, sizeof number, "_%02d", std::max(index, 0));
  name += "Z";
  name += number;
  if (!session_title.empty()) name += "-" + slugify(session_title);
  return name + ".ts";
}

const session_slot* session_at(const std::vector<session_slot>& schedule, std::int64_t t_ms) {
  const session_slot* found = nullptr;
  for (auto& s : schedule) {
    bool running = s.start_ms <= t_ms && t_ms < s.end_ms;
    if (running && (!found || s.start_ms > found->start_ms)) found = &s;
  }
  return found;
}

std::int64_t next_boundary_after(const std::vector<session_slot>& schedule, std::int64_t t_ms) {
  auto next = std::numeric_limits<std::int64_t>::max();
  for (auto& s : schedule) {
    if (s.end_ms <= s.start_ms) continue;  // an empty slot never splits a recording
    if (s.start_ms > t_ms) next = std::min(next, s.start_ms);
    if (s.end_ms > t_ms) next = std::min(next, s.end_ms);
  }
  return next;
}

std::string render_webvtt_chapters(const std::vector<chapter>& chapters) {
  std::string out = "WEBVTT\n\n";
  int number = 0;
  for (auto& c : chapters) {
    auto start = std::max<std::int64_t>(c.start_ms, 0);
    auto end = std::max<std::int64_t>(c.end_ms, 0);
    if (end <= start) continue;  // WebVTT cues must end after they start
    ++number;
    auto text = vtt_cue_text(c.title);
    if (text.empty()) text = std::to_string(number);
    out += std::to_string(number) + "\n" + vtt_timestamp(start) + " --> " +
           vtt_timestamp(end) + "\n" + text + "\n\n";
  }
  return out;
}

bool is_safe_file_name(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return is_ascii_alnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace samling::media
