#include "store/sqlite_moderation_store.hpp"

#include <sqlite3.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace samling::store {

namespace {

constexpr std::string_view mute_columns =
    "event_id, user_id, user_name, until_ms, reason, by_id, by_name, at_ms";
constexpr std::string_view ban_columns =
    "event_id, user_id, user_name, reason, by_id, by_name, at_ms";
constexpr std::string_view log_columns =
    "id, ts_ms, event_id, room, actor_id, actor_name, actor_role, action, target, reason";

moderation::mute_record read_mute(const statement& s) {
  return {.event_id = s.text(0),
          .user_id = s.text(1),
          .user_name = s.text(2),
          .until_ms = s.int64(3),
          .reason = s.text(4),
          .by = {s.text(5), s.text(6)},
          .at_ms = s.int64(7)};
}

moderation::ban_record read_ban(const statement& s) {
  return {.event_id = s.text(0),
          .user_id = s.text(1),
          .user_name = s.text(2),
          .reason = s.text(3),
          .by = {s.text(4), s.text(5)},
          .at_ms = s.int64(6)};
}

moderation::log_record read_log(const statement& s) {
  return {.id = s.int64(0),
          .ts_ms = s.int64(1),
          .event_id = s.text(2),
          .room = s.text(3),
          .actor_id = s.text(4),
          .actor_name = s.text(5),
          .actor_role = s.text(6),
          .action = s.text(7),
          .target = s.text(8),
          .reason = s.text(9)};
}

std::string str(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  return std::string(a) + std::string(b) + std::string(c);
}

}  // namespace

sqlite_moderation_store::sqlite_moderation_store(sqlite_db& db)
    : db_(db),
      put_mute_(db, str("INSERT OR REPLACE INTO mutes (", mute_columns,
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")),
      remove_mute_(db, "DELETE FROM mutes WHERE event_id = ?1 AND user_id = ?2"),
      mute_of_(db, str("SELECT ", mute_columns, " FROM mutes WHERE event_id = ?1 AND user_id = ?2")),
      mutes_(db, str("SELECT ", mute_columns,
                     " FROM mutes WHERE event_id = ?1 AND until_ms > ?2 ORDER BY until_ms, user_id")),
      put_ban_(db, str("INSERT OR REPLACE INTO bans (", ban_columns,
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")),
      remove_ban_(db, "DELETE FROM bans WHERE event_id = ?1 AND user_id = ?2"),
      ban_of_(db, str("SELECT ", ban_columns, " FROM bans WHERE event_id = ?1 AND user_id = ?2")),
      bans_(db, str("SELECT ", ban_columns, " FROM bans WHERE event_id = ?1 ORDER BY at_ms, user_id")),
      settings_(db, "SELECT slow_mode_seconds, locked FROM chat_room_settings WHERE room = ?1"),
      set_slow_mode_(db, "INSERT INTO chat_room_settings (room, slow_mode_seconds) VALUES (?1, ?2) "
                         "ON CONFLICT (room) DO UPDATE SET slow_mode_seconds = excluded.slow_mode_seconds"),
      set_locked_(db, "INSERT INTO chat_room_settings (room, locked) VALUES (?1, ?2) "
                      "ON CONFLICT (room) DO UPDATE SET locked = excluded.locked"),
      words_(db, "SELECT words FROM word_lists WHERE event_id = ?1"),
      set_words_(db, "INSERT OR REPLACE INTO word_lists (event_id, words) VALUES (?1, ?2)"),
      // One seek in chat_messages_by_user (migration 13): the user's latest message in the
      // room (seqs follow time); slow mode asks only while it is on.
      last_post_(db, "SELECT ts_ms FROM chat_messages INDEXED BY chat_messages_by_user "
                     "WHERE room = ?1 AND user_id = ?2 ORDER BY seq DESC LIMIT 1"),
      // The event's rooms are the keys from "EVENT/" up to, not including, "EVENT0" (as in
      // sqlite_chat_store's author_names). Asked only when a moderator names no user name.
      last_name_(db, "SELECT user_name FROM chat_messages "
                     "WHERE room >= ?1 || '/' AND room < ?1 || '0' AND user_id = ?2 "
                     "ORDER BY ts_ms DESC LIMIT 1"),
      last_role_(db, "SELECT user_role FROM chat_messages "
                     "WHERE room >= ?1 || '/' AND room < ?1 || '0' AND user_id = ?2 "
                     "ORDER BY ts_ms DESC LIMIT 1"),
      log_(db, "INSERT INTO moderation_log (event_id, room, ts_ms, actor_id, actor_name, actor_role, "
               "action, target, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
      log_entries_(db, str("SELECT ", log_columns,
                           " FROM moderation_log WHERE event_id = ?1 ORDER BY id")) {}

void sqlite_moderation_store::put_mute(const moderation::mute_record& m) {
  reset_on_exit reset(put_mute_);
  put_mute_.bind(1, m.event_id)
      .bind(2, m.user_id)
      .bind(3, m.user_name)
      .bind(4, m.until_ms)
      .bind(5, m.reason)
      .bind(6, m.by.id)
      .bind(7, m.by.name)
      .bind(8, m.at_ms)
      .run();
}

bool sqlite_moderation_store::remove_mute(const std::string& event_id, const std::string& user_id) {
  reset_on_exit reset(remove_mute_);
  remove_mute_.bind(1, event_id).bind(2, user_id).run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::optional<moderation::mute_record> sqlite_moderation_store::mute_of(const std::string& event_id,
                                                                        const std::string& user_id) {
  reset_on_exit reset(mute_of_);
  mute_of_.bind(1, event_id).bind(2, user_id);
  if (!mute_of_.step()) return std::nullopt;
  return read_mute(mute_of_);
}

std::vector<moderation::mute_record> sqlite_moderation_store::mutes(const std::string& event_id,
                                                                    std::int64_t now_ms) {
  reset_on_exit reset(mutes_);
  mutes_.bind(1, event_id).bind(2, now_ms);
  std::vector<moderation::mute_record> out;
  while (mutes_.step()) out.push_back(read_mute(mutes_));
  return out;
}

void sqlite_moderation_store::put_ban(const moderation::ban_record& b) {
  reset_on_exit reset(put_ban_);
  put_ban_.bind(1, b.event_id)
      .bind(2, b.user_id)
      .bind(3, b.user_name)
      .bind(4, b.reason)
      .bind(5, b.by.id)
      .bind(6, b.by.name)
      .bind(7, b.at_ms)
      .run();
}

bool sqlite_moderation_store::remove_ban(const std::string& event_id, const std::string& user_id) {
  reset_on_exit reset(remove_ban_);
  remove_ban_.bind(1, event_id).bind(2, user_id).run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::optional<moderation::ban_record> sqlite_moderation_store::ban_of(const std::string& event_id,
                                                                      const std::string& user_id) {
  reset_on_exit reset(ban_of_);
  ban_of_.bind(1, event_id).bind(2, user_id);
  if (!ban_of_.step()) return std::nullopt;
  return read_ban(ban_of_);
}

std::vector<moderation::ban_record> sqlite_moderation_store::bans(const std::string& event_id) {
  reset_on_exit reset(bans_);
  bans_.bind(1, event_id);
  std::vector<moderation::ban_record> out;
  while (bans_.step()) out.push_back(read_ban(bans_));
  return out;
}

moderation::chat_settings sqlite_moderation_store::settings(const std::string& room) {
  reset_on_exit reset(settings_);
  settings_.bind(1, room);
  if (!settings_.step()) return {};
  return {.slow_mode_seconds = settings_.int64(0), .locked = settings_.int64(1) != 0};
}

void sqlite_moderation_store::set_slow_mode(const std::string& room, std::int64_t seconds) {
  reset_on_exit reset(set_slow_mode_);
  set_slow_mode_.bind(1, room).bind(2, seconds).run();
}

void sqlite_moderation_store::set_locked(const std::string& room, bool locked) {
  reset_on_exit reset(set_locked_);
  set_locked_.bind(1, room).bind(2, locked ? 1 : 0).run();
}

std::string sqlite_moderation_store::words_stamp(const std::string& event_id) {
  reset_on_exit reset(words_);
  words_.bind(1, event_id);
  return words_.step() ? words_.text(0) : std::string();
}

std::vector<std::string> sqlite_moderation_store::words(const std::string& event_id) {
  const auto text = words_stamp(event_id);
  std::vector<std::string> out;
  if (text.empty()) return out;
  // Written by set_words below: an array of strings. Anything else is a row this code did
  // not write: refused, not guessed.
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_array())
    throw store_error(db_.path() + ": the word list of event " + event_id + " is not a JSON array");
  for (const auto& w : value.as_array()) {
    if (!w.is_string())
      throw store_error(db_.path() + ": the word list of event " + event_id + " holds a non-string");
    out.emplace_back(w.as_string());
  }
  return out;
}

void sqlite_moderation_store::set_words(const std::string& event_id,
                                        const std::vector<std::string>& words) {
  boost::json::array list;
  for (const auto& w : words) list.emplace_back(w);
  reset_on_exit reset(set_words_);
  set_words_.bind(1, event_id).bind(2, boost::json::serialize(list)).run();
}

std::optional<std::int64_t> sqlite_moderation_store::last_post_ms(const std::string& room,
                                                                  const std::string& user_id) {
  reset_on_exit reset(last_post_);
  last_post_.bind(1, room).bind(2, user_id);
  if (!last_post_.step()) return std::nullopt;
  return last_post_.int64(0);
}

std::optional<std::string> sqlite_moderation_store::last_name(const std::string& event_id,
                                                              const std::string& user_id) {
  reset_on_exit reset(last_name_);
  last_name_.bind(1, event_id).bind(2, user_id);
  if (!last_name_.step()) return std::nullopt;
  return last_name_.text(0);
}

std::optional<std::string> sqlite_moderation_store::last_role(const std::string& event_id,
                                                              const std::string& user_id) {
  reset_on_exit reset(last_role_);
  last_role_.bind(1, event_id).bind(2, user_id);
  if (!last_role_.step()) return std::nullopt;
  return last_role_.text(0);
}

void sqlite_moderation_store::log(const moderation::log_record& r) {
  reset_on_exit reset(log_);
  log_.bind(1, r.event_id)
      .bind(2, r.room)
      .bind(3, r.ts_ms)
      .bind(4, r.actor_id)
      .bind(5, r.actor_name)
      .bind(6, r.actor_role)
      .bind(7, r.action)
      .bind(8, r.target)
      .bind(9, r.reason)
      .run();
}

std::vector<moderation::log_record> sqlite_moderation_store::log_entries(const std::string& event_id) {
  reset_on_exit reset(log_entries_);
  log_entries_.bind(1, event_id);
  std::vector<moderation::log_record> out;
  while (log_entries_.step()) out.push_back(read_log(log_entries_));
  return out;
}

}  // namespace samling::store
