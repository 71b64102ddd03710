#pragma once
// SQLite implementation of projector::kiosk_store over kiosk_links (migration 14). Not
// thread-safe: used on the store's one thread; the sqlite_db must outlive it. Throws store_error.
#include "projector/kiosk_store.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_kiosk_store final : public projector::kiosk_store {
 public:
  explicit sqlite_kiosk_store(sqlite_db& db) : db_(db) {}
  void insert(const projector::kiosk_link& link) override;
  std::optional<projector::kiosk_link> find(const std::string& id) override;
  // Oldest first.
  std::vector<projector::kiosk_link> list(const std::string& event_id) override;
  // Revoking a revoked link keeps its first revocation time (and returns true).
  bool revoke(const std::string& event_id, const std::string& id, std::int64_t now_ms) override;

 private:
  sqlite_db& db_;
};

}  // namespace samling::store
