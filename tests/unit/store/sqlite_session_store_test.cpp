// The accounts slice's SQLite stores against a real temporary file (migration 5): sessions and
// sign-in failures, invitations (single use, atomically) and the audit log.
#include "store/sqlite_session_store.hpp"

#include <gtest/gtest.h>

#include "auth/password.hpp"
#include "store/sqlite_account_store.hpp"
#include "store/sqlite_audit_log.hpp"
#include "store/sqlite_invitation_store.hpp"
#include "temp_dir.hpp"

namespace samling::store {
namespace {

using samling::testing::temp_dir;

auth::account account_with_id(const std::string& id, const std::string& email) {
  return auth::account{.id = id, .email = email, .display_name = "X", .password_hash = "h", .created_at = 1, .disabled = false};
}

auth::staff_session session(const std::string& hash, const std::string& account, std::int64_t t) {
  return auth::staff_session{.id_hash = hash, .account_id = account, .csrf = "csrf-" + hash, .created_at = t,
                             .last_seen = t, .expires_at = t + 1000, .user_agent = "UA", .remote = "127.0.0.1"};
}

auth::audit_entry entry(std::int64_t at_ms, std::string event, std::string action, std::string target) {
  auth::audit_entry e;
  e.at_ms = at_ms;
  e.actor = "a-1";
  e.event_id = std::move(event);
  e.action = std::move(action);
  e.target = std::move(target);
  return e;
}

TEST(sqlite_session_store, sessions_are_found_touched_and_removed_one_or_all) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store accounts(db);
  accounts.create(account_with_id("a-1", "a@example.org"));
  accounts.create(account_with_id("a-2", "b@example.org"));
  sqlite_session_store store(db);
  store.create(session("h1", "a-1", 100));
  store.create(session("h2", "a-1", 100));
  store.create(session("h3", "a-2", 100));
  auto found = store.find("h1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->account_id, "a-1");
  EXPECT_EQ(found->csrf, "csrf-h1");
  EXPECT_EQ(found->expires_at, 1100);
  store.touch("h1", 150);
  store.touch("h1", 120);  // never backwards
  EXPECT_EQ(store.find("h1")->last_seen, 150);
  EXPECT_TRUE(store.remove("h1"));
  EXPECT_FALSE(store.remove("h1"));
  EXPECT_FALSE(store.find("h1"));
  store.create(session("h4", "a-1", 100));
  EXPECT_EQ(store.remove_all_of("a-1"), 2);
  EXPECT_FALSE(store.find("h2"));
  EXPECT_TRUE(store.find("h3")) << "another account's session stays";
}

TEST(sqlite_session_store, purge_drops_ended_sessions_and_old_failures) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store accounts(db);
  accounts.create(account_with_id("a-1", "a@example.org"));
  sqlite_session_store store(db);
  store.create(session("old", "a-1", 100));     // idle since 100
  store.create(session("fresh", "a-1", 900));
  store.record_failure("account:a-1", 100);
  store.record_failure("account:a-1", 950);
  store.purge(1000, 500, 500);
  EXPECT_FALSE(store.find("old"));
  EXPECT_TRUE(store.find("fresh"));
  EXPECT_EQ(store.failures_since("account:a-1", 0), (std::vector<std::int64_t>{950}));
}

TEST(sqlite_session_store, failures_by_subject_since_a_time_and_cleared) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_session_store store(db);
  for (std::int64_t t : {30, 10, 20}) store.record_failure("account:a-1", t);
  store.record_failure("remote:127.0.0.1", 15);
  EXPECT_EQ(store.failures_since("account:a-1", 15), (std::vector<std::int64_t>{20, 30}));
  EXPECT_EQ(store.failures_since("remote:127.0.0.1", 0), (std::vector<std::int64_t>{15}));
  store.clear_failures("account:a-1");
  EXPECT_TRUE(store.failures_since("account:a-1", 0).empty());
  EXPECT_EQ(store.failures_since("remote:127.0.0.1", 0).size(), 1u);
}

TEST(sqlite_session_store, a_deleted_account_takes_its_sessions_along) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store accounts(db);
  accounts.create(account_with_id("a-1", "a@example.org"));
  sqlite_session_store store(db);
  store.create(session("h1", "a-1", 100));
  db.exec("DELETE FROM accounts WHERE id = 'a-1'");
  EXPECT_FALSE(store.find("h1"));
}

TEST(sqlite_invitation_store, single_use_and_listed_newest_first) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_invitation_store store(db);
  auth::invitation i{.id = "i-1", .token_hash = "t1", .event_id = "ev", .email = "m@example.org", .name = "Mona",
                     .r = auth::role::moderator, .language = "fi", .invited_by = "a-1", .created_at = 100,
                     .expires_at = 200, .accepted_at = 0};
  store.create(i);
  auto j = i;
  j.id = "i-2";
  j.token_hash = "t2";
  j.created_at = 150;
  j.r = auth::role::press;
  store.create(j);
  auto found = store.find_by_token_hash("t1");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->r, auth::role::moderator);
  EXPECT_EQ(found->language, "fi");
  EXPECT_EQ(auth::invitation_state(*found, 150), "pending");
  EXPECT_EQ(auth::invitation_state(*found, 200), "expired");
  EXPECT_TRUE(store.mark_accepted("i-1", 160));
  EXPECT_FALSE(store.mark_accepted("i-1", 170)) << "single use";
  EXPECT_EQ(store.find_by_token_hash("t1")->accepted_at, 160);
  EXPECT_EQ(auth::invitation_state(*store.find_by_token_hash("t1"), 500), "accepted");
  auto list = store.of_event("ev");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, "i-2");
  EXPECT_TRUE(store.of_event("other").empty());
}

TEST(sqlite_invitation_store, atomically_rolls_back_everything_when_a_step_throws) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_invitation_store store(db);
  sqlite_audit_log audit(db);
  auth::invitation i{.id = "i-1", .token_hash = "t1", .event_id = "ev", .email = "m@example.org", .name = "Mona",
                     .r = auth::role::moderator, .language = "sv", .invited_by = "a-1", .created_at = 100,
                     .expires_at = 200, .accepted_at = 0};
  EXPECT_THROW(store.atomically([&] {
    store.create(i);
    audit.record(entry(1, "ev", "staff.invited", "m@example.org"));
    throw std::runtime_error("the outbox failed");
  }),
               std::runtime_error);
  EXPECT_FALSE(store.find_by_token_hash("t1"));
  EXPECT_TRUE(audit.list("", 10).empty());
}

TEST(sqlite_audit_log, newest_first_per_event_with_a_limit) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_audit_log log(db);
  log.record({.at_ms = 1, .actor = "a-1", .actor_name = "Ada", .event_id = "ev", .action = "staff.invited",
              .target = "m@example.org", .detail = "moderator", .remote = "127.0.0.1"});
  log.record(entry(2, "", "staff.account_created", "x@example.org"));
  log.record(entry(3, "ev", "staff.role_removed", "a-2"));
  auto ev = log.list("ev", 10);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].action, "staff.role_removed");
  EXPECT_EQ(ev[1].detail, "moderator");
  EXPECT_EQ(ev[1].remote, "127.0.0.1");
  EXPECT_EQ(log.list("", 10).size(), 3u);
  EXPECT_EQ(log.list("", 1).size(), 1u);
}

TEST(sqlite_account_store_staff, staff_of_an_event_and_revoking_a_role) {
  temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_account_store accounts(db);
  accounts.create(account_with_id("a-1", "b@example.org"));
  accounts.create(account_with_id("a-2", "a@example.org"));
  accounts.create(account_with_id("a-3", "c@example.org"));
  accounts.grant_role("a-1", {"*", auth::role::organizer});
  accounts.grant_role("a-2", {"ev", auth::role::moderator});
  accounts.grant_role("a-2", {"ev", auth::role::press});
  accounts.grant_role("a-3", {"other", auth::role::moderator});
  auto staff = accounts.staff_of("ev");
  ASSERT_EQ(staff.size(), 2u);
  EXPECT_EQ(staff[0].acc.email, "a@example.org");
  EXPECT_EQ(staff[0].roles.size(), 2u);
  EXPECT_TRUE(staff[0].acc.password_hash.empty()) << "a listing never carries the hash";
  EXPECT_EQ(staff[1].roles, (std::vector<auth::account_role>{{"*", auth::role::organizer}}));
  EXPECT_TRUE(accounts.revoke_role("a-2", {"ev", auth::role::press}));
  EXPECT_FALSE(accounts.revoke_role("a-2", {"ev", auth::role::press}));
  EXPECT_EQ(accounts.roles_of("a-2"), (std::vector<auth::account_role>{{"ev", auth::role::moderator}}));
}

}  // namespace
}  // namespace samling::store
