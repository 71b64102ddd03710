// The e-mail rule and its normalization (auth/account_store.hpp).
#include "auth/account_store.hpp"

#include <gtest/gtest.h>

namespace samling::auth {
namespace {

TEST(email, normalized_by_trimming_and_lower_casing) {
  EXPECT_EQ(normalize_email("  Anna.Svensson@Region-Stockholm.SE \t"), "anna.svensson@region-stockholm.se");
  EXPECT_EQ(normalize_email("ÅSA@example.org"), "Åsa@example.org");  // ASCII letters only
}

TEST(email, valid_addresses_pass) {
  EXPECT_EQ(email_problem("anna@example.org"), std::nullopt);
  EXPECT_EQ(email_problem("a.b+tag@sub.region.se"), std::nullopt);
  EXPECT_EQ(email_problem(std::string(240, 'a') + "@example.org"), std::nullopt);  // 252 bytes
}

TEST(email, each_refusal_says_why) {
  EXPECT_EQ(email_problem(""), "the e-mail address is empty");
  EXPECT_EQ(email_problem("anna.example.org"), "the e-mail address must contain exactly one @");
  EXPECT_EQ(email_problem("a@b@example.org"), "the e-mail address must contain exactly one @");
  EXPECT_EQ(email_problem("@example.org"), "the e-mail address has nothing before the @");
  const std::string no_dot = "the e-mail address's domain (after the @) needs a dot inside it, e.g. example.org";
  EXPECT_EQ(email_problem("anna@localhost"), no_dot);
  EXPECT_EQ(email_problem("anna@"), no_dot);
  EXPECT_EQ(email_problem("anna@.org"), no_dot);
  EXPECT_EQ(email_problem("anna@example."), no_dot);
  EXPECT_EQ(email_problem("anna svensson@example.org"),
            "the e-mail address must not contain spaces or control characters");
  EXPECT_EQ(email_problem(std::string(243, 'a') + "@example.org"),
            "the e-mail address is 255 bytes; at most 254 are allowed");
}

}  // namespace
}  // namespace samling::auth
