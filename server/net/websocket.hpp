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
// send(). Frames are queued (bounded by ws.send_queue_messages and ws.send_queue_bytes) and
// written in batches (ws_flusher.hpp); a connection whose queue passes its bound is
// closed with 4008 (slow consumer) instead of growing memory or slowing the sender.
class ws_sink {
 public:
  virtual ~ws_sink() = default;
  // Queues a text frame. A non-empty `coalesce_key` replaces a queued, unsent frame with the
  // same key (latest-value data such as presence). Never blocks; a no-op once closing.
  virtual void send(std::shared_ptr<const std::string> frame, std::string_view coalesce_key = {}) = 0;
  // Closes with `code` (the first call wins); frames still queued are dropped. A close frame
  // waits for a write in flight; if that does not finish within 5 s (a client that stopped
  // reading), the TCP connection is cut.
  virtual void close(core::ws_close code) = 0;
};

// One connection's protocol state. Called on the connection's strand only, one frame at a
// time: on_text is awaited before the next frame is read.
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
  // Under load, frames for one client wait up to this long to go out together in one write
  // (when the server is quiet they go at once); 0 = every fan-out is written right away.
  std::chrono::milliseconds write_batch{50};
};

}  // namespace samling::net
