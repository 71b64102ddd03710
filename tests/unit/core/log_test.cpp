#include "core/log.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace core = samling::core;

TEST(log, text_lines_quote_only_values_that_need_it) {
  auto line = core::format_log_line(core::log_level::info, "http_request",
                                    {{"method", "GET"}, {"target", "/a b"}, {"status", 200}}, false);
  EXPECT_NE(line.find(" info http_request method=GET target=\"/a b\" status=200\n"), std::string::npos)
      << line;
}

TEST(log, json_lines_parse_and_escape_untrusted_text) {
  auto line = core::format_log_line(core::log_level::warn, "x",
                                    {{"target", "/\"\n\x01"}, {"ok", true}, {"ms", 1.5}}, true);
  ASSERT_EQ(line.back(), '\n');
  auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v.at("level"), "warn");
  EXPECT_EQ(v.at("event"), "x");
  EXPECT_EQ(v.at("target"), "/\"\n\x01");
  EXPECT_EQ(v.at("ok"), true);
  EXPECT_EQ(v.at("ms").as_double(), 1.5);
}

TEST(log, levels_parse_and_filter) {
  core::log_level l;
  EXPECT_TRUE(core::parse_log_level("warn", l));
  EXPECT_EQ(l, core::log_level::warn);
  EXPECT_FALSE(core::parse_log_level("loud", l));
  core::configure_logging({core::log_level::warn, false});
  EXPECT_FALSE(core::log_enabled(core::log_level::info));
  EXPECT_TRUE(core::log_enabled(core::log_level::error));
  core::configure_logging({});
}

TEST(log, invalid_utf8_from_clients_is_replaced_so_json_lines_stay_valid) {
  EXPECT_EQ(core::valid_utf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(core::valid_utf8("caf\xE9"), "caf\xEF\xBF\xBD");
  EXPECT_EQ(core::valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(core::valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(core::valid_utf8("\xF0\x9F\x8E\xA4"), "\xF0\x9F\x8E\xA4");  // emoji kept
  auto line = core::format_log_line(core::log_level::info, "x", {{"target", "/caf\xE9?x=\xFF"}}, true);
  boost::system::error_code ec;
  boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << line;
}
