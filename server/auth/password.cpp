#include "auth/password.hpp"

#include <sodium.h>

#include <stdexcept>

#include "core/utf8.hpp"

namespace samling::auth {
namespace {

void require_sodium() {
  if (!init_sodium()) throw std::runtime_error("libsodium could not be initialised (sodium_init)");
}

bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f'; }

}  // namespace

bool init_sodium() {
  // sodium_init: 0 on success, 1 when already initialised, -1 on failure.
  static const bool ok = sodium_init() >= 0;
  return ok;
}

hash_limits hash_limits::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

hash_limits hash_limits::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

std::optional<std::string> password_problem(std::string_view password) {
  if (!core::utf8_length(password)) return "the password is not valid UTF-8";
  if (password.size() < min_password_bytes) {
    return "the password is " + std::to_string(password.size()) + " bytes; at least " +
           std::to_string(min_password_bytes) + " are needed";
  }
  if (password.size() > max_password_bytes) {
    return "the password is " + std::to_string(password.size()) + " bytes; at most " +
           std::to_string(max_password_bytes) + " are allowed";
  }
  bool all_space = true;
  for (char ch : password) all_space = all_space && is_space(ch);
  if (all_space) return "the password must not be only white space";
  for (char ch : password) {
    auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) return "the password must not contain control characters (tab, newline, ...)";
  }
  return std::nullopt;
}

std::string hash_password(std::string_view password, hash_limits limits) {
  require_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), limits.opslimit, limits.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("Argon2id hashing failed (out of memory for " +
                             std::to_string(limits.memlimit) + " bytes?)");
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, std::string_view password) {
  require_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash, hash_limits limits) {
  require_sodium();
  // 0: matches; 1: other limits; -1: not a hash of this algorithm family. Anything but 0 renews.
  return crypto_pwhash_str_needs_rehash(hash.c_str(), limits.opslimit, limits.memlimit) != 0 ||
         !hash.starts_with("$argon2id$");
}

std::string generate_password(std::size_t length) {
  require_sodium();
  static constexpr std::string_view alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    out += alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
  }
  return out;
}

}  // namespace samling::auth
