// The protocol's JSON writer: strings escaped exactly as boost::json::serialize escapes them
// (the frames were built with it before, and clients compare bytes), commas and nesting right.
#include "protocol/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>

using samling::protocol::json_writer;

namespace {

std::string ours(std::string_view s) {
  std::string out;
  json_writer::append_string(out, s);
  return out;
}

std::string boosts(std::string_view s) { return boost::json::serialize(boost::json::string(s)); }

}  // namespace

TEST(json_writer, every_byte_is_escaped_as_boost_json_does) {
  for (int b = 0; b < 256; ++b) {
    std::string s(1, static_cast<char>(b));
    EXPECT_EQ(ours(s), boosts(s)) << "byte " << b;
    std::string mixed = "a" + s + "b" + s + s;
    EXPECT_EQ(ours(mixed), boosts(mixed)) << "byte " << b;
  }
}

TEST(json_writer, random_strings_are_escaped_as_boost_json_does) {
  std::mt19937 rng(14);
  const std::string_view pieces[] = {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", "å", "👋", "/", "abc", " "};
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (auto n = rng() % 24; n > 0; --n) s += pieces[rng() % std::size(pieces)];
    ASSERT_EQ(ours(s), boosts(s)) << s;
  }
}

TEST(json_writer, objects_arrays_and_values) {
  json_writer w;
  w.begin_object();
  w.key("s").string("x");
  w.key("i").integer(-9223372036854775807 - 1);
  w.key("u").unsigned_integer(18446744073709551615u);
  w.key("t").boolean(true);
  w.key("f").boolean(false);
  w.key("n").null();
  w.key("raw").raw(R"({"a":[1]})");
  w.key("a").begin_array();
  w.integer(1).string("two").begin_object().end_object().begin_array().end_array().raw("3");
  w.begin_object().key("k").begin_array().integer(4).end_array().key("l").integer(5).end_object();
  w.end_array();
  w.key("e").begin_object().end_object();
  w.end_object();
  EXPECT_EQ(w.str(),
            R"({"s":"x","i":-9223372036854775808,"u":18446744073709551615,"t":true,"f":false,"n":null,)"
            R"("raw":{"a":[1]},"a":[1,"two",{},[],3,{"k":[4],"l":5}],"e":{}})");
  // What it writes, boost::json reads back the same.
  auto v = boost::json::parse(w.str());
  EXPECT_EQ(boost::json::serialize(v), w.str());
}

TEST(json_writer, a_key_is_escaped_too) {
  json_writer w;
  w.begin_object().key("a\"b").integer(1).end_object();
  EXPECT_EQ(w.take(), R"({"a\"b":1})");
}
