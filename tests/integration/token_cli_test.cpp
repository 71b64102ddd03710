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
#include "ws_client.hpp"

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

// --- personal join links (--link) ---------------------------------------------------------------

// The token of a link "<base>/#event=<event>&join=<token>\n", checked like a bare one.
struct link_parts {
  std::string base, event, token;
};
link_parts split_link(const run_result& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  static const std::regex format(R"((.*)/#event=([a-z0-9-]+)&join=(v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43})\n)");
  std::smatch m;
  if (!std::regex_match(r.out, m, format)) {
    ADD_FAILURE() << "not one join link and a newline on stdout: \"" << r.out << "\"";
    return {};
  }
  return {m[1].str(), m[2].str(), m[3].str()};
}

TEST(token_cli, link_prints_one_join_link_with_the_token_in_the_fragment) {
  cli_env e;
  auto r = run_samling({"token", "--config", e.config, "--event", "stockholm-tillsammans-2027", "--name",
                        "Anna Svensson", "--role", "moderator", "--link", "--base-url", "https://live.example.org"},
                       {{"SAMLING_AUTH_SECRET", secret}});
  link_parts l = split_link(r);
  EXPECT_EQ(l.base, "https://live.example.org");
  EXPECT_EQ(l.event, "stockholm-tillsammans-2027");
  // The token in the link is a whole, valid token with the claims asked for.
  minted t = decode({0, l.token + "\n", ""}, secret);
  EXPECT_EQ(t.claims["name"], "Anna Svensson");
  EXPECT_EQ(t.claims["role"], "moderator");
  EXPECT_EQ(t.claims["event"], "stockholm-tillsammans-2027");
}

TEST(token_cli, the_links_base_is_base_url_else_public_url_else_the_servers_address) {
  temp_dir dir;
  auto link_with = [&](const std::string& toml, std::vector<std::string> extra = {}) {
    std::string config = dir.write("c.toml", toml);
    std::vector<std::string> args = {"token", "--config", config, "--event", "x", "--name", "A", "--link"};
    args.insert(args.end(), extra.begin(), extra.end());
    return split_link(run_samling(args, {{"SAMLING_AUTH_SECRET", secret}})).base;
  };
  EXPECT_EQ(link_with(""), "http://127.0.0.1:8080") << "server.listen and server.port's defaults";
  EXPECT_EQ(link_with("[server]\nlisten = \"0.0.0.0\"\nport = 9000\n"), "http://localhost:9000");
  EXPECT_EQ(link_with("[server]\nlisten = \"::\"\n"), "http://localhost:8080");
  EXPECT_EQ(link_with("[server]\nlisten = \"::1\"\n"), "http://[::1]:8080");
  EXPECT_EQ(link_with("[server]\npublic_url = \"https://live.example.org\"\n"), "https://live.example.org");
  // A trailing slash is not doubled; a path is kept.
  EXPECT_EQ(link_with("[server]\npublic_url = \"https://example.org/samling/\"\n"), "https://example.org/samling");
  EXPECT_EQ(link_with("[server]\npublic_url = \"https://live.example.org\"\n", {"--base-url", "http://10.0.0.5:8080/"}),
            "http://10.0.0.5:8080");
  // The environment overrides the file, as for every key.
  std::string config = dir.write("d.toml", "[server]\npublic_url = \"https://file.example\"\n");
  auto r = run_samling({"token", "--config", config, "--event", "x", "--name", "A", "--link"},
                       {{"SAMLING_AUTH_SECRET", secret}, {"SAMLING_SERVER_PUBLIC_URL", "https://env.example"}});
  EXPECT_EQ(split_link(r).base, "https://env.example");
}

TEST(token_cli, without_link_the_output_stays_the_bare_token) {
  temp_dir dir;
  std::string config = dir.write("c.toml", "[server]\npublic_url = \"https://live.example.org\"\n");
  auto r = run_samling({"token", "--config", config, "--event", "x", "--name", "A"}, {{"SAMLING_AUTH_SECRET", secret}});
  decode(r, secret);
}

TEST(token_cli, help_mentions_the_link) {
  auto help = run_samling({"token", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--link"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--base-url"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("server.public_url"), std::string::npos) << help.out;
}

// The point of the link: with dev tokens off (the production default), the token it carries
// signs its holder in on a running server that has the same key, in the role it names.
TEST(token_cli, a_linked_token_is_accepted_by_a_running_server_without_dev_tokens) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[auth]\ndev_tokens = false\n";
  server_process server(o);
  EXPECT_EQ(http_request(server.port(), "POST", "/api/v1/dev/token", "{}").status, 404) << "dev tokens are off";

  cli_env e;
  auto env = ws::auth_env();
  auto r = run_samling({"token", "--config", e.config, "--event", ws::event_id, "--name", "Mona Moderator", "--role",
                        "moderator", "--link", "--base-url", server.url()},
                       env);
  link_parts l = split_link(r);
  EXPECT_EQ(l.base + "/", server.url());
  EXPECT_EQ(l.event, ws::event_id);

  ws_client c;
  ASSERT_TRUE(c.connect(server.port())) << c.error();
  auto h = c.hello(l.event, l.token);
  ASSERT_TRUE(is_ack(h)) << str(h);
  EXPECT_EQ(string_field(h, "result.user.name"), "Mona Moderator");
  EXPECT_EQ(string_field(h, "result.user.role"), "moderator");
  // A moderator sees member lists: the role is the one the link was made for.
  ASSERT_TRUE(is_ack(c.join(ws::room("main"))));
  EXPECT_TRUE(is_ack(c.members(ws::room("main"))));

  // A link made with another secret is refused by that server.
  auto forged = run_samling({"token", "--config", e.config, "--event", ws::event_id, "--name", "Eve", "--link"},
                            {{"SAMLING_AUTH_KEY_ID", ws::key_id}, {"SAMLING_AUTH_SECRET", std::string(40, 'z')}});
  ws_client other;
  ASSERT_TRUE(other.connect(server.port())) << other.error();
  EXPECT_EQ(outcome(other.hello(ws::event_id, split_link(forged).token)), "token_invalid");
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
        usage_case{"base_url_without_link", {"--event", "x", "--name", "A", "--base-url", "https://a.example"},
                   with_secret, {"--base-url", "--link"}},
        usage_case{"base_url_not_http", {"--event", "x", "--name", "A", "--link", "--base-url", "live.example.org"},
                   with_secret, {"--base-url", "http"}},
        usage_case{"base_url_with_fragment",
                   {"--event", "x", "--name", "A", "--link", "--base-url", "https://a.example/#x"}, with_secret,
                   {"--base-url", "fragment"}},
        usage_case{"base_url_with_query",
                   {"--event", "x", "--name", "A", "--link", "--base-url", "https://a.example/?q=1"}, with_secret,
                   {"--base-url", "query"}},
        usage_case{"bad_public_url", {"--event", "x", "--name", "A", "--link"},
                   {{"SAMLING_AUTH_SECRET", secret}, {"SAMLING_SERVER_PUBLIC_URL", "ftp://x"}},
                   {"server.public_url"}},
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
