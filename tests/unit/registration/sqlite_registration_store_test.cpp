// The SQLite registration store on a real database file: seats, the waitlist in order of
// arrival, idempotence by e-mail, promotion on cancellation and on more capacity, erasure, and
// the notify callback inside the transaction (a failure there leaves nothing written).
#include "store/sqlite_registration_store.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "store/sqlite_db.hpp"
#include "temp_dir.hpp"

namespace reg = samling::registration;
using samling::store::sqlite_db;
using samling::store::sqlite_registration_store;
using samling::testing::temp_dir;

namespace {

struct heard {
  reg::notice n;
  std::string id;
};

struct registration_store_fixture : ::testing::Test {
  temp_dir dir;
  sqlite_db db{dir.file("samling.db")};
  sqlite_registration_store store{db};
  std::vector<heard> notices;
  reg::notify_fn notify = [this](reg::notice n, const reg::registration& r) { notices.push_back({n, r.id}); };
  int next = 0;

  void settings(std::int64_t capacity, bool waitlist = true, std::vector<reg::mode> modes = {reg::mode::hall},
                std::int64_t remote_capacity = 0) {
    reg::settings s;
    s.event_id = "e";
    s.opens_at = 1000;
    s.closes_at = 2000;
    s.capacity = capacity;
    s.remote_capacity = remote_capacity;
    s.waitlist = waitlist;
    s.modes = std::move(modes);
    s.updated_at = 1500;
    store.save_settings(s, notify);
  }
  reg::register_result add(const std::string& email, reg::mode m = reg::mode::hall, std::string hash = {}) {
    reg::registration r;
    r.id = "r-" + std::to_string(++next);
    r.event_id = "e";
    r.name = "Person " + std::to_string(next);
    r.email = email;
    r.attendance = m;
    r.consent_version = "1";
    r.consent_at = r.created_at = r.updated_at = 1500 + next;
    return store.register_attendee(r, hash.empty() ? "hash-" + email : hash, notify);
  }
};

}  // namespace

TEST_F(registration_store_fixture, settings_round_trip) {
  settings(10, false, {reg::mode::hall, reg::mode::remote}, 50);
  auto s = store.find_settings("e");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->capacity, 10);
  EXPECT_EQ(s->remote_capacity, 50);
  EXPECT_FALSE(s->waitlist);
  EXPECT_EQ(s->modes, (std::vector<reg::mode>{reg::mode::hall, reg::mode::remote}));
  EXPECT_FALSE(store.find_settings("other"));
}

TEST_F(registration_store_fixture, seats_then_the_waitlist_in_order_then_promotion_on_cancellation) {
  settings(2);
  EXPECT_EQ(add("a@x.se").value.state, reg::status::registered);
  EXPECT_EQ(add("b@x.se").value.state, reg::status::registered);
  EXPECT_EQ(add("c@x.se").value.state, reg::status::waitlisted);
  EXPECT_EQ(add("d@x.se").value.state, reg::status::waitlisted);
  auto c = store.count("e");
  EXPECT_EQ(c.hall.registered, 2);
  EXPECT_EQ(c.hall.waitlisted, 2);
  notices.clear();

  auto out = store.cancel("hash-a@x.se", 1900, notify);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->value.state, reg::status::cancelled);
  EXPECT_EQ(out->value.cancelled_at, 1900);
  ASSERT_TRUE(out->promoted);
  EXPECT_EQ(out->promoted->email, "c@x.se") << "the first waitlisted, not the last";
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].n, reg::notice::cancelled);
  EXPECT_EQ(notices[1].n, reg::notice::promoted);
  EXPECT_EQ(notices[1].id, out->promoted->id);
  c = store.count("e");
  EXPECT_EQ(c.hall.registered, 2);
  EXPECT_EQ(c.hall.waitlisted, 1);
  EXPECT_EQ(c.hall.cancelled, 1);

  // Cancelling again changes nothing; a waitlisted person's cancellation frees no seat.
  notices.clear();
  auto again = store.cancel("hash-a@x.se", 1950, notify);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->was_cancelled);
  EXPECT_TRUE(notices.empty());
  auto w = store.cancel("hash-d@x.se", 1950, notify);
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->promoted);
  EXPECT_FALSE(store.cancel("no-such-hash", 1950, notify));
}

TEST_F(registration_store_fixture, the_same_email_twice_is_the_same_registration) {
  settings(0);
  auto first = add("anna@example.org");
  auto second = add("anna@example.org");
  EXPECT_FALSE(first.already);
  EXPECT_TRUE(second.already);
  EXPECT_EQ(second.value.id, first.value.id);
  EXPECT_EQ(notices.size(), 1u) << "one mail, not two";
  EXPECT_EQ(store.list("e").size(), 1u);
  // Once cancelled, the address may register anew.
  ASSERT_TRUE(store.cancel("hash-anna@example.org", 1900, notify));
  auto third = add("anna@example.org", reg::mode::hall, "hash-new");
  EXPECT_FALSE(third.already);
  EXPECT_NE(third.value.id, first.value.id);
}

TEST_F(registration_store_fixture, full_without_a_waitlist_stores_nothing) {
  settings(1, false);
  add("a@x.se");
  notices.clear();
  auto r = add("b@x.se");
  EXPECT_TRUE(r.refused_full);
  EXPECT_TRUE(notices.empty());
  EXPECT_EQ(store.list("e").size(), 1u);
}

TEST_F(registration_store_fixture, hybrid_seats_are_the_halls_and_remote_is_unlimited) {
  settings(1, true, {reg::mode::hall, reg::mode::remote});
  EXPECT_EQ(add("a@x.se", reg::mode::hall).value.state, reg::status::registered);
  EXPECT_EQ(add("b@x.se", reg::mode::hall).value.state, reg::status::waitlisted);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(add("r" + std::to_string(i) + "@x.se", reg::mode::remote).value.state, reg::status::registered);
  // A remote cancellation does not promote anyone waiting for the hall.
  auto out = store.cancel("hash-r0@x.se", 1900, notify);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->promoted);
  auto c = store.count("e");
  EXPECT_EQ(c.hall.registered, 1);
  EXPECT_EQ(c.hall.waitlisted, 1);
  EXPECT_EQ(c.remote.registered, 4);
  EXPECT_EQ(c.remote.cancelled, 1);
}

TEST_F(registration_store_fixture, more_capacity_promotes_the_waitlisted_at_once) {
  settings(1);
  add("a@x.se");
  add("b@x.se");
  add("c@x.se");
  add("d@x.se");
  notices.clear();
  settings(3);
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].id, "r-2");
  EXPECT_EQ(notices[1].id, "r-3");
  EXPECT_EQ(store.count("e").hall.registered, 3);
  EXPECT_EQ(store.count("e").hall.waitlisted, 1);
}

TEST_F(registration_store_fixture, a_failing_notify_rolls_everything_back) {
  settings(1);
  add("a@x.se");
  add("b@x.se");
  reg::notify_fn failing = [](reg::notice, const reg::registration&) { throw std::runtime_error("outbox down"); };
  reg::registration r;
  r.id = "r-x";
  r.event_id = "e";
  r.name = "X";
  r.email = "x@x.se";
  r.consent_version = "1";
  EXPECT_THROW(store.register_attendee(r, "hash-x", failing), std::runtime_error);
  EXPECT_EQ(store.list("e").size(), 2u) << "no registration without its mail";
  EXPECT_THROW(store.cancel("hash-a@x.se", 1900, failing), std::runtime_error);
  auto a = store.find_by_manage("hash-a@x.se");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, reg::status::registered) << "the cancellation rolled back";
  EXPECT_EQ(store.count("e").hall.waitlisted, 1) << "and so did the promotion";
}

TEST_F(registration_store_fixture, erasure_keeps_an_anonymous_row_and_ends_the_manage_token) {
  settings(1);
  add("a@x.se");
  add("b@x.se");
  notices.clear();
  auto out = store.erase("hash-a@x.se", 1900, notify);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->value.erased);
  ASSERT_TRUE(out->promoted);
  EXPECT_EQ(out->promoted->email, "b@x.se");
  EXPECT_FALSE(store.find_by_manage("hash-a@x.se"));
  EXPECT_FALSE(store.erase("hash-a@x.se", 1900, notify));
  auto all = store.list("e");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "");
  EXPECT_EQ(all[0].email, "");
  EXPECT_EQ(all[0].state, reg::status::cancelled);
  EXPECT_TRUE(all[0].erased);
  EXPECT_EQ(store.count("e").hall.cancelled, 1);
  // The address may register again after erasure.
  EXPECT_FALSE(add("a@x.se", reg::mode::hall, "hash-again").already);
}
