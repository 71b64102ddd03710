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
      {R"({"id":1,"type":"ask","room":"e/r","text":"q","client_msg_id":"c"})", request_index<ask_request>},
      {R"({"id":1,"type":"vote","room":"e/r","question":"q-1"})", request_index<vote_request>},
      {R"({"id":1,"type":"question","room":"e/r","question":"q-1","action":"pin"})",
       request_index<question_request>},
      {R"({"id":1,"type":"poll_create","room":"e/r","text":"?","kind":"single","options":["a","b"]})",
       request_index<poll_create_request>},
      {R"({"id":1,"type":"poll","room":"e/r","poll":"p-1","action":"open"})", request_index<poll_request>},
      {R"({"id":1,"type":"poll_vote","room":"e/r","poll":"p-1","choices":[0]})", request_index<poll_vote_request>},
      {R"({"id":1,"type":"moderate","room":"e/r","action":"lock"})", request_index<moderate_request>},
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
  const std::string credential =
      "hello needs either \"token\" (a string), \"guest\" (an object), \"kiosk\" (a string) or \"grant\" (a "
      "string).";
  expect_field_error(R"({"id":1,"type":"hello","token":"t"})", "hello", "1", "\"event\" must be a string.");
  expect_field_error(R"({"id":1,"type":"hello","event":7,"token":"t"})", "hello", "1",
                     "\"event\" must be a string.");
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","token":"t","guest":{"name":"A"}})", "hello", "1",
                     credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","token":5})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","guest":"Anna"})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","kiosk":7})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","kiosk":""})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","kiosk":"k","token":"t"})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","kiosk":"k","guest":{"name":"A"}})", "hello", "1",
                     credential);
  // A press grant: a non-empty string, and the only credential.
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","grant":7})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","grant":""})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","grant":null})", "hello", "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","grant":{"token":"g1.k.p.s"}})", "hello", "1",
                     credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","grant":"g1.k.p.s","token":"t"})", "hello", "1",
                     credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","grant":"g1.k.p.s","guest":{"name":"A"}})", "hello",
                     "1", credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","grant":"g1.k.p.s","kiosk":"k"})", "hello", "1",
                     credential);
  expect_field_error(R"({"id":1,"type":"hello","event":"ev","grant":"g1.k.p.s","token":"t","kiosk":"k"})", "hello",
                     "1", credential);
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

// --- hello with a kiosk link ---------------------------------------------------------------------

TEST(decode_hello, with_a_kiosk_link) {
  auto h = body<hello_request>(R"({"id":1,"type":"hello","event":"ev","kiosk":"0123abcd"})");
  EXPECT_EQ(h.event, "ev");
  auto* k = std::get_if<hello_request::kiosk_credential>(&h.credential);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->id, "0123abcd");
}

// --- hello with a press grant (issue 18) ----------------------------------------------------------

TEST(decode_hello, with_a_press_grant) {
  auto h = body<hello_request>(R"({"id":1,"type":"hello","event":"ev","grant":"g1.k1.eyJpZCI6InByLTEifQ.c2ln"})");
  EXPECT_EQ(h.event, "ev");
  auto* g = std::get_if<hello_request::grant_credential>(&h.credential);
  ASSERT_NE(g, nullptr);
  // Kept as sent: the session verifies it (a tampered one is grant_invalid there, not here).
  EXPECT_EQ(g->token, "g1.k1.eyJpZCI6InByLTEifQ.c2ln");
  auto other = body<hello_request>(R"({"id":1,"type":"hello","event":"ev","grant":"not a grant"})");
  g = std::get_if<hello_request::grant_credential>(&other.credential);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->token, "not a grant");
}

TEST(decode_hello, a_press_grant_without_an_event_is_the_event_error) {
  expect_field_error(R"({"id":1,"type":"hello","grant":"g1.k.p.s"})", "hello", "1", "\"event\" must be a string.");
}

// --- ask, vote ------------------------------------------------------------------------------------

TEST(decode_ask, the_fields_and_their_defaults) {
  auto a = body<ask_request>(R"({"id":1,"type":"ask","room":"ev/main","text":" Why? ","client_msg_id":"c1"})");
  EXPECT_EQ(a.room, "ev/main");
  EXPECT_EQ(a.text, " Why? ");  // trimmed and checked by the session (rooms::check_text)
  EXPECT_EQ(a.client_msg_id, "c1");
  EXPECT_FALSE(a.anonymous);
  EXPECT_FALSE(a.hall);
  EXPECT_EQ(a.name, "");
  a = body<ask_request>(
      R"({"id":1,"type":"ask","room":"r","text":"t","client_msg_id":"c","anonymous":true,"hall":true,"name":"Bo"})");
  EXPECT_TRUE(a.anonymous);
  EXPECT_TRUE(a.hall);
  EXPECT_EQ(a.name, "Bo");
  EXPECT_EQ(body<ask_request>(R"({"id":1,"type":"ask","room":"r","text":"t","client_msg_id":"c","name":null})").name,
            "");
}

TEST(decode_ask, refusals_in_field_order) {
  expect_field_error(R"({"id":1,"type":"ask","text":"t","client_msg_id":"c"})", "ask", "1",
                     "\"room\" must be a string.");
  expect_field_error(R"({"id":1,"type":"ask","room":"r","client_msg_id":"c"})", "ask", "1",
                     "\"text\" must be a string.");
  expect_field_error(R"({"id":1,"type":"ask","room":"r","text":"t"})", "ask", "1",
                     "\"client_msg_id\" must be a string.");
  expect_field_error(R"({"id":1,"type":"ask","room":"r","text":"t","client_msg_id":""})", "ask", "1",
                     "\"client_msg_id\" must be 1-64 characters.");
  expect_field_error(R"({"id":1,"type":"ask","room":"r","text":"t","client_msg_id":"c","anonymous":"yes"})", "ask",
                     "1", "\"anonymous\" must be true or false.");
  expect_field_error(R"({"id":1,"type":"ask","room":"r","text":"t","client_msg_id":"c","hall":1})", "ask", "1",
                     "\"hall\" must be true or false.");
  expect_field_error(R"({"id":1,"type":"ask","room":"r","text":"t","client_msg_id":"c","name":5})", "ask", "1",
                     "\"name\" must be a string.");
}

TEST(decode_vote, up_by_default_down_takes_it_back) {
  auto v = body<vote_request>(R"({"id":1,"type":"vote","room":"ev/main","question":"q-1"})");
  EXPECT_EQ(v.room, "ev/main");
  EXPECT_EQ(v.question, "q-1");
  EXPECT_TRUE(v.up);
  EXPECT_FALSE(body<vote_request>(R"({"id":1,"type":"vote","room":"r","question":"q","up":false})").up);
  expect_field_error(R"({"id":1,"type":"vote","room":"r"})", "vote", "1", "\"question\" must be a string.");
  expect_field_error(R"({"id":1,"type":"vote","room":"r","question":"q","up":0})", "vote", "1",
                     "\"up\" must be true or false.");
}

// --- question -------------------------------------------------------------------------------------

TEST(decode_question, every_action_by_its_name) {
  for (auto name : {"approve", "reject", "edit", "merge", "pin", "unpin", "answered", "archive", "restore"}) {
    auto q = body<question_request>(std::string(R"({"id":1,"type":"question","room":"r","question":"q-1","action":")") +
                                    name + R"(","text":"t","into":"q-2"})");
    EXPECT_EQ(to_string(q.action), name);
  }
  auto q = body<question_request>(
      R"({"id":1,"type":"question","room":"r","question":"q-1","action":"reject","reason":"Off topic"})");
  EXPECT_EQ(q.action, question_verb::reject);
  EXPECT_EQ(q.reason, "Off topic");
  q = body<question_request>(R"({"id":1,"type":"question","room":"r","question":"q-1","action":"merge","into":"q-2"})");
  EXPECT_EQ(q.into, "q-2");
  q = body<question_request>(R"({"id":1,"type":"question","room":"r","question":"q-1","action":"edit","text":"Typo"})");
  EXPECT_EQ(q.text, "Typo");
}

TEST(decode_question, refusals) {
  const std::string actions =
      "\"action\" must be one of approve, reject, edit, merge, pin, unpin, answered, archive, restore.";
  expect_field_error(R"({"id":1,"type":"question","room":"r","action":"pin"})", "question", "1",
                     "\"question\" must be a string.");
  expect_field_error(R"({"id":1,"type":"question","room":"r","question":"q"})", "question", "1", actions);
  expect_field_error(R"({"id":1,"type":"question","room":"r","question":"q","action":"delete"})", "question", "1",
                     actions);
  expect_field_error(R"({"id":1,"type":"question","room":"r","question":"q","action":"edit"})", "question", "1",
                     "\"text\" must be a string.");
  expect_field_error(R"({"id":1,"type":"question","room":"r","question":"q","action":"merge"})", "question", "1",
                     "\"into\" must be a string.");
  expect_field_error(R"({"id":1,"type":"question","room":"r","question":"q","action":"reject","reason":3})",
                     "question", "1", "\"reason\" must be a string.");
  expect_field_error(std::string(R"({"id":1,"type":"question","room":"r","question":"q","action":"reject","reason":")") +
                         std::string(501, 'x') + "\"}",
                     "question", "1", "\"reason\" must be at most 500 characters.");
}

// --- polls ----------------------------------------------------------------------------------------

TEST(decode_poll_create, the_fields) {
  auto p = body<poll_create_request>(
      R"({"id":1,"type":"poll_create","room":"r","text":"Lunch?","kind":"multiple","options":["Soup","Salad"],"results":"hidden"})");
  EXPECT_EQ(p.text, "Lunch?");
  EXPECT_TRUE(p.multiple);
  EXPECT_EQ(p.options, (std::vector<std::string>{"Soup", "Salad"}));
  EXPECT_TRUE(p.hidden);
  p = body<poll_create_request>(R"({"id":1,"type":"poll_create","room":"r","text":"?","kind":"single","options":[]})");
  EXPECT_FALSE(p.multiple);
  EXPECT_FALSE(p.hidden);
  EXPECT_TRUE(p.options.empty());  // how many options a poll needs is the operation's rule (poll_invalid)
}

TEST(decode_poll_create, refusals) {
  const std::string kind = "\"kind\" must be \"single\" or \"multiple\".";
  const std::string options = "\"options\" must be an array of strings.";
  expect_field_error(R"({"id":1,"type":"poll_create","room":"r","kind":"single","options":[]})", "poll_create", "1",
                     "\"text\" must be a string.");
  expect_field_error(R"({"id":1,"type":"poll_create","room":"r","text":"t","options":[]})", "poll_create", "1", kind);
  expect_field_error(R"({"id":1,"type":"poll_create","room":"r","text":"t","kind":"ranked","options":[]})",
                     "poll_create", "1", kind);
  expect_field_error(R"({"id":1,"type":"poll_create","room":"r","text":"t","kind":"single"})", "poll_create", "1",
                     options);
  expect_field_error(R"({"id":1,"type":"poll_create","room":"r","text":"t","kind":"single","options":["a",2]})",
                     "poll_create", "1", options);
  expect_field_error(
      R"({"id":1,"type":"poll_create","room":"r","text":"t","kind":"single","options":["a","b"],"results":"later"})",
      "poll_create", "1", "\"results\" must be \"live\" or \"hidden\".");
}

TEST(decode_poll, actions) {
  for (auto name : {"open", "close", "reveal", "hide", "archive"})
    EXPECT_EQ(to_string(body<poll_request>(std::string(R"({"id":1,"type":"poll","room":"r","poll":"p-1","action":")") +
                                           name + "\"}")
                            .action),
              name);
  expect_field_error(R"({"id":1,"type":"poll","room":"r","action":"open"})", "poll", "1", "\"poll\" must be a string.");
  expect_field_error(R"({"id":1,"type":"poll","room":"r","poll":"p","action":"start"})", "poll", "1",
                     "\"action\" must be one of open, close, reveal, hide, archive.");
}

TEST(decode_poll_vote, choices_are_integers) {
  auto v = body<poll_vote_request>(R"({"id":1,"type":"poll_vote","room":"r","poll":"p-1","choices":[2,0]})");
  EXPECT_EQ(v.poll, "p-1");
  EXPECT_EQ(v.choices, (std::vector<std::int64_t>{2, 0}));
  EXPECT_TRUE(body<poll_vote_request>(R"({"id":1,"type":"poll_vote","room":"r","poll":"p","choices":[]})")
                  .choices.empty());
  // Out of range and repeated choices are the operation's bad_choice.
  EXPECT_EQ(body<poll_vote_request>(R"({"id":1,"type":"poll_vote","room":"r","poll":"p","choices":[-1,-1]})").choices,
            (std::vector<std::int64_t>{-1, -1}));
  const std::string choices = "\"choices\" must be an array of integers.";
  expect_field_error(R"({"id":1,"type":"poll_vote","room":"r","poll":"p"})", "poll_vote", "1", choices);
  expect_field_error(R"({"id":1,"type":"poll_vote","room":"r","poll":"p","choices":1})", "poll_vote", "1", choices);
  expect_field_error(R"({"id":1,"type":"poll_vote","room":"r","poll":"p","choices":[1.5]})", "poll_vote", "1",
                     choices);
  expect_field_error(R"({"id":1,"type":"poll_vote","room":"r","poll":"p","choices":["0"]})", "poll_vote", "1",
                     choices);
}

// --- moderate -------------------------------------------------------------------------------------

TEST(decode_moderate, each_action_with_its_fields) {
  auto m = body<moderate_request>(
      R"({"id":1,"type":"moderate","room":"r","action":"delete_message","seq":42,"reason":"spam"})");
  EXPECT_EQ(m.action, moderate_verb::delete_message);
  EXPECT_EQ(m.seq, 42u);
  EXPECT_EQ(m.reason, "spam");
  EXPECT_EQ(body<moderate_request>(R"({"id":1,"type":"moderate","room":"r","action":"release_message","seq":7})").seq,
            7u);
  m = body<moderate_request>(
      R"({"id":1,"type":"moderate","room":"r","action":"mute","user":"u-1","name":"Bo","seconds":600})");
  EXPECT_EQ(m.user, "u-1");
  EXPECT_EQ(m.name, "Bo");
  EXPECT_EQ(m.seconds, 600);
  for (auto a : {"unmute", "ban", "unban"})
    EXPECT_EQ(body<moderate_request>(std::string(R"({"id":1,"type":"moderate","room":"r","action":")") + a +
                                     R"(","user":"u-2"})")
                  .user,
              "u-2");
  EXPECT_EQ(body<moderate_request>(R"({"id":1,"type":"moderate","room":"r","action":"slow_mode","seconds":0})").seconds,
            0);
  EXPECT_EQ(
      body<moderate_request>(R"({"id":1,"type":"moderate","room":"r","action":"slow_mode","seconds":3600})").seconds,
      3600);
  EXPECT_EQ(body<moderate_request>(R"({"id":1,"type":"moderate","room":"r","action":"unlock"})").action,
            moderate_verb::unlock);
  m = body<moderate_request>(R"({"id":1,"type":"moderate","room":"r","action":"words","words":["fan","Åsna"]})");
  EXPECT_EQ(m.words, (std::vector<std::string>{"fan", "Åsna"}));
  EXPECT_TRUE(body<moderate_request>(R"({"id":1,"type":"moderate","room":"r","action":"words","words":[]})")
                  .words.empty());
  EXPECT_TRUE(
      body<moderate_request>(R"({"id":1,"type":"moderate","room":"r","action":"premoderation","on":true})").on);
}

TEST(decode_moderate, refusals) {
  auto bad = [](std::string_view fields, std::string_view message) {
    expect_field_error(std::string(R"({"id":1,"type":"moderate","room":"r",)") + std::string(fields) + "}",
                       "moderate", "1", message);
  };
  bad(R"("action":"kick")",
      "\"action\" must be one of delete_message, release_message, mute, unmute, ban, unban, slow_mode, lock, "
      "unlock, words, premoderation.");
  bad(R"("action":"delete_message")", "\"seq\" must be a positive integer.");
  bad(R"("action":"delete_message","seq":0)", "\"seq\" must be a positive integer.");
  bad(R"("action":"release_message","seq":"4")", "\"seq\" must be a positive integer.");
  bad(R"("action":"ban")", "\"user\" must be a user id (a non-empty string).");
  bad(R"("action":"ban","user":"")", "\"user\" must be a user id (a non-empty string).");
  bad(R"("action":"mute","user":"u")", "\"seconds\" must be an integer from 1 to 31622400.");
  bad(R"("action":"mute","user":"u","seconds":0)", "\"seconds\" must be an integer from 1 to 31622400.");
  bad(R"("action":"slow_mode","seconds":3601)", "\"seconds\" must be an integer from 0 to 3600.");
  bad(R"("action":"slow_mode","seconds":-1)", "\"seconds\" must be an integer from 0 to 3600.");
  const std::string words = "\"words\" must be an array of at most 500 strings of 1-64 characters.";
  bad(R"("action":"words")", words);
  bad(R"("action":"words","words":[""])", words);
  bad(R"("action":"words","words":[1])", words);
  bad(std::string(R"("action":"words","words":[")") + std::string(65, 'a') + "\"]", words);
  std::string many = R"("action":"words","words":[)";
  for (int i = 0; i < 501; ++i) many += (i ? ",\"w" : "\"w") + std::to_string(i) + "\"";
  bad(many + "]", words);
  bad(R"("action":"premoderation")", "\"on\" must be true or false.");
  bad(R"("action":"lock","reason":[])", "\"reason\" must be a string.");
}
