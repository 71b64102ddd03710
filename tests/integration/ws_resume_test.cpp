// Resume (docs/protocol.md, Resume rules): a client that was away gets exactly what it missed;
// one that was away too long is told so; acknowledged messages survive SIGKILL.
#include <gtest/gtest.h>

#include <signal.h>

#include <deque>
#include <map>
#include <set>
#include <thread>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

// Many posts from one user, quickly: the rate limit is not what these tests are about.
const std::string fast_posting = "[rooms]\nrate_burst = 1000\nrate_per_minute = 60000\n";

server_process::options chat_server(const std::string& rooms_toml, const temp_dir* dir = nullptr) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = fast_posting + rooms_toml;
  o.dir = dir;
  return o;
}

void enter(ws_client& c, std::uint16_t port, const std::string& sub, const std::string& name) {
  ASSERT_TRUE(c.connect(port)) << c.error() << " (HTTP " << c.handshake_status() << " "
                               << c.handshake_body() << ")";
  auto h = c.hello(ws::event_id, ws::token(sub, name));
  ASSERT_TRUE(is_ack(h)) << str(h);
}

TEST(ws_resume, a_client_that_missed_100_messages_gets_exactly_those_in_order) {
  server_process server(chat_server(""));
  const auto main = ws::room("main");
  ws_client writer;
  ASSERT_NO_FATAL_FAILURE(enter(writer, server.port(), "u-writer", "Writer"));
  ASSERT_TRUE(is_ack(writer.join(main)));

  auto reader = std::make_unique<ws_client>();
  ASSERT_NO_FATAL_FAILURE(enter(*reader, server.port(), "u-reader", "Reader"));
  ASSERT_TRUE(is_ack(reader->join(main)));
  std::int64_t last_seen = 0;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(is_ack(writer.post(main, "before " + std::to_string(i))));
  for (int i = 0; i < 5; ++i) {
    auto m = reader->next_event("message");
    ASSERT_TRUE(m);
    EXPECT_EQ(int_field(m, "seq"), last_seen + 1);
    last_seen = int_field(m, "seq");
  }
  ASSERT_EQ(last_seen, 5);

  // The reader's connection drops (no closing handshake, as when a phone loses its network).
  reader.reset();
  std::map<std::int64_t, std::string> missed;
  for (int i = 0; i < 100; ++i) {
    auto text = "missed " + std::to_string(i);
    auto p = writer.post(main, text);
    ASSERT_TRUE(is_ack(p)) << "post " << i << ": " << str(p);
    missed[int_field(p, "result.seq")] = text;
  }
  ASSERT_EQ(missed.size(), 100u);
  ASSERT_EQ(missed.begin()->first, 6);
  ASSERT_EQ(missed.rbegin()->first, 105);

  // Back: hello again, then join with since.
  ws_client back;
  ASSERT_NO_FATAL_FAILURE(enter(back, server.port(), "u-reader", "Reader"));
  auto j = back.join(main, static_cast<std::uint64_t>(last_seen));
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.seq"), 105) << "the room's latest seq";
  auto got = ws::messages_of(j);
  ASSERT_EQ(got.size(), 100u) << "expected exactly the 100 missed messages";
  std::set<std::int64_t> seqs;
  for (std::size_t i = 0; i < got.size(); ++i) {
    auto seq = int_field(got[i], "seq");
    EXPECT_EQ(seq, 6 + static_cast<std::int64_t>(i)) << "out of order or a gap at " << i;
    EXPECT_TRUE(seqs.insert(seq).second) << "seq " << seq << " twice";
    EXPECT_EQ(string_field(got[i], "text"), missed[seq]);
    EXPECT_EQ(string_field(got[i], "type"), "message");
    EXPECT_EQ(string_field(got[i], "room"), main);
    EXPECT_EQ(string_field(got[i], "user.id"), "u-writer");
  }
  // Nothing of what it got in the join arrives again as an event; what comes next is newer.
  auto p = writer.post(main, "after the resume");
  ASSERT_TRUE(is_ack(p));
  auto next = back.next_event("message");
  ASSERT_TRUE(next);
  EXPECT_EQ(int_field(next, "seq"), 106) << str(next);
  EXPECT_EQ(string_field(next, "text"), "after the resume");

  // Joining again with the latest seq: nothing missed, and the session is not counted twice.
  auto again = back.join(main, 106);
  ASSERT_TRUE(is_ack(again)) << str(again);
  EXPECT_TRUE(ws::messages_of(again).empty()) << str(again);
  EXPECT_EQ(int_field(again, "result.count"), int_field(j, "result.count"));
  EXPECT_TRUE(back.bad_frames().empty());
}

TEST(ws_resume, a_since_older_than_the_resume_window_gets_too_far_behind) {
  server_process server(chat_server("resume_window = 10\n"));
  const auto main = ws::room("main");
  ws_client writer;
  ASSERT_NO_FATAL_FAILURE(enter(writer, server.port(), "u-writer", "Writer"));
  ASSERT_TRUE(is_ack(writer.join(main)));
  for (int i = 1; i <= 30; ++i) ASSERT_TRUE(is_ack(writer.post(main, "m" + std::to_string(i))));

  ws_client late;
  ASSERT_NO_FATAL_FAILURE(enter(late, server.port(), "u-late", "Late"));
  auto j = late.join(main, 5);
  EXPECT_EQ(outcome(j), "too_far_behind") << str(j);
  EXPECT_FALSE(field(j, "message").is_null()) << "errors carry a message: " << str(j);

  // Within the window (the last 10 messages, 21..30) a resume still works...
  j = late.join(main, 20);
  ASSERT_TRUE(is_ack(j)) << str(j);
  auto got = ws::messages_of(j);
  ASSERT_EQ(got.size(), 10u) << str(j);
  EXPECT_EQ(int_field(got.front(), "seq"), 21);
  EXPECT_EQ(int_field(got.back(), "seq"), 30);
  // ...and the advice for too_far_behind (join without since) works too.
  j = late.join(main);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.seq"), 30);
}

TEST(ws_resume, a_join_while_posts_are_being_stored_answers_consistently_with_its_seq) {
  // The resume rules: the join reply holds exactly the messages after `since` up to the
  // reply's `seq`, and events after the reply have a higher seq. A client takes its highest
  // seen seq from the reply, so a reply `seq` that counts a message not yet in `messages`
  // (still being stored) makes a later resume skip that message for good.
  server_process server(chat_server(""));
  const auto main = ws::room("main");
  ws_client writer, joiner;
  ASSERT_NO_FATAL_FAILURE(enter(writer, server.port(), "u-writer", "Writer"));
  ASSERT_NO_FATAL_FAILURE(enter(joiner, server.port(), "u-joiner", "Joiner"));
  ASSERT_TRUE(is_ack(writer.join(main)));
  constexpr int n = 600;
  std::string writer_problem;
  std::thread posting([&] {
    std::deque<std::string> pending;
    for (int i = 0; i < n && writer_problem.empty(); ++i) {
      auto id = writer.next_id();
      if (!writer.send({{"id", id}, {"type", "post"}, {"room", main}, {"text", "burst " + std::to_string(i)},
                        {"client_msg_id", "b-" + std::to_string(i)}})) {
        writer_problem = "send: " + writer.error();
        break;
      }
      pending.push_back(id);
      while (pending.size() >= 16 || (i == n - 1 && !pending.empty())) {
        auto ack = writer.next_reply(json::value(pending.front()), 20s);
        pending.pop_front();
        if (!is_ack(ack)) {
          writer_problem = str(ack);
          break;
        }
        writer.take_events();
      }
    }
  });
  // Meanwhile: join (again) with since = the last seq this client has; every reply must carry
  // since+1 .. seq, nothing more, nothing less.
  std::int64_t since = 0;
  int joins = 0, inconsistent = 0;
  std::string first_problem;
  const auto end = std::chrono::steady_clock::now() + 60s;
  while (since < n && std::chrono::steady_clock::now() < end) {
    auto j = joiner.join(main, static_cast<std::uint64_t>(since));
    ASSERT_TRUE(is_ack(j)) << str(j);
    ++joins;
    auto seq = int_field(j, "result.seq");
    auto got = ws::messages_of(j);
    bool ok = seq >= since && got.size() == static_cast<std::size_t>(seq - since);
    for (std::size_t i = 0; ok && i < got.size(); ++i)
      ok = int_field(got[i], "seq") == since + 1 + static_cast<std::int64_t>(i);
    if (!ok && inconsistent++ == 0) {
      first_problem = "join since " + std::to_string(since) + " answered seq " + std::to_string(seq) +
                      " with " + std::to_string(got.size()) + " messages";
      if (!got.empty())
        first_problem += " (" + std::to_string(int_field(got.front(), "seq")) + ".." +
                         std::to_string(int_field(got.back(), "seq")) + ")";
    }
    since = seq;
    joiner.take_events();
  }
  posting.join();
  EXPECT_EQ(writer_problem, "");
  EXPECT_EQ(since, n) << "the joiner never caught up";
  EXPECT_EQ(inconsistent, 0) << inconsistent << " of " << joins
                             << " join replies disagree with their own seq; first: " << first_problem;
}

TEST(ws_resume, every_acknowledged_message_survives_sigkill) {
  temp_dir dir;
  const auto main = ws::room("main");
  constexpr int n = 300;
  std::map<std::int64_t, std::string> acked;
  {
    server_process server(chat_server("history = 500\n", &dir));
    ws_client writer;
    ASSERT_NO_FATAL_FAILURE(enter(writer, server.port(), "u-writer", "Writer"));
    ASSERT_TRUE(is_ack(writer.join(main)));
    // Pipelined, up to 32 posts unanswered, so some are being stored while others are
    // acknowledged. (Not all 300 at once: a client that sends that much without reading what
    // comes back, an ack and an event per post, passes its send queue's bound of 256 frames on
    // a busy machine and is rightly closed as a slow consumer.)
    std::deque<std::pair<std::string, std::string>> pending;  // id, text
    auto take_ack = [&] {
      auto [id, text] = pending.front();
      pending.pop_front();
      auto ack = writer.next_reply(json::value(id), 20s);
      EXPECT_TRUE(is_ack(ack)) << str(ack) << "; ended " << writer.ended() << ", close code "
                               << writer.close_code().value_or(-1);
      if (is_ack(ack)) acked[int_field(ack, "result.seq")] = text;
      writer.take_events();
      return is_ack(ack);
    };
    for (int i = 0; i < n; ++i) {
      auto id = writer.next_id();
      auto text = "durable " + std::to_string(i);
      ASSERT_TRUE(writer.send({{"id", id}, {"type", "post"}, {"room", main}, {"text", text},
                               {"client_msg_id", "d-" + std::to_string(i)}}));
      pending.emplace_back(id, text);
      if (pending.size() >= 32) {
        ASSERT_TRUE(take_ack());
      }
    }
    while (!pending.empty()) ASSERT_TRUE(take_ack());
    server.signal(SIGKILL);  // at once: no chance to flush anything not already durable
    EXPECT_EQ(server.wait_exit(5s), 128 + SIGKILL);
  }
  ASSERT_EQ(acked.size(), static_cast<std::size_t>(n)) << "seqs must be distinct";

  server_process restarted(chat_server("history = 500\n", &dir));
  for (auto since : {std::optional<std::uint64_t>{}, std::optional<std::uint64_t>{0}}) {
    auto j = ws::fresh_join(restarted.port(), main, since);
    ASSERT_TRUE(is_ack(j)) << str(j);
    std::map<std::int64_t, std::string> stored;
    for (auto& m : ws::messages_of(j)) stored[int_field(m, "seq")] = string_field(m, "text");
    for (auto& [seq, text] : acked) {
      auto it = stored.find(seq);
      ASSERT_NE(it, stored.end()) << "acknowledged seq " << seq << " lost (since "
                                  << (since ? std::to_string(*since) : "absent") << ")";
      EXPECT_EQ(it->second, text);
    }
    EXPECT_EQ(int_field(j, "result.seq"), acked.rbegin()->first);
  }
  // The room goes on from where it was: the next seq follows the last stored one.
  ws_client writer;
  ASSERT_NO_FATAL_FAILURE(enter(writer, restarted.port(), "u-writer", "Writer"));
  ASSERT_TRUE(is_ack(writer.join(main)));
  auto p = writer.post(main, "after the restart");
  ASSERT_TRUE(is_ack(p)) << str(p);
  EXPECT_EQ(int_field(p, "result.seq"), acked.rbegin()->first + 1);
  // A retry of an acknowledged post after the crash is still recognised.
  auto retry = writer.post(main, "durable 0", "d-0");
  ASSERT_TRUE(is_ack(retry)) << str(retry);
  EXPECT_EQ(field(retry, "result.duplicate"), true) << str(retry);
  EXPECT_EQ(int_field(retry, "result.seq"), acked.begin()->first);
}

}  // namespace
