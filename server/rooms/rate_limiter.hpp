#pragma once
// Per-user token bucket for posts: `burst` posts at once, refilled at `per_minute`. Shared by
// every room and session of the process (a user with three tabs has one budget). Thread-safe.
// Bounded: idle users (full buckets) are forgotten when the table grows past max_users.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace samling::rooms {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;
  rate_limiter(double burst, double per_minute, std::size_t max_users = 100000)
      : burst_(burst), per_second_(per_minute / 60.0), max_users_(max_users) {}

  // Takes one token for `user`. nullopt when allowed; otherwise how long until a token is back.
  std::optional<std::chrono::milliseconds> take(const std::string& user, clock::time_point now);

 private:
  struct bucket {
    double tokens;
    clock::time_point updated;
  };
  void forget_idle(clock::time_point now);

  const double burst_;
  const double per_second_;
  const std::size_t max_users_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
};

}  // namespace samling::rooms
