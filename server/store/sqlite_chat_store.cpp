#include "store/sqlite_chat_store.hpp"

#include <algorithm>
#include <limits>

namespace samling::store {

namespace {

constexpr std::string_view columns =
    "room, seq, ts_ms, user_id, user_name, user_role, text, client_msg_id, held";
constexpr std::string_view entry_columns =
    "room, seq, ts_ms, type, everyone_json, staff_json, owner_id, owner_json, hides_seq, shows_seq";

std::string select_sql(std::string_view rest) {
  return "SELECT " + std::string(columns) + " FROM chat_messages " + std::string(rest);
}

// Reads a row selected with `columns`, in that order. The role is stored as its wire name; a
// name this binary does not know is a row it did not write: refused, not guessed.
rooms::chat_message read_message(const sqlite_db& db, const statement& s) {
  rooms::chat_message m;
  m.room = s.text(0);
  m.seq = static_cast<std::uint64_t>(s.int64(1));  // CHECK (seq >= 1) in the schema
  m.ts_ms = s.int64(2);
  m.user.id = s.text(3);
  m.user.name = s.text(4);
  auto role = auth::role_from_string(s.text(5));
  if (!role)
    throw store_error(db.path() + ": chat message " + std::to_string(m.seq) + " in room " + m.room +
                      " has an unknown user_role \"" + s.text(5) + "\"");
  m.user.role = *role;
  m.text = s.text(6);
  m.client_msg_id = s.text(7);
  m.held = s.int64(8) != 0;
  return m;
}

rooms::log_entry read_entry(const statement& s) {
  rooms::log_entry e;
  e.room = s.text(0);
  e.seq = static_cast<std::uint64_t>(s.int64(1));
  e.ts_ms = s.int64(2);
  e.type = s.text(3);
  e.everyone_json = s.text(4);
  e.staff_json = s.text(5);
  e.owner_id = s.text(6);
  e.owner_json = s.text(7);
  e.hides_seq = static_cast<std::uint64_t>(s.int64(8));
  e.shows_seq = static_cast<std::uint64_t>(s.int64(9));
  return e;
}

void check_seq(const sqlite_db& db, const std::string& room, std::uint64_t seq) {
  if (seq == 0 || seq > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw store_error(db.path() + ": seq " + std::to_string(seq) + " in room " + room +
                      " is not a valid seq");
}

}  // namespace

sqlite_chat_store::sqlite_chat_store(sqlite_db& db)
    : db_(db),
      // DO NOTHING only for (room, seq): append() has already looked for the client id in the
      // same transaction, so a row not inserted means the seq is taken. RETURNING tells the two
      // apart without a second query.
      insert_(db, "INSERT INTO chat_messages (" + std::string(columns) +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                      "ON CONFLICT (room, seq) DO NOTHING RETURNING seq"),
      // Deleted messages included: a retry of a post a moderator deleted is that post, not a new one.
      by_client_id_(db, select_sql("WHERE room = ?1 AND user_id = ?2 AND client_msg_id = ?3")),
      recent_(db, select_sql("WHERE room = ?1 AND deleted_ms IS NULL ORDER BY seq DESC LIMIT ?2")),
      // Not max(seq): ORDER BY ... LIMIT 1 is one seek to the end of the room's key range; one
      // per table (the room's seqs are shared by its messages and its log entries).
      last_seq_(db, "SELECT seq FROM chat_messages WHERE room = ?1 ORDER BY seq DESC LIMIT 1"),
      last_entry_seq_(db, "SELECT seq FROM room_log WHERE room = ?1 ORDER BY seq DESC LIMIT 1"),
      insert_entry_(db, "INSERT INTO room_log (" + std::string(entry_columns) +
                            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                            "ON CONFLICT (room, seq) DO NOTHING RETURNING seq"),
      recent_entries_(db, "SELECT " + std::string(entry_columns) +
                              " FROM room_log WHERE room = ?1 ORDER BY seq DESC LIMIT ?2"),
      message_at_(db, "SELECT 1 FROM chat_messages WHERE room = ?1 AND seq = ?2"),
      entry_at_(db, "SELECT 1 FROM room_log WHERE room = ?1 AND seq = ?2"),
      find_(db, select_sql("WHERE room = ?1 AND seq = ?2 AND deleted_ms IS NULL")),
      mark_deleted_(db, "UPDATE chat_messages SET deleted_ms = ?3, deleted_by = ?4, deleted_reason = ?5 "
                        "WHERE room = ?1 AND seq = ?2 AND deleted_ms IS NULL"),
      set_held_(db, "UPDATE chat_messages SET held = ?3 WHERE room = ?1 AND seq = ?2"),
      held_(db, select_sql("WHERE room = ?1 AND held = 1 AND deleted_ms IS NULL ORDER BY seq")),
      visible_(db, select_sql("WHERE room = ?1 AND held = 0 AND deleted_ms IS NULL ORDER BY seq")),
      // The event's rooms are the keys from "EVENT/" up to, not including, "EVENT0" ('0' follows
      // '/'): one range of the primary key, read once per event by the room registry.
      authors_(db, "SELECT DISTINCT user_name FROM chat_messages "
                   "WHERE room >= ?1 || '/' AND room < ?1 || '0' AND user_role <> 'guest'") {}

std::optional<rooms::chat_message> sqlite_chat_store::append(const rooms::chat_message& m) {
  if (m.seq > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw store_error(db_.path() + ": chat message seq " + std::to_string(m.seq) + " in room " +
                      m.room + " does not fit in SQLite's INTEGER");
  // One write transaction: the check for a retry and the insert see the same state, even with
  // another process writing the same file.
  transaction tx(db_);
  if (auto earlier = find_by_client_id(m.room, m.user.id, m.client_msg_id)) {
    tx.commit();
    return earlier;
  }
  if (taken(entry_at_, m.room, m.seq))
    throw store_error(db_.path() + ": chat room " + m.room + " already has a log entry with seq " +
                      std::to_string(m.seq));
  bool inserted = false;
  {
    reset_on_exit reset(insert_);
    inserted = insert_.bind(1, m.room)
                   .bind(2, static_cast<std::int64_t>(m.seq))
                   .bind(3, m.ts_ms)
                   .bind(4, m.user.id)
                   .bind(5, m.user.name)
                   .bind(6, auth::to_string(m.user.role))
                   .bind(7, m.text)
                   .bind(8, m.client_msg_id)
                   .bind(9, std::int64_t{m.held ? 1 : 0})
                   .step();
  }
  // The transaction rolls back as it goes out of scope.
  if (!inserted)
    throw store_error(db_.path() + ": chat room " + m.room + " already has a message with seq " +
                      std::to_string(m.seq) + " (a different client_msg_id or sender)");
  tx.commit();
  return std::nullopt;
}

std::vector<rooms::chat_message> sqlite_chat_store::recent(const std::string& room,
                                                           std::size_t limit) {
  std::vector<rooms::chat_message> out;
  if (limit == 0) return out;
  // LIMIT takes a signed 64-bit value; anything above is "all" anyway.
  const auto bounded = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  reset_on_exit reset(recent_);
  recent_.bind(1, room).bind(2, bounded);
  // Newest first, so LIMIT keeps the newest; reversed below into the order clients show.
  while (recent_.step()) out.push_back(read_message(db_, recent_));
  std::reverse(out.begin(), out.end());
  return out;
}

std::uint64_t sqlite_chat_store::last_seq(const std::string& room) {
  auto last = [&room](statement& s) -> std::uint64_t {
    reset_on_exit reset(s);
    s.bind(1, room);
    return s.step() ? static_cast<std::uint64_t>(s.int64(0)) : 0;
  };
  return std::max(last(last_seq_), last(last_entry_seq_));
}

bool sqlite_chat_store::taken(statement& s, const std::string& room, std::uint64_t seq) {
  reset_on_exit reset(s);
  s.bind(1, room).bind(2, static_cast<std::int64_t>(seq));
  return s.step();
}

std::vector<rooms::chat_message> sqlite_chat_store::all(statement& s, const std::string& room) {
  reset_on_exit reset(s);
  s.bind(1, room);
  std::vector<rooms::chat_message> out;
  while (s.step()) out.push_back(read_message(db_, s));
  return out;
}

std::optional<rooms::chat_message> sqlite_chat_store::find_by_client_id(
    const std::string& room, const std::string& user_id, const std::string& client_msg_id) {
  reset_on_exit reset(by_client_id_);
  by_client_id_.bind(1, room).bind(2, user_id).bind(3, client_msg_id);
  if (!by_client_id_.step()) return std::nullopt;
  return read_message(db_, by_client_id_);
}

std::vector<std::string> sqlite_chat_store::author_names(const std::string& event_id) {
  reset_on_exit reset(authors_);
  authors_.bind(1, event_id);
  std::vector<std::string> out;
  while (authors_.step()) out.push_back(authors_.text(0));
  return out;
}

void sqlite_chat_store::append_entry(const rooms::log_entry& e) {
  check_seq(db_, e.room, e.seq);
  transaction tx(db_);
  if (taken(message_at_, e.room, e.seq))
    throw store_error(db_.path() + ": chat room " + e.room + " already has a message with seq " +
                      std::to_string(e.seq));
  bool inserted = false;
  {
    reset_on_exit reset(insert_entry_);
    inserted = insert_entry_.bind(1, e.room)
                   .bind(2, static_cast<std::int64_t>(e.seq))
                   .bind(3, e.ts_ms)
                   .bind(4, e.type)
                   .bind(5, e.everyone_json)
                   .bind(6, e.staff_json)
                   .bind(7, e.owner_id)
                   .bind(8, e.owner_json)
                   .bind(9, static_cast<std::int64_t>(e.hides_seq))
                   .bind(10, static_cast<std::int64_t>(e.shows_seq))
                   .step();
  }
  if (!inserted)
    throw store_error(db_.path() + ": chat room " + e.room + " already has a log entry with seq " +
                      std::to_string(e.seq));
  tx.commit();
}

std::vector<rooms::log_entry> sqlite_chat_store::recent_entries(const std::string& room, std::size_t limit) {
  std::vector<rooms::log_entry> out;
  if (limit == 0) return out;
  const auto bounded = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  reset_on_exit reset(recent_entries_);
  recent_entries_.bind(1, room).bind(2, bounded);
  while (recent_entries_.step()) out.push_back(read_entry(recent_entries_));
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<rooms::chat_message> sqlite_chat_store::find(const std::string& room, std::uint64_t seq) {
  if (seq == 0 || seq > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  reset_on_exit reset(find_);
  find_.bind(1, room).bind(2, static_cast<std::int64_t>(seq));
  if (!find_.step()) return std::nullopt;
  return read_message(db_, find_);
}

void sqlite_chat_store::mark_deleted(const std::string& room, std::uint64_t seq, const std::string& by_user_id,
                                     const std::string& reason, std::int64_t now_ms) {
  check_seq(db_, room, seq);
  reset_on_exit reset(mark_deleted_);
  mark_deleted_.bind(1, room)
      .bind(2, static_cast<std::int64_t>(seq))
      .bind(3, now_ms)
      .bind(4, by_user_id)
      .bind(5, reason)
      .step();
}

void sqlite_chat_store::set_held(const std::string& room, std::uint64_t seq, bool held) {
  check_seq(db_, room, seq);
  reset_on_exit reset(set_held_);
  set_held_.bind(1, room).bind(2, static_cast<std::int64_t>(seq)).bind(3, std::int64_t{held ? 1 : 0}).step();
}

std::vector<rooms::chat_message> sqlite_chat_store::held_messages(const std::string& room) { return all(held_, room); }
std::vector<rooms::chat_message> sqlite_chat_store::messages(const std::string& room) { return all(visible_, room); }

bool sqlite_chat_store::atomically(const std::function<bool()>& work) {
  transaction tx(db_);
  if (!work()) return false;
  tx.commit();
  return true;
}

// The batch is a store::transaction: append()'s own transaction nests in it as a savepoint.
void sqlite_chat_store::begin_batch() { batch_.emplace(db_); }
void sqlite_chat_store::commit_batch() {
  batch_->commit();
  batch_.reset();
}
void sqlite_chat_store::rollback_batch() { batch_.reset(); }  // rolls back unless committed

}  // namespace samling::store
