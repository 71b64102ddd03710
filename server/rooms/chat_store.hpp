#pragma once
// What the rooms domain needs from storage for chat: append a message with the sequence number
// the room assigned, read recent history, and recognise a retried post by its client id.
// Implementations block (disk I/O): callers run them on the store's thread
// (core::blocking_pool). Failures throw (store::store_error for SQLite).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/role.hpp"

namespace samling::rooms {

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
  bool operator==(const chat_message&) const = default;
};

class chat_store {
 public:
  virtual ~chat_store() = default;
  // Stores `m` durably (committed before returning). When (room, user.id, client_msg_id)
  // is already stored, stores nothing and returns the stored message instead.
  virtual std::optional<chat_message> append(const chat_message& m) = 0;
  // The last `limit` messages of `room`, oldest first.
  virtual std::vector<chat_message> recent(const std::string& room, std::size_t limit) = 0;
  // The highest seq stored for `room`, 0 when none.
  virtual std::uint64_t last_seq(const std::string& room) = 0;
  // The message a sender posted with this client id, if any.
  virtual std::optional<chat_message> find_by_client_id(const std::string& room,
                                                        const std::string& user_id,
                                                        const std::string& client_msg_id) = 0;
  // The display names of everyone who has posted in a room of `event_id` with a token that is
  // not a guest's (each name once, in no particular order).
  virtual std::vector<std::string> author_names(const std::string& event_id) = 0;
  // Group commit (chat_writer): between begin_batch() and commit_batch() every append() joins
  // one transaction, each in a savepoint of its own (one that throws leaves the others), and
  // commit_batch() makes them all durable at once. rollback_batch() gives them all up.
  virtual void begin_batch() = 0;
  virtual void commit_batch() = 0;
  virtual void rollback_batch() = 0;
};

}  // namespace samling::rooms
