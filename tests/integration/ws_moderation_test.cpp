// Chat moderation through the real binary (docs/protocol.md, moderate and post): a muted user's
// post is refused with a clear error until unmuted; a ban closes every connection of the user
// (4010) and refuses their next hello; a deleted message is gone from every client and from a
// joiner's history; a message with a listed word is held for staff and its author until
// released; slow mode and a locked room refuse posts, staff pass. Each test first checks that
// the build has the moderate request (skipped on one without it).
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

server_process::options moderation_server() {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[rooms]\nrate_burst = 50\n[media]\nenabled = false\n";
  return o;
}

const std::string main_room() { return ws::room("main"); }

// Connected, said hello with a token, joined the main room; nullptr (and a test failure) if
// any step fails.
std::unique_ptr<ws_client> joined(std::uint16_t port, const std::string& sub, const std::string& name,
                                  const std::string& role = "attendee") {
  auto c = std::make_unique<ws_client>();
  if (!c->connect(port)) {
    ADD_FAILURE() << c->error();
    return nullptr;
  }
  auto h = c->hello(ws::event_id, ws::token(sub, name, role));
  if (!is_ack(h)) {
    ADD_FAILURE() << str(h);
    return nullptr;
  }
  auto j = c->join(main_room());
  if (!is_ack(j)) {
    ADD_FAILURE() << str(j);
    return nullptr;
  }
  return c;
}

std::optional<json::object> moderate(ws_client& c, json::object fields) {
  fields["type"] = "moderate";
  fields["room"] = main_room();
  return c.request(std::move(fields));
}

// Whether the build answers the moderate request at all (it did not before issue 17).
bool has_moderation(ws_client& staff) {
  // A release of a message that does not exist: answered, and nobody is told anything.
  auto r = moderate(staff, {{"action", "release_message"}, {"seq", 999999}});
  return outcome(r) != "unknown_type" && outcome(r) != "unavailable";
}

// Every event `c` gets up to and including the chat message `marker` (posted after what is
// checked): events arrive in order, so what is not among them was not sent before it.
std::vector<json::object> events_until_marker(ws_client& c, const std::string& marker) {
  std::vector<json::object> out;
  while (auto e = c.next_event("", 5s)) {
    out.push_back(*e);
    if (string_field(*e, "type") == "message" && string_field(*e, "text") == marker) return out;
  }
  ADD_FAILURE() << "the marker \"" << marker << "\" never came";
  return out;
}

bool has_event(const std::vector<json::object>& events, const std::string& type) {
  for (auto& e : events)
    if (string_field(e, "type") == type) return true;
  return false;
}

TEST(ws_moderation, a_muted_users_post_is_refused_until_the_mute_is_lifted) {
  server_process server(moderation_server());
  auto anna = joined(server.port(), "u-anna", "Anna Svensson");
  auto bo = joined(server.port(), "u-bo", "Bo Ek");
  auto maja = joined(server.port(), "mod-1", "Maja Moderator", "moderator");
  ASSERT_TRUE(anna && bo && maja);
  if (!has_moderation(*maja)) GTEST_SKIP() << "this build has no moderate request";

  auto muted = moderate(*maja, {{"action", "mute"}, {"user", "u-anna"}, {"seconds", 600}, {"reason", "spam"}});
  ASSERT_TRUE(is_ack(muted)) << str(muted);
  EXPECT_EQ(string_field(muted, "result.user.id"), "u-anna");
  EXPECT_EQ(int_field(muted, "result.seconds"), 600);

  auto refused = anna->post(main_room(), "Får jag säga något?");
  EXPECT_EQ(outcome(refused), "muted") << str(refused);
  const auto retry = int_field(refused, "retry_after_ms");
  EXPECT_GT(retry, 590'000) << str(refused);
  EXPECT_LE(retry, 600'000) << str(refused);
  EXPECT_NE(string_field(refused, "message").find("spam"), std::string::npos) << str(refused);
  // The muted user hears of it (owner view); other attendees do not.
  auto own = anna->next_event_if(
      [](const json::object& e) { return string_field(e, "type") == "moderation"; }, 5s);
  ASSERT_TRUE(own);
  EXPECT_EQ(string_field(*own, "action"), "mute");
  EXPECT_EQ(string_field(*own, "user.id"), "u-anna");
  ASSERT_TRUE(is_ack(bo->post(main_room(), "bo-marker-1")));
  EXPECT_FALSE(has_event(events_until_marker(*bo, "bo-marker-1"), "moderation"));

  // Staff see the mute in a join's qa.moderation; attendees get no such object.
  auto staff_view = std::make_unique<ws_client>();
  ASSERT_TRUE(staff_view->connect(server.port()));
  ASSERT_TRUE(is_ack(staff_view->hello(ws::event_id, ws::token("org-1", "Olga Organizer", "organizer"))));
  auto j = staff_view->join(main_room());
  ASSERT_TRUE(is_ack(j)) << str(j);
  auto listed = field(j, "result.qa.moderation.muted");
  ASSERT_TRUE(listed.is_array()) << str(j);
  ASSERT_EQ(listed.as_array().size(), 1u) << str(j);
  EXPECT_EQ(string_field(listed.as_array()[0].as_object(), "user.id"), "u-anna");
  auto bo2 = std::make_unique<ws_client>();
  ASSERT_TRUE(bo2->connect(server.port()));
  ASSERT_TRUE(is_ack(bo2->hello(ws::event_id, ws::token("u-bo", "Bo Ek", "attendee"))));
  auto j2 = bo2->join(main_room());
  ASSERT_TRUE(is_ack(j2)) << str(j2);
  EXPECT_TRUE(field(j2, "result.qa.moderation").is_null()) << str(j2);

  ASSERT_TRUE(is_ack(moderate(*maja, {{"action", "unmute"}, {"user", "u-anna"}})));
  auto ok = anna->post(main_room(), "Tack!");
  EXPECT_TRUE(is_ack(ok)) << str(ok);
}

TEST(ws_moderation, a_ban_closes_every_connection_of_the_user_and_refuses_the_next_hello) {
  temp_dir dir;
  auto opt = moderation_server();
  opt.dir = &dir;
  std::optional<server_process> first(std::in_place, opt);
  auto& server = *first;
  auto tab1 = joined(server.port(), "u-troll", "Troll Trollsson");
  auto tab2 = joined(server.port(), "u-troll", "Troll Trollsson");
  auto bo = joined(server.port(), "u-bo", "Bo Ek");
  auto maja = joined(server.port(), "mod-1", "Maja Moderator", "moderator");
  ASSERT_TRUE(tab1 && tab2 && bo && maja);
  if (!has_moderation(*maja)) GTEST_SKIP() << "this build has no moderate request";

  ASSERT_TRUE(is_ack(tab1->post(main_room(), "Trams")));
  // No name in the request: the name the user last posted under.
  auto banned = moderate(*maja, {{"action", "ban"}, {"user", "u-troll"}, {"reason", "trolling"}});
  ASSERT_TRUE(is_ack(banned)) << str(banned);
  EXPECT_EQ(string_field(banned, "result.user.name"), "Troll Trollsson");
  EXPECT_EQ(tab1->wait_closed(5s), 4010);
  EXPECT_EQ(tab2->wait_closed(5s), 4010);
  // Others stay.
  EXPECT_TRUE(is_ack(bo->post(main_room(), "Fortfarande här")));

  {
    ws_client again;
    ASSERT_TRUE(again.connect(server.port()));
    auto h = again.hello(ws::event_id, ws::token("u-troll", "Troll Trollsson", "attendee"));
    EXPECT_EQ(outcome(h), "banned") << str(h);
  }

  // Persisted: the ban holds after a restart on the same database.
  tab1.reset();
  tab2.reset();
  bo.reset();
  maja.reset();
  first.reset();
  server_process second(opt);
  ws_client after;
  ASSERT_TRUE(after.connect(second.port()));
  EXPECT_EQ(outcome(after.hello(ws::event_id, ws::token("u-troll", "Troll Trollsson", "attendee"))), "banned");
}

TEST(ws_moderation, a_deleted_message_is_gone_for_everyone_and_from_history) {
  server_process server(moderation_server());
  auto anna = joined(server.port(), "u-anna", "Anna Svensson");
  auto bo = joined(server.port(), "u-bo", "Bo Ek");
  auto maja = joined(server.port(), "mod-1", "Maja Moderator", "moderator");
  ASSERT_TRUE(anna && bo && maja);
  if (!has_moderation(*maja)) GTEST_SKIP() << "this build has no moderate request";

  ASSERT_TRUE(is_ack(anna->post(main_room(), "Kvar")));
  auto bad = bo->post(main_room(), "Något dumt");
  ASSERT_TRUE(is_ack(bad));
  const auto seq = int_field(bad, "result.seq");
  auto del = moderate(*maja, {{"action", "delete_message"}, {"seq", seq}, {"reason", "off topic"}});
  ASSERT_TRUE(is_ack(del)) << str(del);
  auto gone = anna->next_event("message_deleted", 5s);
  ASSERT_TRUE(gone);
  EXPECT_EQ(int_field(*gone, "deleted_seq"), seq);
  EXPECT_TRUE(bo->next_event("message_deleted", 5s));
  EXPECT_EQ(outcome(moderate(*maja, {{"action", "delete_message"}, {"seq", seq}})), "no_such_message");

  ws_client late;
  ASSERT_TRUE(late.connect(server.port()));
  ASSERT_TRUE(is_ack(late.hello(ws::event_id, ws::token("u-cai", "Cai Lind", "attendee"))));
  auto j = late.join(main_room());
  ASSERT_TRUE(is_ack(j)) << str(j);
  std::vector<std::string> texts;
  const auto messages = field(j, "result.messages");
  ASSERT_TRUE(messages.is_array()) << str(j);
  for (auto& m : messages.as_array()) texts.push_back(string_field(m.as_object(), "text"));
  EXPECT_EQ(texts, std::vector<std::string>{"Kvar"}) << str(j);
}

TEST(ws_moderation, a_message_with_a_listed_word_waits_for_a_moderator) {
  server_process server(moderation_server());
  auto anna = joined(server.port(), "u-anna", "Anna Svensson");
  auto bo = joined(server.port(), "u-bo", "Bo Ek");
  auto maja = joined(server.port(), "mod-1", "Maja Moderator", "moderator");
  ASSERT_TRUE(anna && bo && maja);
  if (!has_moderation(*maja)) GTEST_SKIP() << "this build has no moderate request";

  auto words = moderate(*maja, {{"action", "words"}, {"words", json::array{"idiot", "Åsna"}}});
  ASSERT_TRUE(is_ack(words)) << str(words);
  auto held = anna->post(main_room(), "Vilken IDIOT!");
  ASSERT_TRUE(is_ack(held)) << str(held);
  EXPECT_EQ(field(held, "result.held"), json::value(true)) << str(held);
  const auto seq = int_field(held, "result.seq");
  EXPECT_TRUE(is_ack(anna->post(main_room(), "idiotisk fråga")));  // not a whole word: not held

  // Staff get it marked held; the author gets it; the audience does not.
  auto staff_copy = maja->next_event_if(
      [&](const json::object& e) { return string_field(e, "type") == "message" && int_field(e, "seq") == seq; }, 5s);
  ASSERT_TRUE(staff_copy);
  EXPECT_EQ(field(*staff_copy, "held"), json::value(true));
  EXPECT_TRUE(anna->next_event_if(
      [&](const json::object& e) { return string_field(e, "type") == "message" && int_field(e, "seq") == seq; }, 5s));
  ASSERT_TRUE(is_ack(maja->post(main_room(), "marker-held")));
  for (auto& e : events_until_marker(*bo, "marker-held"))
    EXPECT_NE(int_field(e, "seq"), seq) << "the audience saw a held message";

  auto released = moderate(*maja, {{"action", "release_message"}, {"seq", seq}});
  ASSERT_TRUE(is_ack(released)) << str(released);
  auto shown = bo->next_event("message_released", 5s);
  ASSERT_TRUE(shown);
  EXPECT_EQ(int_field(*shown, "message.seq"), seq);
  EXPECT_EQ(string_field(*shown, "message.text"), "Vilken IDIOT!");
  EXPECT_EQ(outcome(moderate(*maja, {{"action", "release_message"}, {"seq", seq}})), "no_such_message");
}

TEST(ws_moderation, slow_mode_and_a_locked_room_refuse_posts_but_not_staffs) {
  server_process server(moderation_server());
  auto anna = joined(server.port(), "u-anna", "Anna Svensson");
  auto maja = joined(server.port(), "mod-1", "Maja Moderator", "moderator");
  ASSERT_TRUE(anna && maja);
  if (!has_moderation(*maja)) GTEST_SKIP() << "this build has no moderate request";

  ASSERT_TRUE(is_ack(moderate(*maja, {{"action", "slow_mode"}, {"seconds", 60}})));
  auto told = anna->next_event("moderation", 5s);
  ASSERT_TRUE(told);
  EXPECT_EQ(string_field(*told, "action"), "slow_mode");
  EXPECT_EQ(int_field(*told, "seconds"), 60);
  EXPECT_TRUE(is_ack(anna->post(main_room(), "ett")));
  auto slow = anna->post(main_room(), "två");
  EXPECT_EQ(outcome(slow), "slow_mode") << str(slow);
  EXPECT_GT(int_field(slow, "retry_after_ms"), 50'000) << str(slow);
  EXPECT_TRUE(is_ack(maja->post(main_room(), "staff 1")));
  EXPECT_TRUE(is_ack(maja->post(main_room(), "staff 2")));
  ASSERT_TRUE(is_ack(moderate(*maja, {{"action", "slow_mode"}, {"seconds", 0}})));

  ASSERT_TRUE(is_ack(moderate(*maja, {{"action", "lock"}})));
  EXPECT_EQ(outcome(anna->post(main_room(), "hallå?")), "room_locked");
  EXPECT_TRUE(is_ack(maja->post(main_room(), "Vi börjar om fem minuter")));
  // A joiner sees the room's settings.
  ws_client late;
  ASSERT_TRUE(late.connect(server.port()));
  ASSERT_TRUE(is_ack(late.hello(ws::event_id, ws::token("u-cai", "Cai Lind", "attendee"))));
  auto j = late.join(main_room());
  EXPECT_EQ(field(j, "result.qa.settings.locked"), json::value(true)) << str(j);
  ASSERT_TRUE(is_ack(moderate(*maja, {{"action", "unlock"}})));
  EXPECT_TRUE(is_ack(anna->post(main_room(), "hallå!")));
  // Attendees cannot moderate.
  EXPECT_EQ(outcome(moderate(*anna, {{"action", "lock"}})), "forbidden");
}

}  // namespace

namespace {

// A guest has a new id on every connection: their ban follows the name they come back with
// (refused at hello where the session asks moderation::is_banned_guest_name, else at post).
TEST(ws_moderation, a_banned_guest_who_comes_back_under_the_same_name_cannot_post) {
  server_process server(moderation_server());
  auto maja = joined(server.port(), "mod-1", "Maja Moderator", "moderator");
  ASSERT_TRUE(maja);
  if (!has_moderation(*maja)) GTEST_SKIP() << "this build has no moderate request";
  ws_client guest;
  ASSERT_TRUE(guest.connect(server.port()));
  ASSERT_TRUE(is_ack(guest.hello_guest(ws::event_id, "Gunnel Gäst")));
  ASSERT_TRUE(is_ack(guest.join(main_room())));
  auto posted = guest.post(main_room(), "Köp billiga klockor!");
  ASSERT_TRUE(is_ack(posted)) << str(posted);
  auto seen = maja->next_event_if(
      [](const json::object& e) { return string_field(e, "type") == "message" && string_field(e, "text") == "Köp billiga klockor!"; },
      5s);
  ASSERT_TRUE(seen);
  const auto guest_id = string_field(*seen, "user.id");
  ASSERT_EQ(guest_id.rfind("g-", 0), 0u) << guest_id;
  ASSERT_TRUE(is_ack(moderate(*maja, {{"action", "ban"}, {"user", guest_id}, {"reason", "spam"}})));
  EXPECT_EQ(guest.wait_closed(5s), 4010);

  ws_client back;
  ASSERT_TRUE(back.connect(server.port()));
  auto h = back.hello_guest(ws::event_id, "  gunnel   GÄST ");
  if (outcome(h) == "banned") return;  // refused at hello
  ASSERT_TRUE(is_ack(h)) << str(h);
  ASSERT_TRUE(is_ack(back.join(main_room())));
  EXPECT_EQ(outcome(back.post(main_room(), "Hej igen")), "banned");
  // Another guest is not touched.
  ws_client other;
  ASSERT_TRUE(other.connect(server.port()));
  ASSERT_TRUE(is_ack(other.hello_guest(ws::event_id, "Greta Gäst")));
  ASSERT_TRUE(is_ack(other.join(main_room())));
  EXPECT_TRUE(is_ack(other.post(main_room(), "Hej")));
}

}  // namespace
