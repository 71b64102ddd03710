#pragma once
// All rooms of the process, by "EVENT_ID/ROOM_ID". A room comes to life on first use: its
// definition from the program (which event, which kind, guests or not) and its recent messages
// from the chat store, both read on the store's thread. Thread-safe (one mutex around the maps;
// never held across a co_await or while a room runs). Owned by the app.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/errors.hpp"
#include "rooms/room.hpp"

namespace samling::rooms {

// The rooms of one event, as the protocol needs them.
struct event_rooms {
  std::string event_id;
  std::map<std::string, room_info> rooms;  // by room id
  std::vector<std::string> order;          // room ids in the program's order
  bool any_guest_room = false;
};

// A room's distinct users joined now (GET /api/v1/events/{event}/rooms/members, /metrics).
struct room_members {
  std::string event_id;
  std::string room_id;
  std::size_t members = 0;
};

class room_registry {
 public:
  room_registry(boost::asio::any_io_executor ex, room_settings settings, room_services services,
                program::program_store* program);

  // The event's rooms, or nullptr when there is no such event.
  boost::asio::awaitable<std::shared_ptr<const event_rooms>> event(std::string event_id);

  struct lookup {
    std::shared_ptr<room> found;  // set when error == ok
    core::errc error = core::errc::ok;
  };
  // The room "EVENT_ID/ROOM_ID" for a session of `session_event`: no_such_room, wrong_event,
  // or the room (created and loaded on first use).
  boost::asio::awaitable<lookup> resolve(std::string key, std::string session_event);

  // The event's rooms changed (the live program published new room definitions): the next
  // event() or resolve() reads them again from the program. Rooms already alive keep running
  // (their members stay, and a room alive now can still be joined until the process restarts).
  void forget_event(const std::string& event_id);

  // A session ended: leave every room it was in, without replies.
  void remove_everywhere(const std::shared_ptr<member>& m);

  // Sessions by (event, user id), for close_user: connected() after a successful hello,
  // disconnected() when the session ends (both any thread).
  void connected(std::shared_ptr<member> m, const std::string& event_id);
  void disconnected(const std::shared_ptr<member>& m, const std::string& event_id);
  // Closes every session of that user in that event with `code` (a ban; a revoked kiosk link:
  // user "kiosk-<first 8 of its id>"). Thread-safe; returns at once.
  void close_user(const std::string& event_id, const std::string& user_id, core::ws_close code);
  // Whether a session of that user connected to that event now speaks as staff (a moderator or
  // an organizer): mute and ban are refused for them. Thread-safe.
  bool connected_as_staff(const std::string& event_id, const std::string& user_id) const;

  // Every room of the event in the program's order, with its distinct users joined now (0
  // for a room nobody has used yet); nullopt when there is no such event.
  boost::asio::awaitable<std::optional<std::vector<room_members>>> members_of(std::string event_id);
  // Every room that has come to life, in key order.
  std::vector<room_members> members_everywhere() const;

  // Names of the event's signed-in participants (docs/protocol.md, hello: name_taken). A
  // session with a token that is not a guest's counts while it is connected: signed_in() at
  // its hello, signed_out() when it ends. Whoever has posted in the event counts for good
  // (the chat store's authors, read once per event, then kept up to date by the rooms).
  void signed_in(const std::string& event_id, const chat_user& user);
  void signed_out(const std::string& event_id, const chat_user& user);
  // Whether `name` (compared by name_key()) is such a participant's name.
  boost::asio::awaitable<bool> name_taken(std::string event_id, std::string name);

 private:
  boost::asio::any_io_executor ex_;
  const room_settings settings_;
  const room_services services_;
  program::program_store* program_;
  void author_stored(const chat_message& m);
  static std::string user_key(const std::string& event_id, const std::string& user_id);

  struct event_names {
    std::unordered_map<std::string, std::size_t> connected;  // name key -> signed-in sessions
    std::unordered_set<std::string> authors;                 // name keys of signed-in posters
    bool authors_loaded = false;  // the store's authors are in `authors`
  };
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const event_rooms>> events_;
  std::map<std::string, std::shared_ptr<room>> rooms_;
  std::map<std::string, event_names> names_;  // by event id
  // Connected sessions by "EVENT\nUSER_ID", then by session id (close_user).
  std::unordered_map<std::string, std::map<std::string, std::weak_ptr<member>>> sessions_;
};

}  // namespace samling::rooms
