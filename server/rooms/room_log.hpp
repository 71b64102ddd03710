#pragma once
// A room's log besides chat messages (docs/protocol.md, "One log per room"): questions, votes,
// polls and moderation take seqs from the same counter as the room's chat messages, go to the
// store in the same group commit, and are replayed by the same resume rules. The room knows
// none of Q&A or moderation: it runs opaque operations (op_fn) on the store's thread and fans
// out the entries they return, each in the view its receiver may see. No I/O here.
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "rooms/chat_store.hpp"

namespace samling::rooms {

// One entry of a room's log that is not a chat message, as stored and as sent. Each view is a
// complete serialized event object ({"type":…,"room":…,"seq":…,"ts":…,…}); which view a member
// gets: staff (moderators, organizers) get staff_json; the user `owner_id` (every session of
// theirs) gets owner_json; everyone else everyone_json. An empty view falls back as noted; an
// entry with no view for a member is skipped for that member (its seq is then a gap for them).
struct log_entry {
  std::string room;            // "EVENT_ID/ROOM_ID"
  std::uint64_t seq = 0;       // from op_env::take_seq
  std::int64_t ts_ms = 0;
  std::string type;            // the event's "type" (question, votes, poll, poll_results,
                               // message_deleted, message_released, moderation)
  std::string everyone_json;   // empty: not shown to non-staff (except the owner)
  std::string staff_json;      // empty: staff get everyone_json
  std::string owner_id;        // empty: no owner view
  std::string owner_json;      // empty: the owner gets everyone_json
  // A chat message this entry removes from history for everyone (a deletion), 0: none.
  std::uint64_t hides_seq = 0;
  // A held chat message this entry makes visible to everyone (a release), 0: none.
  std::uint64_t shows_seq = 0;
  bool operator==(const log_entry&) const = default;
};

// What a room operation gets on the store's thread.
struct op_env {
  std::string room;            // "EVENT_ID/ROOM_ID"
  std::string event_id;
  std::string room_id;
  chat_user actor;             // who asked (for timers: a user with id "" and role organizer)
  bool staff = false;          // the actor is a moderator or organizer of the event
  std::int64_t now_ms = 0;
  // The room's next seq. Seqs taken by an operation that fails (throws or returns an error)
  // are given back: the room's seqs stay dense.
  std::function<std::uint64_t()> take_seq;
  // Writes one record of the moderation log (who = actor, when = now_ms, which room): every
  // moderator action calls it once, inside the op's savepoint. `target` is what was acted on
  // ("q-…", "p-…", "msg:42", "user:u-…"), `reason` the moderator's why ("" when none given).
  std::function<void(std::string_view action, std::string_view target, std::string_view reason)> audit;
};

// What a room operation did. On error nothing it wrote is kept (its savepoint rolls back) and
// only the error reply goes out.
struct op_outcome {
  core::errc error = core::errc::ok;
  std::string message;                        // the error's message; empty: the code's default
  std::optional<std::int64_t> retry_after_ms; // for muted, slow_mode
  std::string result_json;                    // the ack's "result" (a JSON object)
  std::vector<log_entry> entries;             // to store and fan out, seq order
  // Counts to publish coalesced (the room's next `votes` / `poll_results` entry).
  std::vector<std::string> votes_changed;     // question ids whose vote count changed
  std::vector<std::string> polls_changed;     // poll ids whose results changed
  // User ids (of this event) whose connections close now (a ban), with the close code.
  std::vector<std::string> close_users;
};

// An operation on a room's Q&A, polls or moderation state. Runs on the store's thread inside
// the chat writer's batch, in a savepoint of its own; it reads and writes through the stores
// it was bound to and returns its log entries, which the writer then stores
// (chat_store::append_entry) in the same savepoint. Throws on a store failure (the caller
// answers `unavailable`).
using op_fn = std::function<op_outcome(op_env&)>;

// Checked on the store's thread before a chat post is stored (mute, ban, lock, slow mode, the
// word list). `held`: store the message but show it only to staff and its author until a
// moderator releases it.
struct post_verdict {
  core::errc error = core::errc::ok;
  std::string message;
  std::optional<std::int64_t> retry_after_ms;
  bool held = false;
};
// The `qa` object of a join ack (docs/protocol.md, join) for env.actor, read on the store's
// thread in order with the room's operations.
using snapshot_fn = std::function<std::string(op_env&)>;
using post_gate_fn = std::function<post_verdict(const chat_message& m, bool staff)>;

}  // namespace samling::rooms
