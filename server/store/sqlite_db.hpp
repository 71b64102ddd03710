#pragma once
// One SQLite database file in WAL mode, with its schema migrated to the version this binary
// knows. Owned by the app; used only from the store's blocking thread.
#include <stdexcept>
#include <string>

struct sqlite3;

namespace samling::store {

// Any storage failure: open, migrate, query. The message names the file and SQLite's error.
class store_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database was written by a newer Samling (schema version above what this binary knows).
class schema_too_new : public store_error {
 public:
  using store_error::store_error;
};

class sqlite_db {
 public:
  // Opens (creating the file and its parent directory when missing), sets WAL, foreign keys and
  // a busy timeout, and applies pending migrations in one transaction each. Throws store_error
  // or schema_too_new.
  explicit sqlite_db(const std::string& path);
  ~sqlite_db();
  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;

  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }
  int schema_version();  // PRAGMA user_version
  bool ping();           // SELECT 1 succeeds
  // Runs SQL with no result rows (DDL, PRAGMA, BEGIN/COMMIT). Throws store_error.
  void exec(const std::string& sql);
  // Checkpoints the WAL into the main file (at shutdown).
  void checkpoint();

 private:
  void migrate();
  void check_not_too_new(int version) const;  // throws schema_too_new

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace samling::store
