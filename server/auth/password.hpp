#pragma once
// Staff passwords: the rules a new password must meet, and Argon2id hashes through libsodium
// (crypto_pwhash_str_alg). Nothing here is hand-rolled: the hash string is libsodium's own
// encoded form ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), which carries its parameters, so
// a hash made with other limits still verifies and needs_rehash() tells when to renew it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace samling::auth {

// Calls sodium_init() once (thread-safe, idempotent). False when libsodium cannot start (no
// entropy source); every other function here calls it and throws std::runtime_error then.
bool init_sodium();

// Argon2id's cost. The default is libsodium's INTERACTIVE (2 passes over 64 MiB, ~0.1 s on one
// core): sign-in runs on a small (2-core) server where MODERATE (256 MiB, ~1 s) per attempt
// would let a handful of concurrent sign-ins take all of its memory and seconds of CPU, and
// INTERACTIVE is what libsodium recommends for on-line sign-in. The limits are stored in each
// hash, so raising them later rehashes at the next successful sign-in (needs_rehash).
struct hash_limits {
  std::uint64_t opslimit;
  std::size_t memlimit;  // bytes

  static hash_limits interactive();  // the default: crypto_pwhash_*_INTERACTIVE
  static hash_limits minimum();      // crypto_pwhash_*_MIN: for tests only (fast, weak)
  friend bool operator==(const hash_limits&, const hash_limits&) = default;
};

// Bytes of UTF-8, not characters: a long passphrase is welcome, 256 bytes bounds the hashing
// input an unauthenticated request can send.
inline constexpr std::size_t min_password_bytes = 12;
inline constexpr std::size_t max_password_bytes = 256;

// Why `password` is not acceptable as a new password, one sentence per rule; nullopt when it
// is. Rules, checked in this order: valid UTF-8; at least 12 bytes; at most 256 bytes; not only
// white space; no control characters (a pasted newline or tab is a mistake, not a secret).
std::optional<std::string> password_problem(std::string_view password);

// An Argon2id hash string of `password` with a fresh random salt. Throws std::runtime_error
// when libsodium fails (out of memory for memlimit). Does not apply password_problem().
std::string hash_password(std::string_view password, hash_limits limits = hash_limits::interactive());

// True when `password` matches `hash` (constant-time inside libsodium); false on a mismatch
// and on a hash string libsodium does not recognise.
bool verify_password(const std::string& hash, std::string_view password);

// True when `hash` was made with limits other than `limits` (or is not an Argon2id hash), so it
// should be replaced by hash_password(password, limits) after a successful verify.
bool needs_rehash(const std::string& hash, hash_limits limits = hash_limits::interactive());

// `length` characters drawn uniformly (randombytes_uniform) from an alphabet without look-alike
// characters (no 0/O, 1/l/I): for a generated first password that is read off a terminal.
std::string generate_password(std::size_t length = 20);

}  // namespace samling::auth
