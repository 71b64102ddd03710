#pragma once
// The Q&A, poll and moderation requests (docs/protocol.md) bound to their operations
// (qa/ops.hpp, moderation/ops.hpp) as rooms::op_fn, which the session hands to room::apply:
// the room runs them on the store's thread, in order with the room's posts. Each op_fn owns
// copies of its arguments and pointers to stores that outlive every room. No I/O here.
#include <cstddef>

#include "protocol/requests.hpp"
#include "rooms/room_log.hpp"

namespace samling::qa {
class qa_store;
}
namespace samling::moderation {
class moderation_store;
}

namespace samling::api {

struct room_op_stores {
  qa::qa_store* qa = nullptr;
  moderation::moderation_store* moderation = nullptr;
  rooms::chat_store* chat = nullptr;
  std::size_t question_max_chars = 300;
};

// `r.text` (and a question edit's text) already trimmed and checked by rooms::check_text.
rooms::op_fn ask_op(const room_op_stores& s, protocol::ask_request r);
rooms::op_fn vote_op(const room_op_stores& s, protocol::vote_request r);
rooms::op_fn question_op(const room_op_stores& s, protocol::question_request r);
rooms::op_fn poll_create_op(const room_op_stores& s, protocol::poll_create_request r);
rooms::op_fn poll_op(const room_op_stores& s, protocol::poll_request r);
rooms::op_fn poll_vote_op(const room_op_stores& s, protocol::poll_vote_request r);
// `premoderation` goes to qa::set_premoderation, every other action to moderation::moderate.
rooms::op_fn moderate_op(const room_op_stores& s, protocol::moderate_request r);

}  // namespace samling::api
