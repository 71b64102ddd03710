// Viewers per stage (docs/protocol.md, Stages: `viewers`): distinct HLS clients, by address and
// User-Agent, that fetched the stage's playlist or a segment in the last 30 s, in the stage
// JSON over HTTP and WebSocket and in /metrics. (The 30 s window and the memory bound are
// tested with a clock of the test's own in tests/unit/api/hls_viewers_test.cpp.)
#include <gtest/gtest.h>

#include <regex>

#include "media_fixture.hpp"

using namespace samling::testing;
using namespace samling::testing::media_fixture;

namespace {

std::string stage_toml(const std::string& id) {
  return "\n[[stages]]\nid = \"" + id + "\"\nname = \"Stage " + id + "\"\nmode = \"produced\"\ninput = \"test\"\n" +
         small_produced_toml();
}

// The public view of a stage, as anyone gets it.
std::int64_t viewers(std::uint16_t port, const std::string& id) {
  auto one = parse_object(http_get(port, "/api/v1/stages/" + id).body);
  return num(one, "viewers");
}

http_response fetch_as(std::uint16_t port, const std::string& target, const std::string& user_agent) {
  return http_get(port, target, {{"User-Agent", user_agent}});
}

TEST(MediaViewers, distinct_hls_clients_by_address_and_user_agent) {
  server_process server(media_server(stage_toml("main") + stage_toml("second")));
  const auto port = server.port();
  http_response playlist;
  ASSERT_TRUE(eventually(
      [&] {
        playlist = fetch_as(port, "/live/main/index.m3u8", "probe");
        return playlist.status == 200 && playlist.body.find(".ts") != std::string::npos;
      },
      20s))
      << describe(playlist) << log_excerpt(server);
  // The probe is a viewer now (for 30 s): the players below count on top of it.
  EXPECT_TRUE(eventually([&] { return viewers(port, "main") == 1; }, 5s)) << viewers(port, "main");

  // A watcher over WebSocket: its stage events carry the count too.
  ws_client watcher;
  ASSERT_TRUE(watcher.connect(port));
  ASSERT_TRUE(is_ack(watcher.hello_guest(ws::event_id, "Tittare")));
  auto listed = watcher.request({{"type", "stages"}});
  ASSERT_TRUE(is_ack(listed)) << str(listed);

  // Two players with different User-Agents from the same address: two viewers (three with the
  // probe). The same player again, on a new connection: no more.
  ASSERT_EQ(fetch_as(port, "/live/main/index.m3u8", "Player A").status, 200);
  ASSERT_EQ(fetch_as(port, "/live/main/index.m3u8", "Player B").status, 200);
  ASSERT_EQ(fetch_as(port, "/live/main/index.m3u8", "Player A").status, 200);
  EXPECT_TRUE(eventually([&] { return viewers(port, "main") == 3; }, 5s)) << viewers(port, "main");
  // A segment counts as well as the playlist.
  std::smatch m;
  std::string body = playlist.body;
  ASSERT_TRUE(std::regex_search(body, m, std::regex(R"(([A-Za-z0-9_-]+\.ts))"))) << body;
  auto segment = fetch_as(port, "/live/main/" + m[1].str(), "Player C");
  ASSERT_EQ(segment.status, 200) << describe(segment);
  ASSERT_EQ(fetch_as(port, "/live/main/" + m[1].str(), "Player C").status, 200);
  EXPECT_TRUE(eventually([&] { return viewers(port, "main") == 4; }, 5s)) << viewers(port, "main");
  // Each stage counts its own; a refused request is not a viewer.
  EXPECT_EQ(viewers(port, "second"), 0);
  EXPECT_EQ(fetch_as(port, "/live/main/nope.ts", "Player D").status, 404);

  // The staff view, the list, the WebSocket event and /metrics say the same.
  EXPECT_EQ(num(stage(port, "main"), "viewers"), 4);
  auto list = parse_object(http_get(port, "/api/v1/stages").body);
  bool found = false;
  for (auto& s : list.at("stages").as_array())
    if (s.as_object().at("id").as_string() == "main") {
      found = true;
      EXPECT_EQ(num(s.as_object(), "viewers"), 4);
    }
  EXPECT_TRUE(found);
  auto event = watcher.next_event_if(
      [](const json::object& e) {
        return string_field(e, "type") == "stage" && string_field(e, "stage.id") == "main" &&
               int_field(e, "stage.viewers") == 4;
      },
      5s);
  EXPECT_TRUE(event) << "no stage event with 4 viewers";
  EXPECT_EQ(metric(port, "samling_stage_viewers{stage=\"main\"}"), 4);
  EXPECT_EQ(metric(port, "samling_stage_viewers{stage=\"second\"}"), 0);
  EXPECT_EQ(viewers(port, "main"), 4) << "no new viewer from the 404s";
}

}  // namespace
