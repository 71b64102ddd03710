// Press grants on the real-time protocol through the real binary (issue 18; docs/protocol.md,
// "Press grant hello" and join): a hello with a grant speaks as the grant (its id, its name and
// outlet, role press) and joins the rooms the grant covers; every kind of bad grant is refused
// at hello with its own code; a room's visibility follows its stage's (press, staff, an embargo
// that ends without a restart) for every session; a revoked grant's connections close with
// 4012 and it cannot say hello again.
//
// Grants are signed here with press::sign_grant and the test deployment's auth key (the server
// derives the same press key from it); the revocation test makes its grant through the press
// officer's HTTP route, since revoking needs the stored grant.
#include <gtest/gtest.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "auth/token.hpp"
#include "harness.hpp"
#include "press/grant.hpp"
#include "ws_client.hpp"

using namespace samling::testing;
namespace json = boost::json;
namespace press = samling::press;
namespace auth = samling::auth;

namespace {

const std::string event = ws::event_id;

std::string rfc3339(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string stage_toml(const std::string& id, const std::string& room, const std::string& visibility,
                       std::int64_t public_at = 0) {
  std::string t = "\n[[stages]]\nid = \"" + id + "\"\nname = { sv = \"" + id + "\", en = \"" + id + "\", fi = \"" +
                  id + "\" }\nevent = \"" + event + "\"\nroom = \"" + room + "\"\nvisibility = \"" + visibility +
                  "\"\nmode = \"produced\"\ninput = \"test\"\nautostart = false\n";
  if (public_at) t += "public_at = \"" + rfc3339(public_at) + "\"\n";
  return t;
}

// The rooms of the demo event this file's configuration gives a stage:
//   press           "press-meeting", visibility press (the lunchtime press meeting)
//   seminar-health  "embargoed", visibility press until public_at, then public
//   seminar-work    "backstage", visibility staff
//   main            "main", public
// seminar-housing shows no stage: its program rule (the roles table) alone.
std::string stages_toml(std::int64_t public_at) {
  return stage_toml("main", "main", "public") + stage_toml("press-meeting", "press", "press") +
         stage_toml("embargoed", "seminar-health", "press", public_at) +
         stage_toml("backstage", "seminar-work", "staff");
}

// The server of these tests: the test key, idle stages (no pipeline runs), the embargo of
// "embargoed" ending at `public_at` (default: in a day).
server_process::options options(std::int64_t public_at = 0) {
  server_process::options o;
  o.env = ws::auth_env();
  if (!public_at) public_at = unix_seconds() + 86400;
  o.extra_toml = "\n[media]\ndir = \"{DIR}/media\"\n" + stages_toml(public_at);
  return o;
}

const auth::keyring& test_keys() {
  static const auth::keyring keys(auth::signing_key{ws::key_id, ws::secret});
  return keys;
}

// A grant valid from a minute ago for an hour, for this event's press room and main stage.
press::grant grant_for(const std::string& name, const std::string& outlet = "Dagens Nyheter") {
  press::grant g;
  g.id = press::new_grant_id();
  g.event = event;
  g.name = name;
  g.outlet = outlet;
  g.stages = {"*"};
  g.rooms = {"press", "main"};
  g.valid_from = unix_seconds() - 60;
  g.valid_until = unix_seconds() + 3600;
  return g;
}

std::string sign(const press::grant& g) { return press::sign_grant(g, test_keys()); }

std::optional<json::object> hello_grant(ws_client& c, const std::string& grant, const std::string& ev = event) {
  return c.request({{"type", "hello"}, {"event", ev}, {"grant", grant}});
}

// A connected client that said hello with `grant` (or a failed assertion in the caller).
std::unique_ptr<ws_client> grant_client(std::uint16_t port, const std::string& grant) {
  auto c = std::make_unique<ws_client>();
  if (!c->connect(port)) return nullptr;
  if (!is_ack(hello_grant(*c, grant))) return nullptr;
  return c;
}

std::unique_ptr<ws_client> token_client(std::uint16_t port, const std::string& role) {
  auto c = std::make_unique<ws_client>();
  if (!c->connect(port)) return nullptr;
  if (!is_ack(c->hello(event, ws::token("u-" + role + "-" + ws::unique("x"), "A " + role, role)))) return nullptr;
  return c;
}

json::object body_of(const http_response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  return !ec && v.is_object() ? v.as_object() : json::object{};
}

}  // namespace

TEST(ws_press, a_grant_speaks_as_its_holder_and_joins_the_rooms_it_covers) {
  server_process server(options());
  const auto port = server.port();
  auto g = grant_for("Eva Ek");
  ws_client c;
  ASSERT_TRUE(c.connect(port)) << c.error();
  auto h = hello_grant(c, sign(g));
  ASSERT_TRUE(is_ack(h)) << str(h);
  EXPECT_EQ(string_field(h, "result.user.id"), g.id);
  EXPECT_EQ(string_field(h, "result.user.name"), "Eva Ek (Dagens Nyheter)");
  EXPECT_EQ(string_field(h, "result.user.role"), "press");
  EXPECT_EQ(string_field(h, "result.event"), event);

  // The press meeting's room (a press stage) and the main stage: covered.
  auto j = c.join(ws::room("press"));
  ASSERT_TRUE(is_ack(j)) << str(j);
  auto p = c.post(ws::room("press"), "En fråga från DN");
  ASSERT_TRUE(is_ack(p)) << str(p);
  auto m = c.next_event_if([](const json::object& e) { return string_field(e, "type") == "message"; });
  ASSERT_TRUE(m);
  EXPECT_EQ(string_field(m, "user.id"), g.id);
  EXPECT_EQ(string_field(m, "user.role"), "press");
  EXPECT_EQ(string_field(m, "user.name"), "Eva Ek (Dagens Nyheter)");
  EXPECT_TRUE(is_ack(c.join(ws::room("main"))));

  // Rooms the grant does not name: its own code, whatever the room's visibility.
  EXPECT_EQ(outcome(c.join(ws::room("seminar-housing"))), "grant_wrong_stage");  // no stage
  EXPECT_EQ(outcome(c.join(ws::room("seminar-health"))), "grant_wrong_stage");   // embargoed, press

  // A press member who reads the post in the press room: the same author.
  auto colleague = grant_for("Kalle Kula", "");
  colleague.rooms = {"*"};
  auto k = grant_client(port, sign(colleague));
  ASSERT_TRUE(k);
  auto kj = k->join(ws::room("press"));
  ASSERT_TRUE(is_ack(kj)) << str(kj);
  auto history = ws::messages_of(kj);
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(string_field(history.back(), "user.id"), g.id);
  // "*" covers every room up to press visibility: not the staff-only one.
  EXPECT_TRUE(is_ack(k->join(ws::room("seminar-health"))));
  EXPECT_TRUE(is_ack(k->join(ws::room("seminar-housing"))));
  EXPECT_EQ(outcome(k->join(ws::room("seminar-work"))), "forbidden");

  // No outlet: the name alone.
  ws_client named;
  ASSERT_TRUE(named.connect(port));
  EXPECT_EQ(string_field(hello_grant(named, sign(colleague)), "result.user.name"), "Kalle Kula");
}

TEST(ws_press, each_bad_grant_is_refused_at_hello_with_its_own_code) {
  server_process server(options());
  const auto port = server.port();
  auto refused = [&](const std::string& grant, const std::string& ev = event) {
    ws_client c;
    if (!c.connect(port)) return std::string("(no connection)");
    auto said = outcome(hello_grant(c, grant, ev));
    // A refused hello leaves the connection open and unauthenticated.
    if (said != "ack" && outcome(c.join(ws::room("main"))) != "not_authenticated")
      return said + ", and yet authenticated";
    return said;
  };
  auto good = sign(grant_for("Eva Ek"));
  ASSERT_EQ(refused(good), "ack") << "a good grant must be admitted";

  // Tampered: one character of the payload changed; the signature cut; not a grant at all.
  auto tampered = good;
  auto payload_at = tampered.find('.', 3) + 5;
  tampered[payload_at] = tampered[payload_at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(refused(tampered), "grant_invalid");
  EXPECT_EQ(refused(good.substr(0, good.rfind('.'))), "grant_invalid");
  EXPECT_EQ(refused("hello"), "grant_invalid");
  // A join token is not a grant.
  EXPECT_EQ(refused(ws::token("u-x", "X", "press")), "grant_invalid");

  auto expired = grant_for("Eva Ek");
  expired.valid_from = unix_seconds() - 7200;
  expired.valid_until = unix_seconds() - 60;
  EXPECT_EQ(refused(sign(expired)), "grant_expired");

  auto early = grant_for("Eva Ek");
  early.valid_from = unix_seconds() + 3600;
  early.valid_until = unix_seconds() + 7200;
  EXPECT_EQ(refused(sign(early)), "grant_not_yet_valid");

  // Signed with a key the server does not have.
  auth::keyring other_keys(auth::signing_key{"k-old", "another-secret-of-at-least-32-bytes-0123456789"});
  EXPECT_EQ(refused(press::sign_grant(grant_for("Eva Ek"), other_keys)), "grant_unknown_key");

  // Another event's grant, said to this event.
  auto elsewhere = grant_for("Eva Ek");
  elsewhere.event = "another-event-2028";
  EXPECT_EQ(refused(sign(elsewhere)), "grant_wrong_stage");

  // Two credentials at once: bad_message, as for the others.
  ws_client both;
  ASSERT_TRUE(both.connect(port));
  auto h = both.request({{"type", "hello"}, {"event", event}, {"grant", good}, {"token", ws::token("u-a", "A")}});
  EXPECT_EQ(outcome(h), "bad_message") << str(h);
}

TEST(ws_press, a_grant_that_expires_while_connected_cannot_join_any_more) {
  server_process server(options());
  auto g = grant_for("Eva Ek");
  g.valid_until = unix_seconds() + 2;
  auto c = grant_client(server.port(), sign(g));
  ASSERT_TRUE(c) << "the grant must open while it is valid";
  ASSERT_TRUE(is_ack(c->join(ws::room("main"))));
  // Joining again is allowed (a client re-reads what it missed): until the grant's end.
  std::string last;
  EXPECT_TRUE(eventually(
      [&] {
        last = outcome(c->join(ws::room("main")));
        return last != "ack";
      },
      10s));
  EXPECT_EQ(last, "grant_expired");
  EXPECT_GE(unix_seconds(), g.valid_until);
}

TEST(ws_press, a_rooms_visibility_admits_by_level_and_refuses_with_grant_missing_or_forbidden) {
  server_process server(options());
  const auto port = server.port();

  // An attendee: the press meeting's room wants press (grant_missing: a press link would open
  // it), the staff stage's room wants staff (forbidden); the public and unstaged rooms open.
  auto att = token_client(port, "attendee");
  ASSERT_TRUE(att);
  EXPECT_EQ(outcome(att->join(ws::room("press"))), "grant_missing");
  EXPECT_EQ(outcome(att->join(ws::room("seminar-health"))), "grant_missing");  // embargoed: press until public_at
  EXPECT_EQ(outcome(att->join(ws::room("seminar-work"))), "forbidden");
  EXPECT_TRUE(is_ack(att->join(ws::room("main"))));
  EXPECT_TRUE(is_ack(att->join(ws::room("seminar-housing"))));

  // A press token (the role, without a grant): press, not staff.
  auto pr = token_client(port, "press");
  ASSERT_TRUE(pr);
  EXPECT_TRUE(is_ack(pr->join(ws::room("press"))));
  EXPECT_TRUE(is_ack(pr->join(ws::room("seminar-health"))));
  EXPECT_EQ(outcome(pr->join(ws::room("seminar-work"))), "forbidden");

  // A press grant covering every room: never a staff-only one.
  auto g = grant_for("Eva Ek");
  g.rooms = {"*"};
  auto gc = grant_client(port, sign(g));
  ASSERT_TRUE(gc);
  EXPECT_EQ(outcome(gc->join(ws::room("seminar-work"))), "forbidden");

  // Staff: everything, the press officer included.
  for (auto role : {"moderator", "organizer", "press_officer"}) {
    SCOPED_TRACE(role);
    auto staff = token_client(port, role);
    ASSERT_TRUE(staff);
    for (auto room : {"press", "seminar-health", "seminar-work", "main", "seminar-housing"})
      EXPECT_TRUE(is_ack(staff->join(ws::room(room)))) << room;
  }
}

TEST(ws_press, an_embargoed_stages_room_opens_to_attendees_at_its_public_time_without_a_restart) {
  const auto public_at = unix_seconds() + 10;  // room for a slow start on a busy machine
  server_process server(options(public_at));
  auto att = token_client(server.port(), "attendee");
  ASSERT_TRUE(att);
  auto before = outcome(att->join(ws::room("seminar-health")));
  auto asked_at = unix_seconds();
  if (asked_at < public_at) EXPECT_EQ(before, "grant_missing");
  else ADD_FAILURE() << "the server took until public_at to start: the embargo was not seen";
  std::string last = before;
  EXPECT_TRUE(eventually(
      [&] {
        last = outcome(att->join(ws::room("seminar-health")));
        return last == "ack";
      },
      20s))
      << last;
  // Not before its time (the server counts whole seconds, as this clock does).
  EXPECT_GE(unix_seconds(), public_at);
  // The staff stage's room does not open with it.
  EXPECT_EQ(outcome(att->join(ws::room("seminar-work"))), "forbidden");
}

TEST(ws_press, revoking_a_grant_closes_its_connections_with_4012_and_refuses_it_after) {
  temp_dir dir;
  auto o = options();
  o.dir = &dir;
  auto server = std::make_unique<server_process>(o);
  const auto port = server->port();
  const std::vector<std::pair<std::string, std::string>> officer = {
      {"Authorization", "Bearer " + ws::token("u-po", "Petra Press", "press_officer")},
      {"Content-Type", "application/json"}};
  json::object req{{"name", "Eva Ek"},
                   {"outlet", "Dagens Nyheter"},
                   {"rooms", json::array{"press", "main"}},
                   {"valid_from", rfc3339(unix_seconds() - 60)},
                   {"valid_until", rfc3339(unix_seconds() + 3600)}};
  auto made = http_request(port, "POST", "/api/v1/events/" + event + "/grants", json::serialize(req), officer);
  ASSERT_EQ(made.status, 201) << made.body;
  auto body = body_of(made);
  const std::string id(body.at("grant").at("id").as_string());
  const std::string link(body.at("link").as_string());
  auto at = link.find("#press=");
  ASSERT_NE(at, std::string::npos) << link;
  const std::string grant = link.substr(at + 7);

  // Two devices of the same grant, in the press room; another journalist's grant beside them.
  auto one = grant_client(port, grant);
  auto two = grant_client(port, grant);
  ASSERT_TRUE(one && two);
  ASSERT_TRUE(is_ack(one->join(ws::room("press"))));
  ASSERT_TRUE(is_ack(two->join(ws::room("main"))));
  auto other = grant_client(port, sign(grant_for("Kalle Kula")));
  ASSERT_TRUE(other);
  ASSERT_TRUE(is_ack(other->join(ws::room("press"))));

  auto revoked = http_request(port, "POST", "/api/v1/events/" + event + "/grants/" + id + "/revoke",
                              R"({"reason":"test"})", officer);
  const auto answered = std::chrono::steady_clock::now();
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(one->wait_closed(10s), 4012);
  EXPECT_EQ(two->wait_closed(10s), 4012);
  EXPECT_LT(std::chrono::steady_clock::now() - answered, 10s);

  // The other grant's connection stays.
  EXPECT_TRUE(is_ack(other->request({{"type", "ping"}})));
  EXPECT_TRUE(other->is_open());

  ws_client again;
  ASSERT_TRUE(again.connect(port));
  EXPECT_EQ(outcome(hello_grant(again, grant)), "grant_revoked");

  // After a restart on the same database: still revoked (the registry starts from the store).
  server.reset();
  server = std::make_unique<server_process>(o);
  ws_client restarted;
  ASSERT_TRUE(restarted.connect(server->port()));
  EXPECT_EQ(outcome(hello_grant(restarted, grant)), "grant_revoked");
  ws_client colleague;
  ASSERT_TRUE(colleague.connect(server->port()));
  EXPECT_TRUE(is_ack(hello_grant(colleague, sign(grant_for("Kalle Kula")))));
}
