#include "media/destination_store.hpp"

#include <boost/json.hpp>

namespace samling::media {

namespace json = boost::json;

output_spec kept_part(const output_spec& o) {
  if (o.source == "api") return o;
  output_spec kept;
  kept.id = o.id;
  kept.source = o.source;
  kept.enabled = o.enabled;
  return kept;
}

std::optional<std::vector<output_spec>> parse_legacy_outputs(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return std::nullopt;
  std::vector<output_spec> out;
  for (auto& item : v.as_array()) {
    if (!item.is_object()) continue;
    auto& j = item.as_object();
    auto str = [&](const char* k) {
      auto* x = j.if_contains(k);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    auto* enabled = j.if_contains("enabled");
    output_spec o;
    o.id = str("id");
    o.source = str("source") == "api" ? "api" : "config";
    o.enabled = enabled && enabled->is_bool() ? enabled->as_bool() : true;
    if (o.source == "api") {
      o.name = str("name");
      o.url = str("url");
      o.key = str("key");
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace samling::media
