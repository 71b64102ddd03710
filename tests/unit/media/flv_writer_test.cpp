// FLV packaging without a muxer (media/flv_writer): the bytes of each tag, the H.264 access
// unit conversion, and the interleaving of the two tracks without a clock.
#include "media/flv_writer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

using namespace samling::media;
using flv::bytes;

namespace {

std::uint32_t be24(const bytes& b, std::size_t at) { return (b[at] << 16) | (b[at + 1] << 8) | b[at + 2]; }
std::uint32_t be32(const bytes& b, std::size_t at) { return (be24(b, at) << 8) | b[at + 3]; }

const bytes sps{0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9};
const bytes pps{0x68, 0xeb, 0xe3, 0xcb};
const bytes idr{0x65, 0x88, 0x84, 0x00, 0x33};
const bytes aud{0x09, 0xf0};

// An access unit in Annex B: each unit after a 4- or 3-byte start code, alternately.
bytes annexb(const std::vector<bytes>& units) {
  bytes out;
  bool four = true;
  for (auto& u : units) {
    if (four) out.push_back(0);
    out.insert(out.end(), {0, 0, 1});
    out.insert(out.end(), u.begin(), u.end());
    four = !four;
  }
  return out;
}

}  // namespace

TEST(FlvWriter, a_tag_has_its_header_its_body_and_the_size_after_it) {
  bytes body{1, 2, 3};
  auto t = flv::tag(flv::tag_audio, 0x12345678, body);
  ASSERT_EQ(t.size(), 11u + 3 + 4);
  EXPECT_EQ(t[0], 8);
  EXPECT_EQ(be24(t, 1), 3u);
  // The lower 24 bits, then the upper 8 (FLV's "extended" timestamp byte).
  EXPECT_EQ(be24(t, 4), 0x345678u);
  EXPECT_EQ(t[7], 0x12);
  EXPECT_EQ(be24(t, 8), 0u);
  EXPECT_EQ(bytes(t.begin() + 11, t.begin() + 14), body);
  EXPECT_EQ(be32(t, 14), 14u);
  EXPECT_EQ(be24(flv::tag(flv::tag_video, -5, body), 4), 0u) << "a negative time is clamped, never wrapped";
}

TEST(FlvWriter, annexb_units_are_split_on_three_and_four_byte_start_codes) {
  auto au = annexb({aud, sps, pps, idr});
  auto units = flv::split_annexb(au);
  ASSERT_EQ(units.size(), 4u);
  EXPECT_EQ(bytes(units[0].begin(), units[0].end()), aud);
  EXPECT_EQ(bytes(units[1].begin(), units[1].end()), sps);
  EXPECT_EQ(bytes(units[2].begin(), units[2].end()), pps);
  EXPECT_EQ(bytes(units[3].begin(), units[3].end()), idr);
  EXPECT_TRUE(flv::split_annexb(bytes{0, 0, 0, 1}).empty());
  EXPECT_TRUE(flv::split_annexb(bytes{}).empty());
  EXPECT_TRUE(flv::split_annexb(bytes{1, 2, 3}).empty()) << "no start code, no unit";
}

TEST(FlvWriter, a_keyframe_loses_its_parameter_sets_and_delimiter_to_the_sequence_header) {
  auto f = flv::avc_frame_body(annexb({aud, sps, pps, idr}), true, 40);
  EXPECT_EQ(f.sps, sps);
  EXPECT_EQ(f.pps, pps);
  ASSERT_EQ(f.body.size(), 5u + 4 + idr.size());
  EXPECT_EQ(f.body[0], 0x17) << "keyframe, AVC";
  EXPECT_EQ(f.body[1], 1) << "NAL units";
  EXPECT_EQ(be24(f.body, 2), 40u) << "composition time";
  EXPECT_EQ(be32(f.body, 5), idr.size());
  EXPECT_EQ(bytes(f.body.begin() + 9, f.body.end()), idr);

  auto inter = flv::avc_frame_body(annexb({bytes{0x41, 0x9a, 0x02}}), false, -1);
  EXPECT_EQ(inter.body[0], 0x27) << "inter frame, AVC";
  EXPECT_EQ(be24(inter.body, 2), 0xffffffu) << "a negative composition time, in 24-bit two's complement";
  EXPECT_TRUE(inter.sps.empty());
}

TEST(FlvWriter, the_decoder_configuration_record_carries_profile_level_and_both_sets) {
  auto c = flv::avc_decoder_config(sps, pps);
  ASSERT_EQ(c.size(), 6u + 2 + sps.size() + 1 + 2 + pps.size());
  EXPECT_EQ(c[0], 1);
  EXPECT_EQ(c[1], 0x64) << "profile (High)";
  EXPECT_EQ(c[3], 0x1f) << "level 3.1";
  EXPECT_EQ(c[4], 0xff) << "4-byte NAL lengths";
  EXPECT_EQ(c[5], 0xe1) << "one SPS";
  EXPECT_TRUE(flv::avc_decoder_config(bytes{0x67}, pps).empty()) << "an SPS too short for its profile";
  auto seq = flv::avc_sequence_body(c);
  EXPECT_EQ(seq[0], 0x17);
  EXPECT_EQ(seq[1], 0) << "sequence header";
  EXPECT_EQ(bytes(seq.begin() + 5, seq.end()), c);
}

TEST(FlvWriter, aac_tags_and_the_file_header) {
  bytes asc{0x11, 0x90};
  auto seq = flv::aac_sequence_body(asc);
  EXPECT_EQ(seq, (bytes{0xaf, 0, 0x11, 0x90}));
  EXPECT_EQ(flv::aac_frame_body(bytes{7, 8}), (bytes{0xaf, 1, 7, 8}));
  auto h = flv::file_header();
  EXPECT_EQ(std::string(h.begin(), h.begin() + 3), "FLV");
  EXPECT_EQ(h[4], 5) << "audio and video";
  EXPECT_EQ(h.size(), 13u);
  auto meta = flv::metadata_tag(1280, 720, true);
  EXPECT_EQ(meta[0], flv::tag_script);
  EXPECT_EQ(be32(meta, meta.size() - 4), meta.size() - 4);
  std::string text(meta.begin(), meta.end());
  for (auto* key : {"onMetaData", "videocodecid", "width", "height", "audiocodecid"})
    EXPECT_NE(text.find(key), std::string::npos) << key;
}

namespace {
using out_list = std::vector<std::pair<int, std::int64_t>>;
out_list pop(flv::interleaver<int>& il) {
  out_list out;
  il.pop_ready([&](int track, std::int64_t ms, int) { out.emplace_back(track, ms); });
  return out;
}
}  // namespace

TEST(FlvInterleaver, the_tracks_leave_in_time_order_and_wait_for_each_other) {
  flv::interleaver<int> il(500);
  ASSERT_TRUE(il.push(0, 0, 0));
  EXPECT_TRUE(pop(il).empty()) << "video waits: audio of time 0 may still come";
  ASSERT_TRUE(il.push(1, 10, 0));
  EXPECT_EQ(pop(il), (out_list{{0, 0}})) << "audio reached 10: video 0 can go, audio 10 waits for video";
  ASSERT_TRUE(il.push(1, 31, 0));
  ASSERT_TRUE(il.push(0, 33, 0));
  EXPECT_EQ(pop(il), (out_list{{1, 10}, {1, 31}}));
  ASSERT_TRUE(il.push(1, 52, 0));
  EXPECT_EQ(pop(il), (out_list{{0, 33}}));
  EXPECT_EQ(il.waiting(), 1u);
}

TEST(FlvInterleaver, a_track_that_stops_holds_the_other_up_for_at_most_the_wait) {
  flv::interleaver<int> il(500);
  ASSERT_TRUE(il.push(1, 0, 0));
  ASSERT_TRUE(il.push(0, 0, 0));
  pop(il);
  // Audio stops; video goes on alone.
  for (std::int64_t t = 33; t <= 500; t += 33) il.push(0, t, 0);
  auto held = pop(il);
  EXPECT_TRUE(held.empty() || held.back().second <= 33) << "video waits up to 500 ms for audio";
  il.push(0, 600, 0);
  auto out = pop(il);
  ASSERT_FALSE(out.empty());
  EXPECT_GE(out.back().second, 66);
  // Audio comes back late: it still goes out (in its own order), never dropped.
  ASSERT_TRUE(il.push(1, 200, 0));
  EXPECT_FALSE(pop(il).empty());
}

TEST(FlvInterleaver, a_track_stepping_back_in_time_is_refused_and_the_others_flow) {
  flv::interleaver<int> il(500);
  ASSERT_TRUE(il.push(1, 100, 1));
  EXPECT_FALSE(il.push(1, 99, 2)) << "audio going back";
  EXPECT_TRUE(il.push(1, 100, 3)) << "the same time is not a step back";
  ASSERT_TRUE(il.push(0, 120, 4));
  std::vector<int> items;
  il.pop_ready([&](int, std::int64_t, int item) { items.push_back(item); });
  EXPECT_EQ(items, (std::vector<int>{1, 3}));
  // Output is never out of order within a track, whatever the input's interleaving.
  flv::interleaver<int> il2(300);
  std::int64_t last[2] = {-1, -1};
  std::uint32_t seed = 7;
  std::int64_t t[2] = {0, 0};
  for (int i = 0; i < 2000; ++i) {
    seed = seed * 1103515245 + 12345;
    int track = (seed >> 16) & 1;
    t[track] += (seed >> 20) % 50;
    il2.push(track, t[track], 0);
    il2.pop_ready([&](int tr, std::int64_t ms, int) {
      EXPECT_GE(ms, last[tr]);
      last[tr] = ms;
    });
  }
}
