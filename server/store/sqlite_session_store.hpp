#pragma once
// SQLite implementation of auth::session_store (staff_sessions, sign_in_failures; migration 5).
// Not thread-safe: used on the store's one thread; the sqlite_db must outlive it.
#include "auth/staff_session.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_session_store final : public auth::session_store {
 public:
  explicit sqlite_session_store(sqlite_db& db) : db_(db) {}
  void create(const auth::staff_session& s) override;
  std::optional<auth::staff_session> find(std::string_view id_hash) override;
  void touch(std::string_view id_hash, std::int64_t last_seen) override;
  bool remove(std::string_view id_hash) override;
  int remove_all_of(std::string_view account_id) override;
  void purge(std::int64_t now, std::int64_t idle_seconds, std::int64_t failures_before) override;
  void record_failure(std::string_view subject, std::int64_t at) override;
  std::vector<std::int64_t> failures_since(std::string_view subject, std::int64_t since) override;
  void clear_failures(std::string_view subject) override;

 private:
  sqlite_db& db_;
};

}  // namespace samling::store
