#include "rooms/room.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.hpp"

namespace samling::rooms {

namespace asio = boost::asio;
using core::errc;

namespace {

protocol::user_ref user_ref(const chat_user& u) { return {u.id, u.name, u.role}; }

protocol::frame_ptr share(const std::string& json) {
  if (json.empty()) return nullptr;
  return std::make_shared<const std::string>(json);
}

}  // namespace

room::room(asio::any_io_executor ex, room_info info, room_settings settings,
           room_services services, std::vector<chat_message> recent, std::uint64_t last_seq,
           std::vector<log_entry> entries)
    : strand_(asio::make_strand(ex)), info_(std::move(info)), settings_(settings),
      services_(std::move(services)), stored_seq_(std::make_shared<std::uint64_t>(last_seq)),
      presence_timer_(strand_), tally_timer_(strand_) {
  last_seq_ = last_seq;
  const auto window = settings_.resume_window;
  // Either list at its limit: older history may exist in the store that this room does not
  // keep. Otherwise the two are the room's whole history (deleted messages left out).
  bool partial = recent.size() >= window || entries.size() >= window;
  std::vector<kept> items;
  items.reserve(recent.size() + entries.size());
  auto m = recent.begin();
  auto e = entries.begin();
  while (m != recent.end() || e != entries.end()) {
    if (e == entries.end() || (m != recent.end() && m->seq < e->seq))
      items.push_back(message_item(std::move(*m++)));
    else
      items.push_back(entry_item(*e++));
  }
  if (items.size() > window) {
    partial = true;
    items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(items.size() - window));
  }
  forgotten_up_to_ = !partial ? 0 : items.empty() ? last_seq : items.front().seq - 1;
  for (auto& k : items) keep(std::move(k));
}

std::string room::dedupe_key(const std::string& user_id, const std::string& client_msg_id) {
  return user_id + '\n' + client_msg_id;
}

// --- history: messages and log entries, each in its views -------------------------------------

const protocol::frame_ptr& room::kept::view(const member& m) const {
  if (m.sees_member_lists()) return staff;
  if (!owner_id.empty() && m.user().id == owner_id) return owner;
  return everyone;
}

room::kept room::message_item(chat_message m) {
  kept k;
  k.seq = m.seq;
  k.is_message = true;
  auto frame = protocol::event(protocol::message_event{
      m.room, m.seq, m.ts_ms, user_ref(m.user), m.text, m.client_msg_id, m.held});
  // A held message: staff and its author only, until it is released.
  if (!m.held) k.everyone = frame;
  k.staff = frame;
  k.owner = std::move(frame);
  k.owner_id = m.user.id;
  k.message = std::move(m);
  return k;
}

room::kept room::entry_item(const log_entry& e) {
  kept k;
  k.seq = e.seq;
  k.everyone = share(e.everyone_json);
  k.staff = e.staff_json.empty() ? k.everyone : share(e.staff_json);
  k.owner = e.owner_json.empty() ? k.everyone : share(e.owner_json);
  k.owner_id = e.owner_id;
  return k;
}

void room::keep(kept k) {
  if (k.is_message) recent_ids_[dedupe_key(k.message.user.id, k.message.client_msg_id)] = k.seq;
  kept_.push_back(std::move(k));
  while (kept_.size() > settings_.resume_window) {
    auto& old = kept_.front();
    forgotten_up_to_ = old.seq;
    if (old.is_message) recent_ids_.erase(dedupe_key(old.message.user.id, old.message.client_msg_id));
    kept_.pop_front();
  }
}

void room::fan_out(const kept& k) {
  for (auto& [_, m] : members_)
    if (auto& frame = k.view(*m)) m->deliver(frame);
}

void room::publish(std::vector<log_entry>& entries) {
  auto at = [this](std::uint64_t seq) {
    auto it = std::lower_bound(kept_.begin(), kept_.end(), seq,
                               [](const kept& k, std::uint64_t s) { return k.seq < s; });
    return it != kept_.end() && it->seq == seq && it->is_message ? it : kept_.end();
  };
  for (auto& e : entries) {
    // A deleted message leaves the history every later join and resume gets; the entry that
    // deleted it stays, so a client that had it removes it too.
    if (e.hides_seq) {
      if (auto it = at(e.hides_seq); it != kept_.end()) {
        recent_ids_.erase(dedupe_key(it->message.user.id, it->message.client_msg_id));
        kept_.erase(it);
      }
    }
    // A released message: everyone's from now on, in history as an ordinary message.
    if (e.shows_seq) {
      if (auto it = at(e.shows_seq); it != kept_.end() && it->message.held) {
        auto m = it->message;
        m.held = false;
        *it = message_item(std::move(m));
      }
    }
    auto k = entry_item(e);
    last_seq_ = std::max(last_seq_, e.seq);
    fan_out(k);
    keep(std::move(k));
  }
}

void room::spawn(asio::awaitable<void> task, const char* what) {
  asio::co_spawn(strand_, std::move(task), [key = info_.key, what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      core::log(core::log_level::error, what, {{"room", key}, {"error", ex.what()}});
    }
  });
}

op_env room::env_for(const chat_user& actor, bool staff) const {
  op_env env;
  env.room = info_.key;
  env.event_id = info_.event_id;
  env.room_id = info_.room_id;
  env.actor = actor;
  env.staff = staff;
  env.now_ms = protocol::now_ms();
  return env;
}

// --- join / leave / members / remove -------------------------------------------------------

void room::join(std::shared_ptr<member> m, std::string id_json, std::optional<std::uint64_t> since) {
  auto self = shared_from_this();
  // A projector (kiosk link) shows its own room only; the protocol handler checks this too.
  if (!m->only_room().empty() && m->only_room() != info_.key) {
    m->release(info_.key);
    m->reply(protocol::error(id_json, errc::forbidden, "The projector view shows only its own room."));
    return;
  }
  if (!services_.snapshot || !services_.writer) {
    asio::post(strand_, [self, m = std::move(m), id = std::move(id_json), since] {
      self->finish_join(m, id, since, {});
    });
    return;
  }
  spawn(do_join(self, std::move(m), std::move(id_json), since), "room_join_failed");
}

// The join's `qa` snapshot is read on the store's thread in the writer's order: it reflects
// exactly the operations whose entries reached this strand before the ack, and every later one
// reaches the member as an event after it.
asio::awaitable<void> room::do_join(std::shared_ptr<room> self, std::shared_ptr<member> m,
                                    std::string id_json, std::optional<std::uint64_t> since) {
  ++self->joining_[m->session_id()].joins;  // before the first suspension: see wait_for_join
  auto snapshot = self->services_.snapshot;
  op_fn read = [snapshot](op_env& env) {
    op_outcome out;
    out.result_json = snapshot(env);
    return out;
  };
  std::optional<op_outcome> out;
  // Named before the co_await: GCC 12 mishandles temporaries in a co_await expression.
  auto env = self->env_for(m->user(), m->sees_member_lists());
  try {
    out = co_await self->services_.writer->run(std::move(env), self->stored_seq_, std::move(read));
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "room_snapshot_failed", {{"room", self->info_.key}, {"error", e.what()}});
  }
  if (!out) {
    m->release(self->info_.key);
    m->reply(protocol::error(id_json, errc::unavailable, "The room's state could not be read; join again."));
  } else {
    self->finish_join(m, id_json, since, out->result_json);
  }
  self->join_done(m);
}

bool room::wait_for_join(const std::shared_ptr<member>& m, std::function<void()> later) {
  auto it = joining_.find(m->session_id());
  if (it == joining_.end()) return false;
  it->second.waiting.push_back(std::move(later));
  return true;
}

void room::join_done(const std::shared_ptr<member>& m) {
  auto it = joining_.find(m->session_id());
  if (it == joining_.end() || --it->second.joins > 0) return;
  auto waiting = std::move(it->second.waiting);
  joining_.erase(it);
  // Each goes back through its entry point, in the order the session sent them; they run on
  // this strand after the join's ack.
  for (auto& w : waiting) w();
}

void room::finish_join(const std::shared_ptr<member>& m, const std::string& id_json,
                       std::optional<std::uint64_t> since, std::string_view qa_json) {
  if (since && *since < forgotten_up_to_) {
    m->release(info_.key);
    m->reply(protocol::error(id_json, errc::too_far_behind,
                             "Messages after seq " + std::to_string(*since) +
                                 " are no longer kept; join again without since."));
    return;
  }
  if (!members_.count(m->session_id())) {
    if (!m->admit(info_.key)) return;  // the connection closed while this join was queued
    members_.emplace(m->session_id(), m);
    ++user_sessions_[m->user().id];
    presence_changed();
  }
  // `seq` is the last seq fanned out: posts and operations still being stored arrive as events
  // after this ack, all with a higher seq. Each item in the view this member gets; one it may
  // not see is left out (a gap in its seqs).
  std::vector<std::string_view> messages, events;
  if (since) {
    for (auto& k : kept_) {
      if (k.seq <= *since) continue;
      auto& frame = k.view(*m);
      if (!frame) continue;
      (k.is_message ? messages : events).emplace_back(*frame);
    }
  } else {
    // The recent history: the last `history` messages this member sees; no log entries (the
    // `qa` snapshot is their state).
    auto first = kept_.end();
    for (std::size_t n = 0; first != kept_.begin() && n < settings_.history;) {
      --first;
      if (first->is_message && first->view(*m)) ++n;
    }
    for (auto it = first; it != kept_.end(); ++it)
      if (it->is_message && it->view(*m)) messages.emplace_back(*it->view(*m));
  }
  // Delivered from the room's strand before any later event: the client sees the ack, then
  // exactly what comes after the ack's seq.
  m->reply(protocol::ack(id_json, protocol::join_result{info_.key, last_seq_, members_.size(), messages,
                                                        events, qa_json}));
}

void room::leave(std::shared_ptr<member> m, std::string id_json) {
  asio::post(strand_, [self = shared_from_this(), m = std::move(m), id = std::move(id_json)] {
    if (self->wait_for_join(m, [self, m, id] { self->leave(m, id); })) return;
    self->do_leave(m, &id);
  });
}

void room::remove(std::shared_ptr<member> m) {
  asio::post(strand_, [self = shared_from_this(), m = std::move(m)] { self->do_leave(m, nullptr); });
}

void room::do_leave(const std::shared_ptr<member>& m, const std::string* id_json) {
  bool was_member = members_.erase(m->session_id()) > 0;
  if (was_member) {
    m->left(info_.key);
    if (auto it = user_sessions_.find(m->user().id); it != user_sessions_.end() && --it->second == 0)
      user_sessions_.erase(it);
    presence_changed();
  }
  if (!id_json) return;
  if (!was_member) {
    m->reply(protocol::error(*id_json, errc::not_in_room));
    return;
  }
  m->reply(protocol::ack(*id_json, protocol::leave_result{info_.key}));
}

void room::list_members(std::shared_ptr<member> m, std::string id_json) {
  asio::post(strand_, [self = shared_from_this(), m = std::move(m), id = std::move(id_json)] {
    if (self->wait_for_join(m, [self, m, id] { self->list_members(m, id); })) return;
    if (!self->members_.count(m->session_id())) {
      m->reply(protocol::error(id, errc::not_in_room));
      return;
    }
    auto members = self->member_list();
    m->reply(protocol::ack(id, protocol::members_result{self->info_.key, self->members_.size(), members}));
  });
}

std::vector<protocol::user_ref> room::member_list() const {
  std::vector<protocol::user_ref> out;
  out.reserve(members_.size());
  for (auto& [_, m] : members_) out.push_back(user_ref(m->user()));
  return out;
}

// --- operations (Q&A, polls, moderation) ----------------------------------------------------------

void room::apply(std::shared_ptr<member> m, std::string id_json, op_fn op, bool rate_limited) {
  spawn(do_apply(shared_from_this(), std::move(m), std::move(id_json), std::move(op), rate_limited),
        "room_op_failed");
}

asio::awaitable<void> room::do_apply(std::shared_ptr<room> self, std::shared_ptr<member> m,
                                     std::string id_json, op_fn op, bool rate_limited) {
  if (self->wait_for_join(m, [self, m, id_json, op, rate_limited] { self->apply(m, id_json, op, rate_limited); }))
    co_return;
  if (!self->members_.count(m->session_id())) {
    m->reply(protocol::error(id_json, errc::not_in_room));
    co_return;
  }
  if (m->read_only()) {
    m->reply(protocol::error(id_json, errc::forbidden, "The projector view only shows."));
    co_return;
  }
  if (rate_limited && !m->sees_member_lists() && self->services_.limiter) {
    if (auto wait = self->services_.limiter->take(m->user().id, rate_limiter::clock::now())) {
      m->reply(protocol::error(id_json, errc::rate_limited, {}, wait->count()));
      co_return;
    }
  }
  std::optional<op_outcome> out;
  if (self->services_.writer) {
    auto env = self->env_for(m->user(), m->sees_member_lists());  // named: GCC 12
    auto audit = self->services_.audit;
    try {
      out = co_await self->services_.writer->run(std::move(env), self->stored_seq_, std::move(op), std::move(audit));
    } catch (const std::exception& e) {
      core::log(core::log_level::error, "room_op_store_failed", {{"room", self->info_.key}, {"error", e.what()}});
    }
  }
  if (!out) {
    m->reply(protocol::error(id_json, errc::unavailable, "The change was not stored; try again."));
    co_return;
  }
  if (out->error != errc::ok) {
    m->reply(protocol::error(id_json, out->error, out->message, out->retry_after_ms));
    co_return;
  }
  m->reply(protocol::ack_raw(id_json, out->result_json));
  self->publish(out->entries);
  self->tally_changed(out->votes_changed, out->polls_changed);
  if (!out->close_users.empty() && self->services_.close_users)
    self->services_.close_users(self->info_.event_id, out->close_users);
}

// --- the coalesced tally -------------------------------------------------------------------------
// Votes change counts many times a second in a storm; the audience hears of them at most once
// per tally_interval: the first change after a quiet interval goes out at once (leading edge),
// later ones wait for the rest of the interval and then go out together, one op for all.

void room::tally_changed(const std::vector<std::string>& questions, const std::vector<std::string>& polls) {
  if (!services_.tally || (questions.empty() && polls.empty())) return;
  tally_questions_.insert(questions.begin(), questions.end());
  tally_polls_.insert(polls.begin(), polls.end());
  start_tally();
}

void room::start_tally() {
  if (tally_waiting_ || tally_running_ || (tally_questions_.empty() && tally_polls_.empty())) return;
  const auto now = std::chrono::steady_clock::now();
  const auto due = last_tally_ + settings_.tally_interval;
  if (now < due) {
    tally_waiting_ = true;
    tally_timer_.expires_at(due);
    tally_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->tally_waiting_ = false;
      if (!ec) self->start_tally();
    });
    return;
  }
  tally_running_ = true;
  std::vector<std::string> questions(tally_questions_.begin(), tally_questions_.end());
  std::vector<std::string> polls(tally_polls_.begin(), tally_polls_.end());
  tally_questions_.clear();
  tally_polls_.clear();
  auto op = services_.tally(questions, polls);
  spawn(do_tally(shared_from_this(), std::move(op), std::move(questions), std::move(polls)),
        "room_tally_failed");
}

asio::awaitable<void> room::do_tally(std::shared_ptr<room> self, op_fn op, std::vector<std::string> questions,
                                     std::vector<std::string> polls) {
  std::optional<op_outcome> out;
  if (self->services_.writer) {
    // The room itself asks: no user, staff rights (timers and tallies, rooms/room_log.hpp).
    const chat_user system{"", "", auth::role::organizer};
    auto env = self->env_for(system, true);  // named: GCC 12
    try {
      out = co_await self->services_.writer->run(std::move(env), self->stored_seq_, std::move(op));
    } catch (const std::exception& e) {
      core::log(core::log_level::error, "room_tally_store_failed", {{"room", self->info_.key}, {"error", e.what()}});
    }
  }
  if (out && out->error == errc::ok) {
    self->publish(out->entries);
  } else {
    // The counts did not go out: tally these again with the next ones, one interval later
    // (last_tally_ below), so a store that fails is not asked again at once.
    self->tally_questions_.insert(questions.begin(), questions.end());
    self->tally_polls_.insert(polls.begin(), polls.end());
  }
  // Measured from when this tally went out, not from when it started: two tallies reach the
  // members at least tally_interval apart however long the store took.
  self->last_tally_ = std::chrono::steady_clock::now();
  self->tally_running_ = false;
  self->start_tally();
}

// --- presence ---------------------------------------------------------------------------------

void room::presence_changed() {
  users_.store(user_sessions_.size(), std::memory_order_relaxed);
  if (presence_pending_) return;
  presence_pending_ = true;
  presence_timer_.expires_after(settings_.presence_interval);
  presence_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    self->presence_pending_ = false;
    if (!ec) self->send_presence();
  });
}

void room::send_presence() {
  if (members_.empty()) return;
  auto count_only = protocol::event(protocol::presence_event{info_.key, members_.size(), std::nullopt});
  protocol::frame_ptr with_list;
  auto key = "presence:" + info_.key;
  for (auto& [_, m] : members_) {
    if (m->sees_member_lists()) {
      if (!with_list) {
        auto members = member_list();
        with_list = protocol::event(protocol::presence_event{info_.key, members_.size(), members});
      }
      m->deliver(with_list, key);
    } else {
      m->deliver(count_only, key);
    }
  }
}

// --- post ---------------------------------------------------------------------------------------

void room::post(std::shared_ptr<member> m, std::string id_json, std::string text,
                std::string client_msg_id) {
  spawn(do_post(shared_from_this(), std::move(m), std::move(id_json), std::move(text), std::move(client_msg_id)),
        "room_post_failed");
}

asio::awaitable<void> room::do_post(std::shared_ptr<room> self, std::shared_ptr<member> m,
                                    std::string id_json, std::string text,
                                    std::string client_msg_id) {
  if (self->wait_for_join(m, [self, m, id_json, text, client_msg_id] {
        self->post(m, id_json, text, client_msg_id);
      }))
    co_return;
  if (!self->members_.count(m->session_id())) {
    m->reply(protocol::error(id_json, errc::not_in_room));
    co_return;
  }
  if (m->read_only()) {
    m->reply(protocol::error(id_json, errc::forbidden, "The projector view only shows."));
    co_return;
  }
  const auto dedupe = dedupe_key(m->user().id, client_msg_id);
  // A retry of a post still being stored waits for it; one already kept is answered at once.
  if (auto it = self->in_flight_.find(dedupe); it != self->in_flight_.end()) {
    it->second.waiters.emplace_back(m, id_json);
    co_return;
  }
  if (auto it = self->recent_ids_.find(dedupe); it != self->recent_ids_.end()) {
    auto seq = it->second;
    for (auto& k : self->kept_) {
      if (!k.is_message || k.seq != seq) continue;
      m->reply(protocol::ack(id_json, protocol::post_result{self->info_.key, seq, k.message.ts_ms, true,
                                                            k.message.held}));
      co_return;
    }
  }
  if (auto wait = self->services_.limiter->take(m->user().id, rate_limiter::clock::now())) {
    m->reply(protocol::error(id_json, errc::rate_limited, {}, wait->count()));
    co_return;
  }

  chat_message msg;
  msg.room = self->info_.key;
  msg.ts_ms = protocol::now_ms();
  msg.user = m->user();
  msg.text = std::move(text);
  msg.client_msg_id = std::move(client_msg_id);
  self->in_flight_[dedupe];

  // Stored (committed) before anyone hears of it, by the writer on the store's thread (group
  // commit with the other rooms' posts): a retry of a post the room no longer keeps is found in
  // the store and answered as a duplicate; otherwise the message takes the next seq. That
  // thread takes writes in order, so completions come back to this strand in seq order. The
  // gate (mute, ban, lock, slow mode, the word list) is asked there too, just before the store.
  std::optional<chat_writer::stored> outcome;
  auto gate = self->services_.gate;  // named: GCC 12
  const bool staff = m->sees_member_lists();
  try {
    outcome = co_await self->services_.writer->append(msg, self->stored_seq_, std::move(gate), staff);
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "chat_store_failed", {{"room", self->info_.key}, {"error", e.what()}});
  }
  auto waiters = std::move(self->in_flight_[dedupe].waiters);
  self->in_flight_.erase(dedupe);
  if (!outcome) {
    m->reply(protocol::error(id_json, errc::unavailable, "The message was not stored; send it again."));
    for (auto& [w, wid] : waiters) w->reply(protocol::error(wid, errc::unavailable));
    co_return;
  }
  if (auto& refused = outcome->refused; refused.error != errc::ok) {
    m->reply(protocol::error(id_json, refused.error, refused.message, refused.retry_after_ms));
    for (auto& [w, wid] : waiters) w->reply(protocol::error(wid, refused.error, refused.message, refused.retry_after_ms));
    co_return;
  }
  auto& final_msg = outcome->message;
  const bool duplicate = outcome->duplicate;
  auto result = [&](bool dup) {
    return protocol::post_result{self->info_.key, final_msg.seq, final_msg.ts_ms, dup, final_msg.held};
  };
  m->reply(protocol::ack(id_json, result(duplicate)));
  for (auto& [w, wid] : waiters) w->reply(protocol::ack(wid, result(true)));
  if (duplicate) co_return;  // stored long ago: nothing to send to anyone

  if (self->services_.messages_posted) self->services_.messages_posted->inc();
  if (self->services_.stored) self->services_.stored(final_msg);
  self->last_seq_ = final_msg.seq;
  auto k = message_item(std::move(final_msg));
  self->fan_out(k);
  self->keep(std::move(k));
}

}  // namespace samling::rooms
