// Viewers per stage (api/hls_viewers.hpp) with a clock the test moves: distinct clients by
// address and User-Agent, the 30 s window, the bound on memory.
#include "api/hls_viewers.hpp"

#include <gtest/gtest.h>

#include <string>

using samling::api::hls_viewers;
using namespace std::chrono_literals;

namespace {

struct fake_clock {
  hls_viewers::clock::time_point t{std::chrono::hours(1)};
  auto fn() {
    return [this] { return t; };
  }
};

TEST(hls_viewers, counts_distinct_clients_by_address_and_user_agent) {
  fake_clock clock;
  hls_viewers v({"main", "seminar"}, 30s, 100000, clock.fn());
  EXPECT_EQ(v.count("main"), 0u);
  v.seen("main", "10.0.0.1:5000", "Firefox");
  v.seen("main", "10.0.0.1:5001", "Firefox");  // another connection of the same client
  v.seen("main", "10.0.0.1:5002", "Firefox");
  EXPECT_EQ(v.count("main"), 1u);
  v.seen("main", "10.0.0.1:5003", "Safari");  // same address, another browser
  v.seen("main", "10.0.0.2:5000", "Firefox");  // another address
  v.seen("main", "[::1]:6000", "Firefox");
  EXPECT_EQ(v.count("main"), 4u);
  EXPECT_EQ(v.count("seminar"), 0u) << "each stage counts its own clients";
  v.seen("seminar", "10.0.0.1:5000", "Firefox");
  EXPECT_EQ(v.count("seminar"), 1u);
  auto all = v.counts();
  EXPECT_EQ(all["main"], 4u);
  EXPECT_EQ(all["seminar"], 1u);
}

TEST(hls_viewers, a_client_counts_for_30_seconds_after_its_last_request) {
  fake_clock clock;
  hls_viewers v({"main"}, 30s, 100000, clock.fn());
  v.seen("main", "10.0.0.1:1", "A");
  clock.t += 20s;
  v.seen("main", "10.0.0.2:1", "B");
  EXPECT_EQ(v.count("main"), 2u);
  clock.t += 9s;  // A at 29 s
  EXPECT_EQ(v.count("main"), 2u);
  clock.t += 1s;  // A at 30 s: gone; B at 10 s
  EXPECT_EQ(v.count("main"), 1u);
  v.seen("main", "10.0.0.2:2", "B");  // B polls again: its 30 s start over
  clock.t += 29s;
  EXPECT_EQ(v.count("main"), 1u);
  clock.t += 1s;
  EXPECT_EQ(v.count("main"), 0u);
  v.seen("main", "10.0.0.1:1", "A");  // a viewer back after a while counts again
  EXPECT_EQ(v.count("main"), 1u);
}

TEST(hls_viewers, the_table_is_bounded_and_makes_room_as_clients_expire) {
  fake_clock clock;
  hls_viewers v({"main"}, 30s, 3, clock.fn());
  for (int i = 0; i < 10; ++i) v.seen("main", "10.0.0.1:1", "UA " + std::to_string(i));
  EXPECT_EQ(v.count("main"), 3u) << "at most max_clients are kept";
  v.seen("main", "10.0.0.1:1", "new");
  EXPECT_EQ(v.count("main"), 3u) << "full: a new client is not counted";
  clock.t += 29s;
  v.seen("main", "10.0.0.1:1", "UA 0");  // a known client still refreshes
  clock.t += 1s;
  EXPECT_EQ(v.count("main"), 1u) << "the others expired; count() swept them";
  v.seen("main", "10.0.0.1:1", "new");  // room again
  v.seen("main", "10.0.0.1:1", "newer");
  v.seen("main", "10.0.0.1:1", "newest");
  EXPECT_EQ(v.count("main"), 3u);
}

TEST(hls_viewers, unknown_stages_are_ignored) {
  fake_clock clock;
  hls_viewers v({"main"}, 30s, 100, clock.fn());
  v.seen("nope", "10.0.0.1:1", "A");
  EXPECT_EQ(v.count("nope"), 0u);
  EXPECT_EQ(v.counts().size(), 1u);
}

}  // namespace
