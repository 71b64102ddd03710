#include "qa/ops.hpp"

// The rules, in one place (docs/protocol.md, "Q&A and polls", describes them for clients):
//
// A question's status and the actions that change it (anything else: question_state):
//   approve   pending -> approved
//   reject    pending | approved | answered -> rejected (unpinned; the reason for asker and staff)
//   edit      any but merged (text checked again; edited = true)
//   merge     source any but merged, into pending | approved | answered -> source merged (unpinned),
//             into gains the source's voters (each user once)
//   pin       pending | approved | answered, not pinned -> approved + pinned; the room's previous
//             pinned question is unpinned first (its own entry)
//   unpin     pinned -> not pinned
//   answered  approved -> answered (unpinned)
//   archive   any but archived and merged -> archived (unpinned)
//   restore   rejected | archived -> approved (reason cleared)
// Votes: approved and answered questions only (else question_closed).
// Who sees a `question` entry: the staff always; the asker (owner view) always; the audience
// when the question is public (approved, answered) before or after the action, so a question
// that leaves their list is announced and one that never was stays unseen.
//
// A poll: open draft -> open; close open -> closed; reveal hidden -> revealed; hide live |
// revealed -> hidden (not archived); archive any but archived. Votes only while open.
// The audience sees a `poll` entry when the poll is open or closed before or after.
//
// The moderation log (op_env::audit) gets one record per moderator action: question_<action>
// (target q-…, the request's reason), question_hall (q-…), poll_create and poll_<action> (p-…),
// premoderation_on / premoderation_off (target "room:<room id>").

#include <algorithm>
#include <set>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "qa/ids.hpp"
#include "qa/names.hpp"
#include "qa/qa_store.hpp"
#include "qa/views.hpp"
#include "rooms/text_rules.hpp"

namespace samling::qa {

namespace {

using core::errc;
using rooms::log_entry;
using rooms::op_env;
using rooms::op_outcome;

// A poll's question and an option: long enough for a real question, short enough for the
// projector.
constexpr std::size_t poll_text_max_chars = 300;
constexpr std::size_t poll_option_max_chars = 200;
constexpr std::size_t poll_min_options = 2;
constexpr std::size_t poll_max_options = 10;
// A rejection's reason, shown to the asker.
constexpr std::size_t reason_max_chars = 500;

op_outcome fail(errc e, std::string message = {}) {
  op_outcome out;
  out.error = e;
  out.message = std::move(message);
  return out;
}

std::string dump(const boost::json::object& o) { return boost::json::serialize(o); }

// A complete event object: {"type","room","seq","ts", then the body's members in order}.
std::string event_json(const op_env& env, std::string_view type, std::uint64_t seq,
                       const boost::json::object& body) {
  boost::json::object o;
  o.reserve(body.size() + 4);
  o["type"] = type;
  o["room"] = env.room;
  o["seq"] = seq;
  o["ts"] = env.now_ms;
  for (const auto& kv : body) o[kv.key()] = kv.value();
  return dump(o);
}

log_entry new_entry(op_env& env, std::string type) {
  log_entry e;
  e.room = env.room;
  e.seq = env.take_seq();
  e.ts_ms = env.now_ms;
  e.type = std::move(type);
  return e;
}

// A `question` entry: the staff's view always, the asker's own, and the audience's when the
// question is or was public (an approved question that is rejected, archived or merged must
// leave their lists; one that never was public is nothing to them).
log_entry question_entry(op_env& env, const question& q, bool to_everyone, bool names) {
  auto e = new_entry(env, "question");
  auto make = [&](view v) {
    return event_json(env, e.type, e.seq, boost::json::object{{"question", to_json(q, v, names)}});
  };
  e.staff_json = make(view::staff);
  if (to_everyone) e.everyone_json = make(view::everyone);
  if (q.source == question_source::online && !q.author_id.empty()) {
    e.owner_id = q.author_id;
    e.owner_json = make(view::owner);
  }
  return e;
}

// A `poll` entry: staff always; the audience when the poll is or was open or closed.
log_entry poll_entry(op_env& env, const poll& p, bool to_everyone) {
  auto e = new_entry(env, "poll");
  e.staff_json = event_json(env, e.type, e.seq, boost::json::object{{"poll", to_json(p, view::staff)}});
  if (to_everyone)
    e.everyone_json = event_json(env, e.type, e.seq, boost::json::object{{"poll", to_json(p, view::everyone)}});
  return e;
}

void audit(op_env& env, std::string_view action, std::string_view target, std::string_view reason) {
  if (env.audit) env.audit(action, target, reason);
}

// The asker's own view of their question; the staff's view of a hall question they entered.
view asker_view(const question& q) {
  return q.source == question_source::online ? view::owner : view::staff;
}

// A question's text (ask, edit): trimmed, then the post rules, with the Q&A limit.
errc check_question_text(std::string& text, std::size_t max_chars, std::string& message) {
  const auto e = rooms::check_text(text, max_chars);
  if (e == errc::text_too_long) {
    message = "A question may have at most " + std::to_string(max_chars) + " characters.";
    return errc::question_too_long;
  }
  return e;
}

bool open_for_staff(question_status s) {
  return s == question_status::pending || s == question_status::approved || s == question_status::answered;
}

std::string question_state_message(const question& q, std::string_view action) {
  return "A question that is " + std::string(to_string(q.status)) + (q.pinned ? " and pinned" : "") +
         " cannot be given \"" + std::string(action) + "\".";
}

boost::json::array to_array(const std::vector<std::int64_t>& v) {
  boost::json::array a;
  for (auto x : v) a.emplace_back(x);
  return a;
}

boost::json::object counts_json(const poll& p) {
  return boost::json::object{{"id", p.id}, {"counts", to_array(p.counts)}, {"voters", p.voters}};
}

}  // namespace

// --- questions -----------------------------------------------------------------------------

op_outcome ask(qa_store& store, op_env& env, const ask_args& a) {
  if (a.hall && !env.staff) return fail(errc::forbidden, "Only moderators enter questions from the hall.");
  std::string text = a.text;
  std::string message;
  if (auto e = check_question_text(text, a.max_chars, message); e != errc::ok) return fail(e, message);
  std::string hall_name = a.hall ? a.hall_name : std::string();
  if (!hall_name.empty())
    if (auto e = rooms::check_name(hall_name); e != errc::ok) return fail(e);

  const bool names = store.names_to_moderators(env.event_id);
  auto result = [&](const question& q, bool duplicate) {
    return dump(boost::json::object{
        {"room", env.room}, {"question", to_json(q, asker_view(q), names)}, {"duplicate", duplicate}});
  };
  // A retry (same client id from the same sender) gets the first answer again, and nothing
  // goes out a second time.
  if (!a.client_msg_id.empty())
    if (auto earlier = store.find_question_by_client_id(env.room, env.actor.id, a.client_msg_id)) {
      op_outcome out;
      out.result_json = result(*earlier, true);
      return out;
    }

  question q;
  q.id = random_id("q-");
  q.room = env.room;
  q.text = std::move(text);
  q.anonymous = a.anonymous;
  if (a.hall) {
    q.source = question_source::hall;
    q.author_name = std::move(hall_name);
  } else {
    q.source = question_source::online;
    q.author_id = env.actor.id;
    q.author_name = env.actor.name;
    q.author_role = env.actor.role;
    q.press = env.actor.role == auth::role::press;
  }
  q.client_msg_id = a.client_msg_id;
  // The staff's own and the hall's questions need no approval.
  q.status = a.hall || env.staff || !store.premoderated(env.room) ? question_status::approved
                                                                   : question_status::pending;
  q.created_ms = q.updated_ms = env.now_ms;
  store.insert_question(q, env.actor.id);

  op_outcome out;
  out.entries.push_back(question_entry(env, q, is_public(q.status), names));
  if (a.hall) audit(env, "question_hall", q.id, "");
  out.result_json = result(q, false);
  return out;
}

op_outcome vote(qa_store& store, op_env& env, const std::string& question_id, bool up) {
  auto q = store.find_question(question_id);
  if (!q) return fail(errc::no_such_question);
  if (q->room != env.room) return fail(errc::wrong_room, "That question belongs to another room.");
  if (!is_public(q->status))
    return fail(errc::question_closed,
                "Votes are closed for a question that is " + std::string(to_string(q->status)) + ".");
  if (up ? !store.add_vote(q->id, env.actor.id, env.now_ms) : !store.remove_vote(q->id, env.actor.id))
    return fail(up ? errc::already_voted : errc::not_voted);
  const std::int64_t votes = q->votes + (up ? 1 : -1);
  op_outcome out;
  out.result_json = dump(boost::json::object{
      {"room", env.room}, {"question", q->id}, {"votes", votes}, {"voted", up}});
  // No entry per vote: the room publishes the counts coalesced (tally).
  out.votes_changed.push_back(q->id);
  return out;
}

op_outcome act(qa_store& store, op_env& env, const question_args& a) {
  if (!env.staff) return fail(errc::forbidden);
  auto found = store.find_question(a.question_id);
  if (!found) return fail(errc::no_such_question);
  question q = std::move(*found);
  if (q.room != env.room) return fail(errc::wrong_room, "That question belongs to another room.");
  const auto name = to_string(a.action);
  const auto before = q.status;
  const bool names = store.names_to_moderators(env.event_id);
  op_outcome out;

  std::string reason = a.reason;
  if (!reason.empty()) {
    const auto e = rooms::check_text(reason, reason_max_chars);
    if (e == errc::text_too_long)
      return fail(errc::bad_message, "A reason may have at most " + std::to_string(reason_max_chars) + " characters.");
    if (e == errc::text_invalid) return fail(e);
    // text_empty: a reason of blanks is no reason.
    if (e == errc::text_empty) reason.clear();
  }

  std::optional<question> into;  // merge: the question that stays
  switch (a.action) {
    case question_action::approve:
      if (q.status != question_status::pending) return fail(errc::question_state, question_state_message(q, name));
      q.status = question_status::approved;
      break;
    case question_action::reject:
      if (!open_for_staff(q.status)) return fail(errc::question_state, question_state_message(q, name));
      q.status = question_status::rejected;
      q.pinned = false;
      q.reason = reason;
      break;
    case question_action::edit: {
      if (q.status == question_status::merged) return fail(errc::question_state, question_state_message(q, name));
      std::string text = a.text;
      std::string message;
      if (auto e = check_question_text(text, a.max_chars, message); e != errc::ok) return fail(e, message);
      q.text = std::move(text);
      q.edited = true;
      break;
    }
    case question_action::merge: {
      if (a.into.empty()) return fail(errc::bad_message, "A merge needs \"into\": the question that stays.");
      if (a.into == q.id) return fail(errc::merge_into_self);
      into = store.find_question(a.into);
      if (!into) return fail(errc::no_such_question, "No such question to merge into.");
      if (into->room != env.room) return fail(errc::wrong_room, "That question belongs to another room.");
      if (q.status == question_status::merged) return fail(errc::question_state, question_state_message(q, name));
      if (!open_for_staff(into->status))
        return fail(errc::question_state, "A question cannot be merged into one that is " +
                                              std::string(to_string(into->status)) + ".");
      // The voters combine: one who voted for both counts once.
      store.merge_votes(q.id, into->id);
      q.status = question_status::merged;
      q.pinned = false;
      q.merged_into = into->id;
      break;
    }
    case question_action::pin:
      if (!open_for_staff(q.status) || q.pinned) return fail(errc::question_state, question_state_message(q, name));
      // At most one "now answering" per room: the previous one is unpinned first (its own entry).
      if (auto previous = store.pinned_question(env.room)) {
        previous->pinned = false;
        previous->updated_ms = env.now_ms;
        store.update_question(*previous);
        out.entries.push_back(question_entry(env, *previous, is_public(previous->status), names));
      }
      q.pinned = true;
      q.status = question_status::approved;
      break;
    case question_action::unpin:
      if (!q.pinned) return fail(errc::question_state, question_state_message(q, name));
      q.pinned = false;
      break;
    case question_action::answered:
      if (q.status != question_status::approved) return fail(errc::question_state, question_state_message(q, name));
      q.status = question_status::answered;
      q.pinned = false;
      break;
    case question_action::archive:
      if (q.status == question_status::archived || q.status == question_status::merged)
        return fail(errc::question_state, question_state_message(q, name));
      q.status = question_status::archived;
      q.pinned = false;
      break;
    case question_action::restore:
      if (q.status != question_status::rejected && q.status != question_status::archived)
        return fail(errc::question_state, question_state_message(q, name));
      q.status = question_status::approved;
      q.reason.clear();
      break;
  }
  q.updated_ms = env.now_ms;
  store.update_question(q);
  out.entries.push_back(question_entry(env, q, is_public(before) || is_public(q.status), names));
  if (into) {
    // Read back: its votes and merged_from changed with the merge.
    into = store.find_question(into->id);
    into->updated_ms = env.now_ms;
    store.update_question(*into);
    out.entries.push_back(question_entry(env, *into, is_public(into->status), names));
  }
  audit(env, "question_" + std::string(name), q.id, reason);
  out.result_json = dump(boost::json::object{{"room", env.room}, {"question", to_json(q, view::staff, names)}});
  return out;
}

// --- polls ---------------------------------------------------------------------------------

op_outcome create_poll(qa_store& store, op_env& env, const poll_args& a) {
  if (!env.staff) return fail(errc::forbidden);
  std::string text = a.text;
  switch (rooms::check_text(text, poll_text_max_chars)) {
    case errc::ok: break;
    case errc::text_empty: return fail(errc::poll_invalid, "The poll needs a question.");
    case errc::text_too_long:
      return fail(errc::poll_invalid,
                  "A poll's question may have at most " + std::to_string(poll_text_max_chars) + " characters.");
    default: return fail(errc::poll_invalid, "The poll's question contains control characters.");
  }
  if (a.options.size() < poll_min_options || a.options.size() > poll_max_options)
    return fail(errc::poll_invalid, "A poll has " + std::to_string(poll_min_options) + " to " +
                                        std::to_string(poll_max_options) + " options.");
  std::vector<std::string> options;
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < a.options.size(); ++i) {
    std::string option = a.options[i];
    const auto n = std::to_string(i + 1);
    switch (rooms::check_text(option, poll_option_max_chars)) {
      case errc::ok: break;
      case errc::text_empty: return fail(errc::poll_invalid, "Option " + n + " is empty.");
      case errc::text_too_long:
        return fail(errc::poll_invalid, "Option " + n + " has more than " +
                                            std::to_string(poll_option_max_chars) + " characters.");
      default: return fail(errc::poll_invalid, "Option " + n + " contains control characters.");
    }
    // Distinct as a reader sees them: case and inner blanks do not make two options.
    auto key = rooms::name_key(option);
    if (auto same = std::find(keys.begin(), keys.end(), key); same != keys.end())
      return fail(errc::poll_invalid, "Options " + std::to_string(same - keys.begin() + 1) + " and " + n +
                                          " are the same.");
    keys.push_back(std::move(key));
    options.push_back(std::move(option));
  }

  poll p;
  p.id = random_id("p-");
  p.room = env.room;
  p.text = std::move(text);
  p.kind = a.kind;
  p.options = std::move(options);
  p.counts.assign(p.options.size(), 0);
  p.state = poll_state::draft;
  p.results = a.hidden ? poll_results::hidden : poll_results::live;
  p.created_by = env.actor.id;
  p.created_ms = p.updated_ms = env.now_ms;
  store.insert_poll(p);

  op_outcome out;
  out.entries.push_back(poll_entry(env, p, false));  // a draft is the staff's
  audit(env, "poll_create", p.id, "");
  out.result_json = dump(boost::json::object{{"room", env.room}, {"poll", to_json(p, view::staff)}});
  return out;
}

op_outcome act_on_poll(qa_store& store, op_env& env, const std::string& poll_id, poll_action a) {
  if (!env.staff) return fail(errc::forbidden);
  auto found = store.find_poll(poll_id);
  if (!found) return fail(errc::no_such_poll);
  poll p = std::move(*found);
  if (p.room != env.room) return fail(errc::wrong_room, "That poll belongs to another room.");
  const auto name = to_string(a);
  const auto before = p.state;
  auto refuse = [&] {
    return fail(errc::poll_state, "A poll that is " + std::string(to_string(p.state)) + " with " +
                                      std::string(to_string(p.results)) + " results cannot be given \"" +
                                      std::string(name) + "\".");
  };
  switch (a) {
    case poll_action::open:
      if (p.state != poll_state::draft) return refuse();
      p.state = poll_state::open;
      break;
    case poll_action::close:
      if (p.state != poll_state::open) return refuse();
      p.state = poll_state::closed;
      break;
    case poll_action::reveal:
      if (p.state == poll_state::archived || p.results != poll_results::hidden) return refuse();
      p.results = poll_results::revealed;
      break;
    case poll_action::hide:
      if (p.state == poll_state::archived || p.results == poll_results::hidden) return refuse();
      p.results = poll_results::hidden;
      break;
    case poll_action::archive:
      if (p.state == poll_state::archived) return refuse();
      p.state = poll_state::archived;
      break;
  }
  p.updated_ms = env.now_ms;
  store.update_poll(p);
  op_outcome out;
  out.entries.push_back(poll_entry(env, p, is_public(before) || is_public(p.state)));
  audit(env, "poll_" + std::string(name), p.id, "");
  out.result_json = dump(boost::json::object{{"room", env.room}, {"poll", to_json(p, view::staff)}});
  return out;
}

op_outcome vote_poll(qa_store& store, op_env& env, const std::string& poll_id,
                     const std::vector<std::int64_t>& choices) {
  auto p = store.find_poll(poll_id);
  if (!p) return fail(errc::no_such_poll);
  if (p->room != env.room) return fail(errc::wrong_room, "That poll belongs to another room.");
  if (p->state != poll_state::open) return fail(errc::poll_closed);
  std::vector<std::int64_t> sorted = choices;
  std::sort(sorted.begin(), sorted.end());
  for (auto c : sorted)
    if (c < 0 || c >= static_cast<std::int64_t>(p->options.size()))
      return fail(errc::bad_choice, "Choice " + std::to_string(c) + " is not an option of this poll (0 to " +
                                        std::to_string(p->options.size() - 1) + ").");
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    return fail(errc::bad_choice, "A choice is repeated.");
  if (p->kind == poll_kind::single && sorted.size() > 1)
    return fail(errc::bad_choice, "This poll takes one choice.");
  op_outcome out;
  if (store.poll_choices(p->id, env.actor.id) != sorted) {
    store.set_poll_choices(p->id, env.actor.id, sorted, env.now_ms);
    out.polls_changed.push_back(p->id);
  }
  out.result_json = dump(boost::json::object{{"room", env.room}, {"poll", p->id}, {"choices", to_array(sorted)}});
  return out;
}

// --- settings ------------------------------------------------------------------------------

op_outcome set_premoderation(qa_store& store, op_env& env, bool on) {
  if (!env.staff) return fail(errc::forbidden);
  store.set_premoderated(env.room, on);
  op_outcome out;
  // A `moderation` event for everyone (docs/protocol.md, Events): the room's clients show it.
  auto e = new_entry(env, "moderation");
  e.everyone_json = event_json(
      env, e.type, e.seq,
      boost::json::object{{"action", "premoderation"},
                          {"on", on},
                          {"user", nullptr},
                          {"until", nullptr},
                          {"seconds", nullptr},
                          {"reason", nullptr},
                          {"by", boost::json::object{{"id", env.actor.id},
                                                     {"name", env.actor.name},
                                                     {"role", auth::to_string(env.actor.role)}}}});
  out.entries.push_back(std::move(e));
  audit(env, on ? "premoderation_on" : "premoderation_off", "room:" + env.room_id, "");
  out.result_json = dump(boost::json::object{{"room", env.room}, {"action", "premoderation"}, {"on", on}});
  return out;
}

// --- the room's coalesced counts -----------------------------------------------------------

op_outcome tally(qa_store& store, op_env& env, const std::vector<std::string>& questions,
                 const std::vector<std::string>& polls) {
  op_outcome out;
  std::set<std::string> seen;
  boost::json::array votes;
  for (const auto& id : questions) {
    if (!seen.insert(id).second) continue;
    auto q = store.find_question(id);
    // Counts of questions the audience sees; the staff get the same (votes only happen there).
    if (q && q->room == env.room && is_public(q->status))
      votes.emplace_back(boost::json::object{{"id", q->id}, {"votes", q->votes}});
  }
  if (!votes.empty()) {
    auto e = new_entry(env, "votes");
    e.everyone_json = event_json(env, e.type, e.seq, boost::json::object{{"questions", std::move(votes)}});
    out.entries.push_back(std::move(e));
  }

  seen.clear();
  boost::json::array staff, everyone;
  for (const auto& id : polls) {
    if (!seen.insert(id).second) continue;
    auto p = store.find_poll(id);
    if (!p || p->room != env.room || p->state == poll_state::draft) continue;
    auto counts = counts_json(*p);
    // The audience sees live or revealed results of a poll they see.
    if (is_public(p->state) && p->results != poll_results::hidden) everyone.emplace_back(counts);
    staff.emplace_back(std::move(counts));
  }
  if (!staff.empty()) {
    auto e = new_entry(env, "poll_results");
    e.staff_json = event_json(env, e.type, e.seq, boost::json::object{{"polls", std::move(staff)}});
    if (!everyone.empty())
      e.everyone_json = event_json(env, e.type, e.seq, boost::json::object{{"polls", std::move(everyone)}});
    out.entries.push_back(std::move(e));
  }
  return out;
}

// --- the join ack's `qa` ---------------------------------------------------------------------

boost::json::object snapshot(qa_store& store, const op_env& env, std::size_t max_chars) {
  const bool names = store.names_to_moderators(env.event_id);
  const auto& me = env.actor.id;

  boost::json::array questions;
  for (const auto& q : store.questions(env.room)) {
    const bool mine = q.source == question_source::online && !me.empty() && q.author_id == me;
    if (env.staff)
      questions.emplace_back(to_json(q, view::staff, names));
    else if (mine && (open_for_staff(q.status) || q.status == question_status::rejected))
      questions.emplace_back(to_json(q, view::owner, names));
    else if (is_public(q.status))
      questions.emplace_back(to_json(q, view::everyone, names));
  }

  boost::json::array polls;
  for (const auto& p : store.polls(env.room)) {
    if (env.staff ? p.state != poll_state::archived : is_public(p.state))
      polls.emplace_back(to_json(p, env.staff ? view::staff : view::everyone));
  }

  boost::json::array my_votes;
  boost::json::object my_poll_votes;
  if (!me.empty()) {
    for (auto& id : store.voted_questions(env.room, me)) my_votes.emplace_back(id);
    for (auto& [id, choices] : store.my_poll_votes(env.room, me)) my_poll_votes[id] = to_array(choices);
  }

  return boost::json::object{
      {"questions", std::move(questions)},
      {"polls", std::move(polls)},
      {"my_votes", std::move(my_votes)},
      {"my_poll_votes", std::move(my_poll_votes)},
      {"settings", boost::json::object{{"premoderated", store.premoderated(env.room)},
                                       {"names_to_moderators", names},
                                       {"question_max_chars", max_chars}}},
  };
}

}  // namespace samling::qa
