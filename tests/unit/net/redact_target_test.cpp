// redact_target: request targets go to the logs with the `token` query parameter's value hidden.
#include "net/router.hpp"

#include <gtest/gtest.h>

using samling::net::redact_target;

TEST(redact_target, token_value_is_replaced) {
  EXPECT_EQ(redact_target("/x?token=abc"), "/x?token=REDACTED");
  EXPECT_EQ(redact_target("/api/v1/stages/main/recordings/a.ts?token=eyJhbGciOi.xyz.sig"),
            "/api/v1/stages/main/recordings/a.ts?token=REDACTED");
}

TEST(redact_target, other_parameters_are_kept_in_order) {
  EXPECT_EQ(redact_target("/x?a=1&token=secret&b=2"), "/x?a=1&token=REDACTED&b=2");
  EXPECT_EQ(redact_target("/x?token=secret&z=9&a=1"), "/x?token=REDACTED&z=9&a=1");
  EXPECT_EQ(redact_target("/x?b=2&a=1"), "/x?b=2&a=1");
}

TEST(redact_target, without_query_unchanged) {
  EXPECT_EQ(redact_target("/x"), "/x");
  EXPECT_EQ(redact_target("/"), "/");
  EXPECT_EQ(redact_target("/live/main/index.m3u8"), "/live/main/index.m3u8");
  EXPECT_EQ(redact_target(""), "");
}

TEST(redact_target, similar_names_are_not_redacted) {
  EXPECT_EQ(redact_target("/x?tokens=1"), "/x?tokens=1");
  EXPECT_EQ(redact_target("/x?mytoken=1&token_type=2"), "/x?mytoken=1&token_type=2");
}

TEST(redact_target, several_token_parameters_are_all_redacted) {
  EXPECT_EQ(redact_target("/x?token=a&token=b"), "/x?token=REDACTED&token=REDACTED");
  EXPECT_EQ(redact_target("/x?token=a&q=1&token=b"), "/x?token=REDACTED&q=1&token=REDACTED");
}

TEST(redact_target, the_secret_never_survives) {
  const std::string secret = "s3cr3t-value-123";
  for (const std::string& t : std::vector<std::string>{"/x?token=" + secret, "/x?a=1&token=" + secret, "/x?token=" + secret + "&a=1",
                              "/x?token=" + secret + "&token=" + secret}) {
    EXPECT_EQ(redact_target(t).find(secret), std::string::npos) << t;
  }
}

TEST(redact_target, empty_token_and_empty_query) {
  EXPECT_EQ(redact_target("/x?token="), "/x?token=REDACTED");
  EXPECT_EQ(redact_target("/x?"), "/x?");
}

TEST(redact_target, an_invitation_token_in_the_path_is_replaced) {
  EXPECT_EQ(redact_target("/api/v1/invitations/abcDEF_123"), "/api/v1/invitations/REDACTED");
  EXPECT_EQ(redact_target("/api/v1/invitations/abcDEF_123/accept"), "/api/v1/invitations/REDACTED/accept");
  EXPECT_EQ(redact_target("/api/v1/invitations/abc?token=x"), "/api/v1/invitations/REDACTED?token=REDACTED");
  EXPECT_EQ(redact_target("/api/v1/events/e/invitations"), "/api/v1/events/e/invitations");
}

// Press grants and segments' viewer tokens (issue 18) are credentials too.
TEST(redact_target, press_grants_and_viewer_tokens_are_redacted) {
  EXPECT_EQ(redact_target("/live/p/index.m3u8?grant=g1.k1.payload.sig&device=abcdefgh"),
            "/live/p/index.m3u8?grant=REDACTED&device=abcdefgh");
  EXPECT_EQ(redact_target("/live/p/x-00001.ts?v=v1.k1.AAAA.BBBB"), "/live/p/x-00001.ts?v=REDACTED");
  EXPECT_EQ(redact_target("/x?view=1&grants=2"), "/x?view=1&grants=2");
}

TEST(redact_target, press_links_in_the_path_are_replaced) {
  EXPECT_EQ(redact_target("/api/v1/accreditations/abcDEF123"), "/api/v1/accreditations/REDACTED");
  EXPECT_EQ(redact_target("/api/v1/accreditations/abcDEF123/answer"), "/api/v1/accreditations/REDACTED/answer");
  EXPECT_EQ(redact_target("/api/v1/interviews/xyz_-9/answer?lang=fi"), "/api/v1/interviews/REDACTED/answer?lang=fi");
  EXPECT_EQ(redact_target("/live/press/index.m3u8?grant=g1.k.p.s&device=d"), "/live/press/index.m3u8?grant=REDACTED&device=d");
}
