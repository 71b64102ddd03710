#include "moderation/ops.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "moderation/actions.hpp"
#include "moderation/audit.hpp"
#include "moderation/guests.hpp"
#include "moderation/snapshot.hpp"
#include "protocol/frames.hpp"
#include "store/sqlite_chat_store.hpp"
#include "store/sqlite_moderation_store.hpp"
#include "store/statement.hpp"
#include "temp_dir.hpp"

namespace samling::moderation {
namespace {

namespace json = boost::json;
using core::errc;
using rooms::chat_message;
using rooms::chat_user;
using rooms::log_entry;
using rooms::op_env;
using rooms::op_outcome;
using samling::testing::temp_dir;

const std::string event = "stockholm-tillsammans-2027";
const std::string main_room = event + "/main";
const std::string seminar = event + "/seminar-housing";
constexpr std::int64_t t0 = 1796822400000;

const chat_user mo{"u-mo", "Mo Moderator", auth::role::moderator};
const chat_user olga{"u-olga", "Olga Organizer", auth::role::organizer};
const chat_user anna{"u-anna", "Anna Svensson", auth::role::attendee};
const chat_user omar{"u-omar", "Omar Farah", auth::role::speaker};

bool is_staff(const chat_user& u) {
  return u.role == auth::role::moderator || u.role == auth::role::organizer;
}

json::object parse(const std::string& s) { return json::parse(s).as_object(); }

// A room's store-side life without the room: posts go through the gate and into the chat store
// with the room's next seq; a moderate op runs in a savepoint, as the chat writer runs it, its
// entries stored on success, its seqs given back on failure.
struct fixture {
  temp_dir dir;
  store::sqlite_db db{dir.file("samling.db")};
  store::sqlite_chat_store chat{db};
  store::sqlite_moderation_store store{db};
  std::uint64_t next_seq = 1;
  std::int64_t now = t0;
  std::string room = main_room;

  op_outcome run(const chat_user& actor, moderate_args a) {
    op_env env;
    env.room = room;
    env.event_id = event;
    env.room_id = room.substr(room.find('/') + 1);
    env.actor = actor;
    env.staff = is_staff(actor);
    env.now_ms = now;
    const auto first = next_seq;
    env.take_seq = [this] { return next_seq++; };
    auto sink = audit_to(store);
    env.audit = [&](std::string_view action, std::string_view target, std::string_view reason) {
      sink(env, action, target, reason);
    };
    store::transaction tx(db);
    auto out = moderate(store, chat, env, a);
    if (out.error != errc::ok) {
      next_seq = first;
      return out;
    }
    for (auto& e : out.entries) chat.append_entry(e);
    tx.commit();
    return out;
  }

  // Posts `text` as `user` at `now`: the gate's verdict; stored (held or not) when it passes.
  rooms::post_verdict post(const chat_user& user, const std::string& text) {
    chat_message m;
    m.room = room;
    m.ts_ms = now;
    m.user = user;
    m.text = text;
    m.client_msg_id = "c" + std::to_string(next_seq) + "-" + std::to_string(now);
    auto v = gate_post(store, m, is_staff(user));
    if (v.error != errc::ok) return v;
    m.seq = next_seq++;
    m.held = v.held;
    chat.append(m);
    return v;
  }
  std::uint64_t last_seq() const { return next_seq - 1; }
};

moderate_args act(moderate_action a) {
  moderate_args m;
  m.action = a;
  return m;
}
moderate_args on_message(moderate_action a, std::uint64_t seq, std::string reason = "") {
  auto m = act(a);
  m.seq = seq;
  m.reason = std::move(reason);
  return m;
}
moderate_args on_user(moderate_action a, const std::string& user, std::int64_t seconds = 0,
                      std::string reason = "") {
  auto m = act(a);
  m.user_id = user;
  m.seconds = seconds;
  m.reason = std::move(reason);
  return m;
}

// --- action names -----------------------------------------------------------------------------

TEST(ModerationOpsTest, ActionNamesRoundTrip) {
  for (auto a : {moderate_action::delete_message, moderate_action::release_message, moderate_action::mute,
                 moderate_action::unmute, moderate_action::ban, moderate_action::unban,
                 moderate_action::slow_mode, moderate_action::lock, moderate_action::unlock,
                 moderate_action::words})
    EXPECT_EQ(action_from_string(to_string(a)), a) << to_string(a);
  EXPECT_EQ(to_string(moderate_action::release_message), "release_message");
  EXPECT_EQ(action_from_string("premoderation"), std::nullopt);
  EXPECT_EQ(action_from_string("Delete_message"), std::nullopt);
}

TEST(ModerationOpsTest, OnlyStaffModerate) {
  fixture f;
  auto out = f.run(anna, act(moderate_action::lock));
  EXPECT_EQ(out.error, errc::forbidden);
  EXPECT_TRUE(out.entries.empty());
  EXPECT_FALSE(f.store.settings(main_room).locked);
  EXPECT_TRUE(f.store.log_entries(event).empty());
}

// --- delete and release -------------------------------------------------------------------------

TEST(ModerationOpsTest, DeleteHidesTheMessageForEveryoneAndTellsStaffWhoAndWhy) {
  fixture f;
  ASSERT_EQ(f.post(anna, "hej").error, errc::ok);
  ASSERT_EQ(f.post(omar, "dumt").error, errc::ok);
  f.now += 5000;
  auto out = f.run(mo, on_message(moderate_action::delete_message, 2, "off topic"));
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(parse(out.result_json), parse(R"({"room":")" + main_room +
                                          R"(","action":"delete_message","seq":2,"reason":"off topic"})"));
  ASSERT_EQ(out.entries.size(), 2u);
  const auto& gone = out.entries[0];
  EXPECT_EQ(gone.type, "message_deleted");
  EXPECT_EQ(gone.seq, 3u);
  EXPECT_EQ(gone.ts_ms, f.now);
  EXPECT_EQ(gone.hides_seq, 2u);
  EXPECT_EQ(gone.shows_seq, 0u);
  EXPECT_EQ(parse(gone.everyone_json),
            parse(R"({"type":"message_deleted","room":")" + main_room + R"(","seq":3,"ts":)" +
                  std::to_string(f.now) + R"(,"deleted_seq":2})"));
  EXPECT_TRUE(gone.staff_json.empty());  // staff get the same
  const auto& why = out.entries[1];
  EXPECT_EQ(why.type, "moderation");
  EXPECT_EQ(why.seq, 4u);
  EXPECT_TRUE(why.everyone_json.empty());  // staff only
  EXPECT_TRUE(why.owner_id.empty());
  auto staff = parse(why.staff_json);
  EXPECT_EQ(staff["action"], "delete_message");
  EXPECT_EQ(staff["user"], parse(R"({"id":"u-omar","name":"Omar Farah"})"));
  EXPECT_EQ(staff["reason"], "off topic");
  EXPECT_EQ(staff["deleted_seq"], 2);
  EXPECT_EQ(staff["by"], parse(R"({"id":"u-mo","name":"Mo Moderator","role":"moderator"})"));
  EXPECT_TRUE(staff["until"].is_null());
  EXPECT_TRUE(staff["seconds"].is_null());

  EXPECT_EQ(f.chat.find(main_room, 2), std::nullopt);
  ASSERT_TRUE(f.chat.find(main_room, 1));
  auto recent = f.chat.recent(main_room, 10);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].seq, 1u);

  auto log = f.store.log_entries(event);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "delete_message");
  EXPECT_EQ(log[0].target, "msg:2 user:u-omar (Omar Farah): dumt");  // kept in the log
  EXPECT_EQ(log[0].reason, "off topic");
  EXPECT_EQ(log[0].actor_id, "u-mo");
  EXPECT_EQ(log[0].actor_name, "Mo Moderator");
  EXPECT_EQ(log[0].actor_role, "moderator");
  EXPECT_EQ(log[0].room, main_room);
  EXPECT_EQ(log[0].ts_ms, f.now);

  // Gone is gone: a second delete finds nothing, and gives its seqs back.
  out = f.run(mo, on_message(moderate_action::delete_message, 2));
  EXPECT_EQ(out.error, errc::no_such_message);
  EXPECT_EQ(f.next_seq, 5u);
  EXPECT_EQ(f.run(mo, on_message(moderate_action::delete_message, 99)).error, errc::no_such_message);
  EXPECT_EQ(f.run(mo, on_message(moderate_action::delete_message, 0)).error, errc::bad_message);
  EXPECT_EQ(f.store.log_entries(event).size(), 1u);
}

TEST(ModerationOpsTest, DeletingAMessageOfAnotherRoomFindsNothing) {
  fixture f;
  f.room = seminar;
  ASSERT_EQ(f.post(anna, "i seminariet").error, errc::ok);
  f.room = main_room;
  f.next_seq = 1;
  EXPECT_EQ(f.run(mo, on_message(moderate_action::delete_message, 1)).error, errc::no_such_message);
}

TEST(ModerationOpsTest, WordListHoldsAMessageUntilReleased) {
  fixture f;
  moderate_args w = act(moderate_action::words);
  w.words = {"idiot"};
  ASSERT_EQ(f.run(mo, w).error, errc::ok);  // seq 1
  auto v = f.post(anna, "Du är en IDIOT!");
  EXPECT_EQ(v.error, errc::ok);
  EXPECT_TRUE(v.held);
  EXPECT_FALSE(f.post(anna, "idiotisk fråga").held);
  EXPECT_FALSE(f.post(mo, "idiot").held);  // staff pass the list too
  const std::uint64_t held_seq = 2;

  auto snap = staff_snapshot(f.store, f.chat, event, main_room, f.now);
  ASSERT_EQ(snap["held"].as_array().size(), 1u);
  auto held = snap["held"].as_array()[0].as_object();
  EXPECT_EQ(held["seq"], held_seq);
  EXPECT_EQ(held["held"], true);
  EXPECT_EQ(held["text"], "Du är en IDIOT!");
  EXPECT_EQ(held["type"], "message");

  // Only a held message can be released.
  EXPECT_EQ(f.run(mo, on_message(moderate_action::release_message, 3)).error, errc::no_such_message);
  EXPECT_EQ(f.run(mo, on_message(moderate_action::release_message, 77)).error, errc::no_such_message);
  f.now += 1000;
  auto out = f.run(mo, on_message(moderate_action::release_message, held_seq));
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(parse(out.result_json),
            parse(R"({"room":")" + main_room + R"(","action":"release_message","seq":2})"));
  ASSERT_EQ(out.entries.size(), 1u);
  const auto& shown = out.entries[0];
  EXPECT_EQ(shown.type, "message_released");
  EXPECT_EQ(shown.shows_seq, held_seq);
  EXPECT_EQ(shown.hides_seq, 0u);
  EXPECT_TRUE(shown.staff_json.empty());
  auto everyone = parse(shown.everyone_json);
  EXPECT_EQ(everyone["seq"], shown.seq);
  // The message exactly as the `message` event writes it (no "held").
  auto m = f.chat.find(main_room, held_seq);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->held);
  protocol::user_ref u{m->user.id, m->user.name, m->user.role};
  auto frame = protocol::event(
      protocol::message_event{m->room, m->seq, m->ts_ms, u, m->text, m->client_msg_id, false});
  EXPECT_EQ(json::serialize(everyone["message"]), *frame);
  EXPECT_TRUE(staff_snapshot(f.store, f.chat, event, main_room, f.now)["held"].as_array().empty());
  // Released once: not held any more.
  EXPECT_EQ(f.run(mo, on_message(moderate_action::release_message, held_seq)).error,
            errc::no_such_message);
  auto log = f.store.log_entries(event);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].action, "release_message");
  EXPECT_EQ(log[1].target, "msg:2");
}

TEST(ModerationOpsTest, DeletingAHeldMessageTellsOnlyStaffAndItsAuthor) {
  fixture f;
  moderate_args w = act(moderate_action::words);
  w.words = {"idiot"};
  ASSERT_EQ(f.run(mo, w).error, errc::ok);
  ASSERT_TRUE(f.post(anna, "idiot").held);  // seq 2
  auto out = f.run(olga, on_message(moderate_action::delete_message, 2));
  ASSERT_EQ(out.error, errc::ok) << out.message;
  const auto& gone = out.entries.at(0);
  EXPECT_TRUE(gone.everyone_json.empty());
  EXPECT_EQ(gone.owner_id, "u-anna");
  EXPECT_EQ(parse(gone.owner_json)["deleted_seq"], 2);
  EXPECT_EQ(parse(gone.staff_json)["deleted_seq"], 2);
  EXPECT_EQ(gone.hides_seq, 2u);
  EXPECT_TRUE(f.chat.held_messages(main_room).empty());
  EXPECT_EQ(parse(out.entries.at(1).staff_json)["reason"], nullptr);
}

// --- mute -------------------------------------------------------------------------------------

TEST(ModerationOpsTest, MuteRefusesPostsUntilItEnds) {
  fixture f;
  ASSERT_EQ(f.post(anna, "hej").error, errc::ok);  // the chat knows her name
  auto out = f.run(mo, on_user(moderate_action::mute, "u-anna", 600, "spam"));
  ASSERT_EQ(out.error, errc::ok) << out.message;
  const auto until = t0 + 600'000;
  EXPECT_EQ(parse(out.result_json),
            parse(R"({"room":")" + main_room + R"(","action":"mute","user":{"id":"u-anna","name":"Anna Svensson"},"until":)" +
                  std::to_string(until) + R"(,"seconds":600,"reason":"spam"})"));
  ASSERT_EQ(out.entries.size(), 1u);
  const auto& e = out.entries[0];
  EXPECT_EQ(e.type, "moderation");
  EXPECT_TRUE(e.everyone_json.empty());
  EXPECT_EQ(e.owner_id, "u-anna");
  EXPECT_EQ(e.owner_json, e.staff_json);
  auto staff = parse(e.staff_json);
  EXPECT_EQ(staff["action"], "mute");
  EXPECT_EQ(staff["until"], until);
  EXPECT_EQ(staff["seconds"], 600);
  EXPECT_EQ(staff["reason"], "spam");

  f.now = until - 1;
  auto v = f.post(anna, "får jag säga något?");
  EXPECT_EQ(v.error, errc::muted);
  EXPECT_EQ(v.retry_after_ms, 1);
  EXPECT_NE(v.message.find("spam"), std::string::npos) << v.message;
  f.now = t0 + 1000;
  v = f.post(anna, "nu?");
  EXPECT_EQ(v.error, errc::muted);
  EXPECT_EQ(v.retry_after_ms, 599'000);
  EXPECT_NE(v.message.find("10 min"), std::string::npos) << v.message;
  EXPECT_EQ(f.post(omar, "jag får").error, errc::ok);
  // Muted in every room of the event.
  f.room = seminar;
  EXPECT_EQ(f.post(anna, "här då?").error, errc::muted);
  f.room = main_room;
  f.now = until;  // the mute has ended
  EXPECT_EQ(f.post(anna, "tack").error, errc::ok);

  auto snap = staff_snapshot(f.store, f.chat, event, main_room, until - 1);
  ASSERT_EQ(snap["muted"].as_array().size(), 1u);
  auto listed = snap["muted"].as_array()[0].as_object();
  EXPECT_EQ(listed["user"], parse(R"({"id":"u-anna","name":"Anna Svensson"})"));
  EXPECT_EQ(listed["until"], until);
  EXPECT_EQ(listed["reason"], "spam");
  EXPECT_TRUE(staff_snapshot(f.store, f.chat, event, main_room, until)["muted"].as_array().empty());
}

TEST(ModerationOpsTest, UnmuteLiftsTheMuteAndTellsTheUser) {
  fixture f;
  ASSERT_EQ(f.run(mo, on_user(moderate_action::mute, "u-anna", 60)).error, errc::ok);
  EXPECT_EQ(f.post(anna, "hej").error, errc::muted);
  auto out = f.run(mo, on_user(moderate_action::unmute, "u-anna"));
  ASSERT_EQ(out.error, errc::ok) << out.message;
  // No name given and none in the chat: the id.
  EXPECT_EQ(parse(out.result_json),
            parse(R"({"room":")" + main_room + R"(","action":"unmute","user":{"id":"u-anna","name":"u-anna"}})"));
  EXPECT_EQ(out.entries.at(0).owner_id, "u-anna");
  EXPECT_TRUE(out.entries.at(0).everyone_json.empty());
  EXPECT_EQ(f.post(anna, "hej").error, errc::ok);
  auto log = f.store.log_entries(event);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, "mute");
  EXPECT_EQ(log[0].target, "user:u-anna (u-anna) seconds:60");
  EXPECT_EQ(log[1].target, "user:u-anna (u-anna)");
  EXPECT_EQ(log[1].action, "unmute");
}

TEST(ModerationOpsTest, MuteNeedsAUserAndAPositiveDuration) {
  fixture f;
  EXPECT_EQ(f.run(mo, on_user(moderate_action::mute, "", 60)).error, errc::bad_message);
  EXPECT_EQ(f.run(mo, on_user(moderate_action::mute, "u-anna", 0)).error, errc::bad_message);
  EXPECT_EQ(f.run(mo, on_user(moderate_action::mute, "u-anna", -5)).error, errc::bad_message);
  EXPECT_EQ(f.run(mo, on_user(moderate_action::mute, "u-anna", 367LL * 24 * 3600)).error,
            errc::bad_message);
  EXPECT_EQ(f.run(mo, on_user(moderate_action::mute, "u-mo", 60)).error, errc::bad_message);
  EXPECT_EQ(f.next_seq, 1u);
  EXPECT_EQ(f.store.mute_of(event, "u-anna"), std::nullopt);
  EXPECT_TRUE(f.store.log_entries(event).empty());
  auto named = on_user(moderate_action::mute, "u-anna", 366LL * 24 * 3600);
  named.user_name = "Anna S.";
  auto out = f.run(olga, named);
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(f.store.mute_of(event, "u-anna")->user_name, "Anna S.");
  EXPECT_EQ(f.store.mute_of(event, "u-anna")->by, (actor_ref{"u-olga", "Olga Organizer"}));
}

// --- ban --------------------------------------------------------------------------------------

TEST(ModerationOpsTest, BanClosesTheUsersConnectionsAndRefusesThem) {
  fixture f;
  ASSERT_EQ(f.post(omar, "hej").error, errc::ok);
  auto out = f.run(mo, on_user(moderate_action::ban, "u-omar", 0, "troll"));
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(out.close_users, (std::vector<std::string>{"u-omar"}));
  EXPECT_EQ(parse(out.result_json),
            parse(R"({"room":")" + main_room + R"(","action":"ban","user":{"id":"u-omar","name":"Omar Farah"},"reason":"troll"})"));
  ASSERT_EQ(out.entries.size(), 1u);
  EXPECT_TRUE(out.entries[0].everyone_json.empty());
  EXPECT_TRUE(out.entries[0].owner_id.empty());
  EXPECT_EQ(parse(out.entries[0].staff_json)["action"], "ban");
  EXPECT_TRUE(is_banned(f.store, event, "u-omar"));
  EXPECT_FALSE(is_banned(f.store, event + "-b", "u-omar"));
  EXPECT_FALSE(is_banned(f.store, event, "u-anna"));
  EXPECT_EQ(f.post(omar, "släpp in mig").error, errc::banned);

  auto snap = staff_snapshot(f.store, f.chat, event, main_room, f.now);
  ASSERT_EQ(snap["banned"].as_array().size(), 1u);
  auto listed = snap["banned"].as_array()[0].as_object();
  EXPECT_EQ(listed["user"], parse(R"({"id":"u-omar","name":"Omar Farah"})"));
  EXPECT_EQ(listed["reason"], "troll");
  EXPECT_EQ(listed["at"], f.now);

  out = f.run(mo, on_user(moderate_action::unban, "u-omar"));
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_TRUE(out.close_users.empty());
  EXPECT_EQ(parse(out.result_json)["user"], parse(R"({"id":"u-omar","name":"Omar Farah"})"));
  EXPECT_FALSE(is_banned(f.store, event, "u-omar"));
  EXPECT_EQ(f.post(omar, "tack").error, errc::ok);
  EXPECT_EQ(f.run(mo, on_user(moderate_action::ban, "")).error, errc::bad_message);
}

// Mute and ban are for participants: a moderator cannot silence or remove an organizer or
// another moderator (the role they posted with), and nothing is written.
TEST(ModerationOpsTest, StaffCannotBeMutedOrBanned) {
  fixture f;
  ASSERT_EQ(f.post(olga, "välkomna").error, errc::ok);
  const chat_user mo2{"u-mo2", "Mia Moderator", auth::role::moderator};
  ASSERT_EQ(f.post(mo2, "hej").error, errc::ok);
  for (auto* target : {"u-olga", "u-mo2"}) {
    auto ban = f.run(mo, on_user(moderate_action::ban, target, 0, "oops"));
    EXPECT_EQ(ban.error, errc::forbidden) << target;
    EXPECT_TRUE(ban.close_users.empty());
    EXPECT_EQ(f.run(mo, on_user(moderate_action::mute, target, 60)).error, errc::forbidden) << target;
    EXPECT_FALSE(is_banned(f.store, event, target));
  }
  EXPECT_EQ(f.post(olga, "fortfarande här").error, errc::ok);
}

// A guest gets a fresh id on every connection: their ban and mute follow their name.
TEST(ModerationOpsTest, AGuestsBanAndMuteHoldForTheSameNameUnderANewId) {
  fixture f;
  const chat_user guest{"g-aaaaaa", "Gäst Gustavsson", auth::role::guest};
  const chat_user back{"g-bbbbbb", "  gäst   GUSTAVSSON ", auth::role::guest};
  const chat_user other_guest{"g-cccccc", "Gunnel", auth::role::guest};
  const chat_user same_name_signed_in{"u-gg", "Gäst Gustavsson", auth::role::attendee};
  ASSERT_EQ(f.post(guest, "hej").error, errc::ok);
  ASSERT_EQ(f.run(mo, on_user(moderate_action::mute, guest.id, 60)).error, errc::ok);
  EXPECT_EQ(f.post(back, "nu då?").error, errc::muted);
  EXPECT_TRUE(guest_mute_for_name(f.store, event, back.name, f.now));
  EXPECT_EQ(f.post(other_guest, "hej").error, errc::ok);
  EXPECT_EQ(f.post(same_name_signed_in, "hej").error, errc::ok);
  f.now += 60'000;
  EXPECT_EQ(f.post(back, "nu").error, errc::ok);

  ASSERT_EQ(f.run(mo, on_user(moderate_action::ban, guest.id)).error, errc::ok);
  EXPECT_TRUE(is_banned_guest_name(f.store, event, back.name));
  EXPECT_FALSE(is_banned_guest_name(f.store, event, other_guest.name));
  EXPECT_FALSE(is_banned_guest_name(f.store, event + "-b", back.name));
  EXPECT_EQ(f.post(back, "släpp in mig").error, errc::banned);
  EXPECT_EQ(f.post(other_guest, "hej").error, errc::ok);
  EXPECT_EQ(f.post(same_name_signed_in, "hej").error, errc::ok);
  // A signed-in user's ban is by id only.
  ASSERT_EQ(f.run(mo, on_user(moderate_action::ban, "u-gg")).error, errc::ok);
  EXPECT_FALSE(is_banned_guest_name(f.store, event, "Gunnel"));
  EXPECT_EQ(f.post(other_guest, "hej igen").error, errc::ok);
}

// --- room settings ----------------------------------------------------------------------------

TEST(ModerationOpsTest, SlowModeAllowsOneMessagePerIntervalPerUser) {
  fixture f;
  auto out = f.run(mo, on_user(moderate_action::slow_mode, "", 30));
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(parse(out.result_json),
            parse(R"({"room":")" + main_room + R"(","action":"slow_mode","seconds":30})"));
  auto everyone = parse(out.entries.at(0).everyone_json);
  EXPECT_EQ(everyone["action"], "slow_mode");
  EXPECT_EQ(everyone["seconds"], 30);
  EXPECT_TRUE(everyone["user"].is_null());
  EXPECT_EQ(parse(boost::json::serialize(room_settings(f.store, main_room))),
            parse(R"({"slow_mode_seconds":30,"locked":false})"));

  EXPECT_EQ(f.post(anna, "ett").error, errc::ok);
  f.now += 10'000;
  auto v = f.post(anna, "två");
  EXPECT_EQ(v.error, errc::slow_mode);
  EXPECT_EQ(v.retry_after_ms, 20'000);
  EXPECT_EQ(f.post(omar, "jag har inte skrivit").error, errc::ok);
  EXPECT_EQ(f.post(mo, "staff").error, errc::ok);
  EXPECT_EQ(f.post(mo, "staff igen").error, errc::ok);
  f.room = seminar;  // per room
  EXPECT_EQ(f.post(anna, "annat rum").error, errc::ok);
  f.room = main_room;
  f.now += 20'000;
  EXPECT_EQ(f.post(anna, "tre").error, errc::ok);

  EXPECT_EQ(f.run(mo, on_user(moderate_action::slow_mode, "", 3601)).error, errc::bad_message);
  EXPECT_EQ(f.run(mo, on_user(moderate_action::slow_mode, "", -1)).error, errc::bad_message);
  ASSERT_EQ(f.run(mo, on_user(moderate_action::slow_mode, "", 0)).error, errc::ok);
  EXPECT_EQ(f.post(anna, "fyra").error, errc::ok);
  auto log = f.store.log_entries(event);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].target, "seconds:30");
  EXPECT_EQ(log[1].target, "seconds:0");
}

TEST(ModerationOpsTest, ALockedRoomTakesOnlyStaffPosts) {
  fixture f;
  auto out = f.run(olga, act(moderate_action::lock));
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(parse(out.result_json),
            parse(R"({"room":")" + main_room + R"(","action":"lock","locked":true})"));
  auto everyone = parse(out.entries.at(0).everyone_json);
  EXPECT_EQ(everyone["action"], "lock");
  EXPECT_EQ(everyone["by"], parse(R"({"id":"u-olga","name":"Olga Organizer","role":"organizer"})"));
  EXPECT_EQ(f.post(anna, "hallå").error, errc::room_locked);
  EXPECT_EQ(f.post(olga, "vi börjar snart").error, errc::ok);
  f.room = seminar;
  EXPECT_EQ(f.post(anna, "här går det").error, errc::ok);
  f.room = main_room;
  out = f.run(mo, act(moderate_action::unlock));
  ASSERT_EQ(out.error, errc::ok);
  EXPECT_EQ(parse(out.result_json)["locked"], false);
  EXPECT_EQ(parse(out.entries.at(0).everyone_json)["action"], "unlock");
  EXPECT_EQ(f.post(anna, "hallå").error, errc::ok);
}

// banned, then muted, then locked, then slow mode, then the word list.
TEST(ModerationOpsTest, TheGateChecksInTheDocumentedOrder) {
  fixture f;
  moderate_args w = act(moderate_action::words);
  w.words = {"hej"};
  ASSERT_EQ(f.run(mo, w).error, errc::ok);
  ASSERT_EQ(f.run(mo, on_user(moderate_action::slow_mode, "", 60)).error, errc::ok);
  auto v = f.post(anna, "hej");
  EXPECT_EQ(v.error, errc::ok);
  EXPECT_TRUE(v.held);
  EXPECT_EQ(f.post(anna, "hej").error, errc::slow_mode);
  ASSERT_EQ(f.run(mo, act(moderate_action::lock)).error, errc::ok);
  EXPECT_EQ(f.post(anna, "hej").error, errc::room_locked);
  ASSERT_EQ(f.run(mo, on_user(moderate_action::mute, "u-anna", 60)).error, errc::ok);
  EXPECT_EQ(f.post(anna, "hej").error, errc::muted);
  ASSERT_EQ(f.run(mo, on_user(moderate_action::ban, "u-anna")).error, errc::ok);
  EXPECT_EQ(f.post(anna, "hej").error, errc::banned);
  // Staff pass every check.
  v = f.post(mo, "hej");
  EXPECT_EQ(v.error, errc::ok);
  EXPECT_FALSE(v.held);
}

TEST(ModerationOpsTest, WordsReplaceTheEventsListAndAreShownToStaffOnly) {
  fixture f;
  moderate_args w = act(moderate_action::words);
  w.words = {" Idiot ", "IDIOT", "åsna"};
  w.reason = "after the keynote";
  auto out = f.run(mo, w);
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(parse(out.result_json),
            parse(R"({"room":")" + main_room + R"(","action":"words","words":["Idiot","åsna"]})"));
  ASSERT_EQ(out.entries.size(), 1u);
  EXPECT_TRUE(out.entries[0].everyone_json.empty());
  EXPECT_EQ(parse(out.entries[0].staff_json)["words"], json::parse(R"(["Idiot","åsna"])"));
  EXPECT_EQ(f.store.words(event), (std::vector<std::string>{"Idiot", "åsna"}));
  EXPECT_EQ(staff_snapshot(f.store, f.chat, event, main_room, f.now)["words"],
            json::parse(R"(["Idiot","åsna"])"));
  // The list is the event's: the seminar's chat holds the same words.
  f.room = seminar;
  EXPECT_TRUE(f.post(anna, "ÅSNA").held);
  f.room = main_room;

  // A bad list changes nothing.
  w.words = {"ok", ""};
  EXPECT_EQ(f.run(mo, w).error, errc::bad_message);
  EXPECT_EQ(f.store.words(event), (std::vector<std::string>{"Idiot", "åsna"}));
  w.words = {};
  ASSERT_EQ(f.run(mo, w).error, errc::ok);
  EXPECT_TRUE(f.store.words(event).empty());
  EXPECT_FALSE(f.post(anna, "idiot").held);
  auto log = f.store.log_entries(event);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].target, "words:2");
  EXPECT_EQ(log[0].reason, "after the keynote");
  EXPECT_EQ(log[1].target, "words:0");
}

// The gate keeps the list prepared between posts; a change that is rolled back (an op's
// savepoint, a failed batch) must not leave the prepared copy behind.
TEST(ModerationOpsTest, TheGatesPreparedListFollowsTheStoredOneThroughRollbacks) {
  fixture f;
  moderate_args w = act(moderate_action::words);
  w.words = {"äpple"};
  ASSERT_EQ(f.run(mo, w).error, errc::ok);
  EXPECT_TRUE(f.post(anna, "ÄPPLE").held);
  EXPECT_FALSE(f.post(anna, "päron").held);
  {
    store::transaction batch(f.db);
    f.store.set_words(event, {"päron"});
    EXPECT_TRUE(f.post(anna, "päron").held);
    EXPECT_FALSE(f.post(anna, "äpple").held);
    // not committed
  }
  EXPECT_TRUE(f.post(anna, "äpple").held);
  EXPECT_FALSE(f.post(anna, "päron").held);
  // Another event's list is its own, also while both are prepared.
  f.store.set_words(event + "-b", {"päron"});
  f.room = event + "-b/main";
  EXPECT_TRUE(f.post(anna, "päron").held);
  EXPECT_FALSE(f.post(anna, "äpple").held);
  f.room = main_room;
  EXPECT_TRUE(f.post(anna, "äpple").held);
}

TEST(ModerationOpsTest, EveryActionWritesOneLogRecordAndEntrySeqsAreDense) {
  fixture f;
  ASSERT_EQ(f.post(anna, "hej").error, errc::ok);
  std::vector<moderate_args> all = {
      on_message(moderate_action::delete_message, 1),
      on_user(moderate_action::mute, "u-anna", 60),
      on_user(moderate_action::unmute, "u-anna"),
      on_user(moderate_action::ban, "u-anna"),
      on_user(moderate_action::unban, "u-anna"),
      on_user(moderate_action::slow_mode, "", 5),
      act(moderate_action::lock),
      act(moderate_action::unlock),
      act(moderate_action::words),
  };
  std::uint64_t expected_seq = 2;
  for (auto& a : all) {
    auto out = f.run(mo, a);
    ASSERT_EQ(out.error, errc::ok) << to_string(a.action) << ": " << out.message;
    for (auto& e : out.entries) EXPECT_EQ(e.seq, expected_seq++) << to_string(a.action);
  }
  auto log = f.store.log_entries(event);
  ASSERT_EQ(log.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(log[i].action, to_string(all[i].action));
  EXPECT_EQ(f.chat.last_seq(main_room), expected_seq - 1);
}

TEST(ModerationOpsTest, AStaffSnapshotOfAQuietEventIsEmptyLists) {
  fixture f;
  EXPECT_EQ(json::serialize(staff_snapshot(f.store, f.chat, event, main_room, f.now)),
            R"({"muted":[],"banned":[],"words":[],"held":[]})");
  EXPECT_EQ(json::serialize(room_settings(f.store, main_room)), R"({"slow_mode_seconds":0,"locked":false})");
}

}  // namespace
}  // namespace samling::moderation

namespace samling::moderation {
namespace {

op_env snapshot_env(const chat_user& actor, std::int64_t now) {
  op_env env;
  env.room = main_room;
  env.event_id = event;
  env.room_id = "main";
  env.actor = actor;
  env.staff = is_staff(actor);
  env.now_ms = now;
  return env;
}

// The join ack's qa object: everyone gets the room's chat settings next to the Q&A ones;
// staff also get the moderation lists.
TEST(ModerationSnapshotTest, AddsTheChatSettingsForEveryoneAndTheListsForStaff) {
  fixture f;
  ASSERT_EQ(f.run(mo, on_user(moderate_action::slow_mode, "", 10)).error, errc::ok);
  ASSERT_EQ(f.run(mo, on_user(moderate_action::ban, "u-omar", 0, "troll")).error, errc::ok);

  auto qa = json::parse(R"({"questions":[],"settings":{"premoderated":true,"question_max_chars":300}})").as_object();
  extend_snapshot(qa, f.store, f.chat, snapshot_env(anna, f.now));
  EXPECT_EQ(qa, json::parse(R"({"questions":[],"settings":{"premoderated":true,"question_max_chars":300,)"
                            R"("slow_mode_seconds":10,"locked":false}})"));

  json::object staff_qa;
  extend_snapshot(staff_qa, f.store, f.chat, snapshot_env(mo, f.now));
  EXPECT_EQ(staff_qa["settings"], json::parse(R"({"slow_mode_seconds":10,"locked":false})"));
  ASSERT_TRUE(staff_qa["moderation"].is_object());
  auto& moderation = staff_qa["moderation"].as_object();
  EXPECT_EQ(moderation["banned"].as_array().size(), 1u);
  EXPECT_TRUE(moderation["muted"].as_array().empty());
  EXPECT_TRUE(moderation["words"].as_array().empty());
  EXPECT_TRUE(moderation["held"].as_array().empty());
}

}  // namespace
}  // namespace samling::moderation
