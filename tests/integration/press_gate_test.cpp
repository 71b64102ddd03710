// The gate on the stages' HLS (issue 18; docs/streaming.md, "Gated stages"): a real server with
// real test-picture stages, press grants signed here with press::sign_grant and the test's auth
// key (the server derives the same grant keys from its auth.secret), join tokens and staff.
// Every refusal has its own code and status; a browser gets a page in its language; a segment
// URL copied out of a playlist stops working after its token's lifetime; an embargoed stage
// opens at its time without a restart; the refusals give back what they took.
#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <iostream>
#include <mutex>
#include <thread>
#include <regex>
#include <set>

#include "auth/token.hpp"
#include "media_fixture.hpp"
#include "press/grant.hpp"
#include "proc_usage.hpp"

using namespace samling::testing;
using namespace samling::testing::media_fixture;
namespace press = samling::press;
namespace auth = samling::auth;

namespace {

const auth::keyring& test_keys() {
  static const auth::keyring keys({ws::key_id, ws::secret});
  return keys;
}

// A test-picture stage at the cheapest settings, with `extra` lines (visibility, public_at).
std::string stage_toml(const std::string& id, const std::string& extra) {
  return "\n[[stages]]\nid = \"" + id + "\"\nname = \"Stage " + id +
         "\"\nmode = \"produced\"\ninput = \"test\"\nwidth = 160\nheight = 90\nfps = 10\nvideo_kbps = 150\n"
         "preset = \"ultrafast\"\nkeyframe_seconds = 1\nhls_segment_seconds = 1\nhls_window_seconds = 20\n" +
         extra;
}

// [press] for the tests: short segment tokens (5 s) and the shortest device idle time (10 s).
const std::string press_toml = "\n[press]\nsegment_token_seconds = 5\ndevice_idle_seconds = 10\n";

server_process::options gate_server(const std::string& stages) {
  auto opt = media_server(press_toml + stages);
  return opt;
}

// A grant for the demo event valid for the next hour, for every stage.
press::grant grant_for(const std::string& name = "Eva Ek", std::vector<std::string> stages = {"*"}) {
  press::grant g;
  g.id = press::new_grant_id();
  g.event = ws::event_id;
  g.name = name;
  g.outlet = "Dagens Nyheter";
  g.stages = std::move(stages);
  g.valid_from = unix_seconds() - 60;
  g.valid_until = unix_seconds() + 3600;
  g.device_cap = 2;
  return g;
}

std::string sign(const press::grant& g) { return press::sign_grant(g, test_keys()); }

std::string playlist_target(const std::string& stage, const std::string& grant, const std::string& device) {
  return "/live/" + stage + "/index.m3u8?grant=" + grant + "&device=" + device;
}

std::string error_code(const http_response& r) { return string_field(parse_object(r.body), "error.code"); }

// The segment URIs of a playlist (the lines that are not tags).
std::vector<std::string> segment_uris(const std::string& m3u8) {
  return lines_where(m3u8, [](const std::string& line) { return !line.empty() && line[0] != '#'; });
}

// Polls the playlist with `target` until it is served (200) and lists a segment.
std::optional<http_response> wait_gated_playlist(std::uint16_t port, const std::string& target,
                                                 const header_list& headers = {}, std::chrono::milliseconds deadline = 30s) {
  http_response r;
  bool ok = eventually(
      [&] {
        r = http_get(port, target, headers);
        return r.status == 200 && !segment_uris(r.body).empty();
      },
      deadline);
  if (!ok) return std::nullopt;
  return r;
}

// Expects refusal `code` with `status` as JSON with a message and the contacts list.
void expect_refusal(const http_response& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << describe(r);
  EXPECT_EQ(error_code(r), code) << describe(r);
  EXPECT_FALSE(string_field(parse_object(r.body), "error.message").empty()) << describe(r);
  EXPECT_TRUE(field(parse_object(r.body), "error.contacts").is_array()) << describe(r);
  EXPECT_EQ(r.header("cache-control"), "private, no-store") << describe(r);
}

std::string rfc3339(std::int64_t utc_s) {
  std::time_t t = utc_s;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// --- Refusals, each with its own answer ------------------------------------------------------------

TEST(PressGate, NoCredentialIsGrantMissingAsJsonAndAsAPageInTheBrowsersLanguage) {
  server_process server(gate_server(stage_toml("press", "visibility = \"press\"\n")));
  auto port = server.port();
  auto r = http_get(port, "/live/press/index.m3u8");
  expect_refusal(r, 403, "grant_missing");
  EXPECT_TRUE(r.header("content-type").find("application/json") != std::string::npos) << r.header("content-type");
  // A segment without a viewer token: the same.
  expect_refusal(http_get(port, "/live/press/x-00001.ts"), 403, "grant_missing");

  // A browser: the page, in Finnish from Accept-Language; ?lang= wins over it.
  auto page = http_get(port, "/live/press/index.m3u8",
                       {{"Accept", "text/html,application/xhtml+xml"}, {"Accept-Language", "fi-FI,fi;q=0.9,en;q=0.5"}});
  EXPECT_EQ(page.status, 403) << describe(page);
  EXPECT_TRUE(page.header("content-type").find("text/html") != std::string::npos) << page.header("content-type");
  EXPECT_NE(page.body.find("lang=\"fi\""), std::string::npos) << page.body;
  EXPECT_EQ(page.header("cache-control"), "private, no-store");
  auto english = http_get(port, "/live/press/index.m3u8?lang=en",
                          {{"Accept", "text/html"}, {"Accept-Language", "fi"}});
  EXPECT_EQ(english.status, 403);
  EXPECT_NE(english.body.find("lang=\"en\""), std::string::npos) << english.body;
  EXPECT_NE(english.body, page.body);
  // A stage that does not exist stays 404, not a refusal.
  EXPECT_EQ(http_get(port, "/live/nosuch/index.m3u8").status, 404);
}

TEST(PressGate, EachBadGrantHasItsOwnAnswer) {
  server_process server(gate_server(stage_toml("press", "visibility = \"press\"\n")));
  auto port = server.port();
  const std::string device = "device-aaaaaaaa";

  // Tampered: one character of the payload changed.
  auto good = sign(grant_for());
  auto tampered = good;
  auto dot = tampered.find('.', 3);
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  expect_refusal(http_get(port, playlist_target("press", tampered, device)), 403, "grant_invalid");
  expect_refusal(http_get(port, playlist_target("press", "g1.nonsense", device)), 403, "grant_invalid");

  auto expired = grant_for();
  expired.valid_from = unix_seconds() - 7200;
  expired.valid_until = unix_seconds() - 10;
  expect_refusal(http_get(port, playlist_target("press", sign(expired), device)), 410, "grant_expired");

  auto early = grant_for();
  early.valid_from = unix_seconds() + 3600;
  early.valid_until = unix_seconds() + 7200;
  expect_refusal(http_get(port, playlist_target("press", sign(early), device)), 403, "grant_not_yet_valid");

  // Signed with a key id the server does not have.
  auth::keyring other({"k9", "another-secret-of-at-least-32-bytes-0123"});
  expect_refusal(http_get(port, playlist_target("press", press::sign_grant(grant_for(), other), device)), 403,
                 "grant_unknown_key");

  // The good one opens it (and as a bearer token too).
  ASSERT_TRUE(wait_gated_playlist(port, playlist_target("press", good, device))) << log_excerpt(server);
  auto bearer_grant = http_get(port, "/live/press/index.m3u8?device=" + device, bearer(good));
  EXPECT_EQ(bearer_grant.status, 200) << describe(bearer_grant);
}

TEST(PressGate, AGrantForAnotherStageOrEventIsWrongStage) {
  server_process server(gate_server(stage_toml("a", "visibility = \"press\"\n") +
                                    stage_toml("b", "visibility = \"press\"\n")));
  auto port = server.port();
  auto for_a = sign(grant_for("Eva Ek", {"a"}));
  ASSERT_TRUE(wait_gated_playlist(port, playlist_target("a", for_a, "device-aaaaaaaa"))) << log_excerpt(server);
  expect_refusal(http_get(port, playlist_target("b", for_a, "device-aaaaaaaa")), 403, "grant_wrong_stage");
  auto elsewhere = grant_for();
  elsewhere.event = "another-event-2027";
  expect_refusal(http_get(port, playlist_target("a", sign(elsewhere), "device-aaaaaaaa")), 403, "grant_wrong_stage");
  // A viewer token of stage a does not open stage b's segments.
  auto list = http_get(port, playlist_target("a", for_a, "device-aaaaaaaa"));
  ASSERT_EQ(list.status, 200);
  auto uri = segment_uris(list.body).back();
  auto v = uri.substr(uri.find('?'));
  expect_refusal(http_get(port, "/live/b/x-00001.ts" + v), 403, "grant_wrong_stage");
}

TEST(PressGate, AThirdDeviceIsRefusedUntilAnotherGoesIdle) {
  server_process server(gate_server(stage_toml("press", "visibility = \"press\"\n")));
  auto port = server.port();
  auto g = sign(grant_for());
  ASSERT_TRUE(wait_gated_playlist(port, playlist_target("press", g, "device-one-1111"))) << log_excerpt(server);
  EXPECT_EQ(http_get(port, playlist_target("press", g, "device-two-2222")).status, 200);
  // Again from the first: still one of the two.
  EXPECT_EQ(http_get(port, playlist_target("press", g, "device-one-1111")).status, 200);
  auto third = http_get(port, playlist_target("press", g, "device-three-33"));
  expect_refusal(third, 403, "device_limit");
  auto page = http_get(port, playlist_target("press", g, "device-three-33"), {{"Accept", "text/html"}});
  EXPECT_EQ(page.status, 403);
  EXPECT_NE(page.body.find("<html"), std::string::npos) << page.body;
  // Without a device id, the address and User-Agent make one: a third device too.
  expect_refusal(http_get(port, "/live/press/index.m3u8?grant=" + g, {{"User-Agent", "Another browser"}}), 403,
                 "device_limit");
  // … and the same one on every connection (each from another port): one device of two.
  auto g2 = sign(grant_for("Olle Olsson"));
  for (int i = 0; i < 4; ++i) {
    auto r = http_get(port, "/live/press/index.m3u8?grant=" + g2, {{"User-Agent", "Browser X"}});
    EXPECT_EQ(r.status, 200) << "connection " << i << ": " << describe(r);
  }
  EXPECT_EQ(http_get(port, "/live/press/index.m3u8?grant=" + g2, {{"User-Agent", "Browser Y"}}).status, 200);
  expect_refusal(http_get(port, "/live/press/index.m3u8?grant=" + g2, {{"User-Agent", "Browser Z"}}), 403,
                 "device_limit");

  // Once the two have fetched nothing for press.device_idle_seconds (10 s), the third gets in.
  auto refused_at = std::chrono::steady_clock::now();
  http_response later;
  EXPECT_TRUE(eventually(
      [&] {
        later = http_get(port, playlist_target("press", g, "device-three-33"));
        return later.status == 200;
      },
      20s))
      << describe(later);
  EXPECT_GE(std::chrono::steady_clock::now() - refused_at, 8s) << "admitted before the others went idle";
  // The cap counts again from there: a second device gets in, the next is one too many.
  EXPECT_EQ(http_get(port, playlist_target("press", g, "device-two-2222")).status, 200);
  expect_refusal(http_get(port, playlist_target("press", g, "device-one-1111")), 403, "device_limit");
}

TEST(PressGate, ASegmentUrlCopiedOutOfAPlaylistExpiresWithItsToken) {
  server_process server(gate_server(stage_toml("press", "visibility = \"press\"\n")));
  auto port = server.port();
  auto list = wait_gated_playlist(port, playlist_target("press", sign(grant_for()), "device-aaaaaaaa"));
  ASSERT_TRUE(list) << log_excerpt(server);
  EXPECT_EQ(list->header("cache-control"), "private, no-store");
  EXPECT_EQ(list->header("content-type"), "application/vnd.apple.mpegurl");
  auto uris = segment_uris(list->body);
  for (auto& u : uris) EXPECT_NE(u.find(".ts?v=v1."), std::string::npos) << u;
  EXPECT_EQ(list->body.find("grant="), std::string::npos) << "the grant is not in the playlist";
  auto uri = uris.back();
  auto copied_at = std::chrono::steady_clock::now();

  // Right away: served, privately cacheable for the token's lifetime.
  auto seg = http_get(port, "/live/press/" + uri);
  ASSERT_EQ(seg.status, 200) << describe(seg);
  EXPECT_EQ(seg.header("content-type"), "video/mp2t");
  EXPECT_EQ(seg.header("cache-control"), "private, max-age=5");
  EXPECT_EQ(static_cast<unsigned char>(seg.body[0]), 0x47) << "not MPEG-TS";

  // A `v` with one byte changed does not verify.
  auto bad = uri;
  auto at = bad.find("?v=") + 12;
  bad[at] = bad[at] == 'A' ? 'B' : 'A';
  expect_refusal(http_get(port, "/live/press/" + bad), 403, "grant_invalid");
  // Without it: missing.
  expect_refusal(http_get(port, "/live/press/" + uri.substr(0, uri.find('?'))), 403, "grant_missing");

  // After press.segment_token_seconds (5 s): expired, whoever asks.
  http_response late;
  ASSERT_TRUE(eventually(
      [&] {
        late = http_get(port, "/live/press/" + uri);
        return late.status != 200;
      },
      15s))
      << describe(late);
  EXPECT_GE(std::chrono::steady_clock::now() - copied_at, 4s);
  expect_refusal(late, 410, "grant_expired");
}

// --- Levels: join tokens, staff, the embargo ---------------------------------------------------------

TEST(PressGate, JoinTokensOpenWhatTheirRoleReaches) {
  server_process server(gate_server(stage_toml("reg", "visibility = \"registered\"\n") +
                                    stage_toml("press", "visibility = \"press\"\n") +
                                    stage_toml("staff", "visibility = \"staff\"\n")));
  auto port = server.port();
  auto attendee = ws::token("u-att", "Anna Attendee", "attendee");
  auto organizer = organizer_token();
  // An attendee: the registered stage, by ?token= and by Bearer; segments with the playlist's v.
  auto list = wait_gated_playlist(port, "/live/reg/index.m3u8?token=" + attendee);
  ASSERT_TRUE(list) << log_excerpt(server);
  auto seg = http_get(port, "/live/reg/" + segment_uris(list->body).back());
  EXPECT_EQ(seg.status, 200) << describe(seg);
  EXPECT_EQ(http_get(port, "/live/reg/index.m3u8", bearer(attendee)).status, 200);
  // … but not the press stage, nor the staff stage.
  expect_refusal(http_get(port, "/live/press/index.m3u8?token=" + attendee), 403, "grant_missing");
  auto staff_refused = http_get(port, "/live/staff/index.m3u8?token=" + attendee);
  EXPECT_EQ(staff_refused.status, 403) << describe(staff_refused);
  EXPECT_EQ(error_code(staff_refused), "forbidden");
  // Nobody: not even the registered stage.
  expect_refusal(http_get(port, "/live/reg/index.m3u8"), 403, "grant_missing");
  // A token that does not verify.
  expect_refusal(http_get(port, "/live/reg/index.m3u8?token=v1.k1.bm9uc2Vuc2U.c2lnbmF0dXJl"), 403, "grant_invalid");
  // A press token: the press stage. A press grant never opens a staff stage.
  EXPECT_TRUE(wait_gated_playlist(port, "/live/press/index.m3u8", bearer(ws::token("u-press", "Pia Press", "press"))));
  expect_refusal(http_get(port, playlist_target("staff", sign(grant_for()), "device-aaaaaaaa")), 403,
                 "grant_wrong_stage");
  // An organizer (staff): the staff stage, and it is in their list of stages; an attendee's
  // list has the registered stage only.
  EXPECT_TRUE(wait_gated_playlist(port, "/live/staff/index.m3u8", bearer(organizer))) << log_excerpt(server);
  auto staff_list = http_get(port, "/api/v1/stages", bearer(organizer)).body;
  for (std::string id : {"reg", "press", "staff"})
    EXPECT_NE(staff_list.find("\"id\":\"" + id + "\""), std::string::npos) << staff_list;
  auto attendee_list = http_get(port, "/api/v1/stages", bearer(attendee)).body;
  EXPECT_NE(attendee_list.find("\"id\":\"reg\""), std::string::npos) << attendee_list;
  EXPECT_EQ(attendee_list.find("\"id\":\"press\""), std::string::npos) << attendee_list;
  EXPECT_EQ(attendee_list.find("\"id\":\"staff\""), std::string::npos) << attendee_list;
  auto public_list = http_get(port, "/api/v1/stages").body;
  EXPECT_EQ(public_list.find("\"id\":\"reg\""), std::string::npos) << public_list;
  // A grant holder's list: the press stage (and below), not staff.
  auto grant_list = http_get(port, "/api/v1/stages", bearer(sign(grant_for()))).body;
  EXPECT_NE(grant_list.find("\"id\":\"press\""), std::string::npos) << grant_list;
  EXPECT_EQ(grant_list.find("\"id\":\"staff\""), std::string::npos) << grant_list;
  auto one = parse_object(http_get(port, "/api/v1/stages/reg", bearer(attendee)).body);
  EXPECT_EQ(string_field(one, "visibility"), "registered");
}

// A signed-in organizer (the staff session cookie, looked up in the session store: the one
// credential that suspends) watches a staff stage; the playlist's viewer tokens carry on.
TEST(PressGate, AStaffSessionCookieOpensAStaffStage) {
  server_process server(gate_server(stage_toml("staff", "visibility = \"staff\"\n")));
  auto port = server.port();
  const std::string email = "ada@example.org", password = "a long enough password 123";
  auto add = run_samling_with_input({"account", "add", "--config", server.dir().file("samling.toml"), "--email", email,
                                     "--name", "Ada Arrangör", "--role", "organizer", "--event", ws::event_id,
                                     "--password-stdin"},
                                    password + "\n");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string ua = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0";
  auto signed_in = http_request(port, "POST", "/api/v1/auth/sign-in",
                                json::serialize(json::object{{"email", email}, {"password", password}}),
                                {{"User-Agent", ua}, {"Content-Type", "application/json"}});
  ASSERT_EQ(signed_in.status, 200) << describe(signed_in);
  auto line = signed_in.header("set-cookie");
  auto cookie = line.substr(0, line.find(';'));
  ASSERT_EQ(cookie.rfind("samling_session=", 0), 0u) << line;

  auto list = wait_gated_playlist(port, "/live/staff/index.m3u8", {{"Cookie", cookie}, {"User-Agent", ua}});
  ASSERT_TRUE(list) << log_excerpt(server);
  EXPECT_EQ(list->header("cache-control"), "private, no-store");
  auto seg = http_get(port, "/live/staff/" + segment_uris(list->body).back(), {{"User-Agent", ua}});
  EXPECT_EQ(seg.status, 200) << describe(seg);
  // A cookie that does not hold is nobody; nobody is below staff.
  auto forged = http_get(port, "/live/staff/index.m3u8", {{"Cookie", "samling_session=forged"}, {"User-Agent", ua}});
  EXPECT_EQ(forged.status, 403) << describe(forged);
  EXPECT_EQ(error_code(forged), "forbidden") << describe(forged);
}

TEST(PressGate, AnEmbargoedStageOpensAtItsTimeWithoutARestart) {
  auto opens_at = unix_seconds() + 6;
  server_process server(
      gate_server(stage_toml("embargo", "visibility = \"press\"\npublic_at = \"" + rfc3339(opens_at) + "\"\n")));
  auto port = server.port();
  auto pid = server.pid();
  // Before: refused to the public, with its own code; not in the public list.
  auto before = http_get(port, "/live/embargo/index.m3u8");
  ASSERT_LT(unix_seconds(), opens_at) << "the server took too long to start for this test";
  expect_refusal(before, 403, "embargoed");
  auto list = http_get(port, "/api/v1/stages").body;
  EXPECT_EQ(list.find("\"id\":\"embargo\""), std::string::npos) << list;
  // A grant holder watches meanwhile.
  EXPECT_TRUE(wait_gated_playlist(port, playlist_target("embargo", sign(grant_for()), "device-aaaaaaaa"), {}, 20s))
      << log_excerpt(server);
  // After: the public playlist and a segment, no token; the list shows it.
  http_response after;
  ASSERT_TRUE(eventually(
      [&] {
        after = http_get(port, "/live/embargo/index.m3u8");
        return after.status == 200 && !segment_uris(after.body).empty();
      },
      20s))
      << describe(after);
  EXPECT_GE(unix_seconds(), opens_at);
  EXPECT_EQ(after.header("cache-control"), "no-cache") << "served as a public stage";
  EXPECT_EQ(after.body.find("?v="), std::string::npos) << after.body;
  auto seg = http_get(port, "/live/embargo/" + segment_uris(after.body).back());
  EXPECT_EQ(seg.status, 200) << describe(seg);
  list = http_get(port, "/api/v1/stages").body;
  EXPECT_NE(list.find("\"id\":\"embargo\""), std::string::npos) << list;
  EXPECT_EQ(server.pid(), pid) << "the same process throughout";
}

// --- Revocation while playing, and the audit ---------------------------------------------------------

// A grant issued by the press officer through the API (the server's store knows it, so it can be
// revoked): its id and its token (from the link).
std::pair<std::string, std::string> issue_grant(std::uint16_t port, const std::string& name) {
  json::object body{{"name", name},
                    {"outlet", "Svenska Dagbladet"},
                    {"valid_from", "2020-01-01T00:00:00Z"},
                    {"valid_until", "2099-01-01T00:00:00Z"}};
  auto r = organizer_request(port, "POST", "/api/v1/events/" + ws::event_id + "/grants", json::serialize(body));
  if (r.status != 201) return {};
  auto o = parse_object(r.body);
  auto link = string_field(o, "link");
  auto at = link.find("#press=");
  if (at == std::string::npos) return {};
  return {string_field(o, "grant.id"), link.substr(at + 7)};
}

TEST(PressGate, ARevokedGrantStopsAPlayingViewerWithinTenSecondsAndTheAuditHasTheViews) {
  server_process server(gate_server(stage_toml("press", "visibility = \"press\"\n")));
  auto port = server.port();
  auto [grant_id, token] = issue_grant(port, "Sara Svensson");
  ASSERT_FALSE(token.empty()) << "no grant issued\n" << log_excerpt(server);
  const auto target = playlist_target("press", token, "device-player-1");
  ASSERT_TRUE(wait_gated_playlist(port, target)) << log_excerpt(server);

  // A player: reloads the playlist and fetches its newest segment, as hls.js does, until told
  // to stop; it notes when a segment is first refused and why.
  std::atomic<bool> stop{false};
  std::atomic<int> served{0};
  std::atomic<std::int64_t> refused_at_ms{0};
  std::string refusal_code, playlist_code;
  std::mutex m;
  std::thread player([&] {
    std::string uri;
    while (!stop) {
      auto list = http_get(port, target);
      if (list.status == 200) {
        auto uris = segment_uris(list.body);
        if (!uris.empty()) uri = uris.back();
      } else {
        std::lock_guard lock(m);
        if (playlist_code.empty()) playlist_code = error_code(list);
      }
      if (!uri.empty()) {
        auto seg = http_get(port, "/live/press/" + uri);
        if (seg.status == 200) {
          ++served;
        } else if (refused_at_ms == 0) {
          std::lock_guard lock(m);
          refusal_code = error_code(seg) + " " + std::to_string(seg.status);
          refused_at_ms = unix_ms();
        }
      }
      std::this_thread::sleep_for(300ms);  // the player's pace, not a wait for a condition
    }
  });
  EXPECT_TRUE(eventually([&] { return served >= 3; }, 20s)) << log_excerpt(server);

  auto revoke = organizer_request(port, "POST", "/api/v1/events/" + ws::event_id + "/grants/" + grant_id + "/revoke",
                                  R"({"reason":"Left the paper"})");
  auto revoked_at = unix_ms();
  EXPECT_EQ(revoke.status, 200) << describe(revoke);
  bool stopped = eventually([&] { return refused_at_ms != 0; }, 15s);
  stop = true;
  player.join();
  ASSERT_TRUE(stopped) << "segments still served 15 s after the revocation";
  auto took_ms = refused_at_ms - revoked_at;
  EXPECT_LT(took_ms, 10'000) << "the revocation took " << took_ms << " ms to stop the segments";
  std::cout << "revocation stopped the segments after " << took_ms << " ms\n";
  {
    std::lock_guard lock(m);
    EXPECT_EQ(refusal_code, "grant_revoked 410");
    EXPECT_EQ(playlist_code, "grant_revoked");
  }
  // The playlist too, as JSON and as a page.
  expect_refusal(http_get(port, target), 410, "grant_revoked");

  // The audit: the grant watched the stage from its device, with bytes, and the segments counted.
  auto audit = parse_object(
      organizer_request(port, "GET", "/api/v1/events/" + ws::event_id + "/press/audit.json").body);
  bool found = false;
  if (auto* views = audit.if_contains("views"); views && views->is_array())
    for (auto& v : views->as_array()) {
      auto& o = v.as_object();
      if (str(o, "viewer") != grant_id) continue;
      found = true;
      EXPECT_EQ(str(o, "stage"), "press");
      EXPECT_EQ(str(o, "device"), "device-player-1");
      EXPECT_EQ(str(o, "address"), "127.0.0.1") << "the address without the connection's port";
      EXPECT_EQ(str(o, "name"), "Sara Svensson, Svenska Dagbladet");
      EXPECT_GT(num(o, "bytes"), 188 * 10) << json::serialize(o);
      EXPECT_GE(num(o, "requests"), 6) << json::serialize(o);
    }
  EXPECT_TRUE(found) << json::serialize(audit);
}

// --- Resources ---------------------------------------------------------------------------------------------

TEST(PressGate, ARefusalStormGivesBackWhatItTook) {
  server_process server(gate_server(stage_toml("press", "visibility = \"press\"\n")));
  auto port = server.port();
  auto good = sign(grant_for());
  ASSERT_TRUE(wait_gated_playlist(port, playlist_target("press", good, "device-aaaaaaaa"))) << log_excerpt(server);
  auto before = usage_of(server.pid());
  auto expired = grant_for();
  expired.valid_until = unix_seconds() - 1;
  const std::vector<std::string> targets = {
      "/live/press/index.m3u8",
      playlist_target("press", "g1.garbage.garbage.garbage", "device-bbbbbbbb"),
      playlist_target("press", sign(expired), "device-bbbbbbbb"),
      "/live/press/x-00001.ts?v=v1.k1.AAAA.BBBB",
  };
  int refused = 0;
  for (int i = 0; i < 400; ++i) {
    auto r = http_get(port, targets[i % targets.size()], i % 2 ? header_list{{"Accept", "text/html"}} : header_list{});
    if (r.status == 403 || r.status == 410) ++refused;
  }
  EXPECT_EQ(refused, 400);
  proc_usage after;
  EXPECT_TRUE(eventually(
      [&] {
        after = usage_of(server.pid());
        return after.fds <= before.fds + 2 && after.threads <= before.threads;
      },
      10s))
      << "before: " << show(before) << "\nafter: " << show(after) << "\n"
      << fd_kinds(server.pid()) << thread_names(server.pid());
  // The server still serves.
  EXPECT_EQ(http_get(port, playlist_target("press", good, "device-aaaaaaaa")).status, 200);
}

}  // namespace
