// Moderation as the server runs it: posts through the chat writer with the gate bound to the
// moderation store, moderate ops through the writer's submit_op with the audit bound to the
// moderation log (what serve.cpp wires), on one store thread over real SQLite files.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "core/blocking.hpp"
#include "moderation/audit.hpp"
#include "moderation/ops.hpp"
#include "rooms/chat_writer.hpp"
#include "store/sqlite_chat_store.hpp"
#include "store/sqlite_moderation_store.hpp"
#include "temp_dir.hpp"

namespace samling::moderation {
namespace {

using namespace std::chrono_literals;
using core::errc;

const std::string event = "stockholm-tillsammans-2027";
const std::string room = event + "/main";
const rooms::chat_user mo{"u-mo", "Mo Moderator", auth::role::moderator};
const rooms::chat_user anna{"u-anna", "Anna Svensson", auth::role::attendee};

class through_writer_test : public ::testing::Test {
 protected:
  template <typename F>
  auto on_pool(F f) {
    std::packaged_task<decltype(f())()> task(f);
    auto done = task.get_future();
    boost::asio::post(pool_.executor(), [&] { task(); });
    return done.get();
  }

  void SetUp() override {
    on_pool([&] {
      db_ = std::make_unique<store::sqlite_db>(dir_.file("samling.db"));
      chat_ = std::make_unique<store::sqlite_chat_store>(*db_);
      store_ = std::make_unique<store::sqlite_moderation_store>(*db_);
    });
    writer_ = std::make_shared<rooms::chat_writer>(pool_, *chat_);
    gate_ = [this](const rooms::chat_message& m, bool staff) { return gate_post(*store_, m, staff); };
  }
  void TearDown() override {
    on_pool([&] {
      store_.reset();
      chat_.reset();
      db_.reset();
    });
  }

  rooms::chat_writer::stored post(const rooms::chat_user& user, const std::string& text, std::int64_t ts) {
    rooms::chat_message m;
    m.room = room;
    m.ts_ms = ts;
    m.user = user;
    m.text = text;
    m.client_msg_id = text + std::to_string(ts);
    std::promise<rooms::chat_writer::stored> done;
    writer_->submit(m, counter_, gate_, user.role == auth::role::moderator,
                    [&](std::exception_ptr e, rooms::chat_writer::stored s) {
                      EXPECT_FALSE(e);
                      done.set_value(std::move(s));
                    });
    auto f = done.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }

  rooms::op_outcome moderate_as(const rooms::chat_user& actor, moderate_args a, std::int64_t now) {
    rooms::op_env env;
    env.room = room;
    env.event_id = event;
    env.room_id = "main";
    env.actor = actor;
    env.staff = actor.role == auth::role::moderator;
    env.now_ms = now;
    auto op = [this, a](rooms::op_env& e) { return moderate(*store_, *chat_, e, a); };
    std::promise<rooms::op_outcome> done;
    writer_->submit_op(env, counter_, op, audit_to(*store_), [&](std::exception_ptr e, rooms::op_outcome o) {
      EXPECT_FALSE(e);
      done.set_value(std::move(o));
    });
    auto f = done.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }

  samling::testing::temp_dir dir_;
  core::blocking_pool pool_{1};
  std::unique_ptr<store::sqlite_db> db_;
  std::unique_ptr<store::sqlite_chat_store> chat_;
  std::unique_ptr<store::sqlite_moderation_store> store_;
  std::shared_ptr<rooms::chat_writer> writer_;
  std::shared_ptr<std::uint64_t> counter_ = std::make_shared<std::uint64_t>(0);
  rooms::post_gate_fn gate_;
};

TEST_F(through_writer_test, ARefusedPostTakesNoSeqAndAHeldOneIsStoredHeld) {
  moderate_args mute;
  mute.action = moderate_action::mute;
  mute.user_id = anna.id;
  mute.seconds = 60;
  auto out = moderate_as(mo, mute, 1000);
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(*counter_, 1u);  // the moderation entry

  auto s = post(anna, "hej", 2000);
  EXPECT_EQ(s.refused.error, errc::muted);
  EXPECT_EQ(s.refused.retry_after_ms, 59'000);
  EXPECT_EQ(*counter_, 1u);

  moderate_args words;
  words.action = moderate_action::words;
  words.words = {"idiot"};
  ASSERT_EQ(moderate_as(mo, words, 3000).error, errc::ok);
  EXPECT_EQ(*counter_, 2u);
  s = post(anna, "Idiot!", 61'000);  // the mute has ended
  EXPECT_EQ(s.refused.error, errc::ok);
  EXPECT_TRUE(s.message.held);
  EXPECT_EQ(s.message.seq, 3u);
  auto held = on_pool([&] { return chat_->held_messages(room); });
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].seq, 3u);
  // Staff's posts pass the gate.
  s = post(mo, "idiot", 61'001);
  EXPECT_FALSE(s.message.held);
  EXPECT_EQ(s.message.seq, 4u);
}

TEST_F(through_writer_test, ADeletionIsStoredInTheRoomsLogAndTheModerationLog) {
  ASSERT_EQ(post(anna, "hej", 1000).message.seq, 1u);
  moderate_args del;
  del.action = moderate_action::delete_message;
  del.seq = 1;
  del.reason = "spam";
  auto out = moderate_as(mo, del, 2000);
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(*counter_, 3u);
  // A second deletion fails: no seq used, nothing logged.
  EXPECT_EQ(moderate_as(mo, del, 3000).error, errc::no_such_message);
  EXPECT_EQ(*counter_, 3u);

  auto entries = on_pool([&] { return chat_->recent_entries(room, 10); });
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0], out.entries[0]);
  EXPECT_EQ(entries[1], out.entries[1]);
  EXPECT_EQ(entries[0].hides_seq, 1u);
  EXPECT_TRUE(on_pool([&] { return chat_->recent(room, 10); }).empty());
  EXPECT_EQ(on_pool([&] { return chat_->last_seq(room); }), 3u);

  auto log = on_pool([&] { return store_->log_entries(event); });
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "delete_message");
  EXPECT_EQ(log[0].reason, "spam");
  EXPECT_EQ(log[0].actor_id, "u-mo");
  EXPECT_EQ(log[0].actor_role, "moderator");
  EXPECT_EQ(log[0].ts_ms, 2000);
  EXPECT_EQ(log[0].room, room);
}

TEST_F(through_writer_test, ABanIsPersistedAndNamesTheUserToClose) {
  moderate_args ban;
  ban.action = moderate_action::ban;
  ban.user_id = anna.id;
  auto out = moderate_as(mo, ban, 1000);
  ASSERT_EQ(out.error, errc::ok) << out.message;
  EXPECT_EQ(out.close_users, std::vector<std::string>{anna.id});
  EXPECT_TRUE(on_pool([&] { return is_banned(*store_, event, anna.id); }));
  EXPECT_EQ(post(anna, "hej", 2000).refused.error, errc::banned);
}

}  // namespace
}  // namespace samling::moderation
