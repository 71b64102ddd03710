// stage_spec: validate_stage / validate_output rules, mask_key, describe_input.
#include "media/stage_spec.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace samling::media;

namespace {

// A valid produced test stage; each test breaks one thing.
stage_spec good_stage() {
  stage_spec s;
  s.id = "main";
  s.name = {{"sv", "Stora scenen"}};
  s.mode = stage_mode::produced;
  s.input.kind = input_kind::test;
  return s;
}

output_spec good_output(std::string id = "youtube") {
  output_spec o;
  o.id = std::move(id);
  o.name = "YouTube";
  o.url = "rtmp://a.rtmp.youtube.com/live2";
  o.key = "abcd-efgh-ijkl-mnop";
  return o;
}

// True when one of the problems starts with `field` ("input.port", "produced.width", ...).
bool has_problem(const std::vector<std::string>& problems, const std::string& field) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.rfind(field + ":", 0) == 0; });
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (auto& p : v) out += p + "\n";
  return out;
}

}  // namespace

// ---- validate_stage -------------------------------------------------------------------------

TEST(validate_stage, good_stage_is_valid) {
  EXPECT_TRUE(validate_stage(good_stage()).empty()) << joined(validate_stage(good_stage()));
  auto s = good_stage();
  s.mode = stage_mode::passthrough;
  s.input.kind = input_kind::srt_listener;
  EXPECT_TRUE(validate_stage(s).empty()) << joined(validate_stage(s));
}

TEST(validate_stage, id_rules) {
  for (const std::string& bad : std::vector<std::string>{"", "Main", "main stage", "main_stage", "scen/1", "ö", std::string(41, 'a')}) {
    auto s = good_stage();
    s.id = bad;
    EXPECT_TRUE(has_problem(validate_stage(s), "id")) << "'" << bad << "'";
  }
  for (const std::string& ok : std::vector<std::string>{"a", "main", "stage-2", "0", std::string(40, 'z')}) {
    auto s = good_stage();
    s.id = ok;
    EXPECT_FALSE(has_problem(validate_stage(s), "id")) << "'" << ok << "'";
  }
}

TEST(validate_stage, needs_a_name) {
  auto s = good_stage();
  s.name.clear();
  EXPECT_TRUE(has_problem(validate_stage(s), "name"));
}

TEST(validate_stage, srt_port_passphrase_latency) {
  auto base = good_stage();
  base.mode = stage_mode::passthrough;
  base.input.kind = input_kind::srt_listener;

  for (std::uint32_t port : {0u, 65536u, 100000u}) {
    auto s = base;
    s.input.port = port;
    EXPECT_TRUE(has_problem(validate_stage(s), "input.port")) << port;
  }
  for (std::uint32_t port : {1u, 9000u, 65535u}) {
    auto s = base;
    s.input.port = port;
    EXPECT_FALSE(has_problem(validate_stage(s), "input.port")) << port;
  }

  // Empty = unencrypted; otherwise 10-79 characters.
  for (std::size_t len : {0u, 10u, 40u, 79u}) {
    auto s = base;
    s.input.passphrase = std::string(len, 'p');
    EXPECT_FALSE(has_problem(validate_stage(s), "input.passphrase")) << len;
  }
  for (std::size_t len : {1u, 9u, 80u, 200u}) {
    auto s = base;
    s.input.passphrase = std::string(len, 'p');
    EXPECT_TRUE(has_problem(validate_stage(s), "input.passphrase")) << len;
  }

  for (std::uint32_t ms : {0u, 19u, 10001u}) {
    auto s = base;
    s.input.latency_ms = ms;
    EXPECT_TRUE(has_problem(validate_stage(s), "input.latency_ms")) << ms;
  }
  for (std::uint32_t ms : {20u, 200u, 10000u}) {
    auto s = base;
    s.input.latency_ms = ms;
    EXPECT_FALSE(has_problem(validate_stage(s), "input.latency_ms")) << ms;
  }
}

TEST(validate_stage, srt_stream_id) {
  auto base = good_stage();
  base.mode = stage_mode::passthrough;
  base.input.kind = input_kind::srt_listener;
  base.input.port = 9000;
  for (const std::string& id : {std::string(), std::string("#!::r=main,m=publish"), std::string(512, 's')}) {
    auto s = base;
    s.input.stream_id = id;
    EXPECT_FALSE(has_problem(validate_stage(s), "input.stream_id")) << id;
  }
  for (const std::string& id : {std::string(513, 's'), std::string("a\nb"), std::string("a\x7f")}) {
    auto s = base;
    s.input.stream_id = id;
    EXPECT_TRUE(has_problem(validate_stage(s), "input.stream_id")) << id;
  }
}

TEST(validate_stage, srt_rules_do_not_apply_to_other_inputs) {
  auto s = good_stage();  // test input
  s.input.port = 0;
  s.input.passphrase = "short";
  s.input.latency_ms = 0;
  EXPECT_TRUE(validate_stage(s).empty()) << joined(validate_stage(s));
}

TEST(validate_stage, pull_url_schemes) {
  auto base = good_stage();
  base.mode = stage_mode::passthrough;
  base.input.kind = input_kind::pull;
  for (const std::string& ok : std::vector<std::string>{"rtmp://h/app/key", "rtmps://h/app", "srt://h:9000", "rtsp://cam/1", "http://h/a.m3u8",
                         "https://h/a.m3u8"}) {
    auto s = base;
    s.input.url = ok;
    EXPECT_FALSE(has_problem(validate_stage(s), "input.url")) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{"", "ftp://h/a", "file:///etc/passwd", "h/a.m3u8", "RTMP://h/app", " rtmp://h/app"}) {
    auto s = base;
    s.input.url = bad;
    EXPECT_TRUE(has_problem(validate_stage(s), "input.url")) << bad;
  }
}

TEST(validate_stage, file_input_needs_a_file) {
  auto s = good_stage();
  s.input.kind = input_kind::file;
  EXPECT_TRUE(has_problem(validate_stage(s), "input.file"));
  s.input.file = "/srv/loop.mp4";
  EXPECT_FALSE(has_problem(validate_stage(s), "input.file"));
}

TEST(validate_stage, test_input_needs_produced_mode) {
  auto s = good_stage();
  s.mode = stage_mode::passthrough;
  EXPECT_TRUE(has_problem(validate_stage(s), "mode"));
  s.mode = stage_mode::produced;
  EXPECT_FALSE(has_problem(validate_stage(s), "mode"));
  // Other inputs work in both modes.
  for (auto k : {input_kind::srt_listener, input_kind::pull, input_kind::file}) {
    auto t = good_stage();
    t.input.kind = k;
    t.input.url = "srt://h:1";
    t.input.file = "/a.mp4";
    for (auto m : {stage_mode::passthrough, stage_mode::produced}) {
      t.mode = m;
      EXPECT_FALSE(has_problem(validate_stage(t), "mode")) << to_string(k) << " " << to_string(m);
    }
  }
}

TEST(validate_stage, produced_ranges) {
  struct field_case {
    const char* field;
    void (*set)(produced_spec&, double);
    std::vector<double> good, bad;
  };
  const std::vector<field_case> cases = {
      {"produced.width", [](produced_spec& p, double v) { p.width = static_cast<std::uint32_t>(v); },
       {16, 320, 1280, 3840}, {0, 14, 15, 321, 3841, 3842, 4096}},
      {"produced.height", [](produced_spec& p, double v) { p.height = static_cast<std::uint32_t>(v); },
       {16, 180, 720, 2160}, {0, 14, 17, 181, 2161, 2162}},
      {"produced.fps", [](produced_spec& p, double v) { p.fps = static_cast<std::uint32_t>(v); },
       {1, 15, 30, 60}, {0, 61, 120}},
      {"produced.video_kbps", [](produced_spec& p, double v) { p.video_kbps = static_cast<std::uint32_t>(v); },
       {100, 300, 50000}, {0, 99, 50001}},
      {"produced.audio_kbps", [](produced_spec& p, double v) { p.audio_kbps = static_cast<std::uint32_t>(v); },
       {32, 128, 320}, {0, 31, 321}},
      {"produced.keyframe_seconds", [](produced_spec& p, double v) { p.keyframe_seconds = v; },
       {0.5, 1, 10}, {0, 0.49, 10.01}},
  };
  for (auto& c : cases) {
    for (double v : c.good) {
      auto s = good_stage();
      c.set(s.produced, v);
      EXPECT_FALSE(has_problem(validate_stage(s), c.field)) << c.field << " = " << v;
    }
    for (double v : c.bad) {
      auto s = good_stage();
      c.set(s.produced, v);
      EXPECT_TRUE(has_problem(validate_stage(s), c.field)) << c.field << " = " << v;
    }
  }
}

TEST(validate_stage, produced_presets) {
  for (const std::string& ok : std::vector<std::string>{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium"}) {
    auto s = good_stage();
    s.produced.preset = ok;
    EXPECT_FALSE(has_problem(validate_stage(s), "produced.preset")) << ok;
  }
  for (const std::string& bad : std::vector<std::string>{"", "slow", "placebo", "Veryfast", "veryfast "}) {
    auto s = good_stage();
    s.produced.preset = bad;
    EXPECT_TRUE(has_problem(validate_stage(s), "produced.preset")) << bad;
  }
}

TEST(validate_stage, hls_segment_and_window) {
  for (double seg : {0.0, 0.49, 10.5}) {
    auto s = good_stage();
    s.hls_segment_seconds = seg;
    EXPECT_TRUE(has_problem(validate_stage(s), "hls_segment_seconds")) << seg;
  }
  for (double seg : {0.5, 2.0, 10.0}) {
    auto s = good_stage();
    s.hls_segment_seconds = seg;
    s.hls_window_seconds = 120;
    EXPECT_FALSE(has_problem(validate_stage(s), "hls_segment_seconds")) << seg;
  }
  // The window holds at least 3 segments and at most 6 hours.
  auto s = good_stage();
  s.hls_segment_seconds = 2;
  for (double w : {0.0, 5.9, 6 * 3600 + 1.0}) {
    s.hls_window_seconds = w;
    EXPECT_TRUE(has_problem(validate_stage(s), "hls_window_seconds")) << w;
  }
  for (double w : {6.0, 120.0, 6 * 3600.0}) {
    s.hls_window_seconds = w;
    EXPECT_FALSE(has_problem(validate_stage(s), "hls_window_seconds")) << w;
  }
  s.hls_segment_seconds = 10;
  s.hls_window_seconds = 29;
  EXPECT_TRUE(has_problem(validate_stage(s), "hls_window_seconds"));
  s.hls_window_seconds = 30;
  EXPECT_FALSE(has_problem(validate_stage(s), "hls_window_seconds"));
}

TEST(validate_stage, input_timeout_range) {
  for (std::uint32_t ms : {0u, 199u, 10001u}) {
    auto s = good_stage();
    s.input_timeout_ms = ms;
    EXPECT_TRUE(has_problem(validate_stage(s), "input_timeout_ms")) << ms;
  }
  for (std::uint32_t ms : {200u, 700u, 10000u}) {
    auto s = good_stage();
    s.input_timeout_ms = ms;
    EXPECT_FALSE(has_problem(validate_stage(s), "input_timeout_ms")) << ms;
  }
}

TEST(validate_stage, outputs_are_validated_and_ids_unique) {
  auto s = good_stage();
  s.outputs = {good_output("youtube"), good_output("vimeo")};
  EXPECT_TRUE(validate_stage(s).empty()) << joined(validate_stage(s));

  s.outputs = {good_output("youtube"), good_output("youtube")};
  auto problems = validate_stage(s);
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_EQ(problems[0], "outputs.youtube: duplicate id");

  auto bad = good_output("twitch");
  bad.url = "http://live.twitch.tv/app";
  s.outputs = {good_output("youtube"), bad};
  problems = validate_stage(s);
  ASSERT_EQ(problems.size(), 1u) << joined(problems);
  EXPECT_EQ(problems[0].rfind("outputs.twitch: url:", 0), 0u) << problems[0];
}

TEST(validate_stage, reports_every_problem) {
  stage_spec s;
  s.id = "";
  s.mode = stage_mode::passthrough;  // with the test input
  s.produced.fps = 0;
  s.input_timeout_ms = 0;
  auto problems = validate_stage(s);
  EXPECT_TRUE(has_problem(problems, "id"));
  EXPECT_TRUE(has_problem(problems, "name"));
  EXPECT_TRUE(has_problem(problems, "mode"));
  EXPECT_TRUE(has_problem(problems, "produced.fps"));
  EXPECT_TRUE(has_problem(problems, "input_timeout_ms"));
  EXPECT_EQ(problems.size(), 5u) << joined(problems);
}

// ---- validate_output ------------------------------------------------------------------------

TEST(validate_output, good_output_is_valid) {
  EXPECT_FALSE(validate_output(good_output()));
  auto o = good_output();
  o.url = "rtmps://live-api-s.facebook.com:443/rtmp/";
  EXPECT_FALSE(validate_output(o));
}

TEST(validate_output, id_rules) {
  for (const std::string& bad : std::vector<std::string>{"", "YouTube", "you tube", "you_tube", std::string(41, 'a')}) {
    auto o = good_output(bad);
    auto e = validate_output(o);
    ASSERT_TRUE(e) << "'" << bad << "'";
    EXPECT_EQ(e->rfind("id:", 0), 0u) << *e;
  }
  EXPECT_FALSE(validate_output(good_output(std::string(40, 'a'))));
}

TEST(validate_output, name_rules) {
  for (const std::string& bad : std::vector<std::string>{std::string(), std::string(61, 'n'), std::string("You\nTube"), std::string("Tab\there"),
                          std::string("del\x7f")}) {
    auto o = good_output();
    o.name = bad;
    auto e = validate_output(o);
    ASSERT_TRUE(e) << "'" << bad << "'";
    EXPECT_EQ(e->rfind("name:", 0), 0u) << *e;
  }
  auto o = good_output();
  o.name = std::string(60, 'n');
  EXPECT_FALSE(validate_output(o));
  o.name = "YouTube — Stora scenen";
  EXPECT_FALSE(validate_output(o));
}

TEST(validate_output, url_rules) {
  for (const std::string& bad : std::vector<std::string>{std::string(), std::string("http://a.example/live"), std::string("srt://a.example:9000"),
                          std::string("rtmp://a"),  // shorter than 10
                          std::string("rtmp://a.example/live two"), std::string("rtmp://a.example/li\nve"),
                          "rtmp://a.example/" + std::string(500, 'x'), std::string("RTMP://a.example/live")}) {
    auto o = good_output();
    o.url = bad;
    auto e = validate_output(o);
    ASSERT_TRUE(e) << "'" << bad << "'";
    EXPECT_EQ(e->rfind("url:", 0), 0u) << *e;
  }
  for (const std::string& ok : std::vector<std::string>{std::string("rtmp://ab"), std::string("rtmp://a.example/live2"),
                         "rtmp://a.example/" + std::string(483, 'x')}) {
    auto o = good_output();
    o.url = ok;
    if (ok.size() < 10) {
      EXPECT_TRUE(validate_output(o)) << ok;  // "rtmp://ab" is 9 characters
    } else {
      EXPECT_FALSE(validate_output(o)) << ok << " (" << ok.size() << ")";
    }
  }
}

TEST(validate_output, key_rules) {
  for (const std::string& bad : std::vector<std::string>{std::string(), std::string(301, 'k'), std::string("ab cd"), std::string("ab\tcd"),
                          std::string("ab\ncd")}) {
    auto o = good_output();
    o.key = bad;
    auto e = validate_output(o);
    ASSERT_TRUE(e) << "'" << bad << "'";
    EXPECT_EQ(e->rfind("key:", 0), 0u) << *e;
  }
  for (const std::string& ok : std::vector<std::string>{std::string("k"), std::string(300, 'k'), std::string("live_123?auth=x&y=1")}) {
    auto o = good_output();
    o.key = ok;
    EXPECT_FALSE(validate_output(o)) << ok.size();
  }
}

// ---- mask_key -------------------------------------------------------------------------------

namespace {
const std::string dots = "\u2022\u2022\u2022\u2022";
}

TEST(mask_key, short_keys_show_only_dots) {
  for (const std::string& k : std::vector<std::string>{"", "a", "abcd", "abcdefgh"}) EXPECT_EQ(mask_key(k), dots) << k;
}

TEST(mask_key, long_keys_show_the_last_four) {
  EXPECT_EQ(mask_key("abcdefghi"), dots + "fghi");
  EXPECT_EQ(mask_key("xxxx-yyyy-zzzz-1234"), dots + "1234");
  EXPECT_EQ(mask_key(std::string(300, 'q') + "WXYZ"), dots + "WXYZ");
}

TEST(mask_key, never_reveals_more_than_four_characters) {
  for (std::size_t n = 0; n <= 64; ++n) {
    std::string key;
    for (std::size_t i = 0; i < n; ++i) key += static_cast<char>('A' + i % 26);
    auto m = mask_key(key);
    ASSERT_EQ(m.rfind(dots, 0), 0u) << n;
    auto shown = m.substr(dots.size());
    EXPECT_LE(shown.size(), 4u) << n;
    if (n <= 8) EXPECT_TRUE(shown.empty()) << n;
    else EXPECT_EQ(shown, key.substr(n - 4)) << n;
  }
}

// ---- describe_input -------------------------------------------------------------------------

TEST(describe_input, srt_listener_masks_the_passphrase) {
  input_spec in;
  in.kind = input_kind::srt_listener;
  in.listen = "0.0.0.0";
  in.port = 9000;
  EXPECT_EQ(describe_input(in), "srt://0.0.0.0:9000?mode=listener");
  in.passphrase = "very-secret-passphrase";
  auto d = describe_input(in);
  EXPECT_EQ(d, "srt://0.0.0.0:9000?mode=listener&passphrase=" + dots);
  EXPECT_EQ(d.find("very-secret"), std::string::npos);
  EXPECT_EQ(d.find("secret"), std::string::npos);
  in.stream_id = "venue-main-feed";
  d = describe_input(in);
  EXPECT_EQ(d, "srt://0.0.0.0:9000?mode=listener&passphrase=" + dots + "&streamid=" + dots);
  EXPECT_EQ(d.find("venue"), std::string::npos);
}

TEST(describe_input, pull_strips_query_and_user_info) {
  input_spec in;
  in.kind = input_kind::pull;
  in.url = "rtmp://ingest.example/live/stream";
  EXPECT_EQ(describe_input(in), "rtmp://ingest.example/live/stream");

  in.url = "srt://ingest.example:9000?streamid=publish/main&passphrase=hunter2hunter2";
  EXPECT_EQ(describe_input(in), "srt://ingest.example:9000");

  in.url = "rtsp://admin:p4ssw0rd@camera.local:554/stream1";
  EXPECT_EQ(describe_input(in), "rtsp://camera.local:554/stream1");

  in.url = "https://user:pw@cdn.example/hls/index.m3u8?token=abc&x=1";
  auto d = describe_input(in);
  EXPECT_EQ(d, "https://cdn.example/hls/index.m3u8");
  for (const char* secret : {"user", "pw", "token", "abc"}) EXPECT_EQ(d.find(secret), std::string::npos) << secret;

  // An '@' only in the query is removed with the query; the host stays.
  in.url = "http://cdn.example/a.m3u8?email=a@b.c";
  EXPECT_EQ(describe_input(in), "http://cdn.example/a.m3u8");
}

TEST(describe_input, file_and_test) {
  input_spec in;
  in.kind = input_kind::file;
  in.file = "/srv/media/loop.mp4";
  EXPECT_EQ(describe_input(in), "file:/srv/media/loop.mp4");
  in.kind = input_kind::test;
  EXPECT_EQ(describe_input(in), "test source");
}

// ---- names ----------------------------------------------------------------------------------

TEST(stage_spec_names, round_trip) {
  for (auto k : {input_kind::srt_listener, input_kind::pull, input_kind::file, input_kind::test})
    EXPECT_EQ(input_kind_from(to_string(k)), k);
  for (auto m : {stage_mode::passthrough, stage_mode::produced}) EXPECT_EQ(stage_mode_from(to_string(m)), m);
  EXPECT_FALSE(input_kind_from("srt_listener"));
  EXPECT_FALSE(stage_mode_from("Produced"));
}

namespace samling::media {
namespace {

TEST(hide_key, every_occurrence_of_the_key_is_masked_and_other_text_kept) {
  EXPECT_EQ(hide_key("rtmp://a/live2/abcd-efgh-1234 and abcd-efgh-1234", "abcd-efgh-1234"),
            "rtmp://a/live2/\u2022\u2022\u2022\u20221234 and \u2022\u2022\u2022\u20221234");
  EXPECT_EQ(hide_key("no key here", "abcd-efgh-1234"), "no key here");
  EXPECT_EQ(hide_key("k=short", "short"), "k=\u2022\u2022\u2022\u2022");
  EXPECT_EQ(hide_key("text", ""), "text");
}

}  // namespace
}  // namespace samling::media
