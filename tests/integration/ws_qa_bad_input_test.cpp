// The bad inputs of issue 17 over the real protocol (docs/protocol.md, Error codes): voting
// twice (also from a second tab of the same user), voting on a rejected or archived question,
// a question over the length limit, merging a question into itself, acting on another room's
// question, a poll vote on a closed poll; each answered with its own error code, and nothing
// counted twice.
#include <gtest/gtest.h>

#include "ws_qa_support.hpp"

using namespace samling::testing;
using namespace samling::testing::qa;

namespace {

TEST(ws_qa_bad_input, a_second_vote_of_the_same_user_is_already_voted_also_from_another_tab) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto tab1 = signed_in(server, "u-anna", "attendee");
  auto tab2 = signed_in(server, "u-anna", "attendee");  // the same user, a second connection
  ASSERT_TRUE(mod && tab1 && tab2);
  auto q = ask(*tab1, "Hur finansieras bygget?");
  ASSERT_TRUE(is_ack(q)) << str(q);
  auto id = question_id(q);
  ASSERT_FALSE(id.empty()) << str(q);
  auto first = vote(*tab1, id);
  ASSERT_TRUE(is_ack(first)) << str(first);
  EXPECT_EQ(int_field(first, "result.votes"), 1) << str(first);
  EXPECT_EQ(field(first, "result.voted"), json::value(true)) << str(first);
  EXPECT_EQ(outcome(vote(*tab1, id)), "already_voted");
  EXPECT_EQ(outcome(vote(*tab2, id)), "already_voted");
  // Taking it back from the other tab works once; then there is nothing to take back.
  auto back = vote(*tab2, id, false);
  ASSERT_TRUE(is_ack(back)) << str(back);
  EXPECT_EQ(int_field(back, "result.votes"), 0) << str(back);
  EXPECT_EQ(outcome(vote(*tab1, id, false)), "not_voted");
  // Another user's vote counts.
  auto bo = signed_in(server, "u-bo", "attendee");
  ASSERT_TRUE(bo);
  ASSERT_TRUE(is_ack(vote(*tab1, id)));
  auto second = vote(*bo, id);
  ASSERT_TRUE(is_ack(second)) << str(second);
  EXPECT_EQ(int_field(second, "result.votes"), 2) << str(second);
  EXPECT_EQ(outcome(vote(*bo, "q-does-not-exist")), "no_such_question");
}

TEST(ws_qa_bad_input, votes_on_rejected_archived_and_pending_questions_are_question_closed) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto anna = signed_in(server, "u-anna", "attendee");
  ASSERT_TRUE(mod && anna);
  auto rejected = question_id(ask(*anna, "Första frågan"));
  auto archived = question_id(ask(*anna, "Andra frågan"));
  ASSERT_FALSE(rejected.empty() || archived.empty());
  auto r = act(*mod, rejected, "reject", {{"reason", "Utanför ämnet"}});
  ASSERT_TRUE(is_ack(r)) << str(r);
  EXPECT_EQ(string_field(r, "result.question.status"), "rejected") << str(r);
  auto a = act(*mod, archived, "archive");
  ASSERT_TRUE(is_ack(a)) << str(a);
  EXPECT_EQ(outcome(vote(*anna, rejected)), "question_closed");
  EXPECT_EQ(outcome(vote(*anna, archived)), "question_closed");
  // Pre-moderated: a new question waits and takes no votes until approved.
  ASSERT_TRUE(is_ack(moderate(*mod, "premoderation", {{"on", true}})));
  auto pending = ask(*anna, "Tredje frågan");
  ASSERT_TRUE(is_ack(pending)) << str(pending);
  EXPECT_EQ(string_field(pending, "result.question.status"), "pending") << str(pending);
  EXPECT_EQ(outcome(vote(*anna, question_id(pending))), "question_closed");
  ASSERT_TRUE(is_ack(act(*mod, question_id(pending), "approve")));
  EXPECT_TRUE(is_ack(vote(*anna, question_id(pending))));
  // Restored, the archived one takes votes again.
  ASSERT_TRUE(is_ack(act(*mod, archived, "restore")));
  EXPECT_TRUE(is_ack(vote(*anna, archived)));
}

TEST(ws_qa_bad_input, a_question_over_the_limit_is_question_too_long) {
  server_process server(server_options("[qa]\nquestion_max_chars = 20\n"));
  auto anna = signed_in(server, "u-anna", "attendee");
  auto mod = signed_in(server, "u-mod", "moderator");
  ASSERT_TRUE(anna && mod);
  // 20 code points (å, ä, ö are one each) pass; 21 do not. Surrounding blanks are trimmed first.
  auto ok = ask(*anna, "  " + std::string("åäö") + std::string(17, 'x') + "  ");
  ASSERT_TRUE(is_ack(ok)) << str(ok);
  auto too_long = ask(*anna, std::string(21, 'x'));
  EXPECT_EQ(outcome(too_long), "question_too_long") << str(too_long);
  // Longer than a chat message may be, still question_too_long (the question's own limit).
  EXPECT_EQ(outcome(ask(*anna, std::string(1500, 'y'))), "question_too_long");
  EXPECT_EQ(outcome(ask(*anna, " \n\t ")), "text_empty");
  EXPECT_EQ(outcome(ask(*anna, std::string("a\x01") + "b")), "text_invalid");
  // The limit is in every join's settings.
  EXPECT_EQ(int_field(anna->join(ws::room("main")), "result.qa.settings.question_max_chars"), 20);
  // An edit over the limit too.
  EXPECT_EQ(outcome(act(*mod, question_id(ok), "edit", {{"text", std::string(21, 'z')}})), "question_too_long");
}

TEST(ws_qa_bad_input, merging_into_itself_and_another_rooms_question) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator", {"main", "seminar-health"});
  auto anna = signed_in(server, "u-anna", "attendee", {"main", "seminar-health"});
  ASSERT_TRUE(mod && anna);
  auto here = question_id(ask(*anna, "En fråga i stora salen"));
  auto there = question_id(ask(*anna, "En fråga om hälsa", {}, "seminar-health"));
  ASSERT_FALSE(here.empty() || there.empty());
  EXPECT_EQ(outcome(act(*mod, here, "merge", {{"into", here}})), "merge_into_self");
  // The other room's question, through this room: wrong_room for every kind of request.
  EXPECT_EQ(outcome(act(*mod, there, "pin")), "wrong_room");
  EXPECT_EQ(outcome(act(*mod, here, "merge", {{"into", there}})), "wrong_room");
  EXPECT_EQ(outcome(vote(*anna, there)), "wrong_room");
  // In its own room all is well.
  EXPECT_TRUE(is_ack(vote(*anna, there, true, "seminar-health")));
  EXPECT_EQ(outcome(act(*mod, "q-nope", "pin")), "no_such_question");
}

TEST(ws_qa_bad_input, a_merge_combines_voters_and_counts_each_once) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto anna = signed_in(server, "u-anna", "attendee");
  auto bo = signed_in(server, "u-bo", "attendee");
  ASSERT_TRUE(mod && anna && bo);
  auto keep = question_id(ask(*anna, "Hur blir det med bostäderna?"));
  auto dup = question_id(ask(*bo, "Vad händer med bostäderna?"));
  ASSERT_TRUE(is_ack(vote(*anna, keep)));
  ASSERT_TRUE(is_ack(vote(*anna, dup)));  // Anna voted for both: counts once after the merge
  ASSERT_TRUE(is_ack(vote(*bo, dup)));
  auto merged = act(*mod, dup, "merge", {{"into", keep}});
  ASSERT_TRUE(is_ack(merged)) << str(merged);
  EXPECT_EQ(string_field(merged, "result.question.status"), "merged") << str(merged);
  auto pin = act(*mod, keep, "pin");
  ASSERT_TRUE(is_ack(pin)) << str(pin);
  EXPECT_EQ(int_field(pin, "result.question.votes"), 2) << str(pin);
  EXPECT_EQ(outcome(vote(*bo, keep)), "already_voted");
  EXPECT_EQ(outcome(vote(*bo, dup)), "question_closed");
  // Merging into a merged question is not allowed.
  auto third = question_id(ask(*bo, "Och bostäderna?"));
  EXPECT_EQ(outcome(act(*mod, third, "merge", {{"into", dup}})), "question_state");
}

TEST(ws_qa_bad_input, a_poll_vote_on_a_closed_poll_and_bad_choices) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto anna = signed_in(server, "u-anna", "attendee");
  ASSERT_TRUE(mod && anna);
  auto created = poll_create(*mod, "Vilken fråga först?", {"Bostäder", "Trafik", "Skola"});
  ASSERT_TRUE(is_ack(created)) << str(created);
  auto id = poll_id(created);
  EXPECT_EQ(string_field(created, "result.poll.state"), "draft") << str(created);
  EXPECT_EQ(outcome(poll_vote(*anna, id, {0})), "poll_closed");  // a draft is not open
  ASSERT_TRUE(is_ack(poll_act(*mod, id, "open")));
  EXPECT_EQ(outcome(poll_vote(*anna, id, {3})), "bad_choice");
  EXPECT_EQ(outcome(poll_vote(*anna, id, {-1})), "bad_choice");
  EXPECT_EQ(outcome(poll_vote(*anna, id, {0, 1})), "bad_choice");  // single choice
  auto v = poll_vote(*anna, id, {1});
  ASSERT_TRUE(is_ack(v)) << str(v);
  EXPECT_TRUE(is_ack(poll_vote(*anna, id, {2})));  // changeable while open
  ASSERT_TRUE(is_ack(poll_act(*mod, id, "close")));
  EXPECT_EQ(outcome(poll_vote(*anna, id, {0})), "poll_closed");
  EXPECT_EQ(outcome(poll_vote(*anna, id, {})), "poll_closed");
  EXPECT_EQ(outcome(poll_act(*mod, id, "open")), "poll_state");
  EXPECT_EQ(outcome(poll_vote(*anna, "p-nope", {0})), "no_such_poll");
  EXPECT_EQ(outcome(poll_create(*mod, "En enda?", {"Ja"})), "poll_invalid");
  EXPECT_EQ(outcome(poll_create(*mod, "Samma?", {"Ja", "Ja"})), "poll_invalid");
}

TEST(ws_qa_bad_input, requests_for_rooms_not_joined_or_of_another_event) {
  server_process server(server_options());
  auto anna = signed_in(server, "u-anna", "attendee", {});
  ASSERT_TRUE(anna);
  EXPECT_EQ(outcome(ask(*anna, "Hallå?")), "not_in_room");
  auto other = anna->request({{"type", "ask"}, {"room", "another-event/main"}, {"text", "x"}, {"client_msg_id", "c"}});
  EXPECT_EQ(outcome(other), "wrong_event") << str(other);
  auto none = anna->request({{"type", "vote"}, {"room", ws::room("no-such-room")}, {"question", "q-1"}});
  EXPECT_EQ(outcome(none), "no_such_room") << str(none);
  auto bad = anna->request({{"type", "vote"}, {"room", ws::room("main")}});
  EXPECT_EQ(outcome(bad), "bad_message") << str(bad);
  EXPECT_EQ(string_field(bad, "message"), "\"question\" must be a string.");
}

}  // namespace
