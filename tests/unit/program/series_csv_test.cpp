// The series table as CSV: the seed table's Swedish header, the English one, "-" for no
// co-hosting county, problems with lines, and the round trip.
#include "program/series_csv.hpp"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "program/demo_series.hpp"

namespace samling::program {
namespace {

TEST(SeriesCsvTest, ReadsTheSeedTableWithItsSwedishHeader) {
  const auto r = series_rows_from_csv(
      "Datum;Ansvarigt l\xC3\xA4n;Medarrangerande l\xC3\xA4n;Ort\n"
      "2016-01-22;Sk\xC3\xA5ne 1(2);Blekinge;Malm\xC3\xB6\n"
      "2016-01-29;J\xC3\xB6nk\xC3\xB6ping;-;J\xC3\xB6nk\xC3\xB6ping\n");
  ASSERT_TRUE(r.rows);
  ASSERT_EQ(r.rows->size(), 2u);
  EXPECT_EQ((*r.rows)[0], (series_event{"2016-01-22", "Sk\xC3\xA5ne 1(2)", "Blekinge",
                                        "Malm\xC3\xB6", ""}));
  EXPECT_EQ((*r.rows)[1].cohost_county, "");
}

TEST(SeriesCsvTest, ReadsTheEnglishHeaderWithCommas) {
  const auto r = series_rows_from_csv(
      "date,responsible county,co-hosting county,city,event_id\r\n"
      "2016-02-02,\xC3\x96rebro,V\xC3\xA4stmanland,\xC3\x96rebro,orebro-2016\r\n");
  ASSERT_TRUE(r.rows);
  EXPECT_EQ(r.rows->at(0).event_id, "orebro-2016");
}

TEST(SeriesCsvTest, ProblemsCarryTheirLines) {
  const auto r = series_rows_from_csv(
      "date;responsible_county;cohost_county;city\n"
      "2016-01-22;Sk\xC3\xA5ne;;Malm\xC3\xB6\n"
      "22.1.2016;Sk\xC3\xA5ne;;Malm\xC3\xB6\n"
      "2016-01-23;;;\n"
      "2016-01-22;Sk\xC3\xA5ne;;Malm\xC3\xB6\n");
  EXPECT_FALSE(r.rows);
  ASSERT_EQ(r.problems.size(), 4u);
  EXPECT_EQ(r.problems[0].line, 3u);
  EXPECT_EQ(r.problems[0].field, "date");
  EXPECT_EQ(r.problems[1].line, 4u);
  EXPECT_EQ(r.problems[1].field, "responsible_county");
  EXPECT_EQ(r.problems[2].line, 4u);
  EXPECT_EQ(r.problems[2].field, "city");
  EXPECT_EQ(r.problems[3].line, 5u);  // same date and city as line 2
  const auto missing = series_rows_from_csv("date;city\n");
  EXPECT_FALSE(missing.rows);
  EXPECT_EQ(missing.problems.size(), 2u);
}

TEST(SeriesCsvTest, TheDemoSeriesHasTheSeventeenConferencesAndRoundTrips) {
  const series s = load_demo_series(std::string(SAMLING_SOURCE_DIR) +
                                    "/config/demo/sverige-tillsammans-2016.json");
  ASSERT_EQ(s.events.size(), 17u);
  EXPECT_EQ(s.events.front().date, "2016-01-22");
  EXPECT_EQ(s.events.front().city, "Malm\xC3\xB6");
  EXPECT_EQ(s.events.back().city, "Lule\xC3\xA5");
  EXPECT_EQ(s.events.back().cohost_county, "");
  const auto again = series_rows_from_csv(series_rows_to_csv(s));
  ASSERT_TRUE(again.rows);
  EXPECT_EQ(*again.rows, s.events);
}

}  // namespace
}  // namespace samling::program
