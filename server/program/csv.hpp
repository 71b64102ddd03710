#pragma once
// CSV as RFC 4180 writes it and spreadsheets produce it: quoted fields with "" for a quote,
// line breaks inside quoted fields, CRLF or LF line ends, a UTF-8 byte-order mark (skipped on
// read, written for Excel), and `;` (what Excel writes in Swedish and Finnish locales) or `,`
// as the delimiter, detected from the header line. Each record remembers the physical line it
// starts on, so an importer's problems point at the line a person sees in their editor.
// No I/O: text in, records out.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samling::program::csv {

struct record {
  std::size_t line = 0;             // 1-based physical line where the record starts
  std::vector<std::string> fields;
};

struct parse_error {
  std::size_t line = 0;  // where the broken record starts
  std::string message;
};

struct table {
  char delimiter = ';';
  std::vector<record> records;  // records[0] is the header when the file has one; blank lines skipped
};

struct parse_result {
  table data;
  std::optional<parse_error> error;  // set: `data` holds the records before the broken one
};

// The delimiter of a file: `;` or `,`, whichever occurs more often outside quotes in its first
// line (`;` on a tie, and when neither occurs: a one-column file).
char detect_delimiter(std::string_view text);

// Reads `text` with the detected delimiter (or `delimiter` when given). Errors: a quote that
// is never closed, a character after a closing quote, a quote inside an unquoted field.
parse_result parse(std::string_view text, std::optional<char> delimiter = std::nullopt);

// One field, quoted when it holds the delimiter, a quote, a line break or leading/trailing
// spaces (which spreadsheets would trim).
std::string quote(std::string_view field, char delimiter);

// The rows as CSV with CRLF line ends (RFC 4180), with a UTF-8 BOM first when `bom`.
std::string write(const std::vector<std::vector<std::string>>& rows, char delimiter = ';',
                  bool bom = true);

// A cell without the spaces and tabs around it.
std::string trim(std::string_view s);

// An importer's header line: the index of each column `column_of` knows (it returns
// std::optional<Column>); blank names (a trailing delimiter) are skipped; an unknown or repeated
// name is reported through `problem(line, field, message)`.
template <typename Column, typename ColumnOf, typename Problem>
std::map<Column, std::size_t> header_columns(const record& header, ColumnOf column_of, Problem problem) {
  std::map<Column, std::size_t> where;
  for (std::size_t k = 0; k < header.fields.size(); ++k) {
    const std::string name = trim(header.fields[k]);
    if (name.empty()) continue;
    auto c = column_of(name);
    if (!c)
      problem(header.line, name, "unknown column \"" + name + "\"");
    else if (!where.emplace(*c, k).second)
      problem(header.line, name, "column \"" + name + "\" appears more than once");
  }
  return where;
}

}  // namespace samling::program::csv
