// Members per room (docs/protocol.md, "Rooms over HTTP"): GET /api/v1/events/{event}/rooms/members
// counts the distinct users joined to each room of the event, public and without names, and
// /metrics has the same numbers as samling_room_members{event,room}.
#include <gtest/gtest.h>

#include <map>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

// room id -> members, in the order the answer lists them (and the list itself).
struct member_counts {
  std::vector<std::string> order;
  std::map<std::string, std::int64_t> by_room;
};

member_counts counts(std::uint16_t port, const std::string& event = ws::event_id) {
  member_counts out;
  auto r = http_get(port, "/api/v1/events/" + event + "/rooms/members");
  EXPECT_EQ(r.status, 200) << r.body;
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << r.body;
    return out;
  }
  EXPECT_EQ(v.as_object().at("event"), json::value(event)) << r.body;
  for (auto& room : v.as_object().at("rooms").as_array()) {
    auto& o = room.as_object();
    EXPECT_EQ(o.size(), 2u) << "counts only, no names: " << r.body;
    auto id = std::string(o.at("room").as_string());
    out.order.push_back(id);
    out.by_room[id] = o.at("members").as_int64();
  }
  return out;
}

void enter(ws_client& c, std::uint16_t port, const std::string& sub, const std::string& name) {
  ASSERT_TRUE(c.connect(port)) << c.error();
  auto h = c.hello(ws::event_id, ws::token(sub, name));
  ASSERT_TRUE(is_ack(h)) << str(h);
}

TEST(room_members, every_room_of_the_event_with_its_distinct_users) {
  server_process::options o;
  o.env = ws::auth_env();
  server_process server(o);
  const auto port = server.port();

  auto empty = counts(port);
  // Every room of the demo program, in its order, all empty.
  EXPECT_EQ(empty.order, (std::vector<std::string>{"main", "seminar-housing", "seminar-health", "seminar-work",
                                                   "seminar-civil-society", "press"}));
  for (auto& [room, n] : empty.by_room) EXPECT_EQ(n, 0) << room;

  // Anna in two tabs (one user), Bo, and a guest: main has three people, four sessions.
  ws_client anna1, anna2, bo, guest;
  ASSERT_NO_FATAL_FAILURE(enter(anna1, port, "u-anna", "Anna Svensson"));
  ASSERT_NO_FATAL_FAILURE(enter(anna2, port, "u-anna", "Anna Svensson"));
  ASSERT_NO_FATAL_FAILURE(enter(bo, port, "u-bo", "Bo Ek"));
  ASSERT_TRUE(guest.connect(port));
  ASSERT_TRUE(is_ack(guest.hello_guest(ws::event_id, "Gäst")));
  for (auto* c : {&anna1, &anna2, &bo, &guest}) ASSERT_TRUE(is_ack(c->join(ws::room("main"))));
  ASSERT_TRUE(is_ack(bo.join(ws::room("seminar-housing"))));
  // A join is answered from the room's strand after the count is updated.
  auto now = counts(port);
  EXPECT_EQ(now.by_room["main"], 3);
  EXPECT_EQ(now.by_room["seminar-housing"], 1);
  EXPECT_EQ(now.by_room["seminar-health"], 0);
  auto scrape = http_get(port, "/metrics").body;
  EXPECT_NE(scrape.find("# TYPE samling_room_members gauge\n"), std::string::npos) << scrape;
  EXPECT_EQ(metric_value(scrape, "samling_room_members{event=\"" + ws::event_id + "\",room=\"main\"}"), 3) << scrape;
  EXPECT_EQ(metric_value(scrape, "samling_room_members{event=\"" + ws::event_id + "\",room=\"seminar-housing\"}"), 1);

  // One of Anna's tabs leaves: she is still there. Bo leaves main; the guest disconnects.
  ASSERT_TRUE(is_ack(anna2.leave(ws::room("main"))));
  EXPECT_EQ(counts(port).by_room["main"], 3);
  ASSERT_TRUE(is_ack(bo.leave(ws::room("main"))));
  EXPECT_EQ(counts(port).by_room["main"], 2);
  ASSERT_TRUE(guest.close());
  EXPECT_TRUE(eventually([&] { return counts(port).by_room["main"] == 1; }, 5s));
  anna1.close();
  EXPECT_TRUE(eventually([&] { return counts(port).by_room["main"] == 0; }, 5s));
  EXPECT_EQ(counts(port).by_room["seminar-housing"], 1);
  EXPECT_EQ(metric(port, "samling_room_members{event=\"" + ws::event_id + "\",room=\"main\"}"), 0);
}

TEST(room_members, an_unknown_event_is_404_unknown_event) {
  server_process server;
  auto r = http_get(server.port(), "/api/v1/events/no-such-event/rooms/members");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("\"code\":\"unknown_event\""), std::string::npos) << r.body;
  EXPECT_EQ(http_request(server.port(), "POST", "/api/v1/events/" + ws::event_id + "/rooms/members").status, 405);
}

}  // namespace
