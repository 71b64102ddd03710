#pragma once
// SQLite implementation of program::program_store. Not thread-safe: owned by the store's one
// blocking thread (core::blocking_pool), which serialises all database work.
#include <memory>

#include "program/model.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_program_store final : public program::program_store {
 public:
  explicit sqlite_program_store(sqlite_db& db) : db_(db) {}
  bool has_events() override;
  std::vector<program::event_summary> list_events() override;
  std::optional<program::event> find_event(std::string_view id) override;
  void save_event(const program::event& e) override;

 private:
  sqlite_db& db_;
};

}  // namespace samling::store
