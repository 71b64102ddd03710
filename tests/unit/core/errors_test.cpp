#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <set>

using samling::core::errc;
namespace core = samling::core;

TEST(errors, every_code_has_a_unique_name_a_status_and_a_message) {
  std::set<std::string_view> names;
  for (int i = static_cast<int>(errc::bad_request); i <= static_cast<int>(errc::internal); ++i) {
    auto e = static_cast<errc>(i);
    EXPECT_TRUE(names.insert(core::code_name(e)).second) << core::code_name(e);
    EXPECT_GE(core::http_status(e), 400u);
    EXPECT_FALSE(core::default_message(e).empty());
  }
}

TEST(errors, statuses_are_the_documented_ones) {
  EXPECT_EQ(core::http_status(errc::not_found), 404u);
  EXPECT_EQ(core::http_status(errc::header_too_large), 431u);
  EXPECT_EQ(core::http_status(errc::payload_too_large), 413u);
  EXPECT_EQ(core::http_status(errc::request_timeout), 408u);
  EXPECT_EQ(core::http_status(errc::unavailable), 503u);
  EXPECT_EQ(core::code_name(errc::tls_required), "tls_required");
}

TEST(errors, error_code_integration) {
  std::error_code ec = errc::not_found;
  EXPECT_EQ(ec.category().name(), std::string("samling"));
  EXPECT_EQ(ec.message(), "Not found.");
}
