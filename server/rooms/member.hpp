#pragma once
// A session as the rooms see it: who it is, how to hand it a frame, and which rooms it is in.
// Created by the protocol handler when hello succeeds; shared with every room it joins.
// Thread-safe: rooms on their own strands call deliver() and update the joined set.
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "rooms/chat_store.hpp"

namespace samling::rooms {

class member {
 public:
  // An event (message, presence: may be batched with others) or the one reply to a request
  // (ack, error: goes out at once, and still goes while the connection closes).
  enum class kind { event, reply };
  // Queues a frame to the session (never blocks); a non-empty key marks latest-value events.
  using deliver_fn = std::function<void(std::shared_ptr<const std::string>, std::string_view, kind)>;

  // Closes the session's connection with a close code (a ban, a revoked kiosk link); any
  // thread, never blocks.
  using close_fn = std::function<void(core::ws_close)>;

  // `read_only`: a projector (kiosk link) that only shows; `only_room`: the one room it may
  // join ("EVENT_ID/ROOM_ID"; empty: any).
  member(std::string session_id, chat_user user, bool sees_member_lists, deliver_fn deliver,
         close_fn close = {}, bool read_only = false, std::string only_room = {})
      : session_id_(std::move(session_id)), user_(std::move(user)),
        sees_member_lists_(sees_member_lists), deliver_(std::move(deliver)),
        close_(std::move(close)), read_only_(read_only), only_room_(std::move(only_room)) {}

  const std::string& session_id() const { return session_id_; }
  const chat_user& user() const { return user_; }
  // Staff (moderators, organizers): also the view of the room's log a member gets.
  bool sees_member_lists() const { return sees_member_lists_; }
  bool read_only() const { return read_only_; }
  const std::string& only_room() const { return only_room_; }
  // Asks the connection to close with `code` (no-op without a close function). Not close():
  // that one is the session telling the rooms it is gone.
  void close(core::ws_close code) const {
    if (close_) close_(code);
  }
  void deliver(std::shared_ptr<const std::string> frame, std::string_view coalesce_key = {}) const {
    deliver_(std::move(frame), coalesce_key, kind::event);
  }
  // The reply to a request this session made (every request gets exactly one).
  void reply(std::shared_ptr<const std::string> frame) const { deliver_(std::move(frame), {}, kind::reply); }

  bool in_room(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return rooms_.count(key) > 0;
  }
  std::size_t room_count() const {
    std::lock_guard lock(mutex_);
    return rooms_.size();
  }

  // The protocol handler reserves a room before it asks the room to join, so pipelined joins
  // cannot pass `max` (joined + reserved). False when over the limit or closed.
  bool reserve(const std::string& key, std::size_t max) {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    if (rooms_.count(key) || pending_.count(key)) return true;
    if (rooms_.size() + pending_.size() >= max) return false;
    pending_.insert(key);
    return true;
  }
  // The room admits the member: reserved -> joined. False when the session has closed
  // meanwhile; the room must then not keep it (close() has already listed its rooms).
  bool admit(const std::string& key) {
    std::lock_guard lock(mutex_);
    pending_.erase(key);
    if (closed_) return false;
    rooms_.insert(key);
    return true;
  }
  // A reservation that did not become a join (too_far_behind).
  void release(const std::string& key) {
    std::lock_guard lock(mutex_);
    pending_.erase(key);
  }
  void left(const std::string& key) {
    std::lock_guard lock(mutex_);
    rooms_.erase(key);
  }
  // The session is gone: no room admits it any more. Returns the rooms it is in, to leave.
  std::vector<std::string> close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    return {rooms_.begin(), rooms_.end()};
  }

 private:
  const std::string session_id_;
  const chat_user user_;
  const bool sees_member_lists_;
  const deliver_fn deliver_;
  const close_fn close_;
  const bool read_only_;
  const std::string only_room_;
  mutable std::mutex mutex_;
  std::set<std::string> rooms_;    // joined
  std::set<std::string> pending_;  // reserved, join not yet run by the room
  bool closed_ = false;
};

}  // namespace samling::rooms
