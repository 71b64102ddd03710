#include "rooms/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace samling::rooms {

std::optional<std::chrono::milliseconds> rate_limiter::take(const std::string& user,
                                                            clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= max_users_) forget_idle(now);
  auto [it, inserted] = buckets_.try_emplace(user, bucket{burst_, now});
  auto& b = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  double wait_s = (1.0 - b.tokens) / per_second_;
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_s * 1000.0)));
}

void rate_limiter::forget_idle(clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) it = buckets_.erase(it);
    else ++it;
  }
}

}  // namespace samling::rooms
