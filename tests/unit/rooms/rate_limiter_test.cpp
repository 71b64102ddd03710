#include "rooms/rate_limiter.hpp"

#include <gtest/gtest.h>

using namespace samling::rooms;
using namespace std::chrono_literals;

TEST(rate_limiter, allows_a_burst_then_says_when_to_retry) {
  rate_limiter limiter(3, 60);  // 3 at once, then one a second
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.take("anna", t0)) << i;
  auto wait = limiter.take("anna", t0);
  ASSERT_TRUE(wait);
  EXPECT_EQ(wait->count(), 1000);
  EXPECT_FALSE(limiter.take("anna", t0 + 1s)) << "one token back after a second";
  EXPECT_TRUE(limiter.take("anna", t0 + 1s));
}

TEST(rate_limiter, users_have_separate_budgets) {
  rate_limiter limiter(1, 60);
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  EXPECT_FALSE(limiter.take("anna", t0));
  EXPECT_TRUE(limiter.take("anna", t0));
  EXPECT_FALSE(limiter.take("bertil", t0));
}

TEST(rate_limiter, refills_to_the_burst_and_no_further) {
  rate_limiter limiter(2, 60);
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  EXPECT_FALSE(limiter.take("anna", t0));
  auto later = t0 + 1h;
  EXPECT_FALSE(limiter.take("anna", later));
  EXPECT_FALSE(limiter.take("anna", later));
  EXPECT_TRUE(limiter.take("anna", later));
}

TEST(rate_limiter, forgets_idle_users_when_the_table_is_full) {
  rate_limiter limiter(1, 60, 10);
  auto t0 = rate_limiter::clock::time_point{} + 1h;
  for (int i = 0; i < 10; ++i) limiter.take("u" + std::to_string(i), t0);
  // All ten are refilled an hour later: adding an eleventh forgets them instead of growing.
  EXPECT_FALSE(limiter.take("new", t0 + 1h));
  EXPECT_FALSE(limiter.take("u0", t0 + 1h)) << "a forgotten user starts with a full bucket";
}
