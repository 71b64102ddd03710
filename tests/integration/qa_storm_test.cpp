// Vote bursts against the real server (issue 17; docs/protocol.md, "Q&A and polls"): every vote
// counted once when many clients vote at once, the audience's `votes` events coalesced (a
// leading edge, then at most one per 250 ms per room), every pipelined request answered exactly
// once, and a peer that vanishes in the middle of its burst leaves nothing behind in the server.
// The small brother of tests/bench/vote_storm.cpp (1,000 x 20 votes there).
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "harness.hpp"
#include "proc_usage.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

using clock_type = std::chrono::steady_clock;

const std::string main_room = ws::room("main");

// One user may send as many requests as the tests want (posting limits are not what this is about).
server_process::options storm_server() {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[rooms]\nrate_burst = 1000\nrate_per_minute = 60000\n";
  return o;
}

void enter(ws_client& c, std::uint16_t port, const std::string& sub, const std::string& role = "attendee") {
  ASSERT_TRUE(c.connect(port)) << c.error() << " (HTTP " << c.handshake_status() << " " << c.handshake_body()
                               << ")";
  auto h = c.hello(ws::event_id, ws::token(sub, "Storm " + sub, role));
  ASSERT_TRUE(is_ack(h)) << str(h);
  auto j = c.join(main_room);
  ASSERT_TRUE(is_ack(j)) << str(j);
}

// The moderator asks `n` questions (staff's questions are approved at once); their ids.
std::vector<std::string> ask_questions(ws_client& mod, int n, const std::string& tag) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    auto a = mod.request({{"type", "ask"},
                          {"room", main_room},
                          {"text", tag + " question " + std::to_string(i)},
                          {"client_msg_id", ws::unique(tag)}});
    EXPECT_TRUE(is_ack(a)) << str(a);
    EXPECT_EQ(string_field(a, "result.question.status"), "approved") << str(a);
    ids.push_back(string_field(a, "result.question.id"));
  }
  return ids;
}

// A vote request; without an id ws_client::request gives it one.
json::object vote(const std::string& id, const std::string& question, bool up = true) {
  json::object v{{"type", "vote"}, {"room", main_room}, {"question", question}, {"up", up}};
  if (!id.empty()) v["id"] = id;
  return v;
}

// The counts a `votes` event carries, by question id.
void apply_votes(const json::object& ev, std::map<std::string, std::int64_t>& seen) {
  auto qs = field(ev, "questions");
  if (!qs.is_array()) return;
  for (auto& q : qs.as_array())
    if (q.is_object()) seen[string_field(q.as_object(), "id")] = int_field(q.as_object(), "votes");
}

// The questions' counts in a fresh join's `qa` snapshot.
std::map<std::string, std::int64_t> snapshot_counts(std::uint16_t port) {
  std::map<std::string, std::int64_t> out;
  auto j = ws::fresh_join(port, main_room);
  auto qs = field(j, "result.qa.questions");
  if (!qs.is_array()) return out;
  for (auto& q : qs.as_array())
    if (q.is_object()) out[string_field(q.as_object(), "id")] = int_field(q.as_object(), "votes");
  return out;
}

struct voter_result {
  std::string problem;                          // empty: fine
  std::map<std::string, int> replies;           // per request id
  std::map<std::string, std::int64_t> ack_votes;  // per question: the count its ack reported
  std::map<std::string, std::int64_t> seen;     // the last counts from `votes` events
  int votes_events = 0;
  double elapsed_ms = 0;                        // from the burst to the last `votes` event
};

}  // namespace

TEST(qa_storm, fifty_clients_times_ten_questions_every_vote_counted_once_and_votes_events_coalesced) {
  server_process server(storm_server());
  constexpr int clients = 50, questions = 10;
  ws_client mod;
  ASSERT_NO_FATAL_FAILURE(enter(mod, server.port(), "u-storm-mod", "moderator"));
  auto qids = ask_questions(mod, questions, "burst");
  ASSERT_EQ(qids.size(), static_cast<std::size_t>(questions));

  std::vector<std::unique_ptr<ws_client>> voters;
  for (int i = 0; i < clients; ++i) {
    voters.push_back(std::make_unique<ws_client>());
    ASSERT_NO_FATAL_FAILURE(enter(*voters.back(), server.port(), "u-storm-" + std::to_string(i)));
    voters.back()->discard_buffered();  // presence and the like: only what follows the burst counts
  }

  // All at once: every client writes its ten votes in ONE TCP write (pipelined), then reads.
  std::vector<voter_result> results(clients);
  std::latch go(clients);
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      auto& c = *voters[static_cast<std::size_t>(i)];
      auto& res = results[static_cast<std::size_t>(i)];
      std::string burst;
      for (int q = 0; q < questions; ++q) burst += wire::text(vote("v" + std::to_string(q), qids[q]));
      go.arrive_and_wait();
      auto start = clock_type::now();
      if (!c.send_raw(burst)) {
        res.problem = "send: " + c.error();
        return;
      }
      // Until every vote is answered and the `votes` events show every question at `clients`.
      auto done = [&](const std::vector<ws_frame>& frames) {
        int replies = 0;
        std::map<std::string, std::int64_t> seen;
        for (auto& f : frames) {
          if (f.is_reply()) ++replies;
          else if (f.type() == "votes") apply_votes(f.body, seen);
        }
        if (replies < questions) return false;
        for (auto& id : qids)
          if (seen[id] != clients) return false;
        return true;
      };
      c.wait_until(done, 30s);
      // Then a quiet moment: a late extra reply or a late `votes` event would show here.
      auto frames = c.read_all_frames(300ms);
      for (auto& f : frames) {
        if (f.is_reply()) {
          auto id = string_field(f.body, "id");
          ++res.replies[id];
          if (f.type() != "ack") {
            res.problem = "vote " + id + ": " + str(f.body);
          } else {
            auto q = string_field(f.body, "result.question");
            res.ack_votes[q] = int_field(f.body, "result.votes");
            if (field(f.body, "result.voted") != json::value(true)) res.problem = "not voted: " + str(f.body);
          }
        } else if (f.type() == "votes") {
          ++res.votes_events;
          apply_votes(f.body, res.seen);
          res.elapsed_ms = std::chrono::duration<double, std::milli>(f.at - start).count();
        }
      }
    });
  }
  for (auto& t : threads) t.join();

  // Every vote answered exactly once, with an ack; the acks of one question report 1..50, each
  // once (votes are applied one at a time, so no two voters saw the same count).
  std::map<std::string, std::multiset<std::int64_t>> counts_in_acks;
  for (int i = 0; i < clients; ++i) {
    auto& res = results[static_cast<std::size_t>(i)];
    EXPECT_EQ(res.problem, "") << "client " << i;
    ASSERT_EQ(res.replies.size(), static_cast<std::size_t>(questions)) << "client " << i;
    for (auto& [id, n] : res.replies) EXPECT_EQ(n, 1) << "client " << i << ": request " << id << " answered " << n << "x";
    for (auto& [q, n] : res.ack_votes) counts_in_acks[q].insert(n);
    // Coalescing: a leading edge, then at most one per 250 ms, plus one at the trailing edge.
    auto bound = 1 + static_cast<int>(res.elapsed_ms / 250) + 1;
    EXPECT_LE(res.votes_events, bound) << "client " << i << " got " << res.votes_events << " votes events in "
                                       << res.elapsed_ms << " ms (one per vote would be "
                                       << clients * questions << ")";
    EXPECT_GE(res.votes_events, 1) << "client " << i;
    for (auto& id : qids) EXPECT_EQ(res.seen[id], clients) << "client " << i << ", question " << id;
  }
  for (auto& id : qids) {
    std::multiset<std::int64_t> want;
    for (int n = 1; n <= clients; ++n) want.insert(n);
    EXPECT_EQ(counts_in_acks[id], want) << "question " << id;
  }
  // The final counts agree: a fresh join's snapshot.
  auto snap = snapshot_counts(server.port());
  for (auto& id : qids) EXPECT_EQ(snap[id], clients) << "question " << id;
}

TEST(qa_storm, a_pipelined_burst_of_mixed_requests_gets_exactly_one_reply_each) {
  server_process server(storm_server());
  ws_client mod, c;
  ASSERT_NO_FATAL_FAILURE(enter(mod, server.port(), "u-pipe-mod", "moderator"));
  auto qids = ask_questions(mod, 5, "pipe");
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-pipe"));

  // 200 requests in one write: votes, repeated votes (already_voted), votes taken back and
  // given again, unknown questions, pings, a bad room. Each has its own id; what each answers
  // is fixed by the order they were sent in (one connection's requests are handled in order).
  std::string burst;
  std::map<std::string, std::string> want;  // id -> "ack" or the error code
  int n = 0;
  auto add = [&](json::object req, const std::string& expect) {
    auto id = "p" + std::to_string(n++);
    req["id"] = id;
    burst += wire::text(req);
    want[id] = expect;
  };
  std::map<std::string, bool> voted;
  for (int round = 0; round < 12; ++round) {
    for (auto& q : qids) {
      bool up = !voted[q] || round % 3 == 2;  // every third round repeats an up-vote
      add(vote("", q, up), up && voted[q] ? "already_voted" : "ack");
      if (!(up && voted[q])) voted[q] = up;
      if (round % 4 == 1) {
        add(vote("", q, false), voted[q] ? "ack" : "not_voted");
        voted[q] = false;
      }
    }
    add({{"type", "ping"}}, "ack");
    add(vote("", "q-does-not-exist"), "no_such_question");
    add({{"type", "vote"}, {"room", ws::room("seminar-health")}, {"question", qids[0]}, {"up", true}},
        "not_in_room");
  }
  ASSERT_GE(n, 100);
  ASSERT_TRUE(c.send_raw(burst)) << c.error();
  std::map<std::string, int> replies;
  std::map<std::string, std::string> got;
  ASSERT_TRUE(c.wait_until(
      [&](const std::vector<ws_frame>& frames) {
        return std::count_if(frames.begin(), frames.end(), [](auto& f) { return f.is_reply(); }) >= n;
      },
      20s))
      << "not every request of the burst was answered";
  for (auto& f : c.read_all_frames(300ms)) {
    if (!f.is_reply()) continue;
    auto id = string_field(f.body, "id");
    ++replies[id];
    got[id] = f.type() == "ack" ? "ack" : string_field(f.body, "code");
  }
  EXPECT_EQ(replies.size(), want.size());
  for (auto& [id, expect] : want) {
    EXPECT_EQ(replies[id], 1) << "request " << id << " answered " << replies[id] << " times";
    EXPECT_EQ(got[id], expect) << "request " << id;
  }
  EXPECT_TRUE(c.bad_frames().empty());
  // The final state agrees with what the burst did.
  auto snap = snapshot_counts(server.port());
  for (auto& q : qids) EXPECT_EQ(snap[q], voted[q] ? 1 : 0) << "question " << q;
}

TEST(qa_storm, peers_that_vanish_mid_burst_leave_fds_and_threads_where_they_were) {
  server_process server(storm_server());
  ws_client mod;
  ASSERT_NO_FATAL_FAILURE(enter(mod, server.port(), "u-vanish-mod", "moderator"));
  auto qids = ask_questions(mod, 10, "vanish");

  // Warm: one voter comes and goes, so lazily made things (threads, the store's files) exist;
  // `before` is taken once its connection is closed on the server's side too.
  auto quiet = [&] { return usage_of(server.pid()); };
  auto fds_without_warm = quiet().fds;
  {
    ws_client warm;
    ASSERT_NO_FATAL_FAILURE(enter(warm, server.port(), "u-vanish-warm"));
    ASSERT_TRUE(is_ack(warm.request(vote("", qids[0]))));
  }
  ASSERT_TRUE(eventually([&] { return quiet().fds <= fds_without_warm; })) << show(quiet());
  auto before = quiet();

  constexpr int peers = 30;
  for (int round = 0; round < 3; ++round) {
    std::vector<std::unique_ptr<ws_client>> gone;
    for (int i = 0; i < peers; ++i) {
      auto c = std::make_unique<ws_client>();
      ASSERT_NO_FATAL_FAILURE(enter(*c, server.port(), "u-vanish-" + std::to_string(round) + "-" + std::to_string(i)));
      std::string burst;
      for (int k = 0; k < 40; ++k) burst += wire::text(vote("b" + std::to_string(k), qids[k % qids.size()], k < 10 || k % 2 == 0));
      // Half the burst, then a frame cut in the middle, then the TCP connection is dropped
      // without a closing handshake (the destructor): the server is mid-way through the votes.
      auto cut = burst.substr(0, burst.size() / 2 + 7);
      ASSERT_TRUE(c->send_raw(cut)) << c->error();
      gone.push_back(std::move(c));
    }
    gone.clear();
  }
  // The server still answers, the counts are sane, and what the peers held is given back.
  auto snap = snapshot_counts(server.port());
  for (auto& q : qids) {
    EXPECT_GE(snap[q], 0) << q;
    EXPECT_LE(snap[q], 1 + 3 * peers) << q;
  }
  proc_usage after;
  bool back = eventually([&] {
    after = quiet();
    return after.fds <= before.fds && after.threads <= before.threads;
  }, 15s);
  EXPECT_TRUE(back) << "before: " << show(before) << "; after: " << show(after) << "\nfds now:\n"
                    << fd_kinds(server.pid()) << "threads now:\n" << thread_names(server.pid());
  ws_client still;
  ASSERT_NO_FATAL_FAILURE(enter(still, server.port(), "u-vanish-after"));
  EXPECT_TRUE(is_ack(still.request(vote("", qids[1]))));
}
