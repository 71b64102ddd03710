#include "api/room_ops.hpp"

#include "moderation/ops.hpp"
#include "qa/ops.hpp"

namespace samling::api {

namespace {

// The wire's verbs and the operations' actions are the same lists in the same order.
template <typename To, typename From>
constexpr To same_as(From v) {
  return static_cast<To>(static_cast<int>(v));
}
using protocol::moderate_verb;
using protocol::poll_verb;
using protocol::question_verb;
static_assert(same_as<qa::question_action>(question_verb::approve) == qa::question_action::approve &&
              same_as<qa::question_action>(question_verb::reject) == qa::question_action::reject &&
              same_as<qa::question_action>(question_verb::edit) == qa::question_action::edit &&
              same_as<qa::question_action>(question_verb::merge) == qa::question_action::merge &&
              same_as<qa::question_action>(question_verb::pin) == qa::question_action::pin &&
              same_as<qa::question_action>(question_verb::unpin) == qa::question_action::unpin &&
              same_as<qa::question_action>(question_verb::answered) == qa::question_action::answered &&
              same_as<qa::question_action>(question_verb::archive) == qa::question_action::archive &&
              same_as<qa::question_action>(question_verb::restore) == qa::question_action::restore);
static_assert(same_as<qa::poll_action>(poll_verb::open) == qa::poll_action::open &&
              same_as<qa::poll_action>(poll_verb::close) == qa::poll_action::close &&
              same_as<qa::poll_action>(poll_verb::reveal) == qa::poll_action::reveal &&
              same_as<qa::poll_action>(poll_verb::hide) == qa::poll_action::hide &&
              same_as<qa::poll_action>(poll_verb::archive) == qa::poll_action::archive);
using moderation::moderate_action;
static_assert(same_as<moderate_action>(moderate_verb::delete_message) == moderate_action::delete_message &&
              same_as<moderate_action>(moderate_verb::release_message) == moderate_action::release_message &&
              same_as<moderate_action>(moderate_verb::mute) == moderate_action::mute &&
              same_as<moderate_action>(moderate_verb::unmute) == moderate_action::unmute &&
              same_as<moderate_action>(moderate_verb::ban) == moderate_action::ban &&
              same_as<moderate_action>(moderate_verb::unban) == moderate_action::unban &&
              same_as<moderate_action>(moderate_verb::slow_mode) == moderate_action::slow_mode &&
              same_as<moderate_action>(moderate_verb::lock) == moderate_action::lock &&
              same_as<moderate_action>(moderate_verb::unlock) == moderate_action::unlock &&
              same_as<moderate_action>(moderate_verb::words) == moderate_action::words);

}  // namespace

rooms::op_fn ask_op(const room_op_stores& s, protocol::ask_request r) {
  qa::ask_args a;
  a.text = std::move(r.text);
  a.client_msg_id = std::move(r.client_msg_id);
  a.anonymous = r.anonymous;
  a.hall = r.hall;
  a.hall_name = std::move(r.name);
  a.max_chars = s.question_max_chars;
  return [store = s.qa, a = std::move(a)](rooms::op_env& env) { return qa::ask(*store, env, a); };
}

rooms::op_fn vote_op(const room_op_stores& s, protocol::vote_request r) {
  return [store = s.qa, id = std::move(r.question), up = r.up](rooms::op_env& env) {
    return qa::vote(*store, env, id, up);
  };
}

rooms::op_fn question_op(const room_op_stores& s, protocol::question_request r) {
  qa::question_args a;
  a.question_id = std::move(r.question);
  a.action = same_as<qa::question_action>(r.action);
  a.reason = std::move(r.reason);
  a.text = std::move(r.text);
  a.into = std::move(r.into);
  a.max_chars = s.question_max_chars;
  return [store = s.qa, a = std::move(a)](rooms::op_env& env) { return qa::act(*store, env, a); };
}

rooms::op_fn poll_create_op(const room_op_stores& s, protocol::poll_create_request r) {
  qa::poll_args a;
  a.text = std::move(r.text);
  a.kind = r.multiple ? qa::poll_kind::multiple : qa::poll_kind::single;
  a.options = std::move(r.options);
  a.hidden = r.hidden;
  return [store = s.qa, a = std::move(a)](rooms::op_env& env) { return qa::create_poll(*store, env, a); };
}

rooms::op_fn poll_op(const room_op_stores& s, protocol::poll_request r) {
  return [store = s.qa, id = std::move(r.poll), action = same_as<qa::poll_action>(r.action)](rooms::op_env& env) {
    return qa::act_on_poll(*store, env, id, action);
  };
}

rooms::op_fn poll_vote_op(const room_op_stores& s, protocol::poll_vote_request r) {
  return [store = s.qa, id = std::move(r.poll), choices = std::move(r.choices)](rooms::op_env& env) {
    return qa::vote_poll(*store, env, id, choices);
  };
}

rooms::op_fn moderate_op(const room_op_stores& s, protocol::moderate_request r) {
  if (r.action == moderate_verb::premoderation)
    return [store = s.qa, on = r.on](rooms::op_env& env) { return qa::set_premoderation(*store, env, on); };
  moderation::moderate_args a;
  a.action = same_as<moderate_action>(r.action);
  a.seq = r.seq;
  a.user_id = std::move(r.user);
  a.user_name = std::move(r.name);
  a.seconds = r.seconds;
  a.reason = std::move(r.reason);
  a.words = std::move(r.words);
  return [store = s.moderation, chat = s.chat, a = std::move(a)](rooms::op_env& env) {
    return moderation::moderate(*store, *chat, env, a);
  };
}

}  // namespace samling::api
