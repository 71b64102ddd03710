// The CSV reader (server/program/csv.cpp) on arbitrary bytes: what organizers upload to the
// program and series imports. Properties: no crash or UB; line numbers start at 1 and grow;
// whatever parses is written back by csv::write and reads back to the same fields (with the
// same delimiter), so an export of an import never changes the data.
// Seeds: tests/fuzz/corpus/csv/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "program/csv.hpp"

namespace csv = samling::program::csv;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const csv::parse_result r = csv::parse(text);
  FUZZ_CHECK(r.data.delimiter == ';' || r.data.delimiter == ',');
  std::size_t previous = 0;
  for (const auto& rec : r.data.records) {
    FUZZ_CHECK(rec.line > previous);
    FUZZ_CHECK(!rec.fields.empty());
    previous = rec.line;
  }
  if (r.error) {
    FUZZ_CHECK(r.error->line >= 1);
    FUZZ_CHECK(r.error->line >= previous);
    FUZZ_CHECK(!r.error->message.empty());
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& rec : r.data.records) rows.push_back(rec.fields);
  const std::string written = csv::write(rows, r.data.delimiter, true);
  const csv::parse_result again = csv::parse(written, r.data.delimiter);
  FUZZ_CHECK(!again.error);
  FUZZ_CHECK(again.data.records.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) FUZZ_CHECK(again.data.records[i].fields == rows[i]);
  return 0;
}
