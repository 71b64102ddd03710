#include "program/csv.hpp"

namespace samling::program::csv {

namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

std::string_view without_bom(std::string_view text) {
  if (text.substr(0, utf8_bom.size()) == utf8_bom) text.remove_prefix(utf8_bom.size());
  return text;
}

}  // namespace

char detect_delimiter(std::string_view text) {
  text = without_bom(text);
  std::size_t semicolons = 0, commas = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;  // "" toggles twice: still inside
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    if (c == ';') ++semicolons;
    if (c == ',') ++commas;
  }
  return commas > semicolons ? ',' : ';';
}

parse_result parse(std::string_view text, std::optional<char> delimiter) {
  text = without_bom(text);
  parse_result out;
  const char sep = delimiter ? *delimiter : detect_delimiter(text);
  out.data.delimiter = sep;

  std::size_t line = 1;  // physical line of text[i]
  std::size_t i = 0;
  const std::size_t n = text.size();
  // A line end is CRLF, LF or a lone CR; returns its length at `at` (0: none).
  auto line_end = [&](std::size_t at) -> std::size_t {
    if (at >= n) return 0;
    if (text[at] == '\n') return 1;
    if (text[at] == '\r') return at + 1 < n && text[at + 1] == '\n' ? 2 : 1;
    return 0;
  };

  while (i < n) {
    // Blank lines between records carry nothing: skipped, but counted.
    if (std::size_t le = line_end(i)) {
      i += le;
      ++line;
      continue;
    }
    record rec;
    rec.line = line;
    for (;;) {  // one field per pass
      std::string field;
      if (i < n && text[i] == '"') {
        const std::size_t opened_on = line;
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (std::size_t le = line_end(i)) {
            // A line break inside quotes is data; kept as written (CRLF stays CRLF).
            field.append(text.substr(i, le));
            i += le;
            ++line;
            continue;
          }
          field += c;
          ++i;
        }
        if (!closed) {
          out.error = parse_error{opened_on, "a quoted field opened on line " +
                                                 std::to_string(opened_on) + " is never closed"};
          return out;
        }
        if (i < n && text[i] != sep && !line_end(i)) {
          out.error = parse_error{line, "unexpected character after a closing quote on line " +
                                            std::to_string(line) +
                                            " (a quote inside a quoted field is written \"\")"};
          return out;
        }
      } else {
        while (i < n && text[i] != sep && !line_end(i)) {
          if (text[i] == '"') {
            out.error = parse_error{
                line, "a quote inside an unquoted field on line " + std::to_string(line) +
                          " (quote the whole field and write the quote as \"\")"};
            return out;
          }
          field += text[i++];
        }
      }
      rec.fields.push_back(std::move(field));
      if (i < n && text[i] == sep) {
        ++i;
        continue;
      }
      // End of the record: a line end or the end of the text.
      if (std::size_t le = line_end(i)) {
        i += le;
        ++line;
      }
      break;
    }
    out.data.records.push_back(std::move(rec));
  }
  return out;
}

std::string quote(std::string_view field, char delimiter) {
  bool needs = !field.empty() && (field.front() == ' ' || field.back() == ' ');
  for (char c : field)
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') needs = true;
  if (!needs) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string write(const std::vector<std::vector<std::string>>& rows, char delimiter, bool bom) {
  std::string out;
  if (bom) out += utf8_bom;
  for (const auto& row : rows) {
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (k > 0) out += delimiter;
      out += quote(row[k], delimiter);
    }
    // A record of one empty field would read back as a blank line (skipped): quote it.
    if (row.size() == 1 && row[0].empty()) out += "\"\"";
    out += "\r\n";
  }
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace samling::program::csv
