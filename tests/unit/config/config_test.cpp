// Behaviour of load(), load_from_string() and validate(): every error class, the environment
// overrides and their precedence, through the real TOML parser and real files.
#include "config/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace samling::config {
namespace {

namespace fs = std::filesystem;
using env_map = std::map<std::string, std::string>;

std::string joined(const std::vector<config_error>& errors) {
  std::string s;
  for (const config_error& e : errors) s += "\n  " + e.to_string();
  return s.empty() ? "\n  (no errors)" : s;
}

// Expects exactly one error, for `key`, whose message starts with `message`. Messages about a
// TOML value end with its location, which the tests of the location check separately.
void expect_one_error(const std::vector<config_error>& errors, const std::string& key,
                      const std::string& message) {
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, key) << joined(errors);
  EXPECT_EQ(errors[0].message.substr(0, message.size()), message) << joined(errors);
}

std::vector<config_error> load_text(const std::string& text, const env_map& env = {}) {
  config c;
  return load_from_string(text, env, c, "test.toml");
}

// A directory of its own per test, removed afterwards.
class temp_dir_test : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("samling_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p) << content;
    return p.string();
  }
  fs::path dir_;
};

// --- defaults and precedence -----------------------------------------------------------------

TEST(config_load, empty_path_gives_defaults) {
  config c;
  c.server.port = 1;  // load() must start from the defaults, not from what `out` held
  auto errors = load("", {}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c, config{});
}

TEST(config_load, defaults_are_valid) {
  auto errors = validate(config{});
  EXPECT_TRUE(errors.empty()) << joined(errors);
}

TEST(config_load, precedence_defaults_then_file_then_environment) {
  const std::string text = R"(
[server]
port = 9000
threads = 4
[log]
level = "debug"
)";
  config c;
  auto errors = load_from_string(text, {{"SAMLING_SERVER_PORT", "9100"}}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.server.port, 9100u);          // environment over file
  EXPECT_EQ(c.server.threads, 4u);          // file over default
  EXPECT_EQ(c.log.level, "debug");          // file over default
  EXPECT_EQ(c.server.listen, "127.0.0.1");  // default
  EXPECT_EQ(c.log.format, "text");          // default
}

TEST_F(temp_dir_test, load_reads_the_file_and_applies_the_environment) {
  std::string path =
      write("s.toml", "[server.limits]\nmax_body_bytes = 2048\n[demo]\nseed = false\n");
  config c;
  auto errors = load(path, {{"SAMLING_DEMO_SEED", "yes"}}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.server.limits.max_body_bytes, 2048u);
  EXPECT_TRUE(c.demo.seed);
}

TEST(config_load, every_value_type_is_read_from_toml) {
  const std::string text = R"(
[server]
listen = "0.0.0.0"
web_root = "/srv/web"
[server.limits]
max_body_bytes = 1073741824
[log]
access_log = false
)";
  config c;
  auto errors = load_from_string(text, {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.server.listen, "0.0.0.0");
  EXPECT_EQ(c.server.web_root, "/srv/web");
  EXPECT_EQ(c.server.limits.max_body_bytes, 1073741824u);
  EXPECT_FALSE(c.log.access_log);
}

TEST(config_load, dotted_keys_and_inline_tables_work) {
  config c;
  auto errors =
      load_from_string("server.limits = { max_connections = 7 }\nlog.level = \"warn\"\n", {}, c);
  ASSERT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.server.limits.max_connections, 7u);
  EXPECT_EQ(c.log.level, "warn");
}

// --- wrong types ------------------------------------------------------------------------------

TEST(config_errors, wrong_type) {
  struct row {
    std::string toml, key, message;
  };
  const std::vector<row> rows = {
      {"[server]\nport = \"8080\"", "server.port", "expected an integer, got string"},
      {"[server]\nport = 80.5", "server.port", "expected an integer, got float"},
      {"[server]\nlisten = 5", "server.listen", "expected a string, got integer"},
      {"[log]\naccess_log = \"yes\"", "log.access_log", "expected a boolean, got string"},
      {"[demo]\nseed = 1", "demo.seed", "expected a boolean, got integer"},
      {"[tls]\ncertificate = [\"a\"]", "tls.certificate", "expected a string, got array"},
      {"[server.limits.max_body_bytes]\nx = 1", "server.limits.max_body_bytes",
       "expected an integer, got table"},
      {"server = 1", "server", "expected a table, got integer"},
      {"[[log]]\nlevel = \"info\"", "log", "expected a table, got array"},
      {"[server]\nlimits = \"big\"", "server.limits", "expected a table, got string"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.toml);
    expect_one_error(load_text(r.toml), r.key, r.message);
  }
}

TEST(config_errors, a_value_error_names_file_line_and_column) {
  auto errors = load_text("[server]\n\nport = \"x\"\n");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_NE(errors[0].message.find("(test.toml:3:8)"), std::string::npos) << joined(errors);
}

// --- ranges -----------------------------------------------------------------------------------

TEST(config_errors, out_of_range_in_file) {
  struct row {
    std::string table, name, value, message;
  };
  const std::vector<row> rows = {
      {"server", "port", "65536", "must be between 0 and 65535, got 65536"},
      {"server", "port", "-1", "must be between 0 and 65535, got -1"},
      {"server", "threads", "257", "must be between 0 and 256, got 257"},
      {"server.limits", "max_header_bytes", "1023", "must be between 1024 and 1048576, got 1023"},
      {"server.limits", "max_header_bytes", "1048577",
       "must be between 1024 and 1048576, got 1048577"},
      {"server.limits", "max_body_bytes", "0", "must be between 1 and 1073741824, got 0"},
      {"server.limits", "max_body_bytes", "1073741825",
       "must be between 1 and 1073741824, got 1073741825"},
      {"server.limits", "idle_timeout_seconds", "0", "must be between 1 and 3600, got 0"},
      {"server.limits", "idle_timeout_seconds", "3601", "must be between 1 and 3600, got 3601"},
      {"server.limits", "request_timeout_seconds", "0", "must be between 1 and 3600, got 0"},
      {"server.limits", "request_timeout_seconds", "3601", "must be between 1 and 3600, got 3601"},
      {"server.limits", "max_connections", "0", "must be between 1 and 1000000, got 0"},
      {"server.limits", "max_connections", "1000001", "must be between 1 and 1000000, got 1000001"},
      {"server.limits", "shutdown_grace_seconds", "301", "must be between 0 and 300, got 301"},
      {"server.limits", "shutdown_grace_seconds", "-5", "must be between 0 and 300, got -5"},
      // Wider than the uint32 field: must be refused, not truncated to a valid-looking value.
      {"server", "port", "4294975488", "must be between 0 and 65535, got 4294975488"},
      {"auth", "token_ttl_seconds", "59", "must be between 60 and 2592000, got 59"},
      {"auth", "token_ttl_seconds", "2592001", "must be between 60 and 2592000, got 2592001"},
      {"rooms", "history", "501", "must be between 0 and 500, got 501"},
      {"rooms", "history", "-1", "must be between 0 and 500, got -1"},
      {"rooms", "resume_window", "9", "must be between 10 and 100000, got 9"},
      {"rooms", "resume_window", "100001", "must be between 10 and 100000, got 100001"},
      {"rooms", "max_rooms_per_session", "0", "must be between 1 and 256, got 0"},
      {"rooms", "max_rooms_per_session", "257", "must be between 1 and 256, got 257"},
      {"rooms", "rate_burst", "0", "must be between 1 and 1000, got 0"},
      {"rooms", "rate_burst", "1001", "must be between 1 and 1000, got 1001"},
      {"rooms", "rate_per_minute", "0", "must be between 1 and 60000, got 0"},
      {"rooms", "rate_per_minute", "60001", "must be between 1 and 60000, got 60001"},
      {"rooms", "text_max_chars", "0", "must be between 1 and 10000, got 0"},
      {"rooms", "text_max_chars", "10001", "must be between 1 and 10000, got 10001"},
      {"ws", "max_frame_bytes", "1023", "must be between 1024 and 16777216, got 1023"},
      {"ws", "max_frame_bytes", "16777217", "must be between 1024 and 16777216, got 16777217"},
      {"ws", "send_queue_messages", "0", "must be between 1 and 100000, got 0"},
      {"ws", "send_queue_messages", "100001", "must be between 1 and 100000, got 100001"},
      {"ws", "send_queue_bytes", "1023", "must be between 1024 and 1073741824, got 1023"},
      {"ws", "send_queue_bytes", "1073741825",
       "must be between 1024 and 1073741824, got 1073741825"},
      {"ws", "idle_timeout_seconds", "1", "must be between 2 and 3600, got 1"},
      {"ws", "idle_timeout_seconds", "3601", "must be between 2 and 3600, got 3601"},
      {"ws", "hello_timeout_seconds", "0", "must be between 1 and 300, got 0"},
      {"ws", "hello_timeout_seconds", "301", "must be between 1 and 300, got 301"},
      {"media", "relay_connect_timeout_seconds", "1", "must be between 2 and 120, got 1"},
      {"media", "relay_connect_timeout_seconds", "121", "must be between 2 and 120, got 121"},
      {"media", "relay_hung_seconds", "1", "must be between 2 and 120, got 1"},
      {"media", "relay_hung_seconds", "121", "must be between 2 and 120, got 121"},
      {"media", "relay_backoff_initial_ms", "99", "must be between 100 and 60000, got 99"},
      {"media", "relay_backoff_initial_ms", "60001", "must be between 100 and 60000, got 60001"},
      {"media", "relay_backoff_max_ms", "999", "must be between 1000 and 600000, got 999"},
      {"media", "relay_backoff_max_ms", "600001", "must be between 1000 and 600000, got 600001"},
  };
  for (const row& r : rows) {
    std::string toml = "[" + r.table + "]\n" + r.name + " = " + r.value + "\n";
    SCOPED_TRACE(toml);
    expect_one_error(load_text(toml), r.table + "." + r.name, r.message);
  }
}

TEST(config_errors, range_boundaries_are_accepted) {
  const std::string text = R"(
[server]
port = 65535
threads = 256
[server.limits]
max_header_bytes = 1024
max_body_bytes = 1
idle_timeout_seconds = 3600
request_timeout_seconds = 1
max_connections = 1000000
shutdown_grace_seconds = 0
)";
  config c;
  auto errors = load_from_string(text, {}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.server.port, 65535u);
  EXPECT_EQ(c.server.limits.max_connections, 1000000u);
  EXPECT_EQ(c.server.limits.shutdown_grace_seconds, 0u);
}

TEST(config_errors, range_boundaries_of_auth_rooms_and_ws_are_accepted) {
  for (std::string text : {R"(
[auth]
token_ttl_seconds = 60
[rooms]
history = 0
resume_window = 10
max_rooms_per_session = 1
rate_burst = 1
rate_per_minute = 1
text_max_chars = 1
[ws]
max_frame_bytes = 1024
send_queue_messages = 1
send_queue_bytes = 1024
idle_timeout_seconds = 2
hello_timeout_seconds = 1
[media]
relay_connect_timeout_seconds = 2
relay_hung_seconds = 2
relay_backoff_initial_ms = 100
relay_backoff_max_ms = 1000
)",
                           R"(
[auth]
token_ttl_seconds = 2592000
[rooms]
history = 500
resume_window = 100000
max_rooms_per_session = 256
rate_burst = 1000
rate_per_minute = 60000
text_max_chars = 10000
[ws]
max_frame_bytes = 16777216
send_queue_messages = 100000
send_queue_bytes = 1073741824
idle_timeout_seconds = 3600
hello_timeout_seconds = 300
[media]
relay_connect_timeout_seconds = 120
relay_hung_seconds = 120
relay_backoff_initial_ms = 60000
relay_backoff_max_ms = 600000
)"}) {
    SCOPED_TRACE(text);
    config c;
    auto errors = load_from_string(text, {}, c);
    EXPECT_TRUE(errors.empty()) << joined(errors);
    EXPECT_NE(c, config{});
  }
}

TEST(config_errors, validate_checks_a_config_built_in_code) {
  struct row {
    std::function<void(config&)> change;
    std::string key, message;
  };
  const std::vector<row> rows = {
      {[](config& c) { c.server.port = 70000; }, "server.port", "must be between 0 and 65535"},
      {[](config& c) { c.server.threads = 1000; }, "server.threads", "must be between 0 and 256"},
      {[](config& c) { c.server.limits.max_header_bytes = 10; }, "server.limits.max_header_bytes",
       "must be between 1024 and 1048576"},
      {[](config& c) { c.server.limits.max_body_bytes = 2 * 1024ull * 1024 * 1024; },
       "server.limits.max_body_bytes", "must be between 1 and 1073741824"},
      {[](config& c) { c.server.limits.idle_timeout_seconds = 0; },
       "server.limits.idle_timeout_seconds", "must be between 1 and 3600"},
      {[](config& c) { c.server.limits.request_timeout_seconds = 4000; },
       "server.limits.request_timeout_seconds", "must be between 1 and 3600"},
      {[](config& c) { c.server.limits.max_connections = 0; }, "server.limits.max_connections",
       "must be between 1 and 1000000"},
      {[](config& c) { c.server.limits.shutdown_grace_seconds = 301; },
       "server.limits.shutdown_grace_seconds", "must be between 0 and 300"},
      {[](config& c) { c.server.listen.clear(); }, "server.listen", "must not be empty"},
      {[](config& c) { c.store.path.clear(); }, "store.path", "must not be empty"},
      {[](config& c) { c.store.driver = "postgresql"; }, "store.driver",
       "\"postgresql\" is not available yet"},
      {[](config& c) { c.log.level = "trace"; }, "log.level", "expected one of"},
      {[](config& c) { c.log.format = "xml"; }, "log.format", "expected one of"},
      {[](config& c) { c.tls.certificate = "/nonexistent/cert.pem"; }, "tls.private_key",
       "must be set when tls.certificate is set"},
      {[](config& c) { c.auth.key_id.clear(); }, "auth.key_id", "must be 1 to 32 characters"},
      {[](config& c) { c.auth.secret = "short"; }, "auth.secret", "must be empty"},
      {[](config& c) { c.auth.previous_keys = "old"; }, "auth.previous_keys", "item 1:"},
      {[](config& c) { c.auth.previous_keys = "dev:" + std::string(32, 's'); },
       "auth.previous_keys", "key id \"dev\" is also auth.key_id"},
      {[](config& c) { c.auth.token_ttl_seconds = 0; }, "auth.token_ttl_seconds",
       "must be between 60 and 2592000"},
      {[](config& c) { c.rooms.history = 501; }, "rooms.history", "must be between 0 and 500"},
      {[](config& c) { c.rooms.resume_window = 0; }, "rooms.resume_window",
       "must be between 10 and 100000"},
      {[](config& c) { c.rooms.max_rooms_per_session = 0; }, "rooms.max_rooms_per_session",
       "must be between 1 and 256"},
      {[](config& c) { c.rooms.rate_burst = 0; }, "rooms.rate_burst", "must be between 1 and 1000"},
      {[](config& c) { c.rooms.rate_per_minute = 0; }, "rooms.rate_per_minute",
       "must be between 1 and 60000"},
      {[](config& c) { c.qa.question_max_chars = 0; }, "qa.question_max_chars",
       "must be between 1 and 10000"},
      {[](config& c) { c.rooms.text_max_chars = 0; }, "rooms.text_max_chars",
       "must be between 1 and 10000"},
      {[](config& c) { c.ws.max_frame_bytes = 0; }, "ws.max_frame_bytes",
       "must be between 1024 and 16777216"},
      {[](config& c) { c.ws.send_queue_messages = 0; }, "ws.send_queue_messages",
       "must be between 1 and 100000"},
      {[](config& c) { c.ws.send_queue_bytes = 2 * 1024ull * 1024 * 1024; },
       "ws.send_queue_bytes", "must be between 1024 and 1073741824"},
      {[](config& c) { c.ws.idle_timeout_seconds = 1; }, "ws.idle_timeout_seconds",
       "must be between 2 and 3600"},
      {[](config& c) { c.ws.hello_timeout_seconds = 0; }, "ws.hello_timeout_seconds",
       "must be between 1 and 300"},
      {[](config& c) { c.media.dir.clear(); }, "media.dir", "must not be empty"},
      {[](config& c) { c.media.relay_hung_seconds = 1; }, "media.relay_hung_seconds",
       "must be between 2 and 120"},
      {[](config& c) { c.media.relay_backoff_max_ms = 500; }, "media.relay_backoff_max_ms",
       "must be between 1000 and 600000"},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    config c;
    rows[i].change(c);
    auto errors = validate(c);
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0].key, rows[i].key) << joined(errors);
    EXPECT_EQ(errors[0].message.substr(0, rows[i].message.size()), rows[i].message)
        << joined(errors);
  }
}

TEST(config_errors, web_root_and_demo_file_are_not_checked) {
  config c;
  c.server.web_root = "/nonexistent/web/dist";
  c.demo.file = "/nonexistent/demo.json";
  auto errors = validate(c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
}

// --- enums and strings ------------------------------------------------------------------------

TEST(config_errors, enums_and_required_strings) {
  struct row {
    std::string toml, key, message;
  };
  const std::vector<row> rows = {
      {"[store]\ndriver = \"postgresql\"", "store.driver",
       "\"postgresql\" is not available yet; expected one of \"sqlite\""},
      {"[store]\ndriver = \"mysql\"", "store.driver", "expected one of \"sqlite\", got \"mysql\""},
      {"[store]\npath = \"\"", "store.path", "must not be empty"},
      {"[log]\nlevel = \"verbose\"", "log.level",
       "expected one of \"debug\", \"info\", \"warn\", \"error\", got \"verbose\""},
      {"[log]\nlevel = \"INFO\"", "log.level",
       "expected one of \"debug\", \"info\", \"warn\", \"error\", got \"INFO\""},
      {"[log]\nformat = \"xml\"", "log.format", "expected one of \"text\", \"json\", got \"xml\""},
      {"[server]\nlisten = \"\"", "server.listen", "must not be empty"},
      {"[media]\ndir = \"\"", "media.dir", "must not be empty"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.toml);
    expect_one_error(load_text(r.toml), r.key, r.message);
  }
}

TEST(config_errors, every_enum_value_is_accepted) {
  for (std::string level : {"debug", "info", "warn", "error"}) {
    for (std::string format : {"text", "json"}) {
      SCOPED_TRACE(level + " " + format);
      auto errors = load_text("[log]\nlevel = \"" + level + "\"\nformat = \"" + format + "\"\n");
      EXPECT_TRUE(errors.empty()) << joined(errors);
    }
  }
}

// --- unknown keys and the suggestion ----------------------------------------------------------

TEST(config_errors, unknown_keys_with_suggestion) {
  struct row {
    std::string toml, key, message;
  };
  const std::vector<row> rows = {
      {"[server]\nprot = 80", "server.prot", "unknown key, did you mean \"server.port\"?"},
      {"[server]\nthread = 2", "server.thread", "unknown key, did you mean \"server.threads\"?"},
      {"[server.limits]\nmax_body_byte = 2", "server.limits.max_body_byte",
       "unknown key, did you mean \"server.limits.max_body_bytes\"?"},
      {"[log]\nformats = \"json\"", "log.formats", "unknown key, did you mean \"log.format\"?"},
      // Two edits away is still suggested; three is not.
      {"[server]\nlstn = \"::\"", "server.lstn", "unknown key, did you mean \"server.listen\"?"},
      {"[server]\nlsn = \"::\"", "server.lsn", "unknown key ("},
      // Unknown tables are reported once, with the table suggested, not per key inside.
      {"[sever]\nport = 80\nlisten = \"x\"", "sever", "unknown key, did you mean \"server\"?"},
      {"[server.limit]\nmax_connections = 5", "server.limit",
       "unknown key, did you mean \"server.limits\"?"},
      {"[server.prot]\nx = 1", "server.prot", "unknown key, did you mean \"server.port\"?"},
      // Too far from anything: no suggestion rather than a misleading one.
      {"[server]\nbacklog = 5", "server.backlog", "unknown key ("},
      {"colour = \"blue\"", "colour", "unknown key ("},
      {"[metrics]\nenabled = true", "metrics", "unknown key ("},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.toml);
    expect_one_error(load_text(r.toml), r.key, r.message);
  }
}

TEST(config_errors, unknown_key_names_its_location) {
  auto errors = load_text("[server]\nport = 1\n  prot = 80\n");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_NE(errors[0].message.find("(test.toml:3:3)"), std::string::npos) << joined(errors);
}

// --- all errors at once -----------------------------------------------------------------------

TEST(config_errors, all_errors_are_returned_in_file_order) {
  const std::string text = R"(
[server]
threads = "four"
prot = 80
[store]
driver = "postgresql"
[log]
level = "loud"
)";
  auto errors = load_text(text, {{"SAMLING_SERVER_LIMITS_MAX_CONNECTIONS", "lots"}});
  ASSERT_EQ(errors.size(), 5u) << joined(errors);
  // File problems in file order, then the environment's, then validation.
  // (toml++ iterates keys alphabetically; "threads" first proves the errors are sorted.)
  EXPECT_EQ(errors[0].key, "server.threads");
  EXPECT_EQ(errors[1].key, "server.prot");
  EXPECT_EQ(errors[2].key, "server.limits.max_connections");
  EXPECT_EQ(errors[3].key, "store.driver");
  EXPECT_EQ(errors[4].key, "log.level");
}

// --- syntax errors and the file itself --------------------------------------------------------

TEST(config_errors, syntax_error_names_origin_line_and_column) {
  auto errors = load_text("[server]\nport = 8080\nlisten = = \"x\"\n");
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, "");
  EXPECT_EQ(errors[0].message.rfind("test.toml:3:10: ", 0), 0u) << joined(errors);
}

TEST(config_errors, syntax_errors_of_several_kinds_are_reported_not_thrown) {
  for (std::string text : {"[server", "port = ", "a = \"unterminated", "[server]\n[server]\n",
                           "x = 1\nx = 2\n", "\xff\xfe = 1"}) {
    SCOPED_TRACE(text);
    auto errors = load_text(text);
    ASSERT_EQ(errors.size(), 1u) << joined(errors);
    EXPECT_EQ(errors[0].key, "");
    EXPECT_EQ(errors[0].message.rfind("test.toml:", 0), 0u) << joined(errors);
  }
}

TEST_F(temp_dir_test, syntax_error_in_a_file_names_the_path) {
  std::string path = write("broken.toml", "[log]\nlevel = \"info\"\nformat = text\n");
  config c;
  auto errors = load(path, {}, c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, "");
  EXPECT_EQ(errors[0].message.rfind(path + ":3:", 0), 0u) << joined(errors);
}

TEST_F(temp_dir_test, missing_config_file_is_an_error_naming_the_path) {
  std::string path = (dir_ / "nope.toml").string();
  config c;
  auto errors = load(path, {}, c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, "");
  EXPECT_EQ(errors[0].message, "config file not found: " + path);
}

TEST_F(temp_dir_test, a_directory_as_config_file_is_an_error_naming_the_path) {
  config c;
  auto errors = load(dir_.string(), {}, c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, "");
  EXPECT_EQ(errors[0].message, "config file is a directory: " + dir_.string());
}

TEST_F(temp_dir_test, unreadable_config_file_is_an_error_naming_the_path) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files regardless of their mode";
  std::string path = write("secret.toml", "");
  fs::permissions(path, fs::perms::none);
  config c;
  auto errors = load(path, {}, c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, "");
  EXPECT_EQ(errors[0].message.rfind("config file not readable: " + path, 0), 0u) << joined(errors);
}

TEST_F(temp_dir_test, environment_problems_are_reported_with_a_missing_file) {
  config c;
  auto errors = load((dir_ / "nope.toml").string(), {{"SAMLING_SERVER_PORT", "x"}}, c);
  ASSERT_EQ(errors.size(), 2u) << joined(errors);
  EXPECT_EQ(errors[0].key, "");
  EXPECT_EQ(errors[1].key, "server.port");
}

TEST_F(temp_dir_test, empty_config_file_gives_defaults) {
  config c;
  auto errors = load(write("empty.toml", ""), {}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c, config{});
}

// --- TLS --------------------------------------------------------------------------------------

TEST_F(temp_dir_test, tls_with_both_files_readable_is_accepted) {
  std::string cert = write("cert.pem", "-----BEGIN CERTIFICATE-----\n");
  std::string key = write("key.pem", "-----BEGIN PRIVATE KEY-----\n");
  config c;
  auto errors = load_text("[tls]\ncertificate = \"" + cert + "\"\nprivate_key = \"" + key + "\"\n");
  EXPECT_TRUE(errors.empty()) << joined(errors);
}

TEST_F(temp_dir_test, tls_problems) {
  std::string cert = write("cert.pem", "c");
  std::string key = write("key.pem", "k");
  std::string missing = (dir_ / "missing.pem").string();
  struct row {
    std::string certificate, private_key, key, message;
  };
  const std::vector<row> rows = {
      {cert, "", "tls.private_key", "must be set when tls.certificate is set"},
      {"", key, "tls.certificate", "must be set when tls.private_key is set"},
      {missing, key, "tls.certificate", "file not found: " + missing},
      {cert, missing, "tls.private_key", "file not found: " + missing},
      {dir_.string(), key, "tls.certificate", "file is a directory: " + dir_.string()},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.certificate + " / " + r.private_key);
    config c;
    c.tls.certificate = r.certificate;
    c.tls.private_key = r.private_key;
    auto errors = validate(c);
    ASSERT_EQ(errors.size(), 1u) << joined(errors);
    EXPECT_EQ(errors[0].key, r.key);
    EXPECT_EQ(errors[0].message, r.message);
  }
}

// --- media.relay_ca_file ------------------------------------------------------------------------

TEST_F(temp_dir_test, relay_ca_file_with_a_certificate_is_accepted) {
  std::string ca = write("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  config c;
  auto errors = load_text("[media]\nrelay_ca_file = \"" + ca + "\"\n");
  EXPECT_TRUE(errors.empty()) << joined(errors);
}

TEST_F(temp_dir_test, relay_ca_file_from_the_environment) {
  std::string ca = write("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  config c;
  auto errors = load("", {{"SAMLING_MEDIA_RELAY_CA_FILE", ca}}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.media.relay_ca_file, ca);
}

TEST_F(temp_dir_test, relay_ca_file_problems) {
  std::string missing = (dir_ / "missing.pem").string();
  std::string not_pem = write("key.pem", "-----BEGIN PRIVATE KEY-----\n");
  struct row {
    std::string path, message;
  };
  const std::vector<row> rows = {
      {missing, "file not found: " + missing},
      {dir_.string(), "file is a directory: " + dir_.string()},
      {not_pem, "no PEM certificate (-----BEGIN CERTIFICATE-----) in " + not_pem},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.path);
    config c;
    c.media.relay_ca_file = r.path;
    auto errors = validate(c);
    ASSERT_EQ(errors.size(), 1u) << joined(errors);
    EXPECT_EQ(errors[0].key, "media.relay_ca_file");
    EXPECT_EQ(errors[0].message, r.message);
  }
}

TEST_F(temp_dir_test, tls_both_missing_reports_both) {
  config c;
  c.tls.certificate = "/nonexistent/x.pem";
  c.tls.private_key = "/nonexistent/y.pem";
  auto errors = validate(c);
  ASSERT_EQ(errors.size(), 2u) << joined(errors);
  EXPECT_EQ(errors[0].to_string(), "tls.certificate: file not found: /nonexistent/x.pem");
  EXPECT_EQ(errors[1].to_string(), "tls.private_key: file not found: /nonexistent/y.pem");
}

TEST_F(temp_dir_test, tls_unreadable_file_is_an_error) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files regardless of their mode";
  std::string cert = write("cert.pem", "c");
  std::string key = write("key.pem", "k");
  fs::permissions(key, fs::perms::none);
  config c;
  c.tls.certificate = cert;
  c.tls.private_key = key;
  auto errors = validate(c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].key, "tls.private_key");
  EXPECT_EQ(errors[0].message.rfind("file not readable: " + key, 0), 0u) << joined(errors);
}

TEST(config_env, tls_can_be_switched_off_from_the_environment) {
  config c;
  auto errors = load_from_string(
      "[tls]\ncertificate = \"/nonexistent/c.pem\"\n"
      "private_key = \"/nonexistent/k.pem\"\n",
      {{"SAMLING_TLS_CERTIFICATE", ""}, {"SAMLING_TLS_PRIVATE_KEY", ""}}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.tls.certificate, "");
}

// --- environment ------------------------------------------------------------------------------

TEST(config_env, env_name_rule) {
  EXPECT_EQ(env_name("server.limits.max_body_bytes"), "SAMLING_SERVER_LIMITS_MAX_BODY_BYTES");
  EXPECT_EQ(env_name("log.access_log"), "SAMLING_LOG_ACCESS_LOG");
  for (const key_info& k : config_keys()) EXPECT_EQ(k.env, env_name(k.key));
}

TEST(config_env, every_key_is_overridden_by_its_variable) {
  struct row {
    std::string env, value;
    std::function<bool(const config&)> took;
  };
  const std::vector<row> rows = {
      {"SAMLING_SERVER_LISTEN", "0.0.0.0",
       [](const config& c) { return c.server.listen == "0.0.0.0"; }},
      {"SAMLING_SERVER_PORT", "9001", [](const config& c) { return c.server.port == 9001; }},
      {"SAMLING_SERVER_THREADS", "3", [](const config& c) { return c.server.threads == 3; }},
      {"SAMLING_SERVER_WEB_ROOT", "/w", [](const config& c) { return c.server.web_root == "/w"; }},
      {"SAMLING_SERVER_ALLOWED_ORIGINS", "https://a.example, http://b.example:8080",
       [](const config& c) { return c.server.allowed_origins == "https://a.example, http://b.example:8080"; }},
      {"SAMLING_SERVER_PUBLIC_URL", "https://live.example.org",
       [](const config& c) { return c.server.public_url == "https://live.example.org"; }},
      {"SAMLING_SERVER_LIMITS_MAX_HEADER_BYTES", "2048",
       [](const config& c) { return c.server.limits.max_header_bytes == 2048; }},
      {"SAMLING_SERVER_LIMITS_MAX_BODY_BYTES", "1073741824",
       [](const config& c) { return c.server.limits.max_body_bytes == 1073741824; }},
      {"SAMLING_SERVER_LIMITS_IDLE_TIMEOUT_SECONDS", "61",
       [](const config& c) { return c.server.limits.idle_timeout_seconds == 61; }},
      {"SAMLING_SERVER_LIMITS_REQUEST_TIMEOUT_SECONDS", "62",
       [](const config& c) { return c.server.limits.request_timeout_seconds == 62; }},
      {"SAMLING_SERVER_LIMITS_MAX_CONNECTIONS", "63",
       [](const config& c) { return c.server.limits.max_connections == 63; }},
      {"SAMLING_SERVER_LIMITS_SHUTDOWN_GRACE_SECONDS", "64",
       [](const config& c) { return c.server.limits.shutdown_grace_seconds == 64; }},
      {"SAMLING_STORE_DRIVER", "sqlite",
       [](const config& c) { return c.store.driver == "sqlite"; }},
      {"SAMLING_STORE_PATH", "/tmp/x.db",
       [](const config& c) { return c.store.path == "/tmp/x.db"; }},
      {"SAMLING_LOG_LEVEL", "error", [](const config& c) { return c.log.level == "error"; }},
      {"SAMLING_LOG_FORMAT", "json", [](const config& c) { return c.log.format == "json"; }},
      {"SAMLING_LOG_ACCESS_LOG", "false", [](const config& c) { return !c.log.access_log; }},
      {"SAMLING_DEMO_SEED", "no", [](const config& c) { return !c.demo.seed; }},
      {"SAMLING_DEMO_FILE", "/d.json", [](const config& c) { return c.demo.file == "/d.json"; }},
      {"SAMLING_DEMO_SERIES_FILE", "/s.json",
       [](const config& c) { return c.demo.series_file == "/s.json"; }},
      {"SAMLING_AUTH_KEY_ID", "k2", [](const config& c) { return c.auth.key_id == "k2"; }},
      {"SAMLING_AUTH_SECRET", std::string(40, 's'),
       [](const config& c) { return c.auth.secret == std::string(40, 's'); }},
      {"SAMLING_AUTH_PREVIOUS_KEYS", "k0:" + std::string(32, 'p'),
       [](const config& c) { return c.auth.previous_keys == "k0:" + std::string(32, 'p'); }},
      {"SAMLING_AUTH_TOKEN_TTL_SECONDS", "3600",
       [](const config& c) { return c.auth.token_ttl_seconds == 3600; }},
      {"SAMLING_AUTH_DEV_TOKENS", "true", [](const config& c) { return c.auth.dev_tokens; }},
      {"SAMLING_ROOMS_HISTORY", "7", [](const config& c) { return c.rooms.history == 7; }},
      {"SAMLING_ROOMS_RESUME_WINDOW", "71",
       [](const config& c) { return c.rooms.resume_window == 71; }},
      {"SAMLING_ROOMS_MAX_ROOMS_PER_SESSION", "72",
       [](const config& c) { return c.rooms.max_rooms_per_session == 72; }},
      {"SAMLING_ROOMS_RATE_BURST", "73", [](const config& c) { return c.rooms.rate_burst == 73; }},
      {"SAMLING_ROOMS_RATE_PER_MINUTE", "74",
       [](const config& c) { return c.rooms.rate_per_minute == 74; }},
      {"SAMLING_ROOMS_TEXT_MAX_CHARS", "75",
       [](const config& c) { return c.rooms.text_max_chars == 75; }},
      {"SAMLING_QA_QUESTION_MAX_CHARS", "140",
       [](const config& c) { return c.qa.question_max_chars == 140; }},
      {"SAMLING_WS_MAX_FRAME_BYTES", "4096",
       [](const config& c) { return c.ws.max_frame_bytes == 4096; }},
      {"SAMLING_WS_SEND_QUEUE_MESSAGES", "81",
       [](const config& c) { return c.ws.send_queue_messages == 81; }},
      {"SAMLING_WS_SEND_QUEUE_BYTES", "1073741824",
       [](const config& c) { return c.ws.send_queue_bytes == 1073741824; }},
      {"SAMLING_WS_WRITE_BATCH_MS", "7",
       [](const config& c) { return c.ws.write_batch_ms == 7; }},
      {"SAMLING_WS_BATCH_ABOVE_FRAMES_PER_SECOND", "5000",
       [](const config& c) { return c.ws.batch_above_frames_per_second == 5000; }},
      {"SAMLING_WS_IDLE_TIMEOUT_SECONDS", "82",
       [](const config& c) { return c.ws.idle_timeout_seconds == 82; }},
      {"SAMLING_WS_HELLO_TIMEOUT_SECONDS", "83",
       [](const config& c) { return c.ws.hello_timeout_seconds == 83; }},
      {"SAMLING_AUTH_SESSION_IDLE_MINUTES", "61", [](const config& c) { return c.auth.session_idle_minutes == 61; }},
      {"SAMLING_AUTH_SESSION_MAX_HOURS", "62", [](const config& c) { return c.auth.session_max_hours == 62; }},
      {"SAMLING_AUTH_SIGN_IN_MAX_FAILURES", "63", [](const config& c) { return c.auth.sign_in_max_failures == 63; }},
      {"SAMLING_AUTH_SIGN_IN_LOCK_MINUTES", "64", [](const config& c) { return c.auth.sign_in_lock_minutes == 64; }},
      {"SAMLING_AUTH_INVITATION_DAYS", "15", [](const config& c) { return c.auth.invitation_days == 15; }},
      {"SAMLING_MEDIA_ENABLED", "false", [](const config& c) { return !c.media.enabled; }},
      {"SAMLING_MEDIA_DIR", "/m", [](const config& c) { return c.media.dir == "/m"; }},
      {"SAMLING_MEDIA_RELAY_CONNECT_TIMEOUT_SECONDS", "91",
       [](const config& c) { return c.media.relay_connect_timeout_seconds == 91; }},
      {"SAMLING_MEDIA_RELAY_HUNG_SECONDS", "92",
       [](const config& c) { return c.media.relay_hung_seconds == 92; }},
      {"SAMLING_MEDIA_RELAY_BACKOFF_INITIAL_MS", "930",
       [](const config& c) { return c.media.relay_backoff_initial_ms == 930; }},
      {"SAMLING_MEDIA_RELAY_BACKOFF_MAX_MS", "94000",
       [](const config& c) { return c.media.relay_backoff_max_ms == 94000; }},
      {"SAMLING_MAIL_STARTTLS", "optional", [](const config& c) { return c.mail.starttls == "optional"; }},
      {"SAMLING_MAIL_PASSWORD", "pw", [](const config& c) { return c.mail.password == "pw"; }},
      {"SAMLING_MAIL_FROM", "a@b.se", [](const config& c) { return c.mail.from == "a@b.se"; }},
      {"SAMLING_MAIL_FROM_NAME", "Länsstyrelsen", [](const config& c) { return c.mail.from_name == "Länsstyrelsen"; }},
      {"SAMLING_MAIL_MAX_ATTEMPTS", "3", [](const config& c) { return c.mail.max_attempts == 3; }},
      {"SAMLING_MAIL_BACKOFF_INITIAL_SECONDS", "60",
       [](const config& c) { return c.mail.backoff_initial_seconds == 60; }},
      {"SAMLING_MAIL_BACKOFF_MAX_SECONDS", "7200",
       [](const config& c) { return c.mail.backoff_max_seconds == 7200; }},
      {"SAMLING_MAIL_TIMEOUT_SECONDS", "9", [](const config& c) { return c.mail.timeout_seconds == 9; }},
      {"SAMLING_PRESS_DEVICE_CAP", "3", [](const config& c) { return c.press.device_cap == 3; }},
      {"SAMLING_PRESS_DEVICE_IDLE_SECONDS", "45", [](const config& c) { return c.press.device_idle_seconds == 45; }},
      {"SAMLING_PRESS_SEGMENT_TOKEN_SECONDS", "5", [](const config& c) { return c.press.segment_token_seconds == 5; }},
      {"SAMLING_PRESS_GRACE_BEFORE_MINUTES", "0", [](const config& c) { return c.press.grace_before_minutes == 0; }},
      {"SAMLING_PRESS_GRACE_AFTER_MINUTES", "43200",
       [](const config& c) { return c.press.grace_after_minutes == 43200; }},
      {"SAMLING_PRESS_AUDIT_FLUSH_SECONDS", "1", [](const config& c) { return c.press.audit_flush_seconds == 1; }},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.env + "=" + r.value);
    config c;
    auto errors = load("", {{r.env, r.value}}, c);
    EXPECT_TRUE(errors.empty()) << joined(errors);
    EXPECT_TRUE(r.took(c));
  }
  // The two TLS keys and media.relay_ca_file are covered by their own tests (they need real
  // files), and so are mail.smtp_url, mail.username, mail.password_env and mail.ca_file (each
  // needs another key, a variable or a file: config_mail below); everything else is above, so a
  // key added to the table without a row here fails this count.
  EXPECT_EQ(rows.size() + 3 + 4, config_keys().size());
}

TEST(config_env, integer_values) {
  struct row {
    std::string value;
    bool ok;
    std::string message;
  };
  const std::vector<row> rows = {
      {"0", true, ""},
      {"08080", true, ""},  // leading zeros are still decimal, not octal
      {"65535", true, ""},
      {"", false, "expected an integer (decimal digits only), got \"\" (from SAMLING_SERVER_PORT)"},
      {"80a", false, "expected an integer (decimal digits only), got \"80a\""},
      {"-1", false, "expected an integer (decimal digits only), got \"-1\""},
      {"+80", false, "expected an integer (decimal digits only), got \"+80\""},
      {" 80", false, "expected an integer (decimal digits only), got \" 80\""},
      {"80 ", false, "expected an integer (decimal digits only), got \"80 \""},
      {"0x50", false, "expected an integer (decimal digits only), got \"0x50\""},
      {"8e1", false, "expected an integer (decimal digits only), got \"8e1\""},
      {"65536", false, "must be between 0 and 65535, got 65536 (from SAMLING_SERVER_PORT)"},
      {"99999999999999999999999", false,
       "must be between 0 and 65535, got 99999999999999999999999"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE("\"" + r.value + "\"");
    config c;
    auto errors = load("", {{"SAMLING_SERVER_PORT", r.value}}, c);
    if (r.ok) {
      EXPECT_TRUE(errors.empty()) << joined(errors);
      EXPECT_EQ(c.server.port, std::stoul(r.value));
    } else {
      expect_one_error(errors, "server.port", r.message);
    }
  }
}

TEST(config_env, boolean_values) {
  struct row {
    std::string value;
    bool ok, expected;
  };
  const std::vector<row> rows = {
      {"true", true, true},    {"false", true, false},  {"1", true, true},    {"0", true, false},
      {"yes", true, true},     {"no", true, false},     {"TRUE", true, true}, {"No", true, false},
      {"", false, false},      {"maybe", false, false}, {"2", false, false},  {"on", false, false},
      {" true", false, false},
  };
  for (const row& r : rows) {
    SCOPED_TRACE("\"" + r.value + "\"");
    for (bool start : {true, false}) {  // from both states, so a no-op cannot pass
      config c;
      std::string toml = std::string("[log]\naccess_log = ") + (start ? "true" : "false");
      auto errors = load_from_string(toml, {{"SAMLING_LOG_ACCESS_LOG", r.value}}, c);
      if (r.ok) {
        EXPECT_TRUE(errors.empty()) << joined(errors);
        EXPECT_EQ(c.log.access_log, r.expected);
      } else {
        expect_one_error(errors, "log.access_log",
                         "expected a boolean (true/false/1/0/yes/no), got \"" + r.value +
                             "\" (from SAMLING_LOG_ACCESS_LOG)");
      }
    }
  }
}

TEST(config_env, values_from_the_environment_are_validated) {
  config c;
  auto errors = load("", {{"SAMLING_LOG_FORMAT", "yaml"}, {"SAMLING_STORE_PATH", ""}}, c);
  ASSERT_EQ(errors.size(), 2u) << joined(errors);
  EXPECT_EQ(errors[0].to_string(), "store.path: must not be empty");
  EXPECT_EQ(errors[1].to_string(), "log.format: expected one of \"text\", \"json\", got \"yaml\"");
}

TEST(config_env, unknown_samling_variable_is_an_error_naming_it) {
  struct row {
    std::string name, message;
  };
  const std::vector<row> rows = {
      {"SAMLING_SERVER_PROT",
       "unknown environment variable, did you mean \"SAMLING_SERVER_PORT\"?"},
      {"SAMLING_LOG_LEVLE", "unknown environment variable, did you mean \"SAMLING_LOG_LEVEL\"?"},
      {"SAMLING_PORT", "unknown environment variable"},
      {"SAMLING_", "unknown environment variable"},
      {"SAMLING_server_port", "unknown environment variable"},  // names are upper case only
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.name);
    config c;
    auto errors = load("", {{r.name, "1"}}, c);
    ASSERT_EQ(errors.size(), 1u) << joined(errors);
    EXPECT_EQ(errors[0].key, r.name);
    EXPECT_EQ(errors[0].message, r.message);
  }
}

TEST(config_env, tooling_and_foreign_variables_are_ignored) {
  env_map env = {{"PATH", "/usr/bin"},
                 {"HOME", "/root"},
                 {"samling_server_port", "x"},
                 {"XSAMLING_SERVER_PORT", "x"}};
  for (const std::string& name : reserved_environment()) env[name] = "anything";
  for (std::string name :
       {"SAMLING_BIN", "SAMLING_SOURCE_DIR", "SAMLING_E2E_URL", "SAMLING_CONFIG"}) {
    EXPECT_TRUE(env.count(name)) << name << " missing from reserved_environment()";
  }
  config c;
  auto errors = load("", env, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c, config{});
}

TEST(config_env, process_environment_reads_environ) {
  ASSERT_EQ(::setenv("SAMLING_CONFIG_TEST_PROBE", "a=b=c", 1), 0);
  auto env = process_environment();
  ::unsetenv("SAMLING_CONFIG_TEST_PROBE");
  ASSERT_TRUE(env.count("SAMLING_CONFIG_TEST_PROBE"));
  EXPECT_EQ(env["SAMLING_CONFIG_TEST_PROBE"], "a=b=c");  // split at the first '=' only
  EXPECT_FALSE(process_environment().count("SAMLING_CONFIG_TEST_PROBE"));
}

// --- auth keys --------------------------------------------------------------------------------

TEST(config_auth, key_ids) {
  const std::vector<std::string> good = {"dev", "k1", "A-z_09", std::string(32, 'k')};
  for (const std::string& id : good) {
    SCOPED_TRACE(id);
    auto errors = load_text("[auth]\nkey_id = \"" + id + "\"\n");
    EXPECT_TRUE(errors.empty()) << joined(errors);
  }
  const std::vector<std::string> bad = {"", std::string(33, 'k'), "k.1", "k:1", "k 1", "k,1",
                                       "nyckel-\xc3\xa5"};
  for (const std::string& id : bad) {
    SCOPED_TRACE(id);
    expect_one_error(load_text("[auth]\nkey_id = \"" + id + "\"\n"), "auth.key_id",
                     "must be 1 to 32 characters of A-Z, a-z, 0-9, '-' or '_'");
  }
}

TEST(config_auth, secret_is_empty_or_at_least_32_bytes_and_never_quoted) {
  for (std::string secret : {std::string(), std::string(32, 's'), std::string(100, 's')}) {
    config c;
    auto errors = load("", {{"SAMLING_AUTH_SECRET", secret}}, c);
    EXPECT_TRUE(errors.empty()) << joined(errors);
    EXPECT_EQ(c.auth.secret, secret);
  }
  const std::string short_secret = "correct-horse-battery-staple";  // 28 bytes
  config c;
  auto errors = load("", {{"SAMLING_AUTH_SECRET", short_secret}}, c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_EQ(errors[0].to_string(),
            "auth.secret: must be empty (a random secret per start) or at least 32 bytes, got 28 "
            "bytes");
}

TEST(config_auth, previous_keys_format) {
  const std::string s32(32, 's');
  const std::vector<std::string> good = {"", "old:" + s32, "old:" + s32 + ",older:" + s32 + "x",
                                        "old:abc:" + s32};
  for (const std::string& text : good) {
    SCOPED_TRACE(text);
    config c;
    auto errors = load("", {{"SAMLING_AUTH_PREVIOUS_KEYS", text}}, c);
    EXPECT_TRUE(errors.empty()) << joined(errors);
  }
  struct row {
    std::string text, message;
  };
  const std::vector<row> rows = {
      {"old", "item 1: expected \"id:secret\" (items are separated by ',')"},
      {"old:" + s32 + ",", "item 2: expected \"id:secret\""},
      {"old;older:" + s32, "item 1: the key id must be 1 to 32 characters"},
      {":" + s32, "item 1: the key id must be 1 to 32 characters"},
      {"o l d:" + s32, "item 1: the key id must be 1 to 32 characters"},
      {"old:tooshort", "item 1: the secret of key \"old\" must be at least 32 bytes, got 8"},
      {"old:" + s32 + ",old:" + s32 + "x", "item 2: key id \"old\" appears twice"},
      {"dev:" + s32, "key id \"dev\" is also auth.key_id, the current key"},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.text);
    config c;
    auto errors = load("", {{"SAMLING_AUTH_PREVIOUS_KEYS", r.text}}, c);
    expect_one_error(errors, "auth.previous_keys", r.message);
    if (errors.empty()) continue;
    // The message ends up in logs and terminals: no secret in it.
    EXPECT_EQ(errors.at(0).message.find(s32), std::string::npos) << joined(errors);
    EXPECT_EQ(errors.at(0).message.find("tooshort"), std::string::npos) << joined(errors);
  }
}

TEST(config_auth, a_previous_key_may_share_no_id_with_the_current_key_wherever_set) {
  config c;
  auto errors = load_from_string("[auth]\nkey_id = \"k2\"\nprevious_keys = \"k1:" +
                                     std::string(32, 'a') + "\"\n",
                                 {{"SAMLING_AUTH_KEY_ID", "k1"}}, c);
  expect_one_error(errors, "auth.previous_keys", "key id \"k1\" is also auth.key_id");
}

TEST(config_auth, dev_tokens_default_off) {
  EXPECT_FALSE(config{}.auth.dev_tokens);
  config c;
  auto errors = load_text("[auth]\ndev_tokens = \"true\"\n");
  expect_one_error(errors, "auth.dev_tokens", "expected a boolean, got string");
}

// --- default_config_path() ---------------------------------------------------------------------

TEST_F(temp_dir_test, default_config_path_order) {
  // SAMLING_CONFIG wins when set and not empty, whatever the working directory holds.
  EXPECT_EQ(default_config_path({{"SAMLING_CONFIG", "/etc/samling.toml"}}), "/etc/samling.toml");

  // The rule is about the working directory; put it back even when a step below throws.
  struct cwd_guard {
    fs::path before = fs::current_path();
    ~cwd_guard() { fs::current_path(before); }
  } guard;
  fs::current_path(dir_);
  std::string without_file = default_config_path({{"SAMLING_CONFIG", ""}});
  fs::create_directories(dir_ / "config");
  write("config/samling.toml", "");
  std::string with_file = default_config_path({});
  std::string empty_variable = default_config_path({{"SAMLING_CONFIG", ""}});  // as if unset
  std::string env_first = default_config_path({{"SAMLING_CONFIG", "x.toml"}});

  EXPECT_EQ(without_file, "");
  EXPECT_EQ(with_file, "config/samling.toml");
  EXPECT_EQ(empty_variable, "config/samling.toml");
  EXPECT_EQ(env_first, "x.toml");
}

// --- config_keys() ----------------------------------------------------------------------------

TEST(config_validation, allowed_origins_must_be_origins) {
  config c;
  EXPECT_TRUE(load_from_string("[server]\nallowed_origins = \"https://stream.example.org, http://127.0.0.1:5173\"\n", {}, c).empty());
  for (const char* bad : {"stream.example.org", "https://stream.example.org/path", "ftp://x.example", "https://", "https://a.example:port"}) {
    SCOPED_TRACE(bad);
    auto errors = load_from_string(std::string("[server]\nallowed_origins = \"https://ok.example, ") + bad + "\"\n", {}, c);
    ASSERT_EQ(errors.size(), 1u) << joined(errors);
    EXPECT_NE(joined(errors).find("server.allowed_origins"), std::string::npos) << joined(errors);
  }
}

TEST(config_validation, public_url_is_empty_or_an_absolute_http_url) {
  for (const char* good : {"", "https://live.example.org", "https://live.example.org/", "http://127.0.0.1:8080",
                           "https://example.org/samling/", "http://[::1]:8080"}) {
    SCOPED_TRACE(good);
    config c;
    EXPECT_TRUE(load_from_string(std::string("[server]\npublic_url = \"") + good + "\"\n", {}, c).empty());
    EXPECT_EQ(c.server.public_url, good);
  }
  for (const char* bad : {"live.example.org", "ftp://live.example.org", "https://", "https:///path",
                          "https://live.example.org/?a=1", "https://live.example.org/#x",
                          "https://user:pw@live.example.org", "https://live example.org", "https://:8080"}) {
    SCOPED_TRACE(bad);
    config c;
    auto errors = load_from_string(std::string("[server]\npublic_url = \"") + bad + "\"\n", {}, c);
    ASSERT_EQ(errors.size(), 1u) << joined(errors);
    EXPECT_NE(joined(errors).find("server.public_url"), std::string::npos) << joined(errors);
  }
  config c;
  auto errors = load_from_string("", {{"SAMLING_SERVER_PUBLIC_URL", "mailto:x@example.org"}}, c);
  ASSERT_EQ(errors.size(), 1u) << joined(errors);
  EXPECT_NE(joined(errors).find("server.public_url"), std::string::npos) << joined(errors);
}

TEST(config_keys_table, lists_every_field_in_file_order_with_its_default) {
  const std::vector<std::string> expected = {
      "server.listen",
      "server.port",
      "server.threads",
      "server.web_root",
      "server.allowed_origins",
      "server.public_url",
      "server.limits.max_header_bytes",
      "server.limits.max_body_bytes",
      "server.limits.idle_timeout_seconds",
      "server.limits.request_timeout_seconds",
      "server.limits.max_connections",
      "server.limits.shutdown_grace_seconds",
      "tls.certificate",
      "tls.private_key",
      "store.driver",
      "store.path",
      "log.level",
      "log.format",
      "log.access_log",
      "demo.seed",
      "demo.file",
      "demo.series_file",
      "auth.key_id",
      "auth.secret",
      "auth.previous_keys",
      "auth.token_ttl_seconds",
      "auth.dev_tokens",
      "auth.session_idle_minutes",
      "auth.session_max_hours",
      "auth.sign_in_max_failures",
      "auth.sign_in_lock_minutes",
      "auth.invitation_days",
      "rooms.history",
      "rooms.resume_window",
      "rooms.max_rooms_per_session",
      "rooms.rate_burst",
      "rooms.rate_per_minute",
      "rooms.text_max_chars",
      "qa.question_max_chars",
      "ws.max_frame_bytes",
      "ws.send_queue_messages",
      "ws.send_queue_bytes",
      "ws.write_batch_ms",
      "ws.batch_above_frames_per_second",
      "ws.idle_timeout_seconds",
      "ws.hello_timeout_seconds",
      "media.enabled",
      "media.dir",
      "media.relay_connect_timeout_seconds",
      "media.relay_hung_seconds",
      "media.relay_backoff_initial_ms",
      "media.relay_backoff_max_ms",
      "media.relay_ca_file",
      "mail.smtp_url",
      "mail.starttls",
      "mail.username",
      "mail.password",
      "mail.password_env",
      "mail.ca_file",
      "mail.from",
      "mail.from_name",
      "mail.max_attempts",
      "mail.backoff_initial_seconds",
      "mail.backoff_max_seconds",
      "mail.timeout_seconds",
      "press.device_cap",
      "press.device_idle_seconds",
      "press.segment_token_seconds",
      "press.grace_before_minutes",
      "press.grace_after_minutes",
      "press.audit_flush_seconds",
  };
  std::vector<std::string> keys;
  for (const key_info& k : config_keys()) {
    keys.push_back(k.key);
    EXPECT_FALSE(k.description.empty()) << k.key;
    EXPECT_TRUE(k.type == "string" || k.type == "integer" || k.type == "boolean") << k.key;
  }
  EXPECT_EQ(keys, expected);

  auto info = [](const std::string& key) {
    for (const key_info& k : config_keys()) {
      if (k.key == key) return k;
    }
    return key_info{};
  };
  EXPECT_EQ(info("server.port").default_value, "8080");
  EXPECT_EQ(info("server.port").type, "integer");
  EXPECT_EQ(info("server.limits.max_body_bytes").default_value, "1048576");
  EXPECT_EQ(info("server.listen").default_value, "127.0.0.1");
  EXPECT_EQ(info("tls.certificate").default_value, "");
  EXPECT_EQ(info("log.access_log").default_value, "true");
  EXPECT_EQ(info("log.access_log").type, "boolean");
  // The development endpoint is off unless a config turns it on.
  EXPECT_EQ(info("auth.dev_tokens").default_value, "false");
  EXPECT_EQ(info("auth.secret").default_value, "");
  EXPECT_EQ(info("ws.send_queue_bytes").default_value, "1048576");
  EXPECT_EQ(info("media.enabled").default_value, "true");
  EXPECT_EQ(info("media.dir").default_value, "var/media");
  // Stage keys are not scalar keys: they have their own list, stage_keys().
  EXPECT_EQ(info("stages").key, "");
}

// [mail]: the keys that need another key, a variable or a file, and the cross-key rules.
TEST(config_mail, smtp_url_needs_a_sender_and_a_valid_url) {
  config c;
  auto errors = load("", {{"SAMLING_MAIL_SMTP_URL", "smtp://127.0.0.1:2525"}, {"SAMLING_MAIL_FROM", "noreply@example.org"}}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.mail.smtp_url, "smtp://127.0.0.1:2525");
  expect_one_error(load_text("[mail]\nsmtp_url = \"smtps://mail.example.org:465\"\n"), "mail.from",
                   "must be set when mail.smtp_url is set");
  expect_one_error(load_text("[mail]\nsmtp_url = \"http://x\"\nfrom = \"a@b.se\"\n"), "mail.smtp_url",
                   "must start with smtp://");
  expect_one_error(load_text("[mail]\nsmtp_url = \"smtp://u:secret@x:25\"\nfrom = \"a@b.se\"\n"), "mail.smtp_url",
                   "must not hold a user or password");
  expect_one_error(load_text("[mail]\nsmtp_url = \"smtp://x:99999\"\nfrom = \"a@b.se\"\n"), "mail.smtp_url",
                   "has an invalid port");
  expect_one_error(load_text("[mail]\nfrom = \"not an address\"\n"), "mail.from", "is not an e-mail address");
  expect_one_error(load_text("[mail]\nfrom_name = \"A\\nBcc: x@y\"\n"), "mail.from_name",
                   "must not contain control characters");
  expect_one_error(load_text("[mail]\nstarttls = \"maybe\"\n"), "mail.starttls", "");
  expect_one_error(load_text("[mail]\nbackoff_initial_seconds = 60\nbackoff_max_seconds = 30\n"),
                   "mail.backoff_max_seconds", "must be at least mail.backoff_initial_seconds (60), got 30");
  expect_one_error(load_text("[mail]\nmax_attempts = 0\n"), "mail.max_attempts", "must be between 1 and 100");
}

TEST(config_mail, username_needs_a_password_which_may_come_from_a_named_variable) {
  expect_one_error(load_text("[mail]\nusername = \"samling\"\n"), "mail.password", "must be set");
  config c;
  auto errors = load_from_string("[mail]\nusername = \"samling\"\npassword_env = \"SMTP_PW\"\n",
                                 {{"SMTP_PW", "hemligt"}}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.mail.username, "samling");
  EXPECT_EQ(c.mail.password, "hemligt");
  // A SAMLING_* name is allowed for the variable (not reported as an unknown override).
  errors = load_from_string("[mail]\nusername = \"u\"\npassword_env = \"SAMLING_SMTP_PW\"\n",
                            {{"SAMLING_SMTP_PW", "x"}}, c);
  EXPECT_TRUE(errors.empty()) << joined(errors);
  EXPECT_EQ(c.mail.password, "x");
  auto missing = load_text("[mail]\nusername = \"u\"\npassword_env = \"SMTP_PW\"\n");
  expect_one_error(missing, "mail.password_env", "environment variable SMTP_PW gave no password");
  auto both = load_from_string("[mail]\npassword = \"a\"\npassword_env = \"SMTP_PW\"\n", {{"SMTP_PW", "b"}}, c);
  expect_one_error(both, "mail.password_env", "set mail.password or mail.password_env, not both");
}

TEST(config_mail, ca_file_must_exist) {
  config c;
  c.mail.ca_file = "/nonexistent/ca.pem";
  auto errors = validate(c);
  expect_one_error(errors, "mail.ca_file", "file not found: /nonexistent/ca.pem");
}

}  // namespace
}  // namespace samling::config

namespace samling::config {
namespace {

// [press] (issue 18): defaults, ranges (config.hpp), the file and the environment.
TEST(config_press, defaults_and_ranges) {
  config c;
  auto errors = load("", {}, c);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(c.press, press_config{});
  EXPECT_EQ(c.press.device_cap, 2u);
  EXPECT_EQ(c.press.device_idle_seconds, 30u);
  EXPECT_EQ(c.press.segment_token_seconds, 120u);
  EXPECT_EQ(c.press.grace_before_minutes, 1440u);
  EXPECT_EQ(c.press.grace_after_minutes, 720u);
  EXPECT_EQ(c.press.audit_flush_seconds, 5u);

  struct bound {
    std::string key;
    std::uint64_t min, max;
  };
  const std::vector<bound> bounds = {{"device_cap", 1, 20},          {"device_idle_seconds", 10, 600},
                                     {"segment_token_seconds", 5, 3600}, {"grace_before_minutes", 0, 43200},
                                     {"grace_after_minutes", 0, 43200},  {"audit_flush_seconds", 1, 300}};
  for (const bound& b : bounds) {
    SCOPED_TRACE(b.key);
    for (std::uint64_t ok : {b.min, b.max}) {
      config in;
      auto e = load_from_string("[press]\n" + b.key + " = " + std::to_string(ok) + "\n", {}, in);
      EXPECT_TRUE(e.empty()) << ok;
    }
    std::vector<std::uint64_t> outside = {b.max + 1};
    if (b.min > 0) outside.push_back(b.min - 1);
    for (std::uint64_t bad : outside) {
      config in;
      auto e = load_from_string("[press]\n" + b.key + " = " + std::to_string(bad) + "\n", {}, in, "t.toml");
      ASSERT_EQ(e.size(), 1u) << bad;
      EXPECT_EQ(e[0].key, "press." + b.key);
      EXPECT_EQ(e[0].message.rfind("must be between " + std::to_string(b.min) + " and " + std::to_string(b.max), 0), 0u)
          << e[0].message;
      // The environment gets the same rule.
      config env_in;
      auto from_env = load("", {{env_name("press." + b.key), std::to_string(bad)}}, env_in);
      ASSERT_EQ(from_env.size(), 1u) << bad;
      EXPECT_EQ(from_env[0].key, "press." + b.key);
      EXPECT_NE(from_env[0].message.find("(from SAMLING_PRESS_"), std::string::npos) << from_env[0].message;
    }
  }
  // From the file; the environment wins over it.
  config file;
  auto e = load_from_string("[press]\ndevice_cap = 4\nsegment_token_seconds = 30\n",
                            {{"SAMLING_PRESS_SEGMENT_TOKEN_SECONDS", "60"}}, file);
  ASSERT_TRUE(e.empty());
  EXPECT_EQ(file.press.device_cap, 4u);
  EXPECT_EQ(file.press.segment_token_seconds, 60u);
  // A misspelt key in [press] is reported with a suggestion.
  config typo;
  e = load_from_string("[press]\ndevice_caps = 4\n", {}, typo);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].key, "press.device_caps");
  EXPECT_NE(e[0].message.find("did you mean \"press.device_cap\"?"), std::string::npos) << e[0].message;
}

}  // namespace
}  // namespace samling::config
