#pragma once
// SQLite implementation of auth::account_store over the accounts and account_roles tables
// (migration 4). Not thread-safe: used on the store's one thread (or by a CLI command); the
// sqlite_db must outlive it. Throws auth::duplicate_email and store_error.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/account_store.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_account_store final : public auth::account_store {
 public:
  explicit sqlite_account_store(sqlite_db& db) : db_(db) {}
  void create(const auth::account& a) override;
  std::optional<auth::account> find_by_email(std::string_view email) override;
  std::optional<auth::account> find_by_id(std::string_view id) override;
  bool set_password(std::string_view id, const std::string& password_hash) override;
  bool grant_role(std::string_view account_id, const auth::account_role& r) override;
  std::vector<auth::account_role> roles_of(std::string_view account_id) override;
  bool revoke_role(std::string_view account_id, const auth::account_role& r) override;
  std::vector<auth::staff_member> staff_of(std::string_view event_id) override;

 private:
  std::optional<auth::account> find(std::string_view column_sql, std::string_view value);
  sqlite_db& db_;
};

}  // namespace samling::store
