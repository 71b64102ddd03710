#pragma once
// One chat room (main stage, a seminar, the press room of an event): its members, its sequence,
// the recent messages kept for joins and resumes, presence. An actor: every operation is posted
// to the room's own strand, so its state needs no lock; replies and broadcasts go out through
// each member's bounded send queue (member::deliver), never while blocking. Owned by the
// room_registry (shared_ptr; coroutines in flight hold it too).
#include <atomic>
#include <chrono>
#include <functional>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/blocking.hpp"
#include "metrics/registry.hpp"
#include "program/model.hpp"
#include "protocol/frames.hpp"
#include "rooms/chat_store.hpp"
#include "rooms/chat_writer.hpp"
#include "rooms/member.hpp"
#include "rooms/rate_limiter.hpp"
#include "rooms/room_log.hpp"

namespace samling::rooms {

struct room_info {
  std::string key;       // "EVENT_ID/ROOM_ID"
  std::string event_id;
  std::string room_id;
  program::room_kind kind = program::room_kind::seminar;
  bool guests = false;
};

struct room_settings {
  std::size_t history = 50;          // messages in a join ack without `since`
  std::size_t resume_window = 1000;  // messages kept for `since`
  // Presence goes out at most this often per room: a join storm becomes a few updates.
  std::chrono::milliseconds presence_interval{250};
  // Vote counts and poll results go out at most this often per room (the `votes` and
  // `poll_results` entries): a vote storm becomes a few updates a second.
  std::chrono::milliseconds tally_interval{250};
};

// What rooms use but do not own; all outlive every room.
struct room_services {
  core::blocking_pool* db = nullptr;
  chat_store* store = nullptr;  // only on `db`
  chat_writer* writer = nullptr;  // posts: group commit on `db`
  rate_limiter* limiter = nullptr;
  metrics::counter* messages_posted = nullptr;
  // Called on the room's strand for each message stored and fanned out (not for a retry
  // found in the store): the registry keeps the names of the event's signed-in authors.
  std::function<void(const chat_message&)> stored;

  // Issue 17: what the room's log needs from Q&A and moderation (rooms/room_log.hpp). Every one
  // may be empty (unit tests): then no snapshot ("qa":{}), no gate, no tally, nobody closed, no
  // moderation log.
  // The `qa` object of a join ack, on the store's thread, in order with the room's operations.
  snapshot_fn snapshot;
  // Checked on the store's thread before each post is stored (mute, ban, lock, slow mode, words).
  post_gate_fn gate;
  // The op that publishes the counts of these questions and polls (a `votes` and/or a
  // `poll_results` entry); the room calls it coalesced, at most once per tally_interval.
  std::function<op_fn(std::vector<std::string> questions, std::vector<std::string> polls)> tally;
  // Closes every connection of these users in the event (a ban: core::ws_close::banned). The
  // room_registry fills it in with its own close_user when empty.
  std::function<void(const std::string& event, const std::vector<std::string>& users)> close_users;
  // Writes one moderation log record for the op running in `env` (op_env::audit calls it).
  std::function<void(const op_env&, std::string_view action, std::string_view target,
                     std::string_view reason)>
      audit;
};

class room : public std::enable_shared_from_this<room> {
 public:
  // `recent` are the room's last stored messages (oldest first, at most resume_window; deleted
  // ones left out), `entries` its last log entries (likewise); `last_seq` the highest stored seq.
  room(boost::asio::any_io_executor ex, room_info info, room_settings settings,
       room_services services, std::vector<chat_message> recent, std::uint64_t last_seq,
       std::vector<log_entry> entries = {});

  const room_info& info() const { return info_; }
  // Distinct users (not sessions) joined now; any thread (kept up to date by the strand).
  std::size_t users() const { return users_.load(std::memory_order_relaxed); }

  // Each replies to `m` with an ack or an error frame carrying `id_json`.
  void join(std::shared_ptr<member> m, std::string id_json, std::optional<std::uint64_t> since);
  void leave(std::shared_ptr<member> m, std::string id_json);
  void post(std::shared_ptr<member> m, std::string id_json, std::string text,
            std::string client_msg_id);
  void list_members(std::shared_ptr<member> m, std::string id_json);
  // Runs a Q&A, poll or moderation operation for `m` (rooms/room_log.hpp): `not_in_room` when
  // `m` has not joined; else on the store's thread through the writer, ordered with posts; then
  // the ack with the op's result (or its error, with retry_after_ms), its entries fanned out
  // per view and kept for resumes, its vote/poll changes fed to the coalesced tally, and its
  // close_users closed. `rate_limited`: the op takes a token from the user's post bucket first
  // (a question is a post: `rate_limited` with retry_after_ms when there is none; staff pass).
  void apply(std::shared_ptr<member> m, std::string id_json, op_fn op, bool rate_limited = false);
  // The session is gone: drop it without a reply.
  void remove(std::shared_ptr<member> m);

 private:
  // One item of the room's history: a chat message or a log entry, each in the frames its
  // views get (the same buffer when views agree). A null frame: that view does not see it.
  struct kept {
    std::uint64_t seq = 0;
    bool is_message = false;
    chat_message message;        // is_message
    protocol::frame_ptr everyone;
    protocol::frame_ptr staff;
    protocol::frame_ptr owner;   // for the user `owner_id` (a held message's author)
    std::string owner_id;
    const protocol::frame_ptr& view(const member& m) const;
  };
  struct pending_post {
    std::vector<std::pair<std::shared_ptr<member>, std::string>> waiters;  // retries in flight
  };

  static boost::asio::awaitable<void> do_post(std::shared_ptr<room> self, std::shared_ptr<member> m,
                                              std::string id_json, std::string text,
                                              std::string client_msg_id);
  static boost::asio::awaitable<void> do_join(std::shared_ptr<room> self, std::shared_ptr<member> m,
                                              std::string id_json, std::optional<std::uint64_t> since);
  static boost::asio::awaitable<void> do_apply(std::shared_ptr<room> self, std::shared_ptr<member> m,
                                               std::string id_json, op_fn op, bool rate_limited);
  // `questions` and `polls` are the op's ids: tallied again later when the op fails.
  static boost::asio::awaitable<void> do_tally(std::shared_ptr<room> self, op_fn op,
                                               std::vector<std::string> questions,
                                               std::vector<std::string> polls);
  void spawn(boost::asio::awaitable<void> task, const char* what);
  void finish_join(const std::shared_ptr<member>& m, const std::string& id_json,
                   std::optional<std::uint64_t> since, std::string_view qa_json);
  void do_leave(const std::shared_ptr<member>& m, const std::string* id_json);
  op_env env_for(const chat_user& actor, bool staff) const;
  static kept message_item(chat_message m);
  static kept entry_item(const log_entry& e);
  void keep(kept k);
  void fan_out(const kept& k);
  // Keeps, applies (hides_seq, shows_seq) and fans out an op's entries, in seq order.
  void publish(std::vector<log_entry>& entries);
  void tally_changed(const std::vector<std::string>& questions, const std::vector<std::string>& polls);
  void start_tally();
  void presence_changed();
  void send_presence();
  // Every member as the protocol shows it; views into the members, valid until they change.
  std::vector<protocol::user_ref> member_list() const;
  static std::string dedupe_key(const std::string& user_id, const std::string& client_msg_id);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  const room_info info_;
  const room_settings settings_;
  const room_services services_;
  std::atomic<std::size_t> users_{0};  // user_sessions_.size(), for readers off the strand

  // Strand-only state.
  std::unordered_map<std::string, std::shared_ptr<member>> members_;  // by session id
  std::unordered_map<std::string, std::size_t> user_sessions_;        // user id -> its sessions here
  std::deque<kept> kept_;                       // the last resume_window messages and entries
  std::uint64_t last_seq_ = 0;                  // the highest seq fanned out
  // The highest seq stored. Touched only on the store's thread, which assigns seqs in the
  // order it commits: dense, and a retry found in the store uses none.
  std::shared_ptr<std::uint64_t> stored_seq_;
  std::uint64_t forgotten_up_to_ = 0;           // history up to this seq is not in kept_
  std::unordered_map<std::string, std::uint64_t> recent_ids_;  // dedupe key -> seq (kept_ only)
  std::unordered_map<std::string, pending_post> in_flight_;    // dedupe key -> waiting retries
  // Sessions whose join is reading its snapshot on the store's thread: what they ask of this
  // room meanwhile (a pipelined post, leave, op or members) waits for the join's ack, so the
  // room answers a session's requests in the order it sent them.
  struct joining {
    int joins = 0;                               // joins in flight
    std::vector<std::function<void()>> waiting;  // requests to run after them, in order
  };
  std::unordered_map<std::string, joining> joining_;  // by session id
  // On the strand: true (and `later` kept) while `m` has a join in flight.
  bool wait_for_join(const std::shared_ptr<member>& m, std::function<void()> later);
  void join_done(const std::shared_ptr<member>& m);
  boost::asio::steady_timer presence_timer_;
  bool presence_pending_ = false;
  // The coalesced tally: ids whose counts changed since the last tally op went out.
  std::set<std::string> tally_questions_;
  std::set<std::string> tally_polls_;
  boost::asio::steady_timer tally_timer_;
  bool tally_waiting_ = false;   // the timer is armed
  bool tally_running_ = false;   // a tally op is with the writer
  std::chrono::steady_clock::time_point last_tally_{};  // when the last tally went out
};

}  // namespace samling::rooms
