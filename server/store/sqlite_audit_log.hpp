#pragma once
// SQLite implementation of auth::audit_log (audit_log; migration 5): append-only. Not
// thread-safe: used on the store's one thread (or by a CLI command); the sqlite_db must outlive it.
#include "auth/audit_log.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_audit_log final : public auth::audit_log {
 public:
  explicit sqlite_audit_log(sqlite_db& db) : db_(db) {}
  void record(const auth::audit_entry& e) override;
  std::vector<auth::audit_entry> list(std::string_view event_id, std::size_t limit) override;

 private:
  sqlite_db& db_;
};

}  // namespace samling::store
