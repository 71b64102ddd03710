#pragma once
// SQLite implementation of program::series_store (tables series, series_events of migration
// 7). Not thread-safe: owned by the store's one blocking thread, like sqlite_program_store.
#include "program/series.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_series_store final : public program::series_store {
 public:
  explicit sqlite_series_store(sqlite_db& db) : db_(db) {}
  std::vector<program::series_summary> list_series() override;
  std::optional<program::series> find_series(std::string_view id) override;
  void save_series(const program::series& s) override;

 private:
  sqlite_db& db_;
};

}  // namespace samling::store
