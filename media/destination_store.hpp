#pragma once
// Where a stage's destinations are kept between runs: the interface the media engine needs,
// implemented on SQLite in server/store/ (sqlite_destination_store) and wired by the app.
// Kept: every destination an organizer added (source "api": name, URL, stream key, whether it
// is on) and, for those of the configuration (source "config"), only whether an organizer
// stopped it: their name, URL and key come from the configuration at every start.
#include <optional>
#include <string>
#include <vector>

#include "media/stage_spec.hpp"

namespace samling::media {

class destination_store {
 public:
  virtual ~destination_store() = default;
  // The stage's destinations as last saved, in their order; empty when none were.
  virtual std::vector<output_spec> load(const std::string& stage) = 0;
  // Replaces what is kept for `stage` with `all` (see kept_part), all or nothing.
  virtual void save(const std::string& stage, const std::vector<output_spec>& all) = 0;
  // Both throw std::exception (its what() says why) when the store fails.
};

// What a destination store keeps of `o`: all of it for an organizer's destination, only the
// id, the source and `enabled` for one from the configuration.
output_spec kept_part(const output_spec& o);

// The destinations of a <media.dir>/outputs/<stage>.json file written before they moved into
// the database (a JSON array of {id, source, enabled[, name, url, key]}), in the same form;
// nullopt when the text is not such a file. Entries that are not objects are skipped.
std::optional<std::vector<output_spec>> parse_legacy_outputs(const std::string& text);

}  // namespace samling::media
