#pragma once
// SQLite implementation of rooms::chat_store over the chat_messages table (migration 2, held and
// deleted from migration 11) and the room_log table (migration 11).
// Keeps its prepared statements for the life of the object. Not thread-safe: owned by the
// store's one blocking thread (core::blocking_pool), which serialises all database work; the
// sqlite_db must outlive it.
#include <optional>
#include <string>
#include <vector>

#include "rooms/chat_store.hpp"
#include "rooms/room_log.hpp"
#include "store/sqlite_db.hpp"
#include "store/statement.hpp"

namespace samling::store {

class sqlite_chat_store final : public rooms::chat_store {
 public:
  // Prepares every statement now, so a schema this code does not match fails at start-up.
  explicit sqlite_chat_store(sqlite_db& db);

  // Returns nullopt when `m` was stored; the earlier message when (room, user.id,
  // client_msg_id) was already stored (then nothing is written). Throws store_error when
  // (room, seq) already holds a different message: the room handed out a seq twice.
  std::optional<rooms::chat_message> append(const rooms::chat_message& m) override;
  std::vector<rooms::chat_message> recent(const std::string& room, std::size_t limit) override;
  std::uint64_t last_seq(const std::string& room) override;
  std::optional<rooms::chat_message> find_by_client_id(const std::string& room,
                                                       const std::string& user_id,
                                                       const std::string& client_msg_id) override;
  std::vector<std::string> author_names(const std::string& event_id) override;
  void append_entry(const rooms::log_entry& e) override;
  std::vector<rooms::log_entry> recent_entries(const std::string& room, std::size_t limit) override;
  std::optional<rooms::chat_message> find(const std::string& room, std::uint64_t seq) override;
  void mark_deleted(const std::string& room, std::uint64_t seq, const std::string& by_user_id,
                    const std::string& reason, std::int64_t now_ms) override;
  void set_held(const std::string& room, std::uint64_t seq, bool held) override;
  std::vector<rooms::chat_message> held_messages(const std::string& room) override;
  std::vector<rooms::chat_message> messages(const std::string& room) override;
  bool atomically(const std::function<bool()>& work) override;
  void begin_batch() override;
  void commit_batch() override;
  void rollback_batch() override;

 private:
  bool taken(statement& s, const std::string& room, std::uint64_t seq);
  std::vector<rooms::chat_message> all(statement& s, const std::string& room);

  sqlite_db& db_;
  statement insert_;
  statement by_client_id_;
  statement recent_;
  statement last_seq_;
  statement last_entry_seq_;
  statement insert_entry_;
  statement recent_entries_;
  statement message_at_;
  statement entry_at_;
  statement find_;
  statement mark_deleted_;
  statement set_held_;
  statement held_;
  statement visible_;
  statement authors_;
  std::optional<transaction> batch_;  // between begin_batch() and commit/rollback_batch()
};

}  // namespace samling::store
