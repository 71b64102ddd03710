// The files shipped with the configuration stay true to config_keys() and stage_keys():
// config/samling.toml holds every key at its default (plus the demo stages), and
// docs/configuration.md documents every key, variable and stage key.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <boost/json.hpp>

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

// The scalar keys of config/samling.toml: the defaults but shipped_differences.
config shipped_scalars() {
  config c;
  c.auth.dev_tokens = true;
  return c;
}

// The whole of config/samling.toml: the scalars and the four demo stages, generated test
// pictures in the demo program's main hall, its seminar rooms A and C and its press room, each
// named as its room.
config shipped_expected() {
  config c = shipped_scalars();
  stage_config s;
  s.id = "main";
  s.name = {{"sv", "Stora salen"}, {"en", "Main hall"}, {"fi", "Pääsali"}};
  s.room = "main";
  s.mode = "produced";
  s.input = "test";
  s.width = 854;
  s.height = 480;
  s.fps = 25;
  s.video_kbps = 1200;
  s.preset = "veryfast";
  s.record = false;
  c.stages.push_back(s);
  stage_config seminar;
  seminar.id = "seminar-housing";
  seminar.name = {{"sv", "Sal A – Bosättning"}, {"en", "Room A – Housing"}, {"fi", "Sali A – Asuminen"}};
  seminar.room = "seminar-housing";
  seminar.mode = "produced";
  seminar.input = "test";
  seminar.width = 640;
  seminar.height = 360;
  seminar.fps = 15;
  seminar.video_kbps = 500;
  seminar.preset = "veryfast";
  seminar.record = false;
  c.stages.push_back(seminar);
  // Issue 18: the press room's stage, press-only, and seminar C under an embargo (press-only
  // until 13:00 Stockholm time on the demo day, 2027-02-09T12:00:00Z, then public).
  stage_config press = seminar;
  press.id = "press";
  press.name = {{"sv", "Pressrum"}, {"en", "Press room"}, {"fi", "Mediahuone"}};
  press.room = "press";
  press.visibility = "press";
  press.is_public = false;
  c.stages.push_back(press);
  stage_config embargoed = press;
  embargoed.id = "seminar-work";
  embargoed.name = {{"sv", "Sal C – Arbetsmarknad"}, {"en", "Room C – Labour market"}, {"fi", "Sali C – Työmarkkinat"}};
  embargoed.room = "seminar-work";
  embargoed.public_at = 1802174400;
  c.stages.push_back(embargoed);
  return c;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string joined(const std::vector<config_error>& errors) {
  std::string all;
  for (const config_error& e : errors) all += "\n  " + e.to_string();
  return all;
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
  EXPECT_TRUE(errors.empty()) << joined(errors);
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
  EXPECT_EQ(c, shipped_scalars());
}

TEST(default_config_file, the_demo_room_is_in_the_demo_program) {
  // The demo stage shows the demo program's main hall; renaming the room would unlink them.
  std::string program = read_text(source_dir + "/config/demo/stockholm-tillsammans.json");
  ASSERT_FALSE(program.empty());
  std::size_t room = program.find("\"id\": \"main\"");
  ASSERT_NE(room, std::string::npos);
  EXPECT_EQ(program.find("\"kind\": \"main_stage\""), program.find("\"kind\"", room));
}

// Each demo stage shows a room of the demo program and is named as that room in every
// language, so the page never calls one place by two names (issue 15: "Stora scenen" in
// "Stora salen").
TEST(default_config_file, each_demo_stage_is_named_as_its_room) {
  boost::json::value program = boost::json::parse(read_text(source_dir + "/config/demo/stockholm-tillsammans.json"));
  const boost::json::array& rooms = program.at("rooms").as_array();
  for (const stage_config& s : shipped_expected().stages) {
    SCOPED_TRACE(s.id);
    const boost::json::object* room = nullptr;
    for (const auto& r : rooms)
      if (r.at("id").as_string() == s.room) room = &r.as_object();
    ASSERT_NE(room, nullptr) << "no room \"" << s.room << "\" in the demo program";
    std::map<std::string, std::string> names;
    for (const auto& [lang, name] : room->at("name").as_object()) names[std::string(lang)] = std::string(name.as_string());
    EXPECT_EQ(s.name, names);
  }
}

// The commented SRT + YouTube example at the end of config/samling.toml is valid once
// uncommented and its variables set.
TEST(default_config_file, the_commented_stage_example_is_valid) {
  std::vector<std::string> lines = read_lines(default_config);
  std::string text = read_text(default_config);
  bool in_example = false;
  for (const std::string& line : lines) {
    if (line == "# [[stages]]") in_example = true;
    if (!in_example) continue;
    ASSERT_EQ(line.rfind("#", 0), 0u) << line;
    text += line.size() > 2 ? line.substr(2) + "\n" : "\n";
  }
  ASSERT_TRUE(in_example) << "no commented [[stages]] example in " << default_config;
  config c;
  auto errors = load_from_string(text, {{"STAGE_PASSPHRASE", "a long passphrase"},
                                        {"YOUTUBE_STREAM_KEY", "abcd-efgh-ijkl-mnop"}},
                                 c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  ASSERT_EQ(c.stages.size(), shipped_expected().stages.size() + 1);
  const stage_config& example = c.stages.back();
  EXPECT_EQ(example.input, "srt");
  EXPECT_EQ(example.passphrase, "a long passphrase");
  ASSERT_EQ(example.outputs.size(), 1u);
  EXPECT_EQ(example.outputs[0].key, "abcd-efgh-ijkl-mnop");
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

// The lines of docs/configuration.md from the heading `heading` to the next "## " heading.
std::vector<std::string> docs_section(const std::string& heading) {
  std::vector<std::string> section;
  bool in = false;
  for (const std::string& line : read_lines(docs)) {
    if (line.rfind("## ", 0) == 0) in = line == heading;
    if (in) section.push_back(line);
  }
  return section;
}

// Every stage key has a row in the Stages section's table with its type and default (or
// "required"), and no row names a key that does not exist.
TEST(configuration_docs, document_every_stage_key_in_the_stages_section) {
  std::vector<std::string> section = docs_section("## Stages");
  ASSERT_FALSE(section.empty()) << "no \"## Stages\" heading in " << docs;
  for (const key_info& k : stage_keys()) {
    SCOPED_TRACE(k.key);
    EXPECT_TRUE(k.env.empty());
    EXPECT_FALSE(k.description.empty());
    std::string key_cell = "| `" + k.key + "` |";
    const std::string* row = nullptr;
    for (const std::string& line : section) {
      if (line.rfind(key_cell, 0) == 0) row = &line;
    }
    ASSERT_NE(row, nullptr) << "no row starting with " << key_cell << " under ## Stages";
    EXPECT_NE(row->find("| " + k.type + " |"), std::string::npos) << *row;
    std::string shown = k.description.rfind("Required.", 0) == 0 ? "| required |"
                        : k.type == "string" ? "`\"" + k.default_value + "\"`"
                                             : "`" + k.default_value + "`";
    EXPECT_NE(row->find(shown), std::string::npos) << "default " << shown << " not in: " << *row;
  }
  std::size_t rows = 0;
  for (const std::string& line : section) {
    if (line.rfind("| `", 0) == 0) ++rows;
  }
  EXPECT_EQ(rows, stage_keys().size()) << "the Stages table has rows for unknown keys";
  std::string text;
  for (const std::string& line : section) text += line + "\n";
  EXPECT_NE(text.find("not overridable from the environment"), std::string::npos);
}

// The example in the Stages section is a valid configuration.
TEST(configuration_docs, the_stages_example_is_valid) {
  std::string toml;
  bool in = false, found = false;
  for (const std::string& line : docs_section("## Stages")) {
    if (!found && line == "```toml") {
      in = found = true;
      continue;
    }
    if (in && line == "```") in = false;
    if (in) toml += line + "\n";
  }
  ASSERT_TRUE(found) << "no ```toml example under ## Stages";
  config c;
  auto errors = load_from_string(toml, {{"STAGE_PASSPHRASE", "a long passphrase"},
                                        {"YOUTUBE_STREAM_KEY", "xxxx-xxxx-xxxx-xxxx"}},
                                 c, "docs");
  EXPECT_TRUE(errors.empty()) << joined(errors) << "\n" << toml;
  ASSERT_EQ(c.stages.size(), 1u);
  EXPECT_EQ(c.stages[0].input, "srt");
  ASSERT_EQ(c.stages[0].outputs.size(), 1u);
  EXPECT_EQ(c.stages[0].outputs[0].key_env, "YOUTUBE_STREAM_KEY");
  EXPECT_EQ(c.stages[0].outputs[0].key, "xxxx-xxxx-xxxx-xxxx");
}

// The example of the press section (issue 18) is valid: an embargoed press stage and [press].
TEST(configuration_docs, the_press_example_is_valid) {
  std::string toml;
  bool in = false, found = false;
  for (const std::string& line : docs_section("## Press and gated stages")) {
    if (!found && line == "```toml") {
      in = found = true;
      continue;
    }
    if (in && line == "```") in = false;
    if (in) toml += line + "\n";
  }
  ASSERT_TRUE(found) << "no ```toml example under ## Press and gated stages";
  config c;
  auto errors = load_from_string(toml, {}, c, "docs");
  EXPECT_TRUE(errors.empty()) << joined(errors) << "\n" << toml;
  ASSERT_EQ(c.stages.size(), 1u);
  EXPECT_EQ(c.stages[0].visibility, "press");
  EXPECT_EQ(c.stages[0].public_at, 1802174400);  // 2027-02-09T12:00:00Z
  EXPECT_FALSE(c.stages[0].is_public);
  EXPECT_EQ(c.press.device_cap, 2u);
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
