// The store through the real binary: the demo is seeded once, data survives restarts, the
// file is in WAL mode, and a database from a newer Samling is refused.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <boost/json.hpp>

#include "harness.hpp"
#include "ws_client.hpp"

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

void exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// Issue 17: a room's history is its chat messages and its log entries (room_log, migration 11)
// merged by seq, without deleted messages; both survive a restart, and the next seq follows the
// highest of either.
TEST(store, a_rooms_log_entries_and_deleted_messages_survive_a_restart) {
  temp_dir dir;
  server_process::options o;
  o.dir = &dir;
  o.env = ws::auth_env();
  const auto main = ws::room("main");
  {
    server_process first(o);
    {
      ws_client c;
      ASSERT_TRUE(c.connect(first.port())) << c.error();
      ASSERT_TRUE(is_ack(c.hello(ws::event_id, ws::token("u-anna", "Anna"))));
      ASSERT_TRUE(is_ack(c.join(main)));
      for (int i = 1; i <= 3; ++i) ASSERT_TRUE(is_ack(c.post(main, "m" + std::to_string(i))));
    }
    first.signal(SIGTERM);
    ASSERT_EQ(first.wait_exit(5s), 0);
  }
  // What a moderator's deletion of message 2 leaves in the store (the moderation op writes it).
  const std::string deletion = R"({"type":"message_deleted","room":")" + main + R"(","seq":4,"ts":1,"deleted_seq":2})";
  exec(dir.file("samling.db"),
       "UPDATE chat_messages SET deleted_ms = 1, deleted_by = 'u-mod' WHERE room = '" + main + "' AND seq = 2;"
       "INSERT INTO room_log (room, seq, ts_ms, type, everyone_json, hides_seq) VALUES ('" + main +
           "', 4, 1, 'message_deleted', '" + deletion + "', 2);");
  server_process second(o);
  ws_client c;
  ASSERT_TRUE(c.connect(second.port())) << c.error();
  ASSERT_TRUE(is_ack(c.hello(ws::event_id, ws::token("u-bo", "Bo"))));
  auto j = c.join(main, 0);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.seq"), 4);
  auto messages = ws::messages_of(j);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(int_field(messages[0], "seq"), 1);
  EXPECT_EQ(int_field(messages[1], "seq"), 3);
  auto& events = j->at("result").at("events").as_array();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(json::serialize(events[0]), json::serialize(json::parse(deletion)));
  // The server wires the Q&A (serve.cpp): an empty room's qa has no questions and no polls.
  auto& qa = j->at("result").at("qa").as_object();
  EXPECT_TRUE(qa.contains("settings")) << json::serialize(qa);
  EXPECT_TRUE(qa.contains("questions") && qa.at("questions").as_array().empty()) << json::serialize(qa);
  EXPECT_TRUE(qa.contains("polls") && qa.at("polls").as_array().empty()) << json::serialize(qa);
  auto p = c.post(main, "m5");
  ASSERT_TRUE(is_ack(p)) << str(p);
  EXPECT_EQ(int_field(p, "result.seq"), 5) << "after the log entry's seq";
}

}  // namespace
