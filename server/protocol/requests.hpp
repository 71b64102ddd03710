#pragma once
// The requests a client sends (docs/protocol.md, Client → server), decoded from one text frame
// into typed values. One table (request_types()) names every request type with its decoder and
// whether it comes before or after hello; decode_request() applies the envelope rules (JSON
// object, id, type) and then the type's decoder. Pure: no I/O, no state, any thread; a fuzz
// target can call decode_request() alone.
//
// To add a request type: a struct here and its alternative in request_body, its decoder and
// table row in requests.cpp, its result's encoder in frames.hpp, its route and handler in
// api/protocol_session.cpp (static_asserts ask for the row and the route), and its section in
// docs/protocol.md (the doc test asks for it).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include <boost/json/object.hpp>

#include "core/errors.hpp"

namespace samling::protocol {

// Why a request was refused before anything ran: the error reply's code and message.
struct decode_error {
  core::errc code = core::errc::bad_message;
  std::string message;
  bool operator==(const decode_error&) const = default;
};

struct hello_request {
  struct token_credential {
    std::string token;
  };
  struct guest_credential {
    // The guest's display name. A name that is not a string is answered only once the event
    // is known (a hello for an unknown event hears that first), so the error is kept here.
    std::variant<std::string, decode_error> name;
  };
  // Neither a token nor a guest: the staff session cookie sent with the WebSocket upgrade
  // (docs/protocol.md, hello); the session decides, since only it saw the upgrade request.
  struct session_credential {};
  std::string event;
  std::variant<token_credential, guest_credential, session_credential> credential;
};
struct join_request {
  std::string room;
  std::optional<std::uint64_t> since;
};
struct leave_request {
  std::string room;
};
struct post_request {
  std::string room;
  std::string text;
  std::string client_msg_id;  // 1-64 bytes
};
struct members_request {
  std::string room;
};
struct ping_request {};
struct stages_request {};

// One alternative per request type, in the order of request_types().
using request_body = std::variant<hello_request, join_request, leave_request, post_request,
                                  members_request, ping_request, stages_request>;

namespace detail {
template <typename T, typename... Ts>
constexpr std::size_t index_in(const std::variant<Ts...>*) {
  constexpr bool same[] = {std::is_same_v<T, Ts>...};
  for (std::size_t i = 0; i < sizeof...(Ts); ++i)
    if (same[i]) return i;
  return sizeof...(Ts);
}
}  // namespace detail

// The index of request type T in request_body (and in request_types()).
template <typename T>
inline constexpr std::size_t request_index = detail::index_in<T>(static_cast<const request_body*>(nullptr));
inline constexpr std::size_t request_type_count = std::variant_size_v<request_body>;

// When a session may send a request: hello only before a successful hello
// (already_authenticated after), every other only after one (not_authenticated before).
enum class admits { before_hello, after_hello };

struct request_type {
  std::string_view name;  // the "type" on the wire
  admits when;
  // The request's fields, from the frame's object (whose "id" and "type" are already checked).
  std::variant<request_body, decode_error> (*decode)(const boost::json::object& frame);
};

// Every request type, indexed like request_body.
std::span<const request_type> request_types();
// The type with that wire name, or nullptr.
const request_type* find_request_type(std::string_view name);

// A request ready to run.
struct request {
  std::string id_json;  // the id as JSON, for the reply
  const request_type* type = nullptr;
  request_body body;
};
// A request refused by decoding; its reply is `error` with `id_json`.
struct rejected {
  std::string id_json = "null";  // "null" when the frame has no usable id
  // Set when the envelope was good and only the type's fields were wrong: the session still
  // checks hello first (not_authenticated and already_authenticated take precedence).
  const request_type* type = nullptr;
  decode_error error;
};

// Parses one text frame: a JSON object (bad_json), an "id" that is a string of 1-64 characters
// or an integer (bad_message, id null), a string "type" (bad_message), a known type
// (unknown_type), then that type's fields (bad_message naming the field).
std::variant<request, rejected> decode_request(std::string_view text);

}  // namespace samling::protocol
