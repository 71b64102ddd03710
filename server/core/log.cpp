#include "core/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace samling::core {
namespace {

std::atomic<int> g_level{static_cast<int>(log_level::info)};
std::atomic<bool> g_json{false};
std::mutex g_write_mutex;

std::string_view level_name(log_level l) {
  switch (l) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (ok && len > 1) {
      // Reject overlong encodings, surrogates and code points above U+10FFFF.
      std::uint32_t cp = c & (0xFF >> (len + 1));
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      static constexpr std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= min_for_len[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER for each invalid byte
      ++i;
    }
  }
  return out;
}

namespace {

std::string timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string json_quote(std::string_view s) {
  return boost::json::serialize(boost::json::string(valid_utf8(s)));
}

// Text values are quoted only when they need it, so logs stay greppable.
std::string text_value(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) {
      plain = false;
      break;
    }
  }
  return plain ? std::string(s) : json_quote(s);
}

}  // namespace

void configure_logging(log_settings s) {
  g_level = static_cast<int>(s.level);
  g_json = s.json;
}

bool parse_log_level(std::string_view s, log_level& out) {
  for (auto l : {log_level::debug, log_level::info, log_level::warn, log_level::error}) {
    if (s == level_name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

bool log_enabled(log_level l) { return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed); }

std::string format_log_line(log_level l, std::string_view event,
                            std::initializer_list<log_field> fields, bool json) {
  std::string line;
  line.reserve(160);
  auto value_text = [&](const log_field& f, bool as_json) {
    return std::visit(
        [&](auto&& v) -> std::string {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            return as_json ? json_quote(v) : text_value(v);
          } else if constexpr (std::is_same_v<T, bool>) {
            return v ? "true" : "false";
          } else if constexpr (std::is_same_v<T, double>) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.6g", v);
            return buf;
          } else {
            return std::to_string(v);
          }
        },
        f.value);
  };
  if (json) {
    line += "{\"ts\":\"" + timestamp() + "\",\"level\":\"" + std::string(level_name(l)) +
            "\",\"event\":" + json_quote(event);
    for (auto& f : fields) line += "," + json_quote(f.key) + ":" + value_text(f, true);
    line += "}";
  } else {
    line += timestamp();
    line += ' ';
    line += level_name(l);
    line += ' ';
    line += event;
    for (auto& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      line += value_text(f, false);
    }
  }
  line += '\n';
  return line;
}

void log(log_level l, std::string_view event, std::initializer_list<log_field> fields) {
  if (!log_enabled(l)) return;
  std::string line = format_log_line(l, event, fields, g_json.load(std::memory_order_relaxed));
  std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace samling::core
