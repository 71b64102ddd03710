#include "core/errors.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

using samling::core::errc;
namespace core = samling::core;

TEST(errors, every_code_has_a_unique_name_a_status_and_a_message) {
  std::set<std::string_view> names;
  for (auto e : core::all_errors()) {
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

// docs/protocol.md is the contract: every error code and close code the real-time protocol can
// send must be documented there.
TEST(errors, every_websocket_error_and_close_code_is_in_the_protocol_document) {
  std::ifstream in(std::string(SAMLING_SOURCE_DIR) + "/docs/protocol.md");
  std::stringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty());
  int ws_codes = 0;
  for (auto e : core::all_errors()) {
    if (!core::sent_on_websocket(e)) continue;
    ++ws_codes;
    EXPECT_NE(doc.str().find("| `" + std::string(core::code_name(e)) + "` |"), std::string::npos)
        << core::code_name(e) << " is not in the error table of docs/protocol.md";
  }
  EXPECT_GT(ws_codes, 20);
  for (auto c : core::all_close_codes())
    EXPECT_NE(doc.str().find("| `" + std::to_string(static_cast<int>(c)) + "` |"), std::string::npos)
        << "close code " << static_cast<int>(c) << " is not in docs/protocol.md";
}
