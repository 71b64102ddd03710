#pragma once
// SQLite implementation of the e-mail outbox (mail::outbox for the callers that enqueue and
// read, mail::outbox_queue for the sender) over the outbox table (migration 6). Not
// thread-safe: used on the store's one thread; the sqlite_db must outlive it. Throws
// store_error.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/outbox.hpp"
#include "mail/outbox_queue.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_outbox_store final : public mail::outbox, public mail::outbox_queue {
 public:
  // `clock`: seconds since the Unix epoch (tests pass their own). `on_enqueue` runs after each
  // enqueue, on the store's thread (the worker's wake-up; it must not block).
  explicit sqlite_outbox_store(sqlite_db& db, std::function<std::int64_t()> clock = {});

  void on_enqueue(std::function<void()> f) { on_enqueue_ = std::move(f); }

  // mail::outbox. enqueue is one INSERT and opens no transaction: inside a caller's transaction
  // (BEGIN on the same sqlite_db) it commits or rolls back with it.
  std::string enqueue(const mail::message& m) override;
  std::vector<mail::outbox_entry> list(std::string_view event_id, std::size_t limit) override;

  // mail::outbox_queue
  std::optional<mail::outbox_entry> claim_due(std::int64_t now) override;
  std::optional<std::int64_t> next_due() override;
  void mark_sent(std::string_view id, std::int64_t now) override;
  void mark_failed(std::string_view id, const std::string& error, std::optional<std::int64_t> retry_at) override;
  void release(std::string_view id, const std::string& why, std::int64_t now) override;
  int recover_interrupted(std::int64_t now) override;

  // One message by id (tests, and the console's detail view).
  std::optional<mail::outbox_entry> find(std::string_view id);

 private:
  std::int64_t now() const;
  sqlite_db& db_;
  std::function<std::int64_t()> clock_;
  std::function<void()> on_enqueue_;
};

}  // namespace samling::store
