// Presence (docs/protocol.md, `presence` and `members`): a join storm yields at most four
// presence events a second per room with the right final count; moderators see who is there.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

bool enter(ws_client& c, std::uint16_t port, const std::string& sub, const std::string& role,
           std::string& problem) {
  if (!c.connect(port)) {
    problem = sub + ": connect: " + c.error();
    return false;
  }
  auto h = c.hello(ws::event_id, ws::token(sub, "Name of " + sub, role));
  if (!is_ack(h)) {
    problem = sub + ": hello: " + str(h);
    return false;
  }
  return true;
}

bool is_presence(const json::object& e, const std::string& room, std::int64_t count) {
  return string_field(e, "type") == "presence" && string_field(e, "room") == room &&
         int_field(e, "count") == count;
}

TEST(ws_presence, a_join_storm_is_reported_at_most_four_times_a_second_with_the_final_count) {
  server_process::options o;
  o.env = ws::auth_env();
  server_process server(o);
  const auto main = ws::room("main");
  constexpr int storm_size = 50;

  ws_client observer;
  std::string problem;
  ASSERT_TRUE(enter(observer, server.port(), "u-observer", "attendee", problem)) << problem;
  auto j = observer.join(main);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.count"), 1);
  observer.take_events();

  // The storm, from another thread, while the observer reads (with arrival times).
  std::vector<std::unique_ptr<ws_client>> storm;
  std::string storm_problem;
  std::atomic<bool> storm_done{false};
  int waves = 0;
  const auto t0 = std::chrono::steady_clock::now();
  std::thread stormer([&] {
    for (int i = 0; i < storm_size && storm_problem.empty(); ++i) {
      auto c = std::make_unique<ws_client>();
      if (!enter(*c, server.port(), "u-storm-" + std::to_string(i), "attendee", storm_problem)) break;
      auto r = c->join(main);
      if (!is_ack(r)) storm_problem = "join " + std::to_string(i) + ": " + str(r);
      storm.push_back(std::move(c));
    }
    // Then waves of everyone leaving and joining again, for 1.5 s: hundreds of changes, spread
    // over long enough for the limit to show, with the same final count.
    while (std::chrono::steady_clock::now() < t0 + 1500ms && storm_problem.empty()) {
      ++waves;
      for (auto& c : storm) {
        auto r = c->leave(main);
        if (!is_ack(r)) storm_problem = "leave: " + str(r);
        r = c->join(main);
        if (!is_ack(r)) storm_problem = "join again: " + str(r);
        c->discard_buffered();
      }
    }
    storm_done = true;
  });

  std::vector<ws_frame> presence;
  const auto end = t0 + 30s;
  const std::int64_t everyone = storm_size + 1;
  auto reached_final = [&] { return !presence.empty() && int_field(presence.back().body, "count") == everyone; };
  while (!(storm_done && reached_final()) && std::chrono::steady_clock::now() < end) {
    for (auto& f : observer.read_all_frames(50ms))
      if (f.type() == "presence") presence.push_back(std::move(f));
  }
  stormer.join();
  ASSERT_EQ(storm_problem, "");
  ASSERT_TRUE(reached_final()) << "the observer never saw count " << everyone << "; last: "
                               << (presence.empty() ? "(no presence event)" : presence.back().text);
  // Any presence still on its way (the limiter's last window) must not change the final count.
  for (auto& f : observer.read_all_frames(600ms))
    if (f.type() == "presence") presence.push_back(std::move(f));
  EXPECT_EQ(int_field(presence.back().body, "count"), everyone) << presence.back().text;

  const double elapsed = std::chrono::duration<double>(presence.back().at - t0).count();
  const auto bound = static_cast<std::size_t>(elapsed * 4 + 2);
  EXPECT_LE(presence.size(), bound) << presence.size() << " presence events in " << elapsed << " s";
  std::printf("%zu presence events over %.3f s for %d joins and %d waves of leave + join\n",
              presence.size(), elapsed, storm_size, waves);
  for (auto& f : presence) {
    EXPECT_EQ(string_field(f.body, "room"), main);
    EXPECT_FALSE(f.body.contains("members")) << "an attendee gets no member list: " << f.text;
  }
  EXPECT_GE(presence.size(), 2u) << "a storm over " << elapsed << " s reported only once";

  // A moderator joins: it counts, and it may ask who is there.
  ws_client moderator;
  ASSERT_TRUE(enter(moderator, server.port(), "u-mod", "moderator", problem)) << problem;
  j = moderator.join(main);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.count"), everyone + 1);
  auto m = moderator.members(main);
  ASSERT_TRUE(is_ack(m)) << str(m);
  EXPECT_EQ(int_field(m, "result.count"), everyone + 1);
  std::set<std::string> ids;
  auto list = field(m, "result.members");
  ASSERT_TRUE(list.is_array()) << str(m);
  for (auto& member : list.get_array()) {
    ASSERT_TRUE(member.is_object());
    ids.insert(string_field(member.get_object(), "id"));
    EXPECT_FALSE(string_field(member.get_object(), "name").empty());
    EXPECT_FALSE(string_field(member.get_object(), "role").empty());
  }
  std::set<std::string> expected{"u-observer", "u-mod"};
  for (int i = 0; i < storm_size; ++i) expected.insert("u-storm-" + std::to_string(i));
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(list.get_array().size(), expected.size()) << "a member listed twice";

  // An attendee may not; a moderator may not for a room it is not in.
  auto refused = observer.members(main);
  EXPECT_EQ(outcome(refused), "forbidden") << str(refused);
  auto elsewhere = moderator.members(ws::room("seminar-health"));
  EXPECT_EQ(outcome(elsewhere), "not_in_room") << str(elsewhere);

  // The observer sees the moderator arrive; then one storm client leaves and another drops:
  // the observer sees the counts fall, the moderator gets the member list with them.
  ASSERT_TRUE(observer.next_event_if([&](const json::object& e) { return is_presence(e, main, everyone + 1); }))
      << "no presence with the moderator counted";
  auto left = storm[0]->leave(main);
  ASSERT_TRUE(is_ack(left)) << str(left);
  EXPECT_EQ(string_field(left, "result.room"), main);
  auto seen = observer.next_event_if([&](const json::object& e) { return is_presence(e, main, everyone); });
  ASSERT_TRUE(seen) << "no presence after a leave";
  EXPECT_FALSE(seen->contains("members"));
  auto mod_seen = moderator.next_event_if([&](const json::object& e) { return is_presence(e, main, everyone); });
  ASSERT_TRUE(mod_seen) << "the moderator got no presence after a leave";
  auto mod_list = field(mod_seen, "members");
  ASSERT_TRUE(mod_list.is_array()) << "a moderator's presence carries the members: " << str(mod_seen);
  EXPECT_EQ(mod_list.get_array().size(), static_cast<std::size_t>(everyone));
  for (auto& member : mod_list.get_array())
    EXPECT_NE(string_field(member.as_object(), "id"), "u-storm-0") << "the one who left is listed";

  storm[1].reset();  // the TCP connection drops without a close
  EXPECT_TRUE(observer.next_event_if([&](const json::object& e) { return is_presence(e, main, everyone - 1); }))
      << "a dropped connection must leave its rooms";
}

}  // namespace
