#pragma once
// Reading a JSON request body field by field, for the routes whose refusals list each bad field
// (422 invalid_input with "fields": registration, press accreditation). `Problem` is the
// domain's field_problem ({field, message}); header-only so each domain keeps its own type.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "net/router.hpp"

namespace samling::api {

// 422 invalid_input with one entry per field: {"error":{"code","message","fields":[{field,message}]}}.
template <typename Problem>
net::response field_errors(const std::vector<Problem>& problems) {
  namespace json = boost::json;
  json::array fields;
  for (auto& p : problems) fields.push_back(json::object{{"field", p.field}, {"message", p.message}});
  std::string message = problems.size() == 1 ? problems.front().message : "Some fields are not valid; see \"fields\".";
  json::object err{{"code", core::code_name(core::errc::invalid_input)},
                   {"message", message},
                   {"fields", std::move(fields)}};
  return net::json_response(json::serialize(json::object{{"error", std::move(err)}}),
                            core::http_status(core::errc::invalid_input));
}

// The body as a JSON object; nullopt when it is not JSON or not an object.
inline std::optional<boost::json::object> parse_object(const std::string& body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// Reads optional fields of a type; absent or null is nullopt, a value of another type is a
// field problem (and nullopt).
template <typename Problem>
struct field_reader {
  const boost::json::object& o;
  std::vector<Problem>& problems;

  void problem(const char* k, std::string message) { problems.push_back({k, std::move(message)}); }
  bool has(const char* k) const {
    auto* v = o.if_contains(k);
    return v && !v->is_null();
  }
  std::optional<std::string> string(const char* k) {
    auto* v = o.if_contains(k);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) {
      problem(k, std::string("\"") + k + "\" must be a string.");
      return std::nullopt;
    }
    return std::string(v->as_string());
  }
  std::optional<bool> boolean(const char* k) {
    auto* v = o.if_contains(k);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_bool()) {
      problem(k, std::string("\"") + k + "\" must be true or false.");
      return std::nullopt;
    }
    return v->as_bool();
  }
  std::optional<std::int64_t> integer(const char* k) {
    auto* v = o.if_contains(k);
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64() && v->as_uint64() <= 1000000000u) return static_cast<std::int64_t>(v->as_uint64());
    problem(k, std::string("\"") + k + "\" must be a whole number.");
    return std::nullopt;
  }
  std::optional<std::vector<std::string>> strings(const char* k) {
    auto* v = o.if_contains(k);
    if (!v || v->is_null()) return std::nullopt;
    std::vector<std::string> out;
    if (v->is_array()) {
      for (auto& e : v->as_array()) {
        if (!e.is_string()) {
          problem(k, std::string("\"") + k + "\" must be a list of strings.");
          return std::nullopt;
        }
        out.emplace_back(e.as_string());
      }
      return out;
    }
    problem(k, std::string("\"") + k + "\" must be a list of strings.");
    return std::nullopt;
  }
};

}  // namespace samling::api
