// The files shipped with the configuration stay true to config_keys(): config/samling.toml holds
// every key at its default, and docs/configuration.md documents every key and variable.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace samling::config {
namespace {

const std::string source_dir = SAMLING_SOURCE_DIR;
const std::string default_config = source_dir + "/config/samling.toml";
const std::string docs = source_dir + "/docs/configuration.md";

// The one documented difference between config/samling.toml and the built-in defaults: the
// demo page mints tokens through POST /api/v1/dev/token, which must stay off by default because
// it lets anyone become an organizer (docs/configuration.md, auth.dev_tokens).
const std::map<std::string, std::string> shipped_differences = {{"auth.dev_tokens", "true"}};

config shipped_expected() {
  config c;
  c.auth.dev_tokens = true;
  return c;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(default_config_file, loads_without_errors_and_gives_the_defaults_but_dev_tokens) {
  config c;
  c.server.port = 1;  // so a load that does nothing cannot pass
  auto errors = load(default_config, {}, c);
  std::string all;
  for (const config_error& e : errors) all += "\n  " + e.to_string();
  EXPECT_TRUE(errors.empty()) << all;
  EXPECT_EQ(c, shipped_expected());
  EXPECT_TRUE(c.auth.dev_tokens);
  EXPECT_FALSE(config{}.auth.dev_tokens);
}

TEST(default_config_file, the_differences_table_matches_the_expected_config) {
  // shipped_differences (per key) and shipped_expected() (the struct) say the same thing.
  std::string toml;
  for (const auto& [key, value] : shipped_differences) toml += key + " = " + value + "\n";
  config c;
  auto errors = load_from_string(toml, {}, c);
  EXPECT_TRUE(errors.empty()) << toml;
  EXPECT_EQ(c, shipped_expected());
}

TEST(default_config_file, holds_every_key_with_its_default) {
  std::ifstream in(default_config);
  ASSERT_TRUE(in) << default_config;
  std::stringstream text;
  text << in.rdbuf();
  toml::table root;
#if TOML_EXCEPTIONS
  ASSERT_NO_THROW(root = toml::parse(text.str(), default_config));
#else
  auto result = toml::parse(text.str(), default_config);
  ASSERT_TRUE(result) << result.error().description();
  root = std::move(result).table();
#endif
  for (const key_info& k : config_keys()) {
    SCOPED_TRACE(k.key);
    toml::node_view<toml::node> node = root.at_path(k.key);
    ASSERT_TRUE(node) << "missing from " << default_config;
    std::string value;
    if (auto s = node.value<std::string>(); s && node.is_string()) value = *s;
    if (node.is_integer()) value = std::to_string(*node.value<std::int64_t>());
    if (node.is_boolean()) value = *node.value<bool>() ? "true" : "false";
    auto difference = shipped_differences.find(k.key);
    EXPECT_EQ(value, difference == shipped_differences.end() ? k.default_value
                                                               : difference->second);
  }
}

// Every key has a row in the docs' table with its env name, type and default, so the
// documentation cannot fall behind the code.
TEST(configuration_docs, document_every_key_with_its_variable_type_and_default) {
  std::vector<std::string> lines = read_lines(docs);
  ASSERT_FALSE(lines.empty()) << docs;
  for (const key_info& k : config_keys()) {
    SCOPED_TRACE(k.key);
    std::string key_cell = "| `" + k.key + "` |";
    const std::string* row = nullptr;
    for (const std::string& line : lines) {
      if (line.rfind(key_cell, 0) == 0) row = &line;
    }
    ASSERT_NE(row, nullptr) << "no table row starting with " << key_cell << " in " << docs;
    EXPECT_NE(row->find("`" + k.env + "`"), std::string::npos) << *row;
    EXPECT_NE(row->find("| " + k.type + " |"), std::string::npos) << *row;
    std::string shown =
        k.type == "string" ? "`\"" + k.default_value + "\"`" : "`" + k.default_value + "`";
    EXPECT_NE(row->find(shown), std::string::npos) << "default " << shown << " not in: " << *row;
  }
}

TEST(configuration_docs, document_the_reserved_variables) {
  std::ifstream in(docs);
  std::stringstream text;
  text << in.rdbuf();
  for (const std::string& name : reserved_environment()) {
    EXPECT_NE(text.str().find("`" + name + "`"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace samling::config
