// The room's one log over the real protocol (docs/protocol.md, "Q&A, polls and moderation",
// Resume rules): a client that was away gets exactly the Q&A, vote, poll and moderation
// entries it missed with `join` `since` (in seq order, none twice, one counter with the chat),
// a moderator who reconnects sees the same queue, and a vote storm reaches the audience
// coalesced (at most 4 `votes` events a second per room) with every vote counted.
#include <gtest/gtest.h>

#include <set>

#include "ws_qa_support.hpp"

using namespace samling::testing;
using namespace samling::testing::qa;

namespace {

std::vector<json::object> events_of(const reply& join) {
  std::vector<json::object> out;
  auto v = field(join, "result.events");
  if (v.is_array())
    for (auto& e : v.as_array()) out.push_back(e.as_object());
  return out;
}

TEST(ws_qa_resume, a_client_back_from_away_gets_exactly_the_entries_it_missed) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto bo = signed_in(server, "u-bo", "attendee");
  ASSERT_TRUE(mod && bo);
  auto first = question_id(ask(*mod, "Före frånvaron"));
  ASSERT_FALSE(first.empty());

  std::uint64_t seen = 0;
  {
    auto anna = signed_in(server, "u-anna", "attendee", {});
    ASSERT_TRUE(anna);
    auto j = anna->join(ws::room("main"));
    ASSERT_TRUE(is_ack(j)) << str(j);
    seen = static_cast<std::uint64_t>(int_field(j, "result.seq"));
    // The snapshot has the question; with no since, no events.
    EXPECT_TRUE(events_of(j).empty()) << str(j);
    auto qs = field(j, "result.qa.questions");
    ASSERT_TRUE(qs.is_array()) << str(j);
    ASSERT_EQ(qs.as_array().size(), 1u) << str(j);
  }  // Anna's connection drops here.

  // While she is away: a question, a vote, a pin, a chat message and its deletion, a poll.
  auto second = question_id(ask(*bo, "Under frånvaron"));
  ASSERT_TRUE(is_ack(vote(*bo, first)));
  ASSERT_TRUE(is_ack(act(*mod, second, "pin")));
  auto posted = bo->post(ws::room("main"), "Ett meddelande");
  ASSERT_TRUE(is_ack(posted));
  auto deleted_seq = int_field(posted, "result.seq");
  ASSERT_TRUE(is_ack(moderate(*mod, "delete_message", {{"seq", deleted_seq}})));
  auto poll = poll_id(poll_create(*mod, "Fortsätter vi?", {"Ja", "Nej"}));
  ASSERT_TRUE(is_ack(poll_act(*mod, poll, "open")));
  // The vote's coalesced count has been written to the log before Anna comes back.
  ASSERT_TRUE(mod->next_event("votes", 3s));

  auto anna = signed_in(server, "u-anna", "attendee", {});
  ASSERT_TRUE(anna);
  auto j = anna->join(ws::room("main"), seen);
  ASSERT_TRUE(is_ack(j)) << str(j);
  auto events = events_of(j);
  std::set<std::string> types;
  std::uint64_t last = seen;
  for (auto& e : events) {
    auto seq = static_cast<std::uint64_t>(int_field(e, "seq"));
    EXPECT_GT(seq, last) << "not in seq order or twice: " << str(e);
    last = seq;
    types.insert(string_field(e, "type"));
  }
  for (auto t : {"question", "votes", "message_deleted", "poll"}) EXPECT_TRUE(types.count(t)) << t << ": " << str(j);
  EXPECT_FALSE(types.count("moderation")) << "a deletion's moderation entry is for staff only: " << str(j);
  // The deleted message is not in her history, and the deletion names it.
  for (auto& m : ws::messages_of(j)) EXPECT_NE(int_field(m, "seq"), deleted_seq) << str(m);
  bool named = false;
  for (auto& e : events)
    if (string_field(e, "type") == "message_deleted") named = int_field(e, "deleted_seq") == deleted_seq;
  EXPECT_TRUE(named) << str(j);
  EXPECT_LE(last, static_cast<std::uint64_t>(int_field(j, "result.seq")));
  // Her snapshot agrees: the pinned question, the vote, the open poll.
  auto qs = field(j, "result.qa.questions");
  ASSERT_TRUE(qs.is_array());
  bool pinned = false, counted = false;
  for (auto& q : qs.as_array()) {
    if (string_field(q.as_object(), "id") == second) pinned = field(q.as_object(), "pinned") == json::value(true);
    if (string_field(q.as_object(), "id") == first) counted = int_field(q.as_object(), "votes") == 1;
  }
  EXPECT_TRUE(pinned && counted) << str(j);
  auto polls = field(j, "result.qa.polls");
  ASSERT_TRUE(polls.is_array());
  EXPECT_EQ(polls.as_array().size(), 1u) << str(j);
  // Once more with the same since: the same entries (a resume is repeatable).
  auto again = anna->join(ws::room("main"), seen);
  EXPECT_EQ(events_of(again).size(), events.size()) << str(again);
}

TEST(ws_qa_resume, a_moderator_who_reconnects_sees_the_same_queue) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto anna = signed_in(server, "u-anna", "attendee");
  ASSERT_TRUE(mod && anna);
  ASSERT_TRUE(is_ack(moderate(*mod, "premoderation", {{"on", true}})));
  auto pending = question_id(ask(*anna, "Väntar på godkännande", {{"anonymous", true}}));
  ASSERT_FALSE(pending.empty());
  // The audience does not see it; a reconnecting moderator does, in the queue.
  auto bo = signed_in(server, "u-bo", "attendee", {});
  ASSERT_TRUE(bo);
  auto audience = bo->join(ws::room("main"));
  auto qs = field(audience, "result.qa.questions");
  ASSERT_TRUE(qs.is_array()) << str(audience);
  EXPECT_TRUE(qs.as_array().empty()) << str(audience);
  EXPECT_EQ(field(audience, "result.qa.settings.premoderated"), json::value(true)) << str(audience);
  EXPECT_TRUE(field(audience, "result.qa.moderation").is_null()) << "moderation is for staff: " << str(audience);
  auto mod2 = signed_in(server, "u-mod", "moderator", {});
  ASSERT_TRUE(mod2);
  auto queue = mod2->join(ws::room("main"));
  auto staff = field(queue, "result.qa.questions");
  ASSERT_TRUE(staff.is_array()) << str(queue);
  ASSERT_EQ(staff.as_array().size(), 1u) << str(queue);
  EXPECT_EQ(string_field(staff.as_array()[0].as_object(), "status"), "pending");
  // Anonymous, and names_to_moderators is off: no name for staff either.
  EXPECT_TRUE(field(staff.as_array()[0].as_object(), "author").is_null()) << str(queue);
  EXPECT_TRUE(field(queue, "result.qa.moderation").is_object()) << str(queue);
  // The asker sees their own pending question, as theirs.
  auto own = anna->join(ws::room("main"));
  auto mine = field(own, "result.qa.questions");
  ASSERT_TRUE(mine.is_array() && mine.as_array().size() == 1u) << str(own);
  EXPECT_EQ(field(mine.as_array()[0].as_object(), "mine"), json::value(true)) << str(own);
}

TEST(ws_qa_resume, a_vote_storm_reaches_the_audience_coalesced_and_every_vote_counts) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto watcher = signed_in(server, "u-watcher", "attendee");
  ASSERT_TRUE(mod && watcher);
  auto q = question_id(ask(*mod, "Rösta!"));
  ASSERT_FALSE(q.empty());
  watcher->take_events();
  constexpr int voters = 40;
  std::vector<std::unique_ptr<ws_client>> clients;
  for (int i = 0; i < voters; ++i) {
    clients.push_back(signed_in(server, "u-v" + std::to_string(i), "attendee"));
    ASSERT_TRUE(clients.back());
  }
  // Every voter sends without waiting; then every ack is read.
  std::vector<std::string> ids;
  for (auto& c : clients) {
    ids.push_back(c->next_id());
    ASSERT_TRUE(c->send({{"id", ids.back()}, {"type", "vote"}, {"room", ws::room("main")}, {"question", q}}));
  }
  for (std::size_t i = 0; i < clients.size(); ++i) ASSERT_TRUE(is_ack(clients[i]->next_reply(json::value(ids[i]))));
  // The watcher's `votes` events until the count is final.
  std::vector<ws_frame> got;
  ASSERT_TRUE(watcher->wait_until(
      [&](const std::vector<ws_frame>& frames) {
        for (auto& f : frames) {
          if (f.type() != "votes") continue;
          auto qs = field(f.body, "questions");
          if (!qs.is_array()) continue;
          for (auto& e : qs.as_array())
            if (e.is_object() && int_field(e.as_object(), "votes") == voters) return true;
        }
        return false;
      },
      10s));
  auto frames = watcher->read_all_frames(300ms);
  // The server's own times of the entries (the client reads in bursts: arrival times are not
  // the server's pace).
  std::vector<std::int64_t> ts;
  for (auto& f : frames)
    if (f.type() == "votes") ts.push_back(int_field(f.body, "ts"));
  ASSERT_FALSE(ts.empty());
  // At most 4 a second: consecutive entries at least 250 ms apart (a few ms of slack for the
  // clock's rounding), and far fewer events than votes.
  for (std::size_t i = 1; i < ts.size(); ++i) EXPECT_GE(ts[i] - ts[i - 1], 240) << "votes events " << i - 1 << ", " << i;
  EXPECT_LT(ts.size(), static_cast<std::size_t>(voters) / 2);
  // The count is exact.
  auto fresh = signed_in(server, "u-late", "attendee", {});
  ASSERT_TRUE(fresh);
  auto j = fresh->join(ws::room("main"));
  auto qs = field(j, "result.qa.questions");
  ASSERT_TRUE(qs.is_array() && qs.as_array().size() == 1u) << str(j);
  EXPECT_EQ(int_field(qs.as_array()[0].as_object(), "votes"), voters);
}

}  // namespace
