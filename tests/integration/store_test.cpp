// The store through the real binary: the demo is seeded once, data survives restarts, the
// file is in WAL mode, and a database from a newer Samling is refused.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <boost/json.hpp>

#include "harness.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

std::string pragma(const std::string& db_path, const std::string& name) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string value;
  if (sqlite3_prepare_v2(db, ("PRAGMA " + name).c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    value = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return value;
}

std::size_t event_count(std::uint16_t port) {
  return json::parse(http_get(port, "/api/v1/events").body).at("events").as_array().size();
}

TEST(store, demo_is_seeded_once_and_survives_restarts_in_wal_mode) {
  temp_dir dir;
  server_process::options o;
  o.dir = &dir;
  {
    server_process first(o);
    EXPECT_EQ(event_count(first.port()), 1u);
    first.signal(SIGTERM);
    ASSERT_EQ(first.wait_exit(5s), 0);
  }
  {
    server_process second(o);
    EXPECT_EQ(event_count(second.port()), 1u) << "demo seeded twice";
    EXPECT_NE(second.stderr_text().find("store_ready"), std::string::npos);
    EXPECT_EQ(second.stderr_text().find("demo_seeded"), std::string::npos);
  }
  EXPECT_EQ(pragma(dir.file("samling.db"), "journal_mode"), "wal");
  EXPECT_NE(pragma(dir.file("samling.db"), "user_version"), "0");
}

TEST(store, a_database_from_a_newer_samling_is_refused) {
  temp_dir dir;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("samling.db").c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto r = run_samling({"serve"}, {{"SAMLING_STORE_PATH", dir.file("samling.db")},
                                   {"SAMLING_SERVER_PORT", "0"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("999"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;
  EXPECT_EQ(pragma(dir.file("samling.db"), "user_version"), "999") << "the newer database was modified";
}

TEST(store, an_unopenable_store_path_is_a_clear_start_up_failure) {
  temp_dir dir;
  write_file(dir.file("not-a-dir"), "x");
  auto r = run_samling({"serve"}, {{"SAMLING_STORE_PATH", dir.file("not-a-dir") + "/samling.db"},
                                   {"SAMLING_SERVER_PORT", "0"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot open the store"), std::string::npos) << r.err;
}

}  // namespace
