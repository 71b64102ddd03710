#pragma once
// What config.cpp (the scalar keys) and stages.cpp ([[stages]]) share. Not for other modules.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"

namespace samling::config::internal {

// An error found while reading the file, with where it was (errors are reported in file order).
struct located_error {
  config_error error;
  toml::source_position where;
};

// "origin:line:column" of a TOML value.
std::string location(const std::string& origin, const toml::source_region& r);
// ", did you mean "x"?" for the closest candidate within a small edit distance, or "".
std::string suggestion(std::string_view wrong, const std::vector<std::string>& candidates);
std::string_view toml_type_name(toml::node_type t);
std::string in_quotes(std::string_view s);
// What keeps `path` from being read as `what` ("config file", "file"), or nothing.
std::optional<std::string> file_problem(const std::string& path, std::string_view what);

// [[stages]] and [[stages.outputs]] (stages.cpp): read from the file into `out.stages`, and
// the checks across fields and stages that validate() runs.
void parse_stages(const toml::node& node, config& out, const std::string& origin,
                  const std::map<std::string, std::string>& env, std::vector<located_error>& errors);
void validate_stages(const config& c, std::vector<config_error>& errors);
// Is validation error `key` about a stage value already reported from the file?
bool already_reported(const std::string& key, const std::vector<std::string>& reported);

}  // namespace samling::config::internal
