// The press tables (migration 15) through store::sqlite_press_store on a real database file:
// every method round-trips every field, lists come in their documented order, updates of
// unknown ids say so, revocation is once, the viewing audit adds up, in_transaction() commits
// or rolls back everything (an outbox message included), and a reopened file keeps it all.
#include "store/sqlite_press_store.hpp"

#include <algorithm>
#include <stdexcept>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "store/migrations.hpp"
#include "store/sqlite_outbox_store.hpp"
#include "store/statement.hpp"
#include "temp_dir.hpp"

namespace samling::store {
namespace {

using samling::testing::temp_dir;

press::accreditation accreditation(std::string id, std::string event = "konf26", std::int64_t at = 1'800'000'000) {
  press::accreditation a;
  a.id = std::move(id);
  a.event_id = std::move(event);
  a.name = "Eva Ek";
  a.outlet = "Dagens Nyheter";
  a.email = "eva.ek@dn.example";
  a.phone = "+46 70-123 45 67";
  a.press_card = "SJF-4711";
  a.days = {"2026-05-12", "2026-05-13"};
  a.attendance = press::attendance::hall;
  a.note = "Rapporterar om \"öppna data\".\nAndra raden.";
  a.language = "en";
  a.state = press::accreditation_state::pending;
  a.created_at = at;
  a.updated_at = at + 1;
  return a;
}

press::grant_record grant(std::string id, std::string event = "konf26", std::int64_t at = 1'800'000'000) {
  press::grant_record g;
  g.grant.id = std::move(id);
  g.grant.event = std::move(event);
  g.grant.name = "Eva Ek";
  g.grant.outlet = "Dagens Nyheter";
  g.grant.stages = {"main", "press-\"träff\""};
  g.grant.rooms = {"presstraff"};
  g.grant.valid_from = at - 86400;
  g.grant.valid_until = at + 3 * 86400;
  g.grant.device_cap = 3;
  g.email = "eva.ek@dn.example";
  g.language = "fi";
  g.accreditation_id = "acc-0123456789abcdef";
  g.created_by = "Pia Pressansvarig";
  g.created_at = at;
  return g;
}

press::interview interview(std::string id, std::string grant_id = "pr-1111111111111111",
                           std::string event = "konf26", std::int64_t at = 1'800'000'000) {
  press::interview i;
  i.id = std::move(id);
  i.event_id = std::move(event);
  i.grant_id = std::move(grant_id);
  i.journalist = "Eva Ek, Dagens Nyheter";
  i.speaker = "Åke Öberg";
  i.session_id = "s-keynote";
  i.wanted = "kaffepausen 10:30";
  i.note = "Om öppna data";
  i.state = press::interview_state::requested;
  i.created_at = at;
  i.updated_at = at;
  return i;
}

press::view_record view(std::string viewer, std::int64_t first, std::int64_t last, std::uint64_t bytes,
                        std::uint64_t requests, std::string event = "konf26") {
  press::view_record v;
  v.event = std::move(event);
  v.viewer = std::move(viewer);
  v.name = "Eva Ek, DN";
  v.stage = "main";
  v.device = "dev-abcdefgh";
  v.address = "192.0.2.7";
  v.user_agent = "Mozilla/5.0 (X11)";
  v.first_at = first;
  v.last_at = last;
  v.bytes = bytes;
  v.requests = requests;
  return v;
}

press::device_refusal refusal(std::int64_t at, std::string device, std::string event = "konf26") {
  press::device_refusal r;
  r.event = std::move(event);
  r.grant = "pr-1111111111111111";
  r.stage = "press";
  r.device = std::move(device);
  r.address = "2001:db8::5";
  r.user_agent = "Safari";
  r.at = at;
  return r;
}

mail::message mail_to(std::string to) {
  mail::message m;
  m.to = std::move(to);
  m.subject = "Ackreditering";
  m.text = "Hej";
  m.language = "sv";
  m.event_id = "konf26";
  m.kind = "accreditation_received";
  return m;
}

std::vector<std::string> ids(const std::vector<press::accreditation>& list) {
  std::vector<std::string> out;
  for (const auto& a : list) out.push_back(a.id);
  return out;
}
std::vector<std::string> ids(const std::vector<press::grant_record>& list) {
  std::vector<std::string> out;
  for (const auto& g : list) out.push_back(g.grant.id);
  return out;
}
std::vector<std::string> ids(const std::vector<press::interview>& list) {
  std::vector<std::string> out;
  for (const auto& i : list) out.push_back(i.id);
  return out;
}

std::vector<std::string> schema_names(sqlite_db& db, const char* type) {
  statement s(db, "SELECT name FROM sqlite_schema WHERE type = ?1 AND name LIKE 'press_%' ORDER BY name");
  s.bind(1, type);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

const std::vector<std::string> press_tables = {"press_accreditations", "press_grants",   "press_interviews",
                                               "press_refusals",       "press_settings", "press_views"};

struct press_store_test : ::testing::Test {
  temp_dir dir;
  std::string path = dir.file("samling.db");
  sqlite_db db{path};
  sqlite_press_store store{db};
};

// --- Schema ------------------------------------------------------------------------------------

TEST_F(press_store_test, a_new_file_is_migrated_to_15_with_the_press_tables_and_their_indexes) {
  EXPECT_EQ(latest_schema_version(), 15);
  EXPECT_EQ(db.schema_version(), 15);
  EXPECT_EQ(schema_names(db, "table"), press_tables);
  const auto indexes = schema_names(db, "index");
  for (const char* wanted : {"press_accreditations_by_event", "press_grants_by_event", "press_grants_revoked",
                             "press_interviews_by_event", "press_interviews_by_grant", "press_views_by_event",
                             "press_refusals_by_event", "press_refusals_by_grant"})
    EXPECT_NE(std::find(indexes.begin(), indexes.end(), wanted), indexes.end()) << wanted;
  // The token lookups are UNIQUE indexes (SQLite names them itself).
  statement s(db, "SELECT count(*) FROM pragma_index_list('press_accreditations') WHERE \"unique\" = 1");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.integer(0), 2);  // id, manage_hash
  statement t(db, "SELECT count(*) FROM pragma_index_list('press_interviews') WHERE \"unique\" = 1");
  ASSERT_TRUE(t.step());
  EXPECT_EQ(t.integer(0), 2);  // id, speaker_hash
}

// A database left by the previous release (schema 14, a kiosk link in it) gains the press tables
// and keeps its data; the store works on it at once.
TEST(sqlite_press_store, migrating_a_version_14_database_keeps_its_data_and_adds_the_press_tables) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    for (const migration& m : migrations()) {
      if (m.version > 14) break;
      ASSERT_EQ(sqlite3_exec(raw, std::string(m.sql).c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
          << sqlite3_errmsg(raw);
    }
    const char* fill =
        "INSERT INTO kiosk_links (id, event_id, room_id, created_by, created_ms)"
        " VALUES ('0123456789abcdef0123456789abcdef', 'konf26', 'main', 'org', 1);"
        "PRAGMA user_version = 14;";
    ASSERT_EQ(sqlite3_exec(raw, fill, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
    // Nothing of 15 yet.
    ASSERT_EQ(sqlite3_exec(raw, "SELECT * FROM press_grants", nullptr, nullptr, nullptr), SQLITE_ERROR);
    sqlite3_close(raw);
  }
  sqlite_db db(path);
  EXPECT_EQ(db.schema_version(), 15);
  EXPECT_EQ(schema_names(db, "table"), press_tables);
  statement s(db, "SELECT event_id, room_id FROM kiosk_links");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "konf26");
  EXPECT_EQ(s.text(1), "main");
  sqlite_press_store store(db);
  store.add_grant(grant("pr-1111111111111111"));
  EXPECT_EQ(store.find_grant("pr-1111111111111111"), grant("pr-1111111111111111"));
}

// --- Accreditations -----------------------------------------------------------------------------

TEST_F(press_store_test, an_accreditation_round_trips_every_field_by_id_and_by_manage_hash) {
  auto a = accreditation("acc-0000000000000001");
  a.state = press::accreditation_state::info_requested;
  a.question = "Vilket nummer har ditt presskort?";
  a.reason = "";
  a.grant_id = "";
  a.decided_by = "Pia";
  store.add_accreditation(a, "hash-1");
  EXPECT_EQ(store.find_accreditation("acc-0000000000000001"), a);
  EXPECT_EQ(store.find_accreditation_by_manage("hash-1"), a);
  EXPECT_EQ(store.find_accreditation("acc-0000000000000002"), std::nullopt);
  EXPECT_EQ(store.find_accreditation_by_manage("hash-2"), std::nullopt);
  EXPECT_EQ(store.find_accreditation_by_manage(""), std::nullopt);

  // Every state and both attendances survive by their names; no days is an empty list.
  auto b = accreditation("acc-0000000000000002");
  b.days.clear();
  b.attendance = press::attendance::remote;
  for (auto st : {press::accreditation_state::pending, press::accreditation_state::approved,
                  press::accreditation_state::rejected, press::accreditation_state::revoked}) {
    b.state = st;
    if (!store.find_accreditation(b.id)) {
      store.add_accreditation(b, "");
    } else {
      ASSERT_TRUE(store.update_accreditation(b));
    }
    EXPECT_EQ(store.find_accreditation(b.id), b) << press::to_string(st);
  }
  statement s(db, "SELECT state, attendance, days FROM press_accreditations WHERE id = 'acc-0000000000000001'");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "info_requested");
  EXPECT_EQ(s.text(1), "hall");
  EXPECT_EQ(s.text(2), R"(["2026-05-12","2026-05-13"])");
}

TEST_F(press_store_test, accreditations_without_a_manage_link_do_not_collide_but_a_repeated_hash_does) {
  store.add_accreditation(accreditation("acc-0000000000000001"), "");
  store.add_accreditation(accreditation("acc-0000000000000002"), "");
  store.add_accreditation(accreditation("acc-0000000000000003"), "same");
  EXPECT_THROW(store.add_accreditation(accreditation("acc-0000000000000004"), "same"), store_error);
  EXPECT_THROW(store.add_accreditation(accreditation("acc-0000000000000001"), "other"), store_error);
  EXPECT_EQ(store.list_accreditations("konf26", std::nullopt).size(), 3u);
}

TEST_F(press_store_test, accreditations_list_oldest_first_per_event_and_by_state) {
  auto late = accreditation("acc-000000000000000a", "konf26", 1'800'000'100);
  auto early = accreditation("acc-000000000000000b", "konf26", 1'800'000'000);
  auto same_second_1 = accreditation("acc-000000000000000d", "konf26", 1'800'000'050);
  auto same_second_2 = accreditation("acc-000000000000000c", "konf26", 1'800'000'050);
  auto other_event = accreditation("acc-000000000000000e", "annan", 1'700'000'000);
  late.state = press::accreditation_state::approved;
  same_second_2.state = press::accreditation_state::approved;
  for (const auto& a : {late, early, same_second_1, same_second_2, other_event}) store.add_accreditation(a, a.id);
  EXPECT_EQ(ids(store.list_accreditations("konf26", std::nullopt)),
            (std::vector<std::string>{"acc-000000000000000b", "acc-000000000000000d", "acc-000000000000000c",
                                      "acc-000000000000000a"}));
  EXPECT_EQ(ids(store.list_accreditations("konf26", press::accreditation_state::approved)),
            (std::vector<std::string>{"acc-000000000000000c", "acc-000000000000000a"}));
  EXPECT_EQ(ids(store.list_accreditations("konf26", press::accreditation_state::pending)),
            (std::vector<std::string>{"acc-000000000000000b", "acc-000000000000000d"}));
  EXPECT_TRUE(store.list_accreditations("konf26", press::accreditation_state::rejected).empty());
  EXPECT_EQ(store.list_accreditations("annan", std::nullopt), std::vector<press::accreditation>{other_event});
  EXPECT_TRUE(store.list_accreditations("ingen", std::nullopt).empty());
  // The full values, not only the ids.
  EXPECT_EQ(store.list_accreditations("konf26", press::accreditation_state::approved).back(), late);
}

TEST_F(press_store_test, updating_an_accreditation_replaces_every_field_and_keeps_its_manage_link) {
  auto a = accreditation("acc-0000000000000001");
  store.add_accreditation(a, "hash-1");
  auto changed = a;
  changed.name = "Eva Ek-Lund";
  changed.outlet = "SVT";
  changed.email = "eva@svt.example";
  changed.phone = "08-123";
  changed.press_card = "";
  changed.days = {"2026-05-13"};
  changed.attendance = press::attendance::remote;
  changed.note = a.note + "\n\n— Svar: kortet är SJF-4711";
  changed.language = "sv";
  changed.state = press::accreditation_state::approved;
  changed.question = "Presskort?";
  changed.reason = "";
  changed.grant_id = "pr-2222222222222222";
  changed.decided_by = "Pia Pressansvarig";
  changed.updated_at = a.updated_at + 500;
  EXPECT_TRUE(store.update_accreditation(changed));
  EXPECT_EQ(store.find_accreditation(a.id), changed);
  EXPECT_EQ(store.find_accreditation_by_manage("hash-1"), changed);

  EXPECT_FALSE(store.update_accreditation(accreditation("acc-ffffffffffffffff")));
  EXPECT_EQ(store.find_accreditation("acc-ffffffffffffffff"), std::nullopt);
}

// --- Grants -------------------------------------------------------------------------------------

TEST_F(press_store_test, a_grant_round_trips_every_field) {
  auto g = grant("pr-1111111111111111");
  store.add_grant(g);
  EXPECT_EQ(store.find_grant("pr-1111111111111111"), g);
  EXPECT_EQ(store.find_grant("pr-0000000000000000"), std::nullopt);

  // The defaults ("*" everywhere), no e-mail, no accreditation, a stored revocation.
  press::grant_record h;
  h.grant.id = "pr-2222222222222222";
  h.grant.event = "konf26";
  h.grant.name = "Olli";
  h.grant.valid_from = 1;
  h.grant.valid_until = 2;
  h.created_by = "cli";
  h.created_at = 5;
  h.revoked_at = 7;
  h.revoked_by = "Pia";
  h.revoke_reason = "slutat";
  store.add_grant(h);
  EXPECT_EQ(store.find_grant(h.grant.id), h);
  EXPECT_EQ(store.find_grant(h.grant.id)->grant.stages, std::vector<std::string>{"*"});

  // Empty lists are not "*".
  auto none = grant("pr-3333333333333333");
  none.grant.stages.clear();
  none.grant.rooms.clear();
  none.grant.device_cap = 0;
  store.add_grant(none);
  EXPECT_EQ(store.find_grant(none.grant.id), none);

  EXPECT_THROW(store.add_grant(g), store_error);  // the id is unique
}

TEST_F(press_store_test, grants_list_newest_first_per_event) {
  store.add_grant(grant("pr-000000000000000a", "konf26", 1'800'000'000));
  store.add_grant(grant("pr-000000000000000b", "konf26", 1'800'000'200));
  store.add_grant(grant("pr-000000000000000c", "konf26", 1'800'000'100));
  store.add_grant(grant("pr-000000000000000d", "konf26", 1'800'000'100));  // same second, later
  store.add_grant(grant("pr-000000000000000e", "annan", 1'800'000'300));
  EXPECT_EQ(ids(store.list_grants("konf26")),
            (std::vector<std::string>{"pr-000000000000000b", "pr-000000000000000d", "pr-000000000000000c",
                                      "pr-000000000000000a"}));
  EXPECT_EQ(store.list_grants("annan"), std::vector<press::grant_record>{grant("pr-000000000000000e", "annan",
                                                                                1'800'000'300)});
  EXPECT_TRUE(store.list_grants("ingen").empty());
}

TEST_F(press_store_test, a_grant_is_revoked_once_and_the_revoked_ones_of_every_event_are_listed) {
  store.add_grant(grant("pr-000000000000000a", "konf26"));
  store.add_grant(grant("pr-000000000000000b", "konf26"));
  store.add_grant(grant("pr-000000000000000c", "annan"));
  EXPECT_TRUE(store.revoked_grants().empty());

  EXPECT_TRUE(store.revoke_grant("pr-000000000000000a", 1'800'000'500, "Pia", "delade länken"));
  auto revoked = grant("pr-000000000000000a", "konf26");
  revoked.revoked_at = 1'800'000'500;
  revoked.revoked_by = "Pia";
  revoked.revoke_reason = "delade länken";
  EXPECT_EQ(store.find_grant("pr-000000000000000a"), revoked);

  // Again: nothing changes, not even the time, the officer or the reason.
  EXPECT_FALSE(store.revoke_grant("pr-000000000000000a", 1'800'000'900, "Olle", "igen"));
  EXPECT_EQ(store.find_grant("pr-000000000000000a"), revoked);
  // Unknown: nothing.
  EXPECT_FALSE(store.revoke_grant("pr-ffffffffffffffff", 1'800'000'900, "Olle", ""));
  EXPECT_EQ(store.find_grant("pr-ffffffffffffffff"), std::nullopt);
  // A revocation at 0 would read back as none.
  EXPECT_THROW(store.revoke_grant("pr-000000000000000b", 0, "Olle", ""), store_error);
  EXPECT_EQ(store.find_grant("pr-000000000000000b")->revoked_at, 0);

  EXPECT_TRUE(store.revoke_grant("pr-000000000000000c", 1'800'000'600, "Ann", ""));
  EXPECT_EQ(store.revoked_grants(), (std::vector<std::pair<std::string, std::int64_t>>{
                                        {"pr-000000000000000a", 1'800'000'500}, {"pr-000000000000000c", 1'800'000'600}}));
  EXPECT_EQ(store.find_grant("pr-000000000000000b")->revoked_at, 0);
}

// --- Interview requests -------------------------------------------------------------------------

TEST_F(press_store_test, an_interview_round_trips_every_field_and_every_state) {
  auto i = interview("iv-0000000000000001");
  i.proposed = "11:45, foajén";
  i.answer_note = "Gärna";
  i.answered_by = "speaker";
  i.speaker_email = "ake@example.org";
  i.state = press::interview_state::proposed;
  store.add_interview(i);
  EXPECT_EQ(store.find_interview(i.id), i);
  EXPECT_EQ(store.find_interview("iv-ffffffffffffffff"), std::nullopt);
  for (auto st : {press::interview_state::requested, press::interview_state::accepted,
                  press::interview_state::declined, press::interview_state::cancelled}) {
    i.state = st;
    ASSERT_TRUE(store.update_interview(i));
    EXPECT_EQ(store.find_interview(i.id), i) << press::to_string(st);
  }
  EXPECT_THROW(store.add_interview(i), store_error);
}

TEST_F(press_store_test, interviews_list_oldest_first_per_event_and_per_grant) {
  store.add_interview(interview("iv-000000000000000a", "pr-1111111111111111", "konf26", 300));
  store.add_interview(interview("iv-000000000000000b", "pr-2222222222222222", "konf26", 100));
  store.add_interview(interview("iv-000000000000000d", "pr-1111111111111111", "konf26", 200));
  store.add_interview(interview("iv-000000000000000c", "pr-1111111111111111", "konf26", 200));
  store.add_interview(interview("iv-000000000000000e", "pr-3333333333333333", "annan", 50));
  EXPECT_EQ(ids(store.list_interviews("konf26")),
            (std::vector<std::string>{"iv-000000000000000b", "iv-000000000000000d", "iv-000000000000000c",
                                      "iv-000000000000000a"}));
  EXPECT_EQ(ids(store.list_interviews_of("pr-1111111111111111")),
            (std::vector<std::string>{"iv-000000000000000d", "iv-000000000000000c", "iv-000000000000000a"}));
  EXPECT_EQ(store.list_interviews_of("pr-3333333333333333"),
            std::vector<press::interview>{interview("iv-000000000000000e", "pr-3333333333333333", "annan", 50)});
  EXPECT_TRUE(store.list_interviews("ingen").empty());
  EXPECT_TRUE(store.list_interviews_of("pr-ffffffffffffffff").empty());
}

TEST_F(press_store_test, updating_an_interview_replaces_its_fields_and_unknown_ids_say_so) {
  auto i = interview("iv-0000000000000001");
  store.add_interview(i);
  ASSERT_TRUE(store.set_speaker_link(i.id, "speaker-hash", "ake@example.org"));
  i.speaker_email = "ake@example.org";
  i.state = press::interview_state::accepted;
  i.answer_note = "Ses vid pelaren";
  i.answered_by = "Pia";
  i.updated_at += 60;
  EXPECT_TRUE(store.update_interview(i));
  EXPECT_EQ(store.find_interview(i.id), i);
  // The update does not drop the speaker's link.
  EXPECT_EQ(store.find_interview_by_speaker("speaker-hash"), i);
  EXPECT_FALSE(store.update_interview(interview("iv-ffffffffffffffff")));
  EXPECT_FALSE(store.set_speaker_link("iv-ffffffffffffffff", "h", "x@example.org"));
  EXPECT_EQ(store.find_interview("iv-ffffffffffffffff"), std::nullopt);
}

TEST_F(press_store_test, a_new_speaker_link_replaces_the_older_one) {
  auto i = interview("iv-0000000000000001");
  store.add_interview(i);
  store.add_interview(interview("iv-0000000000000002"));
  EXPECT_EQ(store.find_interview_by_speaker(""), std::nullopt);  // none has a link yet
  ASSERT_TRUE(store.set_speaker_link(i.id, "first", "ake@example.org"));
  i.speaker_email = "ake@example.org";
  EXPECT_EQ(store.find_interview_by_speaker("first"), i);
  ASSERT_TRUE(store.set_speaker_link(i.id, "second", "ake.oberg@example.org"));
  i.speaker_email = "ake.oberg@example.org";
  EXPECT_EQ(store.find_interview_by_speaker("first"), std::nullopt);
  EXPECT_EQ(store.find_interview_by_speaker("second"), i);
  EXPECT_EQ(store.find_interview(i.id), i);
  // One token, one interview.
  EXPECT_THROW(store.set_speaker_link("iv-0000000000000002", "second", ""), store_error);
  EXPECT_EQ(store.find_interview_by_speaker("second")->id, i.id);
}

// --- Viewing audit ------------------------------------------------------------------------------

TEST_F(press_store_test, views_add_up_per_viewer_stage_device_and_address_across_flushes) {
  auto a1 = view("pr-1111111111111111", 1'000, 5'000, 1'000'000, 4);
  auto b = view("pr-2222222222222222", 2'000, 2'500, 10, 1);
  auto other_device = a1;
  other_device.device = "dev-zzzzzzzz";
  other_device.first_at = 500;
  other_device.last_at = 700;
  auto other_address = a1;
  other_address.address = "198.51.100.1";
  other_address.first_at = 3'000;
  auto other_stage = a1;
  other_stage.stage = "press";
  other_stage.first_at = 4'000;
  auto other_event = view("pr-1111111111111111", 100, 200, 1, 1, "annan");
  store.add_views({a1, b, other_device, other_address, other_stage, other_event});

  // The next flush: the same row again, earlier first and later last, a new name and agent.
  auto a2 = a1;
  a2.first_at = 900;
  a2.last_at = 9'000;
  a2.bytes = 3'000'000'000'000ULL;  // beyond 32 bits
  a2.requests = 6;
  a2.name = "Eva Ek-Lund, DN";
  a2.user_agent = "Mozilla/5.0 (Android)";
  // A late record of the past (last_at before the row's): counted, but its name is not the latest.
  auto b_old = b;
  b_old.first_at = 1'500;
  b_old.last_at = 1'600;
  b_old.name = "Gammalt namn";
  b_old.user_agent = "Gammal";
  store.add_views({a2, b_old});
  store.add_views({});

  auto expected_a = a1;
  expected_a.first_at = 900;
  expected_a.last_at = 9'000;
  expected_a.bytes = 1'000'000 + 3'000'000'000'000ULL;
  expected_a.requests = 10;
  expected_a.name = "Eva Ek-Lund, DN";
  expected_a.user_agent = "Mozilla/5.0 (Android)";
  auto expected_b = b;
  expected_b.first_at = 1'500;
  expected_b.bytes = 20;
  expected_b.requests = 2;
  EXPECT_EQ(store.list_views("konf26"),
            (std::vector<press::view_record>{other_device, expected_a, expected_b, other_address, other_stage}));
  EXPECT_EQ(store.list_views("annan"), std::vector<press::view_record>{other_event});
  EXPECT_TRUE(store.list_views("ingen").empty());
}

TEST_F(press_store_test, a_flush_that_fails_half_way_adds_nothing) {
  auto good = view("pr-1111111111111111", 1'000, 2'000, 100, 1);
  store.add_views({good});
  auto bad = view("pr-2222222222222222", 1'000, 2'000, 100, 1);
  bad.bytes = static_cast<std::uint64_t>(-1);  // negative as INTEGER: the CHECK refuses it
  EXPECT_THROW(store.add_views({good, bad}), store_error);
  EXPECT_EQ(store.list_views("konf26"), std::vector<press::view_record>{good});
  EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0) << "a transaction was left open";
}

TEST_F(press_store_test, refusals_round_trip_in_the_order_they_happened) {
  auto late = refusal(3'000, "dev-3");
  auto early = refusal(1'000, "dev-1");
  auto tie_1 = refusal(2'000, "dev-2b");
  auto tie_2 = refusal(2'000, "dev-2a");
  store.add_refusals({late, early});
  store.add_refusals({tie_1, tie_2, refusal(10, "dev-x", "annan")});
  store.add_refusals({});
  EXPECT_EQ(store.list_refusals("konf26"), (std::vector<press::device_refusal>{early, tie_1, tie_2, late}));
  EXPECT_EQ(store.list_refusals("annan"), std::vector<press::device_refusal>{refusal(10, "dev-x", "annan")});
  EXPECT_TRUE(store.list_refusals("ingen").empty());
}

// --- Settings -----------------------------------------------------------------------------------

TEST_F(press_store_test, settings_are_absent_until_saved_and_then_round_trip_and_replace) {
  EXPECT_EQ(store.find_settings("konf26"), std::nullopt);
  press::press_settings s;
  s.event_id = "konf26";
  s.accreditation_open = false;
  s.contacts = {{"Pia Pressansvarig", "Pressansvarig", "press@konf.example", "+46 8 123 45"},
                {"Åsa \"Åsk\" Öst", "", "", ""}};
  s.updated_at = 1'800'000'000;
  store.save_settings(s);
  EXPECT_EQ(store.find_settings("konf26"), s);
  EXPECT_EQ(store.find_settings("annan"), std::nullopt);

  s.accreditation_open = true;
  s.contacts = {};
  s.updated_at += 10;
  store.save_settings(s);
  EXPECT_EQ(store.find_settings("konf26"), s);

  s.contacts = {{"Olli", "Lehdistö", "olli@example.fi", ""}};
  store.save_settings(s);
  EXPECT_EQ(store.find_settings("konf26"), s);
  statement count(db, "SELECT count(*) FROM press_settings");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.integer(0), 1);
}

// --- Transactions -------------------------------------------------------------------------------

TEST_F(press_store_test, in_transaction_commits_everything_done_inside_it) {
  sqlite_outbox_store outbox(db, [] { return std::int64_t{1'800'000'000}; });
  auto a = accreditation("acc-0000000000000001");
  std::string mail_id;
  store.in_transaction([&] {
    EXPECT_EQ(sqlite3_get_autocommit(db.handle()), 0) << "fn runs inside a transaction";
    store.add_accreditation(a, "hash-1");
    a.state = press::accreditation_state::approved;
    a.grant_id = "pr-1111111111111111";
    EXPECT_TRUE(store.update_accreditation(a));
    store.add_grant(grant("pr-1111111111111111"));
    store.add_views({view("pr-1111111111111111", 1, 2, 3, 1)});  // a savepoint inside
    mail_id = outbox.enqueue(mail_to("eva.ek@dn.example"));
    // Reads inside see the transaction's own writes.
    EXPECT_EQ(store.find_accreditation(a.id), a);
  });
  EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
  EXPECT_EQ(store.find_accreditation(a.id), a);
  EXPECT_TRUE(store.find_grant("pr-1111111111111111"));
  EXPECT_EQ(store.list_views("konf26").size(), 1u);
  EXPECT_TRUE(outbox.find(mail_id));
}

TEST_F(press_store_test, in_transaction_rolls_back_everything_when_fn_throws) {
  sqlite_outbox_store outbox(db, [] { return std::int64_t{1'800'000'000}; });
  // Already stored before: must be as it was afterwards.
  auto a = accreditation("acc-0000000000000001");
  store.add_accreditation(a, "hash-1");
  store.add_grant(grant("pr-1111111111111111"));
  store.add_interview(interview("iv-0000000000000001"));
  press::press_settings settings;
  settings.event_id = "konf26";
  settings.updated_at = 1;
  store.save_settings(settings);

  struct failure : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  EXPECT_THROW(store.in_transaction([&] {
    auto changed = a;
    changed.state = press::accreditation_state::rejected;
    changed.reason = "nej";
    ASSERT_TRUE(store.update_accreditation(changed));
    store.add_accreditation(accreditation("acc-0000000000000002"), "hash-2");
    ASSERT_TRUE(store.revoke_grant("pr-1111111111111111", 1'800'000'100, "Pia", ""));
    store.add_grant(grant("pr-2222222222222222"));
    auto iv = interview("iv-0000000000000001");
    iv.state = press::interview_state::declined;
    ASSERT_TRUE(store.update_interview(iv));
    ASSERT_TRUE(store.set_speaker_link(iv.id, "speaker-hash", "ake@example.org"));
    store.add_interview(interview("iv-0000000000000002"));
    store.add_views({view("pr-1111111111111111", 1, 2, 3, 1)});
    store.add_refusals({refusal(5, "dev-9")});
    auto s = settings;
    s.accreditation_open = false;
    store.save_settings(s);
    outbox.enqueue(mail_to("eva.ek@dn.example"));
    throw failure("the mail could not be rendered");
  }),
               failure);

  EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0) << "a transaction was left open";
  EXPECT_EQ(store.find_accreditation(a.id), a);
  EXPECT_EQ(store.find_accreditation("acc-0000000000000002"), std::nullopt);
  EXPECT_EQ(store.find_accreditation_by_manage("hash-2"), std::nullopt);
  EXPECT_EQ(store.find_grant("pr-1111111111111111"), grant("pr-1111111111111111"));
  EXPECT_EQ(store.find_grant("pr-2222222222222222"), std::nullopt);
  EXPECT_TRUE(store.revoked_grants().empty());
  EXPECT_EQ(store.find_interview("iv-0000000000000001"), interview("iv-0000000000000001"));
  EXPECT_EQ(store.find_interview_by_speaker("speaker-hash"), std::nullopt);
  EXPECT_EQ(store.find_interview("iv-0000000000000002"), std::nullopt);
  EXPECT_TRUE(store.list_views("konf26").empty());
  EXPECT_TRUE(store.list_refusals("konf26").empty());
  EXPECT_EQ(store.find_settings("konf26"), settings);
  EXPECT_TRUE(outbox.list("", 10).empty()) << "the mail went out with a rolled back change";

  // The store is usable afterwards, in and out of transactions.
  store.in_transaction([&] { store.add_grant(grant("pr-3333333333333333")); });
  EXPECT_TRUE(store.find_grant("pr-3333333333333333"));
}

TEST_F(press_store_test, a_failed_call_caught_inside_in_transaction_leaves_the_rest_of_it) {
  store.add_grant(grant("pr-1111111111111111"));
  store.in_transaction([&] {
    store.add_grant(grant("pr-2222222222222222"));
    EXPECT_THROW(store.add_grant(grant("pr-1111111111111111")), store_error);  // duplicate id
    auto bad = view("pr-x", 1, 2, 3, 1);
    bad.requests = static_cast<std::uint64_t>(-1);
    EXPECT_THROW(store.add_views({view("pr-y", 1, 2, 3, 1), bad}), store_error);  // its savepoint undone
    store.add_interview(interview("iv-0000000000000001"));
  });
  EXPECT_EQ(ids(store.list_grants("konf26")).size(), 2u);
  EXPECT_TRUE(store.find_interview("iv-0000000000000001"));
  EXPECT_TRUE(store.list_views("konf26").empty());
}

TEST_F(press_store_test, nested_in_transaction_joins_the_outer_one) {
  EXPECT_THROW(store.in_transaction([&] {
    store.in_transaction([&] { store.add_grant(grant("pr-1111111111111111")); });
    EXPECT_TRUE(store.find_grant("pr-1111111111111111"));
    throw std::runtime_error("outer fails");
  }),
               std::runtime_error);
  EXPECT_EQ(store.find_grant("pr-1111111111111111"), std::nullopt);
  // An inner failure caught by the outer undoes only the inner.
  store.in_transaction([&] {
    store.add_grant(grant("pr-2222222222222222"));
    EXPECT_THROW(store.in_transaction([&] {
      store.add_grant(grant("pr-3333333333333333"));
      throw std::runtime_error("inner fails");
    }),
                 std::runtime_error);
  });
  EXPECT_TRUE(store.find_grant("pr-2222222222222222"));
  EXPECT_EQ(store.find_grant("pr-3333333333333333"), std::nullopt);
}

// --- Persistence --------------------------------------------------------------------------------

TEST(sqlite_press_store, a_reopened_store_still_has_everything) {
  temp_dir dir;
  const std::string path = dir.file("samling.db");
  auto a = accreditation("acc-0000000000000001");
  auto revoked = grant("pr-1111111111111111");
  auto live = grant("pr-2222222222222222");
  auto iv = interview("iv-0000000000000001");
  iv.speaker_email = "ake@example.org";
  auto v = view("pr-2222222222222222", 10, 20, 30, 2);
  auto r = refusal(40, "dev-3");
  press::press_settings s;
  s.event_id = "konf26";
  s.accreditation_open = false;
  s.contacts = {{"Pia", "Press", "press@konf.example", "08"}};
  s.updated_at = 99;
  {
    sqlite_db db(path);
    sqlite_press_store store(db);
    store.add_accreditation(a, "hash-1");
    store.add_grant(revoked);
    store.add_grant(live);
    ASSERT_TRUE(store.revoke_grant(revoked.grant.id, 1'800'000'100, "Pia", "slut"));
    store.add_interview(interview(iv.id));
    ASSERT_TRUE(store.set_speaker_link(iv.id, "speaker-hash", "ake@example.org"));
    store.add_views({v});
    store.add_refusals({r});
    store.save_settings(s);
    db.checkpoint();
  }
  sqlite_db db(path);
  EXPECT_EQ(db.schema_version(), 15);
  sqlite_press_store store(db);
  EXPECT_EQ(store.find_accreditation_by_manage("hash-1"), a);
  revoked.revoked_at = 1'800'000'100;
  revoked.revoked_by = "Pia";
  revoked.revoke_reason = "slut";
  EXPECT_EQ(store.list_grants("konf26"), (std::vector<press::grant_record>{live, revoked}));
  EXPECT_EQ(store.revoked_grants(),
            (std::vector<std::pair<std::string, std::int64_t>>{{revoked.grant.id, 1'800'000'100}}));
  EXPECT_EQ(store.find_interview_by_speaker("speaker-hash"), iv);
  EXPECT_EQ(store.list_views("konf26"), std::vector<press::view_record>{v});
  EXPECT_EQ(store.list_refusals("konf26"), std::vector<press::device_refusal>{r});
  EXPECT_EQ(store.find_settings("konf26"), s);
}

}  // namespace
}  // namespace samling::store
