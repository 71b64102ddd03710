#pragma once
// SQLite implementation of moderation::moderation_store over the tables of migration 13
// (mutes, bans, chat_room_settings, word_lists, moderation_log) and reads of chat_messages.
// Keeps its prepared statements for the life of the object. Not thread-safe: owned by the
// store's one blocking thread, like sqlite_chat_store; the sqlite_db must outlive it. Writes
// use store::transaction, so inside a room op's savepoint they nest.
#include <optional>
#include <string>
#include <vector>

#include "moderation/moderation_store.hpp"
#include "store/sqlite_db.hpp"
#include "store/statement.hpp"

namespace samling::store {

class sqlite_moderation_store final : public moderation::moderation_store {
 public:
  // Prepares every statement now, so a schema this code does not match fails at start-up.
  explicit sqlite_moderation_store(sqlite_db& db);

  void put_mute(const moderation::mute_record& m) override;
  bool remove_mute(const std::string& event_id, const std::string& user_id) override;
  std::optional<moderation::mute_record> mute_of(const std::string& event_id,
                                                 const std::string& user_id) override;
  std::vector<moderation::mute_record> mutes(const std::string& event_id,
                                             std::int64_t now_ms) override;

  void put_ban(const moderation::ban_record& b) override;
  bool remove_ban(const std::string& event_id, const std::string& user_id) override;
  std::optional<moderation::ban_record> ban_of(const std::string& event_id,
                                               const std::string& user_id) override;
  std::vector<moderation::ban_record> bans(const std::string& event_id) override;

  moderation::chat_settings settings(const std::string& room) override;
  void set_slow_mode(const std::string& room, std::int64_t seconds) override;
  void set_locked(const std::string& room, bool locked) override;

  std::vector<std::string> words(const std::string& event_id) override;
  void set_words(const std::string& event_id, const std::vector<std::string>& words) override;
  std::string words_stamp(const std::string& event_id) override;

  std::optional<std::int64_t> last_post_ms(const std::string& room,
                                           const std::string& user_id) override;
  std::optional<std::string> last_role(const std::string& event_id,
                                       const std::string& user_id) override;
  std::optional<std::string> last_name(const std::string& event_id,
                                       const std::string& user_id) override;

  void log(const moderation::log_record& r) override;
  std::vector<moderation::log_record> log_entries(const std::string& event_id) override;

 private:
  sqlite_db& db_;
  statement put_mute_;
  statement remove_mute_;
  statement mute_of_;
  statement mutes_;
  statement put_ban_;
  statement remove_ban_;
  statement ban_of_;
  statement bans_;
  statement settings_;
  statement set_slow_mode_;
  statement set_locked_;
  statement words_;
  statement set_words_;
  statement last_post_;
  statement last_name_;
  statement last_role_;
  statement log_;
  statement log_entries_;
};

}  // namespace samling::store
