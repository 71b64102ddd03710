// The registration routes with what the integrator wires (the outbox, the audit log) replaced
// by fakes, an injected clock, the real SQLite store on a temporary file and a real keyring:
// which e-mails go into the outbox for each change, with which links; the join token verifies
// with the server's key; the audit entry of a settings change.
#include "api/registration_routes.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "program/timezone.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_registration_store.hpp"
#include "temp_dir.hpp"

namespace api = samling::api;
namespace asio = boost::asio;
namespace json = boost::json;
namespace auth = samling::auth;
namespace mail = samling::mail;
namespace net = samling::net;
namespace program = samling::program;
namespace store = samling::store;

namespace {

class fake_program final : public program::program_store {
 public:
  program::event e;
  fake_program() {
    e.id = "e";
    e.title = {{"sv", "Dagen"}, {"en", "The Day"}, {"fi", "Päivä"}};
    e.city = "Stockholm";
    e.timezone = "Europe/Stockholm";
    e.days = {"2027-02-09"};
  }
  bool has_events() override { return true; }
  std::vector<program::event_summary> list_events() override { return {program::summary_of(e)}; }
  std::optional<program::event> find_event(std::string_view id) override {
    if (id == e.id) return e;
    return std::nullopt;
  }
  void save_event(const program::event&) override {}
};

class fake_outbox final : public mail::outbox {
 public:
  std::vector<mail::message> sent;
  std::string enqueue(const mail::message& m) override {
    sent.push_back(m);
    return "m" + std::to_string(sent.size());
  }
  std::vector<mail::outbox_entry> list(std::string_view, std::size_t) override { return {}; }
};

class fake_audit final : public auth::audit_log {
 public:
  std::vector<auth::audit_entry> entries;
  void record(const auth::audit_entry& e) override { entries.push_back(e); }
  std::vector<auth::audit_entry> list(std::string_view, std::size_t) override { return entries; }
};

std::int64_t utc(const char* iso) { return program::parse_utc_iso(iso).value(); }

const std::string secret = "registration-routes-test-secret-0123456789";

struct routes_test : ::testing::Test {
  samling::testing::temp_dir dir;
  samling::core::blocking_pool db_pool{1};
  std::unique_ptr<store::sqlite_db> db;
  std::unique_ptr<store::sqlite_registration_store> regs;
  fake_program program;
  fake_outbox outbox;
  fake_audit audit;
  auth::keyring keys{{"k1", secret}};
  api::http_auth http_auth{&keys};
  api::registration_context ctx;
  net::router router;
  std::int64_t now = utc("2026-12-01T12:00:00Z");

  routes_test() {
    db = std::make_unique<store::sqlite_db>(dir.file("samling.db"));
    regs = std::make_unique<store::sqlite_registration_store>(*db);
    ctx.program = &program;
    ctx.store = regs.get();
    ctx.db_pool = &db_pool;
    ctx.auth = &http_auth;
    ctx.keys = &keys;
    ctx.outbox = &outbox;
    ctx.audit = &audit;
    ctx.public_url = "https://konf.example.org/";
    ctx.now = [this] { return now; };
    api::register_registration_routes(router, ctx);
  }
  ~routes_test() override {
    db_pool.stop();
    regs.reset();
    db.reset();
  }

  net::response call(const std::string& method, const std::string& target, const std::string& body = {},
                     const std::string& bearer = {}) {
    net::request r;
    r.method = method;
    r.target = target;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.body = body;
    r.remote = "127.0.0.1";
    if (!bearer.empty()) r.headers.emplace_back("authorization", "Bearer " + bearer);
    auto m = router.match(method, r.path);
    EXPECT_TRUE(m.fn) << method << " " << r.path;
    if (!m.fn) return {};
    r.params = m.params;
    asio::io_context io;
    auto done = asio::co_spawn(io, (*m.fn)(std::move(r)), asio::use_future);
    io.run();
    return done.get();
  }
  // An organizer's join token; http_auth checks tokens against the real clock, not ctx.now.
  std::string organizer() {
    auto wall = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    return keys.sign(auth::claims{.user_id = "u-org", .name = "Olga", .event = "e", .role = auth::role::organizer,
                                  .issued_at = wall, .expires_at = wall + 3600});
  }
  void settings(std::int64_t capacity) {
    json::object s{{"opens_at", "2026-12-01T09:00"}, {"closes_at", "2027-02-08T14:00"}, {"capacity", capacity}};
    auto r = call("PUT", "/api/v1/events/e/registration", json::serialize(s), organizer());
    ASSERT_EQ(r.status, 200u) << r.body;
  }
  json::object sign_up(const std::string& name, const std::string& email, const std::string& lang = "en") {
    json::object b{{"name", name}, {"email", email}, {"consent", true}, {"language", lang}};
    auto r = call("POST", "/api/v1/events/e/registrations", json::serialize(b));
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;
    return json::parse(r.body).as_object();
  }
};

// The token after "&key=" in a link.
std::string link_token(const std::string& text, const std::string& key) {
  auto pos = text.find("&" + key + "=");
  if (pos == std::string::npos) return {};
  pos += key.size() + 2;
  auto end = text.find_first_of("\n\"<", pos);
  return text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

}  // namespace

TEST_F(routes_test, an_event_without_settings_has_no_registration) {
  auto r = call("GET", "/api/v1/events/e/registration");
  EXPECT_EQ(r.status, 404u);
  EXPECT_NE(r.body.find("registration_not_found"), std::string::npos) << r.body;
  json::object b{{"name", "A"}, {"email", "a@example.org"}, {"consent", true}};
  auto post = call("POST", "/api/v1/events/e/registrations", json::serialize(b));
  EXPECT_EQ(post.status, 404u);
  EXPECT_NE(post.body.find("registration_not_found"), std::string::npos) << post.body;
  EXPECT_NE(call("GET", "/api/v1/events/nope/registration").body.find("unknown_event"), std::string::npos);
}

TEST_F(routes_test, the_confirmation_carries_a_join_token_the_server_accepts_and_a_working_manage_link) {
  settings(10);
  auto a = sign_up("Anna Svensson", "anna@example.org", "sv");
  auto id = std::string(a.at("registration").at("id").as_string());
  ASSERT_EQ(outbox.sent.size(), 1u);
  auto& m = outbox.sent[0];
  EXPECT_EQ(m.kind, "registration_confirmed");
  EXPECT_EQ(m.language, "sv");
  EXPECT_EQ(m.to, "anna@example.org");
  EXPECT_EQ(m.event_id, "e");
  EXPECT_EQ(m.subject, "Du är anmäld: Dagen");
  EXPECT_NE(m.text.find("https://konf.example.org/#event=e&join=v1.k1."), std::string::npos) << m.text;

  auto join = link_token(m.text, "join");
  auto v = keys.verify(join, now);
  ASSERT_TRUE(std::holds_alternative<auth::claims>(v)) << join;
  auto c = std::get<auth::claims>(v);
  EXPECT_EQ(c.user_id, id);
  EXPECT_EQ(c.name, "Anna Svensson");
  EXPECT_EQ(c.event, "e");
  EXPECT_EQ(c.role, auth::role::attendee);
  EXPECT_EQ(c.expires_at, utc("2027-02-10T23:00:00Z")) << "the end of 2027-02-09 plus a day, Stockholm time";

  auto manage = link_token(m.text, "registration");
  ASSERT_FALSE(manage.empty());
  auto mine = call("GET", "/api/v1/registrations/mine?token=" + manage);
  EXPECT_EQ(mine.status, 200u) << mine.body;
  EXPECT_NE(mine.body.find("\"email\":\"anna@example.org\""), std::string::npos) << mine.body;
  EXPECT_FALSE(a.contains("join_link")) << "dev_links is off: the answer has no links";

  // The same address again: the same registration, no second mail.
  auto again = sign_up("Anna", "ANNA@example.org");
  EXPECT_EQ(again.at("registration").at("id").as_string(), id);
  EXPECT_EQ(outbox.sent.size(), 1u);
}

TEST_F(routes_test, waitlist_cancel_and_promotion_each_mail_the_right_person) {
  settings(1);
  sign_up("A", "a@example.org");
  sign_up("B", "b@example.org", "fi");
  ASSERT_EQ(outbox.sent.size(), 2u);
  EXPECT_EQ(outbox.sent[1].kind, "registration_waitlisted");
  EXPECT_EQ(outbox.sent[1].language, "fi");
  EXPECT_EQ(outbox.sent[1].text.find("join="), std::string::npos) << "no way in before a seat";
  EXPECT_FALSE(link_token(outbox.sent[1].text, "registration").empty());

  auto manage_a = link_token(outbox.sent[0].text, "registration");
  auto r = call("POST", "/api/v1/registrations/mine/cancel", json::serialize(json::object{{"token", manage_a}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(outbox.sent.size(), 4u);
  EXPECT_EQ(outbox.sent[2].kind, "registration_cancelled");
  EXPECT_EQ(outbox.sent[2].to, "a@example.org");
  EXPECT_EQ(outbox.sent[3].kind, "registration_promoted");
  EXPECT_EQ(outbox.sent[3].to, "b@example.org");
  EXPECT_EQ(outbox.sent[3].subject, "Sait paikan: Päivä");
  auto join = link_token(outbox.sent[3].text, "join");
  EXPECT_TRUE(std::holds_alternative<auth::claims>(keys.verify(join, now))) << outbox.sent[3].text;
}

TEST_F(routes_test, deletion_mails_nobody_at_the_erased_address_but_still_promotes) {
  settings(1);
  sign_up("A", "a@example.org");
  sign_up("B", "b@example.org");
  auto manage_a = link_token(outbox.sent[0].text, "registration");
  auto r = call("POST", "/api/v1/registrations/mine/delete", json::serialize(json::object{{"token", manage_a}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(outbox.sent.size(), 3u);
  EXPECT_EQ(outbox.sent[2].kind, "registration_promoted");
  EXPECT_EQ(outbox.sent[2].to, "b@example.org");
}

TEST_F(routes_test, the_window_follows_the_injected_clock_to_the_minute) {
  json::object s{{"opens_at", "2027-03-27T14:00"}, {"closes_at", "2027-03-28T14:00"}};
  ASSERT_EQ(call("PUT", "/api/v1/events/e/registration", json::serialize(s), organizer()).status, 200u);
  json::object b{{"name", "A"}, {"email", "a@example.org"}, {"consent", true}};
  now = utc("2027-03-27T12:59:00Z");  // 13:59 CET
  auto early = call("POST", "/api/v1/events/e/registrations", json::serialize(b));
  EXPECT_EQ(early.status, 403u);
  EXPECT_NE(early.body.find("registration_not_open"), std::string::npos) << early.body;
  EXPECT_NE(early.body.find("Registration opens 2027-03-27 14:00 (Europe/Stockholm)."), std::string::npos) << early.body;
  now = utc("2027-03-27T13:00:00Z");  // 14:00 CET
  EXPECT_EQ(call("POST", "/api/v1/events/e/registrations", json::serialize(b)).status, 201u);
  // After the spring change, 14:00 CEST is 12:00Z.
  b["email"] = "b@example.org";
  now = utc("2027-03-28T11:59:59Z");
  EXPECT_EQ(call("POST", "/api/v1/events/e/registrations", json::serialize(b)).status, 201u);
  b["email"] = "c@example.org";
  now = utc("2027-03-28T12:00:00Z");
  auto late = call("POST", "/api/v1/events/e/registrations", json::serialize(b));
  EXPECT_EQ(late.status, 403u);
  EXPECT_NE(late.body.find("Registration closed 2027-03-28 14:00 (Europe/Stockholm)."), std::string::npos) << late.body;
}

TEST_F(routes_test, a_settings_change_is_audited) {
  settings(5);
  ASSERT_EQ(audit.entries.size(), 1u);
  auto& e = audit.entries[0];
  EXPECT_EQ(e.action, "registration.settings");
  EXPECT_EQ(e.actor, "u-org");
  EXPECT_EQ(e.actor_name, "Olga");
  EXPECT_EQ(e.event_id, "e");
  EXPECT_EQ(e.remote, "127.0.0.1");
  EXPECT_NE(e.detail.find("\"capacity\":5"), std::string::npos) << e.detail;
  EXPECT_EQ(e.at_ms, now * 1000);
}

TEST_F(routes_test, the_web_apps_names_are_accepted_and_left_out_fields_keep_their_values) {
  json::object full{{"opens_at", "2026-12-01T09:00"}, {"closes_at", "2027-02-08T14:00"}, {"capacity", 5},
                    {"waitlist", false}, {"consent_version", "v7"}, {"modes", json::array{"hall", "remote"}},
                    {"remote_capacity", 50}};
  ASSERT_EQ(call("PUT", "/api/v1/events/e/registration", json::serialize(full), organizer()).status, 200u);
  // What the console sends: local times by their _local names, capacity null (unlimited), modes.
  json::object web{{"opens_at_local", "2026-12-01T10:00"}, {"closes_at_local", "2027-02-07T14:00"},
                   {"capacity", nullptr}, {"modes", json::array{"hall", "remote"}}};
  auto r = call("PUT", "/api/v1/events/e/registration", json::serialize(web), organizer());
  ASSERT_EQ(r.status, 200u) << r.body;
  auto s = json::parse(r.body).as_object();
  EXPECT_EQ(s.at("opens_at_local").as_string(), "2026-12-01T10:00");
  EXPECT_EQ(s.at("closes_at").as_string(), "2027-02-07T13:00:00Z");
  EXPECT_EQ(s.at("capacity").as_int64(), 0) << "null is unlimited";
  EXPECT_EQ(s.at("waitlist").as_bool(), false) << "left out: kept";
  EXPECT_EQ(s.at("consent_version").as_string(), "v7");
  EXPECT_EQ(s.at("remote_capacity").as_int64(), 50);
  json::object bad{{"opens_at_local", "soon"}};
  auto b = call("PUT", "/api/v1/events/e/registration", json::serialize(bad), organizer());
  EXPECT_EQ(b.status, 422u);
  EXPECT_NE(b.body.find("\"field\":\"opens_at_local\""), std::string::npos) << b.body;

  // The form's "accessibility" is the accessibility needs.
  json::object reg{{"name", "A"}, {"email", "a@example.org"}, {"consent", true}, {"mode", "hall"},
                   {"accessibility", "Hörslinga"}};
  auto created = call("POST", "/api/v1/events/e/registrations", json::serialize(reg));
  ASSERT_EQ(created.status, 201u) << created.body;
  auto manage = link_token(outbox.sent.back().text, "registration");
  auto mine = call("GET", "/api/v1/registrations/mine?token=" + manage);
  EXPECT_NE(mine.body.find("\"accessibility_needs\":\"Hörslinga\""), std::string::npos) << mine.body;
  EXPECT_NE(mine.body.find("\"accessibility\":\"Hörslinga\""), std::string::npos) << mine.body;
  reg["email"] = "b@example.org";
  reg["accessibility"] = std::string(1001, 'x');
  auto too_long = call("POST", "/api/v1/events/e/registrations", json::serialize(reg));
  EXPECT_EQ(too_long.status, 422u);
  EXPECT_NE(too_long.body.find("\"field\":\"accessibility\""), std::string::npos) << too_long.body;
}
