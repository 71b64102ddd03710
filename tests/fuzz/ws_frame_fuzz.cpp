// The WebSocket frame reader (server/net/ws_frame.cpp) on arbitrary bytes: the client frame
// header parser, unmasking and the UTF-8 check, each against what RFC 6455 and RFC 3629 say,
// written out here the slow and obvious way. Seeds: tests/fuzz/corpus/ws_frame/.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "net/ws_frame.hpp"

namespace ws = samling::net::ws;

namespace {

// ws.max_frame_bytes' default (docs/configuration.md); the first input byte also picks a small
// limit so that too_big is reached at every length encoding.
constexpr std::uint64_t default_limit = 65536;

// RFC 3629 section 4, one code point at a time.
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n;
    std::uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
    else return false;
    if (s.size() - i < n) return false;
    for (std::size_t k = 1; k < n; ++k) {
      auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    std::uint32_t least = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

void check_header(std::string_view in, std::uint64_t limit) {
  ws::frame_header h;
  auto status = ws::parse_client_header(in, limit, h);
  if (status == ws::parse_status::ok) {
    FUZZ_CHECK(h.header_size <= in.size());
    FUZZ_CHECK(h.header_size == 6 || h.header_size == 8 || h.header_size == 14);
    auto b0 = static_cast<unsigned char>(in[0]);
    auto b1 = static_cast<unsigned char>(in[1]);
    FUZZ_CHECK((b1 & 0x80) != 0);         // masked
    FUZZ_CHECK((b0 & 0x70) == 0);         // no reserved bits
    FUZZ_CHECK(h.fin == ((b0 & 0x80) != 0));
    FUZZ_CHECK(static_cast<unsigned>(h.op) == (b0 & 0x0Fu));
    if (ws::is_control(h.op)) FUZZ_CHECK(h.fin && h.payload_size <= 125);
    else FUZZ_CHECK(h.payload_size <= limit);
    // The shortest length encoding, as the RFC requires (section 5.2).
    if (h.header_size == 6) FUZZ_CHECK(h.payload_size < 126);
    if (h.header_size == 8) FUZZ_CHECK(h.payload_size >= 126 && h.payload_size <= 0xFFFF);
    if (h.header_size == 14) FUZZ_CHECK(h.payload_size > 0xFFFF && (h.payload_size >> 63) == 0);
    for (std::size_t k = 0; k < 4; ++k)
      FUZZ_CHECK(h.mask[k] == static_cast<unsigned char>(in[h.header_size - 4 + k]));
    // A prefix that cuts the header short needs more bytes; it is never an error or a frame.
    for (std::size_t cut = 0; cut < h.header_size; ++cut) {
      ws::frame_header part;
      auto s = ws::parse_client_header(in.substr(0, cut), limit, part);
      FUZZ_CHECK(s == ws::parse_status::need_more);
    }
  } else if (status == ws::parse_status::need_more) {
    FUZZ_CHECK(in.size() < 14);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check_header(in, default_limit);
  if (size > 0) check_header(in.substr(1), data[0]);  // a limit of 0 to 255 bytes

  // Unmasking: the mask from the first four bytes, the rest as payload. Unmasking is its own
  // inverse, and unmasking in two pieces at any split gives the bytes of unmasking at once.
  if (size >= 4) {
    std::array<unsigned char, 4> mask{data[0], data[1], data[2], data[3]};
    std::string payload(in.substr(4));
    std::string whole = payload;
    ws::unmask(whole.data(), whole.size(), mask);
    for (std::size_t k = 0; k < payload.size(); ++k)
      FUZZ_CHECK(static_cast<unsigned char>(whole[k]) ==
                 (static_cast<unsigned char>(payload[k]) ^ mask[k & 3]));
    std::size_t split = payload.empty() ? 0 : data[0] % (payload.size() + 1);
    std::string pieces = payload;
    ws::unmask(pieces.data(), split, mask);
    ws::unmask(pieces.data() + split, pieces.size() - split, mask, split);
    FUZZ_CHECK(pieces == whole);
  }

  // UTF-8: the reader's fast check answers as the reference does, at every alignment.
  FUZZ_CHECK(ws::valid_utf8(in) == reference_utf8(in));
  if (size > 0) FUZZ_CHECK(ws::valid_utf8(in.substr(1)) == reference_utf8(in.substr(1)));

  if (size >= 2) {
    auto code = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    bool reference = (code >= 3000 && code <= 4999) ||
                     (code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006);
    FUZZ_CHECK(ws::valid_close_code(code) == reference);
  }
  return 0;
}
