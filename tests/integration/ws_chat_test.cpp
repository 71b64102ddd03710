// Real-time rooms over WebSocket (docs/protocol.md): the handshake, hello, chatting in a room
// with the sender's own echo, room isolation, and a post retried with the same client_msg_id.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

server_process::options chat_server(const std::string& extra_toml = {}) {
  server_process::options o;
  o.env = ws::auth_env();
  // Room for every post these tests make from one user; the rate limit has its own test.
  o.extra_toml = "[rooms]\nrate_burst = 50\n" + extra_toml;
  return o;
}

// Connects and says hello with a token; fails the test on the way if anything goes wrong.
void enter(ws_client& c, std::uint16_t port, const std::string& sub, const std::string& name,
           const std::string& role = "attendee") {
  ASSERT_TRUE(c.connect(port)) << c.error() << " (HTTP " << c.handshake_status() << " "
                               << c.handshake_body() << ")";
  auto h = c.hello(ws::event_id, ws::token(sub, name, role));
  ASSERT_TRUE(is_ack(h)) << str(h);
}

// A page of another site cannot open the WebSocket (its visitor's browser would bring a
// signed-in session along): the server's own pages, clients without an Origin and the sites
// in server.allowed_origins can; every other Origin gets 403 and no upgrade.
TEST(ws_chat, the_handshake_refuses_pages_of_other_sites) {
  auto o = chat_server();
  o.env["SAMLING_SERVER_ALLOWED_ORIGINS"] = "https://partner.example";
  server_process server(o);
  auto open_from = [&](const std::string& origin) {
    ws_client c;
    ws_client::options co;
    co.origin = origin;
    bool ok = c.connect(server.port(), co);
    return std::make_pair(ok, c.handshake_status());
  };
  EXPECT_EQ(open_from(""), std::make_pair(true, 101)) << "no Origin: not a browser page";
  EXPECT_EQ(open_from("http://127.0.0.1:" + std::to_string(server.port())), std::make_pair(true, 101)) << "its own page";
  EXPECT_EQ(open_from("https://partner.example"), std::make_pair(true, 101)) << "an allowed site";
  EXPECT_EQ(open_from("https://evil.example"), std::make_pair(false, 403));
  EXPECT_EQ(open_from("http://127.0.0.1:1"), std::make_pair(false, 403)) << "another port is another site";
  EXPECT_EQ(open_from("null"), std::make_pair(false, 403)) << "a sandboxed or local file page";
}

TEST(ws_chat, the_handshake_selects_the_subprotocol) {
  server_process server(chat_server());
  ws_client c;
  ASSERT_TRUE(c.connect(server.port())) << c.error() << " (HTTP " << c.handshake_status() << " "
                                        << c.handshake_body() << ")";
  EXPECT_EQ(c.handshake_status(), 101);
  EXPECT_EQ(c.handshake_header("Sec-WebSocket-Protocol"), "samling.v1");
  auto pong = c.request({{"type", "ping"}});
  // A ping before hello is a request other than hello: not_authenticated.
  EXPECT_EQ(outcome(pong), "not_authenticated") << str(pong);
}

TEST(ws_chat, a_handshake_without_the_subprotocol_is_refused_with_400) {
  server_process server(chat_server());
  ws_client c;
  ws_client::options o;
  o.subprotocol = "";
  EXPECT_FALSE(c.connect(server.port(), o));
  EXPECT_EQ(c.handshake_status(), 400) << c.handshake_body();
  boost::system::error_code ec;
  auto body = json::parse(c.handshake_body(), ec);
  ASSERT_FALSE(ec) << c.handshake_body();
  EXPECT_EQ(field(body.as_object(), "error.code"), "bad_request") << c.handshake_body();

  ws_client other;
  o.subprotocol = "chat.v9";
  EXPECT_FALSE(other.connect(server.port(), o));
  EXPECT_EQ(other.handshake_status(), 400) << other.handshake_body();
}

TEST(ws_chat, hello_with_a_token_tells_who_the_session_is) {
  server_process server(chat_server());
  ws_client c;
  ASSERT_TRUE(c.connect(server.port())) << c.error() << " (HTTP " << c.handshake_status() << ")";
  auto before = unix_seconds() * 1000;
  auto h = c.request({{"id", 1}, {"type", "hello"}, {"event", ws::event_id},
                      {"token", ws::token("u-anna", "Anna Svensson", "attendee")}});
  ASSERT_TRUE(is_ack(h)) << str(h);
  EXPECT_EQ(field(h, "id"), 1) << "an integer id comes back as the same integer";
  EXPECT_FALSE(string_field(h, "result.session").empty()) << str(h);
  EXPECT_EQ(string_field(h, "result.user.id"), "u-anna");
  EXPECT_EQ(string_field(h, "result.user.name"), "Anna Svensson");
  EXPECT_EQ(string_field(h, "result.user.role"), "attendee");
  EXPECT_EQ(string_field(h, "result.event"), ws::event_id);
  auto server_time = int_field(h, "result.server_time");
  EXPECT_GE(server_time, before - 60'000) << str(h);
  EXPECT_LE(server_time, unix_seconds() * 1000 + 60'000) << str(h);
  EXPECT_EQ(int_field(h, "result.limits.text_max_chars"), 1000) << str(h);
  EXPECT_EQ(int_field(h, "result.limits.rate_burst"), 50) << str(h);
  EXPECT_EQ(int_field(h, "result.limits.history"), 50) << str(h);
  EXPECT_TRUE(field(h, "result.limits.rate_per_second").is_number()) << str(h);

  auto ping = c.request({{"type", "ping"}});
  ASSERT_TRUE(is_ack(ping)) << str(ping);
  EXPECT_GE(int_field(ping, "result.server_time"), server_time);

  ws_client guest;
  ASSERT_TRUE(guest.connect(server.port()));
  auto g = guest.hello_guest(ws::event_id, "Bertil");
  ASSERT_TRUE(is_ack(g)) << str(g);
  EXPECT_EQ(string_field(g, "result.user.role"), "guest");
  EXPECT_EQ(string_field(g, "result.user.name"), "Bertil");
  EXPECT_TRUE(string_field(g, "result.user.id").starts_with("g-")) << str(g);
  EXPECT_TRUE(c.bad_frames().empty() && guest.bad_frames().empty());
}

TEST(ws_chat, two_clients_chat_and_a_client_in_another_room_receives_nothing_of_it) {
  server_process server(chat_server());
  const auto main = ws::room("main");
  const auto health = ws::room("seminar-health");
  ws_client anna, bo, cecilia;
  ASSERT_NO_FATAL_FAILURE(enter(anna, server.port(), "u-anna", "Anna Svensson"));
  ASSERT_NO_FATAL_FAILURE(enter(bo, server.port(), "u-bo", "Bo Ek"));
  ASSERT_NO_FATAL_FAILURE(enter(cecilia, server.port(), "u-cecilia", "Cecilia Lind"));

  auto j = anna.join(main);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(string_field(j, "result.room"), main);
  EXPECT_EQ(int_field(j, "result.seq"), 0) << "an empty room: " << str(j);
  EXPECT_EQ(int_field(j, "result.count"), 1) << str(j);
  EXPECT_TRUE(ws::messages_of(j).empty()) << str(j);
  j = bo.join(main);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.count"), 2) << str(j);
  j = cecilia.join(health);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.count"), 1) << str(j);

  // Anna speaks: she gets the ack and her own message event, Bo gets the same event.
  auto p = anna.post(main, "Hej Bo! Välkommen 👋", "anna-1");
  ASSERT_TRUE(is_ack(p)) << str(p);
  EXPECT_EQ(string_field(p, "result.room"), main);
  EXPECT_EQ(int_field(p, "result.seq"), 1) << str(p);
  EXPECT_EQ(field(p, "result.duplicate"), false) << str(p);
  auto ts = int_field(p, "result.ts");
  EXPECT_GT(ts, 0);
  for (auto* c : {&anna, &bo}) {
    auto m = c->next_event("message");
    ASSERT_TRUE(m) << "no message event";
    EXPECT_EQ(string_field(m, "room"), main);
    EXPECT_EQ(int_field(m, "seq"), 1);
    EXPECT_EQ(int_field(m, "ts"), ts);
    EXPECT_EQ(string_field(m, "text"), "Hej Bo! Välkommen 👋");
    EXPECT_EQ(string_field(m, "client_msg_id"), "anna-1");
    EXPECT_EQ(string_field(m, "user.id"), "u-anna");
    EXPECT_EQ(string_field(m, "user.name"), "Anna Svensson");
    EXPECT_EQ(string_field(m, "user.role"), "attendee");
    EXPECT_FALSE(m->contains("id")) << "events have no id: " << str(m);
  }

  // Bo answers; surrounding white space is trimmed.
  p = bo.post(main, "  Tack, Anna!\n", "bo-1");
  ASSERT_TRUE(is_ack(p)) << str(p);
  EXPECT_EQ(int_field(p, "result.seq"), 2) << str(p);
  for (auto* c : {&anna, &bo}) {
    auto m = c->next_event("message");
    ASSERT_TRUE(m) << "no message event";
    EXPECT_EQ(int_field(m, "seq"), 2);
    EXPECT_EQ(string_field(m, "text"), "Tack, Anna!");
    EXPECT_EQ(string_field(m, "user.id"), "u-bo");
  }

  // Cecilia, in another room, speaks too; once her own message is back, anything of the main
  // room's would have reached her already (it was sent before).
  p = cecilia.post(health, "Någon här?", "cecilia-1");
  ASSERT_TRUE(is_ack(p)) << str(p);
  EXPECT_EQ(int_field(p, "result.seq"), 1) << "seq is per room: " << str(p);
  auto own = cecilia.next_event("message");
  ASSERT_TRUE(own);
  EXPECT_EQ(string_field(own, "room"), health);
  for (auto& e : cecilia.take_events())
    EXPECT_NE(string_field(e, "room"), main) << "leaked into another room: " << str(e);

  // Neither Anna nor Bo hears the other room, and each got exactly the two messages.
  for (auto* c : {&anna, &bo}) {
    ASSERT_TRUE(is_ack(c->post(main, "sista")));
    auto last = c->next_event_if([](const json::object& e) {
      return string_field(e, "type") == "message" && string_field(e, "text") == "sista";
    });
    ASSERT_TRUE(last);
    for (auto& e : c->take_events()) {
      EXPECT_NE(string_field(e, "room"), health) << "leaked into another room: " << str(e);
      if (string_field(e, "type") == "message") {
        EXPECT_EQ(string_field(e, "text"), "sista") << "a message twice or out of place: " << str(e);
      }
    }
  }
  EXPECT_TRUE(anna.bad_frames().empty() && bo.bad_frames().empty() && cecilia.bad_frames().empty());

  // A newcomer's join carries the history, oldest first.
  auto history = ws::messages_of(ws::fresh_join(server.port(), main));
  ASSERT_GE(history.size(), 2u);
  EXPECT_EQ(string_field(history[0], "text"), "Hej Bo! Välkommen 👋");
  EXPECT_EQ(string_field(history[1], "text"), "Tack, Anna!");
  for (std::size_t i = 0; i < history.size(); ++i)
    EXPECT_EQ(int_field(history[i], "seq"), static_cast<std::int64_t>(i + 1));
}

TEST(ws_chat, a_message_at_the_length_limit_in_code_points_is_accepted) {
  server_process server(chat_server());
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-long", "Long"));
  ASSERT_TRUE(is_ack(c.join(ws::room("main"))));
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "😀";  // 1000 code points, 4000 bytes
  auto p = c.post(ws::room("main"), text);
  ASSERT_TRUE(is_ack(p)) << "1000 code points must be accepted, got " << outcome(p);
  auto m = c.next_event("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(string_field(m, "text"), text);
}

TEST(ws_chat, a_retried_post_with_the_same_client_msg_id_is_stored_and_delivered_once) {
  server_process server(chat_server());
  const auto main = ws::room("main");
  ws_client anna, bo;
  ASSERT_NO_FATAL_FAILURE(enter(anna, server.port(), "u-anna", "Anna Svensson"));
  ASSERT_NO_FATAL_FAILURE(enter(bo, server.port(), "u-bo", "Bo Ek"));
  ASSERT_TRUE(is_ack(anna.join(main)));
  ASSERT_TRUE(is_ack(bo.join(main)));

  auto first = anna.post(main, "Bara en gång", "once-1");
  ASSERT_TRUE(is_ack(first)) << str(first);
  EXPECT_EQ(field(first, "result.duplicate"), false);
  auto again = anna.post(main, "Bara en gång", "once-1");
  ASSERT_TRUE(is_ack(again)) << str(again);
  EXPECT_EQ(field(again, "result.duplicate"), true) << str(again);
  EXPECT_EQ(int_field(again, "result.seq"), int_field(first, "result.seq"));
  EXPECT_EQ(int_field(again, "result.ts"), int_field(first, "result.ts"));

  // The same client_msg_id from the same user on a new connection (the resume rule: a post
  // without an ack is sent again) is the same message too.
  {
    ws_client anna2;
    ASSERT_NO_FATAL_FAILURE(enter(anna2, server.port(), "u-anna", "Anna Svensson"));
    ASSERT_TRUE(is_ack(anna2.join(main)));
    auto third = anna2.post(main, "Bara en gång", "once-1");
    ASSERT_TRUE(is_ack(third)) << str(third);
    EXPECT_EQ(field(third, "result.duplicate"), true) << str(third);
    EXPECT_EQ(int_field(third, "result.seq"), int_field(first, "result.seq"));
    anna2.close();
  }

  // client_msg_id is unique per sender: Bo using the same one posts a message of his own.
  auto bos = bo.post(main, "Mitt eget", "once-1");
  ASSERT_TRUE(is_ack(bos)) << str(bos);
  EXPECT_EQ(field(bos, "result.duplicate"), false) << str(bos);
  EXPECT_EQ(int_field(bos, "result.seq"), int_field(first, "result.seq") + 1)
      << "a duplicate must not use up a seq";

  // Both see Bo's message after exactly one "Bara en gång".
  for (auto* c : {&anna, &bo}) {
    ASSERT_TRUE(c->next_event_if([](const json::object& e) {
      return string_field(e, "type") == "message" && string_field(e, "text") == "Mitt eget";
    })) << "Bo's message did not arrive";
    int seen = 0;
    // Events are delivered in order: everything before Bo's message has arrived by now.
    for (auto& e : c->take_events())
      if (string_field(e, "type") == "message" && string_field(e, "text") == "Bara en gång") ++seen;
    EXPECT_EQ(seen, 1) << "the retried post was delivered " << seen << " times";
  }
  // next_event_if took Bo's message out first; the earlier messages were still buffered and
  // counted above. The store holds it once as well.
  int stored = 0;
  for (auto& m : ws::messages_of(ws::fresh_join(server.port(), main)))
    if (string_field(m, "client_msg_id") == "once-1" && string_field(m, "user.id") == "u-anna") ++stored;
  EXPECT_EQ(stored, 1);
}

TEST(ws_chat, a_retry_of_a_post_older_than_the_resume_window_is_still_a_duplicate_and_uses_no_seq) {
  server_process server(chat_server("resume_window = 10\n"));
  const auto main = ws::room("main");
  ws_client anna;
  ASSERT_NO_FATAL_FAILURE(enter(anna, server.port(), "u-anna", "Anna Svensson"));
  ASSERT_TRUE(is_ack(anna.join(main)));
  auto first = anna.post(main, "tidigt", "early-1");
  ASSERT_TRUE(is_ack(first)) << str(first);
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(is_ack(anna.post(main, "fyllnad " + std::to_string(i))));
  // seq 1 is now outside the window of 10 kept messages; the store still knows it.
  auto retry = anna.post(main, "tidigt", "early-1");
  ASSERT_TRUE(is_ack(retry)) << str(retry);
  EXPECT_EQ(field(retry, "result.duplicate"), true) << str(retry);
  EXPECT_EQ(int_field(retry, "result.seq"), int_field(first, "result.seq")) << str(retry);
  // "A room's seq increases by one for each stored message": the retry stored nothing.
  auto next = anna.post(main, "nästa");
  ASSERT_TRUE(is_ack(next)) << str(next);
  EXPECT_EQ(int_field(next, "result.seq"), 17) << "a duplicate used up a seq: " << str(next);
}

TEST(ws_chat, frames_sent_back_to_back_are_not_held_back_by_nagle) {
  // After a post the server writes two frames in a row to the sender: the ack and the
  // sender's own message event. Without TCP_NODELAY on the server's socket the second small
  // write waits for the client's delayed ACK of the first (about 40 ms on Linux).
  server_process server(chat_server());
  const auto main = ws::room("main");
  ws_client anna;
  ASSERT_NO_FATAL_FAILURE(enter(anna, server.port(), "u-anna", "Anna"));
  ASSERT_TRUE(is_ack(anna.join(main)));
  std::vector<double> gaps;
  for (int i = 0; i < 21; ++i) {
    auto p = anna.post(main, "ping " + std::to_string(i));
    ASSERT_TRUE(is_ack(p)) << str(p);
    auto acked = std::chrono::steady_clock::now();
    ASSERT_TRUE(anna.next_event_if([&](const json::object& e) { return int_field(e, "seq") == int_field(p, "result.seq"); }));
    gaps.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - acked).count());
  }
  std::sort(gaps.begin(), gaps.end());
  EXPECT_LT(gaps[gaps.size() / 2], 20.0) << "median ms from the ack to the sender's own message event";
}

}  // namespace
