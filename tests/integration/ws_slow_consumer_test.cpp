// A client that stops reading (docs/protocol.md, close code 4008): it is disconnected once its
// send queue passes the bound, the room's other members keep getting every message in order,
// and the server's memory does not grow with what the slow client did not take.
#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <fstream>
#include <thread>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

// A line of /proc/PID/status in kB ("VmRSS", "VmHWM"); -1 when absent.
long status_kb(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + ":", 0) == 0) return std::stol(line.substr(name.size() + 1));
  return -1;
}

void enter(ws_client& c, std::uint16_t port, const std::string& sub,
           const ws_client::options& o = {}) {
  ASSERT_TRUE(c.connect(port, o)) << c.error() << " (HTTP " << c.handshake_status() << " "
                                  << c.handshake_body() << ")";
  auto h = c.hello(ws::event_id, ws::token(sub, sub));
  ASSERT_TRUE(is_ack(h)) << str(h);
  auto j = c.join(ws::room("main"));
  ASSERT_TRUE(is_ack(j)) << str(j) << "; ended " << c.ended() << ", close code "
                         << c.close_code().value_or(-1) << " " << c.error();
}

TEST(ws_slow_consumer, a_client_that_stops_reading_is_closed_with_4008_and_memory_stays_bounded) {
  server_process::options o;
  o.env = ws::auth_env();
  // Small send-queue bounds (64 frames or 64 KiB); writers that may post quickly; a small
  // resume window and history, since the server may keep that many messages per room in
  // memory by design (and a join reply is one frame in the queue).
  o.extra_toml =
      "[rooms]\nrate_burst = 1000\nrate_per_minute = 60000\nhistory = 1\nresume_window = 10\n"
      "[ws]\nsend_queue_messages = 64\nsend_queue_bytes = 65536\n";
  server_process server(o);
  const auto main = ws::room("main");

  // Messages of 1000 bytes: the 64 KiB bound holds about 56 of them.
  const std::string text = [] {
    std::string t;
    while (t.size() < 1000) t += "Hej allihop, välkomna! ";
    t.resize(1000);
    while (static_cast<unsigned char>(t.back()) >= 0x80) t.pop_back();  // whole code points only
    while (t.size() < 1000) t += '.';
    return t;
  }();
  constexpr int writers = 5;
  constexpr int n = 20000;  // 20 MB of text through the room
  // Flow control on the members that keep reading: no post goes out while the reader is more
  // than `ahead` messages behind, so no reading member's queue can near the bound, however the
  // machine schedules the server and this test. Only the client that stops reading falls behind.
  constexpr std::int64_t ahead = 24;
  constexpr std::size_t window = 8;  // unanswered posts per writer

  // The members that keep reading get a large socket receive buffer, so that the server can
  // always hand their frames to the kernel.
  ws_client::options big_window;
  big_window.receive_buffer_bytes = 4 * 1024 * 1024;
  std::vector<std::unique_ptr<ws_client>> writer(writers);
  for (int w = 0; w < writers; ++w) {
    writer[w] = std::make_unique<ws_client>();
    ASSERT_NO_FATAL_FAILURE(enter(*writer[w], server.port(), "u-writer-" + std::to_string(w), big_window));
  }
  ws_client reader, slow;
  ASSERT_NO_FATAL_FAILURE(enter(reader, server.port(), "u-reader", big_window));
  // Warm-up by another user, so that caches and pools that grow once are grown before the
  // baseline is taken.
  {
    ws_client warm;
    ASSERT_NO_FATAL_FAILURE(enter(warm, server.port(), "u-warm"));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(is_ack(warm.post(main, text)));
    std::vector<ws_client*> all{&reader, &warm};
    for (auto& w : writer) all.push_back(w.get());
    for (auto* c : all) {
      ASSERT_TRUE(c->next_event_if([](const json::object& e) { return int_field(e, "seq") == 20; }, 10s));
      c->discard_buffered();
    }
  }
  ws_client::options small_window;
  small_window.receive_buffer_bytes = 4096;
  ASSERT_NO_FATAL_FAILURE(enter(slow, server.port(), "u-slow", small_window));
  // From here on `slow` is not called, so it reads nothing, until the server has given up on it.

  const long rss_before = status_kb(server.pid(), "VmRSS");
  const long hwm_before = status_kb(server.pid(), "VmHWM");
  ASSERT_GT(rss_before, 0);
  const std::int64_t first = 21, last = first + n - 1;

  // The reader takes every message, checking the order as it goes.
  std::atomic<std::int64_t> reader_count{0};
  std::int64_t reader_last = first - 1;
  std::string reader_problem;  // the reader thread's until it is joined
  std::atomic<bool> reader_gave_up{false};
  std::thread reader_thread([&] {
    while (reader_last < last) {
      auto m = reader.next_event("message", 30s);
      if (!m) {
        reader_problem = "no message after seq " + std::to_string(reader_last) + " within 30 s" +
                         (reader.ended() ? " (connection ended, close code " +
                                               std::to_string(reader.close_code().value_or(-1)) + ")"
                                         : "");
        reader_gave_up = true;
        break;
      }
      auto seq = int_field(m, "seq");
      if (seq != reader_last + 1 && reader_problem.empty())
        reader_problem = "after seq " + std::to_string(reader_last) + " came " + std::to_string(seq);
      if (string_field(m, "text") != text && reader_problem.empty())
        reader_problem = "seq " + std::to_string(seq) + " has other text";
      reader_last = seq;
      ++reader_count;
    }
  });

  // The watcher lets `slow` read only once the server counts a slow-consumer close (it has up
  // to 5 s to deliver the close frame behind the write it is stuck in); then it expects 4008.
  std::atomic<bool> push_done{false};
  std::optional<int> slow_close;
  bool slow_ended = false;
  bool counted = false;
  std::thread watcher([&] {
    auto closes = [&] { return metric(server.port(), "samling_ws_slow_consumer_closes_total"); };
    eventually([&] { return closes() >= 1 || push_done; }, 120s);
    counted = closes() >= 1 || eventually([&] { return closes() >= 1; }, 5s);
    slow.keep_frames(false);
    slow_close = slow.wait_closed(counted ? 10s : 1s);
    slow_ended = slow.ended();
  });

  // The writers, driven round-robin from this thread: pipelined posts; each writer takes its
  // own events as it waits for its acks (its socket buffer holds what arrives while another
  // writer is being served). A post refused as rate_limited (a server faster than this
  // config's rate) is sent again with the same client_msg_id after retry_after_ms, as a client
  // should.
  struct result {
    int acked = 0;
    int rate_limited = 0;
    std::string problem;
    std::deque<std::pair<std::string, std::string>> pending;  // request id, client_msg_id
  };
  std::vector<result> results(writers);
  auto ended_note = [](ws_client& c) {
    return c.ended() ? " (connection ended, close code " + std::to_string(c.close_code().value_or(-1)) + ")"
                     : std::string();
  };
  auto send_post = [&](int w, const std::string& client_msg_id) {
    auto& c = *writer[w];
    auto id = c.next_id();
    if (!c.send({{"id", id}, {"type", "post"}, {"room", main}, {"text", text},
                 {"client_msg_id", client_msg_id}})) {
      results[w].problem = "send failed: " + c.error() + ended_note(c);
      return false;
    }
    results[w].pending.emplace_back(id, client_msg_id);
    return true;
  };
  auto take_ack = [&](int w) {
    auto& c = *writer[w];
    auto& r = results[w];
    auto [id, client_msg_id] = r.pending.front();
    r.pending.pop_front();
    auto ack = c.next_reply(json::value(id), 20s);
    if (outcome(ack) == "rate_limited" && r.rate_limited < 1000) {
      ++r.rate_limited;
      c.read_all_events(std::chrono::milliseconds(int_field(ack, "retry_after_ms")));
      return send_post(w, client_msg_id);
    }
    if (!is_ack(ack)) {
      r.problem = "post answered " + outcome(ack) + ": " + str(ack).substr(0, 300) + ended_note(c);
      return false;
    }
    ++r.acked;
    c.take_events();
    return true;
  };
  auto any_pending = [&] {
    for (auto& r : results)
      if (!r.pending.empty()) return true;
    return false;
  };
  bool failed = false;
  int sent = 0;
  const auto push_end = std::chrono::steady_clock::now() + 100s;
  while (!failed && (sent < n || any_pending()) && std::chrono::steady_clock::now() < push_end) {
    if (sent < n && sent - reader_count < ahead) {
      int w = sent % writers;
      failed = !send_post(w, "bulk-" + std::to_string(sent));
      ++sent;
      if (!failed && results[w].pending.size() >= window) failed = !take_ack(w);
      continue;
    }
    // Flow control, or the last acks: answer what is outstanding, oldest writer first.
    bool took = false;
    for (int w = 0; w < writers && !failed; ++w) {
      if (!results[w].pending.empty()) {
        failed = !take_ack(w);
        took = true;
      }
    }
    if (!took && !failed) {
      // Nothing outstanding: wait for the reader, the writers' sockets kept drained meanwhile.
      if (!eventually([&] {
            for (auto& c : writer) c->take_events();
            return sent - reader_count < ahead || reader_gave_up;
          }, 30s))
        break;
      if (reader_gave_up) break;
    }
  }
  push_done = true;
  reader_thread.join();
  watcher.join();

  EXPECT_EQ(sent, n);
  for (int w = 0; w < writers; ++w) {
    SCOPED_TRACE("writer " + std::to_string(w));
    EXPECT_EQ(results[w].problem, "");
    EXPECT_EQ(results[w].acked, n / writers);
    if (results[w].rate_limited)
      std::printf("writer %d: %d posts sent again after rate_limited\n", w, results[w].rate_limited);
    EXPECT_TRUE(writer[w]->is_open()) << "a writer was disconnected: close code "
                                      << writer[w]->close_code().value_or(-1) << " " << writer[w]->error();
  }
  EXPECT_EQ(reader_problem, "");
  EXPECT_EQ(reader_count, n) << "the reader must get every message";
  EXPECT_TRUE(reader.is_open()) << "the reader was disconnected: close code "
                                << reader.close_code().value_or(-1);
  EXPECT_TRUE(counted) << "samling_ws_slow_consumer_closes_total never reached 1";
  EXPECT_TRUE(slow_ended) << "the client that stopped reading was not disconnected";
  EXPECT_EQ(slow_close, 4008) << "slow client: " << slow.error() << "; received "
                              << slow.frames_received() << " frames";
  EXPECT_EQ(metric(server.port(), "samling_ws_slow_consumer_closes_total"), 1)
      << "only the client that stopped reading is a slow consumer";

  const long rss_after = status_kb(server.pid(), "VmRSS");
  const long hwm_after = status_kb(server.pid(), "VmHWM");
  RecordProperty("rss_before_kb", std::to_string(rss_before));
  RecordProperty("rss_after_kb", std::to_string(rss_after));
  RecordProperty("hwm_after_kb", std::to_string(hwm_after));
  std::printf("server VmRSS %ld kB -> %ld kB, VmHWM %ld kB -> %ld kB over a %d MB push\n",
              rss_before, rss_after, hwm_before, hwm_after, n / 1000);
  EXPECT_LT(rss_after - rss_before, 10 * 1024) << "RSS grew with the push";
  EXPECT_LT(hwm_after - std::max(rss_before, hwm_before), 10 * 1024) << "the peak RSS during the push";

  // The room is healthy after all this: the ones who kept reading still talk.
  auto p = writer[0]->post(main, "still here");
  ASSERT_TRUE(is_ack(p)) << str(p);
  EXPECT_TRUE(reader.next_event_if([](const json::object& e) { return string_field(e, "text") == "still here"; }));
  EXPECT_EQ(http_get(server.port(), "/healthz").status, 200);
}

}  // namespace
