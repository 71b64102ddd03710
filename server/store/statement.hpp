#pragma once
// Small RAII wrappers over the SQLite C API for the store's own use: a prepared statement and a
// transaction. Header-only so the store target needs no extra source. Errors throw store_error
// naming the database file, the SQL and SQLite's message.
#include <cstdint>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "store/sqlite_db.hpp"

namespace samling::store {

// One prepared statement; finalized on destruction. Bind indexes are 1-based and column
// indexes 0-based, as in SQLite.
class statement {
 public:
  statement(sqlite_db& db, std::string_view sql) : db_(db), sql_(sql.substr(0, 120)) {
    const int rc = sqlite3_prepare_v2(db_.handle(), sql.data(), static_cast<int>(sql.size()),
                                      &stmt_, nullptr);
    if (rc != SQLITE_OK) fail("prepare");
  }
  ~statement() { sqlite3_finalize(stmt_); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int index, std::string_view text) {
    // SQLITE_TRANSIENT: SQLite copies the text, so callers may pass temporaries.
    check(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                            SQLITE_TRANSIENT),
          "bind");
    return *this;
  }
  statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  statement& bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
  }
  statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }

  // Advances to the next row: true while there is one, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  // Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }
  // Ready to run again with new bindings.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  int integer(int column) const { return sqlite3_column_int(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  void check(int rc, const char* what) {
    if (rc != SQLITE_OK) fail(what);
  }
  [[noreturn]] void fail(const char* what) {
    throw store_error(db_.path() + ": " + what + " failed: " + sqlite3_errmsg(db_.handle()) +
                      " (in: " + sql_ + ")");
  }

  sqlite_db& db_;
  std::string sql_;  // the start of the SQL, to name the statement in messages
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a cached statement when the scope ends, also when a step throws: one left mid-result
// keeps its read snapshot open, which holds back WAL checkpoints and hides later writes.
class reset_on_exit {
 public:
  explicit reset_on_exit(statement& s) : s_(s) {}
  ~reset_on_exit() { s_.reset(); }
  reset_on_exit(const reset_on_exit&) = delete;
  reset_on_exit& operator=(const reset_on_exit&) = delete;

 private:
  statement& s_;
};

// A write transaction begins IMMEDIATE, taking the write lock up front: a deferred one that
// reads first and writes later can fail with SQLITE_BUSY half-way despite the busy timeout.
// A read transaction gives several SELECTs one consistent snapshot (WAL readers never block).
// Rolls back on destruction unless committed, so an exception leaves the database as it was.
// Inside a transaction that is already open (a group commit, chat_store::begin_batch) it is a
// savepoint instead: commit() releases it into the outer transaction, and without commit() only
// its own changes are rolled back.
class transaction {
 public:
  enum class kind { read, write };
  explicit transaction(sqlite_db& db, kind k = kind::write)
      : db_(db), nested_(sqlite3_get_autocommit(db.handle()) == 0) {
    db_.exec(nested_ ? "SAVEPOINT nested" : k == kind::write ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  ~transaction() {
    if (done_) return;
    if (nested_) {
      sqlite3_exec(db_.handle(), "ROLLBACK TO nested", nullptr, nullptr, nullptr);
      sqlite3_exec(db_.handle(), "RELEASE nested", nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

  void commit() {
    db_.exec(nested_ ? "RELEASE nested" : "COMMIT");
    done_ = true;
  }

 private:
  sqlite_db& db_;
  const bool nested_;
  bool done_ = false;
};

}  // namespace samling::store
