// Event-local times and UTC through the system's tz database, across DST changes.
#include "program/timezone.hpp"

#include <gtest/gtest.h>

using namespace samling::program;

TEST(timezone, zones_are_checked_against_the_tz_database) {
  EXPECT_TRUE(is_valid_zone("Europe/Stockholm"));
  EXPECT_TRUE(is_valid_zone("Europe/Helsinki"));
  EXPECT_FALSE(is_valid_zone("Europe/Atlantis"));
  EXPECT_FALSE(is_valid_zone(""));
}

TEST(timezone, winter_and_summer_offsets_in_stockholm_and_helsinki) {
  // 2027-01-14 09:00 CET = 08:00 UTC; 2027-06-14 09:00 CEST = 07:00 UTC.
  EXPECT_EQ(to_utc("2027-01-14", "09:00", "Europe/Stockholm"), parse_utc_iso("2027-01-14T08:00:00Z"));
  EXPECT_EQ(to_utc("2027-06-14", "09:00", "Europe/Stockholm"), parse_utc_iso("2027-06-14T07:00:00Z"));
  EXPECT_EQ(to_utc("2027-01-14", "09:00", "Europe/Helsinki"), parse_utc_iso("2027-01-14T07:00:00Z"));
  auto l = to_local(*parse_utc_iso("2027-06-14T07:00:00Z"), "Europe/Stockholm");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->day, "2027-06-14");
  EXPECT_EQ(l->hhmm, "09:00");
  EXPECT_EQ(l->utc_offset_s, 7200);
  EXPECT_EQ(l->abbrev, "CEST");
}

TEST(timezone, the_spring_gap_and_the_autumn_overlap_have_one_answer_each) {
  // 2027-03-28: clocks go 02:00 CET -> 03:00 CEST in Stockholm. 02:30 does not exist: 03:30 CEST.
  auto gap = to_utc("2027-03-28", "02:30", "Europe/Stockholm");
  ASSERT_TRUE(gap);
  EXPECT_EQ(to_local(*gap, "Europe/Stockholm")->hhmm, "03:30");
  // A session 01:30-03:30 local that night lasts one hour.
  EXPECT_EQ(*to_utc("2027-03-28", "03:30", "Europe/Stockholm") - *to_utc("2027-03-28", "01:30", "Europe/Stockholm"), 3600);
  // 2027-10-31: 03:00 CEST -> 02:00 CET; 02:30 happens twice: the earlier (CEST) is taken.
  EXPECT_EQ(to_utc("2027-10-31", "02:30", "Europe/Stockholm"), parse_utc_iso("2027-10-31T00:30:00Z"));
}

TEST(timezone, bad_input_is_refused) {
  EXPECT_FALSE(to_utc("2027-02-30", "09:00", "Europe/Stockholm"));
  EXPECT_FALSE(to_utc("2027-01-14", "24:00", "Europe/Stockholm"));
  EXPECT_FALSE(to_utc("2027-01-14", "9:00", "Europe/Stockholm"));
  EXPECT_FALSE(to_utc("2027-01-14", "09:00", "Nowhere/City"));
  EXPECT_FALSE(parse_utc_iso("2027-01-14T08:00:00"));
  EXPECT_FALSE(parse_utc_iso("2027-01-14 08:00:00Z"));
  EXPECT_EQ(local_iso_to_utc("2027-01-14T09:00", "Europe/Stockholm"), parse_utc_iso("2027-01-14T09:00:00+01:00"));
  EXPECT_EQ(utc_iso(*parse_utc_iso("2027-01-14T09:00:00+01:00")), "2027-01-14T08:00:00Z");
}
