// The outbox table: enqueue (also inside another store's transaction), listing newest first,
// claiming what is due exactly once, and the states a delivery leaves.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include "store/sqlite_outbox_store.hpp"
#include "store/statement.hpp"
#include "temp_dir.hpp"

namespace samling::store {
namespace {

using testing::temp_dir;

mail::message msg(std::string to, std::string event = "e1") {
  mail::message m;
  m.to = std::move(to);
  m.to_name = "Åsa";
  m.subject = "Välkommen";
  m.text = "Hej";
  m.html = "<p>Hej</p>";
  m.language = "sv";
  m.event_id = std::move(event);
  m.kind = "registration_confirmed";
  return m;
}

struct fixture : ::testing::Test {
  temp_dir dir;
  sqlite_db db{dir.file("samling.db")};
  std::int64_t now = 1'800'000'000;
  sqlite_outbox_store store{db, [this] { return now; }};
};

TEST_F(fixture, enqueue_stores_a_queued_message_due_now_and_notifies) {
  int notified = 0;
  store.on_enqueue([&] { ++notified; });
  auto id = store.enqueue(msg("a@example.org"));
  EXPECT_EQ(id.rfind("m-", 0), 0u);
  EXPECT_EQ(id.size(), 18u);
  EXPECT_EQ(notified, 1);
  auto e = store.find(id);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->state, "queued");
  EXPECT_EQ(e->attempts, 0);
  EXPECT_EQ(e->created_at, now);
  EXPECT_EQ(e->next_attempt_at, now);
  EXPECT_EQ(e->sent_at, 0);
  EXPECT_EQ(e->msg.to, "a@example.org");
  EXPECT_EQ(e->msg.to_name, "Åsa");
  EXPECT_EQ(e->msg.subject, "Välkommen");
  EXPECT_EQ(e->msg.html, "<p>Hej</p>");
  EXPECT_EQ(e->msg.kind, "registration_confirmed");
  EXPECT_EQ(e->msg.event_id, "e1");
  EXPECT_EQ(store.next_due(), now);
}

TEST_F(fixture, enqueue_inside_a_callers_transaction_commits_and_rolls_back_with_it) {
  {
    transaction tx(db);
    store.enqueue(msg("rolled-back@example.org"));
    // no commit: the caller's work failed
  }
  EXPECT_TRUE(store.list("", 10).empty());
  {
    transaction tx(db);
    store.enqueue(msg("kept@example.org"));
    tx.commit();
  }
  ASSERT_EQ(store.list("", 10).size(), 1u);
  // And no transaction of its own was left open.
  EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
}

TEST_F(fixture, list_is_newest_first_and_per_event) {
  store.enqueue(msg("1@example.org", "e1"));
  now += 1;
  store.enqueue(msg("2@example.org", "e2"));
  store.enqueue(msg("3@example.org", "e1"));
  auto all = store.list("", 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].msg.to, "3@example.org");
  EXPECT_EQ(all[1].msg.to, "2@example.org");
  EXPECT_EQ(all[2].msg.to, "1@example.org");
  auto e1 = store.list("e1", 10);
  ASSERT_EQ(e1.size(), 2u);
  EXPECT_EQ(e1[0].msg.to, "3@example.org");
  EXPECT_EQ(store.list("e1", 1).size(), 1u);
  EXPECT_TRUE(store.list("nope", 10).empty());
}

TEST_F(fixture, claim_hands_each_due_message_out_once_oldest_due_first) {
  auto a = store.enqueue(msg("a@example.org"));
  auto b = store.enqueue(msg("b@example.org"));
  auto first = store.claim_due(now);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, a);
  EXPECT_EQ(first->state, "sending");
  auto second = store.claim_due(now);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, b);
  EXPECT_FALSE(store.claim_due(now));
  EXPECT_FALSE(store.next_due());
  EXPECT_EQ(store.find(a)->state, "sending");
}

TEST_F(fixture, sent_failed_and_retrying_are_recorded) {
  auto a = store.enqueue(msg("a@example.org"));
  auto b = store.enqueue(msg("b@example.org"));
  auto c = store.enqueue(msg("c@example.org"));
  store.claim_due(now);
  store.claim_due(now);
  store.claim_due(now);
  store.mark_sent(a, now + 1);
  store.mark_failed(b, "550 no such user", std::nullopt);
  store.mark_failed(c, "cannot connect", now + 30);
  auto ea = store.find(a);
  EXPECT_EQ(ea->state, "sent");
  EXPECT_EQ(ea->attempts, 1);
  EXPECT_EQ(ea->sent_at, now + 1);
  auto eb = store.find(b);
  EXPECT_EQ(eb->state, "failed");
  EXPECT_EQ(eb->attempts, 1);
  EXPECT_EQ(eb->last_error, "550 no such user");
  auto ec = store.find(c);
  EXPECT_EQ(ec->state, "retrying");
  EXPECT_EQ(ec->next_attempt_at, now + 30);
  EXPECT_EQ(ec->last_error, "cannot connect");
  // Not due before its time; due at it.
  EXPECT_FALSE(store.claim_due(now + 29));
  EXPECT_EQ(store.next_due(), now + 30);
  auto again = store.claim_due(now + 30);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, c);
  EXPECT_EQ(again->attempts, 1);
  store.mark_sent(c, now + 31);
  EXPECT_EQ(store.find(c)->attempts, 2);
  EXPECT_EQ(store.find(c)->last_error, "");
}

TEST_F(fixture, release_and_recovery_put_a_claimed_message_back_without_counting_an_attempt) {
  auto a = store.enqueue(msg("a@example.org"));
  auto b = store.enqueue(msg("b@example.org"));
  store.claim_due(now);
  store.claim_due(now);
  store.release(a, "stopped", now + 5);
  EXPECT_EQ(store.find(a)->state, "retrying");
  EXPECT_EQ(store.find(a)->attempts, 0);
  EXPECT_EQ(store.find(a)->next_attempt_at, now + 5);
  // b is still "sending", as a process that died mid-send leaves it.
  EXPECT_EQ(store.recover_interrupted(now + 7), 1);
  EXPECT_EQ(store.find(b)->state, "retrying");
  EXPECT_NE(store.find(b)->last_error.find("interrupted"), std::string::npos);
  EXPECT_EQ(store.recover_interrupted(now + 7), 0);
  // A released message is not touched by a later release (it is no longer "sending").
  store.release(a, "again", now + 100);
  EXPECT_EQ(store.find(a)->next_attempt_at, now + 5);
}

TEST_F(fixture, the_schema_refuses_an_unknown_state) {
  auto a = store.enqueue(msg("a@example.org"));
  EXPECT_THROW(db.exec("UPDATE outbox SET state = 'lost' WHERE id = '" + a + "'"), store_error);
}

}  // namespace
}  // namespace samling::store
