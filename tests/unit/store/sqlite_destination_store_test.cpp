#include "store/sqlite_destination_store.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace samling::store {
namespace {

using media::output_spec;
using samling::testing::temp_dir;

std::vector<std::string> ids(const std::vector<output_spec>& all) {
  std::vector<std::string> out;
  for (auto& o : all) out.push_back(o.id);
  return out;
}

TEST(sqlite_destination_store, nothing_saved_is_empty) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_destination_store store(db);
  EXPECT_TRUE(store.load("main").empty());
}

TEST(sqlite_destination_store, keeps_order_keys_and_switches_across_a_reopen) {
  temp_dir dir;
  {
    sqlite_db db(dir.file("samling.db"));
    sqlite_destination_store store(db);
    store.save("main", {{"yt", "YouTube", "rtmp://a/live2", "abcd-efgh-1234", "api", true},
                        {"cfg", "Configured", "rtmp://b/x", "config-key-0000", "config", false},
                        {"backup", "Backup", "rtmps://c/y", "zyxw-5678", "api", false}});
    store.save("seminar", {{"fb", "Facebook", "rtmps://d/z", "fb-key-0001", "api", true}});
  }
  sqlite_db db(dir.file("samling.db"));
  sqlite_destination_store store(db);
  auto main = store.load("main");
  ASSERT_EQ(ids(main), (std::vector<std::string>{"yt", "cfg", "backup"}));
  EXPECT_EQ(main[0].name, "YouTube");
  EXPECT_EQ(main[0].url, "rtmp://a/live2");
  EXPECT_EQ(main[0].key, "abcd-efgh-1234");
  EXPECT_EQ(main[0].source, "api");
  EXPECT_TRUE(main[0].enabled);
  // A configured destination keeps only its switch: the rest comes from the configuration.
  EXPECT_EQ(main[1].source, "config");
  EXPECT_FALSE(main[1].enabled);
  EXPECT_TRUE(main[1].key.empty()) << main[1].key;
  EXPECT_TRUE(main[1].url.empty());
  EXPECT_FALSE(main[2].enabled);
  EXPECT_EQ(ids(store.load("seminar")), std::vector<std::string>{"fb"});
}

TEST(sqlite_destination_store, a_save_replaces_only_that_stage) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_destination_store store(db);
  store.save("main", {{"a", "A", "rtmp://a/x", "key-aaaa-0001", "api", true},
                      {"b", "B", "rtmp://a/x", "key-bbbb-0002", "api", true}});
  store.save("seminar", {{"s", "S", "rtmp://a/x", "key-ssss-0003", "api", true}});
  store.save("main", {{"b", "B", "rtmp://a/x", "key-bbbb-0002", "api", false}});
  auto main = store.load("main");
  ASSERT_EQ(ids(main), std::vector<std::string>{"b"});
  EXPECT_FALSE(main[0].enabled);
  EXPECT_EQ(ids(store.load("seminar")), std::vector<std::string>{"s"});
  store.save("main", {});
  EXPECT_TRUE(store.load("main").empty());
}

TEST(sqlite_destination_store, a_failed_save_changes_nothing) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_destination_store store(db);
  store.save("main", {{"a", "A", "rtmp://a/x", "key-aaaa-0001", "api", true}});
  // Two with one id: the second insert fails, the first must not stay.
  EXPECT_THROW(store.save("main", {{"b", "B", "rtmp://a/x", "k1-bbbbbbbb", "api", true},
                                   {"b", "B2", "rtmp://a/x", "k2-bbbbbbbb", "api", true}}),
               store_error);
  EXPECT_EQ(ids(store.load("main")), std::vector<std::string>{"a"});
}

// It holds stream keys: the database is for the server's user only.
TEST(sqlite_destination_store, the_database_file_is_owner_only) {
  temp_dir dir;
  auto path = dir.file("samling.db");
  {
    sqlite_db db(path);
    sqlite_destination_store(db).save("main", {{"a", "A", "rtmp://a/x", "key-aaaa-0001", "api", true}});
    for (const char* suffix : {"", "-wal", "-shm"}) {
      struct stat st {};
      if (::stat((path + suffix).c_str(), &st) != 0) continue;
      EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
    }
  }
  // An existing database made readable by others is narrowed when opened.
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  sqlite_db again(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace samling::store
