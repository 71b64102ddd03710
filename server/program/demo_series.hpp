#pragma once
// The demo series: the 17 regional conferences of "Sverige tillsammans" (2016) from the county
// administrations' press release, seeded into an empty database next to the demo event. The
// file is JSON (id, name, organizer, description) naming its table, a CSV file with the seed
// table's columns, which is read with the same importer organizers use.
#include <string>

#include "program/series.hpp"

namespace samling::program {

// Reads the series file and its CSV table. Throws std::runtime_error naming the file and
// every problem (with CSV line numbers).
series load_demo_series(const std::string& path);

// Seeds `store` with the demo series when it has no series yet; true when it seeded.
bool seed_demo_series_if_empty(series_store& store, const std::string& path);

}  // namespace samling::program
