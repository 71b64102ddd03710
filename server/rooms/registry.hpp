#pragma once
// All rooms of the process, by "EVENT_ID/ROOM_ID". A room comes to life on first use: its
// definition from the program (which event, which kind, guests or not) and its recent messages
// from the chat store, both read on the store's thread. Thread-safe (one mutex around the maps;
// never held across a co_await or while a room runs). Owned by the app.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/errors.hpp"
#include "rooms/room.hpp"

namespace samling::rooms {

// The rooms of one event, as the protocol needs them.
struct event_rooms {
  std::string event_id;
  std::map<std::string, room_info> rooms;  // by room id
  bool any_guest_room = false;
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

  // A session ended: leave every room it was in, without replies.
  void remove_everywhere(const std::shared_ptr<member>& m);

 private:
  boost::asio::any_io_executor ex_;
  const room_settings settings_;
  const room_services services_;
  program::program_store* program_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const event_rooms>> events_;
  std::map<std::string, std::shared_ptr<room>> rooms_;
};

}  // namespace samling::rooms
