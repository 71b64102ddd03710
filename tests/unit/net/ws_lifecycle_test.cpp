// The closing handshake's rules (server/net/ws_lifecycle.hpp), as docs/protocol.md ("Closing")
// states them: every reply owed goes before the close frame, nothing after it, 4008 drops the
// queue, a peer that left without a close frame is owed nothing, and a broken socket ends all
// writing whatever the phase.
#include <gtest/gtest.h>

#include <ostream>

#include "net/ws_lifecycle.hpp"

namespace samling::net {
// Readable phases in failure messages.
void PrintTo(ws_phase p, std::ostream* os) { *os << to_string(p); }
}  // namespace samling::net

using namespace samling::net;
using samling::core::ws_close;

namespace {

TEST(ws_lifecycle, open_takes_events_and_replies_and_owes_no_close_frame) {
  ws_lifecycle l;
  EXPECT_EQ(l.phase(), ws_phase::open);
  EXPECT_FALSE(l.closing());
  EXPECT_TRUE(l.accepts_events());
  EXPECT_TRUE(l.accepts_replies());
  EXPECT_TRUE(l.may_pause());
  EXPECT_TRUE(l.may_write_direct());
  EXPECT_TRUE(l.may_write());
  EXPECT_FALSE(l.take_close_frame(true, false));
  EXPECT_FALSE(l.write_completed());
  EXPECT_TRUE(l.writer_done(false));
  EXPECT_FALSE(l.writer_done(true));  // the write in flight still has to finish
}

TEST(ws_lifecycle, the_first_close_wins) {
  ws_lifecycle l;
  EXPECT_TRUE(l.close(ws_close::protocol_error));
  EXPECT_EQ(l.phase(), ws_phase::closing);
  EXPECT_FALSE(l.close(ws_close::going_away));
  l.peer_closed(ws_close::normal);  // the client's close answers ours: the handshake is complete
  EXPECT_EQ(l.code(), ws_close::protocol_error);
  EXPECT_EQ(l.phase(), ws_phase::closing);
}

TEST(ws_lifecycle, a_close_frame_from_the_client_is_echoed) {
  ws_lifecycle l;
  l.peer_closed(ws_close::going_away);
  EXPECT_EQ(l.phase(), ws_phase::closing);
  EXPECT_EQ(l.code(), ws_close::going_away);
  EXPECT_FALSE(l.close(ws_close::too_big));  // ours comes too late: the echo stands
  EXPECT_EQ(l.code(), ws_close::going_away);
}

TEST(ws_lifecycle, closing_sends_every_owed_reply_before_the_close_frame) {
  ws_lifecycle l;
  ASSERT_TRUE(l.close(ws_close::going_away));
  EXPECT_FALSE(l.accepts_events());
  EXPECT_TRUE(l.accepts_replies());
  EXPECT_FALSE(l.may_pause());  // the reader reads on, to find the client's close frame
  EXPECT_FALSE(l.may_write_direct());
  EXPECT_TRUE(l.may_write());
  EXPECT_FALSE(l.writer_done(false));  // a close frame is due
  EXPECT_FALSE(l.take_close_frame(false, false));  // frames still queued
  EXPECT_FALSE(l.take_close_frame(true, true));    // a reply still owed
  EXPECT_EQ(l.phase(), ws_phase::closing);
  EXPECT_TRUE(l.take_close_frame(true, false));
  EXPECT_EQ(l.phase(), ws_phase::close_in_flight);
  // After the close frame nothing more is queued or written.
  EXPECT_FALSE(l.accepts_replies());
  EXPECT_FALSE(l.may_write());
  EXPECT_FALSE(l.take_close_frame(true, false));
  EXPECT_FALSE(l.writer_done(true));
  EXPECT_TRUE(l.writer_done(false));
  EXPECT_TRUE(l.write_completed());  // this write carried it: the write side may be shut
  EXPECT_EQ(l.phase(), ws_phase::close_sent);
  EXPECT_FALSE(l.write_completed());  // once
  EXPECT_FALSE(l.may_write());
  EXPECT_TRUE(l.writer_done(false));
}

TEST(ws_lifecycle, the_clients_close_frame_still_gets_the_replies_it_is_owed) {
  ws_lifecycle l;
  l.peer_closed(ws_close::normal);
  l.reader_ended(true);
  EXPECT_EQ(l.phase(), ws_phase::closing);
  EXPECT_TRUE(l.accepts_replies());
  EXPECT_FALSE(l.take_close_frame(true, true));
  EXPECT_TRUE(l.take_close_frame(true, false));
}

TEST(ws_lifecycle, a_slow_consumer_loses_its_queue_and_gets_4008_at_once) {
  ws_lifecycle l;
  EXPECT_TRUE(l.overflow());
  EXPECT_EQ(l.phase(), ws_phase::closing_dropped);
  EXPECT_EQ(l.code(), ws_close::slow_consumer);
  EXPECT_FALSE(l.accepts_events());
  EXPECT_FALSE(l.accepts_replies());
  EXPECT_FALSE(l.close(ws_close::going_away));
  EXPECT_TRUE(l.take_close_frame(true, true));  // replies owed no longer hold it back
  EXPECT_EQ(l.code(), ws_close::slow_consumer);
}

TEST(ws_lifecycle, an_overflow_while_closing_keeps_the_code_and_drops_the_replies) {
  ws_lifecycle l;
  ASSERT_TRUE(l.close(ws_close::going_away));
  EXPECT_FALSE(l.overflow());  // not a new closing: no 4008, no second deadline
  EXPECT_EQ(l.phase(), ws_phase::closing_dropped);
  EXPECT_EQ(l.code(), ws_close::going_away);
  EXPECT_FALSE(l.accepts_replies());
  EXPECT_TRUE(l.take_close_frame(true, true));
}

TEST(ws_lifecycle, a_peer_that_left_without_a_close_frame_is_owed_nothing) {
  ws_lifecycle l;
  l.reader_ended(false);
  EXPECT_EQ(l.phase(), ws_phase::peer_gone);
  EXPECT_FALSE(l.closing());
  EXPECT_FALSE(l.accepts_events());
  EXPECT_FALSE(l.accepts_replies());
  EXPECT_FALSE(l.may_write_direct());
  EXPECT_FALSE(l.close(ws_close::going_away));  // nobody to send a close frame to
  EXPECT_FALSE(l.take_close_frame(true, false));
  EXPECT_TRUE(l.writer_done(false));
  EXPECT_FALSE(l.writer_done(true));
}

TEST(ws_lifecycle, a_peer_that_left_while_closing_still_gets_the_close_frame_that_was_due) {
  ws_lifecycle l;
  ASSERT_TRUE(l.close(ws_close::too_many_errors));
  l.reader_ended(false);
  EXPECT_EQ(l.phase(), ws_phase::closing_dropped);
  EXPECT_FALSE(l.accepts_replies());
  EXPECT_FALSE(l.writer_done(false));
  EXPECT_TRUE(l.take_close_frame(true, true));
  EXPECT_EQ(l.code(), ws_close::too_many_errors);
}

TEST(ws_lifecycle, the_reader_ending_after_the_close_frame_went_changes_nothing) {
  ws_lifecycle l;
  ASSERT_TRUE(l.close(ws_close::going_away));
  ASSERT_TRUE(l.take_close_frame(true, false));
  l.reader_ended(false);
  EXPECT_EQ(l.phase(), ws_phase::close_in_flight);
  EXPECT_TRUE(l.write_completed());
  l.reader_ended(true);
  EXPECT_EQ(l.phase(), ws_phase::close_sent);
}

TEST(ws_lifecycle, a_broken_socket_ends_all_writing_in_every_phase) {
  auto broken_in = [](auto&& reach) {
    ws_lifecycle l;
    reach(l);
    l.broke();
    return l;
  };
  for (auto l : {broken_in([](ws_lifecycle&) {}),
                 broken_in([](ws_lifecycle& l) { l.close(ws_close::going_away); }),
                 broken_in([](ws_lifecycle& l) { l.overflow(); }),
                 broken_in([](ws_lifecycle& l) {
                   l.close(ws_close::going_away);
                   l.take_close_frame(true, false);
                 })}) {
    SCOPED_TRACE(to_string(l.phase()));
    EXPECT_TRUE(l.broken());
    EXPECT_FALSE(l.accepts_replies());
    EXPECT_FALSE(l.may_write());
    EXPECT_FALSE(l.may_write_direct());
    EXPECT_FALSE(l.may_pause());           // a paused reader reads on and meets the error
    EXPECT_TRUE(l.writer_done(true));      // a write in flight on a broken socket cannot end well
  }
}

TEST(ws_lifecycle, the_phase_still_records_the_closing_after_the_socket_broke) {
  ws_lifecycle l;
  l.broke();
  EXPECT_TRUE(l.close(ws_close::going_away));  // the close deadline is still armed
  EXPECT_EQ(l.phase(), ws_phase::closing);
  EXPECT_FALSE(l.take_close_frame(true, false));  // but no close frame can go
  EXPECT_EQ(l.phase(), ws_phase::closing);
}

}  // namespace
