// [[stages]] and [[stages.outputs]]: parsing, secrets from the environment, and every error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "press/access.hpp"

namespace samling::config {
namespace {

using env_map = std::map<std::string, std::string>;

std::string joined(const std::vector<config_error>& errors) {
  std::string s;
  for (const config_error& e : errors) s += "\n  " + e.to_string();
  return s.empty() ? "\n  (no errors)" : s;
}

std::vector<config_error> load_text(const std::string& text, const env_map& env = {}) {
  config c;
  return load_from_string(text, env, c, "test.toml");
}

void expect_one_error(const std::vector<config_error>& errors, const std::string& key,
                      const std::string& message) {
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, key) << joined(errors);
  EXPECT_EQ(errors[0].message.substr(0, message.size()), message) << joined(errors);
}

// A valid stage to which a test adds one line.
const std::string minimal = R"(
[[stages]]
id = "main"
name = "Main stage"
mode = "produced"
)";

// `minimal` with `line` added, or replacing the line of the same key.
std::string minimal_with(const std::string& line) {
  std::string text = "\n[[stages]]\n";
  for (std::string base : {"id = \"main\"", "name = \"Main stage\"", "mode = \"produced\""}) {
    std::string key = base.substr(0, base.find(' '));
    if (line.rfind(key + " ", 0) != 0) text += base + "\n";
  }
  return text + line + "\n";
}

const std::string srt_with_output = R"(
[[stages]]
id = "hall"
name = "Hall"
input = "srt"
[[stages.outputs]]
id = "yt"
name = "YouTube"
url = "rtmp://a.rtmp.youtube.com/live2"
)";

TEST(stages, none_by_default) {
  config c;
  auto errors = load_from_string("", {}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_TRUE(c.stages.empty());
  EXPECT_TRUE(c.media.enabled);
  EXPECT_EQ(c.media.dir, "var/media");
}

TEST(stages, a_full_example_is_read) {
  const std::string text = R"(
[media]
enabled = false
dir = "/srv/media"

[[stages]]
id = "main"
name = { sv = "Stora scenen", en = "Main stage", fi = "Päälava" }
event = "conf-2027"
room = "main"
public = false
autostart = false
mode = "produced"
input = "srt"
listen = "::"
port = 9001
passphrase = "0123456789"
stream_id = "#!::r=venue/main,m=publish"
latency_ms = 500
url = "srt://example.org:9000"
file = ""
width = 1920
height = 1080
fps = 50
video_kbps = 6000
audio_kbps = 192
keyframe_seconds = 2
preset = "fast"
hls_segment_seconds = 4.0
hls_window_seconds = 3600
record = true
input_timeout_ms = 1500

[[stages.outputs]]
id = "youtube"
name = "YouTube"
url = "rtmps://a.rtmps.youtube.com/live2"
key = "abcd-efgh"
enabled = false

[[stages.outputs]]
id = "twitch"
name = "Twitch"
url = "rtmp://live.twitch.tv/app"
key_env = "TWITCH_KEY"

[[stages]]
id = "seminar-a"
name = "Seminar A"
input = "pull"
url = "rtmp://encoder.local/live/a"
)";
  config c;
  auto errors = load_from_string(text, {{"TWITCH_KEY", "live_123"}}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_FALSE(c.media.enabled);
  EXPECT_EQ(c.media.dir, "/srv/media");
  ASSERT_EQ(c.stages.size(), 2u);

  stage_config expected;
  expected.id = "main";
  expected.name = {{"sv", "Stora scenen"}, {"en", "Main stage"}, {"fi", "Päälava"}};
  expected.event = "conf-2027";
  expected.room = "main";
  expected.is_public = false;
  expected.visibility = "press";  // the old `public = false`
  expected.autostart = false;
  expected.mode = "produced";
  expected.input = "srt";
  expected.listen = "::";
  expected.port = 9001;
  expected.passphrase = "0123456789";
  expected.stream_id = "#!::r=venue/main,m=publish";
  expected.latency_ms = 500;
  expected.url = "srt://example.org:9000";
  expected.width = 1920;
  expected.height = 1080;
  expected.fps = 50;
  expected.video_kbps = 6000;
  expected.audio_kbps = 192;
  expected.keyframe_seconds = 2.0;
  expected.preset = "fast";
  expected.hls_segment_seconds = 4.0;
  expected.hls_window_seconds = 3600.0;
  expected.record = true;
  expected.input_timeout_ms = 1500;
  expected.outputs = {
      {.id = "youtube", .name = "YouTube", .url = "rtmps://a.rtmps.youtube.com/live2",
       .key = "abcd-efgh", .key_env = "", .enabled = false},
      {.id = "twitch", .name = "Twitch", .url = "rtmp://live.twitch.tv/app", .key = "live_123",
       .key_env = "TWITCH_KEY", .enabled = true},
  };
  EXPECT_EQ(c.stages[0], expected);

  stage_config pull;
  pull.id = "seminar-a";
  pull.name = {{"sv", "Seminar A"}, {"en", "Seminar A"}, {"fi", "Seminar A"}};
  pull.input = "pull";
  pull.url = "rtmp://encoder.local/live/a";
  EXPECT_EQ(c.stages[1], pull);
}

TEST(stages, defaults_of_a_stage_and_an_output) {
  config c;
  auto errors = load_from_string(minimal, {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  ASSERT_EQ(c.stages.size(), 1u);
  const stage_config& s = c.stages[0];
  EXPECT_EQ(s.input, "test");
  EXPECT_EQ(s.port, 9000u);
  EXPECT_EQ(s.listen, "0.0.0.0");
  EXPECT_TRUE(s.is_public);
  EXPECT_TRUE(s.autostart);
  EXPECT_EQ(s.hls_segment_seconds, 2.0);
  EXPECT_EQ(s.hls_window_seconds, 120.0);
  EXPECT_EQ(s.keyframe_seconds, 1.0);
  EXPECT_EQ(output_config{}.enabled, true);
}

TEST(stages, name_as_plain_string_is_every_language) {
  config c;
  auto errors = load_from_string(minimal, {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  std::map<std::string, std::string> all = {
      {"sv", "Main stage"}, {"en", "Main stage"}, {"fi", "Main stage"}};
  EXPECT_EQ(c.stages[0].name, all);
}

TEST(stages, name_as_table_keeps_the_languages_given) {
  config c;
  auto errors = load_from_string(
      "[[stages]]\nid = \"a\"\nmode = \"produced\"\nname = { en = \"Hall\" }\n", {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  std::map<std::string, std::string> en = {{"en", "Hall"}};
  EXPECT_EQ(c.stages[0].name, en);
  // The [stages.name] table form works too.
  errors = load_from_string(
      "[[stages]]\nid = \"a\"\nmode = \"produced\"\n[stages.name]\nsv = \"Sal\"\n", {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  std::map<std::string, std::string> sv = {{"sv", "Sal"}};
  EXPECT_EQ(c.stages[0].name, sv);
}

TEST(stages, numbers_may_be_integers_or_floats) {
  config c;
  auto errors = load_from_string(minimal + "keyframe_seconds = 0.5\nhls_segment_seconds = 1\n"
                                           "hls_window_seconds = 21600\n",
                                 {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.stages[0].keyframe_seconds, 0.5);
  EXPECT_EQ(c.stages[0].hls_segment_seconds, 1.0);
  EXPECT_EQ(c.stages[0].hls_window_seconds, 21600.0);
}

TEST(stages, range_boundaries_are_accepted) {
  for (const std::string& extra : std::vector<std::string>{
           "input = \"srt\"\nport = 1\nlatency_ms = 20\nwidth = 16\nheight = 16\nfps = 1\n"
           "video_kbps = 100\naudio_kbps = 32\ninput_timeout_ms = 200\n"
           "passphrase = \"0123456789\"\n",
           "input = \"srt\"\nport = 65535\nlatency_ms = 10000\nwidth = 3840\nheight = 2160\n"
           "fps = 60\nvideo_kbps = 50000\naudio_kbps = 320\ninput_timeout_ms = 10000\n"
           "keyframe_seconds = 10\nhls_segment_seconds = 10\nhls_window_seconds = 30\n"
           "passphrase = \"" + std::string(79, 'p') + "\"\n"
           "stream_id = \"" + std::string(512, 's') + "\"\n",
       }) {
    SCOPED_TRACE(extra);
    auto errors = load_text(minimal + extra);
    EXPECT_TRUE(errors.empty()) << joined(errors);
  }
}

// --- errors of one value, reported with the value's location ----------------------------------

TEST(stages, wrong_types_and_values) {
  struct row {
    std::string line, key, message;
  };
  const std::vector<row> rows = {
      {"port = \"9000\"", "stages[0].port", "expected an integer, got string"},
      {"port = 9000.0", "stages[0].port", "expected an integer, got float"},
      {"public = \"yes\"", "stages[0].public", "expected a boolean, got string"},
      {"record = 1", "stages[0].record", "expected a boolean, got integer"},
      {"room = 5", "stages[0].room", "expected a string, got integer"},
      {"keyframe_seconds = \"1\"", "stages[0].keyframe_seconds", "expected a number, got string"},
      {"name = 5", "stages[0].name", "expected a string or a table of languages, got integer"},
      {"name = { sv = 5 }", "stages[0].name.sv", "expected a string, got integer"},
      {"name = { de = \"Bühne\" }", "stages[0].name.de",
       "unknown language, expected \"sv\", \"en\" or \"fi\""},
      {"name = { sw = \"x\" }", "stages[0].name.sw",
       "unknown language, expected \"sv\", \"en\" or \"fi\", did you mean \"sv\"?"},
      {"name = { sv = \"\" }", "stages[0].name.sv", "must not be empty"},
      {"name = {}", "stages[0].name", "is required"},
      {"name = \"" + std::string(101, 'x') + "\"", "stages[0].name",
       "must be 1 to 100 characters"},
      {"name = \"\"", "stages[0].name", "must not be empty"},
      {"name = { en = \"" + std::string(101, 'x') + "\" }", "stages[0].name.en",
       "must be 1 to 100 characters"},
      {"id = \"Main\"", "stages[0].id",
       "must be 1 to 40 characters of a-z, 0-9 and '-', got \"Main\""},
      {"id = \"" + std::string(41, 'a') + "\"", "stages[0].id", "must be 1 to 40 characters"},
      {"id = \"\"", "stages[0].id", "is required: 1 to 40 characters"},
      {"mode = \"live\"", "stages[0].mode",
       "expected one of \"passthrough\", \"produced\", got \"live\""},
      {"input = \"rtmp\"", "stages[0].input",
       "expected one of \"srt\", \"pull\", \"file\", \"test\", got \"rtmp\""},
      {"listen = \"\"", "stages[0].listen", "must not be empty"},
      {"port = 0", "stages[0].port", "must be between 1 and 65535, got 0"},
      {"port = 65536", "stages[0].port", "must be between 1 and 65535, got 65536"},
      {"port = -1", "stages[0].port", "must be between 1 and 65535, got -1"},
      {"port = 4294976296", "stages[0].port", "must be between 1 and 65535, got 4294976296"},
      {"passphrase = \"short\"", "stages[0].passphrase",
       "must be empty (unencrypted) or 10 to 79 characters, got 5 characters"},
      {"passphrase = \"" + std::string(80, 'p') + "\"", "stages[0].passphrase",
       "must be empty (unencrypted) or 10 to 79 characters, got 80"},
      {"passphrase_env = \"1X\"", "stages[0].passphrase_env",
       "must be an environment variable name"},
      {"passphrase_env = \"SAMLING_SERVER_PORT\"", "stages[0].passphrase_env",
       "\"SAMLING_SERVER_PORT\" is the override of server.port"},
      {"stream_id = \"" + std::string(513, 's') + "\"", "stages[0].stream_id",
       "must be at most 512 characters, got 513"},
      {"stream_id = \"venue\\tmain\"", "stages[0].stream_id", "must not contain control characters"},
      {"latency_ms = 19", "stages[0].latency_ms", "must be between 20 and 10000, got 19"},
      {"latency_ms = 10001", "stages[0].latency_ms", "must be between 20 and 10000, got 10001"},
      {"url = \"udp://x\"", "stages[0].url", "must be an srt://, rtmp://"},
      {"width = 15", "stages[0].width", "must be between 16 and 3840, got 15"},
      {"width = 3842", "stages[0].width", "must be between 16 and 3840, got 3842"},
      {"width = 853", "stages[0].width", "must be even, got 853"},
      {"height = 2162", "stages[0].height", "must be between 16 and 2160, got 2162"},
      {"height = 479", "stages[0].height", "must be even, got 479"},
      {"fps = 0", "stages[0].fps", "must be between 1 and 60, got 0"},
      {"fps = 61", "stages[0].fps", "must be between 1 and 60, got 61"},
      {"video_kbps = 99", "stages[0].video_kbps", "must be between 100 and 50000, got 99"},
      {"audio_kbps = 321", "stages[0].audio_kbps", "must be between 32 and 320, got 321"},
      {"keyframe_seconds = 0.4", "stages[0].keyframe_seconds",
       "must be between 0.5 and 10.0, got 0.4"},
      {"keyframe_seconds = 11", "stages[0].keyframe_seconds",
       "must be between 0.5 and 10.0, got 11.0"},
      {"keyframe_seconds = nan", "stages[0].keyframe_seconds", "must be between 0.5 and 10.0"},
      {"hls_segment_seconds = 0.25", "stages[0].hls_segment_seconds",
       "must be between 0.5 and 10.0, got 0.25"},
      {"hls_window_seconds = inf", "stages[0].hls_window_seconds",
       "must be between 1.5 and 21600.0"},
      {"hls_window_seconds = 21601", "stages[0].hls_window_seconds",
       "must be between 1.5 and 21600.0, got 21601.0"},
      {"preset = \"slow\"", "stages[0].preset", "expected one of \"ultrafast\", \"superfast\""},
      {"input_timeout_ms = 199", "stages[0].input_timeout_ms",
       "must be between 200 and 10000, got 199"},
      {"input_timeout_ms = 10001", "stages[0].input_timeout_ms",
       "must be between 200 and 10000, got 10001"},
      {"outputs = 1", "stages[0].outputs",
       "expected an array of tables ([[stages.outputs]]), got integer"},
      {"outputs = [1]", "stages[0].outputs[0]", "expected a table, got integer"},
  };
  for (const row& r : rows) {
    std::string text = minimal_with(r.line);
    SCOPED_TRACE(text);
    auto errors = load_text(text);
    expect_one_error(errors, r.key, r.message);
    if (!errors.empty()) {
      EXPECT_NE(errors[0].message.find("(test.toml:"), std::string::npos) << joined(errors);
    }
  }
}

TEST(stages, a_value_error_names_file_line_and_column) {
  auto errors = load_text(minimal + "port = 0\n");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_NE(errors[0].message.find("(test.toml:6:8)"), std::string::npos) << joined(errors);
}

TEST(stages, output_values) {
  struct row {
    std::string line, key, message;
  };
  const std::vector<row> rows = {
      {"url = \"http://x.example/live\"", "stages[0].outputs[0].url",
       "must be an rtmp:// or rtmps:// server URL without the stream key"},
      {"url = \"srt://x.example:9000\"", "stages[0].outputs[0].url", "must be an rtmp://"},
      {"url = \"rtmp://x\"", "stages[0].outputs[0].url", "must be an rtmp:// or rtmps:// server "
                                                          "URL without the stream key, 10 to 500"},
      {"url = \"rtmp://a b.example/live\"", "stages[0].outputs[0].url", "must be an rtmp://"},
      {"url = \"\"", "stages[0].outputs[0].url", "is required"},
      {"id = \"YT\"", "stages[0].outputs[0].id", "must be 1 to 40 characters"},
      {"name = \"\"", "stages[0].outputs[0].name", "is required"},
      {"name = \"" + std::string(61, 'n') + "\"", "stages[0].outputs[0].name",
       "must be 1 to 60 characters"},
      {"enabled = \"no\"", "stages[0].outputs[0].enabled", "expected a boolean, got string"},
      {"key = \"has space\"", "stages[0].outputs[0].key",
       "must be 1 to 300 characters without spaces"},
      {"key_env = \"MY-KEY\"", "stages[0].outputs[0].key_env",
       "must be an environment variable name"},
      {"key = \"k\"\nkey_env = \"K\"", "stages[0].outputs[0].key_env",
       "set either key or key_env, not both"},
  };
  // The line replaces the output's line of the same key (a key line replaces the key).
  for (const row& r : rows) {
    std::string text = "[[stages]]\nid = \"hall\"\nname = \"Hall\"\ninput = \"srt\"\n"
                       "[[stages.outputs]]\n";
    for (std::string base : {"id = \"yt\"", "name = \"YouTube\"",
                             "url = \"rtmp://a.rtmp.youtube.com/live2\"", "key = \"k\""}) {
      std::string key = base.substr(0, base.find(' '));
      bool replaced = key == "key" ? r.line.find("key") != std::string::npos
                                   : r.line.rfind(key + " ", 0) == 0;
      if (!replaced) text += base + "\n";
    }
    text += r.line + "\n";
    SCOPED_TRACE(text);
    expect_one_error(load_text(text, {{"K", "v"}}), r.key, r.message);
  }
}

TEST(stages, secrets_are_never_quoted) {
  const std::string secret = "sekret with space";
  auto errors = load_text(srt_with_output + "key = \"" + secret + "\"\n");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].message.find("sekret"), std::string::npos) << joined(errors);
  errors = load_text(minimal + "passphrase = \"sekret\"\n");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].message.find("sekret"), std::string::npos) << joined(errors);
  errors = load_text(minimal + "passphrase_env = \"P\"\n", {{"P", "sekret"}});
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].message.find("sekret"), std::string::npos) << joined(errors);
}

// --- unknown keys -----------------------------------------------------------------------------

TEST(stages, unknown_keys_with_suggestion) {
  struct row {
    std::string text, key, message;
  };
  const std::vector<row> rows = {
      {minimal + "prot = 9000\n", "stages[0].prot", "unknown key, did you mean \"port\"?"},
      {minimal + "output = []\n", "stages[0].output", "unknown key, did you mean \"outputs\"?"},
      {minimal + "pubic = true\n", "stages[0].pubic", "unknown key, did you mean \"public\"?"},
      {minimal + "bitrate = 5\n", "stages[0].bitrate", "unknown key ("},
      {srt_with_output + "key = \"k\"\nkye_env = \"X\"\n", "stages[0].outputs[0].kye_env",
       "unknown key, did you mean \"key_env\"?"},
      {srt_with_output + "key = \"k\"\nenable = false\n", "stages[0].outputs[0].enable",
       "unknown key, did you mean \"enabled\"?"},
      {"[[stage]]\nid = \"a\"\n", "stage", "unknown key, did you mean \"stages\"?"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.text);
    expect_one_error(load_text(r.text), r.key, r.message);
  }
}

TEST(stages, stages_must_be_an_array_of_tables) {
  expect_one_error(load_text("[stages]\nid = \"a\"\n"), "stages",
                   "expected an array of tables ([[stages]]), got table");
  expect_one_error(load_text("stages = 1\n"), "stages",
                   "expected an array of tables ([[stages]]), got integer");
  // A stage that is not a table keeps its position: the next one is still stages[1].
  auto errors = load_text("stages = [1, { id = \"B\", name = \"b\", mode = \"produced\" }]\n");
  ASSERT_EQ(errors.size(), 2u) << joined(errors);
  EXPECT_EQ(errors[0].key, "stages[0]");
  EXPECT_EQ(errors[0].message.rfind("expected a table, got integer", 0), 0u);
  EXPECT_EQ(errors[1].key, "stages[1].id");
}

// --- what each input needs, and checks across fields ------------------------------------------

TEST(stages, required_keys) {
  struct row {
    std::string text, key, message;
  };
  const std::vector<row> rows = {
      {"[[stages]]\nname = \"x\"\nmode = \"produced\"\n", "stages[0].id", "is required"},
      {"[[stages]]\nid = \"x\"\nmode = \"produced\"\n", "stages[0].name", "is required"},
      {"[[stages]]\nid = \"x\"\nname = \"x\"\ninput = \"pull\"\n", "stages[0].url",
       "is required with input = \"pull\""},
      {"[[stages]]\nid = \"x\"\nname = \"x\"\ninput = \"file\"\n", "stages[0].file",
       "is required with input = \"file\""},
      {"[[stages]]\nid = \"x\"\nname = \"x\"\ninput = \"file\"\nfile = \"/nonexistent/loop.mp4\"\n",
       "stages[0].file", "file not found: /nonexistent/loop.mp4"},
      {"[[stages]]\nid = \"x\"\nname = \"x\"\n", "stages[0].mode",
       "input = \"test\" makes raw video and needs mode = \"produced\", got \"passthrough\""},
      {"[[stages]]\nid = \"x\"\nname = \"x\"\ninput = \"test\"\nmode = \"passthrough\"\n",
       "stages[0].mode", "input = \"test\" makes raw video"},
      {srt_with_output, "stages[0].outputs[0].key", "is required: set key_env"},
      {"[[stages]]\nid = \"x\"\nname = \"x\"\ninput = \"srt\"\n[[stages.outputs]]\nname = \"a\"\n"
       "url = \"rtmp://a.example/x\"\nkey = \"k\"\n",
       "stages[0].outputs[0].id", "is required"},
      {"[[stages]]\nid = \"x\"\nname = \"x\"\ninput = \"srt\"\n[[stages.outputs]]\nid = \"a\"\n"
       "url = \"rtmp://a.example/x\"\nkey = \"k\"\n",
       "stages[0].outputs[0].name", "is required"},
      {"[[stages]]\nid = \"x\"\nname = \"x\"\ninput = \"srt\"\n[[stages.outputs]]\nid = \"a\"\n"
       "name = \"a\"\nkey = \"k\"\n",
       "stages[0].outputs[0].url", "is required"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.text);
    expect_one_error(load_text(r.text), r.key, r.message);
  }
}

TEST(stages, srt_pull_and_file_inputs_are_valid_without_produced_mode) {
  namespace fs = std::filesystem;
  fs::path file = fs::temp_directory_path() /
                  ("samling_stages_test_" + std::to_string(::getpid()) + ".mp4");
  std::ofstream(file) << "not really a video";
  for (std::string extra : {std::string("input = \"srt\"\n"),
                            std::string("input = \"pull\"\nurl = \"srt://enc.local:9000\"\n"),
                            "input = \"file\"\nfile = \"" + file.string() + "\"\n"}) {
    SCOPED_TRACE(extra);
    auto errors = load_text("[[stages]]\nid = \"x\"\nname = \"x\"\n" + extra);
    EXPECT_TRUE(errors.empty()) << joined(errors);
  }
  fs::remove(file);
}

TEST(stages, hls_window_and_segments) {
  expect_one_error(load_text(minimal + "hls_segment_seconds = 4\nkeyframe_seconds = 2\n"
                                       "hls_window_seconds = 11.5\n"),
                   "stages[0].hls_window_seconds",
                   "must be at least 3 segments (3 x hls_segment_seconds = 12.0), got 11.5");
  EXPECT_TRUE(load_text(minimal + "hls_segment_seconds = 4\nhls_window_seconds = 12\n").empty());
  // Produced mode: segments start at keyframes, so a segment cannot be shorter than the
  // keyframe interval. Passthrough takes the input's keyframes, so the key is not used there.
  expect_one_error(load_text(minimal + "keyframe_seconds = 3\n"), "stages[0].hls_segment_seconds",
                   "must be at least keyframe_seconds (3.0) in produced mode");
  EXPECT_TRUE(load_text("[[stages]]\nid = \"x\"\nname = \"x\"\ninput = \"srt\"\n"
                        "keyframe_seconds = 3\n")
                  .empty());
}

TEST(stages, duplicate_ids_and_ports) {
  expect_one_error(load_text(minimal + minimal), "stages[1].id",
                   "duplicate stage id \"main\" (also stages[0])");
  const std::string srt = "[[stages]]\nid = \"a\"\nname = \"a\"\ninput = \"srt\"\n";
  const std::string srt_b = "[[stages]]\nid = \"b\"\nname = \"b\"\ninput = \"srt\"\n";
  expect_one_error(load_text(srt + srt_b), "stages[1].port",
                   "UDP port 9000 is also used by stages[0]");
  EXPECT_TRUE(load_text(srt + srt_b + "port = 9001\n").empty());
  EXPECT_TRUE(
      load_text(srt + "listen = \"10.0.0.1\"\n" + srt_b + "listen = \"10.0.0.2\"\n").empty());
  // The port of a non-SRT stage is not used.
  EXPECT_TRUE(load_text(srt + minimal).empty());
  // Outputs: unique within a stage, free across stages.
  const std::string out = "[[stages.outputs]]\nid = \"yt\"\nname = \"YouTube\"\n"
                          "url = \"rtmp://a.example/live\"\nkey = \"k\"\n";
  expect_one_error(load_text(srt + out + out), "stages[0].outputs[1].id",
                   "duplicate output id \"yt\" (also outputs[0])");
  EXPECT_TRUE(load_text(srt + out + srt_b + "port = 9001\n" + out).empty());
}

// --- secrets from the environment ---------------------------------------------------------------

TEST(stages, key_env_is_resolved_into_key) {
  config c;
  auto errors = load_from_string(srt_with_output + "key_env = \"YOUTUBE_STREAM_KEY\"\n",
                                 {{"YOUTUBE_STREAM_KEY", "abcd-1234"}}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.stages[0].outputs[0].key, "abcd-1234");
  EXPECT_EQ(c.stages[0].outputs[0].key_env, "YOUTUBE_STREAM_KEY");
}

TEST(stages, key_env_must_be_set_and_not_empty) {
  expect_one_error(load_text(srt_with_output + "key_env = \"YOUTUBE_STREAM_KEY\"\n"),
                   "stages[0].outputs[0].key_env",
                   "environment variable YOUTUBE_STREAM_KEY is not set");
  expect_one_error(
      load_text(srt_with_output + "key_env = \"YOUTUBE_STREAM_KEY\"\n",
                {{"YOUTUBE_STREAM_KEY", ""}}),
      "stages[0].outputs[0].key_env", "environment variable YOUTUBE_STREAM_KEY is empty");
  expect_one_error(load_text(srt_with_output + "key_env = \"K\"\n", {{"K", "a b"}}),
                   "stages[0].outputs[0].key_env",
                   "the value of environment variable K must be 1 to 300 characters");
  // The error names the key_env line.
  auto errors = load_text(srt_with_output + "key_env = \"NOPE\"\n");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_NE(errors[0].message.find("(test.toml:10:11)"), std::string::npos) << joined(errors);
}

TEST(stages, passphrase_env_is_resolved_and_must_be_set) {
  const std::string srt = "[[stages]]\nid = \"a\"\nname = \"a\"\ninput = \"srt\"\n";
  config c;
  auto errors =
      load_from_string(srt + "passphrase_env = \"PASS\"\n", {{"PASS", "0123456789ab"}}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.stages[0].passphrase, "0123456789ab");
  EXPECT_EQ(c.stages[0].passphrase_env, "PASS");
  // Unset or empty must not fall back to an unencrypted stage in silence.
  expect_one_error(load_text(srt + "passphrase_env = \"PASS\"\n"), "stages[0].passphrase_env",
                   "environment variable PASS is not set");
  expect_one_error(load_text(srt + "passphrase_env = \"PASS\"\n", {{"PASS", ""}}),
                   "stages[0].passphrase_env", "environment variable PASS is empty");
  expect_one_error(load_text(srt + "passphrase_env = \"PASS\"\n", {{"PASS", "short"}}),
                   "stages[0].passphrase_env",
                   "the value of environment variable PASS must be empty (unencrypted) or 10 "
                   "to 79 characters, got 5");
  expect_one_error(
      load_text(srt + "passphrase = \"0123456789\"\npassphrase_env = \"PASS\"\n", {{"PASS", "x"}}),
      "stages[0].passphrase_env", "set either passphrase or passphrase_env, not both");
}

TEST(stages, a_samling_named_secret_variable_is_not_an_unknown_override) {
  config c;
  auto errors = load_from_string(srt_with_output + "key_env = \"SAMLING_YOUTUBE_KEY\"\n",
                                 {{"SAMLING_YOUTUBE_KEY", "k-1"}}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.stages[0].outputs[0].key, "k-1");
  // Unused, it is still reported.
  expect_one_error(load_text("", {{"SAMLING_YOUTUBE_KEY", "k-1"}}), "SAMLING_YOUTUBE_KEY",
                   "unknown environment variable");
}

TEST(stages, stages_are_not_overridden_from_the_environment) {
  expect_one_error(load_text(minimal, {{"SAMLING_STAGES", "x"}}), "SAMLING_STAGES",
                   "unknown environment variable");
}

// --- validate() on a config built in code -------------------------------------------------------

stage_config valid_stage() {
  stage_config s;
  s.id = "main";
  s.name = {{"en", "Main"}};
  s.mode = "produced";
  return s;
}

output_config output(const std::string& key, const std::string& key_env) {
  output_config o;
  o.id = "yt";
  o.name = "YT";
  o.url = "rtmp://a.example/x";
  o.key = key;
  o.key_env = key_env;
  return o;
}

TEST(stages, validate_checks_a_config_built_in_code) {
  struct row {
    std::function<void(config&)> change;
    std::string key, message;
  };
  const std::vector<row> rows = {
      {[](config& c) { c.stages[0].id = "A"; }, "stages[0].id", "must be 1 to 40"},
      {[](config& c) { c.stages[0].name.clear(); }, "stages[0].name", "is required"},
      {[](config& c) { c.stages[0].name = {{"de", "x"}}; }, "stages[0].name.de",
       "unknown language"},
      {[](config& c) { c.stages[0].port = 0; }, "stages[0].port", "must be between 1 and 65535"},
      {[](config& c) { c.stages[0].width = 1281; }, "stages[0].width", "must be even"},
      {[](config& c) { c.stages[0].keyframe_seconds = 0; }, "stages[0].keyframe_seconds",
       "must be between 0.5 and 10.0, got 0.0"},
      {[](config& c) { c.stages[0].mode = "x"; }, "stages[0].mode", "expected one of"},
      {[](config& c) { c.stages[0].passphrase_env = "P"; }, "stages[0].passphrase_env",
       "environment variable P gave no passphrase"},
      {[](config& c) { c.stages.push_back(c.stages[0]); }, "stages[1].id", "duplicate stage id"},
      {[](config& c) {
         c.stages[0].outputs.push_back(output("", ""));
       },
       "stages[0].outputs[0].key", "is required"},
      {[](config& c) {
         c.stages[0].outputs.push_back(output("", "K"));
       },
       "stages[0].outputs[0].key_env", "environment variable K gave no stream key"},
      {[](config& c) {
         c.media.relay_backoff_max_ms = 1000;
         c.media.relay_backoff_initial_ms = 2000;
       },
       "media.relay_backoff_max_ms",
       "must be at least media.relay_backoff_initial_ms (2000), got 1000"},
  };
  config ok;
  ok.stages.push_back(valid_stage());
  ASSERT_TRUE(validate(ok).empty()) << joined(validate(ok));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    config c = ok;
    rows[i].change(c);
    expect_one_error(validate(c), rows[i].key, rows[i].message);
  }
  // A resolved key_env (key and key_env both set) is valid.
  config resolved = ok;
  resolved.stages[0].outputs.push_back(
      output("k", "K"));
  EXPECT_TRUE(validate(resolved).empty()) << joined(validate(resolved));
}

TEST(stages, backoff_max_below_initial_is_an_error_on_max) {
  expect_one_error(
      load_text("[media]\nrelay_backoff_initial_ms = 5000\nrelay_backoff_max_ms = 4000\n"),
                   "media.relay_backoff_max_ms",
                   "must be at least media.relay_backoff_initial_ms (5000), got 4000");
  EXPECT_TRUE(
      load_text("[media]\nrelay_backoff_initial_ms = 5000\nrelay_backoff_max_ms = 5000\n").empty());
  expect_one_error(load_text("", {{"SAMLING_MEDIA_RELAY_BACKOFF_INITIAL_MS", "60000"}}),
                   "media.relay_backoff_max_ms", "must be at least");
}

// --- all errors at once, in file order ----------------------------------------------------------

TEST(stages, all_errors_are_returned_in_file_order) {
  const std::string text = R"(
[[stages]]
port = 0
id = "BAD"
name = "x"
mode = "produced"
[[stages.outputs]]
url = "http://x"
[[stages]]
id = "b"
name = "b"
prot = 1
input = "pull"
[server]
prot = 80
)";
  auto errors = load_text(text);
  std::vector<std::string> keys;
  for (const config_error& e : errors) keys.push_back(e.key);
  // The file's errors in file order, then validation's in stage order. A value refused in the
  // file is not reported again by validation (stages[0].id stays empty, not "required" too).
  const std::vector<std::string> expected = {
      "stages[0].port",          "stages[0].id",
      "stages[0].outputs[0].url", "stages[1].prot",
      "server.prot",             "stages[0].outputs[0].id",
      "stages[0].outputs[0].name", "stages[0].outputs[0].key",
      "stages[1].url",
  };
  EXPECT_EQ(keys, expected) << joined(errors);
}

// --- visibility and public_at (issue 18) ----------------------------------------------------------

TEST(stages, visibility_is_public_by_default_and_takes_the_four_levels) {
  config c;
  ASSERT_TRUE(load_from_string(minimal, {}, c).empty());
  EXPECT_EQ(c.stages[0].visibility, "public");
  EXPECT_TRUE(c.stages[0].is_public);
  EXPECT_EQ(c.stages[0].public_at, 0);
  for (std::string level : {"public", "registered", "press", "staff"}) {
    SCOPED_TRACE(level);
    auto errors = load_from_string(minimal_with("visibility = \"" + level + "\""), {}, c);
    ASSERT_TRUE(errors.empty()) << joined(errors);
    EXPECT_EQ(c.stages[0].visibility, level);
    // is_public follows: public means anyone, now and always.
    EXPECT_EQ(c.stages[0].is_public, level == "public");
  }
  expect_one_error(load_text(minimal_with("visibility = \"secret\"")), "stages[0].visibility",
                   "expected one of \"public\", \"registered\", \"press\", \"staff\"");
  expect_one_error(load_text(minimal_with("visibility = true")), "stages[0].visibility",
                   "expected a string, got boolean");
}

// The configuration lists the levels itself (it does not link the press module): the same four
// as press::visibility, in the same order.
TEST(stages, the_visibility_levels_are_the_press_modules) {
  const std::vector<press::visibility> levels = {press::visibility::public_, press::visibility::registered,
                                                 press::visibility::press, press::visibility::staff};
  for (auto level : levels) {
    std::string name(press::to_string(level));
    SCOPED_TRACE(name);
    config c;
    auto errors = load_from_string(minimal_with("visibility = \"" + name + "\""), {}, c);
    EXPECT_TRUE(errors.empty()) << joined(errors);
    EXPECT_EQ(press::visibility_from_string(c.stages[0].visibility), level);
  }
  auto errors = load_text(minimal_with("visibility = \"attendee\""));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("\"public\", \"registered\", \"press\", \"staff\""), std::string::npos)
      << errors[0].message;
  EXPECT_FALSE(press::visibility_from_string("attendee"));
}

TEST(stages, the_old_public_false_means_press) {
  config c;
  auto errors = load_from_string(minimal_with("public = false"), {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.stages[0].visibility, "press");
  EXPECT_FALSE(c.stages[0].is_public);
  errors = load_from_string(minimal_with("public = true"), {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.stages[0].visibility, "public");
  EXPECT_TRUE(c.stages[0].is_public);
  // Both, agreeing: fine; disagreeing: an error on the old key.
  errors = load_from_string(minimal_with("public = false\nvisibility = \"staff\""), {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.stages[0].visibility, "staff");
  expect_one_error(load_text(minimal_with("public = true\nvisibility = \"press\"")), "stages[0].public",
                   "is true but visibility is \"press\"");
  expect_one_error(load_text(minimal_with("public = false\nvisibility = \"public\"")), "stages[0].public",
                   "is false but visibility is \"public\"");
}

TEST(stages, public_at_is_rfc_3339_with_an_offset_in_utc_seconds) {
  config c;
  // 2027-02-09T12:00:00Z = 1802174400.
  for (std::string v : {"\"2027-02-09T13:00:00+01:00\"", "\"2027-02-09T12:00:00Z\"", "\"2027-02-09T07:00:00-05:00\"",
                        "2027-02-09T13:00:00+01:00", "2027-02-09T12:00:00Z"}) {
    SCOPED_TRACE(v);
    auto errors = load_from_string(minimal_with("visibility = \"press\"\npublic_at = " + v), {}, c);
    ASSERT_TRUE(errors.empty()) << joined(errors);
    EXPECT_EQ(c.stages[0].public_at, 1802174400);
    EXPECT_EQ(c.stages[0].visibility, "press");
    EXPECT_FALSE(c.stages[0].is_public) << "embargoed: not public at start";
  }
  // Empty: no embargo.
  auto errors = load_from_string(minimal_with("visibility = \"press\"\npublic_at = \"\""), {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.stages[0].public_at, 0);
}

TEST(stages, public_at_errors_name_the_key) {
  const std::string press = "visibility = \"press\"\n";
  expect_one_error(load_text(minimal_with(press + "public_at = \"2027-02-09T13:00:00\"")), "stages[0].public_at",
                   "expected an RFC 3339 time with an offset, e.g. \"2027-02-09T13:00:00+01:00\", got "
                   "\"2027-02-09T13:00:00\"");
  expect_one_error(load_text(minimal_with(press + "public_at = \"tomorrow\"")), "stages[0].public_at",
                   "expected an RFC 3339 time with an offset");
  expect_one_error(load_text(minimal_with(press + "public_at = \"2027-02-30T13:00:00+01:00\"")),
                   "stages[0].public_at", "expected an RFC 3339 time with an offset");
  // A TOML local date-time has no offset.
  expect_one_error(load_text(minimal_with(press + "public_at = 2027-02-09T13:00:00")), "stages[0].public_at",
                   "needs an offset (Z or +01:00)");
  expect_one_error(load_text(minimal_with(press + "public_at = 1802174400")), "stages[0].public_at",
                   "expected an RFC 3339 time with an offset (a string or a TOML date-time), got integer");
  expect_one_error(load_text(minimal_with(press + "public_at = \"1969-12-31T23:00:00Z\"")), "stages[0].public_at",
                   "must be after 1970-01-01T00:00:00Z");
  // With the location of the value.
  auto errors = load_text(minimal_with(press + "public_at = \"soon\""));
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_NE(errors[0].message.find("(test.toml:"), std::string::npos) << joined(errors);
  // A misspelt key gets the suggestion.
  expect_one_error(load_text(minimal_with(press + "public_a = \"2027-02-09T13:00:00Z\"")), "stages[0].public_a",
                   "unknown key, did you mean \"public_at\"?");
}

TEST(stages, public_at_on_a_public_stage_is_an_error) {
  expect_one_error(load_text(minimal_with("public_at = \"2027-02-09T13:00:00+01:00\"")), "stages[0].public_at",
                   "a public stage has nothing to embargo");
  expect_one_error(load_text(minimal_with("visibility = \"public\"\npublic_at = \"2027-02-09T13:00:00+01:00\"")),
                   "stages[0].public_at", "a public stage has nothing to embargo");
  // The same for a config built in code.
  config c;
  ASSERT_TRUE(load_from_string(minimal, {}, c).empty());
  c.stages[0].public_at = 1802174400;
  auto errors = validate(c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, "stages[0].public_at");
  c.stages[0].visibility = "registered";
  c.stages[0].is_public = false;
  EXPECT_TRUE(validate(c).empty()) << joined(validate(c));
  c.stages[0].is_public = true;  // disagrees with visibility
  errors = validate(c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, "stages[0].public");
  c.stages[0].is_public = false;
  c.stages[0].visibility = "nobody";
  errors = validate(c);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].key, "stages[0].visibility") << joined(errors);
}

// --- stage_keys() --------------------------------------------------------------------------------

TEST(stages, stage_keys_lists_the_stage_then_the_output_keys) {
  std::vector<std::string> keys;
  for (const key_info& k : stage_keys()) keys.push_back(k.key);
  const std::vector<std::string> expected = {
      "id", "name", "event", "room", "public", "visibility", "public_at", "autostart", "mode", "input", "listen", "port",
      "passphrase", "passphrase_env", "stream_id", "latency_ms", "url", "file", "width", "height", "fps",
      "video_kbps", "audio_kbps", "keyframe_seconds", "preset", "hls_segment_seconds",
      "hls_window_seconds", "record", "input_timeout_ms", "outputs", "outputs.id",
      "outputs.name", "outputs.url", "outputs.key", "outputs.key_env", "outputs.enabled"};
  EXPECT_EQ(keys, expected);
  for (const key_info& k : stage_keys()) {
    if (k.key == "keyframe_seconds") {
      EXPECT_EQ(k.type, "number");
      EXPECT_EQ(k.default_value, "1.0");
    }
    if (k.key == "public") {
      EXPECT_EQ(k.default_value, "true");
    }
    if (k.key == "visibility") {
      EXPECT_EQ(k.type, "string");
      EXPECT_EQ(k.default_value, "public");
    }
    if (k.key == "public_at") {
      EXPECT_EQ(k.type, "string");
      EXPECT_EQ(k.default_value, "");
      EXPECT_FALSE(k.description.empty());
    }
    if (k.key == "port") {
      EXPECT_EQ(k.default_value, "9000");
    }
    if (k.key == "mode") {
      EXPECT_EQ(k.default_value, "passthrough");
    }
  }
  // None of them is a scalar key.
  for (const key_info& k : config_keys()) EXPECT_NE(k.key.rfind("stages", 0), 0u) << k.key;
}

}  // namespace
}  // namespace samling::config
