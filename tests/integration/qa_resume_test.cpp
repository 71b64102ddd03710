// One log per room (issue 17; docs/protocol.md, "Resume rules" and "Q&A and polls"): questions,
// votes, polls and moderation take seqs from the room's counter like chat messages, so a client
// that was away gets exactly what it missed of all of them from `join` with `since`, once, in seq
// order, with no gap but the entries its view does not show; and a moderator who reconnects
// sees the same queue as one who comes fresh.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::string main_room = ws::room("main");

server_process::options resume_server() {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[rooms]\nrate_burst = 1000\nrate_per_minute = 60000\n";
  return o;
}

void enter(ws_client& c, std::uint16_t port, const std::string& sub, const std::string& role = "attendee") {
  ASSERT_TRUE(c.connect(port)) << c.error() << " (HTTP " << c.handshake_status() << " " << c.handshake_body()
                               << ")";
  auto h = c.hello(ws::event_id, ws::token(sub, "Resume " + sub, role));
  ASSERT_TRUE(is_ack(h)) << str(h);
}

// An ack, or a failed expectation naming the request.
json::object ok(ws_client& c, json::object req) {
  auto what = str(req);
  auto r = c.request(std::move(req));
  EXPECT_TRUE(is_ack(r)) << what << " -> " << str(r);
  return r ? *r : json::object{};
}

std::int64_t seq_of(const json::object& o) { return int_field(o, "seq"); }

// The room's events with a seq (messages and log entries) among `events`.
std::vector<json::object> sequenced(const std::vector<json::object>& events) {
  std::vector<json::object> out;
  for (auto& e : events)
    if (string_field(e, "room") == main_room && seq_of(e) > 0) out.push_back(e);
  return out;
}

std::int64_t max_seq(const std::vector<json::object>& events, std::int64_t start = 0) {
  for (auto& e : events) start = std::max(start, seq_of(e));
  return start;
}

std::string list(const std::vector<json::object>& events) {
  std::string out;
  for (auto& e : events) out += "  " + std::to_string(seq_of(e)) + " " + string_field(e, "type") + "\n";
  return out;
}

// Waits until `c` has an event of `type` for which `pred` holds (without taking it).
bool sees(ws_client& c, std::string_view type, const std::function<bool(const json::object&)>& pred,
          std::chrono::milliseconds deadline = 10s) {
  return c.wait_until(
      [&](const std::vector<ws_frame>& frames) {
        return std::any_of(frames.begin(), frames.end(),
                           [&](const ws_frame& f) { return f.type() == type && pred(f.body); });
      },
      deadline);
}

// The counts of a `votes` event include question `q` at `n`.
std::function<bool(const json::object&)> votes_at(const std::string& q, std::int64_t n) {
  return [q, n](const json::object& e) {
    auto qs = field(e, "questions");
    if (!qs.is_array()) return false;
    return std::any_of(qs.as_array().begin(), qs.as_array().end(), [&](const json::value& v) {
      return v.is_object() && string_field(v.as_object(), "id") == q && int_field(v.as_object(), "votes") == n;
    });
  };
}

}  // namespace

TEST(qa_resume, a_client_that_was_away_gets_every_missed_entry_once_in_order_and_a_moderator_the_same_queue) {
  server_process server(resume_server());
  ws_client asker, b, c, observer;
  auto mod = std::make_unique<ws_client>();
  auto leaver = std::make_unique<ws_client>();
  ASSERT_NO_FATAL_FAILURE(enter(*mod, server.port(), "u-res-mod", "moderator"));
  ASSERT_NO_FATAL_FAILURE(enter(asker, server.port(), "u-res-asker"));
  ASSERT_NO_FATAL_FAILURE(enter(b, server.port(), "u-res-b"));
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-res-c"));
  ASSERT_NO_FATAL_FAILURE(enter(observer, server.port(), "u-res-observer"));
  ASSERT_NO_FATAL_FAILURE(enter(*leaver, server.port(), "u-res-leaver"));
  for (auto* cl : {mod.get(), &asker, &b, &c, &observer, leaver.get()}) ASSERT_TRUE(is_ack(cl->join(main_room)));

  // Something before the leaver goes: a message and a question it sees live.
  ok(asker, {{"type", "post"}, {"room", main_room}, {"text", "Hej innan"}, {"client_msg_id", ws::unique("m")}});
  auto q0 = ok(asker, {{"type", "ask"}, {"room", main_room}, {"text", "Första frågan?"}, {"client_msg_id", ws::unique("q")}});
  auto q0_id = string_field(q0, "result.question.id");
  ASSERT_TRUE(sees(*leaver, "question", [&](auto& e) { return string_field(e, "question.id") == q0_id; }));
  const auto since = max_seq(sequenced(leaver->take_events()));
  ASSERT_GE(since, 2);
  leaver.reset();  // the connection drops without a closing handshake (a phone losing its network)

  // While it is away: questions, coalesced votes, moderation, a deleted message, a poll.
  auto q1 = string_field(ok(asker, {{"type", "ask"}, {"room", main_room}, {"text", "Hur går det med budgeten?"},
                                    {"client_msg_id", ws::unique("q")}}),
                         "result.question.id");
  auto q2 = string_field(ok(asker, {{"type", "ask"}, {"room", main_room}, {"text", "En anonym fråga"},
                                    {"client_msg_id", ws::unique("q")}, {"anonymous", true}}),
                         "result.question.id");
  ok(b, {{"type", "vote"}, {"room", main_room}, {"question", q1}});
  ok(c, {{"type", "vote"}, {"room", main_room}, {"question", q1}});
  ok(b, {{"type", "vote"}, {"room", main_room}, {"question", q2}});
  ok(*mod, {{"type", "moderate"}, {"room", main_room}, {"action", "premoderation"}, {"on", true}});
  auto q3 = ok(asker, {{"type", "ask"}, {"room", main_room}, {"text", "Väntar på godkännande"},
                       {"client_msg_id", ws::unique("q")}});
  EXPECT_EQ(string_field(q3, "result.question.status"), "pending") << str(q3);
  auto q3_id = string_field(q3, "result.question.id");
  ok(*mod, {{"type", "question"}, {"room", main_room}, {"question", q3_id}, {"action", "reject"}, {"reason", "Utanför ämnet"}});
  ok(*mod, {{"type", "question"}, {"room", main_room}, {"question", q1}, {"action", "pin"}});
  auto doomed = ok(asker, {{"type", "post"}, {"room", main_room}, {"text", "Det här tas bort"}, {"client_msg_id", ws::unique("m")}});
  auto doomed_seq = int_field(doomed, "result.seq");
  ok(*mod, {{"type", "moderate"}, {"room", main_room}, {"action", "delete_message"}, {"seq", doomed_seq}, {"reason", "Spam"}});
  ok(asker, {{"type", "post"}, {"room", main_room}, {"text", "Det här stannar"}, {"client_msg_id", ws::unique("m")}});
  auto poll = ok(*mod, {{"type", "poll_create"}, {"room", main_room}, {"text", "Kaffe eller te?"}, {"kind", "single"},
                       {"options", json::array{"Kaffe", "Te"}}});
  auto poll_id = string_field(poll, "result.poll.id");
  ok(*mod, {{"type", "poll"}, {"room", main_room}, {"poll", poll_id}, {"action", "open"}});
  ok(b, {{"type", "poll_vote"}, {"room", main_room}, {"poll", poll_id}, {"choices", json::array{0}}});
  ok(c, {{"type", "poll_vote"}, {"room", main_room}, {"poll", poll_id}, {"choices", json::array{1}}});
  ok(*mod, {{"type", "moderate"}, {"room", main_room}, {"action", "mute"}, {"user", "u-res-c"}, {"seconds", 600}, {"reason", "Lugna ner dig"}});
  // The coalesced counts have gone out (their trailing edge too), then a last message.
  ASSERT_TRUE(sees(observer, "votes", votes_at(q1, 2)));
  ASSERT_TRUE(sees(observer, "votes", votes_at(q2, 1)));
  ASSERT_TRUE(sees(observer, "poll_results", [&](auto& e) {
    auto ps = field(e, "polls");
    return ps.is_array() && !ps.as_array().empty() && int_field(ps.as_array()[0].as_object(), "voters") == 2;
  }));
  auto last = ok(*mod, {{"type", "post"}, {"room", main_room}, {"text", "Slut"}, {"client_msg_id", ws::unique("m")}});
  auto end_seq = int_field(last, "result.seq");
  ASSERT_TRUE(sees(observer, "message", [&](auto& e) { return seq_of(e) == end_seq; }));
  ASSERT_TRUE(sees(*mod, "message", [&](auto& e) { return seq_of(e) == end_seq; }));

  // What an attendee who stayed saw after `since`, minus the deleted message: what the leaver
  // must get back, exactly.
  std::vector<json::object> stayed;
  std::set<std::int64_t> deleted;
  for (auto& e : sequenced(observer.take_events()))
    if (seq_of(e) > since) {
      stayed.push_back(e);
      if (string_field(e, "type") == "message_deleted") deleted.insert(int_field(e, "deleted_seq"));
    }
  EXPECT_EQ(deleted, std::set<std::int64_t>{doomed_seq});
  std::erase_if(stayed, [&](auto& e) { return string_field(e, "type") == "message" && deleted.count(seq_of(e)); });
  // A moderator sees every entry: the room's seqs are dense.
  auto staff = sequenced(mod->take_events());
  std::map<std::int64_t, json::object> staff_by_seq;
  for (auto& e : staff) {
    if (seq_of(e) <= since) continue;
    EXPECT_TRUE(staff_by_seq.emplace(seq_of(e), e).second) << "seq " << seq_of(e) << " twice";
  }
  for (auto s = since + 1; s <= end_seq; ++s) EXPECT_TRUE(staff_by_seq.count(s)) << "no entry with seq " << s << " for staff";

  // Back: hello, then join with since.
  ws_client back;
  ASSERT_NO_FATAL_FAILURE(enter(back, server.port(), "u-res-leaver"));
  auto j = back.join(main_room, static_cast<std::uint64_t>(since));
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.seq"), end_seq);
  auto messages = ws::messages_of(j);
  std::vector<json::object> events;
  if (auto ev = field(j, "result.events"); ev.is_array())
    for (auto& e : ev.as_array()) events.push_back(e.as_object());
  for (auto* part : {&messages, &events})
    for (std::size_t i = 1; i < part->size(); ++i)
      EXPECT_LT(seq_of((*part)[i - 1]), seq_of((*part)[i])) << "out of seq order:\n" << list(*part);
  std::vector<json::object> got = messages;
  got.insert(got.end(), events.begin(), events.end());
  std::sort(got.begin(), got.end(), [](auto& x, auto& y) { return seq_of(x) < seq_of(y); });
  ASSERT_EQ(got.size(), stayed.size()) << "got:\n" << list(got) << "an attendee who stayed saw:\n" << list(stayed);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(seq_of(got[i]), seq_of(stayed[i])) << i;
    EXPECT_EQ(string_field(got[i], "type"), string_field(stayed[i], "type")) << i;
    if (string_field(got[i], "type") == "message")
      EXPECT_EQ(string_field(got[i], "text"), string_field(stayed[i], "text")) << i;
    else
      EXPECT_EQ(str(got[i]), str(stayed[i])) << "the replayed entry differs from the live one";
  }
  // Its gaps are exactly the entries an attendee may not see: the pending and the rejected
  // question, the draft poll, the mute and the deletion's moderation entries (staff only), the
  // deleted message.
  std::set<std::int64_t> got_seqs;
  for (auto& e : got) got_seqs.insert(seq_of(e));
  for (auto& [s, e] : staff_by_seq) {
    if (got_seqs.count(s) || s > end_seq) continue;
    auto type = string_field(e, "type");
    bool hidden = (type == "question" && string_field(e, "question.id") == q3_id) ||
                  (type == "poll" && string_field(e, "poll.state") == "draft") ||
                  (type == "moderation" &&
                   (string_field(e, "action") == "mute" || string_field(e, "action") == "delete_message")) ||
                  (type == "message" && deleted.count(s));
    EXPECT_TRUE(hidden) << "seq " << s << " missing for the attendee: " << str(e);
  }
  // Nothing of the replay arrives again as an event; what comes next is newer.
  ok(asker, {{"type", "post"}, {"room", main_room}, {"text", "Efter"}, {"client_msg_id", ws::unique("m")}});
  auto next = back.next_event_if([](auto& e) { return seq_of(e) > 0; });
  ASSERT_TRUE(next);
  EXPECT_EQ(seq_of(*next), end_seq + 1) << str(next);

  // The moderator's connection drops; while it is away a question waits for approval and a vote
  // is taken back. Back with since, its queue equals a fresh moderator's.
  auto mod_since = max_seq(sequenced(mod->take_events()), end_seq);
  mod.reset();
  mod = std::make_unique<ws_client>();
  auto q4 = ok(asker, {{"type", "ask"}, {"room", main_room}, {"text", "Kommer det en paus?"}, {"client_msg_id", ws::unique("q")}});
  EXPECT_EQ(string_field(q4, "result.question.status"), "pending");
  auto q4_id = string_field(q4, "result.question.id");
  ok(b, {{"type", "vote"}, {"room", main_room}, {"question", q2}, {"up", false}});
  ASSERT_TRUE(sees(observer, "votes", votes_at(q2, 0)));

  ASSERT_NO_FATAL_FAILURE(enter(*mod, server.port(), "u-res-mod", "moderator"));
  auto mj = mod->join(main_room, static_cast<std::uint64_t>(mod_since));
  ASSERT_TRUE(is_ack(mj)) << str(mj);
  bool saw_q4 = false;
  if (auto ev = field(mj, "result.events"); ev.is_array())
    for (auto& e : ev.as_array())
      saw_q4 = saw_q4 || (string_field(e.as_object(), "type") == "question" &&
                          string_field(e.as_object(), "question.id") == q4_id &&
                          string_field(e.as_object(), "question.status") == "pending");
  EXPECT_TRUE(saw_q4) << "the resumed moderator's events lack the new pending question: " << str(mj);
  ws_client fresh;
  ASSERT_NO_FATAL_FAILURE(enter(fresh, server.port(), "u-res-mod-fresh", "moderator"));
  auto fj = fresh.join(main_room);
  ASSERT_TRUE(is_ack(fj)) << str(fj);
  auto resumed_qa = field(mj, "result.qa");
  auto fresh_qa = field(fj, "result.qa");
  ASSERT_TRUE(resumed_qa.is_object() && fresh_qa.is_object()) << str(mj) << "\n" << str(fj);
  for (auto key : {"questions", "polls", "settings", "moderation"})
    EXPECT_EQ(str(resumed_qa.as_object().at(key)), str(fresh_qa.as_object().at(key))) << key;
  // The queue itself: q4 pending, q3 rejected, q1 pinned.
  std::map<std::string, json::object> queue;
  for (auto& q : fresh_qa.at("questions").as_array()) queue[string_field(q.as_object(), "id")] = q.as_object();
  EXPECT_EQ(string_field(queue[q4_id], "status"), "pending");
  EXPECT_EQ(string_field(queue[q3_id], "status"), "rejected");
  EXPECT_EQ(field(queue[q1], "pinned"), json::value(true));
  EXPECT_EQ(int_field(queue[q1], "votes"), 2);
  EXPECT_EQ(int_field(queue[q2], "votes"), 0);
  EXPECT_TRUE(back.bad_frames().empty());
}
