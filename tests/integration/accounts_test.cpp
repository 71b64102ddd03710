// Staff accounts through the real binary (docs/api.md, Staff accounts and sign-in): sign-in and
// the cookie's attributes, /auth/me, the lock-out after ten wrong passwords, a forged CSRF
// token, a cookie replayed by another browser, sign-out everywhere, an invitation from the
// organizer to a moderator who sets a password, signs in and says hello on the WebSocket with
// the cookie alone, and the audit log of it all. The organizer is made with `samling account
// add`, as an operator would.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <future>

#include <boost/json.hpp>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

const std::string event_id = "stockholm-tillsammans-2027";
const std::string organizer_email = "arrangor@example.org";
const std::string organizer_password = "ett långt lösenord för test";
const std::string firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

using header_list = std::vector<std::pair<std::string, std::string>>;

json::object body_of(const http_response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  return !ec && v.is_object() ? v.as_object() : json::object{};
}

std::string error_code(const http_response& r) {
  auto b = body_of(r);
  auto* e = b.if_contains("error");
  return e && e->is_object() && e->as_object().contains("code") ? std::string(e->as_object().at("code").as_string())
                                                                 : std::string();
}

// The session id from a Set-Cookie line ("samling_session=ID; Path=/; …").
std::string cookie_of(const http_response& r) {
  auto line = r.header("set-cookie");
  const std::string prefix = "samling_session=";
  if (line.rfind(prefix, 0) != 0) return {};
  return line.substr(prefix.size(), line.find(';') - prefix.size());
}

struct staff_client {
  std::string cookie, csrf, ua = firefox;
  header_list headers(bool with_csrf = true) const {
    header_list h{{"Cookie", "theme=dark; samling_session=" + cookie}, {"User-Agent", ua}};
    if (with_csrf) h.emplace_back("X-CSRF-Token", csrf);
    return h;
  }
};

http_response sign_in(std::uint16_t port, const std::string& email, const std::string& password,
                      const std::string& ua = firefox) {
  return http_request(port, "POST", "/api/v1/auth/sign-in",
                      json::serialize(json::object{{"email", email}, {"password", password}}),
                      {{"User-Agent", ua}, {"Content-Type", "application/json"}});
}

std::optional<staff_client> signed_in(std::uint16_t port, const std::string& email, const std::string& password,
                                      const std::string& ua = firefox) {
  auto r = sign_in(port, email, password, ua);
  if (r.status != 200) return std::nullopt;
  staff_client c;
  c.cookie = cookie_of(r);
  c.csrf = std::string(body_of(r).at("csrf").as_string());
  c.ua = ua;
  return c;
}

// Rows of a query on the server's database, each row's columns joined with '|'.
std::vector<std::string> db_rows(const std::string& path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        std::string row;
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
          auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
          row += (i ? "|" : "") + std::string(t ? t : "");
        }
        out.push_back(row);
      }
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

// What the store keeps of a session id: its SHA-256 in hex.
std::string sha256_hex(const std::string& s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  std::string out;
  for (auto b : d) {
    out += "0123456789abcdef"[b >> 4];
    out += "0123456789abcdef"[b & 0xF];
  }
  return out;
}

// Runs a statement on the server's database (as an operator's sqlite3 would, or time passing).
void db_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

class accounts : public ::testing::Test {
 protected:
  void SetUp() override {
    server_process::options o;
    o.extra_toml = "[auth]\ndev_tokens = true\n" + extra_toml_;
    server_ = std::make_unique<server_process>(o);
    auto r = run_samling_with_input({"account", "add", "--config", server_->dir().file("samling.toml"), "--email",
                                     organizer_email, "--name", "Ada Arrangör", "--role", "organizer", "--event", "*",
                                     "--password-stdin"},
                                    organizer_password + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::uint16_t port() const { return server_->port(); }
  std::string db_path() const { return server_->dir().file("samling.db"); }

  std::string extra_toml_;
  std::unique_ptr<server_process> server_;
};

TEST_F(accounts, sign_in_sets_a_lax_http_only_cookie_and_me_answers_with_the_account) {
  auto r = sign_in(port(), " ARRANGOR@example.org ", organizer_password);
  ASSERT_EQ(r.status, 200) << r.body;
  auto cookie_line = r.header("set-cookie");
  EXPECT_EQ(cookie_line.rfind("samling_session=", 0), 0u) << cookie_line;
  EXPECT_NE(cookie_line.find("; Path=/"), std::string::npos) << cookie_line;
  EXPECT_NE(cookie_line.find("; HttpOnly"), std::string::npos) << cookie_line;
  EXPECT_NE(cookie_line.find("; SameSite=Lax"), std::string::npos) << cookie_line;
  EXPECT_EQ(cookie_line.find("Secure"), std::string::npos) << "no Secure without TLS: " << cookie_line;
  EXPECT_GE(cookie_of(r).size(), 40u);
  auto body = body_of(r);
  EXPECT_EQ(body.at("account").at("email").as_string(), organizer_email);
  EXPECT_EQ(body.at("account").at("name").as_string(), "Ada Arrangör");
  EXPECT_EQ(json::serialize(body.at("account").at("roles")), R"([{"event":"*","role":"organizer"}])");
  EXPECT_GE(body.at("csrf").as_string().size(), 40u);
  // The store keeps only a hash of the session id.
  auto stored = db_rows(db_path(), "SELECT id_hash FROM staff_sessions");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].find(cookie_of(r)), std::string::npos);

  staff_client c{cookie_of(r), std::string(body.at("csrf").as_string())};
  auto me = http_get(port(), "/api/v1/auth/me", c.headers(false));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(body_of(me).at("account").at("id"), body.at("account").at("id"));
  EXPECT_EQ(body_of(me).at("csrf"), body.at("csrf"));

  auto nobody = http_get(port(), "/api/v1/auth/me");
  EXPECT_EQ(nobody.status, 401);
  EXPECT_EQ(error_code(nobody), "not_signed_in");
  auto forged = http_get(port(), "/api/v1/auth/me", {{"Cookie", "samling_session=forged"}, {"User-Agent", firefox}});
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(error_code(forged), "not_signed_in");
}

TEST_F(accounts, a_wrong_password_and_an_unknown_e_mail_get_the_same_answer) {
  auto wrong = sign_in(port(), organizer_email, "not the password at all");
  auto unknown = sign_in(port(), "nobody@example.org", "not the password at all");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(error_code(wrong), "sign_in_failed");
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_TRUE(wrong.header("set-cookie").empty());
  auto malformed = http_request(port(), "POST", "/api/v1/auth/sign-in", "{\"email\":3}");
  EXPECT_EQ(malformed.status, 400);
}

TEST_F(accounts, ten_wrong_passwords_lock_the_account_with_a_clear_message) {
  for (int i = 1; i <= 9; ++i) {
    auto r = sign_in(port(), organizer_email, "wrong password number " + std::to_string(i));
    ASSERT_EQ(r.status, 401) << "attempt " << i << ": " << r.body;
  }
  auto tenth = sign_in(port(), organizer_email, "wrong password number 10");
  ASSERT_EQ(tenth.status, 429) << tenth.body;
  EXPECT_EQ(error_code(tenth), "sign_in_locked");
  auto message = std::string(body_of(tenth).at("error").at("message").as_string());
  EXPECT_NE(message.find("locked"), std::string::npos) << message;
  EXPECT_NE(message.find("15 minutes"), std::string::npos) << message;
  auto retry = std::stoi(tenth.header("retry-after"));
  EXPECT_GT(retry, 800);
  EXPECT_LE(retry, 900);
  EXPECT_EQ(body_of(tenth).at("error").at("retry_after_s").as_int64(), retry);

  // Locked: even the right password is refused, and says for how long.
  auto right = sign_in(port(), organizer_email, organizer_password);
  EXPECT_EQ(right.status, 429);
  EXPECT_EQ(error_code(right), "sign_in_locked");
  EXPECT_TRUE(right.header("set-cookie").empty());
  EXPECT_FALSE(right.header("retry-after").empty());
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM staff_sessions")[0], "0");
  auto audit = db_rows(db_path(), "SELECT action || '|' || target FROM audit_log WHERE action = 'staff.sign_in_locked'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0], "staff.sign_in_locked|" + organizer_email);

  // The operator's way back in: a new password lifts the lock.
  const std::string fresh = "a new password from the operator";
  auto reset = run_samling_with_input({"account", "add", "--config", server_->dir().file("samling.toml"), "--email",
                                       organizer_email, "--name", "Ada", "--reset-password", "--password-stdin"},
                                      fresh + "\n");
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(sign_in(port(), organizer_email, fresh).status, 200);
}

TEST_F(accounts, a_forged_or_missing_csrf_token_is_refused_and_changes_nothing) {
  auto c = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(c);
  auto invite = json::serialize(json::object{{"email", "mona@example.org"}, {"name", "Mona"}, {"role", "moderator"}});
  auto forged = *c;
  forged.csrf = std::string(c->csrf.size(), 'A');
  for (auto& headers : {forged.headers(), c->headers(false)}) {
    auto r = http_request(port(), "POST", "/api/v1/events/" + event_id + "/invitations", invite, headers);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(error_code(r), "csrf_failed");
  }
  auto out = http_request(port(), "POST", "/api/v1/auth/sign-out-everywhere", "", forged.headers());
  EXPECT_EQ(out.status, 403);
  EXPECT_EQ(error_code(out), "csrf_failed");
  // Nothing was written, and the session still works.
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM invitations")[0], "0");
  auto staff = http_get(port(), "/api/v1/events/" + event_id + "/staff", c->headers(false));
  ASSERT_EQ(staff.status, 200) << staff.body;
  EXPECT_TRUE(body_of(staff).at("invitations").as_array().empty());
  // The right token goes through.
  auto ok = http_request(port(), "POST", "/api/v1/events/" + event_id + "/invitations", invite, c->headers());
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(accounts, a_cookie_replayed_by_another_browser_is_refused_and_the_session_ended) {
  auto c = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(c);
  // The same browser after an update keeps its session.
  auto updated = *c;
  updated.ua = "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0";
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", updated.headers(false)).status, 200);
  auto thief = *c;
  thief.ua = "curl/7.88.1";
  auto stolen = http_get(port(), "/api/v1/auth/me", thief.headers(false));
  EXPECT_EQ(stolen.status, 401);
  EXPECT_NE(stolen.body.find("another browser"), std::string::npos) << stolen.body;
  auto staff = http_get(port(), "/api/v1/events/" + event_id + "/staff", thief.headers(false));
  EXPECT_EQ(staff.status, 401);
  EXPECT_EQ(error_code(staff), "session_expired");
  // Ended for the real browser too: whoever holds the cookie must sign in again.
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", c->headers(false)).status, 401);
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM audit_log WHERE action = 'staff.session_refused'")[0], "1");
}

TEST_F(accounts, an_idle_or_expired_session_ends_and_an_expired_invitation_is_refused) {
  auto idle = signed_in(port(), organizer_email, organizer_password);
  auto old = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(idle && old);
  // 12 h and a minute without use (auth.session_idle_minutes = 720), and a session past its end.
  db_exec(db_path(), "UPDATE staff_sessions SET last_seen = last_seen - 43260 WHERE id_hash = '" +
                         sha256_hex(idle->cookie) + "'");
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", idle->headers(false)).status, 401);
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", old->headers(false)).status, 200) << "only the idle one ends";
  auto fresh = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(fresh);
  db_exec(db_path(), "UPDATE staff_sessions SET expires_at = strftime('%s','now') - 1");
  auto expired = http_get(port(), "/api/v1/events/" + event_id + "/staff", fresh->headers(false));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(error_code(expired), "session_expired");

  auto org = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(org);
  auto inv = http_request(port(), "POST", "/api/v1/events/" + event_id + "/invitations",
                          R"({"email":"late@example.org","name":"Late","role":"speaker","language":"sv"})", org->headers());
  ASSERT_EQ(inv.status, 201) << inv.body;
  auto expires = std::string(body_of(inv).at("invitation").at("expires_at").as_string());
  auto created = std::string(body_of(inv).at("invitation").at("created_at").as_string());
  EXPECT_EQ(expires.substr(10), created.substr(10)) << "seven days later, same time";
  std::string link(body_of(inv).at("invitation").at("link").as_string());
  auto token = link.substr(link.find("#invite=") + 8);
  db_exec(db_path(), "UPDATE invitations SET expires_at = strftime('%s','now') - 1");
  auto shown = http_get(port(), "/api/v1/invitations/" + token);
  EXPECT_EQ(shown.status, 410);
  EXPECT_NE(shown.body.find("expired"), std::string::npos) << shown.body;
  auto accept = http_request(port(), "POST", "/api/v1/invitations/" + token + "/accept",
                             R"({"password":"a perfectly fine password"})", {{"User-Agent", firefox}});
  EXPECT_EQ(accept.status, 410);
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM accounts")[0], "1") << "no account was made";
}

TEST_F(accounts, sign_out_ends_one_session_and_sign_out_everywhere_ends_them_all) {
  auto a = signed_in(port(), organizer_email, organizer_password);
  auto b = signed_in(port(), organizer_email, organizer_password);
  auto c = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(a && b && c);
  EXPECT_NE(a->cookie, b->cookie);
  auto out = http_request(port(), "POST", "/api/v1/auth/sign-out", "", c->headers());
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos) << out.header("set-cookie");
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", c->headers(false)).status, 401);
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", a->headers(false)).status, 200);
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", b->headers(false)).status, 200);

  auto everywhere = http_request(port(), "POST", "/api/v1/auth/sign-out-everywhere", "", a->headers());
  EXPECT_EQ(everywhere.status, 204) << everywhere.body;
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", a->headers(false)).status, 401);
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", b->headers(false)).status, 401);
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM staff_sessions")[0], "0");
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM audit_log WHERE action = 'staff.signed_out_everywhere'")[0], "1");

  // A password reset by the operator ends the account's sessions as well.
  auto d = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(d);
  auto reset = run_samling_with_input({"account", "add", "--config", server_->dir().file("samling.toml"), "--email",
                                       organizer_email, "--name", "Ada", "--reset-password", "--password-stdin"},
                                      organizer_password + " 2\n");
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(http_get(port(), "/api/v1/auth/me", d->headers(false)).status, 401);
}

TEST_F(accounts, an_invited_moderator_sets_a_password_signs_in_and_says_hello_with_the_cookie) {
  auto org = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(org);
  auto bad = http_request(port(), "POST", "/api/v1/events/" + event_id + "/invitations",
                          R"({"email":"not-an-address","name":"Mona","role":"moderator"})", org->headers());
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(body_of(bad).at("error").at("fields").at(0).at("field").as_string(), "email");
  auto no_event = http_request(port(), "POST", "/api/v1/events/no-such-event/invitations",
                               R"({"email":"mona@example.org","name":"Mona","role":"moderator"})", org->headers());
  EXPECT_EQ(no_event.status, 404);

  auto inv = http_request(port(), "POST", "/api/v1/events/" + event_id + "/invitations",
                          R"({"email":"Mona@Example.org","name":"Mona Moderator","role":"moderator","language":"en"})",
                          org->headers());
  ASSERT_EQ(inv.status, 201) << inv.body;
  auto invitation = body_of(inv).at("invitation").as_object();
  EXPECT_EQ(invitation.at("email").as_string(), "mona@example.org");
  EXPECT_EQ(invitation.at("state").as_string(), "pending");
  std::string link(invitation.at("link").as_string());
  auto at = link.find("/#invite=");
  ASSERT_NE(at, std::string::npos) << link;
  EXPECT_EQ(link.rfind(server_->url().substr(0, server_->url().size() - 1), 0), 0u) << link;
  auto token = link.substr(at + 9);
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM invitations WHERE token_hash = '" + token + "'")[0], "0")
      << "only a hash of the token is stored";

  auto shown = http_get(port(), "/api/v1/invitations/" + token);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(body_of(shown).at("role").as_string(), "moderator");
  EXPECT_EQ(body_of(shown).at("event").as_string(), event_id);
  EXPECT_FALSE(body_of(shown).at("account_exists").as_bool());
  EXPECT_EQ(http_get(port(), "/api/v1/invitations/" + std::string(token.size(), 'x')).status, 410);

  auto weak = http_request(port(), "POST", "/api/v1/invitations/" + token + "/accept", R"({"password":"short"})",
                           {{"User-Agent", firefox}});
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(error_code(weak), "password_invalid");
  const std::string mona_password = "moderatorns eget lösenord";
  auto accepted = http_request(port(), "POST", "/api/v1/invitations/" + token + "/accept",
                               json::serialize(json::object{{"password", mona_password}}), {{"User-Agent", firefox}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_FALSE(cookie_of(accepted).empty());
  EXPECT_EQ(json::serialize(body_of(accepted).at("account").at("roles")),
            R"([{"event":")" + event_id + R"(","role":"moderator"}])");
  auto again = http_request(port(), "POST", "/api/v1/invitations/" + token + "/accept",
                            json::serialize(json::object{{"password", mona_password}}), {{"User-Agent", firefox}});
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(error_code(again), "invitation_invalid");

  // A fresh sign-in with the chosen password.
  auto mona = signed_in(port(), "mona@example.org", mona_password);
  ASSERT_TRUE(mona);
  // A moderator does not manage staff.
  EXPECT_EQ(http_get(port(), "/api/v1/events/" + event_id + "/staff", mona->headers(false)).status, 403);

  // The WebSocket hello with the cookie alone (from the browser that signed in).
  {
    ws_client ws;
    ws_client::options o;
    o.headers = {{"Cookie", "samling_session=" + mona->cookie}, {"User-Agent", firefox}};
    ASSERT_TRUE(ws.connect(port(), o)) << ws.error();
    auto ack = ws.request(json::object{{"type", "hello"}, {"event", event_id}});
    ASSERT_TRUE(ack);
    ASSERT_EQ(ack->at("type").as_string(), "ack") << json::serialize(*ack);
    auto& user = ack->at("result").at("user");
    EXPECT_EQ(user.at("role").as_string(), "moderator");
    EXPECT_EQ(user.at("name").as_string(), "Mona Moderator");
  }
  // The User-Agent of the upgrade counts as well: the ws_client's own is not Firefox.
  {
    auto ws_mona = signed_in(port(), "mona@example.org", mona_password, "samling-integration-tests");
    ASSERT_TRUE(ws_mona);
    ws_client ws;
    ws_client::options o;
    o.headers = {{"Cookie", "samling_session=" + mona->cookie}};
    ASSERT_TRUE(ws.connect(port(), o));
    auto refused = ws.request(json::object{{"type", "hello"}, {"event", event_id}});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->at("type").as_string(), "error");
    EXPECT_EQ(refused->at("code").as_string(), "not_authenticated");
  }
  {
    ws_client ws;
    ASSERT_TRUE(ws.connect(port()));
    auto no_cookie = ws.request(json::object{{"type", "hello"}, {"event", event_id}});
    ASSERT_TRUE(no_cookie);
    EXPECT_EQ(no_cookie->at("code").as_string(), "bad_message");
  }

  // The organizer sees the new staff member and removes the role.
  auto staff = http_get(port(), "/api/v1/events/" + event_id + "/staff", org->headers(false));
  ASSERT_EQ(staff.status, 200);
  std::string mona_id;
  auto staff_body = body_of(staff);  // named: a range-for does not keep a temporary's parent alive
  for (auto& m : staff_body.at("staff").as_array())
    if (m.at("email").as_string() == "mona@example.org") mona_id = std::string(m.at("account_id").as_string());
  ASSERT_FALSE(mona_id.empty()) << staff.body;
  EXPECT_EQ(body_of(staff).at("invitations").at(0).at("state").as_string(), "accepted");
  for (auto& m : staff_body.at("staff").as_array()) {
    if (m.at("account_id").as_string() == mona_id) {
      EXPECT_EQ(json::serialize(m.at("roles")), R"(["moderator"])");
      EXPECT_EQ(json::serialize(m.at("roles_everywhere")), "[]");
    } else {
      EXPECT_EQ(json::serialize(m.at("roles")), R"(["organizer"])");
      EXPECT_EQ(json::serialize(m.at("roles_everywhere")), R"(["organizer"])");
    }
  }
  auto removed = http_request(port(), "DELETE", "/api/v1/events/" + event_id + "/staff/" + mona_id + "/moderator", "",
                              org->headers());
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(http_request(port(), "DELETE", "/api/v1/events/" + event_id + "/staff/" + mona_id + "/moderator", "",
                         org->headers()).status, 404);
  {
    auto ws_mona = signed_in(port(), "mona@example.org", mona_password, "samling-integration-tests");
    ASSERT_TRUE(ws_mona);
    ws_client ws;
    ws_client::options o;
    o.headers = {{"Cookie", "samling_session=" + ws_mona->cookie}};
    ASSERT_TRUE(ws.connect(port(), o));
    auto refused = ws.request(json::object{{"type", "hello"}, {"event", event_id}});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->at("code").as_string(), "token_wrong_event");
  }

  // The audit log has each step, newest first, as JSON and as CSV.
  auto audit = http_get(port(), "/api/v1/events/" + event_id + "/audit", org->headers(false));
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::vector<std::string> actions, organization_wide;
  auto audit_body = body_of(audit);
  for (auto& e : audit_body.at("entries").as_array()) {
    if (e.at("event_id").as_string() == event_id) actions.emplace_back(e.at("action").as_string());
    else if (e.at("event_id").as_string() == "") organization_wide.emplace_back(e.at("action").as_string());
    else ADD_FAILURE() << "another event's entry: " << json::serialize(e);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"staff.role_removed", "staff.invitation_accepted", "staff.invited"}));
  // An organizer of every event sees the organization-wide entries too: the refused session of
  // mona's other browser, and the command that made the organizer.
  EXPECT_EQ(organization_wide, (std::vector<std::string>{"staff.session_refused", "staff.account_created"}));
  auto first = body_of(audit).at("entries").at(0).as_object();
  EXPECT_EQ(first.at("target").as_string(), mona_id);
  EXPECT_EQ(first.at("actor_name").as_string(), "Ada Arrangör");
  EXPECT_EQ(first.at("remote").as_string(), "127.0.0.1");
  auto csv = http_get(port(), "/api/v1/events/" + event_id + "/audit.csv", org->headers(false));
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("at,actor,actor_name,event_id,action,target,detail,remote\r\n", 0), 0u) << csv.body;
  EXPECT_NE(csv.body.find("\"staff.invitation_accepted\""), std::string::npos);
  EXPECT_EQ(http_get(port(), "/api/v1/events/" + event_id + "/audit", mona->headers(false)).status, 401)
      << "mona's first session was ended by the other browser's hello";
  // The command-line organizer is in the audit log as well (organization-wide).
  EXPECT_EQ(db_rows(db_path(), "SELECT actor || '|' || action FROM audit_log WHERE action = 'staff.account_created'"),
            std::vector<std::string>{"cli|staff.account_created"});
}

TEST_F(accounts, an_invitation_accepted_twice_at_once_is_used_once) {
  auto org = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(org);
  auto inv = http_request(port(), "POST", "/api/v1/events/" + event_id + "/invitations",
                          R"({"email":"twice@example.org","name":"Twice","role":"speaker"})", org->headers());
  ASSERT_EQ(inv.status, 201) << inv.body;
  std::string link(body_of(inv).at("invitation").at("link").as_string());
  auto token = link.substr(link.find("#invite=") + 8);
  auto accept = [&](const std::string& pw) {
    return http_request(port(), "POST", "/api/v1/invitations/" + token + "/accept",
                        json::serialize(json::object{{"password", pw}}), {{"User-Agent", firefox}})
        .status;
  };
  auto a = std::async(std::launch::async, accept, "the first racer's password");
  auto b = std::async(std::launch::async, accept, "the second racer's password");
  std::vector<int> statuses{a.get(), b.get()};
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<int>{200, 410}));
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM accounts WHERE email = 'twice@example.org'")[0], "1");
  EXPECT_EQ(db_rows(db_path(), "SELECT count(*) FROM audit_log WHERE action = 'staff.invitation_accepted'")[0], "1");
}

TEST_F(accounts, an_existing_account_accepts_with_its_own_password) {
  auto org = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(org);
  auto inv = http_request(port(), "POST", "/api/v1/events/" + event_id + "/invitations",
                          R"({"email":"arrangor@example.org","name":"Ada","role":"press"})", org->headers());
  ASSERT_EQ(inv.status, 201) << inv.body;
  std::string link(body_of(inv).at("invitation").at("link").as_string());
  auto token = link.substr(link.find("#invite=") + 8);
  EXPECT_TRUE(body_of(http_get(port(), "/api/v1/invitations/" + token)).at("account_exists").as_bool());
  auto wrong = http_request(port(), "POST", "/api/v1/invitations/" + token + "/accept",
                            R"({"password":"somebody else's password"})", {{"User-Agent", firefox}});
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(error_code(wrong), "password_invalid");
  auto ok = http_request(port(), "POST", "/api/v1/invitations/" + token + "/accept",
                         json::serialize(json::object{{"password", organizer_password}}), {{"User-Agent", firefox}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(json::serialize(body_of(ok).at("account").at("roles")).find("\"press\""), std::string::npos);
}

TEST_F(accounts, bearer_tokens_still_work_on_the_staff_routes_without_csrf) {
  auto minted = http_request(port(), "POST", "/api/v1/dev/token",
                             json::serialize(json::object{{"event", event_id}, {"name", "Tok"}, {"role", "organizer"}}));
  ASSERT_EQ(minted.status, 200);
  std::string token(body_of(minted).at("token").as_string());
  auto staff = http_get(port(), "/api/v1/events/" + event_id + "/staff", {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(staff.status, 200) << staff.body;
  auto inv = http_request(port(), "POST", "/api/v1/events/" + event_id + "/invitations",
                          R"({"email":"p@example.org","name":"Per","role":"speaker"})",
                          {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(inv.status, 201) << inv.body;
  EXPECT_EQ(http_get(port(), "/api/v1/events/" + event_id + "/staff").status, 401);
  // An organizer of this event only reads this event's entries, not the organization-wide
  // ones (here: `samling account add` for every event).
  auto audit = http_get(port(), "/api/v1/events/" + event_id + "/audit", {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(audit.status, 200) << audit.body;
  auto entries = body_of(audit).at("entries").as_array();
  ASSERT_EQ(entries.size(), 1u) << audit.body;
  EXPECT_EQ(entries[0].at("action").as_string(), "staff.invited");
  EXPECT_EQ(entries[0].at("actor_name").as_string(), "Tok");
}

// Over TLS the cookie gets Secure.
TEST(accounts_tls, the_session_cookie_is_secure_over_https) {
  temp_dir certs;
  auto cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout " + certs.file("key.pem") +
             " -out " + certs.file("cert.pem") + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  server_process::options o;
  o.seed_demo = false;
  o.extra_toml = "[tls]\ncertificate = \"" + certs.file("cert.pem") + "\"\nprivate_key = \"" + certs.file("key.pem") + "\"\n";
  server_process server(o);
  auto add = run_samling_with_input({"account", "add", "--config", server.dir().file("samling.toml"), "--email",
                                     organizer_email, "--name", "Ada", "--role", "organizer", "--event", "*",
                                     "--password-stdin"},
                                    organizer_password + "\n");
  ASSERT_EQ(add.exit_code, 0) << add.err;

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string raw;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      auto body = json::serialize(json::object{{"email", organizer_email}, {"password", organizer_password}});
      std::string req = "POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        "Content-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
      SSL_write(ssl, req.data(), static_cast<int>(req.size()));
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) raw.append(buf, static_cast<std::size_t>(n));
    }
    SSL_free(ssl);
  }
  close(fd);
  SSL_CTX_free(ctx);
  auto r = parse_response(raw);
  ASSERT_TRUE(r) << raw;
  ASSERT_EQ(r->status, 200) << r->body;
  auto line = r->header("set-cookie");
  EXPECT_NE(line.find("; HttpOnly"), std::string::npos) << line;
  EXPECT_NE(line.find("; SameSite=Lax"), std::string::npos) << line;
  EXPECT_NE(line.find("; Secure"), std::string::npos) << line;
}

}  // namespace

// The stages in the console: a signed-in organizer, with the cookie alone (no join token), sees
// the stages' staff view and stops and starts a stage; the same change without the session's
// X-CSRF-Token is refused and changes nothing; a signed-in moderator of the event sees the staff
// view but may not stop it.
class accounts_with_stage : public accounts {
 protected:
  void SetUp() override {
    extra_toml_ =
        "\n[media]\ndir = \"{DIR}/media\"\n"
        "\n[[stages]]\nid = \"main\"\nname = { sv = \"Stora salen\", en = \"Main hall\", fi = \"Pääsali\" }\n"
        "room = \"main\"\nmode = \"produced\"\ninput = \"test\"\nwidth = 320\nheight = 180\nfps = 15\n"
        "video_kbps = 300\npreset = \"ultrafast\"\nkeyframe_seconds = 1\nhls_segment_seconds = 1\n";
    accounts::SetUp();
  }
};

TEST_F(accounts_with_stage, a_signed_in_organizer_runs_the_stages_with_the_cookie_and_csrf) {
  auto org = signed_in(port(), organizer_email, organizer_password);
  ASSERT_TRUE(org);
  // The staff view (inputs, outputs) for the organizer; the public view for nobody.
  auto staff_view = http_get(port(), "/api/v1/stages/main", org->headers(false));
  ASSERT_EQ(staff_view.status, 200) << staff_view.body;
  EXPECT_TRUE(body_of(staff_view).contains("outputs")) << staff_view.body;
  auto public_view = http_get(port(), "/api/v1/stages/main");
  ASSERT_EQ(public_view.status, 200) << public_view.body;
  EXPECT_FALSE(body_of(public_view).contains("outputs")) << public_view.body;
  auto listed = http_get(port(), "/api/v1/stages", org->headers(false));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(body_of(listed).at("stages").as_array().at(0).as_object().contains("outputs")) << listed.body;

  // A forged (missing) CSRF token: refused, the stage keeps running.
  auto forged = http_request(port(), "POST", "/api/v1/stages/main/stop", "", org->headers(false));
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(error_code(forged), "csrf_failed");
  EXPECT_NE(std::string(body_of(http_get(port(), "/api/v1/stages/main")).at("state").as_string()), "offline");

  auto stopped = http_request(port(), "POST", "/api/v1/stages/main/stop", "", org->headers());
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(body_of(stopped).at("state").as_string(), "offline");
  auto started = http_request(port(), "POST", "/api/v1/stages/main/start", "", org->headers());
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_NE(std::string(body_of(started).at("state").as_string()), "offline");

  // A moderator of the event (an account with that role only): staff view yes, control no.
  const std::string mod_email = "moderator@example.org", mod_password = "moderatorns långa lösenord";
  auto added = run_samling_with_input({"account", "add", "--config", server_->dir().file("samling.toml"), "--email",
                                       mod_email, "--name", "Mona Moderator", "--role", "moderator", "--event",
                                       event_id, "--password-stdin"},
                                      mod_password + "\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto mod = signed_in(port(), mod_email, mod_password);
  ASSERT_TRUE(mod);
  EXPECT_TRUE(body_of(http_get(port(), "/api/v1/stages/main", mod->headers(false))).contains("outputs"));
  auto refused = http_request(port(), "POST", "/api/v1/stages/main/stop", "", mod->headers());
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(error_code(refused), "forbidden");
}
