// The question ops (qa/ops.cpp) on a real sqlite_qa_store: asking, voting, the moderator's
// actions, their entries, errors and audit records.
#include <gtest/gtest.h>

#include "qa_fixture.hpp"

namespace samling::qa::testing {
namespace {

using core::errc;

TEST_F(qa_test, AskStoresAnApprovedQuestionAndOneEntryWithThreeViews) {
  ask_args a;
  a.text = "  Hur finansieras bostäderna?  ";
  a.client_msg_id = "c-1";
  auto e = env(anna);
  auto out = ask(store, e, a);
  ASSERT_EQ(out.error, errc::ok) << out.message;
  auto r = result(out);
  EXPECT_EQ(r.at("room"), S(main_room));
  EXPECT_EQ(r.at("duplicate"), false);
  const auto& q = r.at("question").as_object();
  EXPECT_EQ(q.at("text"), "Hur finansieras bostäderna?");  // trimmed
  EXPECT_EQ(q.at("status"), "approved");
  EXPECT_EQ(q.at("mine"), true);  // the asker's view
  EXPECT_TRUE(q.at("id").as_string().starts_with("q-"));
  EXPECT_EQ(q.at("id").as_string().size(), 14u);

  ASSERT_EQ(out.entries.size(), 1u);
  const auto& entry = out.entries[0];
  EXPECT_EQ(entry.type, "question");
  EXPECT_EQ(entry.seq, 1u);
  EXPECT_EQ(entry.ts_ms, now_ms);
  EXPECT_EQ(entry.owner_id, anna.id);
  auto everyone = json(entry.everyone_json);
  EXPECT_EQ(everyone.at("type"), "question");
  EXPECT_EQ(everyone.at("room"), S(main_room));
  EXPECT_EQ(everyone.at("seq"), 1);
  EXPECT_EQ(everyone.at("ts"), now_ms);
  EXPECT_EQ(everyone.at("question").at("mine"), false);
  EXPECT_EQ(everyone.at("question").at("author").at("name"), "Anna Svensson");
  EXPECT_EQ(json(entry.owner_json).at("question").at("mine"), true);
  EXPECT_EQ(json(entry.staff_json).at("question").at("author").at("id"), S(anna.id));
  EXPECT_TRUE(out.votes_changed.empty());
  EXPECT_TRUE(audits.empty());  // an attendee's question is no moderator action
  EXPECT_EQ(store.questions(main_room).size(), 1u);
}

TEST_F(qa_test, ARetryWithTheSameClientIdReturnsTheFirstQuestionAndNoEntry) {
  ask_args a;
  a.text = "Varför?";
  a.client_msg_id = "c-7";
  auto e = env(anna);
  auto first = ask(store, e, a);
  ASSERT_EQ(first.error, errc::ok);
  auto again = ask(store, e, a);
  ASSERT_EQ(again.error, errc::ok);
  EXPECT_EQ(result(again).at("duplicate"), true);
  EXPECT_EQ(result(again).at("question").at("id"), result(first).at("question").at("id"));
  EXPECT_TRUE(again.entries.empty());
  // The same client id from someone else is another question.
  auto other = env(bo);
  auto bos = ask(store, other, a);
  EXPECT_EQ(result(bos).at("duplicate"), false);
  EXPECT_EQ(store.questions(main_room).size(), 2u);
}

TEST_F(qa_test, AskRefusesEmptyTooLongAndControlCharacters) {
  auto e = env(anna);
  ask_args a;
  a.client_msg_id = "c-1";
  a.text = " \t ";
  EXPECT_EQ(ask(store, e, a).error, errc::text_empty);
  a.text = std::string(301, 'x');
  auto too_long = ask(store, e, a);
  EXPECT_EQ(too_long.error, errc::question_too_long);
  EXPECT_NE(too_long.message.find("300"), std::string::npos);
  a.max_chars = 20;
  a.text = std::string(21, 'x');
  EXPECT_EQ(ask(store, e, a).error, errc::question_too_long);
  a.text = "bell\x07";
  EXPECT_EQ(ask(store, e, a).error, errc::text_invalid);
  a.max_chars = 300;
  a.text = std::string(100, 'x') + std::string(200, 'x');  // exactly 300: fine
  a.text = "";
  for (int i = 0; i < 300; ++i) a.text += "ä";  // code points, not bytes
  EXPECT_EQ(ask(store, e, a).error, errc::ok);
  EXPECT_EQ(store.questions(main_room).size(), 1u);
}

TEST_F(qa_test, PremoderatedRoomKeepsAQuestionPendingAndFromTheAudience) {
  store.set_premoderated(main_room, true);
  ask_args a;
  a.text = "Väntar den här?";
  a.client_msg_id = "c-1";
  auto e = env(anna);
  auto out = ask(store, e, a);
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(result(out).at("question").at("status"), "pending");
  ASSERT_EQ(out.entries.size(), 1u);
  EXPECT_TRUE(out.entries[0].everyone_json.empty());  // nothing to the audience
  EXPECT_EQ(json(out.entries[0].owner_json).at("question").at("status"), "pending");
  EXPECT_EQ(json(out.entries[0].staff_json).at("question").at("status"), "pending");
  // Nobody votes on it while it waits.
  EXPECT_EQ(vote_as(bo, std::string(result(out).at("question").at("id").as_string())).error, errc::question_closed);

  // The staff's own questions need no approval.
  auto id = ask_as(mona, "Från moderatorn");
  EXPECT_EQ(store.find_question(id)->status, question_status::approved);
}

TEST_F(qa_test, HallQuestionsNeedStaffAreApprovedAndShowOnlyTheGivenName) {
  store.set_premoderated(main_room, true);
  ask_args a;
  a.text = "Fråga från salen";
  a.client_msg_id = "h-1";
  a.hall = true;
  a.hall_name = " Greta ";
  auto attendee = env(anna);
  EXPECT_EQ(ask(store, attendee, a).error, errc::forbidden);
  auto e = env(mona);
  auto out = ask(store, e, a);
  ASSERT_EQ(out.error, errc::ok) << out.message;
  const auto q = result(out).at("question").as_object();
  EXPECT_EQ(q.at("status"), "approved");
  EXPECT_EQ(q.at("source"), "hall");
  EXPECT_EQ(q.at("author"), (boost::json::object{{"name", "Greta"}}));
  ASSERT_EQ(out.entries.size(), 1u);
  EXPECT_TRUE(out.entries[0].owner_id.empty());  // no asker online
  EXPECT_EQ(json(out.entries[0].everyone_json).at("question").at("author"), (boost::json::object{{"name", "Greta"}}));
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0], (audit_record{mona.id, "question_hall", std::string(q.at("id").as_string()), ""}));

  // Without a name: no author at all. A retry of a hall question is recognised per moderator.
  a.hall_name.clear();
  a.client_msg_id = "h-2";
  auto nameless = ask(store, e, a);
  EXPECT_TRUE(result(nameless).at("question").at("author").is_null());
  EXPECT_EQ(result(ask(store, e, a)).at("duplicate"), true);
  auto olle_env = env(olle);
  EXPECT_EQ(result(ask(store, olle_env, a)).at("duplicate"), false);
}

TEST_F(qa_test, AHallNameAndAReasonFollowTheirRules) {
  ask_args a;
  a.text = "Från salen";
  a.client_msg_id = "h-1";
  a.hall = true;
  a.hall_name = std::string(61, 'n');  // names are 1..60 characters
  auto e = env(mona);
  EXPECT_EQ(ask(store, e, a).error, errc::name_invalid);
  a.hall_name = "Gre\x01ta";
  EXPECT_EQ(ask(store, e, a).error, errc::name_invalid);
  // The name only counts for a hall question.
  a.hall = false;
  auto online = ask(store, e, a);
  ASSERT_EQ(online.error, errc::ok);
  EXPECT_EQ(result(online).at("question").at("author").at("name"), S(mona.name));

  auto id = ask_as(anna, "Fråga");
  question_args r;
  r.reason = std::string(501, 'r');
  auto long_reason = act_as(mona, id, question_action::reject, r);
  EXPECT_EQ(long_reason.error, errc::bad_message);
  EXPECT_NE(long_reason.message.find("500"), std::string::npos);
  r.reason = "nej\x02";
  EXPECT_EQ(act_as(mona, id, question_action::reject, r).error, errc::text_invalid);
  r.reason = "   ";  // blanks: no reason
  ASSERT_EQ(act_as(mona, id, question_action::reject, r).error, errc::ok);
  EXPECT_TRUE(store.find_question(id)->reason.empty());
  EXPECT_EQ(audits.back().reason, "");
}

TEST_F(qa_test, PressQuestionsAreMarked) {
  auto id = ask_as(pia, "Fråga från pressen");
  EXPECT_TRUE(store.find_question(id)->press);
  EXPECT_FALSE(store.find_question(ask_as(anna, "Från publiken"))->press);
}

TEST_F(qa_test, OneVotePerUserIdAlsoFromASecondTab) {
  auto id = ask_as(anna, "Rösta på mig");
  auto out = vote_as(bo, id);
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(result(out), (boost::json::object{{"room", main_room}, {"question", id}, {"votes", 1}, {"voted", true}}));
  EXPECT_TRUE(out.entries.empty());  // the tally publishes counts
  EXPECT_EQ(out.votes_changed, std::vector<std::string>{id});
  // Bo's second tab: another session, the same user id.
  auto tab2 = vote_as(bo, id);
  EXPECT_EQ(tab2.error, errc::already_voted);
  EXPECT_TRUE(tab2.votes_changed.empty());
  EXPECT_EQ(vote_as(cai, id).error, errc::ok);
  EXPECT_EQ(store.find_question(id)->votes, 2);
  // Take it back, once.
  auto back = vote_as(bo, id, false);
  ASSERT_EQ(back.error, errc::ok);
  EXPECT_EQ(result(back).at("votes"), 1);
  EXPECT_EQ(result(back).at("voted"), false);
  EXPECT_EQ(vote_as(bo, id, false).error, errc::not_voted);
  EXPECT_EQ(store.find_question(id)->votes, 1);
  EXPECT_EQ(store.voters(id), std::vector<std::string>{cai.id});
}

TEST_F(qa_test, VoteErrors) {
  EXPECT_EQ(vote_as(bo, "q-000000000000").error, errc::no_such_question);
  auto elsewhere = env(anna, other_room);
  ask_args a;
  a.text = "I ett annat rum";
  a.client_msg_id = "c-x";
  auto other = ask(store, elsewhere, a);
  auto other_id = std::string(result(other).at("question").at("id").as_string());
  EXPECT_EQ(vote_as(bo, other_id).error, errc::wrong_room);

  auto rejected = ask_as(anna, "Avvisad");
  ASSERT_EQ(act_as(mona, rejected, question_action::reject).error, errc::ok);
  EXPECT_EQ(vote_as(bo, rejected).error, errc::question_closed);
  auto archived = ask_as(anna, "Arkiverad");
  ASSERT_EQ(act_as(mona, archived, question_action::archive).error, errc::ok);
  EXPECT_EQ(vote_as(bo, archived).error, errc::question_closed);
  auto merged = ask_as(anna, "Sammanslagen");
  question_args m;
  m.into = ask_as(cai, "Den som stannar");
  ASSERT_EQ(act_as(mona, merged, question_action::merge, m).error, errc::ok);
  EXPECT_EQ(vote_as(bo, merged).error, errc::question_closed);
  // Answered questions still take votes.
  auto answered = ask_as(anna, "Besvarad");
  ASSERT_EQ(act_as(mona, answered, question_action::answered).error, errc::ok);
  EXPECT_EQ(vote_as(bo, answered).error, errc::ok);
}

TEST_F(qa_test, MergeCombinesVotersCountingEachOnce) {
  auto source = ask_as(anna, "Hur blir det med hyrorna?");
  auto into = ask_as(cai, "Vad händer med hyrorna?");
  ASSERT_EQ(vote_as(bo, source).error, errc::ok);
  ASSERT_EQ(vote_as(pia, source).error, errc::ok);
  ASSERT_EQ(vote_as(pia, into).error, errc::ok);  // voted for both
  ASSERT_EQ(vote_as(olle, into).error, errc::ok);
  question_args a;
  a.into = into;
  a.reason = "Samma fråga";
  auto out = act_as(mona, source, question_action::merge, a);
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(store.find_question(into)->votes, 3);  // bo, pia, olle
  auto merged = *store.find_question(source);
  EXPECT_EQ(merged.status, question_status::merged);
  EXPECT_EQ(merged.merged_into, into);
  EXPECT_EQ(store.find_question(into)->merged_from, std::vector<std::string>{source});
  // Two entries: the merged one, then the one that stays (with its new count).
  ASSERT_EQ(out.entries.size(), 2u);
  EXPECT_EQ(json(out.entries[0].everyone_json).at("question").at("status"), "merged");
  auto stays = json(out.entries[1].everyone_json).at("question").as_object();
  EXPECT_EQ(stays.at("id"), S(into));
  EXPECT_EQ(stays.at("votes"), 3);
  EXPECT_EQ(stays.at("merged_from"), (boost::json::array{source.c_str()}));
  EXPECT_EQ(out.entries[1].seq, out.entries[0].seq + 1);
  // A voter of the merged question who votes for the one that stays has voted already.
  EXPECT_EQ(vote_as(bo, into).error, errc::already_voted);
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0], (audit_record{mona.id, "question_merge", source, "Samma fråga"}));
}

TEST_F(qa_test, MergeErrors) {
  auto a = ask_as(anna, "A");
  auto b = ask_as(bo, "B");
  question_args m;
  EXPECT_EQ(act_as(mona, a, question_action::merge, m).error, errc::bad_message);  // no "into"
  m.into = a;
  EXPECT_EQ(act_as(mona, a, question_action::merge, m).error, errc::merge_into_self);
  m.into = "q-ffffffffffff";
  EXPECT_EQ(act_as(mona, a, question_action::merge, m).error, errc::no_such_question);
  auto elsewhere = env(anna, other_room);
  ask_args other;
  other.text = "Annat rum";
  other.client_msg_id = "c-o";
  m.into = std::string(result(ask(store, elsewhere, other)).at("question").at("id").as_string());
  EXPECT_EQ(act_as(mona, a, question_action::merge, m).error, errc::wrong_room);
  m.into = b;
  ASSERT_EQ(act_as(mona, a, question_action::merge, m).error, errc::ok);
  // Merging a merged one again, or into a merged one: question_state.
  EXPECT_EQ(act_as(mona, a, question_action::merge, m).error, errc::question_state);
  m.into = a;
  EXPECT_EQ(act_as(mona, b, question_action::merge, m).error, errc::question_state);
  EXPECT_EQ(audits.size(), 1u);  // refusals are not logged
}

TEST_F(qa_test, PinningAnotherUnpinsThePreviousWithItsOwnEntry) {
  auto first = ask_as(anna, "Först");
  auto second = ask_as(bo, "Sedan");
  auto out = act_as(mona, first, question_action::pin);
  ASSERT_EQ(out.error, errc::ok);
  ASSERT_EQ(out.entries.size(), 1u);
  EXPECT_EQ(json(out.entries[0].everyone_json).at("question").at("pinned"), true);
  out = act_as(mona, second, question_action::pin);
  ASSERT_EQ(out.error, errc::ok);
  ASSERT_EQ(out.entries.size(), 2u);
  auto unpinned = json(out.entries[0].everyone_json).at("question").as_object();
  EXPECT_EQ(unpinned.at("id"), S(first));
  EXPECT_EQ(unpinned.at("pinned"), false);
  auto pinned = json(out.entries[1].everyone_json).at("question").as_object();
  EXPECT_EQ(pinned.at("id"), S(second));
  EXPECT_EQ(pinned.at("pinned"), true);
  EXPECT_EQ(store.pinned_question(main_room)->id, second);
  EXPECT_FALSE(store.find_question(first)->pinned);
  // Pinning the pinned one again, or unpinning one that is not: question_state.
  EXPECT_EQ(act_as(mona, second, question_action::pin).error, errc::question_state);
  EXPECT_EQ(act_as(mona, first, question_action::unpin).error, errc::question_state);
  // Answered unpins.
  ASSERT_EQ(act_as(mona, second, question_action::answered).error, errc::ok);
  EXPECT_FALSE(store.pinned_question(main_room));
  EXPECT_EQ(store.find_question(second)->status, question_status::answered);
}

TEST_F(qa_test, PinImpliesApprovedAndIsRefusedForRejected) {
  store.set_premoderated(main_room, true);
  auto pending = ask_as(anna, "Väntande");
  auto out = act_as(mona, pending, question_action::pin);
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(store.find_question(pending)->status, question_status::approved);
  EXPECT_FALSE(out.entries.back().everyone_json.empty());  // now public
  auto rejected = ask_as(anna, "Avvisad");
  ASSERT_EQ(act_as(mona, rejected, question_action::reject).error, errc::ok);
  auto refused = act_as(mona, rejected, question_action::pin);
  EXPECT_EQ(refused.error, errc::question_state);
  EXPECT_NE(refused.message.find("rejected"), std::string::npos);
  EXPECT_TRUE(refused.entries.empty());
}

TEST_F(qa_test, RejectBeforeApprovalIsNothingToTheAudienceAndTheReasonOnlyForTheAsker) {
  store.set_premoderated(main_room, true);
  auto id = ask_as(anna, "Olämplig");
  question_args a;
  a.reason = "  Utanför ämnet ";
  auto out = act_as(mona, id, question_action::reject, a);
  ASSERT_EQ(out.error, errc::ok);
  ASSERT_EQ(out.entries.size(), 1u);
  EXPECT_TRUE(out.entries[0].everyone_json.empty());
  EXPECT_EQ(json(out.entries[0].owner_json).at("question").at("reason"), "Utanför ämnet");
  EXPECT_EQ(json(out.entries[0].staff_json).at("question").at("reason"), "Utanför ämnet");
  EXPECT_EQ(result(out).at("question").at("status"), "rejected");

  // Rejecting an approved one tells the audience (to drop it), without the reason.
  auto approved = ask_as(anna, "Godkänd först");
  ASSERT_EQ(act_as(mona, approved, question_action::approve).error, errc::ok);
  out = act_as(mona, approved, question_action::reject, a);
  ASSERT_EQ(out.error, errc::ok);
  auto everyone = json(out.entries[0].everyone_json).at("question").as_object();
  EXPECT_EQ(everyone.at("status"), "rejected");
  EXPECT_TRUE(everyone.at("reason").is_null());

  // Restore brings it back, without the old reason.
  out = act_as(mona, approved, question_action::restore);
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(store.find_question(approved)->status, question_status::approved);
  EXPECT_TRUE(store.find_question(approved)->reason.empty());
}

TEST_F(qa_test, StateErrorsOfTheActions) {
  auto id = ask_as(anna, "Fråga");
  EXPECT_EQ(act_as(mona, id, question_action::approve).error, errc::question_state);  // approved already
  EXPECT_EQ(act_as(mona, id, question_action::restore).error, errc::question_state);
  ASSERT_EQ(act_as(mona, id, question_action::archive).error, errc::ok);
  EXPECT_EQ(act_as(mona, id, question_action::archive).error, errc::question_state);
  EXPECT_EQ(act_as(mona, id, question_action::answered).error, errc::question_state);
  EXPECT_EQ(act_as(mona, id, question_action::reject).error, errc::question_state);
  ASSERT_EQ(act_as(mona, id, question_action::restore).error, errc::ok);
  EXPECT_EQ(act_as(mona, "q-000000000000", question_action::approve).error, errc::no_such_question);
  auto elsewhere = env(anna, other_room);
  ask_args other;
  other.text = "Annat rum";
  other.client_msg_id = "c-o";
  auto other_id = std::string(result(ask(store, elsewhere, other)).at("question").at("id").as_string());
  EXPECT_EQ(act_as(mona, other_id, question_action::archive).error, errc::wrong_room);
}

TEST_F(qa_test, EditChecksTheTextAndMarksTheQuestionEdited) {
  auto id = ask_as(anna, "Hur finansieras bostäderan?");
  question_args a;
  a.text = "Hur finansieras bostäderna?";
  auto out = act_as(mona, id, question_action::edit, a);
  ASSERT_EQ(out.error, errc::ok);
  auto q = *store.find_question(id);
  EXPECT_EQ(q.text, "Hur finansieras bostäderna?");
  EXPECT_TRUE(q.edited);
  EXPECT_EQ(json(out.entries[0].everyone_json).at("question").at("edited"), true);
  a.text = std::string(301, 'x');
  EXPECT_EQ(act_as(mona, id, question_action::edit, a).error, errc::question_too_long);
  a.text = "   ";
  EXPECT_EQ(act_as(mona, id, question_action::edit, a).error, errc::text_empty);
  EXPECT_EQ(store.find_question(id)->text, "Hur finansieras bostäderna?");
}

TEST_F(qa_test, OnlyStaffActOnQuestions) {
  auto id = ask_as(anna, "Fråga");
  for (const auto& user : {anna, bo, cai, pia}) {
    auto out = act_as(user, id, question_action::archive);
    EXPECT_EQ(out.error, errc::forbidden) << user.id;
    EXPECT_TRUE(out.entries.empty());
  }
  EXPECT_EQ(act_as(olle, id, question_action::archive).error, errc::ok);
}

TEST_F(qa_test, EveryModeratorActionIsAuditedOnce) {
  store.set_premoderated(main_room, true);
  auto a = ask_as(anna, "A");
  auto b = ask_as(bo, "B");
  ASSERT_TRUE(audits.empty());
  question_args with_reason;
  with_reason.reason = "dubblett";
  question_args edit;
  edit.text = "A!";
  question_args merge;
  merge.into = a;
  ASSERT_EQ(act_as(mona, a, question_action::approve).error, errc::ok);
  ASSERT_EQ(act_as(mona, a, question_action::edit, edit).error, errc::ok);
  ASSERT_EQ(act_as(mona, a, question_action::pin).error, errc::ok);
  ASSERT_EQ(act_as(mona, a, question_action::unpin).error, errc::ok);
  ASSERT_EQ(act_as(mona, a, question_action::answered).error, errc::ok);
  ASSERT_EQ(act_as(mona, b, question_action::reject, with_reason).error, errc::ok);
  ASSERT_EQ(act_as(mona, b, question_action::restore).error, errc::ok);
  ASSERT_EQ(act_as(mona, b, question_action::archive).error, errc::ok);
  ASSERT_EQ(act_as(olle, b, question_action::restore).error, errc::ok);
  ASSERT_EQ(act_as(olle, b, question_action::merge, merge).error, errc::ok);
  std::vector<audit_record> expected = {
      {mona.id, "question_approve", a, ""},  {mona.id, "question_edit", a, ""},
      {mona.id, "question_pin", a, ""},      {mona.id, "question_unpin", a, ""},
      {mona.id, "question_answered", a, ""}, {mona.id, "question_reject", b, "dubblett"},
      {mona.id, "question_restore", b, ""},  {mona.id, "question_archive", b, ""},
      {olle.id, "question_restore", b, ""},  {olle.id, "question_merge", b, ""},
  };
  EXPECT_EQ(audits, expected);
  // Votes are not moderator actions.
  ASSERT_EQ(vote_as(cai, a).error, errc::ok);
  EXPECT_EQ(audits.size(), expected.size());
}

TEST_F(qa_test, SeqsAreTakenOnlyForEntries) {
  auto a = ask_as(anna, "A");       // 1
  auto b = ask_as(bo, "B");         // 2
  ASSERT_EQ(vote_as(cai, a).error, errc::ok);                       // none
  ASSERT_EQ(act_as(mona, a, question_action::pin).error, errc::ok);  // 3
  auto out = act_as(mona, b, question_action::pin);                  // 4, 5
  ASSERT_EQ(out.entries.size(), 2u);
  EXPECT_EQ(out.entries[0].seq, 4u);
  EXPECT_EQ(out.entries[1].seq, 5u);
  EXPECT_EQ(json(out.entries[1].staff_json).at("seq"), 5);
  EXPECT_EQ(next_seq, 6u);
  EXPECT_EQ(act_as(mona, b, question_action::pin).error, errc::question_state);
  EXPECT_EQ(next_seq, 6u);  // a refusal takes none
}

}  // namespace
}  // namespace samling::qa::testing
