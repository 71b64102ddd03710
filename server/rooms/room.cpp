#include "rooms/room.hpp"

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

}  // namespace

room::room(asio::any_io_executor ex, room_info info, room_settings settings,
           room_services services, std::vector<chat_message> recent, std::uint64_t last_seq)
    : strand_(asio::make_strand(ex)), info_(std::move(info)), settings_(settings),
      services_(services), stored_seq_(std::make_shared<std::uint64_t>(last_seq)),
      presence_timer_(strand_) {
  last_seq_ = last_seq;
  // Messages older than what was loaded exist when the first loaded one is not seq 1.
  forgotten_up_to_ = recent.empty() ? last_seq : recent.front().seq - 1;
  for (auto& m : recent) keep(std::move(m));
}

std::string room::dedupe_key(const std::string& user_id, const std::string& client_msg_id) {
  return user_id + '\n' + client_msg_id;
}

void room::keep(chat_message m) {
  auto frame = protocol::event(protocol::message_event{
      m.room, m.seq, m.ts_ms, user_ref(m.user), m.text, m.client_msg_id, false});
  recent_ids_[dedupe_key(m.user.id, m.client_msg_id)] = m.seq;
  kept_.push_back({std::move(m), std::move(frame)});
  while (kept_.size() > settings_.resume_window) {
    auto& old = kept_.front().message;
    forgotten_up_to_ = old.seq;
    recent_ids_.erase(dedupe_key(old.user.id, old.client_msg_id));
    kept_.pop_front();
  }
}

void room::broadcast(const protocol::frame_ptr& frame) {
  for (auto& [_, m] : members_) m->deliver(frame);
}

// --- join / leave / members / remove -------------------------------------------------------

void room::join(std::shared_ptr<member> m, std::string id_json, std::optional<std::uint64_t> since) {
  asio::post(strand_, [self = shared_from_this(), m = std::move(m), id = std::move(id_json), since] {
    self->do_join(m, id, since);
  });
}

void room::do_join(const std::shared_ptr<member>& m, const std::string& id_json,
                   std::optional<std::uint64_t> since) {
  // Which kept messages go into the ack: those after `since`, or the recent history.
  auto first = kept_.begin();
  if (since) {
    if (*since < forgotten_up_to_) {
      m->release(info_.key);
      m->reply(protocol::error(id_json, errc::too_far_behind,
                               "Messages after seq " + std::to_string(*since) +
                                   " are no longer kept; join again without since."));
      return;
    }
    while (first != kept_.end() && first->message.seq <= *since) ++first;
  } else if (kept_.size() > settings_.history) {
    first = kept_.end() - static_cast<std::ptrdiff_t>(settings_.history);
  }
  if (!members_.count(m->session_id())) {
    if (!m->admit(info_.key)) return;  // the connection closed while this join was queued
    members_.emplace(m->session_id(), m);
    ++user_sessions_[m->user().id];
    presence_changed();
  }
  // `seq` is the last message fanned out: posts still being stored arrive as events after
  // this ack, all with a higher seq.
  std::vector<std::string_view> messages;
  messages.reserve(static_cast<std::size_t>(kept_.end() - first));
  for (auto it = first; it != kept_.end(); ++it) messages.emplace_back(*it->frame);
  // Delivered from the room's strand before any later message event: the client sees the
  // ack, then exactly the messages after the ack's seq.
  m->reply(protocol::ack(id_json, protocol::join_result{info_.key, last_seq_, members_.size(), messages, {}, {}}));
}

void room::leave(std::shared_ptr<member> m, std::string id_json) {
  asio::post(strand_, [self = shared_from_this(), m = std::move(m), id = std::move(id_json)] {
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

// --- operations -------------------------------------------------------------------------------

void room::apply(std::shared_ptr<member> m, std::string id_json, op_fn op) {
  (void)op;
  asio::post(strand_, [self = shared_from_this(), m = std::move(m), id = std::move(id_json)] {
    if (!self->members_.count(m->session_id())) {
      m->reply(protocol::error(id, errc::not_in_room));
      return;
    }
    m->reply(protocol::error(id, errc::unavailable, "Not implemented yet."));
  });
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
  asio::co_spawn(strand_,
                 do_post(shared_from_this(), std::move(m), std::move(id_json), std::move(text),
                         std::move(client_msg_id)),
                 [key = info_.key](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     core::log(core::log_level::error, "room_post_failed", {{"room", key}, {"error", ex.what()}});
                   }
                 });
}

asio::awaitable<void> room::do_post(std::shared_ptr<room> self, std::shared_ptr<member> m,
                                    std::string id_json, std::string text,
                                    std::string client_msg_id) {
  if (!self->members_.count(m->session_id())) {
    m->reply(protocol::error(id_json, errc::not_in_room));
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
      if (k.message.seq != seq) continue;
      m->reply(protocol::ack(id_json, protocol::post_result{self->info_.key, seq, k.message.ts_ms, true, false}));
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
  // thread takes writes in order, so completions come back to this strand in seq order.
  std::optional<chat_writer::stored> outcome;
  try {
    outcome = co_await self->services_.writer->append(msg, self->stored_seq_);
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
  auto& [final_msg, duplicate] = *outcome;
  auto result = [&](bool dup) {
    return protocol::post_result{self->info_.key, final_msg.seq, final_msg.ts_ms, dup, false};
  };
  m->reply(protocol::ack(id_json, result(duplicate)));
  for (auto& [w, wid] : waiters) w->reply(protocol::ack(wid, result(true)));
  if (duplicate) co_return;  // stored long ago: nothing to send to anyone

  if (self->services_.messages_posted) self->services_.messages_posted->inc();
  if (self->services_.stored) self->services_.stored(final_msg);
  self->last_seq_ = final_msg.seq;
  self->keep(std::move(final_msg));
  self->broadcast(self->kept_.back().frame);
}

}  // namespace samling::rooms
