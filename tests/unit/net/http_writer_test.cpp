// The writing half of an HTTP connection (server/net/http_writer.hpp): the head it formats, and
// what a real loopback socket receives when a response is sent without suspending (sendmsg for
// an in-memory body, MSG_MORE and sendfile for a file body, a byte range of it).
#include "net/http_writer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>

#include "temp_dir.hpp"

using namespace samling::net;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

bool has_line(const std::string& head, const std::string& line) {
  return head.find("\r\n" + line + "\r\n") != std::string::npos;
}

TEST(http_writer, the_head_carries_the_sessions_fields) {
  response res = json_response("{\"ok\":true}");
  std::string head;
  format_head(head, res, true, 11, false);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\nServer: samling/")) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
  EXPECT_TRUE(has_line(head, "Content-Type: application/json"));
  EXPECT_TRUE(has_line(head, "Content-Length: 11"));
  EXPECT_TRUE(has_line(head, "X-Content-Type-Options: nosniff"));
  EXPECT_EQ(head.find("Connection:"), std::string::npos);  // HTTP/1.1 keeps alive by default
  EXPECT_EQ(head.find("Strict-Transport-Security"), std::string::npos);
  EXPECT_EQ(head.find("Content-Security-Policy"), std::string::npos);  // not a page

  format_head(head, res, false, 11, true);
  EXPECT_TRUE(has_line(head, "Connection: close"));
  EXPECT_TRUE(has_line(head, "Strict-Transport-Security: max-age=31536000"));
  format_head(head, res, true, 10, false);
  EXPECT_TRUE(head.starts_with("HTTP/1.0 200 OK\r\n"));
  EXPECT_TRUE(has_line(head, "Connection: keep-alive"));
}

TEST(http_writer, pages_get_the_policy_unless_they_bring_their_own) {
  response page;
  page.content_type = "text/html; charset=utf-8";
  page.body = "<p>hi</p>";
  std::string head;
  format_head(head, page, true, 11, false);
  EXPECT_NE(head.find("Content-Security-Policy: default-src 'self'"), std::string::npos);
  page.headers.emplace_back("Content-Security-Policy", "default-src 'none'");
  format_head(head, page, true, 11, false);
  EXPECT_TRUE(has_line(head, "Content-Security-Policy: default-src 'none'"));
  EXPECT_EQ(head.find("default-src 'self'"), std::string::npos);
}

TEST(http_writer, a_304_has_no_body_fields) {
  response res;
  res.status = 304;
  res.headers.emplace_back("ETag", "\"abc\"");
  std::string head;
  format_head(head, res, true, 11, false);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 304 Not Modified\r\n"));
  EXPECT_TRUE(has_line(head, "ETag: \"abc\""));
  EXPECT_EQ(head.find("\r\nContent-Type:"), std::string::npos);
  EXPECT_EQ(head.find("\r\nContent-Length:"), std::string::npos);
}

// A connected pair of loopback sockets: the server's side the writer sends on, the client's.
struct loopback : ::testing::Test {
  asio::io_context io;
  tcp::socket server{io}, client{io};
  http_writer::clock::time_point deadline{};
  void SetUp() override {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }
  // Everything the client receives until the server's side is shut.
  std::string received() {
    server.shutdown(tcp::socket::shutdown_send);
    std::string out;
    boost::system::error_code ec;
    asio::read(client, asio::dynamic_buffer(out), ec);
    return out;
  }
};

TEST_F(loopback, a_response_that_fits_the_socket_is_sent_at_once) {
  http_writer writer(server, deadline, std::chrono::seconds(15));
  auto res = json_response("{\"n\":1}");
  auto p = writer.start(server, res, false, true, 11);
  EXPECT_EQ(p.state, http_writer::progress::done);
  auto got = received();
  EXPECT_TRUE(got.starts_with("HTTP/1.1 200 OK\r\n")) << got;
  EXPECT_TRUE(got.ends_with("\r\n\r\n{\"n\":1}")) << got;
}

TEST_F(loopback, head_sends_the_length_but_no_body) {
  http_writer writer(server, deadline, std::chrono::seconds(15));
  auto res = json_response("{\"n\":1}");
  EXPECT_EQ(writer.start(server, res, true, true, 11).state, http_writer::progress::done);
  auto got = received();
  EXPECT_TRUE(has_line(got, "Content-Length: 7"));
  EXPECT_TRUE(got.ends_with("\r\n\r\n")) << got;
}

TEST_F(loopback, a_file_body_goes_by_sendfile_and_renews_the_deadline) {
  samling::testing::temp_dir dir;
  std::string content(100000, 'x');
  for (std::size_t i = 0; i < content.size(); i += 7) content[i] = static_cast<char>('a' + i % 26);
  auto file = open_file::open(dir.write("segment.ts", content));
  ASSERT_TRUE(file);
  response res;
  res.content_type = "video/mp2t";
  res.file_body = file;
  res.file_offset = 1000;
  res.file_count = 50000;
  http_writer writer(server, deadline, std::chrono::seconds(15));
  auto before = http_writer::clock::now();
  // The client reads all along: 50 kB need not fit the loopback socket's buffer at once.
  std::string got;
  std::thread reader([&] {
    boost::system::error_code ec;
    asio::read(client, asio::dynamic_buffer(got), ec);
  });
  auto p = writer.start(server, res, false, true, 11);
  bool ok = p.state == http_writer::progress::done;
  if (p.state == http_writer::progress::pending) {
    asio::co_spawn(io, writer.finish(server, res, p), [&](std::exception_ptr e, bool r) { ok = !e && r; });
    io.run();
  }
  server.shutdown(tcp::socket::shutdown_send);
  reader.join();
  ASSERT_TRUE(ok);
  auto body_at = got.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  EXPECT_TRUE(has_line(got.substr(0, body_at + 2), "Content-Length: 50000"));
  EXPECT_EQ(got.substr(body_at + 4), content.substr(1000, 50000));
  EXPECT_GE(deadline, before + std::chrono::seconds(15));
}

}  // namespace
