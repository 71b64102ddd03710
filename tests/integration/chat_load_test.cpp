// A multi-room chat load: many clients on their own threads, in several rooms at once, all
// posting while the server runs on several threads. Every client must receive every message
// of its rooms exactly once, in seq order. tests/tsan/run.sh runs this same test against a
// ThreadSanitizer build of the server and fails on any report.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::string event_id = "stockholm-tillsammans-2027";
const std::string secret = "chat-load-test-secret-0123456789-abcdefgh";
const std::vector<std::string> seminar_rooms = {"seminar-housing", "seminar-health", "seminar-work",
                                                "seminar-civil-society"};

std::string token_for(const std::string& user) {
  json::object claims{{"sub", user}, {"name", user}, {"event", event_id}, {"role", "attendee"},
                      {"iat", unix_seconds()}, {"exp", unix_seconds() + 3600}};
  return mint_token("k1", secret, claims);
}

TEST(chat_load, many_clients_in_several_rooms_each_get_every_message_once_in_order) {
  constexpr int clients_per_room = 4;
  constexpr int posts_per_client = 40;
  server_process::options o;
  // More network threads than cores: more interleavings for ThreadSanitizer to see.
  // Clients send all their posts before they read: the send queues must hold what piles up
  // meanwhile (16 clients x 20 main-stage posts), or they would be closed as slow consumers.
  o.extra_toml = "[rooms]\nrate_burst = 1000\nrate_per_minute = 60000\n"
                 "[ws]\nsend_queue_messages = 10000\nsend_queue_bytes = 16777216\n";
  o.env = {{"SAMLING_AUTH_KEY_ID", "k1"}, {"SAMLING_AUTH_SECRET", secret}, {"SAMLING_SERVER_THREADS", "4"}};
  server_process server(o);

  const int total_clients = clients_per_room * static_cast<int>(seminar_rooms.size());
  // Every client is in the main stage and in its seminar.
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  std::vector<std::string> problems(total_clients);
  std::vector<std::thread> threads;
  for (int c = 0; c < total_clients; ++c) {
    threads.emplace_back([&, c] {
      auto fail = [&](std::string what) {
        problems[c] = "client " + std::to_string(c) + ": " + what;
        ++failures;
      };
      ws_client ws;
      if (!ws.connect(server.port()) || !is_ack(ws.hello(event_id, token_for("u" + std::to_string(c)), 10s)))
        return fail("could not connect and say hello");
      auto seminar = event_id + "/" + seminar_rooms[c % seminar_rooms.size()];
      auto main = event_id + "/main";
      if (!is_ack(ws.join(main, 0, 10s)) || !is_ack(ws.join(seminar, 0, 10s)))
        return fail("could not join");
      ++ready;
      // Start posting together, so the rooms are busy from many threads at once.
      if (!eventually([&] { return ready.load() == total_clients || failures.load() > 0; }, 20s))
        return fail("others never got ready");
      for (int i = 0; i < posts_per_client; ++i) {
        auto room = i % 2 ? seminar : main;
        if (!ws.send(json::object{{"id", ws.next_id()}, {"type", "post"}, {"room", room},
                                  {"text", "c" + std::to_string(c) + " m" + std::to_string(i)},
                                  {"client_msg_id", "c" + std::to_string(c) + "-" + std::to_string(i)}}))
          return fail("send failed");
      }
      // Expected: every post to main by anyone, and every post to this seminar.
      const int main_expected = total_clients * ((posts_per_client + 1) / 2);
      const int seminar_expected = clients_per_room * (posts_per_client / 2);
      std::map<std::string, std::vector<std::int64_t>> seqs;
      auto counted = [&](const std::vector<ws_frame>& frames) {
        int main_n = 0, seminar_n = 0;
        for (auto& f : frames) {
          if (f.type() != "message") continue;
          auto r = string_field(f.body, "room");
          main_n += r == main;
          seminar_n += r == seminar;
        }
        return main_n >= main_expected && seminar_n >= seminar_expected;
      };
      if (!ws.wait_until(counted, 60s))
        return fail("did not receive every message in time (connection " +
                    (ws.close_code() ? "closed with " + std::to_string(*ws.close_code()) : std::string("open")) + ")");
      for (auto& e : ws.take_events())
        if (string_field(e, "type") == "message") seqs[string_field(e, "room")].push_back(int_field(e, "seq"));
      for (auto& [room, list] : seqs) {
        for (std::size_t i = 1; i < list.size(); ++i)
          if (list[i] <= list[i - 1]) return fail(room + ": seq out of order or repeated");
      }
      if (seqs[main].size() != static_cast<std::size_t>(main_expected) ||
          seqs[seminar].size() != static_cast<std::size_t>(seminar_expected))
        return fail("wrong number of messages: main " + std::to_string(seqs[main].size()) +
                    ", seminar " + std::to_string(seqs[seminar].size()));
    });
  }
  for (auto& t : threads) t.join();
  for (auto& p : problems) EXPECT_TRUE(p.empty()) << p;

  // The load shows in /metrics: messages stored, frames in and out, sessions, room members.
  auto metrics = http_get(server.port(), "/metrics").body;
  auto value = [&](const std::string& series) { return metric_value(metrics, series); };
  EXPECT_EQ(value("samling_chat_messages_total"), total_clients * posts_per_client);
  EXPECT_GE(value("samling_ws_messages_in_total"), total_clients * (posts_per_client + 3));
  EXPECT_GE(value("samling_ws_messages_out_total"), total_clients * posts_per_client);
  EXPECT_GE(value("samling_ws_sessions_open"), 0);
  EXPECT_GE(value("samling_ws_slow_consumer_closes_total"), 0);
  EXPECT_NE(metrics.find("samling_room_members{event=\"" + event_id + "\",room=\"main\"}"), std::string::npos);
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(10s), 0);
  EXPECT_EQ(server.stderr_text().find("ThreadSanitizer"), std::string::npos) << server.stderr_text();
}

}  // namespace
