// Series and their rows in SQLite: saved whole, found whole, replaced whole, listed.
#include "store/sqlite_series_store.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace samling::store {
namespace {

using program::series;
using program::series_event;

series sample_series() {
  series s;
  s.id = "sverige-tillsammans-2016";
  s.name = {{"sv", "Sverige tillsammans"}, {"en", "Sweden Together"}};
  s.organizer = "L\xC3\xA4nsstyrelserna";
  s.description = {{"sv", "17 regionala konferenser"}};
  s.events = {{"2016-01-22", "Sk\xC3\xA5ne 1(2)", "Blekinge", "Malm\xC3\xB6", ""},
              {"2016-01-29", "J\xC3\xB6nk\xC3\xB6ping", "", "J\xC3\xB6nk\xC3\xB6ping", "jonkoping-2016"}};
  return s;
}

TEST(SqliteSeriesStoreTest, SavesFindsListsAndReplaces) {
  samling::testing::temp_dir dir;
  sqlite_db db(dir.file("samling.db"));
  sqlite_series_store store(db);
  EXPECT_TRUE(store.list_series().empty());
  EXPECT_EQ(store.find_series("sverige-tillsammans-2016"), std::nullopt);
  series s = sample_series();
  store.save_series(s);
  EXPECT_EQ(store.find_series(s.id), s);
  auto listed = store.list_series();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].event_count, 2u);
  EXPECT_EQ(listed[0].name, s.name);
  // Replacing drops rows no longer there and keeps the order given.
  s.events = {s.events[1]};
  s.name["fi"] = "Ruotsi yhdess\xC3\xA4";
  store.save_series(s);
  EXPECT_EQ(store.find_series(s.id), s);
  EXPECT_EQ(store.list_series().at(0).event_count, 1u);
}

}  // namespace
}  // namespace samling::store
