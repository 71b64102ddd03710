#include "store/sqlite_account_store.hpp"

#include <sqlite3.h>

#include "store/statement.hpp"

namespace samling::store {

void sqlite_account_store::create(const auth::account& a) {
  transaction tx(db_);
  {
    statement taken(db_, "SELECT 1 FROM accounts WHERE email = ?1");
    taken.bind(1, a.email);
    if (taken.step()) throw auth::duplicate_email("an account with the e-mail " + a.email + " exists already");
  }
  statement insert(db_,
                   "INSERT INTO accounts (id, email, display_name, password_hash, created_at, disabled)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  insert.bind(1, a.id)
      .bind(2, a.email)
      .bind(3, a.display_name)
      .bind(4, a.password_hash)
      .bind(5, a.created_at)
      .bind(6, a.disabled ? 1 : 0);
  insert.run();
  tx.commit();
}

std::optional<auth::account> sqlite_account_store::find(std::string_view where_sql, std::string_view value) {
  statement s(db_, "SELECT id, email, display_name, password_hash, created_at, disabled FROM accounts WHERE " +
                       std::string(where_sql));
  s.bind(1, value);
  if (!s.step()) return std::nullopt;
  return auth::account{.id = s.text(0),
                       .email = s.text(1),
                       .display_name = s.text(2),
                       .password_hash = s.text(3),
                       .created_at = s.int64(4),
                       .disabled = s.integer(5) != 0};
}

std::optional<auth::account> sqlite_account_store::find_by_email(std::string_view email) {
  return find("email = ?1", auth::normalize_email(email));
}

std::optional<auth::account> sqlite_account_store::find_by_id(std::string_view id) {
  return find("id = ?1", id);
}

bool sqlite_account_store::set_password(std::string_view id, const std::string& password_hash) {
  statement s(db_, "UPDATE accounts SET password_hash = ?2 WHERE id = ?1");
  s.bind(1, id).bind(2, password_hash);
  s.run();
  return sqlite3_changes(db_.handle()) > 0;
}

bool sqlite_account_store::grant_role(std::string_view account_id, const auth::account_role& r) {
  statement s(db_, "INSERT OR IGNORE INTO account_roles (account_id, event_id, role) VALUES (?1, ?2, ?3)");
  s.bind(1, account_id).bind(2, r.event_id).bind(3, auth::to_string(r.r));
  s.run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::vector<auth::account_role> sqlite_account_store::roles_of(std::string_view account_id) {
  statement s(db_, "SELECT event_id, role FROM account_roles WHERE account_id = ?1 ORDER BY event_id, role");
  s.bind(1, account_id);
  std::vector<auth::account_role> out;
  while (s.step()) {
    auto r = auth::role_from_string(s.text(1));
    if (!r) throw store_error(db_.path() + ": account_roles holds an unknown role \"" + s.text(1) + "\"");
    out.push_back({s.text(0), *r});
  }
  return out;
}

}  // namespace samling::store

namespace samling::store {

bool sqlite_account_store::revoke_role(std::string_view account_id, const auth::account_role& r) {
  statement s(db_, "DELETE FROM account_roles WHERE account_id = ?1 AND event_id = ?2 AND role = ?3");
  s.bind(1, account_id).bind(2, r.event_id).bind(3, auth::to_string(r.r));
  s.run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::vector<auth::staff_member> sqlite_account_store::staff_of(std::string_view event_id) {
  // One join, read in one snapshot; rows arrive grouped by account (ordered by e-mail).
  transaction tx(db_, transaction::kind::read);
  statement s(db_,
              "SELECT a.id, a.email, a.display_name, a.created_at, a.disabled, r.event_id, r.role"
              " FROM account_roles r JOIN accounts a ON a.id = r.account_id"
              " WHERE r.event_id = ?1 OR r.event_id = '*' ORDER BY a.email, r.event_id, r.role");
  s.bind(1, event_id);
  std::vector<auth::staff_member> out;
  while (s.step()) {
    if (out.empty() || out.back().acc.id != s.text(0)) {
      auth::staff_member m;
      m.acc = auth::account{.id = s.text(0),
                            .email = s.text(1),
                            .display_name = s.text(2),
                            .password_hash = {},  // never leaves the store for a listing
                            .created_at = s.int64(3),
                            .disabled = s.integer(4) != 0};
      out.push_back(std::move(m));
    }
    auto r = auth::role_from_string(s.text(6));
    if (!r) throw store_error(db_.path() + ": account_roles holds an unknown role \"" + s.text(6) + "\"");
    out.back().roles.push_back({s.text(5), *r});
  }
  tx.commit();
  return out;
}

}  // namespace samling::store
