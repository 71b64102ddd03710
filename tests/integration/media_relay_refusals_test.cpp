// How a relay destination is refused and how it comes back (issue 13): a platform that hangs up
// right after the publish (a wrong key without an error reply), a platform that is down for
// 15 s and returns, and an RTMPS ingest behind a private CA. Real programs on 127.0.0.1: nginx
// with the RTMP module as the platform, stunnel terminating TLS in front of it with a
// certificate the test makes with openssl, ffprobe reading back what nginx recorded.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "media_fixture.hpp"

namespace samling::testing {
namespace {

using namespace media_fixture;
using steady = std::chrono::steady_clock;

// A produced stage on the generated test picture: no encoder to start, media from the first
// second.
std::string test_stage(const std::string& outputs) {
  return "[[stages]]\nid = \"main\"\nname = \"Main stage\"\nmode = \"produced\"\ninput = \"test\"\n" +
         small_produced_toml() + outputs;
}

void stop_server(server_process& s) {
  s.signal(SIGTERM);
  ASSERT_TRUE(s.wait_exit(20s).has_value()) << "the server did not exit";
}

// The server's log lines of `event` about output `id`.
std::vector<std::string> relay_lines(const server_process& server, const std::string& event, const std::string& id) {
  return lines_where(server.stderr_text(), [&](const std::string& line) {
    return line.find(" " + event + " ") != std::string::npos && line.find(" output=" + id + " ") != std::string::npos;
  });
}

// The number after "name=" in a log line, or -1.
long long field_number(const std::string& line, const std::string& name) {
  auto at = line.find(" " + name + "=");
  if (at == std::string::npos) return -1;
  return std::atoll(line.c_str() + at + name.size() + 2);
}

double seconds_since(steady::time_point t) { return std::chrono::duration<double>(steady::now() - t).count(); }

TEST(MediaRelayRefusals, a_platform_that_hangs_up_after_the_publish_is_a_rejected_key_after_three_closes) {
  nginx_rtmp platform;
  server_process server(media_server(test_stage(output_toml("good", platform.rtmp_url("live"), "good-key") +
                                                output_toml("closer", platform.rtmp_url("closed"), "wrong-key"))));
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "good") == "live"; }, 20s))
      << json::serialize(stage(server.port())) << log_excerpt(server);
  ASSERT_TRUE(eventually([&] {
    auto o = output(stage(server.port()), "closer");
    return str(o, "state") == "failed";
  }, 30s)) << json::serialize(output(stage(server.port()), "closer")) << log_excerpt(server);
  auto o = output(stage(server.port()), "closer");
  EXPECT_EQ(str(o, "reason"), "key_rejected") << json::serialize(o);
  EXPECT_NE(str(o, "last_error").find("3 times in a row"), std::string::npos) << json::serialize(o);
  // Two closes were retried as `closed`, the third ended it: exactly three attempts.
  EXPECT_EQ(num(o, "reconnects"), 2) << json::serialize(o);
  auto retried = relay_lines(server, "relay_retrying", "closer");
  ASSERT_EQ(retried.size(), 2u) << log_excerpt(server);
  for (auto& line : retried) EXPECT_NE(line.find("reason=closed"), std::string::npos) << line;
  EXPECT_EQ(relay_lines(server, "relay_failed", "closer").size(), 1u) << log_excerpt(server);
  // Failed means no more attempts: nginx sees no further publish.
  pause_for(3s);
  auto later = output(stage(server.port()), "closer");
  EXPECT_EQ(str(later, "state"), "failed");
  EXPECT_EQ(num(later, "reconnects"), 2);
  EXPECT_EQ(str(output(stage(server.port()), "good"), "state"), "live");
  EXPECT_EQ(num(output(stage(server.port()), "good"), "reconnects"), 0);
  // nginx really refused the publishes (the access module logs each one).
  auto denials = lines_where(platform.error_log(), [](const std::string& l) {
    return l.find("access forbidden by rule") != std::string::npos || l.find("access denied") != std::string::npos;
  });
  EXPECT_GE(denials.size(), 3u) << platform.error_log();
  stop_server(server);
  platform.stop();
  // nginx's recorder opens a file for each publish before the access check refuses it: the
  // refused ones stay empty, only the good destination's has media.
  std::size_t with_media = 0;
  for (auto& f : platform.recordings()) {
    auto name = f.filename().string();
    if (name.rfind("wrong-key-", 0) == 0) EXPECT_EQ(std::filesystem::file_size(f), 0u) << name;
    else if (std::filesystem::file_size(f) > 0) ++with_media;
  }
  EXPECT_EQ(with_media, 1u) << "only the good destination published";
}

TEST(MediaRelayRefusals, a_platform_that_was_live_and_then_hangs_up_on_every_publish_is_retried_not_failed) {
  nginx_rtmp platform;
  server_process server(media_server(test_stage(output_toml("a", platform.rtmp_url("live"), "stage-a"))));
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "a") == "live"; }, 20s))
      << json::serialize(stage(server.port())) << log_excerpt(server);
  pause_for(2s);
  // The platform restarts and from then on hangs up right after every publish.
  platform.stop();
  platform.set_live_closes_on_publish(true);
  platform.start();
  ASSERT_TRUE(eventually([&] { return relay_lines(server, "relay_retrying", "a").size() >= 5; }, 40s))
      << json::serialize(output(stage(server.port()), "a")) << log_excerpt(server);
  auto o = output(stage(server.port()), "a");
  EXPECT_NE(str(o, "state"), "failed") << json::serialize(o);
  EXPECT_TRUE(relay_lines(server, "relay_failed", "a").empty()) << log_excerpt(server);
  // It works again as soon as the platform takes the stream again.
  platform.stop();
  platform.set_live_closes_on_publish(false);
  platform.start();
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "a") == "live"; }, 20s))
      << json::serialize(output(stage(server.port()), "a")) << log_excerpt(server);
  stop_server(server);
  platform.stop();
}

// A destination on `host` (nginx listens on 127.0.0.1) whose platform is killed and kept down
// until the backoff's wait has grown to `long_wait_ms` (the fifth failure, ~15 s after the kill,
// for 10000), then started again: it must be live again within seconds, long before the
// backoff's next attempt.
void expect_fed_again_soon_after_returning(const std::string& host, long long long_wait_ms, double min_down_s) {
  nginx_rtmp platform;
  // The default backoff (1 s doubling to 30 s): what an operator runs.
  server_process::options opt;
  auto url = "rtmp://" + host + ":" + std::to_string(platform.rtmp_port()) + "/live";
  opt.extra_toml = "[media]\ndir = \"{DIR}/media\"\n" + test_stage(output_toml("a", url, "k"));
  opt.env = ws::auth_env();
  server_process server(opt);
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "a") == "live"; }, 20s))
      << json::serialize(stage(server.port())) << log_excerpt(server);
  pause_for(2s);

  platform.kill();
  auto down_since = steady::now();
  // Keep it down until the backoff has grown: without probes the next attempt would then be
  // that far away.
  std::string long_wait;
  ASSERT_TRUE(eventually([&] {
    for (auto& line : relay_lines(server, "relay_retrying", "a"))
      if (field_number(line, "retry_in_ms") >= long_wait_ms) long_wait = line;
    return !long_wait.empty();
  }, 60s)) << log_excerpt(server);
  auto backoff_seen = steady::now();
  auto backoff_ms = field_number(long_wait, "retry_in_ms");
  // The status is pushed as it changes (at most 10 snapshots a second): the attempt that just
  // failed may still show as connecting for up to 100 ms.
  json::object o;
  EXPECT_TRUE(eventually([&] {
    o = output(stage(server.port()), "a");
    // The countdown shows the probe's cadence, not the backoff's long wait (once the first
    // probe after the failure has found the platform still down).
    return str(o, "state") == "retrying" && num(o, "next_retry_ms") <= 2000;
  }, 3s)) << json::serialize(o) << "\n" << log_excerpt(server);
  EXPECT_EQ(str(o, "reason"), "refused") << json::serialize(o);

  platform.start();  // returns once nginx accepts connections
  auto accepting = steady::now();
  double down_s = std::chrono::duration<double>(accepting - down_since).count();
  ASSERT_TRUE(eventually([&] { return output_state(server.port(), "a") == "live"; }, 20s))
      << json::serialize(output(stage(server.port()), "a")) << log_excerpt(server);
  double reconnect_s = seconds_since(accepting);
  double backoff_left_s = backoff_ms / 1000.0 - std::chrono::duration<double>(accepting - backoff_seen).count();
  std::cout << "[ measured ] " << host << ": platform down " << down_s << " s; live again " << reconnect_s
            << " s after nginx accepted; the backoff alone would have waited another " << backoff_left_s << " s\n";
  ::testing::Test::RecordProperty("reconnect_ms", static_cast<int>(reconnect_s * 1000));
  EXPECT_GE(down_s, min_down_s);
  EXPECT_LT(reconnect_s, 5.0) << log_excerpt(server);
  EXPECT_GT(backoff_left_s, reconnect_s + 1.0) << "the test did not wait where probes make the difference";
  EXPECT_FALSE(relay_lines(server, "relay_probe_accepted", "a").empty()) << log_excerpt(server);
  stop_server(server);
  platform.stop();
  auto recs = platform.recordings();
  ASSERT_EQ(recs.size(), 2u) << "a publish before the kill and one after the return";
  auto p = probe_file(recs.back().string());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.video_codec, "h264");
  EXPECT_TRUE(p.first_video_is_keyframe);
}

TEST(MediaRelayRefusals, a_platform_down_for_15s_is_fed_again_within_seconds_of_accepting) {
  expect_fed_again_soon_after_returning("127.0.0.1", 10000, 12.0);
}

// The same with a host name: the probe looks it up each time (here "localhost", which may
// give ::1 before 127.0.0.1: the probe tries each address), down ~7 s.
TEST(MediaRelayRefusals, a_platform_named_by_host_name_is_probed_too) {
  expect_fed_again_soon_after_returning("localhost", 6000, 5.0);
}

TEST(MediaRelayRefusals, rtmps_to_a_private_ca_is_tls_untrusted_without_relay_ca_file_and_live_with_it) {
  temp_dir certs_dir;
  auto certs = make_test_certificates(certs_dir.path());
  nginx_rtmp platform;
  stunnel_peer ingest(platform.rtmp_port(), certs);
  auto outputs = output_toml("private", ingest.rtmps_url("live"), "tls-key");
  {
    SCOPED_TRACE("without media.relay_ca_file");
    server_process server(media_server(test_stage(outputs)));
    ASSERT_TRUE(eventually([&] {
      auto o = output(stage(server.port()), "private");
      return str(o, "reason") == "tls_untrusted" && num(o, "reconnects") >= 2;
    }, 30s)) << json::serialize(output(stage(server.port()), "private")) << log_excerpt(server);
    auto o = output(stage(server.port()), "private");
    // Retried with backoff: the platform may fix its certificate; the operator sees why.
    EXPECT_NE(str(o, "state"), "failed") << json::serialize(o);
    EXPECT_NE(str(o, "state"), "live") << json::serialize(o);
    EXPECT_NE(str(o, "last_error").find("certificate"), std::string::npos) << json::serialize(o);
    stop_server(server);
  }
  EXPECT_TRUE(platform.recordings().empty()) << "nothing may pass an untrusted certificate";
  {
    SCOPED_TRACE("with media.relay_ca_file");
    server_process::options opt = media_server(test_stage(outputs));
    opt.extra_toml = media_toml() + "relay_ca_file = \"" + certs.ca.string() + "\"\n" + test_stage(outputs);
    server_process server(opt);
    ASSERT_TRUE(eventually([&] { return output_state(server.port(), "private") == "live"; }, 30s))
        << json::serialize(output(stage(server.port()), "private")) << log_excerpt(server) << "\nstunnel:\n"
        << ingest.log();
    EXPECT_FALSE(lines_where(server.stderr_text(), [](const std::string& l) {
                   return l.find(" relay_ca_installed ") != std::string::npos;
                 }).empty());
    pause_for(3s);
    EXPECT_EQ(num(output(stage(server.port()), "private"), "reconnects"), 0);
    stop_server(server);
  }
  platform.stop();
  auto recs = platform.recordings();
  ASSERT_EQ(recs.size(), 1u);
  auto p = probe_file(recs.front().string());
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.video_codec, "h264");
  EXPECT_EQ(p.audio_codec, "aac");
  EXPECT_GT(p.duration_s, 2.0);
}

// media.relay_ca_file adds to the system's CAs, it does not replace them: public platforms
// keep working. The "system" bundle here is a second test CA, named by SSL_CERT_FILE (which
// the server reads like OpenSSL does when it looks for the system bundle).
TEST(MediaRelayRefusals, with_relay_ca_file_the_system_cas_stay_trusted) {
  temp_dir public_dir, private_dir;
  auto public_certs = make_test_certificates(public_dir.path());
  auto private_certs = make_test_certificates(private_dir.path());
  nginx_rtmp platform;
  stunnel_peer public_ingest(platform.rtmp_port(), public_certs);
  stunnel_peer private_ingest(platform.rtmp_port(), private_certs);
  auto outputs = output_toml("public", public_ingest.rtmps_url("live"), "public-key") +
                 output_toml("private", private_ingest.rtmps_url("live"), "private-key");
  server_process::options opt = media_server(test_stage(outputs));
  opt.extra_toml = media_toml() + "relay_ca_file = \"" + private_certs.ca.string() + "\"\n" + test_stage(outputs);
  // Set in this process for the server to inherit: the harness appends its `env` to ours, and
  // a shell that already sets SSL_CERT_FILE would win (the first of two entries does).
  struct restore_env {
    std::optional<std::string> saved;
    restore_env() {
      if (const char* v = std::getenv("SSL_CERT_FILE")) saved = v;
    }
    ~restore_env() {
      if (saved) setenv("SSL_CERT_FILE", saved->c_str(), 1);
      else unsetenv("SSL_CERT_FILE");
    }
  } restore;
  setenv("SSL_CERT_FILE", public_certs.ca.c_str(), 1);
  server_process server(opt);
  EXPECT_FALSE(lines_where(server.stderr_text(), [&](const std::string& l) {
                 return l.find(" relay_ca_installed ") != std::string::npos &&
                        l.find(public_certs.ca.string()) != std::string::npos;
               }).empty())
      << "the server should have read SSL_CERT_FILE as the system bundle\n" << log_excerpt(server);
  ASSERT_TRUE(eventually([&] {
    auto s = stage(server.port());
    return str(output(s, "public"), "state") == "live" && str(output(s, "private"), "state") == "live";
  }, 30s)) << json::serialize(stage(server.port())) << log_excerpt(server);
  stop_server(server);
  platform.stop();
  std::size_t with_media = 0;
  for (auto& f : platform.recordings())
    if (std::filesystem::file_size(f) > 0) ++with_media;
  EXPECT_EQ(with_media, 2u);
}

TEST(MediaRelayRefusals, a_relay_ca_file_without_a_certificate_stops_start_up_with_exit_2_naming_the_key) {
  temp_dir dir;
  auto not_pem = dir.write("key.pem", "-----BEGIN PRIVATE KEY-----\n");
  auto missing = dir.file("missing.pem");
  for (auto& [path, expected] : std::vector<std::pair<std::string, std::string>>{
           {not_pem, "media.relay_ca_file: no PEM certificate"}, {missing, "media.relay_ca_file: file not found"}}) {
    SCOPED_TRACE(path);
    write_file(dir.file("samling.toml"), "[media]\nrelay_ca_file = \"" + path + "\"\n");
    auto r = run_samling({"serve", "--config", dir.file("samling.toml")}, {{"SAMLING_STORE_PATH", dir.file("samling.db")}});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("listening"), std::string::npos);
  }
}

}  // namespace
}  // namespace samling::testing
