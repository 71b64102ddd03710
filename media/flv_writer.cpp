#include "media/flv_writer.hpp"

#include <algorithm>
#include <bit>
#include <initializer_list>
#include <cstring>
#include <string_view>

namespace samling::media::flv {

namespace {

constexpr std::uint8_t nal_sps = 7, nal_pps = 8, nal_aud = 9;
constexpr std::uint8_t codec_avc = 7;
// AAC tags always say 44 kHz, 16-bit, stereo: the real values are in the AudioSpecificConfig
// (FLV's own fields cannot express 48 kHz), as every FLV writer does it.
constexpr std::uint8_t aac_flags = 0xAF;

void put_u16(bytes& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void put_u24(bytes& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  put_u16(out, v & 0xffff);
}
void put_u32(bytes& out, std::uint32_t v) {
  put_u16(out, v >> 16);
  put_u16(out, v & 0xffff);
}

void amf_string_body(bytes& out, std::string_view s) {
  put_u16(out, static_cast<std::uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}
void amf_number(bytes& out, double v) {
  out.push_back(0x00);
  auto bits = std::bit_cast<std::uint64_t>(v);
  put_u32(out, static_cast<std::uint32_t>(bits >> 32));
  put_u32(out, static_cast<std::uint32_t>(bits));
}

}  // namespace

std::vector<std::span<const std::uint8_t>> split_annexb(std::span<const std::uint8_t> au) {
  std::vector<std::span<const std::uint8_t>> out;
  const std::size_t n = au.size();
  // Finds the next start code (00 00 01) at or after `from`; n if none.
  auto next_start = [&](std::size_t from) {
    for (std::size_t i = from; i + 2 < n; ++i)
      if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1) return i;
    return n;
  };
  std::size_t sc = next_start(0);
  while (sc < n) {
    std::size_t begin = sc + 3;
    std::size_t next = next_start(begin);
    std::size_t end = next;
    // A four-byte start code's leading zero (and any trailing zeros) belong to no unit.
    while (end > begin && au[end - 1] == 0) --end;
    if (end > begin) out.push_back(au.subspan(begin, end - begin));
    sc = next;
  }
  return out;
}

bytes avc_decoder_config(std::span<const std::uint8_t> sps, std::span<const std::uint8_t> pps) {
  if (sps.size() < 4 || pps.empty() || sps.size() > 0xffff || pps.size() > 0xffff) return {};
  bytes out{1, sps[1], sps[2], sps[3], 0xFF /* 4-byte lengths */, 0xE1 /* one SPS */};
  put_u16(out, static_cast<std::uint32_t>(sps.size()));
  out.insert(out.end(), sps.begin(), sps.end());
  out.push_back(1);  // one PPS
  put_u16(out, static_cast<std::uint32_t>(pps.size()));
  out.insert(out.end(), pps.begin(), pps.end());
  return out;
}

bytes tag(std::uint8_t type, std::int64_t ms, std::span<const std::uint8_t> body) {
  bytes out;
  out.reserve(11 + body.size() + 4);
  out.push_back(type);
  put_u24(out, static_cast<std::uint32_t>(body.size()));
  auto t = static_cast<std::uint32_t>(ms < 0 ? 0 : ms);
  put_u24(out, t & 0xffffff);
  out.push_back(static_cast<std::uint8_t>(t >> 24));  // the extended (upper) byte
  put_u24(out, 0);                                     // stream id: always 0
  out.insert(out.end(), body.begin(), body.end());
  put_u32(out, static_cast<std::uint32_t>(11 + body.size()));
  return out;
}

bytes file_header() { return {'F', 'L', 'V', 1, 0x05 /* audio and video */, 0, 0, 0, 9, 0, 0, 0, 0}; }

bytes metadata_tag(int width, int height, bool has_audio) {
  bytes body;
  body.push_back(0x02);  // string
  amf_string_body(body, "onMetaData");
  body.push_back(0x08);  // ECMA array
  std::uint32_t count = 1 + (width > 0 && height > 0 ? 2 : 0) + (has_audio ? 1 : 0);
  put_u32(body, count);
  auto key = [&](std::string_view k) { amf_string_body(body, k); };
  key("videocodecid");
  amf_number(body, codec_avc);
  if (width > 0 && height > 0) {
    key("width");
    amf_number(body, width);
    key("height");
    amf_number(body, height);
  }
  if (has_audio) {
    key("audiocodecid");
    amf_number(body, 10);  // AAC
  }
  put_u24(body, 9);  // object end: empty key, type 9
  return tag(tag_script, 0, body);
}

avc_frame avc_frame_body(std::span<const std::uint8_t> au, bool keyframe, std::int32_t cts_ms) {
  avc_frame f;
  f.body.reserve(au.size() + 16);
  f.body.push_back(static_cast<std::uint8_t>((keyframe ? 0x10 : 0x20) | codec_avc));
  f.body.push_back(1);  // NAL units
  put_u24(f.body, static_cast<std::uint32_t>(cts_ms) & 0xffffff);  // signed 24-bit
  for (auto nal : split_annexb(au)) {
    auto type = nal[0] & 0x1f;
    if (type == nal_sps) {
      f.sps.assign(nal.begin(), nal.end());
    } else if (type == nal_pps) {
      f.pps.assign(nal.begin(), nal.end());
    } else if (type != nal_aud) {
      put_u32(f.body, static_cast<std::uint32_t>(nal.size()));
      f.body.insert(f.body.end(), nal.begin(), nal.end());
    }
  }
  return f;
}

namespace {
// `prefix` then `rest`, sized once (GCC 12 also warns, wrongly, about inserting into a vector
// built from an initializer list).
bytes joined(std::initializer_list<std::uint8_t> prefix, std::span<const std::uint8_t> rest) {
  bytes out(prefix.size() + rest.size());
  std::copy(prefix.begin(), prefix.end(), out.begin());
  if (!rest.empty()) std::memcpy(out.data() + prefix.size(), rest.data(), rest.size());
  return out;
}
}  // namespace

bytes avc_sequence_body(const bytes& config) {
  return joined({static_cast<std::uint8_t>(0x10 | codec_avc), 0, 0, 0, 0}, config);
}

bytes aac_frame_body(std::span<const std::uint8_t> raw) { return joined({aac_flags, 1}, raw); }

bytes aac_sequence_body(std::span<const std::uint8_t> asc) { return joined({aac_flags, 0}, asc); }

}  // namespace samling::media::flv
