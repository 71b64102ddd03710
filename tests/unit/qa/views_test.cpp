// The three views of a question and a poll (qa/views.cpp), and the join snapshot (qa::snapshot).
#include "qa/views.hpp"

#include <gtest/gtest.h>

#include "qa_fixture.hpp"

namespace samling::qa::testing {
namespace {

using core::errc;

question anonymous_question() {
  question q;
  q.id = "q-0123456789ab";
  q.room = main_room;
  q.text = "Anonym fråga";
  q.status = question_status::rejected;
  q.anonymous = true;
  q.author_id = anna.id;
  q.author_name = anna.name;
  q.author_role = anna.role;
  q.reason = "Utanför ämnet";
  q.created_ms = 1;
  q.updated_ms = 2;
  return q;
}

TEST(QaViewsTest, AQuestionHasEveryFieldOfTheContractInOrder) {
  auto q = anonymous_question();
  q.anonymous = false;
  q.merged_from = {"q-a", "q-b"};
  q.votes = 7;
  auto o = to_json(q, view::everyone, false);
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "room", "text", "status", "pinned", "source", "press", "anonymous",
                                            "author", "votes", "created", "updated", "edited", "merged_into",
                                            "merged_from", "reason", "mine"}));
  EXPECT_EQ(o.at("author"), (boost::json::object{{"id", anna.id}, {"name", anna.name}, {"role", "attendee"}}));
  EXPECT_EQ(o.at("votes"), 7);
  EXPECT_EQ(o.at("merged_from"), (boost::json::array{"q-a", "q-b"}));
  EXPECT_TRUE(o.at("merged_into").is_null());
  EXPECT_EQ(o.at("source"), "online");
  EXPECT_EQ(o.at("created"), 1);
  EXPECT_EQ(o.at("updated"), 2);
}

TEST(QaViewsTest, AnAnonymousAuthorIsHiddenFromTheAudienceAndFromStaffUnlessTheEventSaysSo) {
  const auto q = anonymous_question();
  auto everyone = to_json(q, view::everyone, true);
  EXPECT_TRUE(everyone.at("author").is_null());
  EXPECT_TRUE(everyone.at("reason").is_null());
  EXPECT_EQ(everyone.at("mine"), false);
  auto staff_hidden = to_json(q, view::staff, false);
  EXPECT_TRUE(staff_hidden.at("author").is_null());
  EXPECT_EQ(staff_hidden.at("reason"), "Utanför ämnet");
  EXPECT_EQ(staff_hidden.at("mine"), false);
  auto staff_named = to_json(q, view::staff, true);
  EXPECT_EQ(staff_named.at("author").at("name"), S(anna.name));
  auto owner = to_json(q, view::owner, false);
  EXPECT_EQ(owner.at("author").at("id"), S(anna.id));
  EXPECT_EQ(owner.at("reason"), "Utanför ämnet");
  EXPECT_EQ(owner.at("mine"), true);
  EXPECT_EQ(owner.at("anonymous"), true);
}

TEST(QaViewsTest, APollHidesItsCountsFromTheAudienceOnlyWhileHidden) {
  poll p;
  p.id = "p-0123456789ab";
  p.room = main_room;
  p.text = "Fika?";
  p.kind = poll_kind::multiple;
  p.options = {"Ja", "Nej"};
  p.counts = {3, 1};
  p.voters = 3;
  p.state = poll_state::open;
  p.results = poll_results::hidden;
  p.created_ms = 5;
  auto everyone = to_json(p, view::everyone);
  std::vector<std::string> keys;
  for (const auto& kv : everyone) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "room", "text", "kind", "options", "voters", "state", "results",
                                            "created"}));
  EXPECT_EQ(everyone.at("options"), (boost::json::array{boost::json::object{{"text", "Ja"}, {"votes", nullptr}},
                                                        boost::json::object{{"text", "Nej"}, {"votes", nullptr}}}));
  EXPECT_TRUE(everyone.at("voters").is_null());
  EXPECT_EQ(everyone.at("kind"), "multiple");
  auto staff = to_json(p, view::staff);
  EXPECT_EQ(staff.at("options").at(0).at("votes"), 3);
  EXPECT_EQ(staff.at("voters"), 3);
  p.results = poll_results::revealed;
  EXPECT_EQ(to_json(p, view::everyone).at("voters"), 3);
  p.results = poll_results::live;
  EXPECT_EQ(to_json(p, view::everyone).at("options").at(1).at("votes"), 1);
}

std::vector<std::string> ids_of(const boost::json::value& list) {
  std::vector<std::string> out;
  for (const auto& v : list.as_array()) out.emplace_back(v.at("id").as_string());
  return out;
}

TEST_F(qa_test, SnapshotShowsTheAudienceWhatIsPublicAndTheirOwn) {
  store.set_premoderated(main_room, true);
  auto public_q = ask_as(mona, "Godkänd");
  auto annas_pending = ask_as(anna, "Annas väntande");
  auto bos_pending = ask_as(bo, "Bos väntande");
  auto annas_rejected = ask_as(anna, "Annas avvisade");
  auto archived = ask_as(mona, "Arkiverad");
  question_args reason;
  reason.reason = "Nej";
  ASSERT_EQ(act_as(mona, annas_rejected, question_action::reject, reason).error, errc::ok);
  ASSERT_EQ(act_as(mona, archived, question_action::archive).error, errc::ok);
  ASSERT_EQ(vote_as(anna, public_q).error, errc::ok);
  auto draft = create_poll_as(mona);
  auto open = create_poll_as(mona, poll_kind::multiple);
  auto old = create_poll_as(mona);
  ASSERT_EQ(poll_as(mona, open, poll_action::open).error, errc::ok);
  ASSERT_EQ(poll_as(mona, old, poll_action::archive).error, errc::ok);
  ASSERT_EQ(poll_vote_as(anna, open, {0, 2}).error, errc::ok);

  auto e = env(anna);
  auto s = snapshot(store, e, 300);
  EXPECT_EQ(ids_of(s.at("questions")), (std::vector<std::string>{public_q, annas_pending, annas_rejected}));
  const auto& qs = s.at("questions").as_array();
  EXPECT_EQ(qs[0].at("mine"), false);
  EXPECT_EQ(qs[1].at("mine"), true);
  EXPECT_EQ(qs[2].at("reason"), "Nej");
  EXPECT_EQ(ids_of(s.at("polls")), std::vector<std::string>{open});
  EXPECT_EQ(s.at("my_votes"), (boost::json::array{public_q.c_str()}));
  EXPECT_EQ(s.at("my_poll_votes"), (boost::json::object{{open, boost::json::array{0, 2}}}));
  EXPECT_EQ(s.at("settings"), (boost::json::object{{"premoderated", true},
                                                   {"names_to_moderators", false},
                                                   {"question_max_chars", 300}}));
  EXPECT_FALSE(s.contains("moderation"));

  // Bo sees his own pending one and not Anna's.
  auto b = env(bo);
  EXPECT_EQ(ids_of(snapshot(store, b, 300).at("questions")), (std::vector<std::string>{public_q, bos_pending}));

  // The staff see every question (archived ones too) and every poll but the archived.
  store.set_names_to_moderators(event_id, true);
  auto m = env(mona);
  auto staff = snapshot(store, m, 280);
  EXPECT_EQ(ids_of(staff.at("questions")),
            (std::vector<std::string>{public_q, annas_pending, bos_pending, annas_rejected, archived}));
  EXPECT_EQ(ids_of(staff.at("polls")), (std::vector<std::string>{draft, open}));
  EXPECT_EQ(staff.at("my_votes"), boost::json::array{});
  EXPECT_EQ(staff.at("settings").at("names_to_moderators"), true);
  EXPECT_EQ(staff.at("settings").at("question_max_chars"), 280);
}

TEST_F(qa_test, SnapshotOfAnotherRoomIsEmpty) {
  ask_as(anna, "Här");
  auto e = env(anna, other_room);
  auto s = snapshot(store, e, 300);
  EXPECT_TRUE(s.at("questions").as_array().empty());
  EXPECT_TRUE(s.at("polls").as_array().empty());
  EXPECT_EQ(s.at("settings").at("premoderated"), false);
}

TEST_F(qa_test, StaffSeeAnonymousNamesOnlyWhenTheEventSaysSo) {
  ask_args a;
  a.anonymous = true;
  auto id = ask_as(anna, "Anonym", a);
  auto m = env(mona);
  auto hidden = snapshot(store, m, 300).at("questions").at(0);
  EXPECT_TRUE(hidden.at("author").is_null());
  store.set_names_to_moderators(event_id, true);
  EXPECT_EQ(snapshot(store, m, 300).at("questions").at(0).at("author").at("id"), S(anna.id));
  // The entries of a later action follow the setting too; the audience never sees the name.
  auto out = act_as(mona, id, question_action::pin);
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(json(out.entries[0].staff_json).at("question").at("author").at("name"), S(anna.name));
  EXPECT_TRUE(json(out.entries[0].everyone_json).at("question").at("author").is_null());
  EXPECT_EQ(json(out.entries[0].owner_json).at("question").at("author").at("id"), S(anna.id));
}

}  // namespace
}  // namespace samling::qa::testing
