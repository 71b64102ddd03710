// The WebSocket layer byte by byte (RFC 6455, docs/protocol.md "Connection"): the handshake,
// bytes pipelined behind it, fragments and interleaved pings, protocol violations, the closing
// handshake, and keep-alive pings with the dead-peer timeout. A raw socket, no client library,
// so that what the server writes is seen exactly.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <optional>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

constexpr const char* rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";

std::string upgrade_request(const std::string& version = "13", const std::string& key = rfc_key) {
  return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version +
         "\r\nSec-WebSocket-Protocol: samling.v1\r\n\r\n";
}

// A client frame, masked unless `masked` is false.
std::string frame(std::uint8_t first_byte, const std::string& payload, bool masked = true) {
  std::string f(1, static_cast<char>(first_byte));
  unsigned char m = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    f += static_cast<char>(m | payload.size());
  } else {
    f += static_cast<char>(m | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  }
  std::array<unsigned char, 4> mask{0x0f, 0xa5, 0x3c, 0x71};
  if (masked) f.append(reinterpret_cast<const char*>(mask.data()), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += static_cast<char>(masked ? payload[i] ^ mask[i % 4] : payload[i]);
  return f;
}

struct server_frame {
  int opcode = -1;
  std::string payload;
};

// A raw TCP client that parses the server's (unmasked) frames.
class raw_ws {
 public:
  explicit raw_ws(std::uint16_t port) : conn_(port) {}

  bool send(const std::string& bytes) { return conn_.send(bytes); }

  // Reads the HTTP response to the upgrade; the bytes after it stay buffered.
  std::optional<http_response> handshake(const std::string& request, const std::string& after = {}) {
    if (!send(request + after)) return std::nullopt;
    auto end = read_until([&] { return buf_.find("\r\n\r\n") != std::string::npos; });
    if (!end) return std::nullopt;
    auto at = buf_.find("\r\n\r\n") + 4;
    auto res = parse_response(buf_.substr(0, at), true);
    buf_.erase(0, at);
    return res;
  }

  std::optional<server_frame> next(std::chrono::milliseconds deadline = 5s) {
    std::optional<server_frame> f;
    read_until([&] { return (f = parse()).has_value(); }, deadline);
    return f;
  }

  // True when the server closes the TCP connection within the deadline.
  bool closed(std::chrono::milliseconds deadline) {
    return read_until([&] { return eof_; }, deadline) && eof_;
  }

 private:
  std::optional<server_frame> parse() {
    if (buf_.size() < 2) return std::nullopt;
    auto b0 = static_cast<unsigned char>(buf_[0]), b1 = static_cast<unsigned char>(buf_[1]);
    EXPECT_EQ(b1 & 0x80, 0) << "server frames are never masked";
    EXPECT_NE(b0 & 0x80, 0) << "the server never fragments";
    std::size_t len = b1 & 0x7F, at = 2;
    if (len == 126) {
      if (buf_.size() < 4) return std::nullopt;
      len = (static_cast<unsigned char>(buf_[2]) << 8) | static_cast<unsigned char>(buf_[3]);
      at = 4;
    } else if (len == 127) {
      if (buf_.size() < 10) return std::nullopt;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<unsigned char>(buf_[2 + i]);
      at = 10;
    }
    if (buf_.size() < at + len) return std::nullopt;
    server_frame f{b0 & 0x0F, buf_.substr(at, len)};
    buf_.erase(0, at + len);
    return f;
  }

  template <typename Pred>
  bool read_until(Pred done, std::chrono::milliseconds deadline = 5s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (eof_) return false;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto chunk = conn_.read_some(left);
      if (!chunk) return false;
      if (chunk->empty()) eof_ = true;
      buf_ += *chunk;
    }
    return true;
  }

  connection conn_;
  std::string buf_;
  bool eof_ = false;
};

std::uint16_t close_code(const server_frame& f) {
  if (f.payload.size() < 2) return 0;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(f.payload[0]) << 8) |
                                    static_cast<unsigned char>(f.payload[1]));
}

server_process::options ws_server(const std::string& extra = {}) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = extra;
  return o;
}

TEST(ws_framing, the_handshake_answers_the_rfc_accept_key_and_serves_bytes_pipelined_behind_it) {
  server_process server(ws_server());
  raw_ws c(server.port());
  // A request frame in the same packet as the upgrade: it must not be lost.
  auto res = c.handshake(upgrade_request(), frame(0x81, R"({"id":"r1","type":"ping"})"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 101);
  EXPECT_EQ(res->header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(res->header("sec-websocket-protocol"), "samling.v1");
  auto reply = c.next();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->opcode, 0x1);
  EXPECT_NE(reply->payload.find("\"r1\""), std::string::npos) << reply->payload;
  EXPECT_NE(reply->payload.find("not_authenticated"), std::string::npos) << reply->payload;
}

TEST(ws_framing, a_handshake_of_another_version_or_a_bad_key_is_refused) {
  server_process server(ws_server());
  {
    raw_ws c(server.port());
    auto res = c.handshake(upgrade_request("8"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    EXPECT_EQ(res->header("sec-websocket-version"), "13");
  }
  {
    raw_ws c(server.port());
    auto res = c.handshake(upgrade_request("13", "not-a-key"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
  }
}

TEST(ws_framing, fragments_are_reassembled_and_a_ping_between_them_is_answered) {
  server_process server(ws_server());
  raw_ws c(server.port());
  auto res = c.handshake(upgrade_request());
  ASSERT_TRUE(res && res->status == 101);
  std::string msg = R"({"id":"frag-1","type":"ping"})";
  ASSERT_TRUE(c.send(frame(0x01, msg.substr(0, 5)) + frame(0x89, "are you there") +
                     frame(0x00, msg.substr(5, 10)) + frame(0x80, msg.substr(15))));
  auto pong = c.next();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, 0xA);
  EXPECT_EQ(pong->payload, "are you there");
  auto reply = c.next();
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->payload.find("frag-1"), std::string::npos) << reply->payload;
}

TEST(ws_framing, protocol_violations_close_with_1002) {
  server_process server(ws_server());
  for (const std::string& bad : {frame(0x81, R"({"type":"ping"})", false),  // unmasked
                                 frame(0xC1, "{}"),                          // RSV1, no extension
                                 frame(0x80, "{}"),                          // continuation first
                                 frame(0x09, "")}) {                        // fragmented ping
    raw_ws c(server.port());
    auto res = c.handshake(upgrade_request());
    ASSERT_TRUE(res && res->status == 101);
    ASSERT_TRUE(c.send(bad));
    auto f = c.next();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->opcode, 0x8);
    EXPECT_EQ(close_code(*f), 1002);
    EXPECT_TRUE(c.closed(2s)) << "the server ends the connection after its close frame";
  }
}

TEST(ws_framing, a_clients_close_is_answered_with_its_code_and_the_connection_ends) {
  server_process server(ws_server());
  raw_ws c(server.port());
  auto res = c.handshake(upgrade_request());
  ASSERT_TRUE(res && res->status == 101);
  ASSERT_TRUE(c.send(frame(0x88, std::string("\x0f\xa0", 2) + "bye")));  // 4000
  auto f = c.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, 0x8);
  EXPECT_EQ(close_code(*f), 4000);
  EXPECT_TRUE(c.closed(2s));
}

TEST(ws_framing, an_idle_connection_is_pinged_and_a_dead_one_is_cut) {
  server_process server(ws_server("[ws]\nidle_timeout_seconds = 2\nhello_timeout_seconds = 60\n"));
  raw_ws alive(server.port()), dead(server.port());
  ASSERT_TRUE(alive.handshake(upgrade_request()));
  ASSERT_TRUE(dead.handshake(upgrade_request()));
  auto started = std::chrono::steady_clock::now();
  // The live client answers every ping; the dead one never says anything again.
  for (int pings = 0; pings < 3; ++pings) {
    auto f = alive.next(6s);  // one every 1-2 s; generous for a loaded machine
    ASSERT_TRUE(f) << "ping " << pings;
    ASSERT_EQ(f->opcode, 0x9);
    ASSERT_TRUE(alive.send(frame(0x8A, f->payload)));
  }
  auto ping = dead.next(1s);
  EXPECT_TRUE(!ping || ping->opcode == 0x9);
  EXPECT_TRUE(dead.closed(6s)) << "a peer silent for the idle timeout is cut";
  EXPECT_FALSE(alive.closed(0ms));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 2s);
}

}  // namespace

namespace {

// docs/protocol.md, Keep-alive: a ping after half the idle timeout of silence, and after the
// whole of it the TCP connection is closed without a close frame. Times are measured from
// the handshake (the peer's last bytes); the upper bounds are wide for a loaded machine.
TEST(ws_framing, a_dead_peer_gets_one_ping_at_half_the_timeout_and_is_cut_at_the_timeout_without_a_close_frame) {
  server_process server(ws_server("[ws]\nidle_timeout_seconds = 2\nhello_timeout_seconds = 60\n"));
  raw_ws dead(server.port());
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(dead.handshake(upgrade_request()));
  auto ping = dead.next(5s);
  auto ping_at = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(ping) << "no ping within 5 s";
  EXPECT_EQ(ping->opcode, 0x9) << "a ping, not a close frame";
  EXPECT_GE(ping_at, 1s) << "the ping waits for half the idle timeout of silence";
  EXPECT_LT(ping_at, 2s) << "the ping comes before the cut";
  auto more = dead.next(5s);
  auto cut_at = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(more) << "nothing after the ping, no close frame either: opcode " << (more ? more->opcode : -1);
  EXPECT_TRUE(dead.closed(0ms)) << "the connection is cut";
  EXPECT_GE(cut_at, 2s) << "never before the idle timeout";
  EXPECT_LT(cut_at, 3500ms);
}

}  // namespace
