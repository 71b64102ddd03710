// `samling press grant` through the real binary (issue 18): the link it prints carries a grant
// token signed as docs/api.md "Press" says (HMAC-SHA256 with the key derived from auth.secret),
// a server on the same database lists the grant (created by "cli"), opens its press page and
// has the audit entry and the queued mail; bad options exit 2 with a message, print nothing on
// stdout and store nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <regex>

#include "harness.hpp"
#include "token_codec.hpp"
#include "ws_client.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

const std::string event = ws::event_id;
const std::string events_path = "/api/v1/events/" + event;

std::vector<std::pair<std::string, std::string>> officer() {
  return {{"Authorization", "Bearer " + ws::token("u-po", "Pia Press", "press_officer")}};
}

json::object parse(const std::string& body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << body;
    return {};
  }
  return v.as_object();
}

struct printed {
  std::string token;
  json::object payload;
};

// Checks a successful run's stdout: one press link with a grant token signed with `secret`.
printed check_link(const run_result& r, const std::string& base, const std::string& key_id, const std::string& secret) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  static const std::regex format(R"((.*)/#press=(g1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43}))\n)");
  std::smatch m;
  if (!std::regex_match(r.out, m, format)) {
    ADD_FAILURE() << "not one press link on stdout: \"" << r.out << "\"";
    return {};
  }
  EXPECT_EQ(m[1].str(), base);
  EXPECT_EQ(m[3].str(), key_id);
  // The grant key is HMAC-SHA256(secret, "samling press grant v1"); the MAC covers "g1.KID.PAYLOAD".
  const std::string grant_key = hmac_sha256(secret, "samling press grant v1");
  EXPECT_EQ(m[5].str(), base64url(hmac_sha256(grant_key, "g1." + m[3].str() + "." + m[4].str())));
  return {m[2].str(), parse(base64url_decode(m[4].str()))};
}

std::vector<std::string> grant_ids(std::uint16_t port) {
  auto r = http_get(port, events_path + "/grants", officer());
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> out;
  auto o = parse(r.body);
  auto list = o.contains("grants") ? o.at("grants") : json::value(json::array{});
  for (auto& g : list.as_array()) out.emplace_back(g.as_object().at("id").as_string());
  return out;
}

void stop(server_process& s) {
  s.signal(SIGTERM);
  ASSERT_EQ(s.wait_exit(20s), std::optional<int>(0));
}

TEST(press_cli, prints_a_signed_link_and_the_server_on_the_same_store_knows_the_grant) {
  temp_dir dir;
  server_process::options o;
  o.dir = &dir;
  o.env = ws::auth_env();
  o.extra_toml = "[media]\nenabled = false\n";
  const std::string config = dir.file("samling.toml");
  {
    server_process first(o);  // writes the config and seeds the demo program
    stop(first);
  }

  // With no server running.
  auto env = ws::auth_env();
  env["SAMLING_SERVER_PUBLIC_URL"] = "https://press.example.org";
  auto r = run_samling({"press", "grant", "--config", config, "--event", event, "--name", "Eva Ek", "--outlet",
                        "Dagens Nyheter", "--email", "Eva@Example.org", "--language", "en", "--stages", "*",
                        "--rooms", "main,press", "--days", "2027-02-09", "--device-cap", "3"},
                       env);
  auto p = check_link(r, "https://press.example.org", ws::key_id, ws::secret);
  ASSERT_TRUE(p.payload.contains("id")) << json::serialize(p.payload);
  const std::string id(p.payload.at("id").as_string());
  EXPECT_TRUE(std::regex_match(id, std::regex("pr-[0-9a-f]{16}"))) << id;

  server_process second(o);
  const auto port = second.port();
  auto list = parse(http_get(port, events_path + "/grants", officer()).body);
  ASSERT_TRUE(list.contains("grants"));
  ASSERT_EQ(list.at("grants").as_array().size(), 1u);
  auto g = list.at("grants").as_array()[0].as_object();
  EXPECT_EQ(g.at("id").as_string(), id);
  EXPECT_EQ(g.at("created_by").as_string(), "cli");
  EXPECT_EQ(g.at("name").as_string(), "Eva Ek");
  EXPECT_EQ(g.at("outlet").as_string(), "Dagens Nyheter");
  EXPECT_EQ(g.at("email").as_string(), "eva@example.org");
  EXPECT_EQ(g.at("language").as_string(), "en");
  EXPECT_EQ(g.at("device_cap").as_int64(), 3);
  EXPECT_EQ(json::serialize(g.at("rooms")), R"(["main","press"])");
  EXPECT_EQ(json::serialize(g.at("stages")), R"(["*"])");
  // 2027-02-09 in Stockholm (UTC+1) with the default grace: a day before, 12 hours after.
  EXPECT_EQ(g.at("valid_from").as_int64(), 1802127600 - 86400);
  EXPECT_EQ(g.at("valid_until").as_int64(), 1802127600 + 86400 + 43200);

  // The server verifies the printed token: the press page opens (the grant is not valid yet).
  auto me = http_get(port, "/api/v1/press/me", {{"Authorization", "Bearer " + p.token}});
  EXPECT_EQ(me.status, 200) << me.body;
  // The audit entry (actor cli) and the queued mail with the same link.
  auto audit = parse(http_get(port, events_path + "/press/audit.json", officer()).body);
  bool issued = false;
  for (auto& a : audit.at("actions").as_array())
    issued = issued || (a.as_object().at("action").as_string() == "press.grant.issued" &&
                        a.as_object().at("actor").as_string() == "cli" && a.as_object().at("target").as_string() == id);
  EXPECT_TRUE(issued) << json::serialize(audit);
  auto outbox = http_get(port, events_path + "/outbox",
                         {{"Authorization", "Bearer " + ws::token("u-org", "Org", "organizer")}});
  EXPECT_NE(outbox.body.find("press_grant_issued"), std::string::npos) << outbox.body;
  EXPECT_NE(outbox.body.find("eva@example.org"), std::string::npos) << outbox.body;

  // While the server runs, on the same database: the default base is the listening address of
  // the configuration; no mail without --email.
  auto again = run_samling({"press", "grant", "--config", config, "--event", event, "--name", "Aino"}, ws::auth_env());
  auto q = check_link(again, "http://127.0.0.1:0", ws::key_id, ws::secret);
  EXPECT_EQ(grant_ids(port).size(), 2u);
  EXPECT_EQ(http_get(port, "/api/v1/press/me?grant=" + q.token).status, 200);
}

TEST(press_cli, bad_options_exit_2_with_a_message_and_store_nothing) {
  temp_dir dir;
  server_process::options o;
  o.dir = &dir;
  o.env = ws::auth_env();
  o.extra_toml = "[media]\nenabled = false\n";
  server_process s(o);
  const std::string config = dir.file("samling.toml");
  auto base = std::vector<std::string>{"press", "grant", "--config", config};
  auto run = [&](std::vector<std::string> extra, std::map<std::string, std::string> env = ws::auth_env()) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_samling(args, env);
  };
  struct bad_case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<bad_case> cases = {
      {{"--name", "A"}, "--event is required"},
      {{"--event", event}, "--name is required"},
      {{"--event", "Not An Id", "--name", "A"}, "not an event id"},
      {{"--event", "no-such-event", "--name", "A"}, "no event \"no-such-event\""},
      {{"--event", event, "--name", "A", "--stages", "nowhere"}, "--stages"},
      {{"--event", event, "--name", "A", "--rooms", "nowhere"}, "--rooms"},
      {{"--event", event, "--name", "A", "--days", "2031-01-01"}, "not a day of the event"},
      {{"--event", event, "--name", "A", "--device-cap", "0"}, "--device-cap"},
      {{"--event", event, "--name", "A", "--device-cap", "many"}, "--device-cap"},
      {{"--event", event, "--name", "A", "--language", "de"}, "--language"},
      {{"--event", event, "--name", "A", "--email", "nope"}, "--email"},
      {{"--event", event, "--name", "A", "--valid-from", "2027-02-09T08:00:00+01:00"}, "go together"},
      {{"--event", event, "--name", "A", "--valid-from", "soon", "--valid-until", "later"}, "RFC 3339"},
      {{"--event", event, "--name", "A", "--valid-from", "2027-02-09T10:00:00Z", "--valid-until", "2027-02-09T09:00:00Z"},
       "after"},
      {{"--event", event, "--name", "A", "--days", "2027-02-09", "--valid-from", "2027-02-09T10:00:00Z",
        "--valid-until", "2027-02-10T09:00:00Z"},
       "not both"},
      {{"--event", event, "--name", "A", "--frobnicate"}, "unknown option"},
      {{"--event", event, "--name"}, "--name needs a value"},
  };
  for (auto& c : cases) {
    auto r = run(c.args);
    std::string shown;
    for (auto& a : c.args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << r.err;
    EXPECT_EQ(r.out, "") << shown;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << shown << ": " << r.err;
  }
  auto no_sub = run_samling({"press"});
  EXPECT_EQ(no_sub.exit_code, 2);
  auto no_secret = run({"--event", event, "--name", "A"}, {});
  EXPECT_EQ(no_secret.exit_code, 2);
  EXPECT_NE(no_secret.err.find("auth.secret"), std::string::npos) << no_secret.err;
  EXPECT_TRUE(grant_ids(s.port()).empty());

  auto help = run_samling({"press", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--stages"), std::string::npos);
  EXPECT_NE(run_samling({"--help"}).out.find("samling press grant"), std::string::npos);
}

}  // namespace
