#pragma once
// A WebSocket test client for the real-time protocol (docs/protocol.md), built on Beast over a
// tcp_stream, and a helper that mints signed join tokens with OpenSSL exactly as the protocol's
// Tokens section says (so tests can also mint expired, forged and wrong-key ones).
//
// Synchronous-looking: every call takes a deadline and runs the client's own io_context until
// the call is satisfied or the deadline passes. One read is kept in flight across calls (a read
// that timed out would end a Beast stream), so frames the server sends are buffered in arrival
// order and picked out by the accessors below: a reply by its id, an event by its type.
// Between calls nothing is read: a client that is not called is a client that stopped reading.
// That is the raw mode for the slow-consumer case: with options::receive_buffer_bytes small
// (SO_RCVBUF before connect) its TCP window closes after a few KiB, so the server's send queue
// for it fills; wait_closed() later drains the socket and reports the close code.
// The socket has TCP_NODELAY: small requests go out at once, not after the peer's delayed ACK.
//
// Not thread-safe; distinct clients may be driven from distinct threads. This header keeps Beast
// out of the tests that include it (the implementation is behind a pointer).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "token_codec.hpp"

namespace samling::testing {

namespace json = boost::json;
using namespace std::chrono_literals;

// One frame as received from the server.
struct ws_frame {
  json::object body;    // the parsed frame; empty when `parsed` is false
  std::string text;     // the payload as received
  bool binary = false;  // a binary frame (the server never sends one)
  bool parsed = false;  // `text` was a JSON object
  std::chrono::steady_clock::time_point at;  // when the client read it

  bool is_reply() const;  // an ack or error (it has an "id")
  bool is_event() const;  // anything else: message, presence
  std::string type() const;
};

class ws_client {
 public:
  struct options {
    std::string subprotocol = "samling.v1";  // offered in Sec-WebSocket-Protocol; "" = none
    std::string target = "/ws";
    int receive_buffer_bytes = 0;            // > 0: SO_RCVBUF, set before connect
    std::chrono::milliseconds deadline = 5s;  // for connect plus the handshake
    std::string origin;                       // sent as Origin when set (a browser page's site)
    // More request headers for the upgrade (Cookie, User-Agent: a signed-in browser).
    std::vector<std::pair<std::string, std::string>> headers;
  };

  ws_client();
  ~ws_client();  // drops the TCP connection without a closing handshake
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // Connects to 127.0.0.1:port and performs the WebSocket handshake. False on any failure;
  // handshake_status()/handshake_body() then tell what the server answered (0: no answer).
  bool connect(std::uint16_t port, const options& o);
  bool connect(std::uint16_t port) { return connect(port, options{}); }
  int handshake_status() const;
  const std::string& handshake_body() const;
  std::string handshake_header(const std::string& name) const;  // of the server's response
  const std::string& error() const;  // the last transport error, for messages

  bool is_open() const;                   // handshake done and the connection not ended
  bool ended() const;                     // ended: close frame, EOF, reset or local failure
  std::optional<int> close_code() const;  // the server's close frame code, once received
  std::string close_reason() const;

  // Sends one frame; false if the connection is gone or the write did not finish in time.
  bool send_text(std::string_view text, std::chrono::milliseconds deadline = 5s);
  bool send_binary(std::string_view bytes, std::chrono::milliseconds deadline = 5s);
  bool send(const json::object& message, std::chrono::milliseconds deadline = 5s);
  // Writes `bytes` as they are into the TCP connection, in one write call (the kernel may
  // still cut it into segments): several frames at once, a frame that breaks RFC 6455, a close
  // frame right behind a request. Build them with the wire:: helpers below; client frames must
  // be masked. The client's WebSocket state does not see what goes out this way: a close frame
  // sent raw is answered by the server's, which the reader takes as usual (close_code()).
  bool send_raw(std::string_view bytes, std::chrono::milliseconds deadline = 5s);

  // Sends `req` (with a fresh string id unless it has an "id") and waits for the ack or error
  // carrying that id; everything else that arrives meanwhile stays buffered.
  std::optional<json::object> request(json::object req, std::chrono::milliseconds deadline = 5s);
  // A fresh id for a request the caller sends itself.
  std::string next_id();
  // The next reply (ack or error) whose "id" equals `id` (json null matches "id": null).
  std::optional<json::object> next_reply(const json::value& id,
                                         std::chrono::milliseconds deadline = 5s);
  // The next reply of any id.
  std::optional<json::object> next_reply(std::chrono::milliseconds deadline = 5s);
  // The next buffered or arriving event of `type` ("" = any event); other frames stay buffered.
  std::optional<json::object> next_event(std::string_view type,
                                         std::chrono::milliseconds deadline = 5s);
  std::optional<json::object> next_event_if(const std::function<bool(const json::object&)>& pred,
                                            std::chrono::milliseconds deadline = 5s);
  // Waits until `pred` holds for the buffered frames (without removing any).
  bool wait_until(const std::function<bool(const std::vector<ws_frame>&)>& pred,
                  std::chrono::milliseconds deadline);
  // Reads until `deadline` passes or the connection ends, then takes every buffered event
  // (replies stay buffered), oldest first.
  std::vector<json::object> read_all_events(std::chrono::milliseconds deadline);
  // The same with arrival times, and every frame (events and replies).
  std::vector<ws_frame> read_all_frames(std::chrono::milliseconds deadline);
  // Reads what is readable now without waiting, then takes every buffered event.
  std::vector<json::object> take_events();
  // Frames the server sent that were not JSON objects (or were binary): should stay empty.
  const std::vector<ws_frame>& bad_frames() const;
  // Drops buffered frames without looking (a client that reads everything and ignores it).
  std::size_t discard_buffered();
  // Whether frames are buffered at all; off, frames are counted and dropped as they arrive
  // (for bulk reads that only need the connection to keep draining).
  void keep_frames(bool keep);
  std::uint64_t frames_received() const;

  // Reads (buffering) until the connection ends; returns the server's close code, nullopt when
  // the deadline passed or the connection ended without a close frame.
  std::optional<int> wait_closed(std::chrono::milliseconds deadline = 5s);
  // Starts the closing handshake and waits for it to complete.
  bool close(int code = 1000, std::chrono::milliseconds deadline = 5s);

  // The protocol's requests, for readability; each returns the ack or error (nullopt: none).
  std::optional<json::object> hello(const std::string& event, const std::string& token,
                                    std::chrono::milliseconds deadline = 5s);
  std::optional<json::object> hello_guest(const std::string& event, const std::string& name,
                                          std::chrono::milliseconds deadline = 5s);
  std::optional<json::object> join(const std::string& room,
                                   std::optional<std::uint64_t> since = std::nullopt,
                                   std::chrono::milliseconds deadline = 5s);
  std::optional<json::object> leave(const std::string& room,
                                    std::chrono::milliseconds deadline = 5s);
  // An empty client_msg_id gets a fresh unique one.
  std::optional<json::object> post(const std::string& room, const std::string& text,
                                   std::string client_msg_id = {},
                                   std::chrono::milliseconds deadline = 5s);
  std::optional<json::object> members(const std::string& room,
                                      std::chrono::milliseconds deadline = 5s);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// "ack" or the error code of a reply, or "(no reply)", for assertions that read well.
std::string outcome(const std::optional<json::object>& reply);
bool is_ack(const std::optional<json::object>& reply);
// The value at a dotted path ("result.user.id") of a reply or event; null when absent.
json::value field(const json::object& o, std::string_view path);
json::value field(const std::optional<json::object>& o, std::string_view path);
// The same as an integer (-1 when absent or not an integer) or a string ("" when not one).
std::int64_t int_field(const json::object& o, std::string_view path);
std::int64_t int_field(const std::optional<json::object>& o, std::string_view path);
std::string string_field(const json::object& o, std::string_view path);
std::string string_field(const std::optional<json::object>& o, std::string_view path);
// A compact JSON string for failure messages.
std::string str(const std::optional<json::object>& reply);
std::string str(const json::object& o);
std::string str(const json::value& v);

// --- Raw client frames (RFC 6455 5.2), for ws_client::send_raw ---------------------------------

namespace wire {
// One frame: `first_byte` is FIN, RSV1-3 and the opcode as they go on the wire (0x81: a final
// text frame, 0x82 binary, 0x80 a final continuation, 0xC1 text with RSV1 set, 0x83 a reserved
// opcode, 0x88 close); the payload masked unless `masked` is false. Any payload length.
std::string frame(std::uint8_t first_byte, std::string_view payload, bool masked = true);
// A final, masked text frame.
std::string text(std::string_view payload);
std::string text(const json::object& message);
// A masked close frame with `code` and `reason`.
std::string close(std::uint16_t code, std::string_view reason = {});
}  // namespace wire

// --- Tokens (docs/protocol.md, Tokens) ---------------------------------------------------------

// "v1.KEY_ID.base64url(payload).base64url(HMAC-SHA256(secret, "v1.KEY_ID.PAYLOAD"))".
std::string mint_token(const std::string& key_id, const std::string& secret,
                       const json::object& payload);
std::int64_t unix_seconds();

// The test deployment: the server gets this key through the environment, tests mint with it.
namespace ws {
inline const std::string event_id = "stockholm-tillsammans-2027";
inline const std::string key_id = "k1";
inline const std::string secret = "samling-integration-test-secret-0123456789";  // >= 32 bytes
// SAMLING_AUTH_KEY_ID and SAMLING_AUTH_SECRET for server_process::options::env.
std::map<std::string, std::string> auth_env();
// "stockholm-tillsammans-2027/ROOM".
std::string room(const std::string& id, const std::string& event = event_id);
// The claims of a token valid for an hour.
json::object claims(const std::string& sub, const std::string& name, const std::string& role,
                    const std::string& event = event_id);
// A token signed with the test key.
std::string token(const std::string& sub, const std::string& name,
                  const std::string& role = "attendee", const std::string& event = event_id);
// A unique suffix for names and message texts (per process, increasing).
std::string unique(const std::string& prefix);
// What a newcomer sees: a fresh organizer connection (it may enter every room) says hello and
// joins `room`; returns the join reply (nullopt when any step failed).
std::optional<json::object> fresh_join(std::uint16_t port, const std::string& room,
                                       std::optional<std::uint64_t> since = std::nullopt);
// The "messages" of a join ack (empty when the reply is not an ack).
std::vector<json::object> messages_of(const std::optional<json::object>& join_reply);
}  // namespace ws

}  // namespace samling::testing
