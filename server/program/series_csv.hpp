#pragma once
// A series' table as CSV, with the seed table's columns: date, responsible county, co-hosting
// county, city (and, optionally, the event held there). Header names in English
// ("date;responsible_county;cohost_county;city;event_id", spaces or '-' for '_' accepted) or
// Swedish as the county administrations write them ("Datum;Ansvarigt län;Medarrangerande län;Ort",
// also "Samverkande län" and "Konferensort"). A co-hosting county "-" means none.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "program/import_problem.hpp"
#include "program/series.hpp"

namespace samling::program {

// The rows as CSV (UTF-8 BOM, `;`, CRLF) with the English header.
std::string series_rows_to_csv(const series& s, char delimiter = ';');

struct series_rows_import {
  std::optional<std::vector<series_event>> rows;  // set only when there are no problems
  std::vector<import_problem> problems;
};

// The rows of a CSV file; all or nothing, each problem with its line.
series_rows_import series_rows_from_csv(std::string_view text);

}  // namespace samling::program
