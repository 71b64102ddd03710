#include "media/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace samling::media {

namespace {

backoff_policy sanitized(backoff_policy p) {
  using std::chrono::milliseconds;
  p.initial = std::max(p.initial, milliseconds{0});
  p.max = std::max(p.max, p.initial);
  p.multiplier = std::isnan(p.multiplier) ? 1.0 : std::max(p.multiplier, 1.0);
  p.jitter = std::isnan(p.jitter) ? 0.0 : std::clamp(p.jitter, 0.0, 1.0);
  return p;
}

}  // namespace

backoff::backoff(backoff_policy p, std::uint64_t seed) : policy_(sanitized(p)), rng_(seed) {}

// initial * multiplier^n, capped. pow() overflowing to infinity just hits the cap.
double backoff::base_ms() const {
  double initial = static_cast<double>(policy_.initial.count());
  double max = static_cast<double>(policy_.max.count());
  return std::min(initial * std::pow(policy_.multiplier, attempts_), max);
}

double backoff::uniform01() {
  // The top 53 bits as a double in [0, 1). std::uniform_real_distribution would do, but its
  // algorithm differs between standard libraries, and tests pin sequences to a seed.
  return static_cast<double>(rng_() >> 11) * 0x1.0p-53;
}

double backoff::jittered_ms(double base) {
  switch (policy_.kind) {
    case jitter_kind::full: return base * uniform01();
    case jitter_kind::equal: return base / 2 + base / 2 * uniform01();
    case jitter_kind::proportional: break;
  }
  return base * (1.0 - policy_.jitter + 2.0 * policy_.jitter * uniform01());
}

std::chrono::milliseconds backoff::next() {
  double delay = jittered_ms(base_ms());
  // Saturate rather than overflow after ~2^31 failures; the base is long capped by then.
  if (attempts_ < std::numeric_limits<int>::max()) ++attempts_;
  // Rounding down keeps the result within the documented bounds; 9e18 keeps an absurd
  // `max` from overflowing the conversion.
  double upper = static_cast<double>(policy_.max.count()) * (1.0 + policy_.jitter);
  delay = std::clamp(std::floor(delay), 0.0, std::min(std::floor(upper), 9.0e18));
  return std::chrono::milliseconds{static_cast<std::int64_t>(delay)};
}

}  // namespace samling::media
