// The kiosk links' SQLite store against a real temporary file (migration 14).
#include "store/sqlite_kiosk_store.hpp"

#include <gtest/gtest.h>

#include "store/statement.hpp"
#include "temp_dir.hpp"

namespace samling::store {
namespace {

using samling::testing::temp_dir;

projector::kiosk_link link(std::string id, std::string event, std::string room, std::int64_t at) {
  return projector::kiosk_link{.id = std::move(id), .event_id = std::move(event), .room_id = std::move(room),
                               .created_by = "a-1", .created_ms = at, .revoked_ms = std::nullopt};
}

TEST(sqlite_kiosk_store, inserts_finds_lists_by_event_and_revokes_once) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_kiosk_store store(db);
  store.insert(link("b", "e1", "main", 20));
  store.insert(link("a", "e1", "seminar-1", 10));
  store.insert(link("c", "e2", "main", 5));

  auto a = store.find("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->event_id, "e1");
  EXPECT_EQ(a->room_id, "seminar-1");
  EXPECT_EQ(a->created_by, "a-1");
  EXPECT_EQ(a->created_ms, 10);
  EXPECT_FALSE(a->revoked_ms);
  EXPECT_FALSE(store.find("nope"));

  auto e1 = store.list("e1");
  ASSERT_EQ(e1.size(), 2u);
  EXPECT_EQ(e1[0].id, "a");  // oldest first
  EXPECT_EQ(e1[1].id, "b");
  EXPECT_EQ(store.list("e3").size(), 0u);

  EXPECT_FALSE(store.revoke("e2", "a", 100)) << "a link of another event";
  EXPECT_FALSE(store.revoke("e1", "nope", 100));
  EXPECT_TRUE(store.revoke("e1", "a", 100));
  EXPECT_EQ(store.find("a")->revoked_ms, 100);
  EXPECT_TRUE(store.revoke("e1", "a", 200)) << "revoking again is no error";
  EXPECT_EQ(store.find("a")->revoked_ms, 100) << "the first revocation's time stays";
  EXPECT_FALSE(store.find("b")->revoked_ms);
}

TEST(sqlite_kiosk_store, survives_reopening_the_database) {
  temp_dir dir;
  {
    sqlite_db db(dir.file("samling.db"));
    sqlite_kiosk_store store(db);
    store.insert(link("x", "e", "main", 1));
    store.revoke("e", "x", 2);
  }
  sqlite_db db(dir.file("samling.db"));
  sqlite_kiosk_store store(db);
  auto x = store.find("x");
  ASSERT_TRUE(x);
  EXPECT_EQ(x->revoked_ms, 2);
}

TEST(sqlite_kiosk_store, duplicate_id_is_refused) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_kiosk_store store(db);
  store.insert(link("x", "e", "main", 1));
  EXPECT_THROW(store.insert(link("x", "e", "other", 2)), store_error);
}

}  // namespace
}  // namespace samling::store
