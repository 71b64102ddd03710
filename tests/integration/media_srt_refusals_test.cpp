// Every SRT caller a stage refuses is counted on that stage, and only that one, with the
// reason: no passphrase, a wrong one, a wrong stream id (the stage's stream_id), an encrypted
// caller to an unencrypted stage. Two SRT stages listen at once; the refusals go to one. The
// log says which stage and why; /metrics counts per reason; and the right caller still gets
// through afterwards. Real ffmpeg callers over SRT on 127.0.0.1.
#include <gtest/gtest.h>

#include "media_fixture.hpp"

namespace samling::testing {
namespace {

using namespace media_fixture;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string srt_stage_toml(const std::string& id, std::uint16_t port, const std::string& passphrase,
                           const std::string& stream_id) {
  std::string t = "[[stages]]\nid = \"" + id + "\"\nname = { sv = \"" + id + "\", en = \"" + id +
                  "\" }\nmode = \"passthrough\"\ninput = \"srt\"\nlisten = \"127.0.0.1\"\nport = " +
                  std::to_string(port) + "\nhls_segment_seconds = 1\nhls_window_seconds = 10\n";
  if (!passphrase.empty()) t += "passphrase = \"" + passphrase + "\"\n";
  if (!stream_id.empty()) t += "stream_id = \"" + stream_id + "\"\n";
  return t;
}

// ffmpeg as a caller with the given passphrase (empty: unencrypted) and stream id (empty: none).
std::unique_ptr<ffmpeg_sender> caller(std::uint16_t port, const std::string& passphrase, const std::string& stream_id) {
  auto url = srt_sender::url(port, passphrase);
  if (!stream_id.empty()) url += "&streamid=" + stream_id;
  return std::make_unique<ffmpeg_sender>("mpegts", url);
}

json::object input_of(std::uint16_t port, const std::string& id) {
  auto s = stage(port, id);
  auto* in = s.if_contains("input");
  return in && in->is_object() ? in->as_object() : json::object{};
}

std::string last_reason(const json::object& in) {
  auto* r = in.if_contains("last_rejection");
  return r && r->is_object() ? str(r->as_object(), "reason") : std::string();
}

double rejected_metric(std::uint16_t port, const std::string& id, const std::string& reason) {
  return metric(port, "samling_stage_input_rejected_callers_total{stage=\"" + id + "\",reason=\"" + reason + "\"}");
}

// The server's stage_caller_rejected lines for `stage`.
std::vector<std::string> rejection_lines(const server_process& server, const std::string& stage_id) {
  return lines_where(server.stderr_text(), [&](const std::string& line) {
    return line.find("stage_caller_rejected") != std::string::npos &&
           line.find("stage=" + stage_id + " ") != std::string::npos;
  });
}

// One refused caller to `id`: ffmpeg gives up, the stage counts exactly one more refusal with
// `reason`, and the log has a line for it.
void expect_refused(const server_process& server, const std::string& id, std::uint16_t srt_port,
                    const std::string& passphrase, const std::string& stream_id, const std::string& reason) {
  SCOPED_TRACE("caller with passphrase \"" + passphrase + "\", stream id \"" + stream_id + "\"");
  auto before = num(input_of(server.port(), id), "rejected_callers");
  auto c = caller(srt_port, passphrase, stream_id);
  c->start();
  auto exit = c->wait_exit(15s);
  ASSERT_TRUE(exit.has_value()) << "ffmpeg was not refused\nffmpeg: " << c->log();
  EXPECT_NE(*exit, 0) << c->log();
  ASSERT_TRUE(eventually([&] { return num(input_of(server.port(), id), "rejected_callers") >= before + 1; }, 5s))
      << json::serialize(input_of(server.port(), id)) << "\n" << log_excerpt(server);
  auto in = input_of(server.port(), id);
  // ffmpeg has given up: its one handshake was refused, and counted once.
  EXPECT_EQ(num(in, "rejected_callers"), before + 1) << json::serialize(in);
  EXPECT_EQ(last_reason(in), reason) << json::serialize(in);
  auto& r = in.at("last_rejection").as_object();
  EXPECT_FALSE(str(r, "detail").empty()) << json::serialize(in);
  EXPECT_NEAR(static_cast<double>(num(r, "at_ms")), static_cast<double>(unix_ms()), 60'000.0) << json::serialize(in);
  EXPECT_NE(str(in, "state"), "connected");
  EXPECT_TRUE(eventually(
      [&] {
        for (auto& l : rejection_lines(server, id))
          if (l.find("reason=" + reason) != std::string::npos) return true;
        return false;
      },
      5s))
      << log_excerpt(server);
}

TEST(MediaSrtRefusals, each_refused_caller_is_counted_on_its_own_stage_with_the_reason_and_the_right_caller_still_gets_in) {
  auto port_a = free_udp_port();
  auto port_b = free_udp_port();
  while (port_b == port_a) port_b = free_udp_port();
  server_process server(media_server(srt_stage_toml("stage-a", port_a, "correct-horse-42", "venue-a") +
                                     srt_stage_toml("stage-b", port_b, "battery-staple-99", "")));
  ASSERT_TRUE(eventually([&] {
    return str(stage(server.port(), "stage-a"), "state") == "standby" &&
           str(stage(server.port(), "stage-b"), "state") == "standby";
  }, 10s)) << log_excerpt(server);
  EXPECT_EQ(num(input_of(server.port(), "stage-a"), "rejected_callers"), 0);
  EXPECT_TRUE(input_of(server.port(), "stage-a").at("last_rejection").is_null());
  // The stream id is masked in the status like the passphrase.
  auto url_a = str(input_of(server.port(), "stage-a"), "url");
  EXPECT_EQ(url_a.find("venue-a"), std::string::npos) << url_a;
  EXPECT_NE(url_a.find("streamid="), std::string::npos) << url_a;

  // To stage A: no passphrase, a wrong one, a wrong stream id, no stream id.
  expect_refused(server, "stage-a", port_a, "", "venue-a", "no_passphrase");
  expect_refused(server, "stage-a", port_a, "not-the-passphrase", "venue-a", "wrong_passphrase");
  expect_refused(server, "stage-a", port_a, "correct-horse-42", "venue-b", "wrong_stream_id");
  expect_refused(server, "stage-a", port_a, "correct-horse-42", "", "wrong_stream_id");

  auto a = input_of(server.port(), "stage-a");
  EXPECT_EQ(num(a, "rejected_callers"), 4) << json::serialize(a);
  EXPECT_EQ(rejected_metric(server.port(), "stage-a", "no_passphrase"), 1);
  EXPECT_EQ(rejected_metric(server.port(), "stage-a", "wrong_passphrase"), 1);
  EXPECT_EQ(rejected_metric(server.port(), "stage-a", "wrong_stream_id"), 2);
  EXPECT_EQ(rejected_metric(server.port(), "stage-a", "other"), 0);

  // Stage B heard none of it.
  auto b = input_of(server.port(), "stage-b");
  EXPECT_EQ(num(b, "rejected_callers"), 0) << json::serialize(b);
  EXPECT_TRUE(b.at("last_rejection").is_null()) << json::serialize(b);
  for (auto reason : {"no_passphrase", "wrong_passphrase", "unexpected_passphrase", "wrong_stream_id", "other"})
    EXPECT_EQ(rejected_metric(server.port(), "stage-b", reason), 0) << reason;
  EXPECT_TRUE(rejection_lines(server, "stage-b").empty()) << log_excerpt(server);
  EXPECT_EQ(rejection_lines(server, "stage-a").size(), 4u) << log_excerpt(server);
  // The secrets stay out of the log, and so do the stream ids (the stage's and the caller's).
  for (auto secret : {"correct-horse-42", "not-the-passphrase", "venue-a", "venue-b"})
    EXPECT_FALSE(contains(server.stderr_text(), secret)) << lines_with(server.stderr_text(), secret);

  // The right caller to A goes live; B is still waiting and still has nothing counted.
  auto obs = caller(port_a, "correct-horse-42", "venue-a");
  bool live = false;
  for (int attempt = 0; attempt < 3 && !live; ++attempt) {
    obs->start();
    live = eventually([&] { return str(stage(server.port(), "stage-a"), "state") == "live"; }, 15s);
  }
  ASSERT_TRUE(live) << json::serialize(stage(server.port(), "stage-a")) << "\nffmpeg: " << obs->log() << "\n"
                    << log_excerpt(server);
  EXPECT_EQ(str(stage(server.port(), "stage-b"), "state"), "standby");
  EXPECT_EQ(num(input_of(server.port(), "stage-a"), "rejected_callers"), 4);
  EXPECT_EQ(num(input_of(server.port(), "stage-b"), "rejected_callers"), 0);
  obs->stop();
}

TEST(MediaSrtRefusals, an_encrypted_caller_to_an_unencrypted_stage_is_counted_and_a_plain_caller_gets_in) {
  auto port_a = free_udp_port();
  auto port_b = free_udp_port();
  while (port_b == port_a) port_b = free_udp_port();
  server_process server(media_server(srt_stage_toml("plain", port_a, "", "") +
                                     srt_stage_toml("other", port_b, "battery-staple-99", "")));
  ASSERT_TRUE(eventually([&] {
    return str(stage(server.port(), "plain"), "state") == "standby" &&
           str(stage(server.port(), "other"), "state") == "standby";
  }, 10s)) << log_excerpt(server);
  expect_refused(server, "plain", port_a, "correct-horse-42", "", "unexpected_passphrase");
  EXPECT_EQ(num(input_of(server.port(), "other"), "rejected_callers"), 0);
  auto obs = caller(port_a, "", "anything");  // no stream_id configured: any stream id is accepted
  bool live = false;
  for (int attempt = 0; attempt < 3 && !live; ++attempt) {
    obs->start();
    live = eventually([&] { return str(stage(server.port(), "plain"), "state") == "live"; }, 15s);
  }
  ASSERT_TRUE(live) << json::serialize(stage(server.port(), "plain")) << "\nffmpeg: " << obs->log();
  EXPECT_EQ(num(input_of(server.port(), "plain"), "rejected_callers"), 1);
  obs->stop();
}

}  // namespace
}  // namespace samling::testing
