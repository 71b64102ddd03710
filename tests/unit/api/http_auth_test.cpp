// api::http_auth with the staff session cookie, over in-memory stores and an injected clock:
// the principal a cookie gives, the CSRF check on changes (and none on reads or with a bearer
// token), a stolen-looking cookie, the idle timeout; and staff_sessions' sign-in lock-out. No
// sockets: the coroutines run on a local io_context, the store work on real blocking pools.
#include "api/http_auth.hpp"

#include <gtest/gtest.h>

#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "api/invitation_mail.hpp"
#include "api/staff_sessions.hpp"
#include "auth/password.hpp"

namespace samling::api {
namespace {

namespace asio = boost::asio;
using core::errc;

class memory_accounts final : public auth::account_store {
 public:
  std::map<std::string, auth::account> by_id;
  std::vector<std::pair<std::string, auth::account_role>> roles;
  void create(const auth::account& a) override { by_id[a.id] = a; }
  std::optional<auth::account> find_by_email(std::string_view email) override {
    for (auto& [id, a] : by_id)
      if (a.email == auth::normalize_email(email)) return a;
    return std::nullopt;
  }
  std::optional<auth::account> find_by_id(std::string_view id) override {
    auto it = by_id.find(std::string(id));
    return it == by_id.end() ? std::nullopt : std::optional(it->second);
  }
  bool set_password(std::string_view id, const std::string& hash) override {
    by_id[std::string(id)].password_hash = hash;
    return true;
  }
  bool grant_role(std::string_view id, const auth::account_role& r) override {
    roles.emplace_back(std::string(id), r);
    return true;
  }
  std::vector<auth::account_role> roles_of(std::string_view id) override {
    std::vector<auth::account_role> out;
    for (auto& [a, r] : roles)
      if (a == id) out.push_back(r);
    return out;
  }
  bool revoke_role(std::string_view, const auth::account_role&) override { return false; }
  std::vector<auth::staff_member> staff_of(std::string_view) override { return {}; }
};

class memory_sessions final : public auth::session_store {
 public:
  std::map<std::string, auth::staff_session> rows;
  std::vector<std::pair<std::string, std::int64_t>> failures;
  void create(const auth::staff_session& s) override { rows[s.id_hash] = s; }
  std::optional<auth::staff_session> find(std::string_view h) override {
    auto it = rows.find(std::string(h));
    return it == rows.end() ? std::nullopt : std::optional(it->second);
  }
  void touch(std::string_view h, std::int64_t t) override { rows[std::string(h)].last_seen = t; }
  bool remove(std::string_view h) override { return rows.erase(std::string(h)) > 0; }
  int remove_all_of(std::string_view account) override {
    return static_cast<int>(std::erase_if(rows, [&](auto& kv) { return kv.second.account_id == account; }));
  }
  void purge(std::int64_t, std::int64_t, std::int64_t) override {}
  void record_failure(std::string_view subject, std::int64_t at) override {
    failures.emplace_back(std::string(subject), at);
  }
  std::vector<std::int64_t> failures_since(std::string_view subject, std::int64_t since) override {
    std::vector<std::int64_t> out;
    for (auto& [s, t] : failures)
      if (s == subject && t >= since) out.push_back(t);
    return out;
  }
  void clear_failures(std::string_view subject) override {
    std::erase_if(failures, [&](auto& f) { return f.first == subject; });
  }
};

const std::string browser = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const std::string password = "a long enough passphrase";

class http_auth_cookie : public ::testing::Test {
 protected:
  http_auth_cookie() {
    accounts.create(auth::account{.id = "a-1", .email = "mona@example.org", .display_name = "Mona",
                                  .password_hash = auth::hash_password(password, auth::hash_limits::minimum()),
                                  .created_at = 1, .disabled = false});
    accounts.grant_role("a-1", {"ev", auth::role::moderator});
    staff_settings s;
    s.hashing = auth::hash_limits::minimum();
    s.limits.idle_seconds = 600;
    staff = std::make_unique<staff_sessions>(db, hashing, accounts, sessions, nullptr, s, [this] { return now; });
    auth = std::make_unique<http_auth>(nullptr, staff.get());
  }

  template <typename T>
  T run(asio::awaitable<T> a) {
    auto f = asio::co_spawn(io, std::move(a), asio::use_future);
    io.restart();
    io.run();
    return f.get();
  }

  sign_in_outcome sign_in(const std::string& pw) { return run(staff->sign_in("mona@example.org", pw, browser, "10.0.0.1:5000")); }

  net::request req(std::string method, const std::string& cookie, const std::string& csrf = {},
                   const std::string& ua = browser) {
    net::request r;
    r.method = std::move(method);
    r.path = "/api/v1/events/ev/staff";
    r.remote = "10.0.0.1:5001";
    r.headers = {{"cookie", "a=b; samling_session=" + cookie}, {"user-agent", ua}};
    if (!csrf.empty()) r.headers.emplace_back("x-csrf-token", csrf);
    return r;
  }

  identify_result identify(const net::request& r) { return run(auth->identify(r)); }

  std::int64_t now = 1'000'000;
  asio::io_context io;
  core::blocking_pool db{1}, hashing{1};
  memory_accounts accounts;
  memory_sessions sessions;
  std::unique_ptr<staff_sessions> staff;
  std::unique_ptr<http_auth> auth;
};

TEST_F(http_auth_cookie, a_session_cookie_is_the_account_with_its_roles) {
  auto in = sign_in(password);
  ASSERT_EQ(in.error, errc::ok) << in.message;
  ASSERT_FALSE(in.cookie.empty());
  auto id = identify(req("GET", in.cookie));
  ASSERT_EQ(id.error, errc::ok) << id.message;
  ASSERT_TRUE(id.who);
  EXPECT_TRUE(id.who->signed_in);
  EXPECT_EQ(id.who->user_id, "a-1");
  EXPECT_EQ(id.who->email, "mona@example.org");
  EXPECT_TRUE(id.who->can("ev", rooms::action::see_member_lists));
  EXPECT_FALSE(id.who->can("other", rooms::action::see_member_lists));
  EXPECT_FALSE(id.who->can("ev", rooms::action::manage_staff));
  EXPECT_EQ(id.csrf, in.who->session.csrf);
}

TEST_F(http_auth_cookie, changes_need_the_sessions_csrf_token_reads_do_not) {
  auto in = sign_in(password);
  auto csrf = in.who->session.csrf;
  for (auto method : {"POST", "PUT", "PATCH", "DELETE"}) {
    SCOPED_TRACE(method);
    EXPECT_EQ(identify(req(method, in.cookie)).error, errc::csrf_failed);
    EXPECT_EQ(identify(req(method, in.cookie, std::string(csrf.size(), 'x'))).error, errc::csrf_failed);
    EXPECT_EQ(identify(req(method, in.cookie, csrf + "x")).error, errc::csrf_failed);
    auto ok = identify(req(method, in.cookie, csrf));
    EXPECT_EQ(ok.error, errc::ok);
    EXPECT_TRUE(ok.who);
  }
  EXPECT_EQ(identify(req("GET", in.cookie)).error, errc::ok);
  EXPECT_EQ(identify(req("HEAD", in.cookie)).error, errc::ok);
  // require() answers 403 csrf_failed.
  auto refused = run(auth->require(req("POST", in.cookie), "ev", rooms::action::see_member_lists, "no"));
  ASSERT_TRUE(std::holds_alternative<net::response>(refused));
  EXPECT_EQ(std::get<net::response>(refused).status, 403u);
  EXPECT_NE(std::get<net::response>(refused).body.find("csrf_failed"), std::string::npos);
}

TEST_F(http_auth_cookie, no_cookie_is_nobody_and_a_bad_one_is_session_expired) {
  net::request none;
  none.method = "GET";
  auto id = identify(none);
  EXPECT_EQ(id.error, errc::ok);
  EXPECT_FALSE(id.who);
  auto forged = identify(req("GET", "not-a-session"));
  EXPECT_EQ(forged.error, errc::session_expired);
  EXPECT_FALSE(forged.who);
}

TEST_F(http_auth_cookie, another_browser_ends_the_session_and_the_idle_timeout_too) {
  auto in = sign_in(password);
  EXPECT_EQ(identify(req("GET", in.cookie, {}, "curl/8.5.0")).error, errc::session_expired);
  EXPECT_EQ(identify(req("GET", in.cookie)).error, errc::session_expired) << "ended for the real browser too";
  auto again = sign_in(password);
  now += 599;
  EXPECT_EQ(identify(req("GET", again.cookie)).error, errc::ok);  // used: last_seen moves
  now += 599;
  EXPECT_EQ(identify(req("GET", again.cookie)).error, errc::ok);
  now += 600;
  EXPECT_EQ(identify(req("GET", again.cookie)).error, errc::session_expired);
}

TEST_F(http_auth_cookie, ten_wrong_passwords_lock_the_account_and_the_lock_ends) {
  for (int i = 0; i < 9; ++i) EXPECT_EQ(sign_in("wrong password " + std::to_string(i)).error, errc::sign_in_failed);
  auto tenth = sign_in("wrong password 10");
  EXPECT_EQ(tenth.error, errc::sign_in_locked);
  EXPECT_EQ(tenth.retry_after_s, 900);
  now += 899;
  auto still = sign_in(password);
  EXPECT_EQ(still.error, errc::sign_in_locked);
  EXPECT_EQ(still.retry_after_s, 1);
  now += 1;
  EXPECT_EQ(sign_in(password).error, errc::ok);
  EXPECT_TRUE(sessions.failures_since("account:a-1", 0).empty()) << "a sign-in clears the account's failures";
  EXPECT_EQ(sessions.failures_since("remote:10.0.0.1", 0).size(), 10u) << "counted per address, without the port";
}

TEST_F(http_auth_cookie, an_unknown_e_mail_fails_like_a_wrong_password_and_never_locks) {
  for (int i = 0; i < 12; ++i) {
    auto out = run(staff->sign_in("nobody@example.org", "whatever it is", browser, "10.0.0.2:1"));
    EXPECT_EQ(out.error, errc::sign_in_failed);
  }
}

TEST(session_cookie, is_found_among_other_cookies) {
  EXPECT_EQ(session_cookie("samling_session=abc"), "abc");
  EXPECT_EQ(session_cookie("a=1; samling_session=abc; b=2"), "abc");
  EXPECT_EQ(session_cookie("a=1;samling_session=abc"), "abc");
  EXPECT_EQ(session_cookie("xsamling_session=abc"), "");
  EXPECT_EQ(session_cookie("samling_sessionx=abc"), "");
  EXPECT_EQ(session_cookie(""), "");
  EXPECT_EQ(client_address("127.0.0.1:5000"), "127.0.0.1");
  EXPECT_EQ(client_address("::1:5000"), "::1");
}

TEST(invitation_mail, in_each_language_with_the_values_escaped_in_html) {
  auth::invitation inv{.id = "i-1", .token_hash = "", .event_id = "ev", .email = "m@example.org",
                       .name = "Mona <b>", .r = auth::role::press_officer, .language = "fi", .invited_by = "a-1",
                       .created_at = 0, .expires_at = 0, .accepted_at = 0};
  auto link = "https://samling.example.org/#invite=abc";
  auto fi = invitation_mail(inv, "Tukholma & yhdessä", "Ada", link, "2027-03-08 09:00 UTC");
  EXPECT_EQ(fi.kind, "invitation");
  EXPECT_EQ(fi.to, "m@example.org");
  EXPECT_EQ(fi.subject, "Kutsu: Tukholma & yhdessä");
  EXPECT_NE(fi.text.find("Hei Mona <b>,"), std::string::npos) << fi.text;
  EXPECT_NE(fi.text.find("tiedottaja"), std::string::npos);
  EXPECT_NE(fi.text.find(link), std::string::npos);
  EXPECT_NE(fi.html.find("Mona &lt;b&gt;"), std::string::npos) << fi.html;
  EXPECT_NE(fi.html.find("Tukholma &amp; yhdessä"), std::string::npos);
  EXPECT_EQ(fi.html.find("<b>,"), std::string::npos);
  EXPECT_NE(fi.html.find("href=\"https://samling.example.org/#invite=abc\""), std::string::npos);
  inv.language = "sv";
  EXPECT_NE(invitation_mail(inv, "E", "Ada", link, "x").text.find("pressansvarig"), std::string::npos);
  inv.language = "en";
  auto en = invitation_mail(inv, "E", "Ada", link, "x");
  EXPECT_EQ(en.subject, "Invitation: E");
  EXPECT_NE(en.text.find("as press officer"), std::string::npos) << en.text;
}

}  // namespace
}  // namespace samling::api
