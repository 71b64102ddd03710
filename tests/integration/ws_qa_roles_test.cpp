// The role × action table (docs/protocol.md, Roles) through the real server: every action of
// rooms::all_actions that a request or route of this server exercises is tried as every role
// (attendee, speaker, press, moderator, organizer, guest), and the answer must be what
// rooms::can says: done, or `forbidden` (403 over HTTP). Table-driven: an action added to the
// table needs a probe here or a named reason why another test covers it.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "auth/role.hpp"
#include "rooms/permissions.hpp"
#include "ws_qa_support.hpp"

using namespace samling::testing;
using namespace samling::testing::qa;
using samling::auth::role;
using samling::rooms::action;

namespace {

// What one try came to: done, refused for the role, or something else (a failure).
enum class verdict { done, forbidden, other };

verdict of(const reply& r) {
  if (is_ack(r)) return verdict::done;
  return outcome(r) == "forbidden" ? verdict::forbidden : verdict::other;
}
verdict of(const http_response& r) {
  if (r.status >= 200 && r.status < 300) return verdict::done;
  return r.status == 403 || r.status == 401 ? verdict::forbidden : verdict::other;
}
// Several tries of one action: all done or all forbidden.
verdict all(std::initializer_list<verdict> vs) {
  auto first = *vs.begin();
  for (auto v : vs)
    if (v != first) return verdict::other;
  return first;
}

// What a probe may use: the session of the role under test, its token for HTTP (a guest's is
// the one its hello returned), and what the organizer prepared for it.
struct probe_context {
  const server_process* server;
  ws_client* c;
  std::string token;
  std::string role;
  std::string question;       // an approved question of the organizer's, in main
  std::string own_question;   // another one, for this role's moderator actions
  std::string open_poll;      // an open poll in main
  std::string draft_poll;     // a draft poll, for this role to open
  std::string pending;        // an attendee's question waiting for approval
  std::string to_reject;      // approved questions for reject, archive, merge (into own_question)
  std::string to_archive;
  std::string to_merge;
  std::int64_t message = 0;   // an attendee's chat message, for delete_message
  std::int64_t held = 0;      // an attendee's message held by the word list, for release_message
};
using probe = std::function<verdict(probe_context&)>;

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}
std::string events_path() { return "/api/v1/events/" + ws::event_id; }

// The probes, by action. join_room and join_guest_room are one probe (the main stage admits
// guests: docs/protocol.md, can_join).
const std::map<action, probe>& probes() {
  static const std::map<action, probe> p = {
      {action::join_press_room, [](probe_context& x) { return of(x.c->join(ws::room("press"))); }},
      {action::post, [](probe_context& x) { return of(x.c->post(ws::room("main"), "Hej från " + x.role)); }},
      {action::see_member_lists, [](probe_context& x) { return of(x.c->members(ws::room("main"))); }},
      {action::ask_question, [](probe_context& x) { return of(ask(*x.c, "En fråga från " + x.role)); }},
      {action::vote,
       [](probe_context& x) {
         return all({of(vote(*x.c, x.question)), of(vote(*x.c, x.question, false)),
                     of(poll_vote(*x.c, x.open_poll, {0}))});
       }},
      {action::moderate_qa,  // every question action, a hall question, pre-moderation
       [](probe_context& x) {
         return all({of(act(*x.c, x.pending, "approve")), of(act(*x.c, x.own_question, "pin")),
                     of(act(*x.c, x.own_question, "unpin")), of(act(*x.c, x.own_question, "edit", {{"text", "Rättad"}})),
                     of(act(*x.c, x.to_merge, "merge", {{"into", x.own_question}})),
                     of(act(*x.c, x.own_question, "answered")), of(act(*x.c, x.to_reject, "reject", {{"reason", "Nej"}})),
                     of(act(*x.c, x.to_reject, "restore")), of(act(*x.c, x.to_archive, "archive")),
                     of(ask(*x.c, "Från salen", {{"hall", true}, {"name", "Karin"}})),
                     of(moderate(*x.c, "premoderation", {{"on", false}}))});
       }},
      {action::manage_polls,
       [](probe_context& x) {
         return all({of(poll_create(*x.c, "Ny enkät av " + x.role, {"Ja", "Nej"})),
                     of(poll_act(*x.c, x.draft_poll, "open"))});
       }},
      {action::moderate_chat,  // every moderate action but premoderation (moderate_qa's), the log
       [](probe_context& x) {
         return all({of(moderate(*x.c, "delete_message", {{"seq", x.message}, {"reason", "Spam"}})),
                     of(moderate(*x.c, "release_message", {{"seq", x.held}})),
                     of(moderate(*x.c, "mute", {{"user", "u-nobody"}, {"seconds", 5}})),
                     of(moderate(*x.c, "unmute", {{"user", "u-nobody"}})),
                     of(moderate(*x.c, "ban", {{"user", "u-nobody"}})),
                     of(moderate(*x.c, "unban", {{"user", "u-nobody"}})),
                     of(moderate(*x.c, "slow_mode", {{"seconds", 0}})), of(moderate(*x.c, "lock")),
                     of(moderate(*x.c, "unlock")), of(moderate(*x.c, "words", {{"words", json::array{"fult"}}})),
                     of(http_get(x.server->port(), events_path() + "/moderation-log", bearer(x.token)))});
       }},
      {action::export_room,
       [](probe_context& x) {
         return all({of(http_get(x.server->port(), events_path() + "/rooms/main/export.json", bearer(x.token))),
                     of(http_get(x.server->port(), events_path() + "/rooms/main/export/questions.csv",
                                 bearer(x.token)))});
       }},
      {action::manage_kiosk,
       [](probe_context& x) {
         return of(http_request(x.server->port(), "POST", events_path() + "/rooms/main/kiosk-links", "{}",
                                bearer(x.token)));
       }},
      {action::edit_program,  // the event's names_to_moderators setting (docs/api.md, qa-settings)
       [](probe_context& x) {
         return of(http_request(x.server->port(), "PUT", events_path() + "/qa-settings",
                                R"({"names_to_moderators":false})", bearer(x.token)));
       }},
  };
  return p;
}

// Actions this test does not try, and where they are tried instead.
const std::map<action, std::string> elsewhere = {
    {action::join_room, "the join probe below (with join_guest_room)"},
    {action::join_guest_room, "the join probe below (with join_room)"},
    {action::see_stage_staff_view, "media off here; tests/integration/media_api_test.cpp"},
    {action::control_stages, "tests/integration/media_api_test.cpp"},
    {action::manage_registrations, "tests/integration/registration_test.cpp"},
    {action::manage_staff, "tests/integration/accounts_test.cpp"},
    {action::read_outbox, "tests/integration/mail_test.cpp"},
    {action::manage_press, "tests/integration/press_api_test.cpp (every role)"},
};

std::string name(verdict v) {
  return v == verdict::done ? "done" : v == verdict::forbidden ? "forbidden" : "other";
}

TEST(ws_qa_roles, every_action_as_every_role_is_what_the_table_says) {
  for (auto a : samling::rooms::all_actions)
    EXPECT_TRUE(probes().count(a) || elsewhere.count(a))
        << samling::rooms::to_string(a) << " needs a probe here or a reason in `elsewhere`";

  server_process server(server_options());
  auto org = signed_in(server, "u-org", "organizer");
  ASSERT_TRUE(org);
  ASSERT_TRUE(is_ack(moderate(*org, "words", {{"words", json::array{"fult"}}})));
  for (auto r : samling::auth::all_roles) {
    auto role_name = std::string(samling::auth::to_string(r));
    SCOPED_TRACE(role_name);
    // What this role's probes act on, made by the organizer.
    probe_context x;
    x.server = &server;
    x.role = role_name;
    x.question = question_id(ask(*org, "Organisatörens fråga för " + role_name));
    x.own_question = question_id(ask(*org, "Att fästa för " + role_name));
    x.open_poll = poll_id(poll_create(*org, "Öppen enkät för " + role_name, {"A", "B"}));
    x.draft_poll = poll_id(poll_create(*org, "Utkast för " + role_name, {"A", "B"}));
    ASSERT_TRUE(is_ack(poll_act(*org, x.open_poll, "open")));
    x.to_reject = question_id(ask(*org, "Att avvisa för " + role_name));
    x.to_archive = question_id(ask(*org, "Att arkivera för " + role_name));
    x.to_merge = question_id(ask(*org, "Att slå ihop för " + role_name));
    // An attendee of its own for each role (the post rate limit is per user).
    auto asker = signed_in(server, "u-asker-" + role_name, "attendee");
    ASSERT_TRUE(asker);
    ASSERT_TRUE(is_ack(moderate(*org, "premoderation", {{"on", true}})));
    x.pending = question_id(ask(*asker, "Väntande för " + role_name));
    ASSERT_TRUE(is_ack(moderate(*org, "premoderation", {{"on", false}})));
    x.message = int_field(asker->post(ws::room("main"), "Meddelande för " + role_name), "result.seq");
    auto held = asker->post(ws::room("main"), "Fult sagt för " + role_name);
    ASSERT_EQ(field(held, "result.held"), json::value(true)) << str(held);
    x.held = int_field(held, "result.seq");
    ASSERT_FALSE(x.question.empty() || x.own_question.empty() || x.draft_poll.empty() || x.pending.empty() ||
                 x.to_reject.empty() || x.to_archive.empty() || x.to_merge.empty() || x.message <= 0);

    ws_client c;
    ASSERT_TRUE(c.connect(server.port()));
    auto user = "u-" + role_name;
    auto h = r == role::guest ? c.hello_guest(ws::event_id, "Gäst Nummer Ett")
                              : c.hello(ws::event_id, ws::token(user, "Name " + role_name, role_name));
    ASSERT_TRUE(is_ack(h)) << str(h);
    x.c = &c;
    x.token = r == role::guest ? string_field(h, "result.token") : ws::token(user, "Name " + role_name, role_name);
    // Joining: the main stage admits guests, the press room never does.
    auto joined = of(c.join(ws::room("main")));
    EXPECT_EQ(name(joined), name(samling::rooms::can_join(r, samling::program::room_kind::main_stage, true)
                                     ? verdict::done
                                     : verdict::forbidden));
    for (auto& [a, try_it] : probes()) {
      auto expected = samling::rooms::can(r, a) ? verdict::done : verdict::forbidden;
      EXPECT_EQ(name(try_it(x)), name(expected)) << samling::rooms::to_string(a);
    }
  }
}

TEST(ws_qa_roles, a_projector_may_do_none_of_the_actions) {
  server_process server(server_options());
  auto org = signed_in(server, "u-org", "organizer");
  ASSERT_TRUE(org);
  auto made = http_request(server.port(), "POST", events_path() + "/rooms/main/kiosk-links", "{}",
                           bearer(ws::token("u-org", "Org", "organizer")));
  ASSERT_EQ(made.status, 201) << made.body;
  boost::system::error_code ec;
  auto id = std::string(json::parse(made.body, ec).as_object().at("id").as_string());
  probe_context x;
  x.server = &server;
  x.role = "kiosk";
  x.question = question_id(ask(*org, "Fråga"));
  x.own_question = question_id(ask(*org, "Fråga två"));
  x.open_poll = poll_id(poll_create(*org, "Öppen", {"A", "B"}));
  x.draft_poll = poll_id(poll_create(*org, "Utkast", {"A", "B"}));
  ASSERT_TRUE(is_ack(poll_act(*org, x.open_poll, "open")));
  x.pending = x.to_reject = x.to_archive = x.to_merge = x.question;
  x.message = x.held = 1;
  ws_client c;
  ASSERT_TRUE(c.connect(server.port()));
  ASSERT_TRUE(is_ack(c.request({{"type", "hello"}, {"event", ws::event_id}, {"kiosk", id}})));
  ASSERT_TRUE(is_ack(c.join(ws::room("main"))));
  x.c = &c;
  x.token = "not-a-token";  // a projector has no token: the HTTP routes refuse it
  for (auto& [a, try_it] : probes()) EXPECT_EQ(name(try_it(x)), "forbidden") << samling::rooms::to_string(a);
}

}  // namespace
