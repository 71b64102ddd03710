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
#include <vector>

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
  // A projector's kiosk link (docs/protocol.md, hello): read-only, one room.
  struct kiosk_credential {
    std::string id;
  };
  // A press grant (docs/protocol.md, Press grant hello; issue 18): the personal press link's
  // token ("g1.…"), checked by the session against the press keys and the revocations.
  struct grant_credential {
    std::string token;
  };
  std::string event;
  std::variant<token_credential, guest_credential, session_credential, kiosk_credential, grant_credential>
      credential;
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

// Q&A, polls and moderation (docs/protocol.md, issue 17). The decoders check the fields' types
// and names; the rules on values (lengths, states) are the operations' (qa/ops, moderation/ops),
// except the few limits of a moderate request that have no error code of their own.
struct ask_request {
  std::string room;
  std::string text;           // as sent: the session trims and checks it (rooms::check_text)
  std::string client_msg_id;  // 1-64 bytes
  bool anonymous = false;
  bool hall = false;          // a question heard in the hall, entered by staff
  std::string name;           // the hall asker's name, optional ("" when absent or null)
};
struct vote_request {
  std::string room;
  std::string question;
  bool up = true;             // false: take the vote back
};
// The question actions, named as on the wire.
enum class question_verb { approve, reject, edit, merge, pin, unpin, answered, archive, restore };
struct question_request {
  std::string room;
  std::string question;
  question_verb action = question_verb::approve;
  std::string reason;         // optional (reject)
  std::string text;           // edit: required
  std::string into;           // merge: required, the question that stays
};
struct poll_create_request {
  std::string room;
  std::string text;
  bool multiple = false;      // kind "multiple"; "single" otherwise
  std::vector<std::string> options;
  bool hidden = false;        // results "hidden" until revealed; "live" otherwise
};
enum class poll_verb { open, close, reveal, hide, archive };
struct poll_request {
  std::string room;
  std::string poll;
  poll_verb action = poll_verb::open;
};
struct poll_vote_request {
  std::string room;
  std::string poll;
  std::vector<std::int64_t> choices;  // option indexes; [] takes the vote back
};
enum class moderate_verb {
  delete_message, release_message, mute, unmute, ban, unban, slow_mode, lock, unlock, words, premoderation
};
struct moderate_request {
  std::string room;
  moderate_verb action = moderate_verb::delete_message;
  std::uint64_t seq = 0;           // delete_message, release_message
  std::string user;                // mute, unmute, ban, unban
  std::string name;                // optional, with user
  std::int64_t seconds = 0;        // mute (> 0), slow_mode (0-3600)
  std::string reason;              // optional
  std::vector<std::string> words;  // words: the event's whole list
  bool on = false;                 // premoderation
};
inline constexpr std::size_t reason_max_chars = 500;
inline constexpr std::int64_t mute_max_seconds = 366LL * 24 * 3600;
inline constexpr std::int64_t slow_mode_max_seconds = 3600;
inline constexpr std::size_t word_list_max = 500;
inline constexpr std::size_t word_max_chars = 64;

// The wire names of the verbs.
std::string_view to_string(question_verb v);
std::string_view to_string(poll_verb v);
std::string_view to_string(moderate_verb v);

// One alternative per request type, in the order of request_types().
using request_body = std::variant<hello_request, join_request, leave_request, post_request,
                                  members_request, ping_request, stages_request, ask_request,
                                  vote_request, question_request, poll_create_request, poll_request,
                                  poll_vote_request, moderate_request>;

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
