// RFC 6455 framing of the server side (server/net/ws_frame.hpp): headers the server writes,
// client frames it parses and the UTF-8 check.
#include <gtest/gtest.h>

#include <string>

#include "net/ws_frame.hpp"

namespace samling::net::ws {
namespace {

std::string header_of(opcode op, std::uint64_t size) {
  std::array<unsigned char, max_server_header> out;
  auto n = write_header(op, size, out);
  return std::string(reinterpret_cast<const char*>(out.data()), n);
}

// A masked client frame as a browser sends it.
std::string client_frame(std::uint8_t first_byte, std::string_view payload,
                         std::array<unsigned char, 4> mask = {0x11, 0x22, 0x33, 0x44}) {
  std::string f;
  f += static_cast<char>(first_byte);
  if (payload.size() < 126) {
    f += static_cast<char>(0x80 | payload.size());
  } else if (payload.size() <= 0xFFFF) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xFF);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 0; i < 8; ++i) f += static_cast<char>((std::uint64_t{payload.size()} >> (56 - 8 * i)) & 0xFF);
  }
  f.append(reinterpret_cast<const char*>(mask.data()), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) f += static_cast<char>(payload[i] ^ mask[i % 4]);
  return f;
}

TEST(ws_frame, server_headers_use_the_shortest_length_encoding) {
  EXPECT_EQ(header_of(opcode::text, 0), std::string("\x81\x00", 2));
  EXPECT_EQ(header_of(opcode::text, 125), std::string("\x81\x7d", 2));
  EXPECT_EQ(header_of(opcode::text, 126), std::string("\x81\x7e\x00\x7e", 4));
  EXPECT_EQ(header_of(opcode::close, 65535), std::string("\x88\x7e\xff\xff", 4));
  EXPECT_EQ(header_of(opcode::ping, 65536), std::string("\x89\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

TEST(ws_frame, a_masked_text_frame_parses_and_unmasks_at_any_length) {
  for (std::size_t size : {0u, 5u, 125u, 126u, 1000u, 65535u, 70000u}) {
    std::string payload(size, 'x');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    auto f = client_frame(0x81, payload);
    frame_header h;
    ASSERT_EQ(parse_client_header(f, 1 << 20, h), parse_status::ok) << size;
    EXPECT_TRUE(h.fin);
    EXPECT_EQ(h.op, opcode::text);
    ASSERT_EQ(h.payload_size, size);
    ASSERT_EQ(h.header_size + size, f.size());
    std::string body = f.substr(h.header_size);
    unmask(body.data(), body.size(), h.mask);
    EXPECT_EQ(body, payload) << size;
  }
}

TEST(ws_frame, unmasking_in_pieces_gives_the_same_bytes) {
  std::string payload = "Hej! Välkommen till Samling – fråga på.";
  auto f = client_frame(0x81, payload, {0xde, 0xad, 0xbe, 0xef});
  frame_header h;
  ASSERT_EQ(parse_client_header(f, 1024, h), parse_status::ok);
  std::string body = f.substr(h.header_size);
  unmask(body.data(), 3, h.mask, 0);
  unmask(body.data() + 3, 10, h.mask, 3);
  unmask(body.data() + 13, body.size() - 13, h.mask, 13);
  EXPECT_EQ(body, payload);
}

TEST(ws_frame, an_incomplete_header_needs_more) {
  auto f = client_frame(0x81, std::string(300, 'a'));
  frame_header h;
  for (std::size_t n = 0; n < 8; ++n)  // 2 + 2 length + 4 mask
    EXPECT_EQ(parse_client_header(std::string_view(f).substr(0, n), 1024, h), parse_status::need_more) << n;
  EXPECT_EQ(parse_client_header(std::string_view(f).substr(0, 8), 1024, h), parse_status::ok);
}

TEST(ws_frame, protocol_violations_are_refused) {
  frame_header h;
  auto refused = [&](std::string f) { return parse_client_header(f, 1024, h) == parse_status::protocol_error; };
  EXPECT_TRUE(refused(std::string("\x81\x05hello", 7))) << "unmasked";
  EXPECT_TRUE(refused(client_frame(0xC1, "x"))) << "RSV1 without an extension";
  EXPECT_TRUE(refused(client_frame(0x83, "x"))) << "reserved opcode";
  EXPECT_TRUE(refused(client_frame(0x09, "x"))) << "fragmented ping";
  EXPECT_TRUE(refused(client_frame(0x89, std::string(126, 'p')))) << "control frame over 125";
  std::string non_minimal("\x81\xfe\x00\x05", 4);
  non_minimal += std::string("\x01\x02\x03\x04", 4) + "hello";
  EXPECT_TRUE(refused(non_minimal)) << "16-bit length under 126";
}

TEST(ws_frame, a_data_frame_over_the_limit_is_too_big_before_its_payload_arrives) {
  auto f = client_frame(0x81, std::string(2000, 'a'));
  frame_header h;
  EXPECT_EQ(parse_client_header(std::string_view(f).substr(0, 8), 1999, h), parse_status::too_big);
  EXPECT_EQ(parse_client_header(f, 2000, h), parse_status::ok);
}

TEST(ws_frame, utf8_validation) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii, longer than eight bytes"));
  EXPECT_TRUE(valid_utf8("Hyvää päivää – 🎤 Välkommen"));
  EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("abc\xc3"));            // truncated
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));           // overlong '/'
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));       // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));       // surrogate U+D800
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));   // above U+10FFFF
  EXPECT_FALSE(valid_utf8("abcdefgh\xc3\x28zz")); // bad continuation after an ASCII run
}

TEST(ws_frame, close_codes_a_client_may_send) {
  EXPECT_TRUE(valid_close_code(1000));
  EXPECT_TRUE(valid_close_code(1001));
  EXPECT_TRUE(valid_close_code(4008));
  EXPECT_FALSE(valid_close_code(1005));  // reserved: never on the wire
  EXPECT_FALSE(valid_close_code(1006));
  EXPECT_FALSE(valid_close_code(999));
  EXPECT_FALSE(valid_close_code(5000));
}

}  // namespace
}  // namespace samling::net::ws
