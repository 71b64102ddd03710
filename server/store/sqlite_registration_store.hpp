#pragma once
// SQLite implementation of registration::registration_store over the registration_settings
// and registrations tables (migration 9). Every change is one write transaction (BEGIN
// IMMEDIATE) on the store's one thread, so the seat count and the insert cannot interleave
// with another registration: racing for the last seat, one is registered, the other
// waitlisted. The notify callback runs inside that transaction (the outbox's insert joins it).
// Not thread-safe; the sqlite_db must outlive it. Throws store_error.
#include "registration/registration.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_registration_store final : public registration::registration_store {
 public:
  explicit sqlite_registration_store(sqlite_db& db) : db_(db) {}
  std::optional<registration::settings> find_settings(std::string_view event_id) override;
  std::vector<registration::registration> save_settings(const registration::settings& s,
                                                        const registration::notify_fn& notify) override;
  registration::register_result register_attendee(const registration::registration& r,
                                                  std::string_view manage_hash,
                                                  const registration::notify_fn& notify) override;
  std::optional<registration::registration> find_by_manage(std::string_view manage_hash) override;
  std::optional<registration::cancel_result> cancel(std::string_view manage_hash, std::int64_t now,
                                                    const registration::notify_fn& notify) override;
  std::optional<registration::cancel_result> erase(std::string_view manage_hash, std::int64_t now,
                                                   const registration::notify_fn& notify) override;
  std::vector<registration::registration> list(std::string_view event_id) override;
  registration::counts count(std::string_view event_id) override;

 private:
  std::optional<registration::cancel_result> cancel_in_tx(std::string_view manage_hash, std::int64_t now,
                                                          const registration::notify_fn& notify);
  // Fills free seats of `m` with the waitlisted, first come first served; returns them.
  std::vector<registration::registration> promote(const registration::settings& s, registration::mode m,
                                                  std::int64_t now, const registration::notify_fn& notify);
  std::int64_t registered_count(std::string_view event_id, registration::mode m);
  sqlite_db& db_;
};

}  // namespace samling::store
