// `samling token` through the real binary: the token it prints has the documented format
// (docs/protocol.md, Tokens), carries the claims asked for and is signed with the configured
// key; usage and configuration problems exit 2 with a message and print no token.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json.hpp>
#include <chrono>
#include <regex>

#include "harness.hpp"
#include "token_codec.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

const std::string secret = "integration-test-secret-of-40-bytes-xxxx";

std::string b64url_decode(std::string in) { return base64url_decode(std::move(in)); }
std::string b64url_hmac(const std::string& key, const std::string& data) {
  return base64url(hmac_sha256(key, data));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct minted {
  std::string key_id;
  json::object claims;
};

// Checks the output of a successful run and returns what the token says.
minted decode(const run_result& r, const std::string& signing_secret) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  static const std::regex format(
      R"(v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})\n)");
  std::smatch m;
  if (!std::regex_match(r.out, m, format)) {
    ADD_FAILURE() << "not one token and a newline on stdout: \"" << r.out << "\"";
    return {};
  }
  // The signature is HMAC-SHA256 over "v1.KEY_ID.PAYLOAD" with the configured secret.
  EXPECT_EQ(m[3].str(), b64url_hmac(signing_secret, "v1." + m[1].str() + "." + m[2].str()));
  boost::system::error_code ec;
  json::value payload = json::parse(b64url_decode(m[2].str()), ec);
  if (ec || !payload.is_object()) {
    ADD_FAILURE() << "payload is not a JSON object: " << b64url_decode(m[2].str());
    return {};
  }
  return {m[1].str(), payload.as_object()};
}

// A config file of its own, so a config/samling.toml in the working directory cannot matter.
struct cli_env {
  temp_dir dir;
  std::string config = dir.write("samling.toml", "");
};

TEST(token_cli, mints_a_token_with_the_claims_and_the_configured_key) {
  cli_env e;
  std::int64_t before = unix_now();
  auto r = run_samling({"token", "--config", e.config, "--event", "stockholm-tillsammans-2027",
                        "--name", "Anna Svensson"},
                       {{"SAMLING_AUTH_SECRET", secret}});
  std::int64_t after = unix_now();
  minted t = decode(r, secret);
  EXPECT_EQ(t.key_id, "dev");  // auth.key_id's default
  EXPECT_EQ(t.claims["event"], "stockholm-tillsammans-2027");
  EXPECT_EQ(t.claims["name"], "Anna Svensson");
  EXPECT_EQ(t.claims["role"], "attendee");
  ASSERT_TRUE(t.claims["sub"].is_string());
  EXPECT_TRUE(std::regex_match(std::string(t.claims["sub"].as_string()),
                               std::regex("u-anna-svensson-[0-9a-f]{6}")))
      << t.claims["sub"];
  ASSERT_TRUE(t.claims["iat"].is_int64());
  ASSERT_TRUE(t.claims["exp"].is_int64());
  std::int64_t iat = t.claims["iat"].as_int64();
  EXPECT_GE(iat, before);
  EXPECT_LE(iat, after);
  EXPECT_EQ(t.claims["exp"].as_int64() - iat, 43200);  // auth.token_ttl_seconds' default
}

TEST(token_cli, role_user_and_ttl_options_are_used) {
  cli_env e;
  auto r = run_samling({"token", "--config", e.config, "--event=demo-2027", "--name=Mo",
                        "--role", "moderator", "--user", "staff-17", "--ttl", "120"},
                       {{"SAMLING_AUTH_SECRET", secret}, {"SAMLING_AUTH_KEY_ID", "k7"}});
  minted t = decode(r, secret);
  EXPECT_EQ(t.key_id, "k7");
  EXPECT_EQ(t.claims["event"], "demo-2027");
  EXPECT_EQ(t.claims["name"], "Mo");
  EXPECT_EQ(t.claims["role"], "moderator");
  EXPECT_EQ(t.claims["sub"], "staff-17");
  EXPECT_EQ(t.claims["exp"].as_int64() - t.claims["iat"].as_int64(), 120);
}

TEST(token_cli, the_default_user_id_is_unique_per_token) {
  cli_env e;
  const std::vector<std::string> args = {"token",   "--config", e.config, "--event",
                                         "x",       "--name",   "Åsa Öberg"};
  minted first = decode(run_samling(args, {{"SAMLING_AUTH_SECRET", secret}}), secret);
  minted second = decode(run_samling(args, {{"SAMLING_AUTH_SECRET", secret}}), secret);
  EXPECT_NE(first.claims["sub"], second.claims["sub"]);
  EXPECT_TRUE(std::regex_match(std::string(first.claims["sub"].as_string()),
                               std::regex("u-asa-oberg-[0-9a-f]{6}")))
      << first.claims["sub"];
  EXPECT_EQ(first.claims["name"], "Åsa Öberg");
}

TEST(token_cli, key_and_lifetime_come_from_the_config_file_found_like_serve_finds_it) {
  temp_dir dir;
  const std::string file_secret(48, 'f');
  std::string config = dir.write("auth.toml", "[auth]\nkey_id = \"k2026\"\nsecret = \"" +
                                                  file_secret + "\"\ntoken_ttl_seconds = 600\n");
  // No --config: SAMLING_CONFIG names the file, as for `samling serve`.
  auto r = run_samling({"token", "--event", "x", "--name", "A"}, {{"SAMLING_CONFIG", config}});
  minted t = decode(r, file_secret);
  EXPECT_EQ(t.key_id, "k2026");
  EXPECT_EQ(t.claims["exp"].as_int64() - t.claims["iat"].as_int64(), 600);
}

TEST(token_cli, help_is_exit_0_and_the_main_help_mentions_the_command) {
  auto help = run_samling({"token", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--event"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--role"), std::string::npos) << help.out;
  auto main_help = run_samling({"--help"});
  EXPECT_NE(main_help.out.find("samling token"), std::string::npos) << main_help.out;
}

struct usage_case {
  const char* name;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::vector<std::string> must_mention;
};

class token_cli_refuses : public ::testing::TestWithParam<usage_case> {};

TEST_P(token_cli_refuses, with_exit_2_a_message_and_no_token) {
  const usage_case& c = GetParam();
  cli_env e;
  std::vector<std::string> args = {"token", "--config", e.config};
  args.insert(args.end(), c.args.begin(), c.args.end());
  auto r = run_samling(args, c.env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  for (const std::string& m : c.must_mention) {
    EXPECT_NE(r.err.find(m), std::string::npos) << "missing \"" << m << "\" in:\n" << r.err;
  }
}

const std::map<std::string, std::string> with_secret = {{"SAMLING_AUTH_SECRET", secret}};

// Prefixed "token_cli" so that --gtest_filter='token*' selects these cases too.
INSTANTIATE_TEST_SUITE_P(
    token_cli, token_cli_refuses,
    ::testing::Values(
        usage_case{"missing_event", {"--name", "Anna"}, with_secret, {"--event", "required"}},
        usage_case{"missing_name", {"--event", "x"}, with_secret, {"--name", "required"}},
        usage_case{"empty_name", {"--event", "x", "--name", "  "}, with_secret, {"--name"}},
        usage_case{"bad_role", {"--event", "x", "--name", "A", "--role", "admin"}, with_secret,
                   {"--role", "admin", "attendee"}},
        usage_case{"guest_role", {"--event", "x", "--name", "A", "--role", "guest"}, with_secret,
                   {"--role"}},
        usage_case{"bad_event_id", {"--event", "Stockholm 2027", "--name", "A"}, with_secret,
                   {"--event"}},
        usage_case{"bad_ttl", {"--event", "x", "--name", "A", "--ttl", "1h"}, with_secret,
                   {"--ttl"}},
        usage_case{"option_without_value", {"--event"}, with_secret, {"--event needs a value"}},
        usage_case{"unknown_option", {"--event", "x", "--name", "A", "--admin"}, with_secret,
                   {"--admin"}},
        usage_case{"empty_secret", {"--event", "x", "--name", "A"}, {},
                   {"auth.secret", "random", "SAMLING_AUTH_SECRET"}},
        usage_case{"short_secret", {"--event", "x", "--name", "A"},
                   {{"SAMLING_AUTH_SECRET", "too-short"}}, {"auth.secret", "32 bytes"}},
        usage_case{"invalid_config", {"--event", "x", "--name", "A"},
                   {{"SAMLING_AUTH_SECRET", secret}, {"SAMLING_AUTH_TOKEN_TTL_SECONDS", "5"}},
                   {"auth.token_ttl_seconds"}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(token_cli, a_missing_config_file_is_exit_2_naming_it) {
  auto r = run_samling({"token", "--config", "/nonexistent/samling.toml", "--event", "x",
                        "--name", "A"},
                       {{"SAMLING_AUTH_SECRET", secret}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("/nonexistent/samling.toml"), std::string::npos) << r.err;
}

}  // namespace
