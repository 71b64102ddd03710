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

TEST(classify_rtmp_error, untrusted_certificate) {
  // GIO's G_TLS_ERROR_BAD_CERTIFICATE, as rtmp2sink posts it for a private CA.
  EXPECT_EQ(classify_rtmp_error("Failed to connect: Unacceptable TLS certificate",
                                "../gst/rtmp2/gstrtmp2sink.c(1117): send_connect_error (): "
                                "/GstPipeline:relay-a/GstRtmp2Sink:sink:\ndomain g-tls-error-quark, code 2"),
            "tls_untrusted");
}

TEST(classify_rtmp_error, a_close_right_after_publish_is_closed_by_its_text) {
  // nginx-rtmp's `deny publish all`: the text alone cannot tell it from a close while live;
  // the relay counts such closes before the stream was accepted (key_rejected after 3).
  EXPECT_EQ(classify_rtmp_error("Connection error: connection closed remotely", ""), "closed");
  EXPECT_EQ(classify_rtmp_error("Connection error: Error receiving data: Connection reset by peer", ""), "closed");
}

TEST(classify_rtmp_error, the_pipeline_name_in_the_debug_text_does_not_decide) {
  // The debug text names the pipeline after the output's id, which the organizer chooses.
  EXPECT_EQ(classify_rtmp_error("Connection error: connection closed remotely",
                                "/GstPipeline:relay-publish-denied/GstRtmp2Sink:sink"),
            "closed");
}

using samling::media::host_port;
using samling::media::rtmp_endpoint;

TEST(rtmp_endpoint, default_ports_per_scheme) {
  EXPECT_EQ(rtmp_endpoint("rtmp://a.rtmp.youtube.com/live2"), (host_port{"a.rtmp.youtube.com", 1935}));
  EXPECT_EQ(rtmp_endpoint("rtmps://live-api-s.facebook.com/rtmp/"), (host_port{"live-api-s.facebook.com", 443}));
  EXPECT_EQ(rtmp_endpoint("RTMPS://Host"), (host_port{"Host", 443}));
}

TEST(rtmp_endpoint, explicit_ports_and_ipv6) {
  EXPECT_EQ(rtmp_endpoint("rtmp://127.0.0.1:19350/live"), (host_port{"127.0.0.1", 19350}));
  EXPECT_EQ(rtmp_endpoint("rtmps://[::1]:8443/app"), (host_port{"::1", 8443}));
  EXPECT_EQ(rtmp_endpoint("rtmp://[2001:db8::1]/app"), (host_port{"2001:db8::1", 1935}));
  EXPECT_EQ(rtmp_endpoint("rtmp://user:pw@host:1936/app?x=1"), (host_port{"host", 1936}));
}

TEST(rtmp_endpoint, malformed_or_other_schemes_are_nothing) {
  EXPECT_FALSE(rtmp_endpoint("srt://host:9000"));
  EXPECT_FALSE(rtmp_endpoint("rtmp://"));
  EXPECT_FALSE(rtmp_endpoint("rtmp://host:/app"));
  EXPECT_FALSE(rtmp_endpoint("rtmp://host:0/app"));
  EXPECT_FALSE(rtmp_endpoint("rtmp://host:65536/app"));
  EXPECT_FALSE(rtmp_endpoint("rtmp://host:12ab/app"));
  EXPECT_FALSE(rtmp_endpoint("rtmp://[::1/app"));
  EXPECT_FALSE(rtmp_endpoint("rtmp://[::1]x/app"));
}
