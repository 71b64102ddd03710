// A relay destination's tap (media/flv_fanout): what reaches its appsrc, and when. A real
// `appsrc ! appsink` pipeline stands in for `appsrc ! rtmp2sink`.
#include "media/flv_fanout.hpp"

#include <gtest/gtest.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include <string>
#include <vector>

#include "media/gst_runtime.hpp"

using namespace samling::media;

namespace {

// An FLV tag: the 11-byte header (type, body size, timestamp) and a 2-byte body start.
GstBuffer* tag(std::uint8_t type, std::uint32_t ms, bool keyframe = false) {
  std::uint8_t b[13] = {type, 0, 0, 2, static_cast<std::uint8_t>(ms >> 16), static_cast<std::uint8_t>(ms >> 8),
                        static_cast<std::uint8_t>(ms), static_cast<std::uint8_t>(ms >> 24), 0, 0, 0};
  if (type == 9) {
    b[11] = keyframe ? 0x17 : 0x27;  // key/inter frame, AVC
    b[12] = 1;                       // NAL units
  } else {
    b[11] = 0xaf;  // AAC
    b[12] = 1;     // raw frame
  }
  return gst_buffer_new_memdup(b, sizeof b);
}

std::uint32_t tag_ms(GstBuffer* b) {
  std::uint8_t h[8];
  gst_buffer_extract(b, 0, h, sizeof h);
  return (static_cast<std::uint32_t>(h[7]) << 24) | (h[4] << 16) | (h[5] << 8) | h[6];
}

struct destination {
  GstElement* pipeline = nullptr;
  GstElement* src = nullptr;
  GstElement* out = nullptr;
  GstCaps* caps = nullptr;
  flv_tap tap{8 * 1024 * 1024};

  destination() {
    std::string error;
    EXPECT_TRUE(init_gstreamer(error)) << error;
    caps = gst_caps_from_string("video/x-flv");
    pipeline = gst_parse_launch(
        "appsrc name=src format=time is-live=true do-timestamp=false block=false max-bytes=0 "
        "! appsink name=out sync=false async=false",
        nullptr);
    src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    out = gst_bin_get_by_name(GST_BIN(pipeline), "out");
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    tap.bind(src);
  }
  ~destination() {
    tap.unbind();
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(src);
    gst_object_unref(out);
    gst_object_unref(pipeline);
    gst_caps_unref(caps);
  }
  void push(std::uint8_t type, std::uint32_t ms, bool keyframe = false) {
    GstBuffer* b = tag(type, ms, keyframe);
    tap.push(b, caps, 1);
    gst_buffer_unref(b);
  }
  // The timestamps of the tags that arrive within `wait`.
  std::vector<std::uint32_t> received(GstClockTime wait) {
    std::vector<std::uint32_t> ms;
    while (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(out), wait)) {
      ms.push_back(tag_ms(gst_sample_get_buffer(s)));
      gst_sample_unref(s);
      wait = 200 * GST_MSECOND;  // the rest of a batch follows at once
    }
    return ms;
  }
};

}  // namespace

TEST(flv_tap, audio_waits_for_the_next_video_frame_and_goes_with_it_in_order) {
  destination d;
  d.push(9, 1000, true);  // the first keyframe: this destination's 0 ms
  EXPECT_EQ(d.received(2 * GST_SECOND), std::vector<std::uint32_t>{0});
  d.push(8, 1010);
  d.push(8, 1030);
  EXPECT_TRUE(d.received(200 * GST_MSECOND).empty()) << "audio is held for the frame";
  d.push(9, 1033);
  EXPECT_EQ(d.received(2 * GST_SECOND), (std::vector<std::uint32_t>{10, 30, 33}));
}

TEST(flv_tap, audio_without_video_goes_every_100_ms_of_its_time) {
  destination d;
  d.push(9, 0, true);
  EXPECT_EQ(d.received(2 * GST_SECOND), std::vector<std::uint32_t>{0});
  for (std::uint32_t ms = 23; ms <= 115; ms += 23) d.push(8, ms);  // 23 … 115: 92 ms of audio
  EXPECT_TRUE(d.received(200 * GST_MSECOND).empty());
  d.push(8, 138);  // 115 ms after the batch's first tag
  EXPECT_EQ(d.received(2 * GST_SECOND), (std::vector<std::uint32_t>{23, 46, 69, 92, 115, 138}));
}

TEST(flv_tap, a_new_timeline_after_unbind_starts_on_a_keyframe_without_the_held_audio) {
  destination d;
  d.push(9, 500, true);
  d.push(8, 510);
  EXPECT_EQ(d.received(2 * GST_SECOND), std::vector<std::uint32_t>{0});
  d.tap.bind(d.src);  // a reconnect: the held audio belongs to the old connection
  d.push(8, 520);     // not a keyframe: skipped
  d.push(9, 533, true);
  EXPECT_EQ(d.received(2 * GST_SECOND), std::vector<std::uint32_t>{0});
}
