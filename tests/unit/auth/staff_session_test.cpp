// The rules of staff sessions (auth/staff_session.hpp) with an injected clock: idle and absolute
// expiry, the browser binding, the lock-out window, and the hashing and comparison helpers.
#include "auth/staff_session.hpp"

#include <gtest/gtest.h>

namespace samling::auth {
namespace {

const std::string firefox_128 = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const std::string firefox_129 = "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0";
const std::string chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

staff_session session_at(std::int64_t t) {
  return staff_session{.id_hash = "h", .account_id = "a-1", .csrf = "c", .created_at = t, .last_seen = t,
                       .expires_at = t + 7 * 24 * 3600, .user_agent = firefox_128, .remote = "127.0.0.1"};
}

TEST(check_session, valid_until_idle_or_absolute_end) {
  session_limits limits{.idle_seconds = 3600, .max_seconds = 7 * 24 * 3600};
  auto s = session_at(1000);
  EXPECT_EQ(check_session(s, 1000, limits, firefox_128), session_verdict::valid);
  EXPECT_EQ(check_session(s, 1000 + 3599, limits, firefox_128), session_verdict::valid);
  EXPECT_EQ(check_session(s, 1000 + 3600, limits, firefox_128), session_verdict::idle_expired);
  // Used every half hour, it still ends at its absolute lifetime.
  s.last_seen = s.expires_at - 10;
  EXPECT_EQ(check_session(s, s.expires_at - 1, limits, firefox_128), session_verdict::valid);
  EXPECT_EQ(check_session(s, s.expires_at, limits, firefox_128), session_verdict::expired);
}

TEST(check_session, a_browser_update_keeps_the_session_another_browser_does_not) {
  session_limits limits;
  auto s = session_at(1000);
  EXPECT_EQ(check_session(s, 1001, limits, firefox_129), session_verdict::valid);
  EXPECT_EQ(check_session(s, 1001, limits, chrome), session_verdict::agent_changed);
  EXPECT_EQ(check_session(s, 1001, limits, "curl/8.5.0"), session_verdict::agent_changed);
  EXPECT_EQ(check_session(s, 1001, limits, ""), session_verdict::agent_changed);
  EXPECT_EQ(user_agent_family("Firefox/128.0.3"), "Firefox/");
}

TEST(locked_until, the_tenth_failure_within_the_window_locks_for_the_lock_time) {
  lockout_policy p{.max_failures = 10, .window_seconds = 900, .lock_seconds = 900};
  std::vector<std::int64_t> f;
  for (int i = 0; i < 9; ++i) f.push_back(1000 + i * 60);
  EXPECT_EQ(locked_until(f, 1600, p), std::nullopt);
  f.push_back(1600);
  EXPECT_EQ(locked_until(f, 1600, p), 2500);
  EXPECT_EQ(locked_until(f, 2499, p), 2500);
  EXPECT_EQ(locked_until(f, 2500, p), std::nullopt) << "the lock ends";
}

TEST(locked_until, failures_spread_wider_than_the_window_do_not_lock) {
  lockout_policy p{.max_failures = 10, .window_seconds = 900, .lock_seconds = 900};
  std::vector<std::int64_t> f;
  for (int i = 0; i < 20; ++i) f.push_back(1000 + i * 100);  // at most 9 in any 900 s
  EXPECT_EQ(locked_until(f, 3000, p), std::nullopt);
}

TEST(locked_until, after_a_lock_the_count_starts_again) {
  lockout_policy p{.max_failures = 3, .window_seconds = 900, .lock_seconds = 600};
  // Three failures lock until 1610; one more after the lock does not lock again at once.
  std::vector<std::int64_t> f{1000, 1005, 1010, 1700};
  EXPECT_EQ(locked_until(f, 1700, p), std::nullopt);
  f.push_back(1710);
  f.push_back(1720);
  EXPECT_EQ(locked_until(f, 1720, p), 2320);
  // Order does not matter.
  std::vector<std::int64_t> shuffled{1720, 1005, 1700, 1000, 1710, 1010};
  EXPECT_EQ(locked_until(shuffled, 1720, p), 2320);
}

TEST(locked_until, the_per_address_limit_is_several_accounts_worth) {
  lockout_policy p;
  EXPECT_EQ(remote_failure_limit(p), 50);
}

TEST(staff_session_helpers, sha256_secrets_and_comparison) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto a = new_secret();
  auto b = new_secret();
  EXPECT_EQ(a.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_NE(a, b);
  EXPECT_TRUE(constant_time_equal(a, a));
  EXPECT_FALSE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, a.substr(1)));
  EXPECT_FALSE(constant_time_equal("", a));
}

}  // namespace
}  // namespace samling::auth
