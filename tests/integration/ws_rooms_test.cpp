// Room membership over WebSocket (docs/protocol.md, `join`, `leave`, Roles): who may enter which
// room, leaving stops delivery, the per-session room limit holds even for pipelined joins, and
// a connection that goes away leaves its rooms.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::vector<std::string> all_rooms = {"main", "seminar-housing", "seminar-health",
                                            "seminar-work", "seminar-civil-society", "press"};

server_process::options chat_server(const std::string& extra_toml = {}) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = extra_toml;
  return o;
}

TEST(ws_rooms, each_role_may_join_the_rooms_of_the_roles_table) {
  server_process server(chat_server());
  // role -> may join the press room; every role may join the main stage and the seminars.
  const std::vector<std::pair<std::string, bool>> roles = {
      {"attendee", false}, {"speaker", true},   {"press", true},
      {"moderator", true}, {"organizer", true}, {"guest", false}};
  for (auto& [role, press] : roles) {
    SCOPED_TRACE(role);
    ws_client c;
    ASSERT_TRUE(c.connect(server.port())) << c.error();
    auto h = role == "guest" ? c.hello_guest(ws::event_id, "Gäst")
                             : c.hello(ws::event_id, ws::token("u-" + role, "A " + role, role));
    ASSERT_TRUE(is_ack(h)) << str(h);
    EXPECT_EQ(string_field(h, "result.user.role"), role);
    for (auto& r : all_rooms) {
      auto j = c.join(ws::room(r));
      bool allowed = r != "press" || press;
      EXPECT_EQ(outcome(j), allowed ? "ack" : "forbidden") << r << ": " << str(j);
    }
    // Everyone who may be in a room may post there.
    auto p = c.post(ws::room("main"), "Hej från " + role);
    EXPECT_TRUE(is_ack(p)) << str(p);
    auto m = c.next_event_if([&](const json::object& e) { return string_field(e, "type") == "message"; });
    ASSERT_TRUE(m);
    EXPECT_EQ(string_field(m, "user.role"), role);
  }
}

TEST(ws_rooms, after_leave_no_more_messages_of_that_room_arrive) {
  server_process server(chat_server());
  const auto main = ws::room("main");
  const auto health = ws::room("seminar-health");
  ws_client anna, bo;
  ASSERT_TRUE(anna.connect(server.port()) && bo.connect(server.port()));
  ASSERT_TRUE(is_ack(anna.hello(ws::event_id, ws::token("u-anna", "Anna"))));
  ASSERT_TRUE(is_ack(bo.hello(ws::event_id, ws::token("u-bo", "Bo"))));
  for (auto* c : {&anna, &bo}) {
    ASSERT_TRUE(is_ack(c->join(main)));
    ASSERT_TRUE(is_ack(c->join(health)));
  }
  auto left = bo.leave(main);
  ASSERT_TRUE(is_ack(left)) << str(left);
  EXPECT_EQ(string_field(left, "result.room"), main);
  ASSERT_TRUE(is_ack(anna.post(main, "bara för main")));
  ASSERT_TRUE(is_ack(anna.post(health, "för hälsa")));
  // Bo gets the second (messages of one connection arrive in the order the server sent them;
  // both posts come from one sender in order) but not the first.
  auto got = bo.next_event("message");
  ASSERT_TRUE(got);
  EXPECT_EQ(string_field(got, "text"), "för hälsa") << str(got);
  for (auto& e : bo.take_events())
    if (string_field(e, "type") == "message") ADD_FAILURE() << "after leave: " << str(e);
  auto p = bo.post(main, "jag är inte där");
  EXPECT_EQ(outcome(p), "not_in_room") << str(p);
  auto again = bo.leave(main);
  EXPECT_EQ(outcome(again), "not_in_room") << str(again);
}

TEST(ws_rooms, pipelined_joins_do_not_pass_max_rooms_per_session) {
  server_process server(chat_server("[rooms]\nmax_rooms_per_session = 2\n"));
  // All six joins go out before any answer is read; the limit must hold all the same.
  for (int attempt = 0; attempt < 20; ++attempt) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    ws_client c;
    ASSERT_TRUE(c.connect(server.port()));
    ASSERT_TRUE(is_ack(c.hello(ws::event_id, ws::token("u-org-" + std::to_string(attempt), "Org", "organizer"))));
    std::vector<std::string> ids;
    for (auto& r : all_rooms) {
      ids.push_back(c.next_id());
      ASSERT_TRUE(c.send({{"id", ids.back()}, {"type", "join"}, {"room", ws::room(r)}}));
    }
    int acks = 0, refused = 0;
    for (auto& id : ids) {
      auto reply = c.next_reply(json::value(id));
      if (is_ack(reply)) ++acks;
      else if (outcome(reply) == "too_many_rooms") ++refused;
      else ADD_FAILURE() << str(reply);
    }
    EXPECT_EQ(acks, 2) << "rooms joined at once with max_rooms_per_session = 2";
    EXPECT_EQ(refused, 4);
    if (acks != 2) break;
  }
}

TEST(ws_rooms, a_connection_that_drops_right_after_join_leaves_no_member_behind) {
  server_process server(chat_server());
  // Each sends joins for the five open rooms and drops the TCP connection at once, without
  // waiting for the answers. (The first joins of a room also race with its loading.)
  for (int i = 0; i < 200; ++i) {
    ws_client c;
    ASSERT_TRUE(c.connect(server.port()));
    ASSERT_TRUE(is_ack(c.hello(ws::event_id, ws::token("u-drop-" + std::to_string(i), "Drop"))));
    for (auto& r : all_rooms) {
      if (r != "press") {
        ASSERT_TRUE(c.send({{"id", r}, {"type", "join"}, {"room", ws::room(r)}}));
      }
    }
  }
  // Once the server has seen every close, each room holds only the observer.
  ws_client observer;
  ASSERT_TRUE(observer.connect(server.port()));
  ASSERT_TRUE(is_ack(observer.hello(ws::event_id, ws::token("u-observer", "Observer", "moderator"))));
  for (auto& r : all_rooms) {
    if (r == "press") continue;
    SCOPED_TRACE(r);
    EXPECT_TRUE(eventually([&] { return int_field(observer.join(ws::room(r)), "result.count") == 1; }, 5s))
        << "members left behind: " << str(observer.members(ws::room(r))).substr(0, 600);
  }
}

}  // namespace
