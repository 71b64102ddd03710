#pragma once
// Capped exponential backoff with jitter, for reconnecting relay destinations (RTMP/SRT
// outputs that drop). Jitter keeps many destinations that failed together (a network blip)
// from retrying in lockstep. Pure: the caller owns the timer; deterministic given a seed.
#include <chrono>
#include <cstdint>
#include <random>

namespace samling::media {

enum class jitter_kind {
  // base * (1 ± jitter), uniformly: the delay stays near the exponential curve.
  proportional,
  // uniform in [0, base] ("full jitter"): spreads retries the most; `jitter` is unused.
  full,
  // base/2 + uniform in [0, base/2] ("equal jitter"): never retries immediately; `jitter`
  // is unused.
  equal,
};

struct backoff_policy {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{30000};
  double multiplier = 2.0;
  double jitter = 0.2;  // ±20% for jitter_kind::proportional
  jitter_kind kind = jitter_kind::proportional;
};

class backoff {
 public:
  // Deterministic given `seed` (std::mt19937_64). Out-of-range policy values are clamped, not
  // rejected: initial and max to >= 0, max to >= initial, multiplier to >= 1 (NaN → 1),
  // jitter to [0, 1] (NaN → 0).
  backoff(backoff_policy p, std::uint64_t seed);

  // The delay before the next attempt, and counts the attempt. The n-th call (from 0) has
  // the base initial * multiplier^n, capped at max, then jittered: never below 0, never above
  // max * (1 + jitter) (for full and equal jitter never above max).
  std::chrono::milliseconds next();

  // After a connection stayed healthy: the next delay is back to `initial`.
  void reset() { attempts_ = 0; }

  // How many delays next() has handed out since construction or the last reset().
  int attempts() const { return attempts_; }

  const backoff_policy& policy() const { return policy_; }

 private:
  double base_ms() const;
  double jittered_ms(double base);
  double uniform01();  // [0, 1), from the raw engine output: identical on every platform

  backoff_policy policy_;
  std::mt19937_64 rng_;
  int attempts_ = 0;
};

}  // namespace samling::media
