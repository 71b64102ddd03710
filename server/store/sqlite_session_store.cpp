#include "store/sqlite_session_store.hpp"

#include <sqlite3.h>

#include "store/statement.hpp"

namespace samling::store {

void sqlite_session_store::create(const auth::staff_session& s) {
  statement st(db_,
               "INSERT INTO staff_sessions (id_hash, account_id, csrf, created_at, last_seen, expires_at,"
               " user_agent, remote) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.bind(1, s.id_hash)
      .bind(2, s.account_id)
      .bind(3, s.csrf)
      .bind(4, s.created_at)
      .bind(5, s.last_seen)
      .bind(6, s.expires_at)
      .bind(7, s.user_agent)
      .bind(8, s.remote);
  st.run();
}

std::optional<auth::staff_session> sqlite_session_store::find(std::string_view id_hash) {
  statement st(db_,
               "SELECT id_hash, account_id, csrf, created_at, last_seen, expires_at, user_agent, remote"
               " FROM staff_sessions WHERE id_hash = ?1");
  st.bind(1, id_hash);
  if (!st.step()) return std::nullopt;
  return auth::staff_session{.id_hash = st.text(0),
                             .account_id = st.text(1),
                             .csrf = st.text(2),
                             .created_at = st.int64(3),
                             .last_seen = st.int64(4),
                             .expires_at = st.int64(5),
                             .user_agent = st.text(6),
                             .remote = st.text(7)};
}

void sqlite_session_store::touch(std::string_view id_hash, std::int64_t last_seen) {
  statement st(db_, "UPDATE staff_sessions SET last_seen = ?2 WHERE id_hash = ?1 AND last_seen < ?2");
  st.bind(1, id_hash).bind(2, last_seen);
  st.run();
}

bool sqlite_session_store::remove(std::string_view id_hash) {
  statement st(db_, "DELETE FROM staff_sessions WHERE id_hash = ?1");
  st.bind(1, id_hash);
  st.run();
  return sqlite3_changes(db_.handle()) > 0;
}

int sqlite_session_store::remove_all_of(std::string_view account_id) {
  statement st(db_, "DELETE FROM staff_sessions WHERE account_id = ?1");
  st.bind(1, account_id);
  st.run();
  return sqlite3_changes(db_.handle());
}

void sqlite_session_store::purge(std::int64_t now, std::int64_t idle_seconds, std::int64_t failures_before) {
  transaction tx(db_);
  statement sessions(db_, "DELETE FROM staff_sessions WHERE expires_at <= ?1 OR last_seen <= ?2");
  sessions.bind(1, now).bind(2, now - idle_seconds);
  sessions.run();
  statement failures(db_, "DELETE FROM sign_in_failures WHERE at < ?1");
  failures.bind(1, failures_before);
  failures.run();
  tx.commit();
}

void sqlite_session_store::record_failure(std::string_view subject, std::int64_t at) {
  statement st(db_, "INSERT INTO sign_in_failures (subject, at) VALUES (?1, ?2)");
  st.bind(1, subject).bind(2, at);
  st.run();
}

std::vector<std::int64_t> sqlite_session_store::failures_since(std::string_view subject, std::int64_t since) {
  statement st(db_, "SELECT at FROM sign_in_failures WHERE subject = ?1 AND at >= ?2 ORDER BY at");
  st.bind(1, subject).bind(2, since);
  std::vector<std::int64_t> out;
  while (st.step()) out.push_back(st.int64(0));
  return out;
}

void sqlite_session_store::clear_failures(std::string_view subject) {
  statement st(db_, "DELETE FROM sign_in_failures WHERE subject = ?1");
  st.bind(1, subject);
  st.run();
}

}  // namespace samling::store
