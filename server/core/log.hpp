#pragma once
// Structured logging: one line per record, as `key=value` text or as JSON lines. Thread-safe
// (one mutex around one write); records are built before the lock is taken.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace samling::core {

enum class log_level { debug = 0, info, warn, error };

struct log_field {
  std::string_view key;
  std::variant<std::string_view, long long, double, bool> value;
  log_field(std::string_view k, std::string_view v) : key(k), value(v) {}
  log_field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  log_field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  log_field(std::string_view k, long long v) : key(k), value(v) {}
  log_field(std::string_view k, int v) : key(k), value(static_cast<long long>(v)) {}
  log_field(std::string_view k, unsigned v) : key(k), value(static_cast<long long>(v)) {}
  log_field(std::string_view k, long v) : key(k), value(static_cast<long long>(v)) {}
  log_field(std::string_view k, unsigned long v) : key(k), value(static_cast<long long>(v)) {}
  log_field(std::string_view k, double v) : key(k), value(v) {}
  log_field(std::string_view k, bool v) : key(k), value(v) {}
};

struct log_settings {
  log_level level = log_level::info;
  bool json = false;
};

void configure_logging(log_settings s);
bool parse_log_level(std::string_view s, log_level& out);
bool log_enabled(log_level l);
// Writes one record to stderr: time, level, event name and fields.
void log(log_level l, std::string_view event, std::initializer_list<log_field> fields = {});

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD, so log lines built
// from untrusted input (request targets, headers) stay valid UTF-8 and valid JSON.
std::string valid_utf8(std::string_view s);

// Formats one record (exposed for tests).
std::string format_log_line(log_level l, std::string_view event,
                            std::initializer_list<log_field> fields, bool json);

}  // namespace samling::core
