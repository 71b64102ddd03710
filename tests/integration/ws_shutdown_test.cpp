// Graceful shutdown with WebSockets open (docs/protocol.md, close code 1001): every connection
// gets a close frame with 1001 and the server exits 0.
#include <gtest/gtest.h>

#include <signal.h>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

TEST(ws_shutdown, sigterm_closes_websockets_with_1001_and_exits_0) {
  server_process::options o;
  o.env = ws::auth_env();
  server_process server(o);
  const auto main = ws::room("main");

  ws_client anna, bo, guest, silent;
  for (auto* c : {&anna, &bo, &guest, &silent})
    ASSERT_TRUE(c->connect(server.port())) << c->error() << " (HTTP " << c->handshake_status() << ")";
  ASSERT_TRUE(is_ack(anna.hello(ws::event_id, ws::token("u-anna", "Anna"))));
  ASSERT_TRUE(is_ack(bo.hello(ws::event_id, ws::token("u-bo", "Bo", "moderator"))));
  ASSERT_TRUE(is_ack(guest.hello_guest(ws::event_id, "Gäst")));
  for (auto* c : {&anna, &bo, &guest}) ASSERT_TRUE(is_ack(c->join(main)));
  ASSERT_TRUE(is_ack(anna.post(main, "Hej då")));
  // `silent` has not said hello yet: it is closed the same way.

  server.signal(SIGTERM);
  for (auto* c : {&anna, &bo, &guest, &silent}) {
    auto code = c->wait_closed(10s);
    EXPECT_EQ(code, 1001) << "ended: " << c->ended() << ", " << c->error();
  }
  EXPECT_EQ(server.wait_exit(10s), 0) << server.stderr_text();
}

TEST(ws_shutdown, a_client_that_is_not_reading_does_not_hold_up_the_exit) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[rooms]\nrate_burst = 1000\nrate_per_minute = 60000\ntext_max_chars = 10000\n";
  server_process server(o);
  const auto main = ws::room("main");
  ws_client writer, stuck;
  ASSERT_TRUE(writer.connect(server.port()));
  ws_client::options small;
  small.receive_buffer_bytes = 4096;
  ASSERT_TRUE(stuck.connect(server.port(), small));
  ASSERT_TRUE(is_ack(writer.hello(ws::event_id, ws::token("u-w", "W"))));
  ASSERT_TRUE(is_ack(stuck.hello(ws::event_id, ws::token("u-s", "S"))));
  ASSERT_TRUE(is_ack(writer.join(main)));
  ASSERT_TRUE(is_ack(stuck.join(main)));
  std::string text(9000, 'x');
  // Enough to fill the stuck client's TCP window and part of its send queue, not its bound.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(is_ack(writer.post(main, text)));
  server.signal(SIGTERM);
  EXPECT_EQ(writer.wait_closed(10s), 1001);
  // The stuck client's close frame waits behind a write that cannot finish; the server cuts it
  // (within its 5 s close deadline) or it gets its 1001, and exits 0 either way.
  EXPECT_EQ(server.wait_exit(15s), 0) << server.stderr_text();
}

}  // namespace
