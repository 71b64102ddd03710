#include "store/sqlite_invitation_store.hpp"

#include <sqlite3.h>

#include "store/statement.hpp"

namespace samling::store {

namespace {

constexpr std::string_view columns =
    "id, token_hash, event_id, email, name, role, language, invited_by, created_at, expires_at,"
    " accepted_at";

auth::invitation read_row(sqlite_db& db, const statement& s) {
  auto r = auth::role_from_string(s.text(5));
  if (!r) throw store_error(db.path() + ": invitations holds an unknown role \"" + s.text(5) + "\"");
  return auth::invitation{.id = s.text(0),
                          .token_hash = s.text(1),
                          .event_id = s.text(2),
                          .email = s.text(3),
                          .name = s.text(4),
                          .r = *r,
                          .language = s.text(6),
                          .invited_by = s.text(7),
                          .created_at = s.int64(8),
                          .expires_at = s.int64(9),
                          .accepted_at = s.is_null(10) ? 0 : s.int64(10)};
}

}  // namespace

void sqlite_invitation_store::create(const auth::invitation& i) {
  statement s(db_, "INSERT INTO invitations (" + std::string(columns) +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL)");
  s.bind(1, i.id)
      .bind(2, i.token_hash)
      .bind(3, i.event_id)
      .bind(4, i.email)
      .bind(5, i.name)
      .bind(6, auth::to_string(i.r))
      .bind(7, i.language)
      .bind(8, i.invited_by)
      .bind(9, i.created_at)
      .bind(10, i.expires_at);
  s.run();
}

std::optional<auth::invitation> sqlite_invitation_store::find_by_token_hash(std::string_view token_hash) {
  statement s(db_, "SELECT " + std::string(columns) + " FROM invitations WHERE token_hash = ?1");
  s.bind(1, token_hash);
  if (!s.step()) return std::nullopt;
  return read_row(db_, s);
}

bool sqlite_invitation_store::mark_accepted(std::string_view id, std::int64_t at) {
  statement s(db_, "UPDATE invitations SET accepted_at = ?2 WHERE id = ?1 AND accepted_at IS NULL");
  s.bind(1, id).bind(2, at);
  s.run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::vector<auth::invitation> sqlite_invitation_store::of_event(std::string_view event_id) {
  statement s(db_, "SELECT " + std::string(columns) +
                       " FROM invitations WHERE event_id = ?1 ORDER BY created_at DESC, id DESC");
  s.bind(1, event_id);
  std::vector<auth::invitation> out;
  while (s.step()) out.push_back(read_row(db_, s));
  return out;
}

void sqlite_invitation_store::atomically(const std::function<void()>& fn) {
  transaction tx(db_);
  fn();
  tx.commit();
}

}  // namespace samling::store
