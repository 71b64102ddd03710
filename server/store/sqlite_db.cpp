#include "store/sqlite_db.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <sqlite3.h>

#include "store/migrations.hpp"
#include "store/statement.hpp"

namespace samling::store {

namespace {

// How long a statement waits for another connection's lock (another process on the same file,
// or a checkpoint) before failing with SQLITE_BUSY. Writes here are small transactions that
// hold the lock for milliseconds; five seconds absorbs a burst without hiding a stuck writer.
constexpr int busy_timeout_ms = 5000;

void create_parent_directory(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec)
    throw store_error(path + ": cannot create directory " + parent.string() + ": " + ec.message());
}

// The database holds stream keys (stage_destinations, migration 3): it is readable and
// writable by the server's user only. A new file is created so (SQLite gives its -wal and -shm
// the database's mode); an existing one, with its -wal and -shm, loses any group and other
// permissions. Best effort: a file we may not chmod keeps its mode (SQLite reports real
// access problems when it opens it).
void restrict_to_owner(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) return;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string file = path + suffix;
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) ::chmod(file.c_str(), st.st_mode & 07700);
  }
}

// The first line is enough to recognise a statement; a whole migration would drown the log.
std::string first_line(const std::string& sql) {
  const std::size_t begin = std::min(sql.find_first_not_of(" \t\r\n"), sql.size());
  const std::size_t end = std::min({sql.find('\n', begin), sql.size(), begin + 120});
  return sql.substr(begin, end - begin);
}

}  // namespace

sqlite_db::sqlite_db(const std::string& path) : path_(path) {
  create_parent_directory(path_);
  restrict_to_owner(path_);
  const int rc =
      sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    const std::string reason = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw store_error(path_ + ": cannot open database: " + reason);
  }
  // The destructor does not run when a constructor throws: close here on any failure below.
  try {
    sqlite3_extended_result_codes(db_, 1);
    // First, so that the journal-mode switch below also waits for a lock instead of failing.
    sqlite3_busy_timeout(db_, busy_timeout_ms);

    // WAL lets readers proceed while one writer commits, and is what makes synchronous=NORMAL
    // safe: a power loss can lose the last commits but never corrupt the file. SQLite answers
    // with the mode it actually set (e.g. "memory" for ":memory:", "delete" on a file system
    // without shared memory), so check rather than assume.
    {
      statement journal(*this, "PRAGMA journal_mode=WAL");
      const std::string mode = journal.step() ? journal.text(0) : std::string();
      if (mode != "wal")
        throw store_error(path_ + ": cannot use WAL journal mode (SQLite kept \"" + mode +
                          "\"); use a database file on a local file system");
    }
    exec("PRAGMA synchronous=NORMAL");
    // Off by default in SQLite, per connection: without it ON DELETE CASCADE does nothing.
    exec("PRAGMA foreign_keys=ON");
    migrate();
  } catch (...) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

sqlite_db::~sqlite_db() {
  // close_v2: finalizes lazily should a statement still be alive, rather than leak the handle.
  if (db_) sqlite3_close_v2(db_);
}

void sqlite_db::check_not_too_new(int version) const {
  if (version > latest_schema_version())
    throw schema_too_new(path_ + ": database schema version " + std::to_string(version) +
                         " is newer than this samling knows (" +
                         std::to_string(latest_schema_version()) +
                         "); upgrade samling or use another store.path");
}

void sqlite_db::migrate() {
  int version = schema_version();
  check_not_too_new(version);
  for (const migration& m : migrations()) {
    // Already applied: skip without taking the write lock (the case at every ordinary start).
    if (m.version <= version) continue;
    transaction tx(*this);
    // Another process on the same file may have migrated while we waited for the write lock:
    // read the version again under the lock so no migration runs twice.
    version = schema_version();
    check_not_too_new(version);
    if (m.version <= version) {
      tx.commit();
      continue;
    }
    try {
      exec(std::string(m.sql));
      // Inside the transaction: the schema and its version commit or roll back together.
      exec("PRAGMA user_version = " + std::to_string(m.version));
      tx.commit();
    } catch (const store_error& e) {
      throw store_error(path_ + ": migration " + std::to_string(m.version) + " (" +
                        std::string(m.description) + ") failed and was rolled back: " + e.what());
    }
    version = m.version;
  }
}

int sqlite_db::schema_version() {
  statement s(*this, "PRAGMA user_version");
  return s.step() ? s.integer(0) : 0;
}

bool sqlite_db::ping() {
  return db_ && sqlite3_exec(db_, "SELECT 1", nullptr, nullptr, nullptr) == SQLITE_OK;
}

void sqlite_db::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string reason = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw store_error(path_ + ": " + reason + " (in: " + first_line(sql) + ")");
  }
}

void sqlite_db::checkpoint() {
  // TRUNCATE also resets the -wal file to zero bytes, so a stopped server leaves one file
  // behind that can be copied as the backup.
  exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace samling::store
