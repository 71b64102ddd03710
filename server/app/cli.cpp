#include "app/cli.hpp"

namespace samling::app {

std::optional<std::string> parse_options(const std::vector<std::string>& args,
                                         std::span<const value_option> values,
                                         std::span<const switch_option> switches, bool& help) {
  help = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      help = true;
      return std::nullopt;
    }
    bool matched = false;
    for (const switch_option& o : switches) {
      if (a == o.flag) {
        *o.target = true;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    std::string_view flag = a == "-c" ? std::string_view("--config") : std::string_view(a);
    for (const value_option& o : values) {
      if (flag == o.flag) {
        if (i + 1 >= args.size()) return std::string(o.flag) + " needs a value";
        *o.target = args[++i];
      } else if (flag.starts_with(o.flag) && flag.size() > o.flag.size() && flag[o.flag.size()] == '=') {
        *o.target = std::string(flag.substr(o.flag.size() + 1));
      } else {
        continue;
      }
      matched = true;
      break;
    }
    if (!matched) return "unknown option \"" + a + "\"";
  }
  return std::nullopt;
}

bool is_event_id(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  }
  return true;
}

}  // namespace samling::app
