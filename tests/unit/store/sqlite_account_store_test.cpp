// sqlite_account_store against a real temporary SQLite file, and migration 4 over a database
// written at schema version 3.
#include "store/sqlite_account_store.hpp"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "auth/password.hpp"
#include "store/migrations.hpp"
#include "store/statement.hpp"
#include "temp_dir.hpp"

namespace samling::store {
namespace {

using auth::account;
using auth::account_role;
using auth::role;
using samling::testing::temp_dir;

account anna() {
  return account{.id = "a-0123456789abcdef",
                 .email = "anna.svensson@example.org",
                 .display_name = "Anna Svensson",
                 .password_hash = auth::hash_password("a long enough passphrase", auth::hash_limits::minimum()),
                 .created_at = 1800000000,
                 .disabled = false};
}

TEST(sqlite_account_store, creates_and_finds_by_id_and_email_across_a_reopen) {
  temp_dir dir;
  {
    sqlite_db db(dir.file("samling.db"));
    sqlite_account_store store(db);
    store.create(anna());
  }
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store store(db);
  auto by_id = store.find_by_id("a-0123456789abcdef");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->email, "anna.svensson@example.org");
  EXPECT_EQ(by_id->display_name, "Anna Svensson");
  EXPECT_EQ(by_id->created_at, 1800000000);
  EXPECT_FALSE(by_id->disabled);
  EXPECT_TRUE(auth::verify_password(by_id->password_hash, "a long enough passphrase"));
  auto by_email = store.find_by_email("anna.svensson@example.org");
  ASSERT_TRUE(by_email);
  EXPECT_EQ(by_email->id, by_id->id);
  EXPECT_FALSE(store.find_by_id("a-ffffffffffffffff"));
  EXPECT_FALSE(store.find_by_email("someone.else@example.org"));
}

TEST(sqlite_account_store, email_lookup_ignores_case_and_surrounding_space) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store store(db);
  store.create(anna());
  auto found = store.find_by_email("  Anna.Svensson@EXAMPLE.org ");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, "a-0123456789abcdef");
}

TEST(sqlite_account_store, a_duplicate_email_is_refused_clearly_and_writes_nothing) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store store(db);
  store.create(anna());
  account again = anna();
  again.id = "a-fedcba9876543210";
  again.display_name = "Another Anna";
  try {
    store.create(again);
    FAIL() << "a second account with the same e-mail was stored";
  } catch (const auth::duplicate_email& e) {
    EXPECT_STREQ(e.what(), "an account with the e-mail anna.svensson@example.org exists already");
  }
  EXPECT_FALSE(store.find_by_id("a-fedcba9876543210"));
  EXPECT_EQ(store.find_by_email("anna.svensson@example.org")->display_name, "Anna Svensson");
}

TEST(sqlite_account_store, roles_are_idempotent_and_sorted) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store store(db);
  store.create(anna());
  const std::string id = "a-0123456789abcdef";
  EXPECT_TRUE(store.roles_of(id).empty());
  EXPECT_TRUE(store.grant_role(id, {"*", role::organizer}));
  EXPECT_FALSE(store.grant_role(id, {"*", role::organizer}));
  EXPECT_TRUE(store.grant_role(id, {"stockholm-tillsammans-2027", role::moderator}));
  EXPECT_TRUE(store.grant_role(id, {"stockholm-tillsammans-2027", role::press}));
  EXPECT_FALSE(store.grant_role(id, {"stockholm-tillsammans-2027", role::moderator}));
  const std::vector<account_role> expected{{"*", role::organizer},
                                           {"stockholm-tillsammans-2027", role::moderator},
                                           {"stockholm-tillsammans-2027", role::press}};
  EXPECT_EQ(store.roles_of(id), expected);
  // A role for an account that does not exist is refused by the foreign key.
  EXPECT_THROW(store.grant_role("a-nobody", {"*", role::organizer}), store_error);
}

TEST(sqlite_account_store, set_password_replaces_the_hash) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store store(db);
  store.create(anna());
  const std::string fresh = auth::hash_password("the new passphrase here", auth::hash_limits::minimum());
  EXPECT_TRUE(store.set_password("a-0123456789abcdef", fresh));
  EXPECT_FALSE(store.set_password("a-nobody", fresh));
  const auto found = store.find_by_id("a-0123456789abcdef");
  EXPECT_TRUE(auth::verify_password(found->password_hash, "the new passphrase here"));
  EXPECT_FALSE(auth::verify_password(found->password_hash, "a long enough passphrase"));
}

// A database left by the previous release (schema 3, with a stage destination in it) is migrated
// to 4: its data stays, and accounts work.
TEST(sqlite_account_store, migrating_a_version_3_database_keeps_its_data) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    for (const migration& m : migrations()) {
      if (m.version > 3) break;
      ASSERT_EQ(sqlite3_exec(raw, std::string(m.sql).c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
          << sqlite3_errmsg(raw);
    }
    const char* fill =
        "INSERT INTO stage_destinations (stage, id, position, source, name, url, stream_key, enabled)"
        " VALUES ('main', 'yt', 0, 'api', 'YouTube', 'rtmp://a/live2', 'key-1', 1);"
        "PRAGMA user_version = 3;";
    ASSERT_EQ(sqlite3_exec(raw, fill, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
    sqlite3_close(raw);
  }
  sqlite_db db(path);
  EXPECT_EQ(db.schema_version(), latest_schema_version());
  EXPECT_GE(latest_schema_version(), 4);
  statement s(db, "SELECT name, stream_key FROM stage_destinations WHERE stage = 'main' AND id = 'yt'");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "YouTube");
  EXPECT_EQ(s.text(1), "key-1");
  sqlite_account_store store(db);
  store.create(anna());
  EXPECT_TRUE(store.grant_role("a-0123456789abcdef", {"*", role::organizer}));
  EXPECT_EQ(store.roles_of("a-0123456789abcdef").size(), 1u);
}

}  // namespace
}  // namespace samling::store
