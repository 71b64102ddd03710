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

#include "rooms/chat_store.hpp"

namespace samling::rooms {

class member {
 public:
  // Queues a frame to the session (never blocks); a non-empty key marks latest-value frames.
  using deliver_fn = std::function<void(std::shared_ptr<const std::string>, std::string_view)>;

  member(std::string session_id, chat_user user, bool sees_member_lists, deliver_fn deliver)
      : session_id_(std::move(session_id)), user_(std::move(user)),
        sees_member_lists_(sees_member_lists), deliver_(std::move(deliver)) {}

  const std::string& session_id() const { return session_id_; }
  const chat_user& user() const { return user_; }
  bool sees_member_lists() const { return sees_member_lists_; }
  void deliver(std::shared_ptr<const std::string> frame, std::string_view coalesce_key = {}) const {
    deliver_(std::move(frame), coalesce_key);
  }

  bool in_room(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return rooms_.count(key) > 0;
  }
  std::size_t room_count() const {
    std::lock_guard lock(mutex_);
    return rooms_.size();
  }
  std::vector<std::string> rooms() const {
    std::lock_guard lock(mutex_);
    return {rooms_.begin(), rooms_.end()};
  }
  void set_joined(const std::string& key, bool joined) {
    std::lock_guard lock(mutex_);
    if (joined) rooms_.insert(key);
    else rooms_.erase(key);
  }

 private:
  const std::string session_id_;
  const chat_user user_;
  const bool sees_member_lists_;
  const deliver_fn deliver_;
  mutable std::mutex mutex_;
  std::set<std::string> rooms_;
};

}  // namespace samling::rooms
