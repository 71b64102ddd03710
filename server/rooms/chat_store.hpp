#pragma once
// What the rooms domain needs from storage for chat: append a message with the sequence number
// the room assigned, read recent history, and recognise a retried post by its client id.
// Implementations block (disk I/O): callers run them on the store's thread
// (core::blocking_pool). Failures throw (store::store_error for SQLite).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/role.hpp"

namespace samling::rooms {

struct log_entry;  // rooms/room_log.hpp

struct chat_user {
  std::string id;    // token subject, or "g-…" for a guest
  std::string name;  // display name
  auth::role role = auth::role::guest;  // stored as its wire name (auth::to_string)
  bool operator==(const chat_user&) const = default;
};

struct chat_message {
  std::string room;           // "EVENT_ID/ROOM_ID"
  std::uint64_t seq = 0;      // per room, from 1, increasing
  std::int64_t ts_ms = 0;     // server time, ms since the Unix epoch
  chat_user user;
  std::string text;
  std::string client_msg_id;  // unique per (room, user.id)
  // Held by the word list: shown to staff and its author only, until a moderator releases it
  // (chat_store::set_held) or deletes it.
  bool held = false;
  bool operator==(const chat_message&) const = default;
};

class chat_store {
 public:
  virtual ~chat_store() = default;
  // Stores `m` durably (committed before returning). When (room, user.id, client_msg_id)
  // is already stored, stores nothing and returns the stored message instead.
  virtual std::optional<chat_message> append(const chat_message& m) = 0;
  // The last `limit` messages of `room` that are not deleted (held ones included, marked),
  // oldest first.
  virtual std::vector<chat_message> recent(const std::string& room, std::size_t limit) = 0;
  // The highest seq stored for `room` (messages and log entries), 0 when none.
  virtual std::uint64_t last_seq(const std::string& room) = 0;
  // The message a sender posted with this client id, if any.
  virtual std::optional<chat_message> find_by_client_id(const std::string& room,
                                                        const std::string& user_id,
                                                        const std::string& client_msg_id) = 0;
  // The display names of everyone who has posted in a room of `event_id` with a token that is
  // not a guest's (each name once, in no particular order).
  virtual std::vector<std::string> author_names(const std::string& event_id) = 0;

  // --- the room's log (rooms/room_log.hpp) and moderation of its messages --------------------
  // Stores a log entry (in the caller's transaction: the writer's batch). Throws when (room,
  // seq) is taken, by a message or another entry.
  virtual void append_entry(const log_entry& e) = 0;
  // The last `limit` log entries of `room`, oldest first (a room's history when it comes to life).
  virtual std::vector<log_entry> recent_entries(const std::string& room, std::size_t limit) = 0;
  // The message with this seq; nullopt when there is none or it was deleted.
  virtual std::optional<chat_message> find(const std::string& room, std::uint64_t seq) = 0;
  // Deletes a message for everyone: kept in the table (for the moderation log) but never read
  // again by recent(), find(), messages() or held_messages().
  virtual void mark_deleted(const std::string& room, std::uint64_t seq, const std::string& by_user_id,
                            const std::string& reason, std::int64_t now_ms) = 0;
  virtual void set_held(const std::string& room, std::uint64_t seq, bool held) = 0;
  // The room's held (not deleted) messages, seq order.
  virtual std::vector<chat_message> held_messages(const std::string& room) = 0;
  // Every message of the room that is neither deleted nor held, seq order (export).
  virtual std::vector<chat_message> messages(const std::string& room) = 0;

  // Runs `work` in a savepoint of its own (inside the batch): its writes are kept when it
  // returns true, rolled back when it returns false or throws (rethrown). The chat writer runs
  // each room operation this way.
  virtual bool atomically(const std::function<bool()>& work) = 0;

  // Group commit (chat_writer): between begin_batch() and commit_batch() every append() joins
  // one transaction, each in a savepoint of its own (one that throws leaves the others), and
  // commit_batch() makes them all durable at once. rollback_batch() gives them all up.
  virtual void begin_batch() = 0;
  virtual void commit_batch() = 0;
  virtual void rollback_batch() = 0;
};

}  // namespace samling::rooms
