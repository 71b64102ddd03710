// The command line and start-up validation: help, version, and configuration errors that
// stop start-up with exit code 2 and a message naming the key.
#include <gtest/gtest.h>

#include "harness.hpp"

using namespace samling::testing;

namespace {

TEST(cli, help_and_version) {
  auto help = run_samling({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("samling serve"), std::string::npos);
  auto version = run_samling({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("samling 0."), std::string::npos);
  EXPECT_NE(version.out.find("GStreamer 1."), std::string::npos);
}

TEST(cli, unknown_command_or_option_is_a_usage_error) {
  EXPECT_EQ(run_samling({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_samling({"serve", "--colour"}).exit_code, 2);
  EXPECT_EQ(run_samling({}).exit_code, 2);
}

struct bad_config_case {
  const char* name;
  std::string toml;
  std::map<std::string, std::string> env;
  std::vector<std::string> must_mention;
};

class bad_config : public ::testing::TestWithParam<bad_config_case> {};

TEST_P(bad_config, stops_start_up_with_exit_2_naming_the_key) {
  auto& c = GetParam();
  temp_dir dir;
  write_file(dir.file("samling.toml"), c.toml);
  auto env = c.env;
  env["SAMLING_STORE_PATH"] = dir.file("samling.db");
  auto r = run_samling({"serve", "--config", dir.file("samling.toml")}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  for (auto& m : c.must_mention) EXPECT_NE(r.err.find(m), std::string::npos) << "missing \"" << m << "\" in:\n" << r.err;
  EXPECT_EQ(r.out.find("listening"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    table, bad_config,
    ::testing::Values(
        bad_config_case{"unknown_key", "[server]\nprot = 80\n", {}, {"server.prot", "unknown", "server.port"}},
        bad_config_case{"unknown_table", "[nonsense]\nx = 1\n", {}, {"nonsense"}},
        bad_config_case{"port_out_of_range", "[server]\nport = 70000\n", {}, {"server.port", "65535"}},
        bad_config_case{"port_wrong_type", "[server]\nport = \"eighty\"\n", {}, {"server.port", "integer"}},
        bad_config_case{"port_from_env", "", {{"SAMLING_SERVER_PORT", "-1"}}, {"SAMLING_SERVER_PORT"}},
        bad_config_case{"unknown_env", "", {{"SAMLING_SERVER_PROT", "80"}}, {"SAMLING_SERVER_PROT"}},
        bad_config_case{"missing_certificate", "[tls]\ncertificate = \"/nonexistent/cert.pem\"\nprivate_key = \"/nonexistent/key.pem\"\n", {}, {"tls.certificate", "/nonexistent/cert.pem"}},
        bad_config_case{"certificate_without_key", "[tls]\ncertificate = \"/etc/hostname\"\n", {}, {"tls.private_key"}},
        bad_config_case{"bad_log_format", "[log]\nformat = \"xml\"\n", {}, {"log.format"}},
        bad_config_case{"toml_syntax", "[server\nport = 1\n", {}, {"samling.toml", "1"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(cli, missing_config_file_is_exit_2_naming_the_file) {
  auto r = run_samling({"serve", "--config", "/nonexistent/samling.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/samling.toml"), std::string::npos) << r.err;
}

TEST(cli, a_certificate_that_is_not_pem_is_exit_2_naming_the_key) {
  temp_dir dir;
  write_file(dir.file("cert.pem"), "not a certificate");
  write_file(dir.file("key.pem"), "not a key");
  write_file(dir.file("samling.toml"), "[tls]\ncertificate = \"" + dir.file("cert.pem") +
                                           "\"\nprivate_key = \"" + dir.file("key.pem") + "\"\n");
  auto r = run_samling({"serve", "--config", dir.file("samling.toml")},
                       {{"SAMLING_STORE_PATH", dir.file("db")}, {"SAMLING_SERVER_PORT", "0"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("tls.certificate"), std::string::npos) << r.err;
}

TEST(cli, check_config_accepts_the_shipped_default) {
  auto r = run_samling({"check-config", "--config", std::string(SAMLING_SOURCE_DIR) + "/config/samling.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(cli, a_port_in_use_is_a_clear_start_up_failure) {
  server_process first;
  temp_dir dir;
  auto r = run_samling({"serve"}, {{"SAMLING_SERVER_PORT", std::to_string(first.port())},
                                   {"SAMLING_STORE_PATH", dir.file("db")},
                                   {"SAMLING_DEMO_SEED", "false"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen"), std::string::npos) << r.err;
}

}  // namespace
