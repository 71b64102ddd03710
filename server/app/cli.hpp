#pragma once
// What the subcommands (`samling token`, `samling account add`) share: their option syntax
// and the event id rule.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace samling::app {

// An option with a value, given as "--opt VALUE" or "--opt=VALUE" ("-c" is "--config").
struct value_option {
  std::string_view flag;
  std::optional<std::string>* target;
};
// An option without a value.
struct switch_option {
  std::string_view flag;
  bool* target;
};

// Reads `args` in order. Stops at "--help"/"-h" (sets `help`). Returns the first problem as a
// sentence ("--email needs a value", "unknown option \"--x\""), nullopt when all were read.
std::optional<std::string> parse_options(const std::vector<std::string>& args,
                                         std::span<const value_option> values,
                                         std::span<const switch_option> switches, bool& help);

// An event id: a-z, 0-9 and -, not empty.
bool is_event_id(std::string_view s);

}  // namespace samling::app
