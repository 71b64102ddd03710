#pragma once
// Ids of questions and polls: "q-"/"p-" + 12 random hex digits. Unique, not secret (they are
// shown to everyone in the room), so a per-thread PRNG seeded from the OS is enough; the store's
// primary key refuses the astronomically unlikely repeat.
#include <random>
#include <string>
#include <string_view>

namespace samling::qa {

inline std::string random_id(std::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(prefix);
  auto bits = rng();
  for (int i = 0; i < 12; ++i, bits >>= 4) out += digits[bits & 0xF];
  return out;
}

}  // namespace samling::qa
