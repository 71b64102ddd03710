#include "store/sqlite_moderation_store.hpp"

#include <gtest/gtest.h>

#include "store/sqlite_chat_store.hpp"
#include "temp_dir.hpp"

namespace samling::store {
namespace {

using moderation::ban_record;
using moderation::log_record;
using moderation::mute_record;
using samling::testing::temp_dir;

const std::string event = "stockholm-tillsammans-2027";
const std::string main_room = event + "/main";
const std::string seminar = event + "/seminar-housing";

struct db_fixture {
  temp_dir dir;
  sqlite_db db{dir.file("samling.db")};
  sqlite_moderation_store store{db};
  sqlite_chat_store chat{db};
};

mute_record a_mute(std::string user, std::int64_t until) {
  return {.event_id = event,
          .user_id = user,
          .user_name = "Name of " + user,
          .until_ms = until,
          .reason = "spam",
          .by = {"u-mo", "Mo Moderator"},
          .at_ms = 1000};
}

TEST(SqliteModerationStoreTest, MutesAreOnePerUserAndListedWhileRunning) {
  db_fixture f;
  EXPECT_EQ(f.store.mute_of(event, "u-anna"), std::nullopt);
  f.store.put_mute(a_mute("u-anna", 5000));
  f.store.put_mute(a_mute("u-omar", 3000));
  auto again = a_mute("u-anna", 9000);
  again.reason = "";
  f.store.put_mute(again);  // replaces
  EXPECT_EQ(f.store.mute_of(event, "u-anna"), again);
  EXPECT_EQ(f.store.mute_of("other-event", "u-anna"), std::nullopt);

  auto running = f.store.mutes(event, 2000);
  ASSERT_EQ(running.size(), 2u);
  EXPECT_EQ(running[0].user_id, "u-omar");  // soonest end first
  EXPECT_EQ(running[1], again);
  // A mute ending at now_ms has ended.
  running = f.store.mutes(event, 3000);
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].user_id, "u-anna");
  EXPECT_TRUE(f.store.mutes("other-event", 0).empty());

  EXPECT_TRUE(f.store.remove_mute(event, "u-anna"));
  EXPECT_FALSE(f.store.remove_mute(event, "u-anna"));
  EXPECT_EQ(f.store.mute_of(event, "u-anna"), std::nullopt);
}

TEST(SqliteModerationStoreTest, BansArePerEventAndListedOldestFirst) {
  db_fixture f;
  ban_record b1{.event_id = event, .user_id = "u-x", .user_name = "X", .reason = "troll",
                .by = {"u-mo", "Mo"}, .at_ms = 2000};
  ban_record b2{.event_id = event, .user_id = "u-y", .user_name = "Y", .reason = "",
                .by = {"u-org", "Olga"}, .at_ms = 1000};
  f.store.put_ban(b1);
  f.store.put_ban(b2);
  EXPECT_EQ(f.store.bans(event), (std::vector<ban_record>{b2, b1}));
  EXPECT_EQ(f.store.ban_of(event, "u-x"), b1);
  EXPECT_EQ(f.store.ban_of("other-event", "u-x"), std::nullopt);
  EXPECT_TRUE(f.store.remove_ban(event, "u-x"));
  EXPECT_FALSE(f.store.remove_ban(event, "u-x"));
  EXPECT_EQ(f.store.bans(event), (std::vector<ban_record>{b2}));
}

TEST(SqliteModerationStoreTest, RoomSettingsDefaultOffAndChangeOneAtATime) {
  db_fixture f;
  EXPECT_EQ(f.store.settings(main_room), (moderation::chat_settings{0, false}));
  f.store.set_slow_mode(main_room, 30);
  f.store.set_locked(main_room, true);
  EXPECT_EQ(f.store.settings(main_room), (moderation::chat_settings{30, true}));
  f.store.set_slow_mode(main_room, 0);  // keeps the lock
  EXPECT_EQ(f.store.settings(main_room), (moderation::chat_settings{0, true}));
  f.store.set_locked(main_room, false);
  EXPECT_EQ(f.store.settings(main_room), (moderation::chat_settings{0, false}));
  EXPECT_EQ(f.store.settings(seminar), (moderation::chat_settings{0, false}));
  EXPECT_THROW(f.store.set_slow_mode(main_room, -1), store_error);  // CHECK in the schema
}

TEST(SqliteModerationStoreTest, TheWordListIsReplacedWholeAndKeepsItsOrder) {
  db_fixture f;
  EXPECT_TRUE(f.store.words(event).empty());
  EXPECT_EQ(f.store.words_stamp(event), "");
  f.store.set_words(event, {"zebra", "Åsna", "idiot", "\"quoted\""});
  EXPECT_EQ(f.store.words(event), (std::vector<std::string>{"zebra", "Åsna", "idiot", "\"quoted\""}));
  const auto stamp = f.store.words_stamp(event);
  EXPECT_NE(stamp, "");
  f.store.set_words(event, {"b"});
  EXPECT_EQ(f.store.words(event), (std::vector<std::string>{"b"}));
  EXPECT_NE(f.store.words_stamp(event), stamp);
  EXPECT_TRUE(f.store.words("other-event").empty());
  f.store.set_words(event, {});
  EXPECT_TRUE(f.store.words(event).empty());
}

rooms::chat_message posted(const std::string& room, std::uint64_t seq, const std::string& user,
                           const std::string& name, std::int64_t ts) {
  rooms::chat_message m;
  m.room = room;
  m.seq = seq;
  m.ts_ms = ts;
  m.user = {user, name, auth::role::attendee};
  m.text = "hej";
  m.client_msg_id = "c" + std::to_string(seq);
  return m;
}

TEST(SqliteModerationStoreTest, ReadsTheLastPostOfAUserInARoomAndTheirLastNameInTheEvent) {
  db_fixture f;
  EXPECT_EQ(f.store.last_post_ms(main_room, "u-anna"), std::nullopt);
  EXPECT_EQ(f.store.last_name(event, "u-anna"), std::nullopt);
  f.chat.append(posted(main_room, 1, "u-anna", "Anna", 1000));
  f.chat.append(posted(main_room, 2, "u-omar", "Omar", 2000));
  f.chat.append(posted(main_room, 3, "u-anna", "Anna S", 3000));
  f.chat.append(posted(seminar, 1, "u-anna", "Anna Svensson", 4000));
  // Another event whose id starts with this one's: not in the range.
  f.chat.append(posted(event + "-b/main", 1, "u-anna", "Other Anna", 9000));
  EXPECT_EQ(f.store.last_post_ms(main_room, "u-anna"), 3000);
  EXPECT_EQ(f.store.last_post_ms(seminar, "u-anna"), 4000);
  EXPECT_EQ(f.store.last_post_ms(main_room, "u-omar"), 2000);
  EXPECT_EQ(f.store.last_name(event, "u-anna"), "Anna Svensson");
  EXPECT_EQ(f.store.last_name(event, "u-omar"), "Omar");
  EXPECT_EQ(f.store.last_name(event + "-b", "u-anna"), "Other Anna");
}

TEST(SqliteModerationStoreTest, TheLogIsNumberedInOrderAndReadPerEvent) {
  db_fixture f;
  log_record r{.id = 99, .ts_ms = 5, .event_id = event, .room = main_room, .actor_id = "u-mo",
               .actor_name = "Mo", .actor_role = "moderator", .action = "mute",
               .target = "user:u-x", .reason = "spam"};
  f.store.log(r);
  auto r2 = r;
  r2.action = "unmute";
  r2.reason = "";
  r2.ts_ms = 6;
  f.store.log(r2);
  auto other = r;
  other.event_id = "other-event";
  f.store.log(other);
  auto entries = f.store.log_entries(event);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_LT(entries[0].id, entries[1].id);
  r.id = entries[0].id;  // the store numbers the records; r's own id is ignored
  r2.id = entries[1].id;
  EXPECT_EQ(entries[0], r);
  EXPECT_EQ(entries[1], r2);
  EXPECT_EQ(f.store.log_entries("other-event").size(), 1u);
  EXPECT_TRUE(f.store.log_entries("nobody").empty());
}

// Inside an outer transaction (a room op's savepoint in the writer's batch), what was written
// goes away with a rollback: nothing of the moderation store commits on its own.
TEST(SqliteModerationStoreTest, WritesJoinTheCallersTransaction) {
  db_fixture f;
  {
    transaction outer(f.db);
    f.store.set_words(event, {"a", "b"});
    f.store.put_mute(a_mute("u-anna", 5000));
    f.store.set_locked(main_room, true);
    // no commit: rolled back
  }
  EXPECT_TRUE(f.store.words(event).empty());
  EXPECT_EQ(f.store.mute_of(event, "u-anna"), std::nullopt);
  EXPECT_FALSE(f.store.settings(main_room).locked);
}

}  // namespace
}  // namespace samling::store
