// classify_rtmp_error with the texts GStreamer 1.22's rtmp2sink really posts.
#include "media/relay.hpp"

#include <gtest/gtest.h>

using samling::media::classify_rtmp_error;

TEST(classify_rtmp_error, connection_refused) {
  EXPECT_EQ(classify_rtmp_error("Connection refused: Could not connect to 127.0.0.1: Connection refused", ""),
            "refused");
}

TEST(classify_rtmp_error, connect_timeout) {
  EXPECT_EQ(classify_rtmp_error("Failed to connect: Socket I/O timed out", ""), "timeout");
}

TEST(classify_rtmp_error, publish_cmd_failed_is_a_rejected_key) {
  // nginx-rtmp's on_publish answered non-2xx and hung up: "closed remotely" must not win.
  EXPECT_EQ(classify_rtmp_error("Failed to connect: 'publish' cmd failed: connection closed remotely", ""),
            "key_rejected");
}

TEST(classify_rtmp_error, not_authorized_publish_denied) {
  EXPECT_EQ(classify_rtmp_error("Not authorized to connect: publish denied: "
                                "{ \"level\": \"error\", \"code\": \"NetStream.Publish.Denied\" }",
                                ""),
            "key_rejected");
}

TEST(classify_rtmp_error, stream_already_exists) {
  EXPECT_EQ(classify_rtmp_error("Failed to connect: publish denied; stream already exists: "
                                "{ \"level\": \"error\", \"code\": \"NetStream.Publish.BadName\" }",
                                ""),
            "key_rejected");
}

TEST(classify_rtmp_error, connection_closed_while_live) {
  EXPECT_EQ(classify_rtmp_error("Connection error: connection closed remotely", ""), "closed");
}

TEST(classify_rtmp_error, timeout_while_live) {
  EXPECT_EQ(classify_rtmp_error("Connection error: Socket I/O timed out", ""), "timeout");
}

TEST(classify_rtmp_error, unknown_text_is_error) {
  EXPECT_EQ(classify_rtmp_error("Internal data stream error.", ""), "error");
  EXPECT_EQ(classify_rtmp_error("", ""), "error");
}

TEST(classify_rtmp_error, debug_text_counts_too) {
  EXPECT_EQ(classify_rtmp_error("Could not open resource for writing.", "Connection refused"), "refused");
}
