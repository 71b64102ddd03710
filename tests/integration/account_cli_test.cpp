// `samling account add` through the real binary: the account lands in the configured store
// with an Argon2id hash that libsodium itself verifies (generated and --password-stdin
// passwords), a second add for the same e-mail only adds the role, and bad input exits 2 with
// a message and writes nothing.
#include <sodium.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <regex>

#include "harness.hpp"

using namespace samling::testing;

namespace {

struct cli_env {
  temp_dir dir;
  std::string db = dir.file("samling.db");
  std::string config = dir.write("samling.toml", "[store]\npath = \"" + db + "\"\n");
};

struct stored_account {
  std::string id, email, name, hash;
};

std::vector<stored_account> accounts(const std::string& db_path) {
  std::vector<stored_account> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT id, email, display_name, password_hash FROM accounts ORDER BY id", -1, &s,
                         nullptr) == SQLITE_OK) {
    auto col = [&](int i) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, i))); };
    while (sqlite3_step(s) == SQLITE_ROW) out.push_back({col(0), col(1), col(2), col(3)});
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

std::vector<std::string> roles(const std::string& db_path, const std::string& account_id) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT event_id || ':' || role FROM account_roles WHERE account_id = ?1 ORDER BY 1",
                         -1, &s, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(s, 1, account_id.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

bool verifies(const std::string& hash, const std::string& password) {
  if (sodium_init() < 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

TEST(account_cli, generates_prints_and_stores_a_verifiable_password) {
  cli_env e;
  auto r = run_samling({"account", "add", "--config", e.config, "--email", " Anna.Svensson@Example.ORG ",
                        "--name", "Anna Svensson"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::smatch m;
  static const std::regex created(
      R"(samling account: created (a-[0-9a-f]{16}) for anna\.svensson@example\.org \(Anna Svensson\), organizer on every event\.\n)"
      R"(password: ([A-Za-z0-9]{20})\n)"
      R"(This password is shown only once: [^\n]*change it[^\n]*\n)");
  ASSERT_TRUE(std::regex_match(r.out, m, created)) << r.out;
  const std::string id = m[1].str(), password = m[2].str();
  EXPECT_EQ(password.find_first_of("0O1lI"), std::string::npos);

  auto all = accounts(e.db);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, id);
  EXPECT_EQ(all[0].email, "anna.svensson@example.org");
  EXPECT_EQ(all[0].name, "Anna Svensson");
  EXPECT_EQ(all[0].hash.find(password), std::string::npos);  // never stored as given
  EXPECT_TRUE(all[0].hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << all[0].hash;
  EXPECT_TRUE(verifies(all[0].hash, password));
  EXPECT_FALSE(verifies(all[0].hash, password + "x"));
  EXPECT_EQ(roles(e.db, id), std::vector<std::string>{"*:organizer"});
}

TEST(account_cli, password_stdin_is_hashed_and_not_printed) {
  cli_env e;
  const std::string password = "Ett långt lösenord för Åsa";
  auto r = run_samling_with_input({"account", "add", "--config", e.config, "--email", "asa@example.org", "--name",
                                   "Åsa Öberg", "--role", "moderator", "--event", "stockholm-tillsammans-2027",
                                   "--password-stdin"},
                                  password + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("password"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("moderator on event stockholm-tillsammans-2027"), std::string::npos) << r.out;
  auto all = accounts(e.db);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_TRUE(verifies(all[0].hash, password));
  EXPECT_FALSE(verifies(all[0].hash, password + "\n"));
  EXPECT_EQ(roles(e.db, all[0].id), std::vector<std::string>{"stockholm-tillsammans-2027:moderator"});
}

TEST(account_cli, a_second_add_of_the_same_email_adds_the_role_only) {
  cli_env e;
  auto first = run_samling({"account", "add", "--config", e.config, "--email", "anna@example.org", "--name", "Anna"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto before = accounts(e.db);
  ASSERT_EQ(before.size(), 1u);

  auto second = run_samling({"account", "add", "--config", e.config, "--email", "ANNA@example.org", "--name",
                             "Someone Else", "--role", "press", "--event", "regional-2027-uppsala"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "samling account: anna@example.org has an account already (" + before[0].id +
                            "); added the role press on event regional-2027-uppsala.\n");
  auto third = run_samling({"account", "add", "--config", e.config, "--email", "anna@example.org", "--name", "Anna",
                            "--role", "press", "--event", "regional-2027-uppsala"});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third.out.find("it already had the role press on event regional-2027-uppsala"), std::string::npos)
      << third.out;

  const auto after = accounts(e.db);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].name, "Anna");           // unchanged
  EXPECT_EQ(after[0].hash, before[0].hash);   // unchanged
  EXPECT_EQ(roles(e.db, after[0].id), (std::vector<std::string>{"*:organizer", "regional-2027-uppsala:press"}));
}

TEST(account_cli, reset_password_replaces_the_password_of_an_existing_account_only) {
  cli_env e;
  auto first = run_samling({"account", "add", "--config", e.config, "--email", "anna@example.org", "--name", "Anna"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto before = accounts(e.db);
  ASSERT_EQ(before.size(), 1u);

  // Generated: printed once, and the stored hash verifies it (and no longer the old one's hash).
  auto reset = run_samling({"account", "add", "--config", e.config, "--email", "anna@example.org", "--name", "Anna",
                            "--reset-password"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(reset.out, m, std::regex(R"(its password is replaced\.\npassword: ([A-Za-z0-9]{20})\n)")))
      << reset.out;
  auto after = accounts(e.db);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, before[0].id);
  EXPECT_NE(after[0].hash, before[0].hash);
  EXPECT_TRUE(verifies(after[0].hash, m[1].str()));

  // From standard input: not printed.
  const std::string chosen = "Ett annat långt lösenord";
  auto from_stdin = run_samling_with_input({"account", "add", "--config", e.config, "--email", "anna@example.org",
                                            "--name", "Anna", "--reset-password", "--password-stdin"},
                                           chosen + "\n");
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(from_stdin.out.find("password:"), std::string::npos) << from_stdin.out;
  EXPECT_TRUE(verifies(accounts(e.db)[0].hash, chosen));
}

TEST(account_cli, bad_input_exits_2_with_a_message_and_writes_nothing) {
  cli_env e;
  struct bad {
    std::vector<std::string> args;
    std::optional<std::string> input;
    std::string message;
  };
  const std::vector<bad> cases = {
      {{"--email", "anna@localhost", "--name", "Anna"}, {}, "needs a dot inside it"},
      {{"--email", "anna svensson@example.org", "--name", "Anna"}, {}, "must not contain spaces"},
      {{"--email", "anna@example.org"}, {}, "--name is required"},
      {{"--name", "Anna"}, {}, "--email is required"},
      {{"--email", "anna@example.org", "--name", "Anna", "--role", "guest"}, {}, "is not one of"},
      {{"--email", "anna@example.org", "--name", "Anna", "--event", "Not An Id"}, {}, "is not an event id"},
      {{"--email", "anna@example.org", "--name", "Anna", "--password-stdin"}, "too short\n", "at least 12"},
      {{"--email", "anna@example.org", "--name", "Anna", "--password-stdin"}, "", "standard input is empty"},
      {{"--email", "anna@example.org", "--name", "Anna", "--bogus"}, {}, "unknown option \"--bogus\""},
  };
  for (const bad& c : cases) {
    std::vector<std::string> args{"account", "add", "--config", e.config};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = run_samling_with_input(args, c.input);
    EXPECT_EQ(r.exit_code, 2) << c.message << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_TRUE(r.err.starts_with("samling account: ")) << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_TRUE(accounts(e.db).empty());
  auto missing = run_samling({"account"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing subcommand (add)"), std::string::npos) << missing.err;
}

TEST(account_cli, help_is_printed_and_listed_in_the_main_help) {
  auto r = run_samling({"account", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.out.starts_with("Usage: samling account add --email EMAIL --name NAME")) << r.out;
  auto main_help = run_samling({"--help"});
  EXPECT_NE(main_help.out.find("samling account add --email E --name N"), std::string::npos) << main_help.out;
}

}  // namespace
