#pragma once
// The Q&A and poll operations of a room (docs/protocol.md, "Q&A and polls"): each checks the
// rules, writes through qa_store and returns its log entries (the writer stores them), inside the op's savepoint on
// the store's thread (rooms/room_log.hpp). The API layer binds them into rooms::op_fn.
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "qa/model.hpp"
#include "rooms/room_log.hpp"

namespace samling::qa {

class qa_store;  // qa/qa_store.hpp

struct ask_args {
  std::string text;             // already checked by rooms::check_text for emptiness/UTF-8
  std::string client_msg_id;
  bool anonymous = false;
  bool hall = false;            // staff entering a question heard in the hall
  std::string hall_name;        // the hall asker's name, optional
  std::size_t max_chars = 300;  // question_too_long above
};
rooms::op_outcome ask(qa_store& store, rooms::op_env& env, const ask_args& a);

// up = true: vote; false: take the vote back.
rooms::op_outcome vote(qa_store& store, rooms::op_env& env, const std::string& question_id, bool up);

enum class question_action { approve, reject, edit, merge, pin, unpin, answered, archive, restore };
struct question_args {
  std::string question_id;
  question_action action = question_action::approve;
  std::string reason;           // reject
  std::string text;             // edit
  std::string into;             // merge: the question that stays
  std::size_t max_chars = 300;
};
rooms::op_outcome act(qa_store& store, rooms::op_env& env, const question_args& a);

struct poll_args {
  std::string text;
  poll_kind kind = poll_kind::single;
  std::vector<std::string> options;
  bool hidden = false;          // results hidden until revealed
};
rooms::op_outcome create_poll(qa_store& store, rooms::op_env& env, const poll_args& a);
enum class poll_action { open, close, reveal, hide, archive };
rooms::op_outcome act_on_poll(qa_store& store, rooms::op_env& env, const std::string& poll_id, poll_action a);
// choices: option indexes; [] takes the vote back.
rooms::op_outcome vote_poll(qa_store& store, rooms::op_env& env, const std::string& poll_id,
                            const std::vector<std::int64_t>& choices);

rooms::op_outcome set_premoderation(qa_store& store, rooms::op_env& env, bool on);

// The room's coalesced counts as one `votes` and/or one `poll_results` entry (no reply).
rooms::op_outcome tally(qa_store& store, rooms::op_env& env, const std::vector<std::string>& questions,
                        const std::vector<std::string>& polls);

// The Q&A part of a join ack for env.actor: questions, polls, my_votes, my_poll_votes and the
// Q&A settings (premoderated, names_to_moderators, question_max_chars).
boost::json::object snapshot(qa_store& store, const rooms::op_env& env, std::size_t max_chars);

}  // namespace samling::qa
