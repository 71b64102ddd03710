#include "mail/mime.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace samling::mail {

namespace {

constexpr std::string_view crlf = "\r\n";
// RFC 5322 2.1.1: lines SHOULD stay within 78 characters (without CRLF).
constexpr std::size_t line_limit = 78;
// RFC 2047 2: an encoded-word is at most 75 characters.
constexpr std::size_t encoded_word_limit = 75;
constexpr std::string_view word_open = "=?UTF-8?B?";
constexpr std::string_view word_close = "?=";

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += rest == 2 ? alphabet[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

bool printable_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  return true;
}

// How many bytes of `s` from `pos`, at most `max`, end on a UTF-8 character boundary (at least
// one character, so a malformed byte still makes progress).
std::size_t utf8_chunk(std::string_view s, std::size_t pos, std::size_t max) {
  std::size_t end = std::min(s.size(), pos + max);
  if (end == s.size()) return end - pos;
  // Back off while the byte at `end` continues a character (10xxxxxx).
  std::size_t cut = end;
  while (cut > pos && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return cut > pos ? cut - pos : end - pos;
}

// UTF-8 `text` as encoded-words; the first fits after `used` characters, each further one on
// a folded line (CRLF SP).
std::string encoded_words(std::string_view text, std::size_t used) {
  const std::size_t overhead = word_open.size() + word_close.size();
  std::string out;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size() || first) {
    // Characters this word may take: the rest of the first line, or a folded line after its SP.
    const std::size_t line_room = first ? line_limit - std::min(used, line_limit - 2 * overhead) : line_limit - 1;
    const std::size_t room = std::min(line_room, encoded_word_limit) - overhead;
    const std::size_t bytes = room / 4 * 3;
    if (!first) out += "\r\n ";
    const std::size_t n = utf8_chunk(text, pos, bytes);
    out += word_open;
    out += base64(text.substr(pos, n));
    out += word_close;
    pos += n;
    first = false;
  }
  return out;
}

std::string quoted_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

void add_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += crlf;
}

bool safe_unique_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
      return false;
  return true;
}

bool language_tag(std::string_view l) {
  return l.size() == 2 && l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z';
}

}  // namespace

std::optional<std::string> address_problem(std::string_view address) {
  if (address.empty()) return "is empty";
  if (address.size() > 254) return "is longer than 254 bytes";
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f) return "contains a space or a control character";
    if (std::string_view("<>()[],;:\\\"").find(c) != std::string_view::npos)
      return "contains one of < > ( ) [ ] , ; : \\ \"";
  }
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || address.find('@') != at) return "must contain exactly one @";
  if (at == 0 || at + 1 == address.size()) return "needs text before and after the @";
  return std::nullopt;
}

std::string_view address_domain(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at + 1 == address.size()) return "localhost";
  return address.substr(at + 1);
}

std::string rfc5322_date(std::int64_t unix_seconds) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Not strftime: %a and %b follow the process locale; the header's names are English.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string header_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool gap = false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      gap = true;
      continue;
    }
    if (gap && !out.empty() && out.back() != ' ' && c != ' ') out += ' ';
    gap = false;
    out += c;
  }
  return out;
}

std::string encode_unstructured(std::string_view text, std::size_t used) {
  // "=?" in plain text would read as the start of an encoded-word: encode such text too.
  if (printable_ascii(text) && text.find("=?") == std::string_view::npos && used + text.size() <= line_limit)
    return std::string(text);
  return encoded_words(text, used);
}

std::string encode_mailbox(std::string_view name, std::string_view address, std::size_t used) {
  const std::string angle = "<" + std::string(address) + ">";
  if (name.empty()) return angle;
  std::string phrase;
  if (printable_ascii(name) && name.find("=?") == std::string_view::npos)
    phrase = quoted_string(name);
  else
    phrase = encoded_words(name, used);
  return phrase + " " + angle;
}

std::string quoted_printable(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    const bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      auto token = [&](std::size_t at_col) -> std::string {
        const bool literal = (c >= 33 && c <= 126 && c != '=' && !(c == '.' && at_col == 0)) ||
                             ((c == ' ' || c == '\t') && !last);
        if (literal) return std::string(1, static_cast<char>(c));
        return std::string{'=', hex[c >> 4], hex[c & 15]};
      };
      std::string t = token(col);
      // A line may hold 76 characters; before a soft break, 75 and the "=".
      if (col + t.size() > (last ? 76u : 75u)) {
        out += "=\r\n";
        col = 0;
        t = token(col);
      }
      out += t;
      col += t.size();
    }
    out += crlf;
    start = has_newline ? end + 1 : text.size();
  }
  return out;
}

std::string build_message(const message& m, const sender_identity& from, std::int64_t unix_seconds,
                          std::string_view unique_id) {
  if (auto problem = address_problem(from.address))
    throw std::invalid_argument("the sender's address " + *problem);
  if (auto problem = address_problem(m.to)) throw std::invalid_argument("the recipient's address " + *problem);
  if (!safe_unique_id(unique_id)) throw std::invalid_argument("the message id must be 1-64 of A-Z a-z 0-9 . -");

  std::string out;
  add_header(out, "Date", rfc5322_date(unix_seconds));
  add_header(out, "From", encode_mailbox(header_safe(from.name), from.address, 6));
  add_header(out, "To", encode_mailbox(header_safe(m.to_name), m.to, 4));
  add_header(out, "Subject", encode_unstructured(header_safe(m.subject), 9));
  add_header(out, "Message-ID", "<" + std::string(unique_id) + "@" + std::string(address_domain(from.address)) + ">");
  add_header(out, "MIME-Version", "1.0");
  // RFC 3834: sent by a program, so vacation responders do not answer it.
  add_header(out, "Auto-Submitted", "auto-generated");
  if (language_tag(m.language)) add_header(out, "Content-Language", m.language);

  const std::string text_type = "text/plain; charset=utf-8";
  if (m.html.empty()) {
    add_header(out, "Content-Type", text_type);
    add_header(out, "Content-Transfer-Encoding", "quoted-printable");
    out += crlf;
    out += quoted_printable(m.text);
    return out;
  }
  // "=_" never occurs in quoted-printable text ('=' is followed by hex digits or a line end),
  // so the boundary cannot appear inside a part.
  const std::string boundary = "=_samling_" + std::string(unique_id);
  add_header(out, "Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
  out += crlf;
  auto part = [&](std::string_view type, std::string_view body) {
    out += "--" + boundary + "\r\n";
    add_header(out, "Content-Type", type);
    add_header(out, "Content-Transfer-Encoding", "quoted-printable");
    out += crlf;
    out += quoted_printable(body);
    // The line break before a boundary belongs to the boundary (RFC 2046 5.1.1): without this
    // one, the part's own last line break would be lost.
    out += crlf;
  };
  part(text_type, m.text);
  part("text/html; charset=utf-8", m.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace samling::mail
