#include "store/sqlite_db.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "temp_dir.hpp"
#include <sqlite3.h>

#include "store/migrations.hpp"
#include "store/statement.hpp"

namespace samling::store {
namespace {

using samling::testing::temp_dir;

std::string pragma_text(sqlite_db& db, const char* sql) {
  statement s(db, sql);
  return s.step() ? s.text(0) : std::string();
}

std::vector<std::string> table_names(sqlite_db& db) {
  statement s(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.text(0));
  return names;
}

// Sets user_version with the plain C API, as a newer samling (or a hand edit) would have.
void set_user_version(const std::string& path, int version) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql = "PRAGMA user_version = " + std::to_string(version);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST(SqliteDbTest, MigrationsAreNumberedOneToLatestWithoutGaps) {
  const auto& all = migrations();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].version, static_cast<int>(i + 1));
    EXPECT_FALSE(all[i].description.empty());
    EXPECT_FALSE(all[i].sql.empty());
  }
  EXPECT_EQ(latest_schema_version(), all.back().version);
}

TEST(SqliteDbTest, FreshFileIsCreatedInWalModeAndMigratedToLatest) {
  temp_dir dir;
  // The parent directories do not exist yet: opening creates them.
  const std::string path = dir.file("var/nested/samling.db");
  sqlite_db db(path);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(db.path(), path);
  EXPECT_EQ(db.schema_version(), latest_schema_version());
  EXPECT_EQ(pragma_text(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma_text(db, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma_text(db, "PRAGMA synchronous"), "1");  // NORMAL
  EXPECT_EQ(pragma_text(db, "PRAGMA busy_timeout"), "5000");
  EXPECT_EQ(table_names(db),
            (std::vector<std::string>{"account_roles", "accounts", "audit_log", "bans", "chat_messages",
                                      "chat_room_settings", "event_days", "events", "invitations", "kiosk_links",
                                      "moderation_log", "mutes", "outbox", "poll_votes", "polls", "press_accreditations",
                                      "press_grants", "press_interviews", "press_refusals", "press_settings",
                                      "press_views", "program_versions",
                                      "qa_event_settings", "qa_room_settings", "question_votes", "questions",
                                      "registration_settings", "registrations", "room_log", "rooms", "series",
                                      "series_events", "sessions", "sign_in_failures", "speakers", "staff_sessions",
                                      "stage_destinations", "word_lists"}));
  EXPECT_TRUE(db.ping());
}

TEST(SqliteDbTest, ReopeningAMigratedFileChangesNothing) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  std::string schema_before;
  {
    sqlite_db db(path);
    db.exec("INSERT INTO events (id, title, timezone) VALUES ('kept', '{}', 'Europe/Stockholm')");
    schema_before = pragma_text(db, "SELECT group_concat(sql, ';') FROM sqlite_schema");
  }
  // Running migration 1 again would fail on CREATE TABLE; reopening must skip it.
  sqlite_db db(path);
  EXPECT_EQ(db.schema_version(), latest_schema_version());
  EXPECT_EQ(pragma_text(db, "SELECT group_concat(sql, ';') FROM sqlite_schema"), schema_before);
  EXPECT_EQ(pragma_text(db, "SELECT id FROM events"), "kept");
}

TEST(SqliteDbTest, ANewerSchemaIsRefusedAndLeftAlone) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  { sqlite_db db(path); }
  const int newer = latest_schema_version() + 4;
  set_user_version(path, newer);
  try {
    sqlite_db db(path);
    FAIL() << "opened a database with a newer schema";
  } catch (const schema_too_new& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": database schema version " + std::to_string(newer) +
                  " is newer than this samling knows (" +
                  std::to_string(latest_schema_version()) +
                  "); upgrade samling or use another store.path");
  }
  // Refusing must not have touched the version.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), newer);
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

TEST(SqliteDbTest, AFailedMigrationIsRolledBackAndNamed) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  // A stray table that migration 1 also creates makes it fail half-way (after other tables).
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE speakers (x)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  try {
    sqlite_db db(path);
    FAIL() << "migration should have failed";
  } catch (const schema_too_new&) {
    FAIL() << "wrong error type";
  } catch (const store_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(path + ": migration 1 (", 0), 0u) << message;
    EXPECT_NE(message.find("failed and was rolled back"), std::string::npos) << message;
    EXPECT_NE(message.find("speakers already exists"), std::string::npos) << message;
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw,
                               "SELECT (SELECT user_version FROM pragma_user_version),"
                               " (SELECT count(*) FROM sqlite_schema WHERE name = 'events')",
                               -1, &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 0);  // version unchanged
  EXPECT_EQ(sqlite3_column_int(s, 1), 0);  // the tables created before the failure are gone
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

TEST(SqliteDbTest, AnUnusablePathIsAStoreErrorNamingIt) {
  temp_dir dir;
  const std::string blocker = dir.file("not-a-directory");
  std::ofstream(blocker) << "x";
  const std::string path = blocker + "/samling.db";
  try {
    sqlite_db db(path);
    FAIL() << "opened " << path;
  } catch (const store_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
  }
}

TEST(SqliteDbTest, AFileThatIsNotADatabaseIsAStoreError) {
  temp_dir dir;
  const std::string path = dir.file("garbage.db");
  std::ofstream(path) << std::string(4096, 'x');
  EXPECT_THROW(sqlite_db db(path), store_error);
}

TEST(SqliteDbTest, ExecReportsTheFileAndTheStatement) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  sqlite_db db(path);
  try {
    db.exec("INSERT INTO no_such_table VALUES (1)");
    FAIL() << "exec of a bad statement succeeded";
  } catch (const store_error& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": no such table: no_such_table (in: INSERT INTO no_such_table VALUES (1))");
  }
}

TEST(SqliteDbTest, ForeignKeysAreEnforced) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  EXPECT_THROW(db.exec("INSERT INTO event_days (event_id, day) VALUES ('missing', '2027-02-09')"),
               store_error);
}

TEST(SqliteDbTest, CheckpointEmptiesTheWriteAheadLog) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  sqlite_db db(path);
  db.exec("INSERT INTO events (id, title, timezone) VALUES ('e', '{}', 'Europe/Stockholm')");
  ASSERT_GT(std::filesystem::file_size(path + "-wal"), 0u);
  db.checkpoint();
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), 0u);
  EXPECT_EQ(pragma_text(db, "SELECT id FROM events"), "e");
}

TEST(SqliteDbTest, TransactionRollsBackUnlessCommitted) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  {
    transaction tx(db);
    db.exec("INSERT INTO events (id, title, timezone) VALUES ('gone', '{}', 'UTC')");
  }
  {
    transaction tx(db);
    db.exec("INSERT INTO events (id, title, timezone) VALUES ('kept', '{}', 'UTC')");
    tx.commit();
  }
  EXPECT_EQ(pragma_text(db, "SELECT group_concat(id) FROM events"), "kept");
}

TEST(SqliteDbTest, StatementBindsAndReadsBack) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  statement s(db, "SELECT ?1, ?2, ?3, ?4");
  s.bind(1, std::string("åäö")).bind(2, std::int64_t{1} << 40).bind(3, 7).bind(4, "x");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "åäö");
  EXPECT_EQ(s.int64(1), std::int64_t{1} << 40);
  EXPECT_EQ(s.integer(2), 7);
  EXPECT_EQ(s.text(3), "x");
  EXPECT_FALSE(s.step());
  EXPECT_THROW(statement(db, "SELEC 1"), store_error);
}

}  // namespace
}  // namespace samling::store
