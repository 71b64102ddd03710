// Every frame the server sends, byte for byte: field order and formatting are the contract
// (docs/protocol.md) that clients and tests compare.
#include "protocol/frames.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace samling::protocol;
using samling::auth::role;
using samling::core::errc;

namespace {

const user_ref anna{"u-anna", "Anna \"A\" Svensson", role::attendee};
const user_ref mo{"u-mod", "Mo", role::moderator};

}  // namespace

TEST(frames, the_types_the_server_sends) {
  EXPECT_EQ(server_message_types(),
            (std::vector<std::string>{"ack", "error", "message", "presence", "stage", "program", "now_next"}));
}

TEST(frames, message_event) {
  auto f = event(message_event{"ev/main", 43, 1796822400456, anna, "Hej!\nåäö 👋", "b9c1", false});
  EXPECT_EQ(*f, R"({"type":"message","room":"ev/main","seq":43,"ts":1796822400456,)"
                R"("user":{"id":"u-anna","name":"Anna \"A\" Svensson","role":"attendee"},)"
                R"("text":"Hej!\nåäö 👋","client_msg_id":"b9c1"})");
}

TEST(frames, a_held_message_says_so_after_its_client_id) {
  auto f = event(message_event{"ev/main", 44, 5, anna, "fy", "c2", true});
  EXPECT_EQ(*f, R"({"type":"message","room":"ev/main","seq":44,"ts":5,)"
                R"("user":{"id":"u-anna","name":"Anna \"A\" Svensson","role":"attendee"},)"
                R"("text":"fy","client_msg_id":"c2","held":true})");
}

TEST(frames, message_event_at_the_limits_of_its_numbers) {
  auto f = event(message_event{"r", 18446744073709551615u, -1, {"g-1", "G", role::guest}, "", "c", false});
  EXPECT_EQ(*f, R"({"type":"message","room":"r","seq":18446744073709551615,"ts":-1,)"
                R"("user":{"id":"g-1","name":"G","role":"guest"},"text":"","client_msg_id":"c"})");
}

TEST(frames, presence_with_and_without_the_member_list) {
  EXPECT_EQ(*event(presence_event{"ev/main", 18, std::nullopt}),
            R"({"type":"presence","room":"ev/main","count":18})");
  const user_ref both[] = {anna, mo};
  EXPECT_EQ(*event(presence_event{"ev/main", 2, both}),
            R"({"type":"presence","room":"ev/main","count":2,"members":[)"
            R"({"id":"u-anna","name":"Anna \"A\" Svensson","role":"attendee"},)"
            R"({"id":"u-mod","name":"Mo","role":"moderator"}]})");
  EXPECT_EQ(*event(presence_event{"ev/main", 0, std::span<const user_ref>{}}),
            R"({"type":"presence","room":"ev/main","count":0,"members":[]})");
}

TEST(frames, stage_event_wraps_the_status_as_is) {
  EXPECT_EQ(*event(stage_event{R"({"id":"main","state":"live"})"}),
            R"({"type":"stage","stage":{"id":"main","state":"live"}})");
}

TEST(frames, program_event_carries_the_version_and_the_changes_as_is) {
  EXPECT_EQ(*event(program_event{"ev", 3, R"([{"session":"lunch","change":"cancelled"}])"}),
            R"({"type":"program","event":"ev","version":3,"changes":[{"session":"lunch","change":"cancelled"}]})");
}

TEST(frames, now_next_event_carries_the_rooms_as_is) {
  EXPECT_EQ(*event(now_next_event{"ev", R"([{"room":"main","now":null,"next":null}])"}),
            R"({"type":"now_next","event":"ev","rooms":[{"room":"main","now":null,"next":null}]})");
}

TEST(frames, hello_ack) {
  hello_result r{.session = "s-5f3a9c",
                 .server_time = 1796822400000,
                 .user = anna,
                 .event = "stockholm",
                 .text_max_chars = 1000,
                 .rate_burst = 5,
                 .rate_per_second = 1.0,
                 .history = 50,
                 .token = {}};
  EXPECT_EQ(*ack("1", r),
            R"({"type":"ack","id":1,"result":{"session":"s-5f3a9c","server_time":1796822400000,)"
            R"("user":{"id":"u-anna","name":"Anna \"A\" Svensson","role":"attendee"},"event":"stockholm",)"
            R"("limits":{"text_max_chars":1000,"rate_burst":5,"rate_per_second":1,"history":50}}})");
  // A guest's reconnect token; rates with fractions keep up to 4 significant digits.
  r.user = {"g-ab12", "Gäst", role::guest};
  r.token = "v1.k1.p.s";
  r.rate_burst = 2.9;
  r.rate_per_second = 100.0 / 60.0;
  EXPECT_EQ(*ack(R"("h")", r),
            R"({"type":"ack","id":"h","result":{"session":"s-5f3a9c","server_time":1796822400000,)"
            R"("user":{"id":"g-ab12","name":"Gäst","role":"guest"},"event":"stockholm",)"
            R"("limits":{"text_max_chars":1000,"rate_burst":2,"rate_per_second":1.667,"history":50},)"
            R"("token":"v1.k1.p.s"}})");
}

TEST(frames, join_ack_replays_the_kept_messages_as_they_are) {
  const std::string_view kept[] = {R"({"type":"message","seq":41})", R"({"type":"message","seq":42})"};
  EXPECT_EQ(*ack("2", join_result{"ev/main", 42, 17, kept, {}, {}}),
            R"({"type":"ack","id":2,"result":{"room":"ev/main","seq":42,"count":17,"messages":[)"
            R"({"type":"message","seq":41},{"type":"message","seq":42}],"events":[],"qa":{}}})");
  EXPECT_EQ(*ack("2", join_result{"ev/main", 0, 1, {}, {}, {}}),
            R"({"type":"ack","id":2,"result":{"room":"ev/main","seq":0,"count":1,"messages":[],"events":[],"qa":{}}})");
}

TEST(frames, join_ack_carries_the_log_entries_and_the_qa_snapshot_as_they_are) {
  const std::string_view events[] = {R"({"type":"question","seq":40})", R"({"type":"votes","seq":43})"};
  EXPECT_EQ(*ack("2", join_result{"ev/main", 43, 3, {}, events, R"({"questions":[]})"}),
            R"({"type":"ack","id":2,"result":{"room":"ev/main","seq":43,"count":3,"messages":[],)"
            R"("events":[{"type":"question","seq":40},{"type":"votes","seq":43}],"qa":{"questions":[]}}})");
}

TEST(frames, ack_raw_wraps_a_serialized_result) {
  EXPECT_EQ(*ack_raw("9", R"({"room":"ev/main","votes":3})"),
            R"({"type":"ack","id":9,"result":{"room":"ev/main","votes":3}})");
  EXPECT_EQ(*ack_raw(R"("x")", ""), R"({"type":"ack","id":"x","result":{}})");
}

TEST(frames, leave_post_members_ping_and_stages_acks) {
  EXPECT_EQ(*ack("3", leave_result{"ev/main"}), R"({"type":"ack","id":3,"result":{"room":"ev/main"}})");
  EXPECT_EQ(
      *ack("4", post_result{"ev/main", 43, 1796822400456, false, false}),
      R"({"type":"ack","id":4,"result":{"room":"ev/main","seq":43,"ts":1796822400456,"duplicate":false}})");
  EXPECT_EQ(
      *ack("4", post_result{"ev/main", 43, 1796822400456, true, false}),
      R"({"type":"ack","id":4,"result":{"room":"ev/main","seq":43,"ts":1796822400456,"duplicate":true}})");
  EXPECT_EQ(
      *ack("4", post_result{"ev/main", 44, 1796822400456, false, true}),
      R"({"type":"ack","id":4,"result":{"room":"ev/main","seq":44,"ts":1796822400456,"duplicate":false,"held":true}})");
  const user_ref both[] = {anna, mo};
  EXPECT_EQ(*ack("5", members_result{"ev/main", 2, both}),
            R"({"type":"ack","id":5,"result":{"room":"ev/main","count":2,"members":[)"
            R"({"id":"u-anna","name":"Anna \"A\" Svensson","role":"attendee"},)"
            R"({"id":"u-mod","name":"Mo","role":"moderator"}]}})");
  EXPECT_EQ(*ack("6", ping_result{1796822400789}),
            R"({"type":"ack","id":6,"result":{"server_time":1796822400789}})");
  EXPECT_EQ(*ack("7", stages_result{stage_list({})}), R"({"type":"ack","id":7,"result":{"stages":[]}})");
  const std::string_view stages[] = {R"({"id":"main"})", R"({"id":"b"})"};
  EXPECT_EQ(*ack("7", stages_result{stage_list(stages)}),
            R"({"type":"ack","id":7,"result":{"stages":[{"id":"main"},{"id":"b"}]}})");
}

TEST(frames, error_with_its_message_the_default_or_a_retry_time) {
  EXPECT_EQ(*error("7", errc::rate_limited, {}, 800),
            R"({"type":"error","id":7,"code":"rate_limited","message":")" +
                std::string(samling::core::default_message(errc::rate_limited)) +
                R"(","retry_after_ms":800})");
  EXPECT_EQ(
      *error("null", errc::bad_json, "The frame is not valid JSON: \"x\"."),
      R"({"type":"error","id":null,"code":"bad_json","message":"The frame is not valid JSON: \"x\"."})");
  EXPECT_EQ(*error(R"("a")", errc::not_in_room),
            R"({"type":"error","id":"a","code":"not_in_room","message":")" +
                std::string(samling::core::default_message(errc::not_in_room)) + R"("})");
}

TEST(frames, every_frame_is_valid_json) {
  const user_ref odd{"\x01\x1f", "\\\"\t", role::press};
  const user_ref list[] = {odd};
  const auto message = event(message_event{"r", 1, 2, odd, "\x7f\b\f\r", "c", true});
  const std::string_view kept[] = {*message};
  for (const auto& f : {event(message_event{"r\"", 1, 2, odd, "\x7f\b\f\r", "c", false}),
                        event(presence_event{"r", 1, list}), ack("1", join_result{"r", 1, 1, kept, kept, {}}),
                        ack("1", members_result{"r", 1, list}), error("1", errc::internal, "\x02")}) {
    boost::system::error_code ec;
    auto v = boost::json::parse(*f, ec);
    EXPECT_FALSE(ec) << *f;
    EXPECT_TRUE(v.is_object()) << *f;
  }
}
