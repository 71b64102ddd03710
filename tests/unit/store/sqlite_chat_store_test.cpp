#include "store/sqlite_chat_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

#include "store/statement.hpp"

namespace samling::store {
namespace {

using rooms::chat_message;
using rooms::chat_user;
using samling::testing::temp_dir;

const std::string main_room = "stockholm-tillsammans-2027/main";
const std::string seminar_room = "stockholm-tillsammans-2027/seminar-housing";

const chat_user anna{"u-anna", "Anna Svensson", auth::role::attendee};
const chat_user omar{"u-omar", "Omar Farah", auth::role::speaker};

chat_message message(const std::string& room, std::uint64_t seq, const chat_user& user,
                     std::string client_msg_id, std::string text = "") {
  chat_message m;
  m.room = room;
  m.seq = seq;
  // A second per seq; the modulo keeps seqs near 2^63 (refused by the store) from overflowing
  // the timestamp (UBSan) while every seq the tests store keeps its own second.
  m.ts_ms = 1796822400000 + static_cast<std::int64_t>(seq % 1000000) * 1000;
  m.user = user;
  m.text = text.empty() ? "Meddelande " + std::to_string(seq) : std::move(text);
  m.client_msg_id = std::move(client_msg_id);
  return m;
}

std::vector<std::uint64_t> seqs(const std::vector<chat_message>& messages) {
  std::vector<std::uint64_t> out;
  for (const auto& m : messages) out.push_back(m.seq);
  return out;
}

std::string hex_of(const std::string& bytes) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xF];
  }
  return out;
}

int count_rows(sqlite_db& db) {
  statement s(db, "SELECT count(*) FROM chat_messages");
  return s.step() ? s.integer(0) : -1;
}

TEST(SqliteChatStoreTest, AnEmptyRoomHasNoHistory) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  EXPECT_TRUE(store.recent(main_room, 50).empty());
  EXPECT_EQ(store.last_seq(main_room), 0u);
  EXPECT_EQ(store.find_by_client_id(main_room, anna.id, "c1"), std::nullopt);
}

// The signed-in authors of an event (the room registry's name_taken): each name once, from
// every room of that event and only of it, guests left out.
TEST(SqliteChatStoreTest, AuthorNamesAreTheEventsSignedInPosters) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  EXPECT_TRUE(store.author_names("stockholm-tillsammans-2027").empty());
  const chat_user guest{"g-1", "Gäst Gustavsson", auth::role::guest};
  const chat_user moderator{"u-mo", "Mo Moderator", auth::role::moderator};
  const chat_user elsewhere{"u-x", "Xavier Annan", auth::role::attendee};
  ASSERT_EQ(store.append(message(main_room, 1, anna, "c1")), std::nullopt);
  ASSERT_EQ(store.append(message(main_room, 2, anna, "c2")), std::nullopt);
  ASSERT_EQ(store.append(message(main_room, 3, guest, "c3")), std::nullopt);
  ASSERT_EQ(store.append(message(seminar_room, 1, moderator, "c1")), std::nullopt);
  // Another event, and one whose id starts the same: not this event's.
  ASSERT_EQ(store.append(message("other-2027/main", 1, elsewhere, "c1")), std::nullopt);
  ASSERT_EQ(store.append(message("stockholm-tillsammans-2027x/main", 1, omar, "c1")), std::nullopt);
  ASSERT_EQ(store.append(message("stockholm-tillsammans-2027-b/main", 1, omar, "c1")), std::nullopt);
  auto names = store.author_names("stockholm-tillsammans-2027");
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Anna Svensson", "Mo Moderator"}));
  EXPECT_EQ(store.author_names("other-2027"), std::vector<std::string>{"Xavier Annan"});
  // One range of the primary key, not a scan of the table.
  statement plan(db, "EXPLAIN QUERY PLAN SELECT DISTINCT user_name FROM chat_messages "
                     "WHERE room >= ?1 || '/' AND room < ?1 || '0' AND user_role <> 'guest'");
  std::string details;
  while (plan.step()) details += plan.text(3) + "\n";
  EXPECT_NE(details.find("USING INDEX"), std::string::npos) << details;
}

TEST(SqliteChatStoreTest, RecentGivesTheLastMessagesOldestFirst) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  std::vector<chat_message> posted;
  for (std::uint64_t seq = 1; seq <= 5; ++seq) {
    posted.push_back(message(main_room, seq, seq % 2 ? anna : omar, "c" + std::to_string(seq)));
    EXPECT_EQ(store.append(posted.back()), std::nullopt) << "seq " << seq;
  }
  EXPECT_EQ(store.recent(main_room, 50), posted);
  EXPECT_EQ(store.recent(main_room, 5), posted);
  EXPECT_EQ(seqs(store.recent(main_room, 3)), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(seqs(store.recent(main_room, 1)), (std::vector<std::uint64_t>{5}));
  EXPECT_TRUE(store.recent(main_room, 0).empty());
  EXPECT_EQ(store.recent(main_room, std::numeric_limits<std::size_t>::max()), posted);
  // Other rooms, including one whose name starts the same, see none of it.
  EXPECT_TRUE(store.recent(seminar_room, 50).empty());
  EXPECT_TRUE(store.recent("stockholm-tillsammans-2027/mai", 50).empty());
}

TEST(SqliteChatStoreTest, RecentOrdersBySeqNotByArrival) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  // A failed post leaves a gap in seq; and the order is the room's, not the order of the rows.
  for (std::uint64_t seq : {2, 1, 7, 4})
    store.append(message(main_room, seq, anna, std::to_string(seq)));
  EXPECT_EQ(seqs(store.recent(main_room, 10)), (std::vector<std::uint64_t>{1, 2, 4, 7}));
  EXPECT_EQ(seqs(store.recent(main_room, 2)), (std::vector<std::uint64_t>{4, 7}));
  EXPECT_EQ(store.last_seq(main_room), 7u);
}

TEST(SqliteChatStoreTest, LastSeqIsPerRoom) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  for (std::uint64_t seq = 1; seq <= 3; ++seq)
    store.append(message(main_room, seq, anna, "m" + std::to_string(seq)));
  store.append(message(seminar_room, 1, anna, "s1"));
  EXPECT_EQ(store.last_seq(main_room), 3u);
  EXPECT_EQ(store.last_seq(seminar_room), 1u);
  EXPECT_EQ(store.last_seq("stockholm-tillsammans-2027/press"), 0u);
}

TEST(SqliteChatStoreTest, ARetriedPostReturnsTheOriginalAndStoresNothing) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  const chat_message original = message(main_room, 1, anna, "b9c1d3", "Hej!");
  ASSERT_EQ(store.append(original), std::nullopt);
  // The retry arrives after the room has moved on: it got a new seq, time and even text.
  chat_message retry = message(main_room, 2, anna, "b9c1d3", "Hej igen!");
  retry.user.name = "Anna S.";
  EXPECT_EQ(store.append(retry), original);
  EXPECT_EQ(count_rows(db), 1);
  EXPECT_EQ(store.last_seq(main_room), 1u);
  EXPECT_EQ(store.recent(main_room, 10), std::vector<chat_message>{original});
  EXPECT_EQ(store.find_by_client_id(main_room, anna.id, "b9c1d3"), original);
  // The same retry with the very same seq is a duplicate too, not a seq conflict.
  EXPECT_EQ(store.append(original), original);
  EXPECT_EQ(count_rows(db), 1);
}

TEST(SqliteChatStoreTest, TheSameClientIdInAnotherRoomOrFromAnotherSenderIsNew) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  const chat_message in_main = message(main_room, 1, anna, "same-id");
  const chat_message in_seminar = message(seminar_room, 1, anna, "same-id");
  const chat_message from_omar = message(main_room, 2, omar, "same-id");
  EXPECT_EQ(store.append(in_main), std::nullopt);
  EXPECT_EQ(store.append(in_seminar), std::nullopt);
  EXPECT_EQ(store.append(from_omar), std::nullopt);
  EXPECT_EQ(count_rows(db), 3);
  EXPECT_EQ(store.find_by_client_id(main_room, anna.id, "same-id"), in_main);
  EXPECT_EQ(store.find_by_client_id(seminar_room, anna.id, "same-id"), in_seminar);
  EXPECT_EQ(store.find_by_client_id(main_room, omar.id, "same-id"), from_omar);
  EXPECT_EQ(store.find_by_client_id(seminar_room, omar.id, "same-id"), std::nullopt);
  EXPECT_EQ(store.find_by_client_id(main_room, anna.id, "other-id"), std::nullopt);
}

TEST(SqliteChatStoreTest, ASeqTakenByAnotherMessageThrowsNamingRoomAndSeq) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  const chat_message first = message(main_room, 1, anna, "a");
  store.append(first);
  for (const chat_message& clash :
       {message(main_room, 1, anna, "b"), message(main_room, 1, omar, "a")}) {
    try {
      store.append(clash);
      FAIL() << "a second message with seq 1 was accepted";
    } catch (const store_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(main_room), std::string::npos) << what;
      EXPECT_NE(what.find("seq 1"), std::string::npos) << what;
    }
  }
  // Nothing of the clashes was kept, and the store works on (statements reset, no open
  // transaction left behind).
  EXPECT_EQ(store.recent(main_room, 10), std::vector<chat_message>{first});
  EXPECT_EQ(store.find_by_client_id(main_room, anna.id, "b"), std::nullopt);
  EXPECT_EQ(store.append(message(main_room, 2, anna, "b")), std::nullopt);
  EXPECT_EQ(store.last_seq(main_room), 2u);
  // The same seq in another room is no clash.
  EXPECT_EQ(store.append(message(seminar_room, 1, anna, "b")), std::nullopt);
}

TEST(SqliteChatStoreTest, ASeqOfZeroOrBeyondSqliteIntegersIsRefused) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  EXPECT_THROW(store.append(message(main_room, 0, anna, "zero")), store_error);
  EXPECT_THROW(store.append(message(main_room, std::uint64_t{1} << 63, anna, "huge")),
               store_error);
  EXPECT_EQ(count_rows(db), 0);
  EXPECT_EQ(store.append(message(main_room, 1, anna, "one")), std::nullopt);
}

TEST(SqliteChatStoreTest, TheRoleIsStoredAsItsNameAndAnUnknownNameIsRefused) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  std::uint64_t seq = 0;
  for (auto role : auth::all_roles) {
    ++seq;
    store.append(message(main_room, seq, {"u-" + std::to_string(seq), "N", role}, std::to_string(seq)));
    statement s(db, "SELECT user_role FROM chat_messages WHERE seq = " + std::to_string(seq));
    ASSERT_TRUE(s.step());
    EXPECT_EQ(s.text(0), auth::to_string(role));
  }
  const auto back = store.recent(main_room, auth::all_roles.size());
  ASSERT_EQ(back.size(), auth::all_roles.size());
  for (std::size_t i = 0; i < back.size(); ++i) EXPECT_EQ(back[i].user.role, auth::all_roles[i]);
  // A row this binary did not write (a role it does not know) is an error, not a guess.
  db.exec("UPDATE chat_messages SET user_role = 'Organizer' WHERE seq = 1");
  try {
    store.recent(main_room, 10);
    FAIL() << "a row with an unknown role was read";
  } catch (const store_error& e) {
    EXPECT_NE(std::string(e.what()).find("Organizer"), std::string::npos) << e.what();
  }
}

TEST(SqliteChatStoreTest, HistorySurvivesClosingAndReopening) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  std::vector<chat_message> posted;
  {
    sqlite_db db(path);
    sqlite_chat_store store(db);
    for (std::uint64_t seq = 1; seq <= 3; ++seq) {
      posted.push_back(message(main_room, seq, anna, "c" + std::to_string(seq)));
      store.append(posted.back());
    }
  }
  sqlite_db db(path);
  sqlite_chat_store store(db);
  EXPECT_EQ(store.recent(main_room, 10), posted);
  EXPECT_EQ(store.last_seq(main_room), 3u);
  // A retry after the restart is still recognised.
  EXPECT_EQ(store.append(message(main_room, 4, anna, "c2")), posted[1]);
}

TEST(SqliteChatStoreTest, Utf8TextRoundTripsByteExact) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  // Swedish and Finnish letters (also decomposed: "a" + combining ring), emoji with a skin-tone
  // modifier, a flag, a ZWJ family sequence, and a 4-byte CJK extension character.
  const std::string text =
      "Hej! Välkommen till Stora salen – åäö ÅÄÖ. Hyvää päivää, tervetuloa! "
      "Sa\xCC\x8A"
      "ll 👋🏽 🇸🇪🇫🇮 👨‍👩‍👧 𠀋 \"citat\" 'apostrof' \\ snedstreck\n"
      "ny rad";
  const chat_user user{"g-7f3a", "Äiti Öberg 🌷", auth::role::guest};
  const chat_message m = message(main_room, 1, user, "åäö-🆔", text);
  store.append(m);
  const auto back = store.recent(main_room, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], m);
  EXPECT_EQ(back[0].text.size(), text.size());
  EXPECT_EQ(std::memcmp(back[0].text.data(), text.data(), text.size()), 0);
  // Stored as the same bytes, not transcoded or normalised.
  statement s(db, "SELECT hex(text), hex(user_name), hex(client_msg_id) FROM chat_messages");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), hex_of(text));
  EXPECT_EQ(s.text(1), hex_of(user.name));
  EXPECT_EQ(s.text(2), hex_of("åäö-🆔"));
  EXPECT_EQ(store.find_by_client_id(main_room, user.id, "åäö-🆔"), m);
}

TEST(SqliteChatStoreTest, TenThousandAppendsComplete) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  constexpr std::uint64_t n = 10'000;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seq = 1; seq <= n; ++seq) {
    const chat_user& user = seq % 3 ? anna : omar;
    ASSERT_EQ(store.append(message(seq % 4 ? main_room : seminar_room, seq, user,
                                   "id-" + std::to_string(seq))),
              std::nullopt);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  std::printf("[ timing   ] %llu appends, one transaction each: %.0f ms (%.1f us per append)\n",
              static_cast<unsigned long long>(n), ms, ms * 1000.0 / static_cast<double>(n));
  EXPECT_EQ(count_rows(db), static_cast<int>(n));
  // Every fourth seq went to the seminar room, so n (a multiple of 4) is its last.
  EXPECT_EQ(store.last_seq(main_room), n - 1);
  EXPECT_EQ(store.last_seq(seminar_room), n);
  const auto tail = store.recent(main_room, 3);
  EXPECT_EQ(seqs(tail), (std::vector<std::uint64_t>{n - 3, n - 2, n - 1}));
  EXPECT_EQ(store.recent(seminar_room, n).size(), n / 4);
}

// --- issue 17: the room's log, held and deleted messages ---------------------------------------

rooms::log_entry entry(const std::string& room, std::uint64_t seq, std::string type = "question") {
  rooms::log_entry e;
  e.room = room;
  e.seq = seq;
  e.ts_ms = 1796822400000 + static_cast<std::int64_t>(seq);
  e.type = type;
  e.everyone_json = R"({"type":")" + type + R"(","seq":)" + std::to_string(seq) + "}";
  e.staff_json = R"({"staff":true})";
  e.owner_id = "u-anna";
  e.owner_json = R"({"owner":true})";
  return e;
}

TEST(SqliteChatStoreTest, LogEntriesRoundTripAndShareTheRoomsSeqsWithMessages) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  ASSERT_EQ(store.append(message(main_room, 1, anna, "c1")), std::nullopt);
  auto e = entry(main_room, 2);
  e.hides_seq = 1;
  e.shows_seq = 7;
  store.append_entry(e);
  store.append_entry(entry(main_room, 3, "votes"));
  store.append_entry(entry(seminar_room, 1));
  EXPECT_EQ(store.last_seq(main_room), 3u) << "the max over messages and entries";
  auto back = store.recent_entries(main_room, 10);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0], e);
  EXPECT_EQ(back[1].type, "votes");
  EXPECT_EQ(store.recent_entries(main_room, 1).at(0).seq, 3u) << "the last ones, oldest first";
  // A seq taken by a message, or by another entry, is refused both ways.
  EXPECT_THROW(store.append_entry(entry(main_room, 1)), store_error);
  EXPECT_THROW(store.append_entry(entry(main_room, 3)), store_error);
  EXPECT_THROW(store.append(message(main_room, 2, omar, "c2")), store_error);
  EXPECT_THROW(store.append_entry(entry(main_room, 0)), store_error);
  EXPECT_EQ(store.last_seq(main_room), 3u);
}

TEST(SqliteChatStoreTest, HeldMessagesAreMarkedListedAndReleased) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  auto held = message(main_room, 1, anna, "c1");
  held.held = true;
  ASSERT_EQ(store.append(held), std::nullopt);
  ASSERT_EQ(store.append(message(main_room, 2, omar, "c2")), std::nullopt);
  EXPECT_EQ(store.recent(main_room, 10), (std::vector<chat_message>{held, message(main_room, 2, omar, "c2")}));
  EXPECT_EQ(store.held_messages(main_room), std::vector<chat_message>{held});
  EXPECT_EQ(seqs(store.messages(main_room)), std::vector<std::uint64_t>{2}) << "the export leaves held out";
  EXPECT_EQ(store.find(main_room, 1), held);
  store.set_held(main_room, 1, false);
  EXPECT_TRUE(store.held_messages(main_room).empty());
  EXPECT_EQ(seqs(store.messages(main_room)), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_FALSE(store.find(main_room, 1)->held);
}

TEST(SqliteChatStoreTest, ADeletedMessageIsGoneFromHistoryButKeptWithWhoAndWhy) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  for (std::uint64_t seq = 1; seq <= 3; ++seq)
    ASSERT_EQ(store.append(message(main_room, seq, anna, "c" + std::to_string(seq))), std::nullopt);
  store.mark_deleted(main_room, 2, "u-mod", "spam", 1796822499000);
  store.mark_deleted(main_room, 2, "u-other", "again", 1796822499999);  // already deleted: kept as first
  EXPECT_EQ(seqs(store.recent(main_room, 10)), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(seqs(store.messages(main_room)), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(store.find(main_room, 2), std::nullopt);
  EXPECT_EQ(store.find(main_room, 9), std::nullopt);
  EXPECT_EQ(store.last_seq(main_room), 3u);
  // A retry of the deleted post is still that post (not stored again).
  EXPECT_EQ(store.find_by_client_id(main_room, anna.id, "c2")->seq, 2u);
  statement s(db, "SELECT deleted_ms, deleted_by, deleted_reason FROM chat_messages WHERE seq = 2");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.int64(0), 1796822499000);
  EXPECT_EQ(s.text(1), "u-mod");
  EXPECT_EQ(s.text(2), "spam");
}

TEST(SqliteChatStoreTest, AtomicallyKeepsOrRollsBackItsWritesInsideTheBatch) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_chat_store store(db);
  store.begin_batch();
  EXPECT_TRUE(store.atomically([&] {
    store.append_entry(entry(main_room, 1));
    return true;
  }));
  EXPECT_FALSE(store.atomically([&] {
    store.append_entry(entry(main_room, 2));
    return false;
  }));
  EXPECT_THROW(store.atomically([&]() -> bool {
    store.append_entry(entry(main_room, 2));
    throw std::runtime_error("op failed");
  }), std::runtime_error);
  store.append_entry(entry(main_room, 2, "poll"));
  store.commit_batch();
  auto back = store.recent_entries(main_room, 10);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].type, "poll");
}

}  // namespace
}  // namespace samling::store
