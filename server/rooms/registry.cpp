#include "rooms/registry.hpp"

#include "rooms/permissions.hpp"
#include "rooms/text_rules.hpp"

namespace samling::rooms {

namespace asio = boost::asio;
using core::errc;

namespace {

// The rooms tell the registry of each stored message (and whoever else was told before).
room_services with_author_hook(room_services s, std::function<void(const chat_message&)> hook) {
  s.stored = [before = std::move(s.stored), hook = std::move(hook)](const chat_message& m) {
    if (before) before(m);
    hook(m);
  };
  return s;
}

// A ban closes the user's connections through this registry unless the app wired its own.
room_services with_close_users(room_services s, room_registry* registry) {
  if (!s.close_users)
    s.close_users = [registry](const std::string& event, const std::vector<std::string>& users) {
      for (auto& u : users) registry->close_user(event, u, core::ws_close::banned);
    };
  return s;
}

}  // namespace

room_registry::room_registry(asio::any_io_executor ex, room_settings settings,
                             room_services services, program::program_store* program)
    : ex_(std::move(ex)), settings_(settings),
      services_(with_close_users(
          with_author_hook(std::move(services), [this](const chat_message& m) { author_stored(m); }), this)),
      program_(program) {}

asio::awaitable<std::shared_ptr<const event_rooms>> room_registry::event(std::string event_id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = events_.find(event_id); it != events_.end()) co_return it->second;
  }
  auto* program = program_;
  auto fetch = [program, event_id] { return program->find_event(event_id); };  // named: GCC 12
  auto found = co_await core::run_blocking(*services_.db, std::move(fetch));
  if (!found) co_return nullptr;
  auto rooms = std::make_shared<event_rooms>();
  rooms->event_id = found->id;
  for (auto& r : found->rooms) {
    room_info info{found->id + "/" + r.id, found->id, r.id, r.kind, r.guests};
    rooms->any_guest_room = rooms->any_guest_room || (r.guests && r.kind != program::room_kind::press);
    rooms->rooms.emplace(r.id, std::move(info));
    rooms->order.push_back(r.id);
  }
  std::lock_guard lock(mutex_);
  // The program is read once per event and kept until the live program says it changed
  // (forget_event).
  auto [it, _] = events_.emplace(event_id, std::move(rooms));
  co_return it->second;
}

void room_registry::forget_event(const std::string& event_id) {
  std::lock_guard lock(mutex_);
  // Only the definitions: a room alive now keeps its one actor (dropping it here would let a
  // second actor for the same key start beside the first, splitting its members).
  events_.erase(event_id);
}

asio::awaitable<room_registry::lookup> room_registry::resolve(std::string key,
                                                              std::string session_event) {
  auto slash = key.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == key.size())
    co_return lookup{nullptr, errc::no_such_room};
  auto event_id = key.substr(0, slash);
  auto room_id = key.substr(slash + 1);
  if (event_id != session_event) co_return lookup{nullptr, errc::wrong_event};
  {
    std::lock_guard lock(mutex_);
    if (auto it = rooms_.find(key); it != rooms_.end()) co_return lookup{it->second, errc::ok};
  }
  auto rooms = co_await event(event_id);
  if (!rooms) co_return lookup{nullptr, errc::no_such_room};
  auto def = rooms->rooms.find(room_id);
  if (def == rooms->rooms.end()) co_return lookup{nullptr, errc::no_such_room};

  // Load the room's recent messages. Two sessions may race to create it: both load, the first
  // to insert wins, the other's copy is dropped (reads only, no harm).
  auto* store = services_.store;
  auto window = settings_.resume_window;
  // Its history is its last messages and log entries, merged by seq in the room; the three
  // reads agree: every write happens on the same (store's) thread.
  struct loaded {
    std::vector<chat_message> recent;
    std::vector<log_entry> entries;
    std::uint64_t last_seq = 0;
  };
  auto load = [store, key, window] {
    return loaded{store->recent(key, window), store->recent_entries(key, window), store->last_seq(key)};
  };  // named: GCC 12
  auto history = co_await core::run_blocking(*services_.db, std::move(load));
  auto created = std::make_shared<room>(ex_, def->second, settings_, services_, std::move(history.recent),
                                        history.last_seq, std::move(history.entries));
  std::lock_guard lock(mutex_);
  auto [it, _] = rooms_.emplace(key, std::move(created));
  co_return lookup{it->second, errc::ok};
}

void room_registry::remove_everywhere(const std::shared_ptr<member>& m) {
  std::vector<std::shared_ptr<room>> joined;
  {
    std::lock_guard lock(mutex_);
    for (auto& key : m->close())
      if (auto it = rooms_.find(key); it != rooms_.end()) joined.push_back(it->second);
  }
  for (auto& r : joined) r->remove(m);
}

std::string room_registry::user_key(const std::string& event_id, const std::string& user_id) {
  return event_id + '\n' + user_id;
}

void room_registry::connected(std::shared_ptr<member> m, const std::string& event_id) {
  auto key = user_key(event_id, m->user().id);
  std::lock_guard lock(mutex_);
  sessions_[key][m->session_id()] = m;
}

void room_registry::disconnected(const std::shared_ptr<member>& m, const std::string& event_id) {
  auto key = user_key(event_id, m->user().id);
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return;
  it->second.erase(m->session_id());
  if (it->second.empty()) sessions_.erase(it);
}

void room_registry::close_user(const std::string& event_id, const std::string& user_id, core::ws_close code) {
  std::vector<std::shared_ptr<member>> found;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(user_key(event_id, user_id));
    if (it == sessions_.end()) return;
    for (auto& [_, weak] : it->second)
      if (auto m = weak.lock()) found.push_back(std::move(m));
  }
  // Outside the lock: a close function may end the session, which calls disconnected().
  for (auto& m : found) m->close(code);
}

bool room_registry::connected_as_staff(const std::string& event_id, const std::string& user_id) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(user_key(event_id, user_id));
  if (it == sessions_.end()) return false;
  for (auto& [_, weak] : it->second)
    if (auto m = weak.lock(); m && is_staff(m->user().role)) return true;
  return false;
}

asio::awaitable<std::optional<std::vector<room_members>>> room_registry::members_of(std::string event_id) {
  auto rooms = co_await event(event_id);
  if (!rooms) co_return std::nullopt;
  std::vector<room_members> out;
  out.reserve(rooms->order.size());
  std::lock_guard lock(mutex_);
  for (auto& id : rooms->order) {
    auto it = rooms_.find(rooms->event_id + "/" + id);
    out.push_back({rooms->event_id, id, it == rooms_.end() ? 0 : it->second->users()});
  }
  co_return out;
}

std::vector<room_members> room_registry::members_everywhere() const {
  std::lock_guard lock(mutex_);
  std::vector<room_members> out;
  out.reserve(rooms_.size());
  for (auto& [_, r] : rooms_) out.push_back({r->info().event_id, r->info().room_id, r->users()});
  return out;
}

void room_registry::signed_in(const std::string& event_id, const chat_user& user) {
  if (user.role == auth::role::guest) return;
  auto key = name_key(user.name);
  std::lock_guard lock(mutex_);
  ++names_[event_id].connected[key];
}

void room_registry::signed_out(const std::string& event_id, const chat_user& user) {
  if (user.role == auth::role::guest) return;
  auto key = name_key(user.name);
  std::lock_guard lock(mutex_);
  auto& connected = names_[event_id].connected;
  if (auto it = connected.find(key); it != connected.end() && --it->second == 0) connected.erase(it);
}

void room_registry::author_stored(const chat_message& m) {
  if (m.user.role == auth::role::guest) return;
  auto slash = m.room.find('/');
  if (slash == std::string::npos) return;
  auto key = name_key(m.user.name);
  std::lock_guard lock(mutex_);
  names_[m.room.substr(0, slash)].authors.insert(std::move(key));
}

asio::awaitable<bool> room_registry::name_taken(std::string event_id, std::string name) {
  auto key = name_key(name);
  {
    std::lock_guard lock(mutex_);
    auto& n = names_[event_id];
    if (n.connected.count(key) || n.authors.count(key)) co_return true;
    if (n.authors_loaded) co_return false;
  }
  // First time for this event: its signed-in authors from the chat history, in one query on
  // the store's thread. Posts stored meanwhile are added by author_stored() as well: merged.
  auto* store = services_.store;
  auto load = [store, event_id] { return store->author_names(event_id); };  // named: GCC 12
  auto authors = co_await core::run_blocking(*services_.db, std::move(load));
  std::lock_guard lock(mutex_);
  auto& n = names_[event_id];
  for (auto& a : authors) n.authors.insert(name_key(a));
  n.authors_loaded = true;
  co_return n.connected.count(key) || n.authors.count(key);
}

}  // namespace samling::rooms
