#pragma once
// SQLite implementation of program::program_versions_store (table program_versions, migration
// 8). publish() saves the event through the program store and inserts the version row inside
// one transaction (the program store's own becomes a savepoint in it), so a version never
// exists without its program nor the program without its version. Not thread-safe: owned by
// the store's one blocking thread.
#include "program/model.hpp"
#include "program/program_versions.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_program_versions final : public program::program_versions_store {
 public:
  sqlite_program_versions(sqlite_db& db, program::program_store& programs) : db_(db), programs_(programs) {}
  std::vector<program::version_summary> list(std::string_view event_id) override;
  std::optional<program::version_record> get(std::string_view event_id, int version) override;
  std::optional<program::version_record> latest(std::string_view event_id) override;
  int publish(const program::event& e, const program::version_summary& summary) override;

 private:
  sqlite_db& db_;
  program::program_store& programs_;
};

}  // namespace samling::store
