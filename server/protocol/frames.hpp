#pragma once
// The frames the server sends (docs/protocol.md): the ack of each request with its typed result,
// the error reply, and the `message`, `presence` and `stage` events. Each is serialized here,
// once (a broadcast shares the one buffer among its members), and nowhere else. Field order and
// bytes are part of the contract: clients and tests compare them. `id_json` is the request's id
// already serialized as JSON ("7" or "\"abc\"", from decode_request), echoed as is; "null" when
// the request had no usable id. No I/O, no state; any thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role.hpp"
#include "core/errors.hpp"

namespace samling::protocol {

using frame_ptr = std::shared_ptr<const std::string>;

// The `type` of every frame the server sends.
enum class frame_type { ack, error, message, presence, stage, program, now_next };
std::string_view to_string(frame_type t);
// Their names, for the protocol document's test.
const std::vector<std::string>& server_message_types();

// The protocol's clock: `ts` and `server_time`, ms since the Unix epoch.
std::int64_t now_ms();

// A user as the protocol shows it: {"id","name","role"}. Views: valid for the call.
struct user_ref {
  std::string_view id;
  std::string_view name;
  auth::role role = auth::role::guest;
};

// --- events (no id) ---------------------------------------------------------------------------

// A chat message in a room; the same object is an element of a join ack's "messages".
struct message_event {
  std::string_view room;
  std::uint64_t seq = 0;
  std::int64_t ts_ms = 0;
  user_ref user;
  std::string_view text;
  std::string_view client_msg_id;
  // Held by the word list (only staff and the author get it): written as "held":true after
  // client_msg_id; nothing is written when false.
  bool held = false;
};
// A room's member count; `members` only in the frame for those who see member lists.
struct presence_event {
  std::string_view room;
  std::size_t count = 0;
  std::optional<std::span<const user_ref>> members;
};
// One stage's status, already serialized (api::stage_json in the view the receiver gets).
struct stage_event {
  std::string_view stage_json;
};

// A new version of the event's program was published: what changed, per session, already
// serialized (program::to_json(session_change) elements, a JSON array).
struct program_event {
  std::string_view event;
  int version = 0;
  std::string_view changes_json;
};
// Now and next per room of the event, already serialized (a JSON array of
// {"room","now","next"}, api/live_program.cpp).
struct now_next_event {
  std::string_view event;
  std::string_view rooms_json;
};

frame_ptr event(const message_event& e);
frame_ptr event(const presence_event& e);
frame_ptr event(const stage_event& e);
frame_ptr event(const program_event& e);
frame_ptr event(const now_next_event& e);

// --- replies: {"type":"ack","id":ID,"result":RESULT} -----------------------------------------

struct hello_result {
  std::string_view session;
  std::int64_t server_time = 0;
  user_ref user;
  std::string_view event;
  std::size_t text_max_chars = 0;
  double rate_burst = 0;       // written as an integer (the burst is whole posts)
  double rate_per_second = 0;  // written with up to 4 significant digits ("1", "0.5")
  std::size_t history = 0;
  std::string_view token;      // a guest's reconnect token; empty: none (not written)
};
struct join_result {
  std::string_view room;
  std::uint64_t seq = 0;  // the room's last seq fanned out
  std::size_t count = 0;
  // The kept `message` events to replay, oldest first, each as event(message_event) made it.
  std::span<const std::string_view> messages;
  // The room's log entries after `since` this session may see, seq order, each a serialized
  // event object (rooms/room_log.hpp); [] without since.
  std::span<const std::string_view> events;
  // The room's Q&A state for this session, a serialized JSON object; empty: {}.
  std::string_view qa_json;
};
struct leave_result {
  std::string_view room;
};
struct post_result {
  std::string_view room;
  std::uint64_t seq = 0;
  std::int64_t ts_ms = 0;
  bool duplicate = false;
  bool held = false;  // stored held by the word list: "held":true; nothing when false
};
struct members_result {
  std::string_view room;
  std::size_t count = 0;
  std::span<const user_ref> members;
};
struct ping_result {
  std::int64_t server_time = 0;
};
// {"stages":[…]} as stage_list() writes it.
struct stages_result {
  std::string_view stage_list_json;
};

frame_ptr ack(std::string_view id_json, const hello_result& r);
frame_ptr ack(std::string_view id_json, const join_result& r);
frame_ptr ack(std::string_view id_json, const leave_result& r);
frame_ptr ack(std::string_view id_json, const post_result& r);
frame_ptr ack(std::string_view id_json, const members_result& r);
frame_ptr ack(std::string_view id_json, const ping_result& r);
frame_ptr ack(std::string_view id_json, const stages_result& r);
// An ack whose result is already serialized (a JSON object: room operations' results).
frame_ptr ack_raw(std::string_view id_json, std::string_view result_json);

// {"type":"error","id":ID,"code":…,"message":…[,"retry_after_ms":N]}; an empty `message` is
// the code's default message (core/errors.cpp).
frame_ptr error(std::string_view id_json, core::errc code, std::string_view message = {},
                std::optional<std::int64_t> retry_after_ms = std::nullopt);

// {"stages":[S1,S2,…]}: the `stages` result and GET /api/v1/stages, from serialized statuses.
std::string stage_list(std::span<const std::string_view> stages_json);

}  // namespace samling::protocol
