#include "auth/staff_session.hpp"

#include <algorithm>
#include <deque>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "auth/token.hpp"

namespace samling::auth {

session_verdict check_session(const staff_session& s, std::int64_t now, const session_limits& limits,
                              std::string_view user_agent) {
  if (now >= s.expires_at) return session_verdict::expired;
  if (now - s.last_seen >= limits.idle_seconds) return session_verdict::idle_expired;
  if (user_agent_family(user_agent) != user_agent_family(s.user_agent)) return session_verdict::agent_changed;
  return session_verdict::valid;
}

std::string user_agent_family(std::string_view user_agent) {
  std::string out;
  out.reserve(user_agent.size());
  for (char c : user_agent)
    if (!(c >= '0' && c <= '9') && c != '.') out += c;
  return out;
}

std::optional<std::int64_t> locked_until(std::vector<std::int64_t> failures, std::int64_t now,
                                         const lockout_policy& p) {
  std::sort(failures.begin(), failures.end());
  std::optional<std::int64_t> lock_end;
  std::deque<std::int64_t> counted;  // failures since the last lock, within the window
  for (auto f : failures) {
    if (lock_end && f < *lock_end) continue;  // tries while locked are refused, not counted
    counted.push_back(f);
    while (!counted.empty() && counted.front() <= f - p.window_seconds) counted.pop_front();
    if (static_cast<int>(counted.size()) >= p.max_failures) {
      lock_end = f + p.lock_seconds;
      counted.clear();
    }
  }
  if (lock_end && now < *lock_end) return lock_end;
  return std::nullopt;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (auto b : digest) {
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;  // the length of a random token is no secret
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string new_secret() { return random_secret(); }

}  // namespace samling::auth
