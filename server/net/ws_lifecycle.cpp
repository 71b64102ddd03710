#include "net/ws_lifecycle.hpp"

namespace samling::net {

const char* to_string(ws_phase p) {
  switch (p) {
    case ws_phase::open: return "open";
    case ws_phase::closing: return "closing";
    case ws_phase::closing_dropped: return "closing_dropped";
    case ws_phase::close_in_flight: return "close_in_flight";
    case ws_phase::close_sent: return "close_sent";
    case ws_phase::peer_gone: return "peer_gone";
  }
  return "?";
}

bool ws_lifecycle::close(core::ws_close code) {
  if (phase_ != ws_phase::open) return false;  // the first close wins; a peer that left is gone
  phase_ = ws_phase::closing;
  code_ = code;
  return true;
}

void ws_lifecycle::peer_closed(core::ws_close echo) {
  if (phase_ != ws_phase::open) return;  // our own close frame is its answer
  phase_ = ws_phase::closing;
  code_ = echo;
}

bool ws_lifecycle::overflow() {
  switch (phase_) {
    case ws_phase::open:
      phase_ = ws_phase::closing_dropped;
      code_ = core::ws_close::slow_consumer;
      return true;
    case ws_phase::closing:
      phase_ = ws_phase::closing_dropped;  // the code already chosen stands
      return false;
    default:
      return false;  // nothing is queued in the other phases
  }
}

void ws_lifecycle::reader_ended(bool graceful) {
  if (graceful) return;  // after the client's close frame: closing already, replies still go
  if (phase_ == ws_phase::open) phase_ = ws_phase::peer_gone;
  else if (phase_ == ws_phase::closing) phase_ = ws_phase::closing_dropped;
}

bool ws_lifecycle::take_close_frame(bool queue_empty, bool replies_owed) {
  bool due = !broken_ && ((phase_ == ws_phase::closing && queue_empty && !replies_owed) ||
             (phase_ == ws_phase::closing_dropped && queue_empty));
  if (due) phase_ = ws_phase::close_in_flight;
  return due;
}

bool ws_lifecycle::write_completed() {
  if (phase_ != ws_phase::close_in_flight) return false;
  phase_ = ws_phase::close_sent;
  return true;
}

bool ws_lifecycle::writer_done(bool writing) const {
  if (broken_) return true;
  if (writing) return false;
  return !closing() || phase_ == ws_phase::close_in_flight || phase_ == ws_phase::close_sent;
}

}  // namespace samling::net
