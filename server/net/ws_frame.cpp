#include "net/ws_frame.hpp"

#include <cstring>

namespace samling::net::ws {

std::size_t write_header(opcode op, std::uint64_t payload_size,
                         std::array<unsigned char, max_server_header>& out) {
  out[0] = static_cast<unsigned char>(0x80 | static_cast<std::uint8_t>(op));
  if (payload_size < 126) {
    out[1] = static_cast<unsigned char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<unsigned char>(payload_size >> 8);
    out[3] = static_cast<unsigned char>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>(payload_size >> (56 - 8 * i));
  return 10;
}

parse_status parse_client_header(std::string_view data, std::uint64_t max_payload,
                                 frame_header& h) {
  if (data.size() < 2) return parse_status::need_more;
  auto b0 = static_cast<unsigned char>(data[0]);
  auto b1 = static_cast<unsigned char>(data[1]);
  h.fin = (b0 & 0x80) != 0;
  if ((b0 & 0x70) != 0) return parse_status::protocol_error;  // no extension was negotiated
  auto raw = static_cast<std::uint8_t>(b0 & 0x0F);
  switch (raw) {
    case 0x0: case 0x1: case 0x2: case 0x8: case 0x9: case 0xA: break;
    default: return parse_status::protocol_error;
  }
  h.op = static_cast<opcode>(raw);
  if ((b1 & 0x80) == 0) return parse_status::protocol_error;  // clients must mask
  std::uint64_t len = b1 & 0x7F;
  std::size_t at = 2;
  if (len == 126) {
    if (data.size() < at + 2) return parse_status::need_more;
    len = (std::uint64_t{static_cast<unsigned char>(data[2])} << 8) | static_cast<unsigned char>(data[3]);
    if (len < 126) return parse_status::protocol_error;  // not the minimal encoding
    at += 2;
  } else if (len == 127) {
    if (data.size() < at + 8) return parse_status::need_more;
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | static_cast<unsigned char>(data[2 + i]);
    if ((len >> 63) != 0 || len <= 0xFFFF) return parse_status::protocol_error;
    at += 8;
  }
  if (is_control(h.op) && (!h.fin || len > 125)) return parse_status::protocol_error;
  if (!is_control(h.op) && len > max_payload) return parse_status::too_big;
  if (data.size() < at + 4) return parse_status::need_more;
  std::memcpy(h.mask.data(), data.data() + at, 4);
  h.payload_size = len;
  h.header_size = at + 4;
  return parse_status::ok;
}

void unmask(char* data, std::size_t size, const std::array<unsigned char, 4>& mask,
            std::size_t offset) {
  std::size_t i = 0;
  // Align to the mask, then eight bytes at a time.
  for (; i < size && ((offset + i) & 3) != 0; ++i) data[i] = static_cast<char>(data[i] ^ mask[(offset + i) & 3]);
  if (size - i >= 8) {
    std::uint32_t m32;
    std::memcpy(&m32, mask.data(), 4);
    std::uint64_t m64 = (std::uint64_t{m32} << 32) | m32;
    for (; size - i >= 8; i += 8) {
      std::uint64_t v;
      std::memcpy(&v, data + i, 8);
      v ^= m64;
      std::memcpy(data + i, &v, 8);
    }
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ mask[(offset + i) & 3]);
}

bool valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // ASCII runs, eight bytes at a time.
    while (end - p >= 8) {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      if ((v & 0x8080808080808080ull) != 0) break;
      p += 8;
    }
    if (p >= end) break;
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) < n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (std::size_t k = 2; k < n; ++k)
      if ((p[k] & 0xC0) != 0x80) return false;
    p += n;
  }
  return true;
}

bool valid_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  switch (code) {
    case 1000: case 1001: case 1002: case 1003: case 1007: case 1008: case 1009: case 1010:
    case 1011: case 1012: case 1013: case 1014:
      return true;
    default:
      return false;
  }
}

}  // namespace samling::net::ws
