// The poll ops (qa/ops.cpp) on a real sqlite_qa_store: creating, the state machine, votes
// (single, multiple, changed, taken back), hidden and revealed results, errors and audit.
#include <gtest/gtest.h>

#include "qa_fixture.hpp"

namespace samling::qa::testing {
namespace {

using core::errc;

TEST_F(qa_test, CreatePollMakesAStaffOnlyDraft) {
  poll_args a;
  a.text = "  Vilken dag passar? ";
  a.kind = poll_kind::multiple;
  a.options = {" Måndag", "Tisdag ", "Onsdag"};
  auto e = env(mona);
  auto out = create_poll(store, e, a);
  ASSERT_EQ(out.error, errc::ok) << out.message;
  auto p = result(out).at("poll").as_object();
  EXPECT_TRUE(p.at("id").as_string().starts_with("p-"));
  EXPECT_EQ(p.at("text"), "Vilken dag passar?");
  EXPECT_EQ(p.at("kind"), "multiple");
  EXPECT_EQ(p.at("state"), "draft");
  EXPECT_EQ(p.at("results"), "live");
  EXPECT_EQ(p.at("options"), (boost::json::array{boost::json::object{{"text", "Måndag"}, {"votes", 0}},
                                                 boost::json::object{{"text", "Tisdag"}, {"votes", 0}},
                                                 boost::json::object{{"text", "Onsdag"}, {"votes", 0}}}));
  EXPECT_EQ(p.at("voters"), 0);
  ASSERT_EQ(out.entries.size(), 1u);
  EXPECT_EQ(out.entries[0].type, "poll");
  EXPECT_TRUE(out.entries[0].everyone_json.empty());  // a draft is the staff's
  EXPECT_EQ(json(out.entries[0].staff_json).at("poll").at("state"), "draft");
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0].action, "poll_create");
  EXPECT_EQ(audits[0].target, std::string(p.at("id").as_string()));
  auto stored = store.find_poll(std::string(p.at("id").as_string()));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->options, (std::vector<std::string>{"Måndag", "Tisdag", "Onsdag"}));
  EXPECT_EQ(stored->created_by, mona.id);
}

TEST_F(qa_test, CreatePollRefusesWhatIsNotAPoll) {
  auto e = env(mona);
  auto refused = [&](std::string text, std::vector<std::string> options) {
    poll_args a;
    a.text = std::move(text);
    a.options = std::move(options);
    auto out = create_poll(store, e, a);
    EXPECT_TRUE(out.entries.empty());
    return out.error == errc::poll_invalid ? out.message : "not poll_invalid: " + std::string(core::code_name(out.error));
  };
  EXPECT_NE(refused("  ", {"a", "b"}).find("needs a question"), std::string::npos);
  EXPECT_NE(refused(std::string(301, 'x'), {"a", "b"}).find("300"), std::string::npos);
  EXPECT_NE(refused("Fråga", {"bara en"}).find("2 to 10"), std::string::npos);
  EXPECT_NE(refused("Fråga", std::vector<std::string>(11, "x")).find("2 to 10"), std::string::npos);
  EXPECT_NE(refused("Fråga", {"a", " "}).find("Option 2 is empty"), std::string::npos);
  EXPECT_NE(refused("Fråga", {"a", std::string(201, 'y')}).find("200"), std::string::npos);
  EXPECT_NE(refused("Fråga", {"Ja", "Nej", " ja "}).find("Options 1 and 3 are the same"), std::string::npos);
  EXPECT_NE(refused("Fråga", {"Å ja", "å  JA"}).find("the same"), std::string::npos);
  EXPECT_EQ(refused("Fråga", {"a", "b\x01"}).find("not poll_invalid"), std::string::npos);
  // 10 options of 200 characters are fine.
  std::vector<std::string> ten;
  for (int i = 0; i < 10; ++i) ten.push_back(std::string(199, 'x') + std::to_string(i));
  poll_args ok;
  ok.text = "Tio";
  ok.options = ten;
  EXPECT_EQ(create_poll(store, e, ok).error, errc::ok);
  EXPECT_TRUE(store.polls(main_room).size() == 1);
  auto attendee = env(anna);
  EXPECT_EQ(create_poll(store, attendee, ok).error, errc::forbidden);
}

TEST_F(qa_test, PollStateMachine) {
  auto id = create_poll_as(mona);
  EXPECT_EQ(poll_as(mona, id, poll_action::close).error, errc::poll_state);  // a draft
  auto open = poll_as(mona, id, poll_action::open);
  ASSERT_EQ(open.error, errc::ok);
  ASSERT_EQ(open.entries.size(), 1u);
  EXPECT_EQ(json(open.entries[0].everyone_json).at("poll").at("state"), "open");  // now public
  EXPECT_EQ(poll_as(mona, id, poll_action::open).error, errc::poll_state);
  EXPECT_EQ(poll_as(mona, id, poll_action::reveal).error, errc::poll_state);  // live: nothing to reveal
  ASSERT_EQ(poll_as(mona, id, poll_action::close).error, errc::ok);
  auto reopen = poll_as(mona, id, poll_action::open);
  EXPECT_EQ(reopen.error, errc::poll_state);
  EXPECT_NE(reopen.message.find("closed"), std::string::npos);
  auto archive = poll_as(olle, id, poll_action::archive);
  ASSERT_EQ(archive.error, errc::ok);
  EXPECT_EQ(json(archive.entries[0].everyone_json).at("poll").at("state"), "archived");  // to drop it
  EXPECT_EQ(poll_as(mona, id, poll_action::archive).error, errc::poll_state);
  EXPECT_EQ(poll_as(mona, id, poll_action::open).error, errc::poll_state);
  EXPECT_EQ(poll_as(mona, "p-000000000000", poll_action::open).error, errc::no_such_poll);
  EXPECT_EQ(poll_as(anna, id, poll_action::open).error, errc::forbidden);
  // A draft archived was never the audience's.
  auto draft = create_poll_as(mona);
  EXPECT_TRUE(poll_as(mona, draft, poll_action::archive).entries[0].everyone_json.empty());

  std::vector<std::string> actions;
  for (const auto& a : audits) actions.push_back(a.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"poll_create", "poll_open", "poll_close", "poll_archive",
                                                "poll_create", "poll_archive"}));
}

TEST_F(qa_test, SingleChoiceVotesChangeAndComeBack) {
  auto id = create_poll_as(mona);
  EXPECT_EQ(poll_vote_as(anna, id, {0}).error, errc::poll_closed);  // a draft
  ASSERT_EQ(poll_as(mona, id, poll_action::open).error, errc::ok);
  auto out = poll_vote_as(anna, id, {0});
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(result(out), (boost::json::object{{"room", main_room}, {"poll", id}, {"choices", boost::json::array{0}}}));
  EXPECT_TRUE(out.entries.empty());
  EXPECT_EQ(out.polls_changed, std::vector<std::string>{id});
  ASSERT_EQ(poll_vote_as(bo, id, {0}).error, errc::ok);
  EXPECT_EQ(store.find_poll(id)->counts, (std::vector<std::int64_t>{2, 0, 0}));
  // Anna changes her mind; the same vote again changes nothing.
  ASSERT_EQ(poll_vote_as(anna, id, {2}).error, errc::ok);
  EXPECT_EQ(store.find_poll(id)->counts, (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_TRUE(poll_vote_as(anna, id, {2}).polls_changed.empty());
  EXPECT_EQ(store.find_poll(id)->voters, 2);
  // [] takes it back.
  out = poll_vote_as(anna, id, {});
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(result(out).at("choices"), boost::json::array{});
  auto p = *store.find_poll(id);
  EXPECT_EQ(p.counts, (std::vector<std::int64_t>{1, 0, 0}));
  EXPECT_EQ(p.voters, 1);
  // Bad choices.
  EXPECT_EQ(poll_vote_as(anna, id, {0, 1}).error, errc::bad_choice);
  EXPECT_EQ(poll_vote_as(anna, id, {3}).error, errc::bad_choice);
  EXPECT_EQ(poll_vote_as(anna, id, {-1}).error, errc::bad_choice);
  EXPECT_EQ(store.find_poll(id)->voters, 1);
  // Closed: no more votes, none taken back.
  ASSERT_EQ(poll_as(mona, id, poll_action::close).error, errc::ok);
  EXPECT_EQ(poll_vote_as(bo, id, {1}).error, errc::poll_closed);
  EXPECT_EQ(poll_vote_as(bo, id, {}).error, errc::poll_closed);
  EXPECT_EQ(store.find_poll(id)->counts, (std::vector<std::int64_t>{1, 0, 0}));
}

TEST_F(qa_test, MultipleChoiceCountsEachOptionAndEachVoterOnce) {
  auto id = create_poll_as(mona, poll_kind::multiple);
  ASSERT_EQ(poll_as(mona, id, poll_action::open).error, errc::ok);
  auto out = poll_vote_as(anna, id, {2, 0});
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(result(out).at("choices"), (boost::json::array{0, 2}));  // sorted
  ASSERT_EQ(poll_vote_as(bo, id, {0, 1, 2}).error, errc::ok);
  auto p = *store.find_poll(id);
  EXPECT_EQ(p.counts, (std::vector<std::int64_t>{2, 1, 2}));
  EXPECT_EQ(p.voters, 2);
  EXPECT_EQ(poll_vote_as(cai, id, {1, 1}).error, errc::bad_choice);  // repeated
  EXPECT_EQ(store.poll_choices(id, anna.id), (std::vector<std::int64_t>{0, 2}));
  ASSERT_EQ(poll_vote_as(anna, id, {1}).error, errc::ok);
  EXPECT_EQ(store.find_poll(id)->counts, (std::vector<std::int64_t>{1, 2, 1}));
}

TEST_F(qa_test, PollVoteErrorsForOtherRoomsAndUnknownPolls) {
  EXPECT_EQ(poll_vote_as(anna, "p-000000000000", {0}).error, errc::no_such_poll);
  poll_args a;
  a.text = "Annat rum";
  a.options = {"a", "b"};
  auto other = env(mona, other_room);
  auto out = create_poll(store, other, a);
  auto id = std::string(result(out).at("poll").at("id").as_string());
  EXPECT_EQ(poll_vote_as(anna, id, {0}).error, errc::wrong_room);
  EXPECT_EQ(poll_as(mona, id, poll_action::open).error, errc::wrong_room);
}

TEST_F(qa_test, HiddenResultsAreNullForTheAudienceUntilRevealed) {
  auto id = create_poll_as(mona, poll_kind::single, true);
  auto open = poll_as(mona, id, poll_action::open);
  ASSERT_EQ(open.error, errc::ok);
  auto everyone = json(open.entries[0].everyone_json).at("poll").as_object();
  EXPECT_EQ(everyone.at("results"), "hidden");
  EXPECT_TRUE(everyone.at("voters").is_null());
  EXPECT_TRUE(everyone.at("options").at(0).at("votes").is_null());
  EXPECT_EQ(json(open.entries[0].staff_json).at("poll").at("voters"), 0);
  ASSERT_EQ(poll_vote_as(anna, id, {1}).error, errc::ok);

  // The tally: the staff see the counts, the audience nothing.
  auto e = env(rooms::chat_user{"", "", auth::role::organizer});
  auto t = tally(store, e, {}, {id});
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(t.entries[0].type, "poll_results");
  EXPECT_TRUE(t.entries[0].everyone_json.empty());
  EXPECT_EQ(json(t.entries[0].staff_json).at("polls"),
            (boost::json::array{boost::json::object{{"id", id}, {"counts", boost::json::array{0, 1, 0}}, {"voters", 1}}}));

  auto reveal = poll_as(mona, id, poll_action::reveal);
  ASSERT_EQ(reveal.error, errc::ok);
  everyone = json(reveal.entries[0].everyone_json).at("poll").as_object();
  EXPECT_EQ(everyone.at("results"), "revealed");
  EXPECT_EQ(everyone.at("voters"), 1);
  EXPECT_EQ(everyone.at("options").at(1).at("votes"), 1);
  t = tally(store, e, {}, {id});
  ASSERT_EQ(t.entries.size(), 1u);
  EXPECT_EQ(json(t.entries[0].everyone_json).at("polls").at(0).at("counts"), (boost::json::array{0, 1, 0}));

  ASSERT_EQ(poll_as(mona, id, poll_action::hide).error, errc::ok);
  EXPECT_EQ(poll_as(mona, id, poll_action::hide).error, errc::poll_state);
  EXPECT_TRUE(tally(store, e, {}, {id}).entries[0].everyone_json.empty());
}

TEST_F(qa_test, TallyPublishesVisibleCountsOnceEach) {
  store.set_premoderated(main_room, true);
  auto a = ask_as(mona, "A");
  auto b = ask_as(mona, "B");
  auto pending = ask_as(anna, "Väntar");
  ASSERT_EQ(vote_as(bo, a).error, errc::ok);
  ASSERT_EQ(vote_as(cai, a).error, errc::ok);
  ASSERT_EQ(vote_as(cai, b).error, errc::ok);
  ASSERT_EQ(act_as(mona, b, question_action::archive).error, errc::ok);
  auto e = env(rooms::chat_user{"", "", auth::role::organizer});
  const auto before = next_seq;
  auto t = tally(store, e, {a, b, a, pending, "q-000000000000"}, {});
  ASSERT_EQ(t.error, errc::ok);
  EXPECT_TRUE(t.result_json.empty());
  ASSERT_EQ(t.entries.size(), 1u);
  const auto& entry = t.entries[0];
  EXPECT_EQ(entry.type, "votes");
  EXPECT_EQ(entry.seq, before);
  EXPECT_TRUE(entry.staff_json.empty());  // the staff get the same
  auto votes = json(entry.everyone_json);
  EXPECT_EQ(votes.at("type"), "votes");
  EXPECT_EQ(votes.at("room"), S(main_room));
  EXPECT_EQ(votes.at("seq"), before);
  EXPECT_EQ(votes.at("questions"), (boost::json::array{boost::json::object{{"id", a}, {"votes", 2}}}));
  // Nothing to say: no entry, no seq.
  EXPECT_TRUE(tally(store, e, {b, pending}, {}).entries.empty());
  EXPECT_TRUE(tally(store, e, {}, {}).entries.empty());
  EXPECT_EQ(next_seq, before + 1);
  // Another room's question is not this room's count.
  auto other = env(rooms::chat_user{"", "", auth::role::organizer}, other_room);
  EXPECT_TRUE(tally(store, other, {a}, {}).entries.empty());
}

TEST_F(qa_test, TallyOfLivePollsReachesEveryone) {
  auto live = create_poll_as(mona);
  auto hidden = create_poll_as(mona, poll_kind::single, true);
  auto draft = create_poll_as(mona);
  ASSERT_EQ(poll_as(mona, live, poll_action::open).error, errc::ok);
  ASSERT_EQ(poll_as(mona, hidden, poll_action::open).error, errc::ok);
  ASSERT_EQ(poll_vote_as(anna, live, {0}).error, errc::ok);
  ASSERT_EQ(poll_vote_as(anna, hidden, {2}).error, errc::ok);
  auto e = env(rooms::chat_user{"", "", auth::role::organizer});
  auto t = tally(store, e, {}, {live, hidden, draft});
  ASSERT_EQ(t.entries.size(), 1u);
  auto staff = json(t.entries[0].staff_json).at("polls").as_array();
  ASSERT_EQ(staff.size(), 2u);  // not the draft
  EXPECT_EQ(staff[0].at("id"), S(live));
  EXPECT_EQ(staff[1].at("id"), S(hidden));
  auto everyone = json(t.entries[0].everyone_json).at("polls").as_array();
  ASSERT_EQ(everyone.size(), 1u);
  EXPECT_EQ(everyone[0], (boost::json::object{{"id", live}, {"counts", boost::json::array{1, 0, 0}}, {"voters", 1}}));
}

TEST_F(qa_test, PremoderationIsASettingWithAnEventForEveryone) {
  auto e = env(mona);
  auto out = set_premoderation(store, e, true);
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_TRUE(store.premoderated(main_room));
  EXPECT_FALSE(store.premoderated(other_room));
  EXPECT_EQ(result(out), (boost::json::object{{"room", main_room}, {"action", "premoderation"}, {"on", true}}));
  ASSERT_EQ(out.entries.size(), 1u);
  auto event = json(out.entries[0].everyone_json);
  EXPECT_EQ(event.at("type"), "moderation");
  EXPECT_EQ(event.at("action"), "premoderation");
  EXPECT_EQ(event.at("on"), true);
  EXPECT_TRUE(event.at("user").is_null());
  EXPECT_EQ(event.at("by"), (boost::json::object{{"id", mona.id}, {"name", mona.name}, {"role", "moderator"}}));
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0], (audit_record{mona.id, "premoderation_on", "room:main", ""}));
  ASSERT_EQ(set_premoderation(store, e, false).error, errc::ok);
  EXPECT_FALSE(store.premoderated(main_room));
  EXPECT_EQ(audits.back().action, "premoderation_off");
  auto attendee = env(anna);
  EXPECT_EQ(set_premoderation(store, attendee, true).error, errc::forbidden);
  EXPECT_FALSE(store.premoderated(main_room));
}

}  // namespace
}  // namespace samling::qa::testing
