#pragma once
// RFC 6455 framing, the server's side of it, without I/O: the header of a frame the server
// sends (never masked, never fragmented), the parser for frames a client sends (always
// masked), and the UTF-8 check for text messages. Used by ws_connection.cpp, which owns the
// sockets; unit-tested on its own (tests/unit/net/ws_frame_test.cpp).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace samling::net::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

inline bool is_control(opcode op) { return (static_cast<std::uint8_t>(op) & 0x8) != 0; }

// The longest header the server writes: 2 bytes + a 64-bit length.
constexpr std::size_t max_server_header = 10;

// Writes the header of a final, unmasked frame of `payload_size` bytes to `out`; returns its
// length (2, 4 or 10).
std::size_t write_header(opcode op, std::uint64_t payload_size,
                         std::array<unsigned char, max_server_header>& out);

struct frame_header {
  bool fin = false;
  opcode op = opcode::continuation;
  std::uint64_t payload_size = 0;
  std::array<unsigned char, 4> mask{};
  std::size_t header_size = 0;  // bytes before the payload
};

enum class parse_status {
  need_more,       // the header is not complete yet
  ok,              // `header` is filled in
  protocol_error,  // close 1002: reserved bits, unknown opcode, unmasked, bad control frame
  too_big,         // close 1009: payload over the limit
};

// Parses the header of a client frame at the start of `data`. `max_payload` bounds data
// frames (control frames are bounded at 125 bytes by the RFC).
parse_status parse_client_header(std::string_view data, std::uint64_t max_payload,
                                 frame_header& header);

// Unmasks `size` bytes in place; `offset` is the position of data[0] within the payload.
void unmask(char* data, std::size_t size, const std::array<unsigned char, 4>& mask,
            std::size_t offset = 0);

// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view text);

// Whether a close code received from a client may be sent on the wire (RFC 6455 7.4).
bool valid_close_code(std::uint16_t code);

}  // namespace samling::net::ws
