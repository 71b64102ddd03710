#pragma once
// A problem an importer found, pointing at the line of the file (CSV: the physical line where
// the record starts; 0 when the problem belongs to no line: a JSON document's field, the
// header as a whole) and the column or field.
#include <cstddef>
#include <string>

namespace samling::program {

struct import_problem {
  std::size_t line = 0;
  std::string field;    // CSV column ("starts_at", "room") or JSON path ("sessions[2].day")
  std::string message;

  bool operator==(const import_problem&) const = default;
};

}  // namespace samling::program
