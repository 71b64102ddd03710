#include "api/stage_board.hpp"
#include "api/stage_json.hpp"
#include "protocol/frames.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace samling::api {
namespace {

namespace json = boost::json;

// Records what the board sends, as a connection's queue would.
struct recording_sink final : net::ws_sink {
  std::vector<std::pair<std::string, std::string>> sent;  // (frame, coalesce key)
  void send(std::shared_ptr<const std::string> frame, std::string_view key) override {
    sent.emplace_back(*frame, std::string(key));
  }
  void reply(std::shared_ptr<const std::string>) override {}
  void close(core::ws_close) override {}
};

media::stage_status status(const std::string& id, const std::string& event, bool is_public) {
  media::stage_status s;
  s.id = id;
  s.event = event;
  s.is_public = is_public;
  s.name = {{"sv", "Scen " + id}, {"en", "Stage " + id}};
  s.hls_url = "/live/" + id + "/index.m3u8";
  s.state = media::stage_state::live;
  media::output_status o;
  o.id = "yt";
  o.masked_key = "••••1234";
  s.outputs.push_back(o);
  return s;
}

json::object parse(const std::string& text) { return json::parse(text).as_object(); }

std::vector<std::string> ids(const std::string& list) {
  std::vector<std::string> out;
  auto body = parse(list);
  for (auto& s : body.at("stages").as_array()) out.emplace_back(s.as_object().at("id").as_string());
  return out;
}

const std::string ev = "stockholm-2027";

TEST(stage_board, lists_public_stages_for_everyone_and_all_of_its_event_for_staff) {
  stage_board board;
  board.update(status("main", ev, true));
  board.update(status("closed", ev, false));
  board.update(status("elsewhere", "other-event", false));
  EXPECT_EQ(ids(board.list(false, "")), std::vector<std::string>{"main"});
  EXPECT_EQ(ids(board.list(true, ev)), (std::vector<std::string>{"main", "closed"}));
  EXPECT_EQ(ids(board.list(true, "other-event")), (std::vector<std::string>{"main", "elsewhere"}));
  // The public view has no staff fields; staff of the event get them.
  auto pub = parse(board.list(false, "")).at("stages").as_array()[0].as_object();
  EXPECT_FALSE(pub.contains("outputs"));
  EXPECT_FALSE(pub.contains("input"));
  auto full = parse(board.list(true, ev)).at("stages").as_array()[0].as_object();
  EXPECT_TRUE(full.contains("outputs"));
  EXPECT_EQ(full.at("outputs").as_array()[0].as_object().at("key").as_string(), "••••1234");
  // Staff of another event see a public stage in its public view.
  auto foreign = parse(board.list(true, "other-event")).at("stages").as_array()[0].as_object();
  EXPECT_FALSE(foreign.contains("outputs"));
}

TEST(stage_board, keeps_the_order_stages_were_first_seen_and_the_latest_snapshot) {
  stage_board board;
  board.update(status("b", ev, true));
  board.update(status("a", ev, true));
  auto later = status("b", ev, true);
  later.state = media::stage_state::standby;
  board.update(later);
  EXPECT_EQ(ids(board.list(false, "")), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(parse(*board.one("b", false)).at("state").as_string(), "standby");
  EXPECT_EQ(board.list(false, "nobody"), board.list(false, ""));
  stage_board empty;
  EXPECT_EQ(empty.list(true, ev), R"({"stages":[]})");
}

TEST(stage_board, one_and_what_is_known_of_a_stage) {
  stage_board board;
  board.update(status("main", ev, true));
  board.update(status("closed", ev, false));
  EXPECT_TRUE(board.one("main", false));
  EXPECT_FALSE(board.one("closed", false)) << "a closed stage for someone not on its staff";
  ASSERT_TRUE(board.one("closed", true));
  EXPECT_TRUE(parse(*board.one("closed", true)).contains("outputs"));
  EXPECT_FALSE(board.one("nosuch", true));
  EXPECT_TRUE(board.exists("closed"));
  EXPECT_FALSE(board.exists("nosuch"));
  EXPECT_TRUE(board.is_public("main"));
  EXPECT_FALSE(board.is_public("closed"));
  EXPECT_FALSE(board.is_public("nosuch"));
  EXPECT_EQ(board.event_of("closed"), ev);
  EXPECT_EQ(board.event_of("nosuch"), "");
}

TEST(stage_board, watchers_get_each_change_in_the_view_they_may_see) {
  stage_board board;
  auto staff = std::make_shared<recording_sink>();
  auto guest = std::make_shared<recording_sink>();
  auto foreign_staff = std::make_shared<recording_sink>();
  board.watch(staff, true, ev);
  board.watch(staff, true, ev);  // once only
  board.watch(guest, false, "");
  board.watch(foreign_staff, true, "other-event");
  board.update(status("main", ev, true));
  board.update(status("closed", ev, false));

  ASSERT_EQ(staff->sent.size(), 2u);
  auto first = parse(staff->sent[0].first);
  EXPECT_EQ(first.begin()->key(), "type");
  EXPECT_EQ(first.at("type").as_string(), "stage");
  EXPECT_TRUE(first.at("stage").as_object().contains("outputs"));
  EXPECT_EQ(staff->sent[0].second, "stage:main") << "latest value only, per stage";
  EXPECT_EQ(staff->sent[1].second, "stage:closed");
  EXPECT_EQ(staff->sent[0].first, *protocol::event(protocol::stage_event{*board.one("main", true)}));

  ASSERT_EQ(guest->sent.size(), 1u) << "the closed stage went to a guest";
  EXPECT_FALSE(parse(guest->sent[0].first).at("stage").as_object().contains("outputs"));
  ASSERT_EQ(foreign_staff->sent.size(), 1u);
  EXPECT_FALSE(parse(foreign_staff->sent[0].first).at("stage").as_object().contains("outputs"));

  // A connection that went away is no longer sent to.
  std::weak_ptr<recording_sink> gone = guest;
  guest.reset();
  board.update(status("main", ev, true));
  EXPECT_TRUE(gone.expired());
  EXPECT_EQ(staff->sent.size(), 3u);
}

TEST(stage_board, metrics_for_every_stage_and_destination) {
  stage_board board;
  EXPECT_EQ(board.metrics_text(), "");
  auto s = status("main", ev, true);
  s.input.rejected_by_reason["wrong_passphrase"] = 2;
  board.update(s);
  auto text = board.metrics_text();
  EXPECT_NE(text.find("# TYPE samling_stage_state gauge\n"), std::string::npos) << text;
  EXPECT_NE(text.find("samling_stage_state{stage=\"main\",state=\"live\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("samling_stage_state{stage=\"main\",state=\"offline\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("samling_stage_input_rejected_callers_total{stage=\"main\",reason=\"wrong_passphrase\"} 2\n"),
            std::string::npos)
      << text;
  // Every known reason from zero, so rate() sees the first refusal.
  EXPECT_NE(text.find("samling_stage_input_rejected_callers_total{stage=\"main\",reason=\"no_passphrase\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("samling_stage_output_state{stage=\"main\",output=\"yt\",state=\"idle\"} 1\n"),
            std::string::npos)
      << text;
}

// Viewers (api/hls_viewers.hpp) are in both views, in /metrics, and a change goes to the
// watchers like a status change; a status update keeps the latest count and the other way round.
TEST(stage_board, viewers_are_in_every_view_and_a_change_is_sent) {
  stage_board board;
  auto staff = std::make_shared<recording_sink>();
  auto guest = std::make_shared<recording_sink>();
  board.update(status("main", ev, true));
  board.watch(staff, true, ev);
  board.watch(guest, false, "");
  auto viewers_in = [](const std::string& stage_json) { return parse(stage_json).at("viewers").to_number<std::uint64_t>(); };
  EXPECT_EQ(viewers_in(*board.one("main", false)), 0u);
  EXPECT_EQ(viewers_in(*board.one("main", true)), 0u);
  EXPECT_NE(board.metrics_text().find("samling_stage_viewers{stage=\"main\"} 0\n"), std::string::npos);

  board.set_viewers("main", 2);
  EXPECT_EQ(board.viewers("main"), 2u);
  EXPECT_EQ(viewers_in(*board.one("main", false)), 2u);
  EXPECT_EQ(viewers_in(*board.one("main", true)), 2u);
  EXPECT_EQ(parse(board.list(false, "")).at("stages").as_array()[0].as_object().at("viewers").to_number<std::uint64_t>(), 2u);
  ASSERT_EQ(staff->sent.size(), 1u);
  ASSERT_EQ(guest->sent.size(), 1u);
  EXPECT_EQ(parse(guest->sent[0].first).at("stage").as_object().at("viewers").to_number<std::uint64_t>(), 2u);
  EXPECT_TRUE(parse(staff->sent[0].first).at("stage").as_object().contains("outputs"));
  EXPECT_NE(board.metrics_text().find("samling_stage_viewers{stage=\"main\"} 2\n"), std::string::npos)
      << board.metrics_text();

  board.set_viewers("main", 2);  // no change: nothing sent
  EXPECT_EQ(staff->sent.size(), 1u);
  board.set_viewers("nope", 5);  // an unknown stage: nothing
  EXPECT_FALSE(board.one("nope", true));

  auto s = status("main", ev, true);
  s.state = media::stage_state::standby;
  board.update(s);  // a new status keeps the viewers
  auto pub = parse(*board.one("main", false));
  EXPECT_EQ(pub.at("viewers").to_number<std::uint64_t>(), 2u);
  EXPECT_EQ(pub.at("state").as_string(), "standby");
  board.set_viewers("main", 1);  // and new viewers keep the status
  pub = parse(*board.one("main", false));
  EXPECT_EQ(pub.at("viewers").to_number<std::uint64_t>(), 1u);
  EXPECT_EQ(pub.at("state").as_string(), "standby");
}

// Issue 18: a stage's rule (visibility, public_at) from its status decides who sees it now.
media::stage_status ruled(const std::string& id, const std::string& visibility, std::int64_t public_at = 0) {
  auto s = status(id, ev, visibility == "public");
  s.visibility = visibility;
  s.public_at = public_at;
  return s;
}

TEST(stage_board, the_rule_of_a_status) {
  EXPECT_EQ(rule_of(ruled("a", "public")), (press::access_rule{press::visibility::public_, 0}));
  EXPECT_EQ(rule_of(ruled("a", "registered")), (press::access_rule{press::visibility::registered, 0}));
  EXPECT_EQ(rule_of(ruled("a", "press", 1000)), (press::access_rule{press::visibility::press, 1000}));
  EXPECT_EQ(rule_of(ruled("a", "staff")), (press::access_rule{press::visibility::staff, 0}));
  // The old flag alone (a status built with is_public = false) is press; an unknown level
  // fails closed; a public stage has no embargo.
  EXPECT_EQ(rule_of(status("a", ev, false)).level, press::visibility::press);
  EXPECT_EQ(rule_of(ruled("a", "nonsense")).level, press::visibility::press);
  auto odd = ruled("a", "public");
  odd.public_at = 1000;
  EXPECT_EQ(rule_of(odd).public_at, 0);
}

TEST(stage_board, the_stage_json_carries_visibility_and_public_at) {
  stage_board board;
  board.update(ruled("main", "public"));
  board.update(ruled("embargo", "press", 1802174400));
  auto main = parse(*board.one("main", false));
  EXPECT_EQ(main.at("visibility").as_string(), "public");
  EXPECT_TRUE(main.at("public_at").is_null());
  EXPECT_EQ(main.at("public").as_bool(), true);
  auto embargo = parse(*board.one("embargo", true));
  EXPECT_EQ(embargo.at("visibility").as_string(), "press");
  EXPECT_EQ(embargo.at("public_at").to_number<std::int64_t>(), 1802174400);
  EXPECT_EQ(embargo.at("public").as_bool(), false);
  // Field order: public, visibility, public_at together after room.
  std::vector<std::string> keys;
  for (auto& kv : main) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "name", "room", "public", "visibility", "public_at", "state",
                                            "state_since_ms", "hls", "viewers"}));
}

TEST(stage_board, an_embargoed_stage_is_listed_for_everyone_from_its_public_at_without_a_new_status) {
  stage_board board;
  std::int64_t now = 1000;
  board.set_clock([&now] { return now; });
  auto guest = std::make_shared<recording_sink>();
  board.watch(guest, false, "");
  board.update(ruled("main", "public"));
  board.update(ruled("embargo", "press", 1010));
  board.update(ruled("closed", "registered"));
  EXPECT_EQ(ids(board.list(false, "")), std::vector<std::string>{"main"});
  EXPECT_FALSE(board.one("embargo", false));
  EXPECT_FALSE(board.is_public("embargo"));
  EXPECT_EQ(board.rule("embargo"), (press::access_rule{press::visibility::press, 1010}));
  EXPECT_FALSE(board.rule("nosuch"));
  ASSERT_EQ(guest->sent.size(), 1u) << "only the public stage's event went to a guest";

  now = 1010;  // the embargo ends: no status change needed
  EXPECT_EQ(ids(board.list(false, "")), (std::vector<std::string>{"main", "embargo"}));
  EXPECT_TRUE(board.one("embargo", false));
  EXPECT_TRUE(board.is_public("embargo"));
  EXPECT_FALSE(board.is_public("closed"));
  board.update(ruled("embargo", "press", 1010));
  EXPECT_EQ(guest->sent.size(), 2u) << "its next event goes to everyone";
}

TEST(stage_board, a_chooser_decides_the_view_of_each_stage) {
  stage_board board;
  board.update(ruled("main", "public"));
  board.update(ruled("reg", "registered"));
  board.update(ruled("press", "press"));
  board.update(ruled("staff", "staff"));
  // A chooser as stage_routes makes one: a level, admitted by each stage's rule.
  auto at_level = [](press::visibility have) {
    return [have](const stage_ref& s) {
      return press::admits(s.rule.at(0), have) ? stage_view::public_view : stage_view::none;
    };
  };
  EXPECT_EQ(ids(board.list_with(at_level(press::visibility::public_))), std::vector<std::string>{"main"});
  EXPECT_EQ(ids(board.list_with(at_level(press::visibility::registered))), (std::vector<std::string>{"main", "reg"}));
  EXPECT_EQ(ids(board.list_with(at_level(press::visibility::press))), (std::vector<std::string>{"main", "reg", "press"}));
  EXPECT_EQ(ids(board.list_with(at_level(press::visibility::staff))),
            (std::vector<std::string>{"main", "reg", "press", "staff"}));
  auto pub = parse(board.list_with(at_level(press::visibility::staff))).at("stages").as_array()[3].as_object();
  EXPECT_FALSE(pub.contains("outputs")) << "the public view";
  auto staff = [](const stage_ref& s) { return s.id == "staff" ? stage_view::staff_view : stage_view::none; };
  EXPECT_TRUE(parse(*board.one_with("staff", staff)).contains("outputs"));
  EXPECT_FALSE(board.one_with("press", staff));
  EXPECT_FALSE(board.one_with("nosuch", staff));
}

}  // namespace
}  // namespace samling::api
