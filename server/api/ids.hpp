#pragma once
// Identifiers the API hands out (sessions, guest and demo user ids): unique, not secret, so a
// per-thread PRNG seeded from the OS is enough.
#include <random>
#include <string>

namespace samling::api {

// `bytes` random bytes as lower-case hex.
inline std::string random_hex(std::size_t bytes) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    auto b = rng() & 0xFF;
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
  return out;
}

}  // namespace samling::api
