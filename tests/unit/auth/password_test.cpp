// Argon2id through libsodium: what verifies, what does not, salts, rehash on changed limits,
// and the rules a new password must meet. Hashes use the minimum limits to stay fast, except
// the one test that checks the default's parameters.
#include "auth/password.hpp"

#include <gtest/gtest.h>

#include <set>

namespace samling::auth {
namespace {

const hash_limits fast = hash_limits::minimum();

TEST(password, sodium_initialises) { EXPECT_TRUE(init_sodium()); }

TEST(password, the_right_password_verifies_and_a_wrong_one_does_not) {
  const std::string hash = hash_password("correct horse battery staple", fast);
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$")) << hash;
  EXPECT_TRUE(verify_password(hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(hash, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(hash, "Correct horse battery staple"));
  EXPECT_FALSE(verify_password(hash, ""));
}

TEST(password, two_hashes_of_one_password_differ_and_both_verify) {
  const std::string a = hash_password("same passphrase twice", fast);
  const std::string b = hash_password("same passphrase twice", fast);
  EXPECT_NE(a, b);  // a fresh random salt each time
  EXPECT_TRUE(verify_password(a, "same passphrase twice"));
  EXPECT_TRUE(verify_password(b, "same passphrase twice"));
}

TEST(password, a_garbled_hash_verifies_nothing) {
  EXPECT_FALSE(verify_password("", "anything at all"));
  EXPECT_FALSE(verify_password("$argon2id$v=19$m=garbage", "anything at all"));
  EXPECT_TRUE(needs_rehash("not a hash"));
}

TEST(password, the_default_is_libsodiums_interactive_argon2id) {
  const std::string hash = hash_password("a default-cost passphrase");
  // INTERACTIVE: 64 MiB (m is in KiB), 2 passes.
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << hash;
  EXPECT_FALSE(needs_rehash(hash));
  EXPECT_TRUE(verify_password(hash, "a default-cost passphrase"));
}

TEST(password, needs_rehash_when_the_limits_change) {
  const std::string hash = hash_password("rehash me when costs rise", fast);
  EXPECT_FALSE(needs_rehash(hash, fast));
  EXPECT_TRUE(needs_rehash(hash, hash_limits::interactive()));
  EXPECT_TRUE(needs_rehash(hash, {fast.opslimit + 1, fast.memlimit}));
  // The old hash still verifies: its parameters travel with it.
  EXPECT_TRUE(verify_password(hash, "rehash me when costs rise"));
}

TEST(password, rules_accept_long_passphrases_and_utf8) {
  EXPECT_EQ(password_problem("twelve bytes"), std::nullopt);
  EXPECT_EQ(password_problem("Ålands skärgård är vacker"), std::nullopt);
  EXPECT_EQ(password_problem(std::string(256, 'p')), std::nullopt);
}

TEST(password, rules_refuse_each_with_its_own_reason) {
  EXPECT_EQ(password_problem("eleven byte"), "the password is 11 bytes; at least 12 are needed");
  EXPECT_EQ(password_problem(""), "the password is 0 bytes; at least 12 are needed");
  EXPECT_EQ(password_problem(std::string(257, 'p')),
            "the password is 257 bytes; at most 256 are allowed");
  EXPECT_EQ(password_problem(std::string(20, ' ')), "the password must not be only white space");
  EXPECT_EQ(password_problem("tab\tinside the password"),
            "the password must not contain control characters (tab, newline, ...)");
  EXPECT_EQ(password_problem("bad \xff utf-8 password"), "the password is not valid UTF-8");
  EXPECT_EQ(password_problem("overlong \xc0\xaf slash here"), "the password is not valid UTF-8");
  // Bytes, not characters: six two-byte letters are 12 bytes.
  EXPECT_EQ(password_problem("åäöåäö"), std::nullopt);
  EXPECT_EQ(password_problem("åäöåä"), "the password is 10 bytes; at least 12 are needed");
}

TEST(password, generated_passwords_use_the_readable_alphabet_and_differ) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string p = generate_password();
    ASSERT_EQ(p.size(), 20u);
    EXPECT_EQ(p.find_first_of("0O1lI"), std::string::npos) << p;
    for (char ch : p) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch))) << p;
    EXPECT_EQ(password_problem(p), std::nullopt);
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 50u);
}

}  // namespace
}  // namespace samling::auth
