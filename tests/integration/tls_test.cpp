// TLS on the same port: HTTPS works, TLS below 1.2 is refused, plain HTTP gets a clear error.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include <boost/json.hpp>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

struct tls_outcome {
  bool handshake = false;
  std::string protocol;
  std::string response;
};

// One HTTPS request with OpenSSL directly. `max_version` 0 = no cap. The client accepts any
// certificate (self-signed in the test) and, with SECLEVEL=0, is itself willing to speak old
// protocol versions, so a refusal can only come from the server.
tls_outcome tls_get(std::uint16_t port, const std::string& target, int max_version = 0) {
  tls_outcome out;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  if (max_version) {
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx, max_version);
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (SSL_connect(ssl) == 1) {
      out.handshake = true;
      out.protocol = SSL_get_version(ssl);
      std::string req = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
      SSL_write(ssl, req.data(), static_cast<int>(req.size()));
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) out.response.append(buf, static_cast<std::size_t>(n));
    }
    SSL_free(ssl);
  }
  close(fd);
  SSL_CTX_free(ctx);
  return out;
}

// The output of a shell command (stdout; add 2>&1 for stderr too).
std::string run_capture(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

class tls : public ::testing::Test {
 protected:
  std::string extra_toml_;
  void SetUp() override {
    auto cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout " +
               certs_.file("key.pem") + " -out " + certs_.file("cert.pem") + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
    server_process::options o;
    o.seed_demo = false;
    o.extra_toml = "[tls]\ncertificate = \"" + certs_.file("cert.pem") + "\"\nprivate_key = \"" +
                   certs_.file("key.pem") + "\"\n" + extra_toml_;
    server_ = std::make_unique<server_process>(o);
  }
  temp_dir certs_;
  std::unique_ptr<server_process> server_;
};

TEST_F(tls, https_serves_on_the_configured_port) {
  EXPECT_EQ(server_->url().rfind("https://", 0), 0u) << server_->url();
  auto r = tls_get(server_->port(), "/healthz");
  ASSERT_TRUE(r.handshake);
  auto parsed = parse_response(r.response);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->status, 200);
  EXPECT_TRUE(r.protocol == "TLSv1.3" || r.protocol == "TLSv1.2") << r.protocol;
  EXPECT_EQ(parsed->header("strict-transport-security"), "max-age=31536000") << "HTTPS tells browsers to stay on it";
}

TEST_F(tls, tls_1_2_is_accepted_and_1_1_refused) {
  EXPECT_TRUE(tls_get(server_->port(), "/healthz", TLS1_2_VERSION).handshake);
  EXPECT_FALSE(tls_get(server_->port(), "/healthz", TLS1_1_VERSION).handshake);
  EXPECT_FALSE(tls_get(server_->port(), "/healthz", TLS1_VERSION).handshake);
}

// What a scanner (Debian's sslscan) finds the server accepting: TLS 1.2 and 1.3 only, and in
// TLS 1.2 only forward-secret key exchange (ECDHE/DHE) with AEAD ciphers (GCM, ChaCha20): no
// static RSA, no CBC, no SHA-1 MACs (OpenSSL's defaults accepted AES256-GCM-SHA384 with static
// RSA, AES128-SHA and ECDHE with CBC-SHA1).
TEST_F(tls, a_scan_finds_only_forward_secret_aead_suites_on_tls_1_2_and_1_3) {
  auto scan = run_capture("sslscan --no-colour --no-heartbleed --no-compression --no-renegotiation --no-groups "
                          "--no-check-certificate 127.0.0.1:" + std::to_string(server_->port()) + " 2>&1");
  ASSERT_NE(scan.find("Supported Server Cipher(s):"), std::string::npos) << scan;
  // "Preferred TLSv1.3  128 bits  TLS_AES_128_GCM_SHA256  Curve 25519 DHE 253", "Accepted …"
  std::vector<std::string> accepted;
  std::istringstream lines(scan);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("Accepted", 0) == 0 || line.rfind("Preferred", 0) == 0) accepted.push_back(line);
  ASSERT_FALSE(accepted.empty()) << scan;
  bool tls12 = false, tls13 = false;
  for (auto& line : accepted) {
    SCOPED_TRACE(line);
    EXPECT_EQ(line.find("SSLv"), std::string::npos);
    EXPECT_EQ(line.find("TLSv1.0"), std::string::npos);
    EXPECT_EQ(line.find("TLSv1.1"), std::string::npos);
    if (line.find("TLSv1.3") != std::string::npos) tls13 = true;
    if (line.find("TLSv1.2") == std::string::npos) continue;
    tls12 = true;
    bool forward_secret = line.find("ECDHE-") != std::string::npos || line.find("DHE-") != std::string::npos;
    bool aead = line.find("GCM") != std::string::npos || line.find("CHACHA20") != std::string::npos;
    EXPECT_TRUE(forward_secret && aead) << "a TLS 1.2 suite without forward secrecy or AEAD";
  }
  EXPECT_TRUE(tls12) << scan;
  EXPECT_TRUE(tls13) << scan;
}

TEST_F(tls, plain_http_to_the_tls_port_gets_a_clear_error_not_a_hang) {
  auto r = http_get(server_->port(), "/healthz");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), "tls_required");
  EXPECT_NE(r.body.find("https://"), std::string::npos);
  // And HTTPS still works afterwards.
  EXPECT_TRUE(tls_get(server_->port(), "/healthz").handshake);
}

TEST_F(tls, a_plain_websocket_upgrade_on_the_tls_port_is_refused_not_upgraded) {
  connection c(server_->port());
  ASSERT_TRUE(c.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Protocol: samling.v1\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body).at("error").at("code"), "tls_required");
}

class tls_capped : public tls {
 protected:
  void SetUp() override {
    extra_toml_ = "[server.limits]\nmax_connections = 1\n";
    tls::SetUp();
  }
};

TEST_F(tls_capped, a_refused_https_client_gets_its_503_over_tls) {
  connection holder(server_->port());  // takes the one slot
  ASSERT_TRUE(eventually([&] {
    auto r = tls_get(server_->port(), "/healthz");
    auto parsed = parse_response(r.response);
    return r.handshake && parsed && parsed->status == 503;
  }, 5s));
  auto r = tls_get(server_->port(), "/healthz");
  auto parsed = parse_response(r.response);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(json::parse(parsed->body).at("error").at("code"), "too_many_connections");
}

}  // namespace

namespace {

// WebSocket over TLS (wss://): the writer there always goes through async_write, so the closing
// path (every reply before the close frame, docs/protocol.md "Closing") is checked here too.
// A raw OpenSSL client: the upgrade, then hello, join, ping, post and the client's close frame
// in one TLS write; the server's frames are read until it closes.
TEST(tls_websocket, pipelined_requests_and_the_clients_close_in_one_write_are_all_answered_before_the_close) {
  temp_dir certs;
  auto cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout " +
             certs.file("key.pem") + " -out " + certs.file("cert.pem") + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[tls]\ncertificate = \"" + certs.file("cert.pem") + "\"\nprivate_key = \"" +
                 certs.file("key.pem") + "\"\n";
  server_process server(o);

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  ASSERT_EQ(SSL_connect(ssl), 1);
  std::string upgrade =
      "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Protocol: samling.v1\r\n\r\n";
  ASSERT_GT(SSL_write(ssl, upgrade.data(), static_cast<int>(upgrade.size())), 0);
  std::string in;
  char buf[16384];
  while (in.find("\r\n\r\n") == std::string::npos) {
    int n = SSL_read(ssl, buf, sizeof buf);
    ASSERT_GT(n, 0) << "no upgrade response";
    in.append(buf, static_cast<std::size_t>(n));
  }
  ASSERT_EQ(in.rfind("HTTP/1.1 101", 0), 0u) << in;
  in.erase(0, in.find("\r\n\r\n") + 4);

  const auto main = ws::room("main");
  std::string burst =
      wire::text(json::object{{"id", 1}, {"type", "hello"}, {"event", ws::event_id},
                              {"token", ws::token("u-wss", "Wss")}}) +
      wire::text(json::object{{"id", 2}, {"type", "join"}, {"room", main}}) +
      wire::text(json::object{{"id", 3}, {"type", "ping"}}) +
      wire::text(json::object{{"id", 4}, {"type", "post"}, {"room", main}, {"text", "Hej över TLS"},
                              {"client_msg_id", "wss-1"}}) +
      wire::close(1000);
  ASSERT_GT(SSL_write(ssl, burst.data(), static_cast<int>(burst.size())), 0);
  for (;;) {
    int n = SSL_read(ssl, buf, sizeof buf);
    if (n <= 0) break;  // the server closed (or 10 s passed)
    in.append(buf, static_cast<std::size_t>(n));
  }
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(ctx);

  // The server's frames, in order (never masked, never fragmented, all under 64 KiB here).
  std::vector<std::string> replies;  // "ID:TYPE" of acks and errors
  std::optional<int> close_code;
  std::size_t replies_at_close = 0;
  std::int64_t post_seq = -1;
  for (std::size_t at = 0; at + 2 <= in.size();) {
    auto op = static_cast<unsigned char>(in[at]) & 0x0F;
    std::size_t len = static_cast<unsigned char>(in[at + 1]) & 0x7F, head = 2;
    if (len == 126) {
      len = (static_cast<unsigned char>(in[at + 2]) << 8) | static_cast<unsigned char>(in[at + 3]);
      head = 4;
    }
    ASSERT_LE(at + head + len, in.size()) << "a truncated frame";
    std::string payload = in.substr(at + head, len);
    at += head + len;
    if (op == 0x8) {
      ASSERT_GE(payload.size(), 2u);
      close_code = (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
      replies_at_close = replies.size();
      continue;
    }
    if (op != 0x1) continue;
    EXPECT_FALSE(close_code) << "nothing follows the close frame: " << payload;
    auto msg = json::parse(payload).as_object();
    if (!msg.contains("id")) continue;  // an event (presence, message)
    replies.push_back(json::serialize(msg.at("id")) + ":" + std::string(msg.at("type").as_string()));
    if (msg.at("id") == 4 && msg.at("type") == "ack") post_seq = msg.at("result").at("seq").as_int64();
  }
  ASSERT_TRUE(close_code) << "no close frame";
  EXPECT_EQ(*close_code, 1000);
  std::sort(replies.begin(), replies.end());
  EXPECT_EQ(replies, (std::vector<std::string>{"1:ack", "2:ack", "3:ack", "4:ack"}));
  EXPECT_EQ(replies_at_close, 4u) << "every reply before the close frame";
  EXPECT_EQ(post_seq, 1);
}

}  // namespace
