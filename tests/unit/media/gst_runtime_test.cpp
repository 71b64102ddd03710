#include "media/gst_runtime.hpp"

#include <gtest/gtest.h>

using namespace samling::media;

TEST(gst_runtime, initialises_and_reports_version_1_22_or_later) {
  std::string error;
  ASSERT_TRUE(init_gstreamer(error)) << error;
  ASSERT_TRUE(init_gstreamer(error)) << "second init must be a no-op";
  auto v = gstreamer_version();
  EXPECT_EQ(v.rfind("GStreamer 1.", 0), 0u) << v;
}

TEST(gst_runtime, finds_core_elements_and_reports_missing_ones) {
  std::string error;
  ASSERT_TRUE(init_gstreamer(error)) << error;
  EXPECT_TRUE(missing_elements({"queue", "tee", "fakesink"}).empty());
  auto missing = missing_elements({"queue", "no-such-element-xyz"});
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0], "no-such-element-xyz");
}
