// The room actor with a real SQLite chat store: joins, posts, resume, dedupe, presence.
#include "rooms/room.hpp"

#include <gtest/gtest.h>

#include <future>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "store/sqlite_chat_store.hpp"
#include "store/sqlite_db.hpp"
#include "temp_dir.hpp"

using namespace samling;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// A member that records every frame it is handed. The frames live in a shared state the
// member's deliver function owns too, so a room may still deliver after the test's recorder
// is gone (presence timers at tear-down).
struct recorder {
  struct state {
    std::mutex mutex;
    std::vector<json::object> frames;
  };
  std::shared_ptr<state> s = std::make_shared<state>();
  std::shared_ptr<rooms::member> make(std::string session, std::string user, std::string role) {
    return std::make_shared<rooms::member>(
        std::move(session), rooms::chat_user{user, user, auth::role_from_string(role).value()},
        role == "moderator",
        [st = s](std::shared_ptr<const std::string> f, std::string_view, rooms::member::kind) {
          std::lock_guard lock(st->mutex);
          st->frames.push_back(json::parse(*f).as_object());
        });
  }
  std::vector<json::object> of_type(const std::string& type) {
    std::lock_guard lock(s->mutex);
    std::vector<json::object> out;
    for (auto& f : s->frames)
      if (f.at("type").as_string() == type) out.push_back(f);
    return out;
  }
};

class room_test : public ::testing::Test {
 protected:
  void SetUp() override {
    db_pool_ = std::make_unique<core::blocking_pool>(1);
    auto path = dir_.file("chat.db");
    auto open = [&] {
      db_ = std::make_unique<store::sqlite_db>(path);
      store_ = std::make_unique<store::sqlite_chat_store>(*db_);
    };
    std::packaged_task<void()> task(open);
    auto done = task.get_future();
    boost::asio::post(db_pool_->executor(), [&] { task(); });
    done.get();
  }
  void TearDown() override {
    ioc_.run_for(50ms);  // let queued timers finish
    std::packaged_task<void()> task([&] { store_.reset(); db_.reset(); });
    auto done = task.get_future();
    boost::asio::post(db_pool_->executor(), [&] { task(); });
    done.get();
    db_pool_->stop();
  }

  std::shared_ptr<rooms::room> make_room(std::size_t window = 1000, std::size_t history = 50) {
    rooms::room_settings settings;
    settings.resume_window = window;
    settings.history = history;
    settings.presence_interval = 100ms;
    if (!writer_) writer_ = std::make_shared<rooms::chat_writer>(*db_pool_, *store_);
    rooms::room_services services;
    services.db = db_pool_.get();
    services.store = store_.get();
    services.writer = writer_.get();
    services.limiter = &limiter_;
    return std::make_shared<rooms::room>(ioc_.get_executor(),
                                         rooms::room_info{"ev/main", "ev", "main", program::room_kind::main_stage, true},
                                         settings, services, std::vector<rooms::chat_message>{}, 0);
  }

  // Runs the io_context until `pred` holds (bounded).
  template <typename Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit = 5s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < end) {
      ioc_.restart();
      ioc_.run_for(5ms);
    }
    return pred();
  }

  samling::testing::temp_dir dir_;
  boost::asio::io_context ioc_;
  std::unique_ptr<core::blocking_pool> db_pool_;
  std::unique_ptr<store::sqlite_db> db_;
  std::unique_ptr<store::sqlite_chat_store> store_;
  std::shared_ptr<rooms::chat_writer> writer_;
  rooms::rate_limiter limiter_{1000, 60000};
};

TEST_F(room_test, a_post_is_stored_acked_and_fanned_out_to_every_member) {
  auto room = make_room();
  recorder a, b;
  auto ma = a.make("s1", "anna", "attendee");
  auto mb = b.make("s2", "bertil", "attendee");
  room->join(ma, "1", std::nullopt);
  room->join(mb, "1", std::nullopt);
  ASSERT_TRUE(run_until([&] { return a.of_type("ack").size() == 1 && b.of_type("ack").size() == 1; }));
  EXPECT_TRUE(ma->in_room("ev/main"));

  room->post(ma, "2", "Hej!", "c1");
  ASSERT_TRUE(run_until([&] { return b.of_type("message").size() == 1 && a.of_type("message").size() == 1; }));
  auto ack = a.of_type("ack").back();
  EXPECT_EQ(ack.at("id").as_int64(), 2);
  EXPECT_EQ(ack.at("result").at("seq").as_int64(), 1);
  EXPECT_EQ(b.of_type("message")[0].at("text"), "Hej!");
  EXPECT_EQ(store_->last_seq("ev/main"), 1u) << "stored before anyone heard of it";
}

TEST_F(room_test, a_retried_client_id_is_acked_as_duplicate_and_not_sent_again) {
  auto room = make_room();
  recorder a, b;
  auto ma = a.make("s1", "anna", "attendee");
  room->join(ma, "1", std::nullopt);
  room->join(b.make("s2", "bertil", "attendee"), "1", std::nullopt);
  room->post(ma, "2", "Hej!", "same");
  room->post(ma, "3", "Hej!", "same");  // while the first may still be in flight
  ASSERT_TRUE(run_until([&] { return a.of_type("ack").size() == 3; }));
  run_until([&] { return false; }, 100ms);
  EXPECT_EQ(b.of_type("message").size(), 1u);
  auto acks = a.of_type("ack");
  EXPECT_EQ(acks[2].at("result").at("duplicate"), true);
  EXPECT_EQ(acks[2].at("result").at("seq"), acks[1].at("result").at("seq"));
}

TEST_F(room_test, join_with_since_returns_exactly_the_missed_messages) {
  auto room = make_room();
  recorder a, late;
  auto ma = a.make("s1", "anna", "attendee");
  room->join(ma, "1", std::nullopt);
  for (int i = 0; i < 10; ++i) room->post(ma, std::to_string(100 + i), "m" + std::to_string(i), "c" + std::to_string(i));
  ASSERT_TRUE(run_until([&] { return a.of_type("message").size() == 10; }));
  room->join(late.make("s2", "bertil", "attendee"), "7", 6);
  ASSERT_TRUE(run_until([&] { return late.of_type("ack").size() == 1; }));
  auto msgs = late.of_type("ack")[0].at("result").at("messages").as_array();
  ASSERT_EQ(msgs.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(msgs[i].at("seq").as_int64(), static_cast<int>(7 + i));
}

TEST_F(room_test, since_older_than_the_window_is_too_far_behind) {
  auto room = make_room(5);
  recorder a, late;
  auto ma = a.make("s1", "anna", "attendee");
  room->join(ma, "1", std::nullopt);
  for (int i = 0; i < 8; ++i) room->post(ma, std::to_string(100 + i), "m", "c" + std::to_string(i));
  ASSERT_TRUE(run_until([&] { return a.of_type("message").size() == 8; }));
  auto ml = late.make("s2", "bertil", "attendee");
  room->join(ml, "\"a\"", 2);  // 3 is no longer kept (window 5: 4..8)
  room->join(ml, "\"b\"", 3);  // 4..8 are all kept
  ASSERT_TRUE(run_until([&] { return late.of_type("error").size() == 1 && late.of_type("ack").size() == 1; }));
  EXPECT_EQ(late.of_type("error")[0].at("code"), "too_far_behind");
  EXPECT_EQ(late.of_type("ack")[0].at("result").at("messages").as_array().size(), 5u);
}

TEST_F(room_test, posting_without_joining_is_not_in_room_and_stores_nothing) {
  auto room = make_room();
  recorder a;
  room->post(a.make("s1", "anna", "attendee"), "1", "Hej", "c1");
  ASSERT_TRUE(run_until([&] { return a.of_type("error").size() == 1; }));
  EXPECT_EQ(a.of_type("error")[0].at("code"), "not_in_room");
  EXPECT_EQ(store_->last_seq("ev/main"), 0u);
}

TEST_F(room_test, presence_is_coalesced_and_moderators_get_the_member_list) {
  auto room = make_room();
  recorder mod;
  room->join(mod.make("s0", "mo", "moderator"), "1", std::nullopt);
  std::vector<recorder> others(30);
  for (int i = 0; i < 30; ++i) room->join(others[i].make("s" + std::to_string(i + 1), "u" + std::to_string(i), "attendee"), "1", std::nullopt);
  ASSERT_TRUE(run_until([&] {
    auto p = mod.of_type("presence");
    return !p.empty() && p.back().at("count").as_int64() == 31;
  }));
  EXPECT_LE(mod.of_type("presence").size(), 3u) << "31 joins must not make 31 presence updates";
  EXPECT_EQ(mod.of_type("presence").back().at("members").as_array().size(), 31u);
  EXPECT_FALSE(others[0].of_type("presence").empty());
  EXPECT_FALSE(others[0].of_type("presence").back().contains("members"));
}

}  // namespace
