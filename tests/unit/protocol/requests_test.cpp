// decode_request: the envelope rules, each request type's fields, and every refusal with its
// exact code and message (clients and tests see them).
#include "protocol/requests.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace samling::protocol;
using samling::core::errc;

namespace {

request decoded(std::string_view text) {
  auto r = decode_request(text);
  if (auto* bad = std::get_if<rejected>(&r)) {
    ADD_FAILURE() << text << " was refused: " << bad->error.message;
    return {};
  }
  return std::get<request>(std::move(r));
}

rejected refused(std::string_view text) {
  auto r = decode_request(text);
  if (!std::holds_alternative<rejected>(r)) {
    ADD_FAILURE() << text << " was accepted";
    return {};
  }
  return std::get<rejected>(std::move(r));
}

template <typename T>
T body(std::string_view text) {
  auto r = decoded(text);
  if (!std::holds_alternative<T>(r.body)) {
    ADD_FAILURE() << text << " decoded to another type";
    return {};
  }
  return std::get<T>(std::move(r.body));
}

// A refusal of `text`'s fields: a known type, the id echoed.
void expect_field_error(std::string_view text, std::string_view type, std::string_view id_json,
                        std::string_view message) {
  auto r = refused(text);
  ASSERT_NE(r.type, nullptr) << text;
  EXPECT_EQ(r.type->name, type) << text;
  EXPECT_EQ(r.id_json, id_json) << text;
  EXPECT_EQ(r.error.code, errc::bad_message) << text;
  EXPECT_EQ(r.error.message, message) << text;
}

}  // namespace

// --- the table ---------------------------------------------------------------------------------

TEST(request_types, one_per_alternative_in_order_with_unique_names) {
  auto types = request_types();
  ASSERT_EQ(types.size(), request_type_count);
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < types.size(); ++i) {
    names.insert(types[i].name);
    EXPECT_EQ(find_request_type(types[i].name), &types[i]);
  }
  EXPECT_EQ(names.size(), types.size());
  EXPECT_EQ(find_request_type("nope"), nullptr);
  EXPECT_EQ(find_request_type("Hello"), nullptr);
}

TEST(request_types, each_decodes_into_its_own_alternative) {
  const std::pair<std::string_view, std::size_t> cases[] = {
      {R"({"id":1,"type":"hello","event":"e","token":"t"})", request_index<hello_request>},
      {R"({"id":1,"type":"join","room":"e/r"})", request_index<join_request>},
      {R"({"id":1,"type":"leave","room":"e/r"})", request_index<leave_request>},
      {R"({"id":1,"type":"post","room":"e/r","text":"x","client_msg_id":"c"})", request_index<post_request>},
      {R"({"id":1,"type":"members","room":"e/r"})", request_index<members_request>},
      {R"({"id":1,"type":"ping"})", request_index<ping_request>},
      {R"({"id":1,"type":"stages"})", request_index<stages_request>},
  };
  ASSERT_EQ(std::size(cases), request_type_count);
  for (auto& [text, index] : cases) {
    auto r = decoded(text);
    EXPECT_EQ(r.body.index(), index) << text;
    ASSERT_NE(r.type, nullptr);
    EXPECT_EQ(r.type, &request_types()[index]) << text;
  }
}

TEST(request_types, hello_only_before_hello_every_other_after) {
  for (auto& t : request_types())
    EXPECT_EQ(t.when, t.name == "hello" ? admits::before_hello : admits::after_hello) << t.name;
}

// --- the envelope ------------------------------------------------------------------------------

TEST(decode_request, not_json_is_bad_json_without_an_id) {
  auto r = refused(R"({"id":1,"type":)");
  EXPECT_EQ(r.type, nullptr);
  EXPECT_EQ(r.id_json, "null");
  EXPECT_EQ(r.error.code, errc::bad_json);
  EXPECT_EQ(r.error.message.rfind("The frame is not valid JSON: ", 0), 0u) << r.error.message;
  EXPECT_EQ(r.error.message.back(), '.');
}

TEST(decode_request, json_that_is_not_an_object_is_bad_json) {
  for (auto text : {"[1]", "\"hello\"", "7", "null", "true"}) {
    auto r = refused(text);
    EXPECT_EQ(r.type, nullptr);
    EXPECT_EQ(r.id_json, "null");
    EXPECT_EQ(r.error, (decode_error{errc::bad_json, "The frame must be a JSON object."})) << text;
  }
}

TEST(decode_request, an_id_is_a_string_of_1_to_64_characters_or_an_integer) {
  const std::pair<std::string_view, std::string_view> good[] = {
      {R"({"id":7,"type":"ping"})", "7"},
      {R"({"id":-3,"type":"ping"})", "-3"},
      {R"({"id":"abc","type":"ping"})", R"("abc")"},
      {R"({"id":"a\"b","type":"ping"})", R"("a\"b")"},
      {R"({"id":"é","type":"ping"})", R"("é")"},
  };
  for (auto& [text, id] : good) EXPECT_EQ(decoded(text).id_json, id) << text;
  std::string longest = R"({"id":")" + std::string(64, 'x') + R"(","type":"ping"})";
  EXPECT_EQ(decoded(longest).id_json, "\"" + std::string(64, 'x') + "\"");
}

TEST(decode_request, anything_else_as_id_is_bad_message_without_an_id) {
  std::string too_long = R"({"id":")" + std::string(65, 'x') + R"(","type":"ping"})";
  for (std::string text :
       {std::string(R"({"type":"ping"})"), std::string(R"({"id":"","type":"ping"})"), too_long,
        std::string(R"({"id":1.0,"type":"ping"})"), std::string(R"({"id":1e3,"type":"ping"})"),
        std::string(R"({"id":true,"type":"ping"})"), std::string(R"({"id":null,"type":"ping"})"),
        std::string(R"({"id":{},"type":"ping"})"), std::string(R"({"id":[1],"type":"ping"})"),
        std::string(R"({"id":9223372036854775808,"type":"ping"})")}) {
    auto r = refused(text);
    EXPECT_EQ(r.type, nullptr) << text;
    EXPECT_EQ(r.id_json, "null") << text;
    EXPECT_EQ(r.error,
              (decode_error{errc::bad_message, "\"id\" must be a string of 1-64 characters or an integer."}))
        << text;
  }
}

TEST(decode_request, type_must_be_a_string) {
  for (auto text : {R"({"id":2})", R"({"id":2,"type":5})", R"({"id":2,"type":null})"}) {
    auto r = refused(text);
    EXPECT_EQ(r.type, nullptr) << text;
    EXPECT_EQ(r.id_json, "2") << text;
    EXPECT_EQ(r.error, (decode_error{errc::bad_message, "\"type\" must be a string."})) << text;
  }
}

TEST(decode_request, an_unknown_type_is_named_in_the_error) {
  auto r = refused(R"({"id":"x","type":"shout"})");
  EXPECT_EQ(r.type, nullptr);
  EXPECT_EQ(r.id_json, R"("x")");
  EXPECT_EQ(r.error, (decode_error{errc::unknown_type, "Unknown request type \"shout\"."}));
  // Names are exact: no case folding, no prefix.
  EXPECT_EQ(refused(R"({"id":1,"type":"Ping"})").error.code, errc::unknown_type);
  EXPECT_EQ(refused(R"({"id":1,"type":"pin"})").error.code, errc::unknown_type);
}

TEST(decode_request, the_envelope_is_checked_before_the_fields) {
  // A bad id wins over a bad type, a bad type over missing fields.
  EXPECT_EQ(refused(R"({"id":"","type":7})").error.message,
            "\"id\" must be a string of 1-64 characters or an integer.");
  EXPECT_EQ(refused(R"({"id":1,"type":"nope","room":5})").error.code, errc::unknown_type);
}

// --- hello -------------------------------------------------------------------------------------

TEST(decode_hello, with_a_token) {
  auto h = body<hello_request>(R"({"id":1,"type":"hello","event":"ev","token":"v1.k.p.s"})");
  EXPECT_EQ(h.event, "ev");
  ASSERT_TRUE(std::holds_alternative<hello_request::token_credential>(h.credential));
  EXPECT_EQ(std::get<hello_request::token_credential>(h.credential).token, "v1.k.p.s");
}

TEST(decode_hello, as_a_guest) {
  auto h = body<hello_request>(R"({"id":1,"type":"hello","event":"ev","guest":{"name":" Anna "}})");
  EXPECT_EQ(h.event, "ev");
  ASSERT_TRUE(std::holds_alternative<hello_request::guest_credential>(h.credential));
  auto& name = std::get<hello_request::guest_credential>(h.credential).name;
  ASSERT_TRUE(std::holds_alternative<std::string>(name));
  EXPECT_EQ(std::get<std::string>(name), " Anna ");  // trimmed and checked by the session
}

TEST(decode_hello, a_guest_name_that_is_not_a_string_is_kept_as_its_error) {
  for (auto text : {R"({"id":1,"type":"hello","event":"ev","guest":{}})",
                    R"({"id":1,"type":"hello","event":"ev","guest":{"name":3}})"}) {
    auto h = body<hello_request>(text);
    auto& name = std::get<hello_request::guest_credential>(h.credential).name;
    ASSERT_TRUE(std::holds_alternative<decode_error>(name)) << text;
    EXPECT_EQ(std::get<decode_error>(name),
              (decode_error{errc::bad_message, "\"guest.name\" must be a string."}));
  }
}

TEST(decode_hello, with_neither_token_nor_guest_is_the_staff_session) {
  auto h = body<hello_request>(R"({"id":1,"type":"hello","event":"ev"})");
  EXPECT_EQ(h.event, "ev");
  EXPECT_TRUE(std::holds_alternative<hello_request::session_credential>(h.credential));
}

TEST(decode_hello, refusals) {
  const std::string credential = "hello needs either \"token\" (a string) or \"guest\" (an object).";
  expect_field_error(R"({"id":1,"type":"hello","token":"t"})", "hello", "1", "\"event\" must be a string.");
  expect_field_error(R"({"id":1,"type":"hello","event":7,"token":"t"})", "hello", "1",
                     "\"event\" must be a string.");
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","token":"t","guest":{"name":"A"}})", "hello", "1",
                     credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","token":5})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","guest":"Anna"})", "hello", "1", credential);
  // The event is checked first.
  expect_field_error(R"({"id":1,"type":"hello"})", "hello", "1", "\"event\" must be a string.");
}

// --- join, leave, members ------------------------------------------------------------------------

TEST(decode_join, with_and_without_since) {
  auto j = body<join_request>(R"({"id":2,"type":"join","room":"ev/main"})");
  EXPECT_EQ(j.room, "ev/main");
  EXPECT_EQ(j.since, std::nullopt);
  EXPECT_EQ(body<join_request>(R"({"id":2,"type":"join","room":"ev/main","since":null})").since,
            std::nullopt);
  EXPECT_EQ(body<join_request>(R"({"id":2,"type":"join","room":"ev/main","since":0})").since, 0u);
  EXPECT_EQ(body<join_request>(R"({"id":2,"type":"join","room":"ev/main","since":41})").since, 41u);
  EXPECT_EQ(
      body<join_request>(R"({"id":2,"type":"join","room":"ev/main","since":18446744073709551615})").since,
      18446744073709551615u);
}

TEST(decode_join, refusals) {
  const std::string since = "\"since\" must be a non-negative integer.";
  expect_field_error(R"({"id":2,"type":"join"})", "join", "2", "\"room\" must be a string.");
  expect_field_error(R"({"id":2,"type":"join","room":["ev/main"]})", "join", "2",
                     "\"room\" must be a string.");
  for (auto s : {"-1", "1.5", "1.0", "\"3\"", "true", "{}"})
    expect_field_error(std::string(R"({"id":2,"type":"join","room":"ev/main","since":)") + s + "}", "join",
                       "2", since);
}

TEST(decode_leave_and_members, a_room) {
  EXPECT_EQ(body<leave_request>(R"({"id":3,"type":"leave","room":"ev/main"})").room, "ev/main");
  EXPECT_EQ(body<members_request>(R"({"id":5,"type":"members","room":"ev/press"})").room, "ev/press");
  expect_field_error(R"({"id":3,"type":"leave"})", "leave", "3", "\"room\" must be a string.");
  expect_field_error(R"({"id":3,"type":"leave","room":1})", "leave", "3", "\"room\" must be a string.");
  expect_field_error(R"({"id":5,"type":"members"})", "members", "5", "\"room\" must be a string.");
  expect_field_error(R"({"id":5,"type":"members","room":null})", "members", "5",
                     "\"room\" must be a string.");
}

// --- post --------------------------------------------------------------------------------------

TEST(decode_post, the_fields_as_sent) {
  auto p = body<post_request>(
      R"({"id":4,"type":"post","room":"ev/main","text":"  Hej!\n","client_msg_id":"b9c1"})");
  EXPECT_EQ(p.room, "ev/main");
  EXPECT_EQ(p.text, "  Hej!\n");  // the text rules are the session's (rooms/text_rules)
  EXPECT_EQ(p.client_msg_id, "b9c1");
  std::string longest = std::string(R"({"id":4,"type":"post","room":"r","text":"t","client_msg_id":")") +
                        std::string(64, 'c') + "\"}";
  EXPECT_EQ(body<post_request>(longest).client_msg_id, std::string(64, 'c'));
}

TEST(decode_post, refusals_in_field_order) {
  const std::string length = "\"client_msg_id\" must be 1-64 characters.";
  expect_field_error(R"({"id":4,"type":"post","text":"t","client_msg_id":"c"})", "post", "4",
                     "\"room\" must be a string.");
  expect_field_error(R"({"id":4,"type":"post","room":"r","client_msg_id":"c"})", "post", "4",
                     "\"text\" must be a string.");
  expect_field_error(R"({"id":4,"type":"post","room":"r","text":7,"client_msg_id":"c"})", "post", "4",
                     "\"text\" must be a string.");
  expect_field_error(R"({"id":4,"type":"post","room":"r","text":"t"})", "post", "4",
                     "\"client_msg_id\" must be a string.");
  expect_field_error(R"({"id":4,"type":"post","room":"r","text":"t","client_msg_id":1})", "post", "4",
                     "\"client_msg_id\" must be a string.");
  expect_field_error(R"({"id":4,"type":"post","room":"r","text":"t","client_msg_id":""})", "post", "4",
                     length);
  expect_field_error(std::string(R"({"id":4,"type":"post","room":"r","text":"t","client_msg_id":")") +
                         std::string(65, 'c') + "\"}",
                     "post", "4", length);
  // The first wrong field is the one named.
  expect_field_error(R"({"id":4,"type":"post"})", "post", "4", "\"room\" must be a string.");
}

// --- ping, stages --------------------------------------------------------------------------------

TEST(decode_ping_and_stages, no_fields_and_extra_ones_ignored) {
  EXPECT_TRUE(std::holds_alternative<ping_request>(decoded(R"({"id":6,"type":"ping","x":[1]})").body));
  EXPECT_TRUE(std::holds_alternative<stages_request>(decoded(R"({"id":7,"type":"stages"})").body));
}
