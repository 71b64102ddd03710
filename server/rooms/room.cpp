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

room::room(asio::any_io_executor ex, room_info info, room_settings settings,
           room_services services, std::vector<chat_message> recent, std::uint64_t last_seq)
    : strand_(asio::make_strand(ex)), info_(std::move(info)), settings_(settings),
      services_(services), stored_seq_(std::make_shared<std::uint64_t>(last_seq)),
      presence_timer_(strand_) {
  last_seq_ = last_seq;
  // Messages older than what was loaded exist when the first loaded one is not seq 1.
  forgotten_up_to_ = recent.empty() ? last_seq : recent.front().seq - 1;
  for (auto& m : recent) keep(std::move(m));
  if (services_.members_gauge) {
    members_gauge_ = &services_.members_gauge->with({info_.key});
    members_gauge_->set(0);
  }
}

std::string room::dedupe_key(const std::string& user_id, const std::string& client_msg_id) {
  return user_id + '\n' + client_msg_id;
}

void room::keep(chat_message m) {
  auto frame = std::make_shared<const std::string>(message_json(m));
  recent_ids_[dedupe_key(m.user.id, m.client_msg_id)] = m.seq;
  kept_.push_back({std::move(m), std::move(frame)});
  while (kept_.size() > settings_.resume_window) {
    auto& old = kept_.front().message;
    forgotten_up_to_ = old.seq;
    recent_ids_.erase(dedupe_key(old.user.id, old.client_msg_id));
    kept_.pop_front();
  }
}

void room::broadcast(const frame_ptr& frame) {
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
      m->reply(error_frame(id_json, errc::too_far_behind,
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
    presence_changed();
  }
  // `seq` is the last message fanned out: posts still being stored arrive as events after
  // this ack, all with a higher seq.
  std::string result = R"({"room":)" + json_string(info_.key) + R"(,"seq":)" +
                       std::to_string(last_seq_) + R"(,"count":)" +
                       std::to_string(members_.size()) + R"(,"messages":[)";
  for (auto it = first; it != kept_.end(); ++it) {
    if (it != first) result += ',';
    result += *it->frame;
  }
  result += "]}";
  // Delivered from the room's strand before any later message event: the client sees the
  // ack, then exactly the messages after the ack's seq.
  m->reply(ack_frame(id_json, result));
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
    presence_changed();
  }
  if (!id_json) return;
  if (!was_member) {
    m->reply(error_frame(*id_json, errc::not_in_room));
    return;
  }
  m->reply(ack_frame(*id_json, R"({"room":)" + json_string(info_.key) + "}"));
}

void room::list_members(std::shared_ptr<member> m, std::string id_json) {
  asio::post(strand_, [self = shared_from_this(), m = std::move(m), id = std::move(id_json)] {
    if (!self->members_.count(m->session_id())) {
      m->reply(error_frame(id, errc::not_in_room));
      return;
    }
    m->reply(ack_frame(id, R"({"room":)" + json_string(self->info_.key) + R"(,"count":)" +
                                 std::to_string(self->members_.size()) + R"(,"members":)" +
                                 self->members_json() + "}"));
  });
}

std::string room::members_json() const {
  std::string out = "[";
  bool first = true;
  for (auto& [_, m] : members_) {
    if (!first) out += ',';
    first = false;
    out += user_json(m->user());
  }
  return out + "]";
}

// --- presence ---------------------------------------------------------------------------------

void room::presence_changed() {
  if (members_gauge_) members_gauge_->set(static_cast<std::int64_t>(members_.size()));
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
  auto base = R"({"type":"presence","room":)" + json_string(info_.key) + R"(,"count":)" +
              std::to_string(members_.size());
  auto count_only = std::make_shared<const std::string>(base + "}");
  frame_ptr with_list;
  auto key = "presence:" + info_.key;
  for (auto& [_, m] : members_) {
    if (m->sees_member_lists()) {
      if (!with_list)
        with_list = std::make_shared<const std::string>(base + R"(,"members":)" + members_json() + "}");
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
    m->reply(error_frame(id_json, errc::not_in_room));
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
      m->reply(ack_frame(id_json, R"({"room":)" + json_string(self->info_.key) + R"(,"seq":)" +
                                        std::to_string(seq) + R"(,"ts":)" +
                                        std::to_string(k.message.ts_ms) + R"(,"duplicate":true})"));
      co_return;
    }
  }
  if (auto wait = self->services_.limiter->take(m->user().id, rate_limiter::clock::now())) {
    m->reply(error_frame(id_json, errc::rate_limited, {}, wait->count()));
    co_return;
  }

  chat_message msg;
  msg.room = self->info_.key;
  msg.ts_ms = now_ms();
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
    auto err = error_frame(id_json, errc::unavailable, "The message was not stored; send it again.");
    m->reply(err);
    for (auto& [w, wid] : waiters) w->reply(error_frame(wid, errc::unavailable));
    co_return;
  }
  auto& [final_msg, duplicate] = *outcome;
  auto result = [&](bool dup) {
    return R"({"room":)" + json_string(self->info_.key) + R"(,"seq":)" + std::to_string(final_msg.seq) +
           R"(,"ts":)" + std::to_string(final_msg.ts_ms) + R"(,"duplicate":)" +
           (dup ? "true" : "false") + "}";
  };
  m->reply(ack_frame(id_json, result(duplicate)));
  for (auto& [w, wid] : waiters) w->reply(ack_frame(wid, result(true)));
  if (duplicate) co_return;  // stored long ago: nothing to send to anyone

  if (self->services_.messages_posted) self->services_.messages_posted->inc();
  self->last_seq_ = final_msg.seq;
  self->keep(std::move(final_msg));
  self->broadcast(self->kept_.back().frame);
}

}  // namespace samling::rooms
