// Graceful shutdown on SIGTERM/SIGINT: stop accepting, finish in-flight requests within the
// grace period, close the store, exit 0.
#include <gtest/gtest.h>

#include <signal.h>

#include "harness.hpp"

using namespace samling::testing;

namespace {

TEST(shutdown, sigterm_on_an_idle_server_exits_0) {
  server_process server;
  connection idle(server.port());  // an idle keep-alive connection must not hold shutdown up
  ASSERT_TRUE(idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(4s), 0) << server.stderr_text();
  EXPECT_TRUE(idle.wait_closed(1s));
  EXPECT_NE(server.stderr_text().find("stopped"), std::string::npos);
}

TEST(shutdown, sigint_exits_0) {
  server_process server;
  server.signal(SIGINT);
  EXPECT_EQ(server.wait_exit(4s), 0) << server.stderr_text();
}

TEST(shutdown, an_in_flight_request_finishes_and_new_connections_are_refused) {
  server_process server;
  connection in_flight(server.port());
  ASSERT_TRUE(in_flight.send("GET /api/v1/events HTTP/1.1\r\nHost: x\r\n"));  // not finished
  // The server has read it once two requests are in progress (that one and /metrics itself).
  ASSERT_TRUE(eventually([&] { return metric(server.port(), "samling_http_requests_in_progress") >= 2; }));

  server.signal(SIGTERM);
  ASSERT_TRUE(eventually([&] { return !connection(server.port()).connected(); }, 5s))
      << "still accepting after SIGTERM";
  ASSERT_TRUE(in_flight.send("Accept: application/json\r\n\r\n"));
  auto r = in_flight.read_response(5s);
  ASSERT_TRUE(r) << "in-flight request was dropped";
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"events\""), std::string::npos);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_EQ(server.wait_exit(5s), 0) << server.stderr_text();
}

TEST(shutdown, a_request_that_never_finishes_is_cut_after_the_grace_period) {
  server_process::options o;
  o.extra_toml = "[server.limits]\nshutdown_grace_seconds = 1\nrequest_timeout_seconds = 60\n";
  server_process server(o);
  connection stuck(server.port());
  ASSERT_TRUE(stuck.send("GET /healthz HTTP/1.1\r\n"));
  ASSERT_TRUE(eventually([&] { return metric(server.port(), "samling_http_requests_in_progress") >= 2; }));
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(5s), 0) << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("shutdown_grace_expired"), std::string::npos);
  EXPECT_TRUE(stuck.wait_closed(1s));
}

TEST(shutdown, a_second_signal_ends_the_drain_at_once) {
  server_process::options o;
  o.extra_toml = "[server.limits]\nshutdown_grace_seconds = 60\nrequest_timeout_seconds = 60\n";
  server_process server(o);
  connection stuck(server.port());
  ASSERT_TRUE(stuck.send("GET /healthz HTTP/1.1\r\n"));
  ASSERT_TRUE(eventually([&] { return metric(server.port(), "samling_http_requests_in_progress") >= 2; }));
  server.signal(SIGTERM);
  ASSERT_TRUE(eventually([&] { return !connection(server.port()).connected(); }, 5s));
  server.signal(SIGINT);
  EXPECT_EQ(server.wait_exit(5s), 0) << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("shutdown_forced"), std::string::npos);
}

}  // namespace
