#pragma once
// SQLite implementation of auth::invitation_store (invitations; migration 5). Not thread-safe:
// used on the store's one thread; the sqlite_db must outlive it.
#include "auth/invitation.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_invitation_store final : public auth::invitation_store {
 public:
  explicit sqlite_invitation_store(sqlite_db& db) : db_(db) {}
  void create(const auth::invitation& i) override;
  std::optional<auth::invitation> find_by_token_hash(std::string_view token_hash) override;
  bool mark_accepted(std::string_view id, std::int64_t at) override;
  std::vector<auth::invitation> of_event(std::string_view event_id) override;
  void atomically(const std::function<void()>& fn) override;

 private:
  sqlite_db& db_;
};

}  // namespace samling::store
