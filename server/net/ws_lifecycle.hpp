#pragma once
// The life of one WebSocket connection as the writer sees it: how far the closing handshake
// (RFC 6455 §7) has got, which decides what may still be queued and written. Pure: no I/O, no
// lock of its own. ws_connection (net/ws_connection.cpp) holds one under its queue's mutex and
// calls the transitions below; every change of phase happens in this file, so the rules can be
// read (and are tested, tests/unit/net/ws_lifecycle_test.cpp) in one place.
#include <cstdint>

#include "core/errors.hpp"

namespace samling::net {

enum class ws_phase : std::uint8_t {
  // Events and replies are queued and written; the reader takes requests.
  open,
  // A close code is chosen (ours, or the echo of the client's close frame): no new events are
  // queued; the frames already queued and every reply still owed go first, then the close frame.
  closing,
  // The same, but the queue was given up: the client stopped reading (4008), or it left while
  // the connection was closing. Replies are dropped; the close frame goes with the next write.
  closing_dropped,
  // The close frame is in the write in flight: nothing more is queued or written.
  close_in_flight,
  // The close frame went (on plain TCP the write side is then shut): only the client's close
  // frame, EOF or the close deadline remain.
  close_sent,
  // The reader ended without a close frame (EOF, reset) while open: nobody is left to read, so
  // nothing more is queued or written.
  peer_gone,
};

const char* to_string(ws_phase p);

class ws_lifecycle {
 public:
  ws_phase phase() const { return phase_; }
  // Valid once closing(): the code the close frame carries.
  core::ws_close code() const { return code_; }
  // A close code is chosen (by either side); the reader only looks for the client's close frame.
  bool closing() const { return phase_ != ws_phase::open && phase_ != ws_phase::peer_gone; }
  bool broken() const { return broken_; }

  // --- Transitions ---------------------------------------------------------------------------
  // We close with `code` (a protocol error, the handler, shutdown). Only the first close counts:
  // true when this one started the closing (the caller then arms the close deadline).
  bool close(core::ws_close code);
  // The client's close frame, answered with `echo`. When we were already closing our code
  // stands and the handshake is complete.
  void peer_closed(core::ws_close echo);
  // The client did not read what it was sent: the queue is given up. True when this started the
  // closing, with 4008 (the caller counts it and arms the close deadline).
  bool overflow();
  // The reader has ended: `graceful` after the client's close frame (replies owed still go),
  // else after EOF or an error (the queue and the replies owed are dropped).
  void reader_ended(bool graceful);
  // The writer asks whether the close frame goes now, with the queue `queue_empty` and
  // `replies_owed` replies still to come. True: it is in this write (close_in_flight). Never
  // on a broken socket.
  bool take_close_frame(bool queue_empty, bool replies_owed);
  // A write completed. True when it carried the close frame (close_sent now): the write side
  // may be shut.
  bool write_completed();
  // The socket was closed (cut) or a write failed. Orthogonal to the phase: it can happen in
  // any of them and does not change what was owed, only that none of it can go any more.
  void broke() { broken_ = true; }

  // --- What each phase allows ----------------------------------------------------------------
  // An event may be queued (ws_sink::send).
  bool accepts_events() const { return phase_ == ws_phase::open; }
  // A reply may be queued (ws_sink::reply): while open, and while closing until the close frame.
  bool accepts_replies() const {
    return !broken_ && (phase_ == ws_phase::open || phase_ == ws_phase::closing);
  }
  // The reader may wait for the client's backlog to drain; closing, it must read on to find
  // the client's close frame or the error that ends the connection.
  bool may_pause() const { return !closing() && !broken_; }
  // Queued frames may be sent straight from the flusher's thread (no control frame, no close).
  bool may_write_direct() const { return phase_ == ws_phase::open && !broken_; }
  // The writer may start a write (control frames, queued frames, the close frame).
  bool may_write() const {
    return !broken_ && phase_ != ws_phase::close_in_flight && phase_ != ws_phase::close_sent;
  }
  // Nothing more will be written once the write in flight (`writing`) is over: the socket is
  // gone, or no close frame is due (open, peer gone) or it has been taken.
  bool writer_done(bool writing) const;

 private:
  ws_phase phase_ = ws_phase::open;
  core::ws_close code_{};
  bool broken_ = false;
};

}  // namespace samling::net
