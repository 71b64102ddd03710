// The write scheduler (net/ws_flusher.hpp): a requested flush runs right after the calling
// handler, with no timer; held flushes run at their due time; the load meter reports the rate
// of the last complete window and forgets it after silence.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "net/ws_flusher.hpp"

using namespace samling::net;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

struct counting_target : ws_flush_target {
  int flushes = 0;
  clock_type::time_point last{};
  void flush() override {
    ++flushes;
    last = clock_type::now();
  }
};

}  // namespace

TEST(rate_meter, reports_the_last_complete_window) {
  rate_meter m(100ms);
  auto t0 = clock_type::time_point(10s);
  m.add(1, t0);
  EXPECT_EQ(m.per_second(t0), 0) << "no window has completed yet";
  for (int i = 1; i <= 99; ++i) m.add(10, t0 + std::chrono::milliseconds(i));
  m.add(1, t0 + 100ms);  // closes the first window: 1 + 990 frames in 100 ms
  EXPECT_NEAR(m.per_second(t0 + 100ms), 9910, 1);
  // Two silent windows later the rate is stale: nothing was counted.
  EXPECT_NEAR(m.per_second(t0 + 250ms), 9910, 1);
  EXPECT_EQ(m.per_second(t0 + 301ms), 0);
  // A lone frame after a long silence closes a window spanning the silence: a low rate.
  m.add(1, t0 + 10s);
  EXPECT_LT(m.per_second(t0 + 10s), 1);
}

TEST(ws_flusher, a_request_runs_after_the_calling_handler_without_a_timer) {
  boost::asio::io_context ioc;
  auto flusher = std::make_shared<ws_flusher>(ioc.get_executor(), 50ms, 1000);
  std::vector<std::shared_ptr<counting_target>> targets;
  for (int i = 0; i < 600; ++i) targets.push_back(std::make_shared<counting_target>());
  bool handler_done = false;
  int flushed_during_handler = 0;
  boost::asio::post(ioc, [&] {
    for (auto& t : targets) flusher->request(t);
    for (auto& t : targets) flushed_during_handler += t->flushes;
    handler_done = true;
  });
  auto start = clock_type::now();
  ioc.run();
  EXPECT_TRUE(handler_done);
  EXPECT_EQ(flushed_during_handler, 0) << "the pass runs after the handler, not inside it";
  for (auto& t : targets) EXPECT_EQ(t->flushes, 1);
  EXPECT_LT(clock_type::now() - start, 40ms) << "no batch window on a requested flush";
}

TEST(ws_flusher, held_targets_are_flushed_at_their_due_time) {
  boost::asio::io_context ioc;
  auto flusher = std::make_shared<ws_flusher>(ioc.get_executor(), 50ms, 1000);
  auto early = std::make_shared<counting_target>();
  auto late = std::make_shared<counting_target>();
  auto start = clock_type::now();
  flusher->hold(late, start + 60ms);
  flusher->hold(early, start + 20ms);  // re-arms the timer earlier
  ioc.run();
  ASSERT_EQ(early->flushes, 1);
  ASSERT_EQ(late->flushes, 1);
  EXPECT_GE(early->last - start, 19ms);
  EXPECT_GE(late->last - start, 59ms);
  EXPECT_LT(early->last, late->last);
}

TEST(ws_flusher, busy_only_above_the_threshold_and_never_with_a_zero_window) {
  boost::asio::io_context ioc;
  auto flusher = std::make_shared<ws_flusher>(ioc.get_executor(), 50ms, 1000);
  auto never = std::make_shared<ws_flusher>(ioc.get_executor(), 0ms, 1000);
  auto t0 = clock_type::time_point(100s);
  for (int i = 0; i <= 100; ++i) {
    flusher->count_events(50, t0 + std::chrono::milliseconds(i));  // 50,000/s
    never->count_events(50, t0 + std::chrono::milliseconds(i));
  }
  EXPECT_TRUE(flusher->busy(t0 + 100ms));
  EXPECT_FALSE(never->busy(t0 + 100ms));
  auto quiet = std::make_shared<ws_flusher>(ioc.get_executor(), 50ms, 1000);
  for (int i = 0; i <= 100; i += 10) quiet->count_events(1, t0 + std::chrono::milliseconds(i));  // 100/s
  EXPECT_FALSE(quiet->busy(t0 + 100ms));
}
