// The registration rules with an injected clock (every function takes `now`): opening and
// closing to the minute in the event's zone, across DST; the attendee's and the organizer's
// fields; manage tokens; the join token's lifetime.
#include "registration/registration.hpp"

#include <gtest/gtest.h>

#include <set>

#include "program/timezone.hpp"

namespace reg = samling::registration;
namespace program = samling::program;

namespace {

std::int64_t utc(const char* iso) {
  auto t = program::parse_utc_iso(iso);
  EXPECT_TRUE(t) << iso;
  return t.value_or(0);
}

reg::settings window(const char* opens, const char* closes, const char* zone) {
  reg::settings_fields f;
  f.opens_at = opens;
  f.closes_at = closes;
  auto c = reg::check_settings(f, "e", zone);
  EXPECT_TRUE(c.problems.empty()) << c.problems.front().message;
  return c.value;
}

reg::settings hybrid() {
  reg::settings s;
  s.modes = {reg::mode::hall, reg::mode::remote};
  s.consent_version = "2027-1";
  return s;
}

reg::request_fields good_request() {
  reg::request_fields in;
  in.name = "  Anna Svensson ";
  in.email = " Anna.Svensson@Example.ORG ";
  in.organization = "Länsstyrelsen";
  in.accessibility_needs = "Hörslinga\nRullstolsplats";
  in.mode = "remote";
  in.consent = true;
  in.language = "fi";
  return in;
}

std::set<std::string> fields_of(const reg::checked_request& c) {
  std::set<std::string> out;
  for (auto& p : c.problems) out.insert(p.field);
  return out;
}

}  // namespace

TEST(registration_window, opens_and_closes_to_the_minute_in_stockholm_winter) {
  // CET is UTC+1: 09:00 local is 08:00Z, 14:00 local is 13:00Z.
  auto s = window("2027-11-12T09:00", "2027-11-19T14:00", "Europe/Stockholm");
  EXPECT_EQ(s.opens_at, utc("2027-11-12T08:00:00Z"));
  EXPECT_EQ(s.closes_at, utc("2027-11-19T13:00:00Z"));
  EXPECT_EQ(reg::window_at(s, utc("2027-11-12T07:59:00Z")), reg::window::not_open);
  EXPECT_EQ(reg::window_at(s, utc("2027-11-12T07:59:59Z")), reg::window::not_open);
  EXPECT_EQ(reg::window_at(s, utc("2027-11-12T08:00:00Z")), reg::window::open);
  EXPECT_EQ(reg::window_at(s, utc("2027-11-12T08:01:00Z")), reg::window::open);
  EXPECT_EQ(reg::window_at(s, utc("2027-11-19T12:59:00Z")), reg::window::open);
  EXPECT_EQ(reg::window_at(s, utc("2027-11-19T12:59:59Z")), reg::window::open);
  EXPECT_EQ(reg::window_at(s, utc("2027-11-19T13:00:00Z")), reg::window::closed);
  EXPECT_EQ(reg::window_at(s, utc("2027-11-19T13:01:00Z")), reg::window::closed);
}

TEST(registration_window, the_same_local_deadline_in_helsinki_is_an_hour_earlier) {
  // "19.11 at 14:00" in Helsinki (EET, UTC+2) is 12:00Z.
  auto s = window("2027-11-01T09:00", "2027-11-19T14:00", "Europe/Helsinki");
  EXPECT_EQ(s.closes_at, utc("2027-11-19T12:00:00Z"));
  EXPECT_EQ(reg::window_at(s, utc("2027-11-19T11:59:00Z")), reg::window::open);
  EXPECT_EQ(reg::window_at(s, utc("2027-11-19T12:00:00Z")), reg::window::closed);
  EXPECT_EQ(reg::local_text(s.closes_at, "Europe/Helsinki"), "2027-11-19 14:00 (Europe/Helsinki)");
  EXPECT_EQ(reg::local_text(s.closes_at, "Europe/Stockholm"), "2027-11-19 13:00 (Europe/Stockholm)");
}

TEST(registration_window, across_the_spring_dst_change) {
  // Stockholm springs forward on 2027-03-28 at 02:00 local (01:00Z): 14:00 the day before is
  // 13:00Z (CET), 14:00 that day is 12:00Z (CEST): 23 hours apart, not 24.
  auto s = window("2027-03-27T14:00", "2027-03-28T14:00", "Europe/Stockholm");
  EXPECT_EQ(s.opens_at, utc("2027-03-27T13:00:00Z"));
  EXPECT_EQ(s.closes_at, utc("2027-03-28T12:00:00Z"));
  EXPECT_EQ(s.closes_at - s.opens_at, 23 * 3600);
  EXPECT_EQ(reg::window_at(s, utc("2027-03-27T12:59:00Z")), reg::window::not_open);
  EXPECT_EQ(reg::window_at(s, utc("2027-03-27T13:00:00Z")), reg::window::open);
  EXPECT_EQ(reg::window_at(s, utc("2027-03-28T11:59:00Z")), reg::window::open);
  EXPECT_EQ(reg::window_at(s, utc("2027-03-28T12:00:00Z")), reg::window::closed);
  EXPECT_EQ(reg::local_text(s.closes_at, "Europe/Stockholm"), "2027-03-28 14:00 (Europe/Stockholm)");
}

TEST(registration_window, across_the_autumn_dst_change_in_helsinki) {
  // Helsinki falls back on 2027-10-31 at 04:00 local (01:00Z): 14:00 on the 30th is 11:00Z
  // (EEST), 14:00 on the 31st is 12:00Z (EET).
  auto s = window("2027-10-30T14:00", "2027-10-31T14:00", "Europe/Helsinki");
  EXPECT_EQ(s.opens_at, utc("2027-10-30T11:00:00Z"));
  EXPECT_EQ(s.closes_at, utc("2027-10-31T12:00:00Z"));
  EXPECT_EQ(s.closes_at - s.opens_at, 25 * 3600);
  EXPECT_EQ(reg::window_at(s, utc("2027-10-31T11:59:00Z")), reg::window::open);
  EXPECT_EQ(reg::window_at(s, utc("2027-10-31T12:00:00Z")), reg::window::closed);
}

TEST(registration_settings, rfc3339_with_an_offset_is_accepted_too) {
  auto s = window("2027-11-12T09:00:00+01:00", "2027-11-19T13:00:00Z", "Europe/Stockholm");
  EXPECT_EQ(s.opens_at, utc("2027-11-12T08:00:00Z"));
  EXPECT_EQ(s.closes_at, utc("2027-11-19T13:00:00Z"));
}

TEST(registration_settings, each_bad_field_is_one_problem) {
  reg::settings_fields f;
  f.opens_at = "2027-11-12 nine";
  f.closes_at = "2027-11-19T14:00";
  f.capacity = -1;
  f.modes = std::vector<std::string>{"hall", "moon"};
  f.consent_version = "";
  auto c = reg::check_settings(f, "e", "Europe/Stockholm");
  std::set<std::string> fields;
  for (auto& p : c.problems) fields.insert(p.field);
  EXPECT_EQ(fields, (std::set<std::string>{"opens_at", "capacity", "modes", "consent_version"}));

  reg::settings_fields g;
  g.opens_at = "2027-11-19T14:00";
  g.closes_at = "2027-11-19T14:00";
  auto d = reg::check_settings(g, "e", "Europe/Stockholm");
  ASSERT_EQ(d.problems.size(), 1u);
  EXPECT_EQ(d.problems[0].field, "closes_at");

  reg::settings_fields h;  // a remote capacity on a one-mode event says nothing: refused
  h.opens_at = "2027-11-01T09:00";
  h.closes_at = "2027-11-19T14:00";
  h.remote_capacity = 5;
  auto e = reg::check_settings(h, "e", "Europe/Stockholm");
  ASSERT_EQ(e.problems.size(), 1u);
  EXPECT_EQ(e.problems[0].field, "remote_capacity");

  reg::settings_fields missing;
  auto m = reg::check_settings(missing, "e", "Europe/Stockholm");
  EXPECT_EQ(m.problems.size(), 2u);  // opens_at and closes_at are required
}

TEST(registration_settings, seats_belong_to_the_hall_in_a_hybrid_event) {
  reg::settings one;
  one.modes = {reg::mode::remote};
  one.capacity = 40;
  EXPECT_EQ(one.limit(reg::mode::remote), 40);
  auto h = hybrid();
  h.capacity = 100;
  EXPECT_EQ(h.limit(reg::mode::hall), 100);
  EXPECT_EQ(h.limit(reg::mode::remote), 0);  // unlimited unless set
  h.remote_capacity = 500;
  EXPECT_EQ(h.limit(reg::mode::remote), 500);
}

TEST(registration_request, a_good_request_is_trimmed_and_normalized) {
  auto c = reg::check_request(good_request(), hybrid());
  ASSERT_TRUE(c.problems.empty()) << c.problems.front().message;
  EXPECT_EQ(c.value.name, "Anna Svensson");
  EXPECT_EQ(c.value.email, "anna.svensson@example.org");
  EXPECT_EQ(c.value.attendance, reg::mode::remote);
  EXPECT_EQ(c.value.language, "fi");
  EXPECT_EQ(c.value.consent_version, "2027-1");
  EXPECT_EQ(c.value.accessibility_needs, "Hörslinga\nRullstolsplats");
}

TEST(registration_request, the_only_mode_is_taken_when_none_is_sent) {
  reg::settings s;
  s.modes = {reg::mode::remote};
  auto in = good_request();
  in.mode.reset();
  auto c = reg::check_request(in, s);
  EXPECT_TRUE(c.problems.empty());
  EXPECT_EQ(c.value.attendance, reg::mode::remote);
  EXPECT_EQ(fields_of(reg::check_request(in, hybrid())), std::set<std::string>{"mode"});
  in.mode = "hall";
  EXPECT_EQ(fields_of(reg::check_request(in, s)), std::set<std::string>{"mode"}) << "no hall at a remote event";
}

TEST(registration_request, each_bad_field_is_reported_under_its_name) {
  auto expect_only = [](reg::request_fields in, const std::string& field) {
    auto c = reg::check_request(in, hybrid());
    EXPECT_EQ(fields_of(c), std::set<std::string>{field}) << field;
    for (auto& p : c.problems) EXPECT_FALSE(p.message.empty());
  };
  auto in = good_request();
  in.name = "   ";
  expect_only(in, "name");
  in = good_request();
  in.name = std::string(101, 'a');
  expect_only(in, "name");
  in.name = std::string(100, 'a');
  EXPECT_TRUE(reg::check_request(in, hybrid()).problems.empty()) << "100 characters are allowed";
  in.name = std::string(50, "å"[0]);  // half a two-byte character, fifty times: not UTF-8
  expect_only(in, "name");
  in = good_request();
  in.name = "Anna\x07";
  expect_only(in, "name");
  in = good_request();
  in.name = "Anna\nSvensson";
  expect_only(in, "name");
  in = good_request();
  in.email = "anna@localhost";
  expect_only(in, "email");
  in.email.reset();
  expect_only(in, "email");
  in = good_request();
  in.organization = std::string(201, 'o');
  expect_only(in, "organization");
  in = good_request();
  std::string needs;
  for (int i = 0; i < 1001; ++i) needs += "ä";
  in.accessibility_needs = needs;
  expect_only(in, "accessibility_needs");
  in.accessibility_needs = needs.substr(2);  // 1000 characters
  EXPECT_TRUE(reg::check_request(in, hybrid()).problems.empty());
  in = good_request();
  in.mode = "sofa";
  expect_only(in, "mode");
  in = good_request();
  in.consent = false;
  expect_only(in, "consent");
  in.consent.reset();
  expect_only(in, "consent");
  in = good_request();
  in.consent_version = "2026-3";
  expect_only(in, "consent");
  in = good_request();
  in.language = "de";
  expect_only(in, "language");
}

TEST(registration_request, several_problems_at_once) {
  reg::request_fields in;  // nothing at all
  auto c = reg::check_request(in, hybrid());
  EXPECT_EQ(fields_of(c), (std::set<std::string>{"name", "email", "mode", "consent"}));
}

TEST(registration_tokens, manage_tokens_are_random_and_only_their_hash_is_kept) {
  auto a = reg::new_manage_token();
  auto b = reg::new_manage_token();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 43u);  // 32 bytes, base64url without padding
  for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << a;
  auto h = reg::manage_token_hash(a);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h, reg::manage_token_hash(a));
  EXPECT_NE(h, reg::manage_token_hash(b));
  // SHA-256("abc"), FIPS 180-2's example.
  EXPECT_EQ(reg::manage_token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(registration_tokens, the_join_token_lasts_until_the_day_after_the_last_day) {
  // 2027-02-09 ends at 2027-02-10 00:00 CET; one more day: 2027-02-11 00:00 CET = 2027-02-10T23:00Z.
  EXPECT_EQ(reg::join_valid_until("2027-02-09", "Europe/Stockholm"), utc("2027-02-10T23:00:00Z"));
  // Across the spring change: 2027-03-29 00:00 CEST = 2027-03-28T22:00Z.
  EXPECT_EQ(reg::join_valid_until("2027-03-27", "Europe/Stockholm"), utc("2027-03-28T22:00:00Z"));
  EXPECT_EQ(reg::join_valid_until("2027-11-19", "Europe/Helsinki"), utc("2027-11-20T22:00:00Z"));
  EXPECT_FALSE(reg::join_valid_until("2027-02-30", "Europe/Stockholm"));
  EXPECT_FALSE(reg::join_valid_until("2027-02-09", "Mars/Olympus"));
}

TEST(registration_demo, open_now_until_14_the_day_before_in_the_events_zone) {
  auto now = utc("2026-12-02T22:40:31Z");
  auto s = reg::demo_settings("stockholm-tillsammans-2027", "2027-02-09", "Europe/Stockholm", now);
  EXPECT_EQ(s.opens_at, utc("2026-12-02T22:40:00Z"));
  EXPECT_EQ(s.closes_at, utc("2027-02-08T13:00:00Z"));  // 14:00 CET
  EXPECT_EQ(reg::window_at(s, now), reg::window::open);
  EXPECT_TRUE(s.hybrid());
  EXPECT_EQ(s.capacity, 120);
  // An event whose deadline has passed stays open for 30 days (a demo must be usable).
  auto late = reg::demo_settings("e", "2026-12-01", "Europe/Stockholm", now);
  EXPECT_EQ(late.closes_at, late.opens_at + 30 * 86400);
}
