// Group commit (rooms/chat_writer.hpp) over a real SQLite store: posts that arrive while a
// commit is running share the next one; seqs stay dense per room; one post that fails leaves
// the others of its batch stored; a failed commit stores nothing and moves no counter.
#include "rooms/chat_writer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "store/sqlite_chat_store.hpp"
#include "store/sqlite_db.hpp"
#include "temp_dir.hpp"

using namespace samling;
using namespace std::chrono_literals;

namespace {

// The SQLite store, counting commits, with a way to make one append or the commit fail.
class counting_store final : public rooms::chat_store {
 public:
  explicit counting_store(store::sqlite_db& db) : real_(db) {}
  std::optional<rooms::chat_message> append(const rooms::chat_message& m) override {
    if (m.text == fail_text) throw std::runtime_error("append refused");
    return real_.append(m);
  }
  std::vector<rooms::chat_message> recent(const std::string& room, std::size_t limit) override {
    return real_.recent(room, limit);
  }
  std::uint64_t last_seq(const std::string& room) override { return real_.last_seq(room); }
  std::optional<rooms::chat_message> find_by_client_id(const std::string& room, const std::string& user,
                                                       const std::string& id) override {
    return real_.find_by_client_id(room, user, id);
  }
  std::vector<std::string> author_names(const std::string& event) override { return real_.author_names(event); }
  void append_entry(const rooms::log_entry& e) override { real_.append_entry(e); }
  std::vector<rooms::log_entry> recent_entries(const std::string& room, std::size_t limit) override {
    return real_.recent_entries(room, limit);
  }
  std::optional<rooms::chat_message> find(const std::string& room, std::uint64_t seq) override {
    return real_.find(room, seq);
  }
  void mark_deleted(const std::string& room, std::uint64_t seq, const std::string& by, const std::string& reason,
                    std::int64_t now) override {
    real_.mark_deleted(room, seq, by, reason, now);
  }
  void set_held(const std::string& room, std::uint64_t seq, bool held) override { real_.set_held(room, seq, held); }
  std::vector<rooms::chat_message> held_messages(const std::string& room) override {
    return real_.held_messages(room);
  }
  std::vector<rooms::chat_message> messages(const std::string& room) override { return real_.messages(room); }
  bool atomically(const std::function<bool()>& work) override { return real_.atomically(work); }
  void begin_batch() override {
    real_.begin_batch();
    // Slow commits, so that submissions pile up behind a running one.
    std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms.load()));
  }
  void commit_batch() override {
    if (fail_commit) throw std::runtime_error("disk full");
    real_.commit_batch();
    ++commits;
  }
  void rollback_batch() override { real_.rollback_batch(); }

  std::string fail_text;  // set before submitting
  std::atomic<bool> fail_commit{false};
  std::atomic<int> slow_ms{0};
  std::atomic<int> commits{0};

 private:
  store::sqlite_chat_store real_;
};

class chat_writer_test : public ::testing::Test {
 protected:
  void SetUp() override {
    on_pool([&] {
      db_ = std::make_unique<store::sqlite_db>(dir_.file("chat.db"));
      store_ = std::make_unique<counting_store>(*db_);
    });
    writer_ = std::make_shared<rooms::chat_writer>(pool_, *store_);
  }
  void TearDown() override {
    on_pool([&] {
      store_.reset();
      db_.reset();
    });
  }
  template <typename F>
  void on_pool(F f) {
    std::packaged_task<void()> task(f);
    auto done = task.get_future();
    boost::asio::post(pool_.executor(), [&] { task(); });
    done.get();
  }
  static rooms::chat_message message(const std::string& room, const std::string& user, const std::string& text) {
    rooms::chat_message m;
    m.room = room;
    m.ts_ms = 1;
    m.user = {user, user, auth::role::attendee};
    m.text = text;
    m.client_msg_id = text;
    return m;
  }

  struct outcome {
    std::exception_ptr error;
    rooms::chat_writer::stored stored;
  };
  // Submits every message at once and waits for all outcomes (in submission order).
  std::vector<outcome> submit_all(const std::vector<std::pair<rooms::chat_message, std::shared_ptr<std::uint64_t>>>& posts) {
    std::vector<outcome> out(posts.size());
    std::vector<std::promise<void>> done(posts.size());
    for (std::size_t i = 0; i < posts.size(); ++i)
      writer_->submit(posts[i].first, posts[i].second, [&, i](std::exception_ptr e, rooms::chat_writer::stored s) {
        out[i] = {e, std::move(s)};
        done[i].set_value();
      });
    for (auto& d : done) EXPECT_EQ(d.get_future().wait_for(10s), std::future_status::ready);
    return out;
  }

  samling::testing::temp_dir dir_;
  core::blocking_pool pool_{1};
  std::unique_ptr<store::sqlite_db> db_;
  std::unique_ptr<counting_store> store_;
  std::shared_ptr<rooms::chat_writer> writer_;
};

}  // namespace

TEST_F(chat_writer_test, posts_that_arrive_during_a_commit_share_the_next_and_seqs_stay_dense_per_room) {
  auto a = std::make_shared<std::uint64_t>(0), b = std::make_shared<std::uint64_t>(0);
  store_->slow_ms = 30;
  std::vector<std::pair<rooms::chat_message, std::shared_ptr<std::uint64_t>>> posts;
  for (int i = 0; i < 50; ++i) {
    bool in_a = i % 2 == 0;
    posts.push_back({message(in_a ? "ev/a" : "ev/b", "u" + std::to_string(i), "m" + std::to_string(i)), in_a ? a : b});
  }
  auto out = submit_all(posts);
  std::map<std::string, std::vector<std::uint64_t>> seqs;
  for (std::size_t i = 0; i < out.size(); ++i) {
    ASSERT_FALSE(out[i].error) << i;
    EXPECT_FALSE(out[i].stored.duplicate);
    seqs[out[i].stored.message.room].push_back(out[i].stored.message.seq);
  }
  for (auto& [room, s] : seqs) {
    ASSERT_EQ(s.size(), 25u);
    for (std::size_t i = 0; i < s.size(); ++i) EXPECT_EQ(s[i], i + 1) << room << ": in submission order, dense";
  }
  EXPECT_EQ(*a, 25u);
  EXPECT_EQ(*b, 25u);
  // The first post finds the store idle and commits alone; the 49 that arrive meanwhile share
  // at most a few commits, not one each.
  EXPECT_LE(store_->commits.load(), 5) << "group commit";
  on_pool([&] { EXPECT_EQ(store_->last_seq("ev/a"), 25u); });
}

TEST_F(chat_writer_test, a_retry_is_found_and_one_failing_post_leaves_the_others_of_its_batch) {
  auto room = std::make_shared<std::uint64_t>(0);
  auto first = submit_all({{message("ev/a", "anna", "hej"), room}});
  ASSERT_FALSE(first[0].error);
  store_->fail_text = "boom";
  auto out = submit_all({{message("ev/a", "anna", "hej"), room},   // a retry of the first
                         {message("ev/a", "bo", "boom"), room},    // refused by the store
                         {message("ev/a", "cilla", "tja"), room}});
  ASSERT_FALSE(out[0].error);
  EXPECT_TRUE(out[0].stored.duplicate);
  EXPECT_EQ(out[0].stored.message.seq, 1u);
  EXPECT_TRUE(out[1].error) << "its own failure";
  ASSERT_FALSE(out[2].error);
  EXPECT_EQ(out[2].stored.message.seq, 2u) << "the failed post used no seq";
  EXPECT_EQ(*room, 2u);
  on_pool([&] {
    EXPECT_EQ(store_->last_seq("ev/a"), 2u);
    EXPECT_FALSE(store_->find_by_client_id("ev/a", "bo", "boom"));
  });
}

TEST_F(chat_writer_test, a_failed_commit_stores_nothing_and_moves_no_counter) {
  auto room = std::make_shared<std::uint64_t>(0);
  store_->fail_commit = true;
  auto out = submit_all({{message("ev/a", "anna", "x"), room}, {message("ev/a", "bo", "y"), room}});
  EXPECT_TRUE(out[0].error);
  EXPECT_TRUE(out[1].error);
  EXPECT_EQ(*room, 0u);
  store_->fail_commit = false;
  auto again = submit_all({{message("ev/a", "anna", "x"), room}});
  ASSERT_FALSE(again[0].error);
  EXPECT_FALSE(again[0].stored.duplicate) << "nothing of the failed batch was kept";
  EXPECT_EQ(again[0].stored.message.seq, 1u);
}

// --- room operations (rooms/room_log.hpp) in the same batches as posts ---------------------------

namespace {

// An op that takes `n` seqs and returns one entry per seq, or fails after taking them.
rooms::op_fn entries_op(int n, samling::core::errc fail = samling::core::errc::ok, bool throws = false) {
  return [=](rooms::op_env& env) {
    rooms::op_outcome out;
    for (int i = 0; i < n; ++i) {
      rooms::log_entry e;
      e.seq = env.take_seq();
      e.ts_ms = env.now_ms;
      e.type = "question";
      e.everyone_json = R"({"type":"question","seq":)" + std::to_string(e.seq) + "}";
      out.entries.push_back(std::move(e));
    }
    env.audit("approve", "q-1", "");  // no audit function wired: a no-op, not a throw
    if (throws) throw std::runtime_error("op failed half-way");
    out.error = fail;
    out.result_json = R"({"ok":true})";
    return out;
  };
}

}  // namespace

TEST_F(chat_writer_test, an_op_that_fails_in_a_batch_gives_its_seqs_back_and_keeps_nothing) {
  auto room = std::make_shared<std::uint64_t>(0);
  // Hold the store's thread so that everything below lands in one batch.
  std::promise<void> release;
  auto held = release.get_future().share();
  boost::asio::post(pool_.executor(), [held] { held.wait(); });

  struct op_result {
    std::exception_ptr error;
    rooms::op_outcome outcome;
  };
  std::vector<op_result> ops(4);
  std::vector<std::promise<void>> done(5);
  rooms::op_env env;
  env.room = "ev/a";
  auto submit_op = [&](std::size_t i, rooms::op_fn op) {
    writer_->submit_op(env, room, std::move(op), {}, [&, i](std::exception_ptr e, rooms::op_outcome o) {
      ops[i] = {e, std::move(o)};
      done[i].set_value();
    });
  };
  submit_op(0, entries_op(2, samling::core::errc::not_in_room));  // refused after taking 2
  submit_op(1, entries_op(2, samling::core::errc::ok, true));        // throws after taking 2
  rooms::chat_writer::stored post;
  writer_->submit(message("ev/a", "anna", "hej"), room, [&](std::exception_ptr e, rooms::chat_writer::stored s) {
    EXPECT_FALSE(e);
    post = std::move(s);
    done[4].set_value();
  });
  submit_op(2, entries_op(2));
  submit_op(3, entries_op(1));
  release.set_value();
  for (auto& d : done) ASSERT_EQ(d.get_future().wait_for(10s), std::future_status::ready);

  EXPECT_EQ(store_->commits.load(), 1) << "one batch";
  EXPECT_EQ(ops[0].outcome.error, samling::core::errc::not_in_room);
  EXPECT_TRUE(ops[0].outcome.entries.empty()) << "a failed op publishes nothing";
  EXPECT_TRUE(ops[1].error);
  EXPECT_EQ(post.message.seq, 1u) << "the failed ops' seqs were given back";
  ASSERT_FALSE(ops[2].error);
  ASSERT_EQ(ops[2].outcome.entries.size(), 2u);
  EXPECT_EQ(ops[2].outcome.entries[0].seq, 2u);
  EXPECT_EQ(ops[2].outcome.entries[1].seq, 3u);
  EXPECT_EQ(ops[2].outcome.entries[0].room, "ev/a") << "filled in from the env";
  EXPECT_EQ(ops[3].outcome.entries.at(0).seq, 4u);
  EXPECT_EQ(ops[3].outcome.result_json, R"({"ok":true})");
  EXPECT_EQ(*room, 4u);
  on_pool([&] {
    EXPECT_EQ(store_->last_seq("ev/a"), 4u);
    auto entries = store_->recent_entries("ev/a", 10);
    ASSERT_EQ(entries.size(), 3u) << "only the entries of the ops that succeeded";
    EXPECT_EQ(entries[0].seq, 2u);
    EXPECT_EQ(entries[2].seq, 4u);
  });
}

TEST_F(chat_writer_test, an_op_returning_an_entry_with_a_seq_it_did_not_take_fails) {
  auto room = std::make_shared<std::uint64_t>(5);
  std::promise<rooms::op_outcome> result;
  std::promise<bool> failed;
  rooms::op_env env;
  env.room = "ev/a";
  writer_->submit_op(env, room, [](rooms::op_env& e) {
    rooms::op_outcome out;
    e.take_seq();
    rooms::log_entry skipped;
    skipped.seq = e.take_seq();  // 7: 6 was taken and never used, a gap
    skipped.type = "poll";
    out.entries.push_back(skipped);
    return out;
  }, {}, [&](std::exception_ptr e, rooms::op_outcome) { failed.set_value(e != nullptr); });
  auto f = failed.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(f.get());
  EXPECT_EQ(*room, 5u);
}

TEST_F(chat_writer_test, the_gate_refuses_before_a_seq_is_taken_or_holds_the_post) {
  auto room = std::make_shared<std::uint64_t>(0);
  rooms::post_gate_fn gate = [](const rooms::chat_message& m, bool staff) {
    rooms::post_verdict v;
    if (m.text == "muted" && !staff) {
      v.error = samling::core::errc::forbidden;
      v.retry_after_ms = 1234;
    }
    v.held = m.text == "fy";
    return v;
  };
  auto run = [&](rooms::chat_message m, bool staff) {
    std::promise<rooms::chat_writer::stored> p;
    writer_->submit(std::move(m), room, gate, staff, [&](std::exception_ptr e, rooms::chat_writer::stored s) {
      EXPECT_FALSE(e);
      p.set_value(std::move(s));
    });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  };
  auto refused = run(message("ev/a", "anna", "muted"), false);
  EXPECT_EQ(refused.refused.error, samling::core::errc::forbidden);
  EXPECT_EQ(refused.refused.retry_after_ms, 1234);
  EXPECT_EQ(*room, 0u);
  EXPECT_EQ(run(message("ev/a", "mo", "muted"), true).message.seq, 1u) << "staff pass";
  auto held = run(message("ev/a", "anna", "fy"), false);
  EXPECT_TRUE(held.message.held);
  EXPECT_EQ(held.message.seq, 2u);
  on_pool([&] {
    ASSERT_EQ(store_->held_messages("ev/a").size(), 1u);
    EXPECT_FALSE(store_->find_by_client_id("ev/a", "anna", "muted"));
  });
}
