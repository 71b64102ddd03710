// store::sqlite_qa_store on its own: what it keeps across a reopen, and the schema's guards.
#include "store/sqlite_qa_store.hpp"

#include <gtest/gtest.h>

#include "qa_fixture.hpp"

#include "store/statement.hpp"

namespace samling::qa::testing {
namespace {

TEST_F(qa_test, QuestionsVotesPollsAndSettingsSurviveAReopen) {
  auto q = ask_as(anna, "Bestående");
  ASSERT_EQ(vote_as(bo, q).error, core::errc::ok);
  auto p = create_poll_as(mona, poll_kind::multiple);
  ASSERT_EQ(poll_as(mona, p, poll_action::open).error, core::errc::ok);
  ASSERT_EQ(poll_vote_as(bo, p, {1, 2}).error, core::errc::ok);
  store.set_premoderated(main_room, true);
  store.set_names_to_moderators(event_id, true);

  store::sqlite_db again(dir.file("qa.db"));
  store::sqlite_qa_store reopened(again);
  auto stored = reopened.find_question(q);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->text, "Bestående");
  EXPECT_EQ(stored->votes, 1);
  EXPECT_EQ(stored->author_role, auth::role::attendee);
  EXPECT_EQ(reopened.voted_questions(main_room, bo.id), std::vector<std::string>{q});
  auto poll = reopened.find_poll(p);
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->kind, poll_kind::multiple);
  EXPECT_EQ(poll->state, poll_state::open);
  EXPECT_EQ(poll->counts, (std::vector<std::int64_t>{0, 1, 1}));
  EXPECT_EQ(poll->voters, 1);
  EXPECT_EQ(reopened.my_poll_votes(main_room, bo.id),
            (std::vector<std::pair<std::string, std::vector<std::int64_t>>>{{p, {1, 2}}}));
  EXPECT_TRUE(reopened.premoderated(main_room));
  EXPECT_TRUE(reopened.names_to_moderators(event_id));
  EXPECT_FALSE(reopened.names_to_moderators("another-event"));
}

TEST_F(qa_test, TheSchemaAllowsOnePinnedQuestionPerRoom) {
  auto a = ask_as(anna, "A");
  auto b = ask_as(bo, "B");
  auto qa = *store.find_question(a);
  auto qb = *store.find_question(b);
  qa.pinned = true;
  store.update_question(qa);
  qb.pinned = true;
  EXPECT_THROW(store.update_question(qb), store::store_error);
}

TEST_F(qa_test, AStatusThisBinaryDoesNotKnowIsRefused) {
  auto a = ask_as(anna, "A");
  // STRICT + CHECK keep unknown names out; a row written around them is refused when read.
  EXPECT_THROW(db.exec("UPDATE questions SET status = 'maybe' WHERE id = '" + a + "'"), store::store_error);
  db.exec("PRAGMA ignore_check_constraints = ON");
  db.exec("UPDATE questions SET status = 'maybe' WHERE id = '" + a + "'");
  EXPECT_THROW(store.find_question(a), store::store_error);
}

TEST_F(qa_test, MergeVotesIsIdempotentAndCountsDistinctVoters) {
  auto a = ask_as(anna, "A");
  auto b = ask_as(bo, "B");
  for (const auto* user : {&bo, &cai, &pia}) ASSERT_EQ(vote_as(*user, a).error, core::errc::ok);
  for (const auto* user : {&cai, &olle}) ASSERT_EQ(vote_as(*user, b).error, core::errc::ok);
  store.merge_votes(a, b);
  store.merge_votes(a, b);
  EXPECT_EQ(store.find_question(b)->votes, 4);  // bo, cai, pia, olle
  EXPECT_EQ(store.find_question(a)->votes, 3);  // the source keeps its own
  store::statement count(db, "SELECT count(*) FROM question_votes WHERE question_id = ?1");
  count.bind(1, b);
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.int64(0), 4);
}

}  // namespace
}  // namespace samling::qa::testing

namespace samling::qa::testing {
namespace {

// A small vote storm through the ops, batched as the chat writer batches them (one
// transaction, a savepoint per op): every vote counted once, every repeat refused, and one
// tally with every count.
TEST_F(qa_test, AVoteStormCountsEveryVoteOnce) {
  constexpr int questions = 20;
  constexpr int voters = 300;
  std::vector<std::string> ids;
  for (int i = 0; i < questions; ++i) ids.push_back(ask_as(mona, "Fråga " + std::to_string(i)));
  int refused = 0;
  {
    store::transaction batch(db);
    for (int u = 0; u < voters; ++u) {
      const rooms::chat_user user{"u-" + std::to_string(u), "Deltagare", auth::role::attendee};
      for (int i = 0; i < questions; ++i) {
        store::transaction op(db);
        auto first = vote_as(user, ids[static_cast<std::size_t>(i)]);
        ASSERT_EQ(first.error, core::errc::ok);
        op.commit();
        // The same user from a second tab, at once.
        store::transaction retry(db);
        if (vote_as(user, ids[static_cast<std::size_t>(i)]).error == core::errc::already_voted) ++refused;
      }
    }
    batch.commit();
  }
  EXPECT_EQ(refused, questions * voters);
  auto e = env(rooms::chat_user{"", "", auth::role::organizer});
  auto t = tally(store, e, ids, {});
  ASSERT_EQ(t.entries.size(), 1u);
  const auto counts = json(t.entries[0].everyone_json).at("questions").as_array();
  ASSERT_EQ(counts.size(), static_cast<std::size_t>(questions));
  for (const auto& c : counts) EXPECT_EQ(c.at("votes"), voters) << c;
}

}  // namespace
}  // namespace samling::qa::testing
