#pragma once
// The real-time protocol (docs/protocol.md) on one WebSocket connection: a protocol session
// takes each request (decoded by protocol/requests.hpp), checks it against the session's state
// and role, authenticates with a token or as a guest, and hands room work to the rooms. Runs on
// the connection's strand; replies and events leave through the connection's send queue.
#include <chrono>
#include <memory>

#include "auth/token.hpp"
#include "core/blocking.hpp"
#include "net/websocket.hpp"
#include "rooms/registry.hpp"

namespace samling::qa {
class qa_store;
}
namespace samling::moderation {
class moderation_store;
}
namespace samling::projector {
class kiosk_store;
}

namespace samling::api {

struct protocol_settings {
  std::size_t max_rooms_per_session = 16;
  std::size_t text_max_chars = 1000;
  std::size_t history = 50;
  double rate_burst = 5;
  double rate_per_minute = 60;
  std::chrono::seconds hello_timeout{10};
  std::chrono::seconds guest_token_ttl{43200};  // the token a guest reconnects with
  // Malformed requests (bad_json, bad_message, unknown_type) in a row before closing with 4009.
  int max_error_streak = 20;
  std::size_t question_max_chars = 300;  // qa.question_max_chars
};

class stage_board;
class program_board;
class staff_sessions;
struct press_context;

struct protocol_services {
  rooms::room_registry* rooms = nullptr;
  const auth::keyring* keys = nullptr;
  stage_board* stages = nullptr;  // null: no stages (media off)
  // Every session of an event gets its program and now_next events from its hello on
  // (live-program); null: none.
  program_board* programs = nullptr;
  // A hello with neither token nor guest signs in with the staff session cookie of the
  // upgrade request; null: no staff sessions.
  const staff_sessions* staff = nullptr;
  // Q&A, polls, moderation and the projector (issue 17). Stores only on `db` (the store's
  // thread); the rooms run the operations there. A null qa or moderation store: those requests
  // are `unavailable`; a null kiosk store: every kiosk hello is `kiosk_unknown`.
  qa::qa_store* qa = nullptr;
  moderation::moderation_store* moderation = nullptr;
  rooms::chat_store* chat = nullptr;
  projector::kiosk_store* kiosks = nullptr;
  core::blocking_pool* db = nullptr;
  // Press grants (a hello with `grant`) and the rooms' access rules (issue 18); null: a hello
  // with a grant is refused, and rooms keep their program rules only.
  const press_context* press = nullptr;
};

// The factory the HTTP server calls for each upgraded connection: one protocol session each.
net::ws_handler_factory make_protocol_session_factory(protocol_settings settings,
                                                      protocol_services services);

}  // namespace samling::api
