// Delivery of replies over WebSocket (docs/protocol.md, "Requests and replies", "Close codes";
// issue 12): a quiet server answers at once, a client that pipelines many requests and reads
// all the while is never a slow consumer, and every request read before a close gets its reply
// before the close frame. Then what the protocol document says about request ids, trimming,
// `join.since` above the room's seq, and DEL/C1 control characters, pinned to what the server
// does.
//
// Timing bounds are wide (a shared, noisy machine with 2 cores): each is far under the 50 ms a
// reply used to wait for the write-batch timer, and far over a loopback round trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"
#include "proc_usage.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

using clock_type = std::chrono::steady_clock;

const std::string main_room = ws::room("main");

server_process::options delivery_server(const std::string& extra_toml = {}) {
  server_process::options o;
  o.env = ws::auth_env();
  // One user may post as fast as the tests want; everything else (the send-queue bounds of
  // 256 messages and 1 MiB, ws.write_batch_ms) keeps its default.
  o.extra_toml = "[rooms]\nrate_burst = 1000\nrate_per_minute = 60000\n" + extra_toml;
  return o;
}

// Connects and says hello (and joins the main room when `join_main`), failing the test on the way.
void enter(ws_client& c, std::uint16_t port, const std::string& sub, bool join_main = true) {
  ASSERT_TRUE(c.connect(port)) << c.error() << " (HTTP " << c.handshake_status() << " "
                               << c.handshake_body() << ")";
  auto h = c.hello(ws::event_id, ws::token(sub, sub));
  ASSERT_TRUE(is_ack(h)) << str(h);
  if (join_main) {
    auto j = c.join(main_room);
    ASSERT_TRUE(is_ack(j)) << str(j);
  }
}

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string ended_note(const ws_client& c) {
  if (!c.ended()) return "the connection is open";
  return "the connection ended, close code " +
         (c.close_code() ? std::to_string(*c.close_code()) : std::string("(none)")) +
         (c.error().empty() ? "" : ", " + c.error());
}

// "ack q1, error(bad_json) null, …" for failure messages.
std::string summary(const std::vector<ws_frame>& frames, std::size_t max = 30) {
  std::string out;
  std::size_t n = 0;
  for (auto& f : frames) {
    if (n++ == max) return out + ", … (" + std::to_string(frames.size()) + " frames)";
    if (!out.empty()) out += ", ";
    out += f.is_reply() ? f.type() + (f.type() == "error" ? "(" + string_field(f.body, "code") + ")" : "") +
                              " " + str(field(f.body, "id"))
                        : f.type();
  }
  return out.empty() ? "(nothing)" : out;
}

std::vector<ws_frame> replies_in(const std::vector<ws_frame>& frames) {
  std::vector<ws_frame> out;
  for (auto& f : frames)
    if (f.is_reply()) out.push_back(f);
  return out;
}

json::object ping(const std::string& id) { return {{"id", id}, {"type", "ping"}}; }

json::object post_of(const std::string& id, const std::string& text, const std::string& client_msg_id,
                     const std::string& room = main_room) {
  return {{"id", id}, {"type", "post"}, {"room", room}, {"text", text}, {"client_msg_id", client_msg_id}};
}

// --- 1. A quiet server answers at once ----------------------------------------------------------

TEST(ws_delivery, a_quiet_server_answers_back_to_back_pings_at_once) {
  server_process server(delivery_server());
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-pinger", false));
  std::vector<double> rtt;
  auto start = clock_type::now();
  for (int i = 0; i < 50; ++i) {
    auto t = clock_type::now();
    auto p = c.request({{"type", "ping"}});
    ASSERT_TRUE(is_ack(p)) << "ping " << i << ": " << str(p) << "; " << ended_note(c);
    rtt.push_back(ms_since(t));
  }
  auto total = ms_since(start);
  std::sort(rtt.begin(), rtt.end());
  RecordProperty("ping_median_ms", std::to_string(median(rtt)));
  EXPECT_LT(median(rtt), 15.0) << "median ping round trip, ms (min " << rtt.front() << ", max "
                               << rtt.back() << ")";
  EXPECT_LT(total, 1250.0) << "ms for 50 back-to-back pings (the old write-batch window alone is "
                              "50 x 50 ms = 2500 ms)";
}

TEST(ws_delivery, a_quiet_server_acknowledges_sequential_posts_at_once) {
  server_process server(delivery_server());
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-poster"));
  std::vector<double> rtt;
  auto start = clock_type::now();
  for (int i = 0; i < 50; ++i) {
    auto t = clock_type::now();
    auto p = c.post(main_room, "nummer " + std::to_string(i));
    ASSERT_TRUE(is_ack(p)) << "post " << i << ": " << str(p) << "; " << ended_note(c);
    EXPECT_EQ(int_field(p, "result.seq"), i + 1) << str(p);
    rtt.push_back(ms_since(t));
  }
  auto total = ms_since(start);
  std::sort(rtt.begin(), rtt.end());
  RecordProperty("post_median_ms", std::to_string(median(rtt)));
  EXPECT_LT(median(rtt), 15.0) << "median post-to-ack round trip, ms (min " << rtt.front() << ", max "
                               << rtt.back() << ")";
  EXPECT_LT(total, 1250.0) << "ms for 50 sequential posts (the old write-batch window alone is 2500 ms)";
}

TEST(ws_delivery, hello_join_leave_join_each_answer_at_once) {
  server_process server(delivery_server());
  // Several connections in turn, one after the other (the server is otherwise idle); the
  // median of each step over them, so that one scheduling hiccup does not decide.
  const std::vector<std::string> steps{"hello", "join", "leave", "join again"};
  std::vector<std::vector<double>> rtt(steps.size());
  for (int k = 0; k < 7; ++k) {
    ws_client c;
    ASSERT_TRUE(c.connect(server.port())) << c.error();
    auto t = clock_type::now();
    auto h = c.hello(ws::event_id, ws::token("u-steps-" + std::to_string(k), "Steps"));
    rtt[0].push_back(ms_since(t));
    ASSERT_TRUE(is_ack(h)) << str(h);
    t = clock_type::now();
    auto j = c.join(main_room);
    rtt[1].push_back(ms_since(t));
    ASSERT_TRUE(is_ack(j)) << str(j);
    t = clock_type::now();
    auto l = c.leave(main_room);
    rtt[2].push_back(ms_since(t));
    ASSERT_TRUE(is_ack(l)) << str(l);
    t = clock_type::now();
    j = c.join(main_room);
    rtt[3].push_back(ms_since(t));
    ASSERT_TRUE(is_ack(j)) << str(j);
  }
  for (std::size_t s = 0; s < steps.size(); ++s) {
    std::string all;
    for (auto v : rtt[s]) all += " " + std::to_string(static_cast<int>(v + 0.5));
    EXPECT_LT(median(rtt[s]), 15.0) << "median round trip of " << steps[s] << ", ms; each:" << all;
  }
}

// --- 2. A pipelined burst from a client that reads ------------------------------------------------

TEST(ws_delivery, a_client_that_pipelines_1000_posts_and_reads_gets_every_ack_and_stays) {
  // The default send-queue bound (256 messages, 1 MiB) applies: a client that reads all the
  // time is not a slow consumer however many requests it pipelines.
  server_process server(delivery_server());
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-burst"));
  constexpr int n = 1000;
  std::string burst;
  for (int i = 0; i < n; ++i)
    burst += wire::text(post_of("b" + std::to_string(i), "burst " + std::to_string(i), "burst-" + std::to_string(i)));
  ASSERT_TRUE(c.send_raw(burst, 20s)) << c.error() << "; " << ended_note(c);

  // Read (everything, as it comes) until every ack is in or the connection ends.
  auto replies = [](const std::vector<ws_frame>& frames) {
    return std::count_if(frames.begin(), frames.end(), [](const ws_frame& f) { return f.is_reply(); });
  };
  auto events = [](const std::vector<ws_frame>& frames) {
    return std::count_if(frames.begin(), frames.end(), [](const ws_frame& f) { return f.type() == "message"; });
  };
  c.wait_until([&](const std::vector<ws_frame>& f) { return replies(f) >= n && events(f) >= n; }, 60s);
  auto frames = c.read_all_frames(0ms);
  auto got = replies_in(frames);

  EXPECT_FALSE(c.ended()) << "the client was disconnected after " << got.size() << " of " << n
                          << " acks: " << ended_note(c);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(n))
      << "acks received; " << ended_note(c) << "; the first replies: " << summary(got, 5);
  for (int i = 0; i < n; ++i) {
    const auto& r = got[static_cast<std::size_t>(i)];
    ASSERT_EQ(string_field(r.body, "id"), "b" + std::to_string(i)) << "reply " << i << " out of order: " << r.text;
    ASSERT_EQ(r.type(), "ack") << r.text;
    ASSERT_EQ(int_field(r.body, "result.seq"), i + 1) << r.text;
  }
  // And the sender's own message events, each once, in order.
  std::int64_t next = 1;
  for (auto& f : frames) {
    if (f.type() != "message") continue;
    EXPECT_EQ(int_field(f.body, "seq"), next) << f.text;
    next = int_field(f.body, "seq") + 1;
  }
  EXPECT_EQ(next, n + 1) << "message events up to seq";

  // Still open and answering.
  auto p = c.request({{"type", "ping"}});
  EXPECT_TRUE(is_ack(p)) << str(p) << "; " << ended_note(c);

  // Another client sees the room at seq 1000, exactly once each.
  auto j = ws::fresh_join(server.port(), main_room);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.seq"), n) << str(j).substr(0, 300);
  auto tail = ws::messages_of(ws::fresh_join(server.port(), main_room, n - 10));
  ASSERT_EQ(tail.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(int_field(tail[static_cast<std::size_t>(i)], "seq"), n - 9 + i);
    EXPECT_EQ(string_field(tail[static_cast<std::size_t>(i)], "text"), "burst " + std::to_string(n - 10 + i));
  }
}

// A client on a slow link (a 16 KiB receive window) that pipelines 1000 posts and then reads
// steadily, a little at a time: the server's socket refuses bytes almost at once, so what it
// produces for this client piles up behind the blocked write. The server stops taking the
// client's requests while that backlog drains (TCP slows the client down) instead of closing it
// as a slow consumer: every post is acknowledged, once and in order.
TEST(ws_delivery, a_client_on_a_slow_link_that_pipelines_posts_is_slowed_down_not_closed) {
  server_process server(delivery_server());
  ws_client c;
  ws_client::options o;
  o.receive_buffer_bytes = 16384;
  ASSERT_TRUE(c.connect(server.port(), o)) << c.error();
  ASSERT_TRUE(is_ack(c.hello(ws::event_id, ws::token("u-slowlink", "u-slowlink"))));
  ASSERT_TRUE(is_ack(c.join(main_room)));
  constexpr int n = 1000;
  const std::string padding(900, 'x');  // about 1.1 MB of acks and message events in all
  std::string burst;
  for (int i = 0; i < n; ++i)
    burst += wire::text(post_of("s" + std::to_string(i), "slow link " + std::to_string(i) + " " + padding,
                                "slow-" + std::to_string(i)));
  ASSERT_TRUE(c.send_raw(burst, 20s)) << c.error() << "; " << ended_note(c);
  // Busy elsewhere for a moment (the window fills), then read a little, pause, read again:
  // never more than what arrives in 2 ms, then 5 ms of nothing.
  std::this_thread::sleep_for(500ms);
  std::vector<ws_frame> frames;
  auto acks = [&] {
    return std::count_if(frames.begin(), frames.end(), [](const ws_frame& f) { return f.is_reply(); });
  };
  auto until = clock_type::now() + 60s;
  while (acks() < n && !c.ended() && clock_type::now() < until) {
    auto got = c.read_all_frames(2ms);
    frames.insert(frames.end(), got.begin(), got.end());
    std::this_thread::sleep_for(5ms);
  }
  auto got = replies_in(frames);
  EXPECT_FALSE(c.ended()) << "closed after " << got.size() << " of " << n << " acks: " << ended_note(c);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(n)) << ended_note(c);
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(string_field(got[static_cast<std::size_t>(i)].body, "id"), "s" + std::to_string(i));
    ASSERT_EQ(int_field(got[static_cast<std::size_t>(i)].body, "result.seq"), i + 1);
  }
}

// --- 3. Every reply before the close --------------------------------------------------------------

// Two pings and then `bad`, all in one write, on an authenticated connection: both acks, in
// order, then `bad_json_errors` bad_json errors (id null), then the close frame with `code`.
void expect_replies_then_close(const std::string& bad, int code, int bad_json_errors = 0,
                               const std::string& extra_toml = {}) {
  server_process server(delivery_server(extra_toml));
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-closer", false));
  ASSERT_TRUE(c.send_raw(wire::text(ping("p1")) + wire::text(ping("p2")) + bad)) << c.error();
  auto closed = c.wait_closed(10s);
  auto frames = c.read_all_frames(0ms);
  auto got = replies_in(frames);
  EXPECT_EQ(closed, code) << ended_note(c);
  const std::string seen = "replies before the close: " + summary(got);
  ASSERT_EQ(got.size(), static_cast<std::size_t>(2 + bad_json_errors)) << seen;
  EXPECT_EQ(string_field(got[0].body, "id"), "p1") << seen;
  EXPECT_EQ(got[0].type(), "ack") << seen;
  EXPECT_EQ(string_field(got[1].body, "id"), "p2") << seen;
  EXPECT_EQ(got[1].type(), "ack") << seen;
  for (std::size_t i = 2; i < got.size(); ++i) {
    EXPECT_EQ(string_field(got[i].body, "code"), "bad_json") << got[i].text;
    EXPECT_TRUE(field(got[i].body, "id").is_null()) << got[i].text;
  }
  EXPECT_TRUE(c.bad_frames().empty()) << "the server sent a frame that is not a JSON object";
}

TEST(ws_delivery, replies_before_a_1002_close_for_a_reserved_bit) {
  expect_replies_then_close(wire::frame(0xC1, R"({"id":"x","type":"ping"})"), 1002);
}

TEST(ws_delivery, replies_before_a_1002_close_for_a_reserved_opcode) {
  expect_replies_then_close(wire::frame(0x83, R"({"id":"x","type":"ping"})"), 1002);
}

TEST(ws_delivery, replies_before_a_1002_close_for_a_continuation_with_no_message_started) {
  expect_replies_then_close(wire::frame(0x80, R"({"id":"x","type":"ping"})"), 1002);
}

TEST(ws_delivery, replies_before_a_1003_close_for_a_binary_frame) {
  expect_replies_then_close(wire::frame(0x82, R"({"id":"x","type":"ping"})"), 1003);
}

TEST(ws_delivery, replies_before_a_1007_close_for_invalid_utf8) {
  expect_replies_then_close(wire::text("{\"id\":\"x\",\"type\":\"ping\",\"t\":\"\xff\xfe\xc3\x28\"}"), 1007);
}

TEST(ws_delivery, replies_before_a_1009_close_for_a_frame_over_max_frame_bytes) {
  std::string big = R"({"id":"x","type":"ping","pad":")";
  big += std::string(16385 - big.size() - 2, 'a') + "\"}";
  ASSERT_EQ(big.size(), 16385u);
  expect_replies_then_close(wire::text(big), 1009, 0, "[ws]\nmax_frame_bytes = 16384\n");
}

TEST(ws_delivery, replies_before_a_4009_close_for_too_many_bad_requests_in_a_row) {
  // The pings reset the count (a valid request ends a streak); then 21 malformed requests in a
  // row, one over the 20 allowed: each gets its bad_json error, then the close.
  std::string bad;
  for (int i = 0; i < 21; ++i) bad += wire::text("{not json " + std::to_string(i));
  expect_replies_then_close(bad, 4009, 21);
}

// A post and the client's close frame (1000) in one write, or 20 ms apart: the post is stored
// once, and its ack arrives before the server's close frame.
void expect_post_acked_before_close(std::chrono::milliseconds pause) {
  server_process server(delivery_server());
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-leaving"));
  const auto post = wire::text(post_of("last", "hej då", "last-words"));
  if (pause.count() == 0) {
    ASSERT_TRUE(c.send_raw(post + wire::close(1000))) << c.error();
  } else {
    ASSERT_TRUE(c.send_raw(post)) << c.error();
    std::this_thread::sleep_for(pause);  // reading nothing meanwhile
    ASSERT_TRUE(c.send_raw(wire::close(1000))) << c.error();
  }
  auto closed = c.wait_closed(10s);
  auto frames = c.read_all_frames(0ms);
  auto got = replies_in(frames);
  EXPECT_EQ(closed, 1000) << ended_note(c);
  EXPECT_EQ(got.size(), 1u) << "replies before the server's close frame: " << summary(frames);
  if (!got.empty()) {
    EXPECT_EQ(string_field(got[0].body, "id"), "last") << got[0].text;
    EXPECT_EQ(got[0].type(), "ack") << got[0].text;
    EXPECT_EQ(int_field(got[0].body, "result.seq"), 1) << got[0].text;
  }

  // Stored exactly once, as another client sees it (waiting a little for a store that is
  // still at work when the ack went missing, so that a lost ack is reported as such).
  std::optional<json::object> j;
  eventually([&] {
    j = ws::fresh_join(server.port(), main_room);
    return int_field(j, "result.seq") >= 1;
  }, 3s);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.seq"), 1) << str(j);
  auto stored = ws::messages_of(j);
  ASSERT_EQ(stored.size(), 1u) << str(j);
  EXPECT_EQ(string_field(stored[0], "client_msg_id"), "last-words");
  EXPECT_EQ(string_field(stored[0], "text"), "hej då");
}

TEST(ws_delivery, a_post_and_the_clients_close_in_one_write_get_the_ack_before_the_close) {
  expect_post_acked_before_close(0ms);
}

TEST(ws_delivery, a_post_and_the_clients_close_20ms_later_get_the_ack_before_the_close) {
  expect_post_acked_before_close(20ms);
}

// --- 4. What docs/protocol.md says, pinned ------------------------------------------------------

TEST(ws_delivery, a_request_id_is_a_string_of_1_to_64_characters_or_an_integer) {
  server_process server(delivery_server());
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-ids", false));
  const std::string id64(64, 'i');
  auto r = c.request(ping(id64));
  EXPECT_TRUE(is_ack(r)) << str(r);
  EXPECT_EQ(string_field(r, "id"), id64);
  r = c.request({{"id", 7}, {"type", "ping"}});
  EXPECT_TRUE(is_ack(r)) << str(r);
  EXPECT_EQ(field(r, "id"), 7) << str(r);
  // An empty string or 65 characters: no usable id, so bad_message with "id": null.
  for (const std::string& bad : {std::string(), std::string(65, 'i')}) {
    SCOPED_TRACE("id of " + std::to_string(bad.size()) + " characters");
    ASSERT_TRUE(c.send(ping(bad)));
    auto e = c.next_reply(json::value(nullptr));
    ASSERT_TRUE(e) << "no reply; " << ended_note(c);
    EXPECT_EQ(outcome(e), "bad_message") << str(e);
    EXPECT_TRUE(field(e, "id").is_null()) << str(e);
    EXPECT_FALSE(c.next_reply(json::value(bad), 100ms)) << "a reply carried the refused id";
  }
  // An integer is a JSON number without fraction or exponent that fits in 64 bits, signed.
  for (std::string good : {"-3", "9223372036854775807"}) {
    ASSERT_TRUE(c.send_text(R"({"type":"ping","id":)" + good + "}"));
    auto r = c.next_reply(json::parse(good));
    EXPECT_TRUE(is_ack(r)) << good << ": " << str(r);
  }
  for (std::string bad : {"9223372036854775808", "1.0", "1e3", "true"}) {
    ASSERT_TRUE(c.send_text(R"({"type":"ping","id":)" + bad + "}"));
    auto e = c.next_reply(json::value(nullptr));
    EXPECT_EQ(outcome(e), "bad_message") << bad << ": " << str(e);
  }
  EXPECT_TRUE(is_ack(c.request({{"type", "ping"}}))) << "the connection stays open";
}

TEST(ws_delivery, posted_text_loses_surrounding_spaces_tabs_and_line_breaks_and_nothing_inside) {
  server_process server(delivery_server());
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-trim"));
  struct row {
    std::string sent, stored;
  };
  const std::vector<row> rows{
      {" \t\r\n Hej  då \r\n\t ", "Hej  då"},          // space, tab, CR, LF at both ends
      {"\n\nrad 1\n\trad 2\t \n", "rad 1\n\trad 2"},   // inside: kept as sent
  };
  std::int64_t seq = 0;
  for (auto& [sent, stored] : rows) {
    auto p = c.post(main_room, sent);
    ASSERT_TRUE(is_ack(p)) << str(p);
    seq = int_field(p, "result.seq");
    auto m = c.next_event_if([&](const json::object& e) { return int_field(e, "seq") == seq; });
    ASSERT_TRUE(m);
    EXPECT_EQ(string_field(m, "text"), stored);
  }
  auto history = ws::messages_of(ws::fresh_join(server.port(), main_room));
  ASSERT_EQ(history.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(string_field(history[i], "text"), rows[i].stored);
  // Nothing but those: text_empty. A carriage return inside the text is a control character:
  // text_invalid (line breaks inside are line feeds).
  EXPECT_EQ(outcome(c.post(main_room, " \r\n\t \r\n")), "text_empty");
  EXPECT_EQ(outcome(c.post(main_room, "rad 1\r\nrad 2")), "text_invalid");
  EXPECT_EQ(int_field(ws::fresh_join(server.port(), main_room), "result.seq"), seq) << "stored nothing more";
}

TEST(ws_delivery, join_with_since_above_the_rooms_seq_is_acked_with_no_messages_and_the_lower_seq) {
  server_process server(delivery_server());
  ws_client anna, bo;
  ASSERT_NO_FATAL_FAILURE(enter(anna, server.port(), "u-anna"));
  ASSERT_NO_FATAL_FAILURE(enter(bo, server.port(), "u-bo", false));
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(is_ack(anna.post(main_room, "före " + std::to_string(i))));
  auto j = bo.join(main_room, 10);
  ASSERT_TRUE(is_ack(j)) << str(j);
  EXPECT_EQ(int_field(j, "result.seq"), 3) << "the room's seq, below since: " << str(j);
  EXPECT_TRUE(ws::messages_of(j).empty()) << str(j);
  EXPECT_EQ(int_field(j, "result.count"), 2) << "Bo is in the room: " << str(j);
  // A member like any other: the next message reaches him, with its seq (below his since).
  ASSERT_TRUE(is_ack(anna.post(main_room, "efter")));
  auto m = bo.next_event("message");
  ASSERT_TRUE(m);
  EXPECT_EQ(int_field(m, "seq"), 4);
  EXPECT_EQ(string_field(m, "text"), "efter");
}

TEST(ws_delivery, del_and_c1_control_characters_such_as_nel_in_text_are_text_invalid) {
  server_process server(delivery_server());
  ws_client c;
  ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-controls"));
  const std::vector<std::pair<std::string, std::string>> rows{
      {"DEL inside", "a\x7f" "b"},
      {"DEL at the end", "hej\x7f"},
      {"NEL (U+0085) inside", "a\xc2\x85" "b"},
      {"NEL (U+0085) at the start", "\xc2\x85hej"},
      {"U+0080", "a\xc2\x80" "b"},
      {"U+009F", "a\xc2\x9f" "b"},
      {"vertical tab", "a\x0b" "b"},
      {"form feed", "a\x0c" "b"},
  };
  for (auto& [name, text] : rows) {
    auto p = c.post(main_room, text);
    EXPECT_EQ(outcome(p), "text_invalid") << name << ": " << str(p);
  }
  // The neighbours of the C1 range are ordinary characters.
  auto p = c.post(main_room, "a\xc2\xa1" "b~");  // U+00A1, '~' (U+007E)
  ASSERT_TRUE(is_ack(p)) << str(p);
  EXPECT_EQ(int_field(p, "result.seq"), 1) << "nothing of the refused texts was stored: " << str(p);
}

}  // namespace

namespace {


double ws_sessions_open(std::uint16_t port) {
  auto r = http_get(port, "/metrics");
  auto at = r.body.find("\nsamling_ws_sessions_open ");
  return at == std::string::npos ? -1 : std::stod(r.body.substr(at + 26));
}

}  // namespace

// The closing paths, repeated: a post with the client's close in one write, a protocol-error
// close after pipelined pings, and a client that pipelines posts and vanishes mid-write
// (reader paused or write blocked, replies still owed). Afterwards the server's descriptors,
// threads and sessions are back where they were, and its memory has not grown per connection.
TEST(ws_delivery, the_closing_paths_repeated_leave_fds_threads_and_memory_where_they_were) {
  server_process server(delivery_server());
  auto cycle = [&](int i) {
    ws_client c;
    ASSERT_NO_FATAL_FAILURE(enter(c, server.port(), "u-cycle-" + std::to_string(i)));
    std::string burst;
    switch (i % 3) {
      case 0:
        burst = wire::text(post_of("p", "hej " + std::to_string(i), "c-" + std::to_string(i))) + wire::close(1000);
        break;
      case 1:
        burst = wire::text(json::object{{"id", "a"}, {"type", "ping"}}) +
                wire::text(json::object{{"id", "b"}, {"type", "ping"}}) + wire::frame(0x82, "binary");
        break;
      default:
        for (int k = 0; k < 50; ++k)
          burst += wire::text(post_of("v" + std::to_string(k), std::string(900, 'v'), "v-" + std::to_string(i) + "-" + std::to_string(k)));
    }
    ASSERT_TRUE(c.send_raw(burst, 10s)) << c.error();
    if (i % 3 != 2) {
      auto code = c.wait_closed(10s);
      ASSERT_TRUE(code) << "iteration " << i << ": " << ended_note(c);
      EXPECT_EQ(*code, i % 3 == 0 ? 1000 : 1003);
    }
    // Case 2: the client object goes now, dropping the TCP connection without reading.
  };
  for (int i = 0; i < 30; ++i) ASSERT_NO_FATAL_FAILURE(cycle(i));  // pools and caches warm up
  auto settled = [&] {
    auto until = clock_type::now() + 10s;
    while (ws_sessions_open(server.port()) != 0 && clock_type::now() < until) std::this_thread::sleep_for(20ms);
    return ws_sessions_open(server.port()) == 0;
  };
  ASSERT_TRUE(settled());
  auto before = usage_of(server.pid());
  ASSERT_GT(before.fds, 0);
  ASSERT_GT(before.threads, 1);
  ASSERT_GT(before.rss_kb, 0);
  for (int i = 30; i < 330; ++i) ASSERT_NO_FATAL_FAILURE(cycle(i));
  ASSERT_TRUE(settled()) << "sessions still open: " << ws_sessions_open(server.port());
  // Descriptors are released when a session ends, which the gauge says has happened; allow a
  // moment for the last sockets' close.
  auto until = clock_type::now() + 5s;
  auto after = usage_of(server.pid());
  while (after.fds > before.fds && clock_type::now() < until) {
    std::this_thread::sleep_for(20ms);
    after = usage_of(server.pid());
  }
  EXPECT_LE(after.fds, before.fds) << "descriptors leaked over 300 closings";
  EXPECT_EQ(after.threads, before.threads);
  // 300 connections (100 of them with 50 posts of 900 bytes queued): a leak of their queues
  // would be megabytes; the rooms' kept history and the allocator's slack are far less.
  EXPECT_LT(after.rss_kb - before.rss_kb, 8 * 1024) << "RSS " << before.rss_kb << " -> " << after.rss_kb << " KiB";
}
