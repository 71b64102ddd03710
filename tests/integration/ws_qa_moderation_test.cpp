// Chat moderation and the projector over the real protocol (docs/protocol.md, `moderate`,
// Post changes, Kiosk hello, Close codes): a muted user's post is refused with `muted` and
// retry_after_ms; a banned user's open connections close with 4010 and a new hello is refused
// with `banned` (also after a restart); slow mode, a locked room, the word list's held posts; a
// projector joins only its room, may not post, ask or vote, and closes with 4011 when its link
// is revoked.
#include <gtest/gtest.h>

#include "ws_qa_support.hpp"

using namespace samling::testing;
using namespace samling::testing::qa;

namespace {

using header_list = std::vector<std::pair<std::string, std::string>>;
header_list bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

json::object body_of(const http_response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  return !ec && v.is_object() ? v.as_object() : json::object{};
}

TEST(ws_qa_moderation, a_muted_users_post_is_refused_with_muted_and_retry_after_ms) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto bo = signed_in(server, "u-bo", "attendee");
  ASSERT_TRUE(mod && bo);
  ASSERT_TRUE(is_ack(bo->post(ws::room("main"), "Före")));
  auto m = moderate(*mod, "mute", {{"user", "u-bo"}, {"seconds", 600}, {"reason", "Spam"}});
  ASSERT_TRUE(is_ack(m)) << str(m);
  auto refused = bo->post(ws::room("main"), "Under tystnaden");
  EXPECT_EQ(outcome(refused), "muted") << str(refused);
  auto retry = int_field(refused, "retry_after_ms");
  EXPECT_GT(retry, 590'000) << str(refused);
  EXPECT_LE(retry, 600'000) << str(refused);
  // The muted user may still vote and ask (a mute is about the chat); staff's posts pass.
  EXPECT_TRUE(is_ack(mod->post(ws::room("main"), "Moderatorn skriver")));
  // The muted user's own sessions hear of it (owner view), staff see it in their snapshot.
  auto fresh = signed_in(server, "u-mod2", "moderator");
  ASSERT_TRUE(fresh);
  auto snap = fresh->join(ws::room("main"));
  auto muted = field(snap, "result.qa.moderation.muted");
  ASSERT_TRUE(muted.is_array()) << str(snap);
  ASSERT_EQ(muted.as_array().size(), 1u) << str(snap);
  EXPECT_EQ(string_field(muted.as_array()[0].as_object(), "user.id"), "u-bo");
  // Unmuted, the post goes through.
  ASSERT_TRUE(is_ack(moderate(*mod, "unmute", {{"user", "u-bo"}})));
  EXPECT_TRUE(is_ack(bo->post(ws::room("main"), "Efter")));
}

// Mute and ban are for participants: a connected organizer or moderator is refused (forbidden),
// whether or not they have posted, and stays connected and able to post.
TEST(ws_qa_moderation, staff_cannot_be_muted_or_banned) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto org = signed_in(server, "u-org", "organizer");
  auto mod2 = signed_in(server, "u-mod2", "moderator");
  ASSERT_TRUE(mod && org && mod2);
  for (auto* target : {"u-org", "u-mod2"}) {
    auto ban = moderate(*mod, "ban", {{"user", target}, {"reason", "oops"}});
    EXPECT_EQ(outcome(ban), "forbidden") << target << ": " << str(ban);
    auto mute = moderate(*mod, "mute", {{"user", target}, {"seconds", 60}});
    EXPECT_EQ(outcome(mute), "forbidden") << target << ": " << str(mute);
  }
  EXPECT_TRUE(is_ack(org->post(ws::room("main"), "Fortfarande här")));
  EXPECT_TRUE(is_ack(mod2->post(ws::room("main"), "Jag med")));
  // An attendee is still moderated as before.
  auto bo = signed_in(server, "u-bo", "attendee");
  ASSERT_TRUE(bo);
  EXPECT_TRUE(is_ack(moderate(*mod, "mute", {{"user", "u-bo"}, {"seconds", 60}})));
}

TEST(ws_qa_moderation, a_ban_closes_every_connection_of_the_user_with_4010_and_hello_is_refused) {
  temp_dir dir;
  {
    auto opt = server_options();
    opt.dir = &dir;
    server_process server(opt);
    auto mod = signed_in(server, "u-mod", "moderator");
    auto tab1 = signed_in(server, "u-troll", "attendee");
    auto tab2 = signed_in(server, "u-troll", "attendee", {"seminar-health"});
    auto other = signed_in(server, "u-anna", "attendee");
    ASSERT_TRUE(mod && tab1 && tab2 && other);
    auto b = moderate(*mod, "ban", {{"user", "u-troll"}, {"reason", "Hot"}});
    ASSERT_TRUE(is_ack(b)) << str(b);
    EXPECT_EQ(tab1->wait_closed(5s), 4010);
    EXPECT_EQ(tab2->wait_closed(5s), 4010);
    // Nobody else is closed.
    EXPECT_TRUE(is_ack(other->post(ws::room("main"), "Jag är kvar")));
    ws_client again;
    ASSERT_TRUE(again.connect(server.port()));
    auto h = again.hello(ws::event_id, ws::token("u-troll", "Troll"));
    EXPECT_EQ(outcome(h), "banned") << str(h);
    // The staff snapshot lists the ban.
    auto snap = mod->join(ws::room("main"));
    auto banned = field(snap, "result.qa.moderation.banned");
    ASSERT_TRUE(banned.is_array()) << str(snap);
    EXPECT_EQ(banned.as_array().size(), 1u) << str(snap);
  }
  // Kept across a restart.
  auto opt = server_options();
  opt.dir = &dir;
  opt.seed_demo = false;
  server_process server(opt);
  ws_client again;
  ASSERT_TRUE(again.connect(server.port()));
  EXPECT_EQ(outcome(again.hello(ws::event_id, ws::token("u-troll", "Troll"))), "banned");
  // Unbanned, the user is back.
  auto mod = signed_in(server, "u-mod", "moderator");
  ASSERT_TRUE(mod);
  ASSERT_TRUE(is_ack(moderate(*mod, "unban", {{"user", "u-troll"}})));
  ws_client back;
  ASSERT_TRUE(back.connect(server.port()));
  EXPECT_TRUE(is_ack(back.hello(ws::event_id, ws::token("u-troll", "Troll"))));
}

TEST(ws_qa_moderation, slow_mode_lock_and_the_word_list) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  auto anna = signed_in(server, "u-anna", "attendee");
  ASSERT_TRUE(mod && anna);
  ASSERT_TRUE(is_ack(moderate(*mod, "slow_mode", {{"seconds", 60}})));
  ASSERT_TRUE(is_ack(anna->post(ws::room("main"), "Ett")));
  auto slow = anna->post(ws::room("main"), "Två");
  EXPECT_EQ(outcome(slow), "slow_mode") << str(slow);
  EXPECT_GT(int_field(slow, "retry_after_ms"), 0) << str(slow);
  ASSERT_TRUE(is_ack(moderate(*mod, "slow_mode", {{"seconds", 0}})));
  ASSERT_TRUE(is_ack(moderate(*mod, "lock")));
  EXPECT_EQ(outcome(anna->post(ws::room("main"), "Låst?")), "room_locked");
  EXPECT_TRUE(is_ack(mod->post(ws::room("main"), "Staff passes")));
  ASSERT_TRUE(is_ack(moderate(*mod, "unlock")));
  // A word of the list holds the post: the author's ack says so, staff see it held.
  ASSERT_TRUE(is_ack(moderate(*mod, "words", {{"words", json::array{"fult"}}})));
  mod->take_events();
  auto held = anna->post(ws::room("main"), "Det här är FULT sagt");
  ASSERT_TRUE(is_ack(held)) << str(held);
  EXPECT_EQ(field(held, "result.held"), json::value(true)) << str(held);
  auto seen = mod->next_event_if([](const json::object& e) { return string_field(e, "type") == "message"; });
  ASSERT_TRUE(seen);
  EXPECT_EQ(field(*seen, "held"), json::value(true)) << str(*seen);
  // A newcomer who is not staff does not see it; after release everyone does.
  auto bo = signed_in(server, "u-bo", "attendee", {});
  ASSERT_TRUE(bo);
  auto before = bo->join(ws::room("main"));
  for (auto& m : ws::messages_of(before)) EXPECT_NE(string_field(m, "text"), "Det här är FULT sagt");
  auto rel = moderate(*mod, "release_message", {{"seq", int_field(held, "result.seq")}});
  ASSERT_TRUE(is_ack(rel)) << str(rel);
  auto released = bo->next_event("message_released");
  ASSERT_TRUE(released);
  EXPECT_EQ(string_field(released, "message.text"), "Det här är FULT sagt") << str(released);
  EXPECT_EQ(outcome(moderate(*mod, "delete_message", {{"seq", 999999}})), "no_such_message");
}

TEST(ws_qa_moderation, a_projector_watches_its_room_only_and_closes_when_revoked) {
  server_process server(server_options());
  auto made = http_request(server.port(), "POST", "/api/v1/events/" + ws::event_id + "/rooms/main/kiosk-links", "{}",
                           bearer(ws::token("u-mod", "Mo", "moderator")));
  ASSERT_EQ(made.status, 201) << made.body;
  std::string id(body_of(made).at("id").as_string());
  ws_client kiosk;
  ASSERT_TRUE(kiosk.connect(server.port()));
  auto h = kiosk.request({{"type", "hello"}, {"event", ws::event_id}, {"kiosk", id}});
  ASSERT_TRUE(is_ack(h)) << str(h);
  EXPECT_EQ(string_field(h, "result.user.id"), "kiosk-" + id.substr(0, 8));
  EXPECT_EQ(string_field(h, "result.user.role"), "guest");
  EXPECT_EQ(string_field(h, "result.user.name"), "Projector");
  ASSERT_TRUE(is_ack(kiosk.join(ws::room("main"))));
  EXPECT_EQ(outcome(kiosk.join(ws::room("seminar-health"))), "forbidden");
  auto post = kiosk.post(ws::room("main"), "Hej från projektorn");
  EXPECT_EQ(outcome(post), "forbidden") << str(post);
  EXPECT_EQ(string_field(post, "message"), "The projector view only shows.");
  EXPECT_EQ(outcome(ask(kiosk, "Får jag fråga?")), "forbidden");
  auto mod = signed_in(server, "u-mod", "moderator");
  ASSERT_TRUE(mod);
  auto q = question_id(ask(*mod, "Synlig på projektorn"));
  ASSERT_FALSE(q.empty());
  EXPECT_EQ(outcome(vote(kiosk, q)), "forbidden");
  auto p = poll_id(poll_create(*mod, "Enkät", {"A", "B"}));
  ASSERT_TRUE(is_ack(poll_act(*mod, p, "open")));
  EXPECT_EQ(outcome(poll_vote(kiosk, p, {0})), "forbidden");
  // The projector sees the questions (its join's qa, then events).
  auto ev = kiosk.next_event("question");
  ASSERT_TRUE(ev);
  EXPECT_EQ(string_field(ev, "question.text"), "Synlig på projektorn");
  // Revoked: closed with 4011; the link no longer signs in.
  auto gone = http_request(server.port(), "DELETE", "/api/v1/events/" + ws::event_id + "/kiosk-links/" + id, {},
                           bearer(ws::token("u-mod", "Mo", "moderator")));
  ASSERT_EQ(gone.status, 204) << gone.body;
  EXPECT_EQ(kiosk.wait_closed(5s), 4011);
  ws_client again;
  ASSERT_TRUE(again.connect(server.port()));
  EXPECT_EQ(outcome(again.request({{"type", "hello"}, {"event", ws::event_id}, {"kiosk", id}})), "kiosk_revoked");
  ws_client unknown;
  ASSERT_TRUE(unknown.connect(server.port()));
  EXPECT_EQ(outcome(unknown.request({{"type", "hello"}, {"event", ws::event_id}, {"kiosk", "0123456789abcdef"}})),
            "kiosk_unknown");
}

}  // namespace

namespace {

TEST(ws_qa_moderation, a_banned_guest_cannot_come_back_under_the_same_name) {
  server_process server(server_options());
  auto mod = signed_in(server, "u-mod", "moderator");
  ASSERT_TRUE(mod);
  ws_client guest;
  ASSERT_TRUE(guest.connect(server.port()));
  auto h = guest.hello_guest(ws::event_id, "Gästen Gustav");
  ASSERT_TRUE(is_ack(h)) << str(h);
  auto id = string_field(h, "result.user.id");
  auto guest_token = string_field(h, "result.token");
  ASSERT_TRUE(is_ack(guest.join(ws::room("main"))));
  ASSERT_TRUE(is_ack(guest.post(ws::room("main"), "Hej")));
  ASSERT_TRUE(is_ack(moderate(*mod, "ban", {{"user", id}, {"name", "Gästen Gustav"}})));
  EXPECT_EQ(guest.wait_closed(5s), 4010);
  ws_client by_name, by_token, other;
  ASSERT_TRUE(by_name.connect(server.port()) && by_token.connect(server.port()) && other.connect(server.port()));
  EXPECT_EQ(outcome(by_name.hello_guest(ws::event_id, "  gästen   GUSTAV ")), "banned");
  EXPECT_EQ(outcome(by_token.hello(ws::event_id, guest_token)), "banned");
  EXPECT_TRUE(is_ack(other.hello_guest(ws::event_id, "Gästen Greta")));
}

}  // namespace
