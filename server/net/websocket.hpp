#pragma once
// WebSocket seen from outside net/, without Beast: the server upgrades `GET /ws` (subprotocol
// samling.v1), then feeds each text frame to a ws_handler and sends what the handler (or the
// rooms it talks to) hand to the ws_sink. The protocol itself lives in api/.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/errors.hpp"
#include "net/router.hpp"

namespace samling::net {

// The sending side of one WebSocket connection. Thread-safe: rooms on other strands call
// send() and reply(). A frame goes out as soon as the handler run that queued it returns
// (a room's whole fan-out is one pass) when the connection has no write in flight; frames
// that arrive while one is in flight go together in the next write (ws_flusher.hpp). Only
// under load, and only on a connection that is receiving a stream of events, do events wait
// up to ws.write_batch_ms for company; replies never wait. What the socket did not accept,
// and what waits behind it, is bounded by ws.send_queue_messages and ws.send_queue_bytes:
// past the bound the connection is closed with 4008 (slow consumer) instead of growing memory
// or slowing the sender.
class ws_sink {
 public:
  virtual ~ws_sink() = default;
  // Queues an event. A non-empty `coalesce_key` replaces a queued, unsent frame with the
  // same key (latest-value data such as presence). Never blocks; a no-op once closing.
  virtual void send(std::shared_ptr<const std::string> frame, std::string_view coalesce_key = {}) = 0;
  // Queues the one reply to a request the handler was given (ack or error). It goes out with
  // the next write, never held for batching, and is still sent while the connection closes:
  // a close frame waits until every request read before it has its reply.
  virtual void reply(std::shared_ptr<const std::string> frame) = 0;
  // Closes with `code` (the first call wins). Frames already queued and the replies still owed
  // go out first, then the close frame (4008 drops the queue: the client is not reading). The
  // whole closing gets 5 s; a client that stopped reading is then cut at the TCP level.
  virtual void close(core::ws_close code) = 0;
};

// One connection's protocol state. Called on the connection's strand only, one frame at a
// time: on_text is awaited before the next frame is read. Each text message leads to exactly
// one sink->reply() (now or later, from any thread); the connection counts them to know when a
// close frame may follow.
class ws_handler {
 public:
  virtual ~ws_handler() = default;
  virtual boost::asio::awaitable<void> on_text(std::string text) = 0;
  // The connection is gone (closed by either side); release rooms and timers.
  virtual void on_closed() = 0;
};

struct ws_context {
  std::shared_ptr<ws_sink> sink;
  boost::asio::any_io_executor strand;  // the connection's strand
  std::string remote;
  const request* upgrade = nullptr;     // the HTTP upgrade request (valid during the call)
};

using ws_handler_factory = std::function<std::shared_ptr<ws_handler>(ws_context ctx)>;

struct ws_options {
  std::uint64_t max_frame_bytes = 64 * 1024;
  std::size_t send_queue_messages = 256;
  std::size_t send_queue_bytes = 1024 * 1024;
  std::uint32_t idle_timeout_seconds = 30;
  // Under load (the server fans out more than batch_above_frames_per_second events), events
  // for a connection that was written to less than this long ago wait until then to go out
  // together; 0 = never wait. Idle connections and replies never wait.
  std::chrono::milliseconds write_batch{50};
  std::uint32_t batch_above_frames_per_second = 20000;
};

}  // namespace samling::net
