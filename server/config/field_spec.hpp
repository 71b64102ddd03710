#pragma once
// The configuration's one table engine: a field_spec<Target> says where a key's value lives in
// a Target (config for the scalar keys in config.cpp; stage_config and output_config for
// [[stages]] and [[stages.outputs]] in stages.cpp), its type, its rule and its documentation.
// Reading from TOML, checking, and the key lists of the docs (config_keys(), stage_keys()) all
// go through it, so a key cannot be read without being checked and documented. A range or
// rule that belongs to another module is that module's (auth, media's stage_spec), pointed at
// from the table. Not for other modules.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/config_internal.hpp"
#include "media/stage_spec.hpp"

namespace samling::config::internal {

// name: a stage's name, a string or a table of languages (read and checked by stages.cpp).
enum class value_type { string, integer, boolean, number, name };

using name_map = std::map<std::string, std::string>;
// Where a key's value lives. The integer alternatives differ only in width; a spec's range
// never exceeds its field's width (check_table()).
using field_ref = std::variant<std::string*, std::uint32_t*, std::uint64_t*, bool*, double*, name_map*>;

template <class Target>
struct field_spec {
  std::string_view key;  // dotted TOML path ("server.port"), or the key inside a stage's table
  value_type type;
  field_ref (*field)(Target&);
  std::string_view description;  // for the docs: meaning and why the default
  bool required = false;         // for the docs: no default, must be given
  // Integers and numbers: the accepted range, inclusive (`even`: integers only).
  media::value_range range = {};
  // Strings: when not empty, the only accepted values; `not_yet` are known but not built.
  // (Spans over static lists, not vectors: GCC 12 crashes on a vector member's default
  // initializer in this template, an internal compiler error in nothrow_spec_p.)
  std::span<const std::string_view> one_of = {};
  std::span<const std::string_view> not_yet = {};
  bool non_empty = false;
  // Strings: a further rule; returns what is wrong, or nothing. Its message must not quote the
  // value, which may be a secret.
  std::optional<std::string> (*check)(const std::string&) = nullptr;
};

template <class Target>
const field_spec<Target>* find_field(const std::vector<field_spec<Target>>& fields, std::string_view key) {
  for (const field_spec<Target>& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

template <class Target>
std::vector<std::string> field_names(const std::vector<field_spec<Target>>& fields) {
  std::vector<std::string> names;
  for (const field_spec<Target>& f : fields) names.emplace_back(f.key);
  return names;
}

// "must be between 1 and 65535, got 70000" for an integer range, with the value as given.
inline std::string range_message(const media::value_range& r, std::string_view got) {
  return "must be between " + std::to_string(static_cast<std::int64_t>(r.min)) + " and " +
         std::to_string(static_cast<std::int64_t>(r.max)) + ", got " + std::string(got);
}

// media::integer_problem() for an unsigned value of any width.
inline std::optional<std::string> unsigned_problem(const media::value_range& r, std::uint64_t v) {
  if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return media::integer_problem(r, static_cast<std::int64_t>(v));
  }
  return range_message(r, std::to_string(v));
}

// What is wrong with the value stored in `f`'s field of `target`, or nothing. A name is its
// caller's to check.
template <class Target>
std::optional<std::string> field_problem(const field_spec<Target>& f, Target& target) {
  field_ref ref = f.field(target);
  switch (f.type) {
    case value_type::string: {
      const std::string& v = *std::get<std::string*>(ref);
      if (f.non_empty && v.empty()) return "must not be empty";
      if (std::find(f.not_yet.begin(), f.not_yet.end(), v) != f.not_yet.end()) {
        std::string allowed;
        for (std::string_view a : f.one_of) allowed += (allowed.empty() ? "" : ", ") + in_quotes(a);
        return in_quotes(v) + " is not available yet; expected one of " + allowed;
      }
      if (!f.one_of.empty()) {
        if (std::optional<std::string> problem = media::one_of_problem(f.one_of, v)) return problem;
      }
      if (f.check) return f.check(v);
      return std::nullopt;
    }
    case value_type::integer:
      if (const auto* narrow = std::get_if<std::uint32_t*>(&ref)) return unsigned_problem(f.range, **narrow);
      return unsigned_problem(f.range, *std::get<std::uint64_t*>(ref));
    case value_type::number:
      return media::number_problem(f.range, *std::get<double*>(ref));
    case value_type::boolean:
    case value_type::name:
      return std::nullopt;
  }
  return std::nullopt;
}

inline std::string_view article_type(value_type t) {
  switch (t) {
    case value_type::string:
      return "a string";
    case value_type::integer:
      return "an integer";
    case value_type::boolean:
      return "a boolean";
    case value_type::number:
      return "a number";
    case value_type::name:
      return "a string or a table of languages";
  }
  return "a value";
}

// Reads `node` into `f`'s field of `target` when its TOML type fits and, for an integer, it is
// within the range (checked before it is narrowed to the field's width). Otherwise returns the
// problem and stores nothing. The rest of the rule is field_problem()'s.
template <class Target>
std::optional<std::string> read_toml(const field_spec<Target>& f, const toml::node& node, Target& target) {
  field_ref ref = f.field(target);
  auto wrong_type = [&] {
    return "expected " + std::string(article_type(f.type)) + ", got " + std::string(toml_type_name(node.type()));
  };
  switch (f.type) {
    case value_type::string:
      if (const auto* v = node.as_string()) {
        *std::get<std::string*>(ref) = v->get();
        return std::nullopt;
      }
      return wrong_type();
    case value_type::boolean:
      if (const auto* v = node.as_boolean()) {
        *std::get<bool*>(ref) = v->get();
        return std::nullopt;
      }
      return wrong_type();
    case value_type::integer:
      if (const auto* v = node.as_integer()) {
        std::int64_t i = v->get();
        if (std::optional<std::string> problem = media::integer_problem(f.range, i)) return problem;
        std::visit(
            [i](auto* p) {
              using T = std::remove_pointer_t<decltype(p)>;
              if constexpr (std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>) {
                *p = static_cast<T>(i);
              }
            },
            ref);
        return std::nullopt;
      }
      return wrong_type();
    case value_type::number:
      // TOML has no implicit conversion: `keyframe_seconds = 2` is an integer.
      if (const auto* v = node.as_floating_point()) {
        *std::get<double*>(ref) = v->get();
        return std::nullopt;
      }
      if (const auto* i = node.as_integer()) {
        *std::get<double*>(ref) = static_cast<double>(i->get());
        return std::nullopt;
      }
      return wrong_type();
    case value_type::name:
      return wrong_type();  // read by its caller
  }
  return wrong_type();
}

// The key as the docs list it: `key` (with its table's prefix), its environment override
// (empty: none), its type and default (from `defaults`) and its description.
template <class Target>
key_info describe(const field_spec<Target>& f, Target& defaults, std::string key, std::string env) {
  std::string type, value;
  field_ref ref = f.field(defaults);
  switch (f.type) {
    case value_type::string:
      type = "string";
      value = *std::get<std::string*>(ref);
      break;
    case value_type::integer:
      type = "integer";
      value = std::visit(
          [](auto* p) -> std::string {
            using T = std::remove_pointer_t<decltype(p)>;
            if constexpr (std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::uint64_t>) {
              return std::to_string(*p);
            } else {
              return {};
            }
          },
          ref);
      break;
    case value_type::boolean:
      type = "boolean";
      value = *std::get<bool*>(ref) ? "true" : "false";
      break;
    case value_type::number:
      type = "number";
      value = media::format_number(*std::get<double*>(ref));
      break;
    case value_type::name:
      type = "string or table";
      break;
  }
  return {std::move(key), std::move(env), type, value, std::string(f.description)};
}

// A spec whose type does not match its field, or whose range the field cannot hold, is a
// defect in a table: it would let a valid-looking value be truncated on store. Fail loudly at
// once (tables are built on first use, at start-up).
template <class Target>
void check_table(const std::vector<field_spec<Target>>& fields) {
  Target probe{};
  for (const field_spec<Target>& f : fields) {
    field_ref ref = f.field(probe);
    bool fits = false;
    switch (f.type) {
      case value_type::string:
        fits = std::holds_alternative<std::string*>(ref);
        break;
      case value_type::boolean:
        fits = std::holds_alternative<bool*>(ref);
        break;
      case value_type::number:
        fits = std::holds_alternative<double*>(ref);
        break;
      case value_type::name:
        fits = std::holds_alternative<name_map*>(ref);
        break;
      case value_type::integer:
        fits = f.range.min >= 0 &&
               (std::holds_alternative<std::uint64_t*>(ref) ||
                (std::holds_alternative<std::uint32_t*>(ref) && f.range.max <= std::numeric_limits<std::uint32_t>::max()));
        break;
    }
    if (!fits || f.range.min > f.range.max) {
      std::fprintf(stderr, "samling::config: the spec of %.*s is inconsistent\n", static_cast<int>(f.key.size()),
                   f.key.data());
      std::abort();
    }
  }
}

}  // namespace samling::config::internal
