// One log per room (rooms/room_log.hpp) with a real SQLite chat store and fake operations:
// entries fan out in each member's view and are replayed exactly once by a join with since;
// held and deleted messages; the coalesced tally; the registry closes one user's sessions.
#include "rooms/registry.hpp"
#include "rooms/room.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "program/demo.hpp"
#include "store/sqlite_chat_store.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_program_store.hpp"
#include "temp_dir.hpp"

using namespace samling;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// A member that records every frame it is handed (shared state: the room may deliver after the
// recorder is gone) and the close codes it was asked to close with.
struct recorder {
  struct state {
    std::mutex mutex;
    std::vector<json::object> frames;
    std::vector<core::ws_close> closes;
  };
  std::shared_ptr<state> s = std::make_shared<state>();
  std::shared_ptr<rooms::member> make(std::string session, std::string user, std::string role) {
    return std::make_shared<rooms::member>(
        std::move(session), rooms::chat_user{user, user, auth::role_from_string(role).value()},
        role == "moderator",
        [st = s](std::shared_ptr<const std::string> f, std::string_view, rooms::member::kind) {
          std::lock_guard lock(st->mutex);
          st->frames.push_back(json::parse(*f).as_object());
        },
        [st = s](core::ws_close code) {
          std::lock_guard lock(st->mutex);
          st->closes.push_back(code);
        });
  }
  std::vector<json::object> of_type(const std::string& type) {
    std::lock_guard lock(s->mutex);
    std::vector<json::object> out;
    for (auto& f : s->frames)
      if (f.at("type").as_string() == type) out.push_back(f);
    return out;
  }
  std::vector<core::ws_close> closes() {
    std::lock_guard lock(s->mutex);
    return s->closes;
  }
};

// A serialized event of `type` with the entry's seq, and a marker of the view it is.
std::string view_json(const std::string& type, std::uint64_t seq, const std::string& view) {
  return R"({"type":")" + type + R"(","room":"ev/main","seq":)" + std::to_string(seq) + R"(,"ts":1,"view":")" +
         view + R"("})";
}

struct entry_spec {
  entry_spec(std::string type = "question", bool everyone = true, bool staff = false, std::string owner_id = {},
             std::uint64_t hides_seq = 0, std::uint64_t shows_seq = 0)
      : type(std::move(type)), everyone(everyone), staff(staff), owner_id(std::move(owner_id)),
        hides_seq(hides_seq), shows_seq(shows_seq) {}
  std::string type;
  bool everyone;
  bool staff;            // a staff view of its own
  std::string owner_id;  // with an owner view of its own
  std::uint64_t hides_seq;
  std::uint64_t shows_seq;
};

// An op that appends one entry per spec, with views that name themselves.
rooms::op_fn entries_op(std::vector<entry_spec> specs, std::vector<std::string> votes = {}) {
  return [specs = std::move(specs), votes = std::move(votes)](rooms::op_env& env) {
    rooms::op_outcome out;
    for (auto& s : specs) {
      rooms::log_entry e;
      e.seq = env.take_seq();
      e.ts_ms = env.now_ms;
      e.type = s.type;
      if (s.everyone) e.everyone_json = view_json(s.type, e.seq, "everyone");
      if (s.staff) e.staff_json = view_json(s.type, e.seq, "staff");
      if (!s.owner_id.empty()) {
        e.owner_id = s.owner_id;
        e.owner_json = view_json(s.type, e.seq, "owner");
      }
      e.hides_seq = s.hides_seq;
      e.shows_seq = s.shows_seq;
      out.entries.push_back(std::move(e));
    }
    out.votes_changed = votes;
    out.result_json = R"({"room":")" + env.room + R"(","actor":")" + env.actor.id + R"("})";
    return out;
  };
}

class room_log_test : public ::testing::Test {
 protected:
  void SetUp() override {
    db_pool_ = std::make_unique<core::blocking_pool>(1);
    on_pool([&] {
      db_ = std::make_unique<store::sqlite_db>(dir_.file("chat.db"));
      store_ = std::make_unique<store::sqlite_chat_store>(*db_);
    });
    writer_ = std::make_shared<rooms::chat_writer>(*db_pool_, *store_);
    services_.db = db_pool_.get();
    services_.store = store_.get();
    services_.writer = writer_.get();
    services_.limiter = &limiter_;
    // Held by the word list: any post containing "fy".
    services_.gate = [](const rooms::chat_message& m, bool) {
      rooms::post_verdict v;
      v.held = m.text.find("fy") != std::string::npos;
      return v;
    };
    services_.snapshot = [this](rooms::op_env& env) {
      ++snapshots_;
      return R"({"for":")" + env.actor.id + R"("})";
    };
  }
  void TearDown() override {
    ioc_.run_for(50ms);
    on_pool([&] {
      store_.reset();
      db_.reset();
    });
    db_pool_->stop();
  }
  template <typename F>
  void on_pool(F f) {
    std::packaged_task<void()> task(f);
    auto done = task.get_future();
    boost::asio::post(db_pool_->executor(), [&] { task(); });
    done.get();
  }

  std::shared_ptr<rooms::room> make_room(std::size_t window = 1000) {
    settings_.resume_window = window;
    settings_.presence_interval = 100ms;
    std::vector<rooms::chat_message> recent;
    std::vector<rooms::log_entry> entries;
    std::uint64_t last = 0;
    on_pool([&] {
      recent = store_->recent("ev/main", window);
      entries = store_->recent_entries("ev/main", window);
      last = store_->last_seq("ev/main");
    });
    return std::make_shared<rooms::room>(ioc_.get_executor(),
                                         rooms::room_info{"ev/main", "ev", "main", program::room_kind::main_stage, true},
                                         settings_, services_, std::move(recent), last, std::move(entries));
  }

  template <typename Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit = 5s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < end) {
      ioc_.restart();
      ioc_.run_for(5ms);
    }
    return pred();
  }
  void join(const std::shared_ptr<rooms::room>& room, const std::shared_ptr<rooms::member>& m, recorder& r,
            std::optional<std::uint64_t> since = std::nullopt) {
    auto before = r.of_type("ack").size() + r.of_type("error").size();
    room->join(m, "\"j\"", since);
    ASSERT_TRUE(run_until([&] { return r.of_type("ack").size() + r.of_type("error").size() > before; }));
  }
  // Applies `op` as `m` and waits for its reply.
  json::object apply(const std::shared_ptr<rooms::room>& room, const std::shared_ptr<rooms::member>& m, recorder& r,
                     rooms::op_fn op) {
    auto before = r.of_type("ack").size() + r.of_type("error").size();
    room->apply(m, "\"op\"", std::move(op));
    EXPECT_TRUE(run_until([&] { return r.of_type("ack").size() + r.of_type("error").size() > before; }));
    std::lock_guard lock(r.s->mutex);
    for (auto it = r.s->frames.rbegin(); it != r.s->frames.rend(); ++it)
      if (it->at("type") == "ack" || it->at("type") == "error") return *it;
    return {};
  }
  json::object post(const std::shared_ptr<rooms::room>& room, const std::shared_ptr<rooms::member>& m, recorder& r,
                    const std::string& text) {
    auto before = r.of_type("ack").size() + r.of_type("error").size();
    room->post(m, "\"p\"", text, "c-" + text + std::to_string(++client_ids_));
    EXPECT_TRUE(run_until([&] { return r.of_type("ack").size() + r.of_type("error").size() > before; }));
    return r.of_type("ack").back();
  }
  // "view" of every event of `type` a recorder got, in order.
  static std::vector<std::string> views(recorder& r, const std::string& type) {
    std::vector<std::string> out;
    for (auto& f : r.of_type(type)) out.emplace_back(f.at("view").as_string());
    return out;
  }

  samling::testing::temp_dir dir_;
  boost::asio::io_context ioc_;
  std::unique_ptr<core::blocking_pool> db_pool_;
  std::unique_ptr<store::sqlite_db> db_;
  std::unique_ptr<store::sqlite_chat_store> store_;
  std::shared_ptr<rooms::chat_writer> writer_;
  rooms::rate_limiter limiter_{100000, 6000000};
  rooms::room_settings settings_;
  rooms::room_services services_;
  std::atomic<int> snapshots_{0};
  int client_ids_ = 0;
};

}  // namespace

TEST_F(room_log_test, an_op_is_acked_with_its_result_and_its_entry_reaches_each_member_in_its_view) {
  auto room = make_room();
  recorder mod, anna, bertil, outside;
  auto mm = mod.make("s0", "mo", "moderator");
  auto ma = anna.make("s1", "anna", "attendee");
  auto mb = bertil.make("s2", "bertil", "attendee");
  join(room, mm, mod);
  join(room, ma, anna);
  join(room, mb, bertil);
  EXPECT_EQ(anna.of_type("ack")[0].at("result").at("qa").at("for"), "anna") << "the snapshot, in anna's name";
  EXPECT_EQ(anna.of_type("ack")[0].at("result").at("events").as_array().size(), 0u);

  auto ack = apply(room, ma, anna, entries_op({{"question", true, true, "anna"}}));
  EXPECT_EQ(ack.at("type"), "ack");
  EXPECT_EQ(ack.at("id"), "op");
  EXPECT_EQ(ack.at("result").at("actor"), "anna");
  ASSERT_TRUE(run_until([&] { return !mod.of_type("question").empty() && !bertil.of_type("question").empty(); }));
  EXPECT_EQ(views(mod, "question"), std::vector<std::string>{"staff"});
  EXPECT_EQ(views(anna, "question"), std::vector<std::string>{"owner"});
  EXPECT_EQ(views(bertil, "question"), std::vector<std::string>{"everyone"});

  // No everyone view: a pending question goes to staff and its asker only.
  apply(room, ma, anna, entries_op({{"question", false, true, "anna"}}));
  // No staff view of its own: staff get the everyone view; no owner: the asker too.
  apply(room, mb, bertil, entries_op({{"poll", true, false, ""}}));
  ASSERT_TRUE(run_until([&] { return mod.of_type("poll").size() == 1 && anna.of_type("poll").size() == 1; }));
  run_until([] { return false; }, 50ms);
  EXPECT_EQ(views(mod, "question"), (std::vector<std::string>{"staff", "staff"}));
  EXPECT_EQ(views(anna, "question"), (std::vector<std::string>{"owner", "owner"}));
  EXPECT_EQ(views(bertil, "question"), std::vector<std::string>{"everyone"}) << "the pending one is not his";
  EXPECT_EQ(views(mod, "poll"), std::vector<std::string>{"everyone"});
  EXPECT_EQ(views(anna, "poll"), std::vector<std::string>{"everyone"});

  // Not a member: not_in_room, nothing stored.
  auto refused = apply(room, outside.make("s9", "x", "attendee"), outside, entries_op({{}}));
  EXPECT_EQ(refused.at("code"), "not_in_room");
  on_pool([&] { EXPECT_EQ(store_->last_seq("ev/main"), 3u); });
}

TEST_F(room_log_test, an_op_error_is_the_reply_with_its_retry_time_and_nothing_goes_out) {
  auto room = make_room();
  recorder anna, bertil;
  auto ma = anna.make("s1", "anna", "attendee");
  join(room, ma, anna);
  join(room, bertil.make("s2", "bertil", "attendee"), bertil);
  auto reply = apply(room, ma, anna, [](rooms::op_env& env) {
    env.take_seq();
    rooms::op_outcome out;
    out.error = core::errc::rate_limited;
    out.message = "Not so fast.";
    out.retry_after_ms = 900;
    return out;
  });
  EXPECT_EQ(reply.at("type"), "error");
  EXPECT_EQ(reply.at("code"), "rate_limited");
  EXPECT_EQ(reply.at("message"), "Not so fast.");
  EXPECT_EQ(reply.at("retry_after_ms"), 900);
  auto thrown = apply(room, ma, anna, [](rooms::op_env&) -> rooms::op_outcome { throw std::runtime_error("disk"); });
  EXPECT_EQ(thrown.at("code"), "unavailable");
  // The next message takes seq 1: the failed ops gave theirs back.
  EXPECT_EQ(post(room, ma, anna, "hej").at("result").at("seq"), 1);
}

TEST_F(room_log_test, join_with_since_replays_every_entry_exactly_once_even_with_ops_in_flight) {
  auto room = make_room();
  recorder anna, late;
  auto ma = anna.make("s1", "anna", "attendee");
  join(room, ma, anna);
  for (int i = 0; i < 3; ++i) {
    post(room, ma, anna, "m");
    apply(room, ma, anna, entries_op({{}}));
  }
  // 6 seqs so far. Now 30 more, half posts, half ops, with the late join (since 2) in the middle
  // of them: it must see each seq > 2 exactly once, in its ack or as a later event.
  auto ml = late.make("s2", "late", "attendee");
  for (int i = 0; i < 30; ++i) {
    if (i == 15) room->join(ml, "\"late\"", 2);
    if (i % 2) room->post(ma, "\"p\"", "x", "burst-" + std::to_string(i));
    else room->apply(ma, "\"op\"", entries_op({{}}));
  }
  ASSERT_TRUE(run_until([&] { return anna.of_type("ack").size() == 1 + 6 + 30; }));
  ASSERT_TRUE(run_until([&] {
    return late.of_type("ack").size() == 1 &&
           late.of_type("message").size() + late.of_type("question").size() +
                   late.of_type("ack")[0].at("result").at("messages").as_array().size() +
                   late.of_type("ack")[0].at("result").at("events").as_array().size() >= 34;
  }));
  run_until([] { return false; }, 50ms);
  std::multiset<std::int64_t> seen;
  auto ack = late.of_type("ack")[0].at("result");
  for (auto& m : ack.at("messages").as_array()) {
    EXPECT_EQ(m.at("type"), "message");
    seen.insert(m.at("seq").as_int64());
  }
  for (auto& e : ack.at("events").as_array()) {
    EXPECT_EQ(e.at("type"), "question");
    seen.insert(e.at("seq").as_int64());
  }
  for (auto& f : late.of_type("message")) seen.insert(f.at("seq").as_int64());
  for (auto& f : late.of_type("question")) seen.insert(f.at("seq").as_int64());
  std::multiset<std::int64_t> expected;
  for (int s = 3; s <= 36; ++s) expected.insert(s);
  EXPECT_EQ(seen, expected);
  // Everything after the ack's seq came as events, nothing at or before it.
  for (auto& f : late.of_type("question")) EXPECT_GT(f.at("seq").as_int64(), ack.at("seq").as_int64());
}

TEST_F(room_log_test, a_resume_gets_the_entries_it_may_see_in_its_view) {
  auto room = make_room();
  recorder mod, anna, bertil;
  auto mm = mod.make("s0", "mo", "moderator");
  join(room, mm, mod);
  apply(room, mm, mod, entries_op({{"question", false, true, "anna"}, {"question", true, true, ""}}));
  auto ma = anna.make("s1", "anna", "attendee");
  auto mb = bertil.make("s2", "bertil", "attendee");
  join(room, ma, anna, 0);
  join(room, mb, bertil, 0);
  join(room, mod.make("s3", "mo", "moderator"), mod, 1);
  auto events = [](recorder& r) {
    std::vector<std::string> out;
    auto acks = r.of_type("ack");
    for (auto& e : acks.back().at("result").at("events").as_array())
      out.emplace_back(std::string(e.at("view").as_string()) + "@" + std::to_string(e.at("seq").as_int64()));
    return out;
  };
  EXPECT_EQ(events(anna), (std::vector<std::string>{"owner@1", "everyone@2"}));
  EXPECT_EQ(events(bertil), std::vector<std::string>{"everyone@2"});
  EXPECT_EQ(events(mod), std::vector<std::string>{"staff@2"}) << "since 1";
  // Without since: recent messages only, no entries (the snapshot is their state).
  join(room, ma, anna);
  EXPECT_TRUE(anna.of_type("ack").back().at("result").at("events").as_array().empty());
  EXPECT_EQ(anna.of_type("ack").back().at("result").at("seq"), 2);
}

TEST_F(room_log_test, a_held_post_reaches_staff_and_its_author_until_it_is_released) {
  auto room = make_room();
  recorder mod, anna, bertil;
  auto mm = mod.make("s0", "mo", "moderator");
  auto ma = anna.make("s1", "anna", "attendee");
  auto mb = bertil.make("s2", "bertil", "attendee");
  join(room, mm, mod);
  join(room, ma, anna);
  join(room, mb, bertil);
  auto ack = post(room, ma, anna, "fy katten");
  EXPECT_EQ(ack.at("result").at("held"), true);
  EXPECT_EQ(post(room, mb, bertil, "hej").at("result").as_object().count("held"), 0u);
  ASSERT_TRUE(run_until([&] { return mod.of_type("message").size() == 2 && bertil.of_type("message").size() == 1; }));
  EXPECT_EQ(mod.of_type("message")[0].at("held"), true);
  EXPECT_EQ(anna.of_type("message")[0].at("held"), true);
  EXPECT_EQ(bertil.of_type("message")[0].at("seq"), 2) << "the held one never reached him";

  // History: a newcomer sees only seq 2; the author and staff see both.
  recorder cilla;
  join(room, cilla.make("s3", "cilla", "attendee"), cilla);
  EXPECT_EQ(cilla.of_type("ack")[0].at("result").at("messages").as_array().size(), 1u);
  join(room, ma, anna, 0);
  EXPECT_EQ(anna.of_type("ack").back().at("result").at("messages").as_array().size(), 2u);

  // Released: a message_released entry (shows_seq) for everyone; history shows it unheld.
  apply(room, mm, mod, entries_op({{"message_released", true, false, "", 0, 1}}));
  ASSERT_TRUE(run_until([&] { return bertil.of_type("message_released").size() == 1; }));
  recorder dan;
  join(room, dan.make("s4", "dan", "attendee"), dan);
  auto history = dan.of_type("ack")[0].at("result").at("messages").as_array();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].at("seq"), 1);
  EXPECT_EQ(history[0].as_object().count("held"), 0u);
}

TEST_F(room_log_test, a_deleted_message_leaves_history_and_its_deletion_is_replayed) {
  auto room = make_room();
  recorder mod, anna;
  auto mm = mod.make("s0", "mo", "moderator");
  auto ma = anna.make("s1", "anna", "attendee");
  join(room, mm, mod);
  join(room, ma, anna);
  post(room, ma, anna, "ett");
  post(room, ma, anna, "två");
  apply(room, mm, mod, entries_op({{"message_deleted", true, false, "", 1}}));
  on_pool([&] { store_->mark_deleted("ev/main", 1, "mo", "", 1); });  // what the moderation op does
  recorder late, fresh;
  join(room, late.make("s2", "late", "attendee"), late, 0);
  auto result = late.of_type("ack")[0].at("result");
  ASSERT_EQ(result.at("messages").as_array().size(), 1u);
  EXPECT_EQ(result.at("messages").as_array()[0].at("seq"), 2);
  ASSERT_EQ(result.at("events").as_array().size(), 1u);
  EXPECT_EQ(result.at("events").as_array()[0].at("type"), "message_deleted");
  // A room loaded from the store afresh (a restart) agrees.
  auto reloaded = make_room();
  join(reloaded, fresh.make("s3", "fresh", "attendee"), fresh, 0);
  auto again = fresh.of_type("ack")[0].at("result");
  EXPECT_EQ(again.at("seq"), 3);
  ASSERT_EQ(again.at("messages").as_array().size(), 1u);
  EXPECT_EQ(again.at("messages").as_array()[0].at("seq"), 2);
  EXPECT_EQ(again.at("events").as_array().size(), 1u);
}

TEST_F(room_log_test, a_room_loaded_from_the_store_merges_messages_and_entries_and_knows_what_it_forgot) {
  {
    auto room = make_room();
    recorder anna;
    auto ma = anna.make("s1", "anna", "attendee");
    join(room, ma, anna);
    for (int i = 0; i < 4; ++i) {
      post(room, ma, anna, "m");
      apply(room, ma, anna, entries_op({{}}));
    }
  }
  auto room = make_room(5);  // keeps seqs 4..8
  recorder r;
  auto m = r.make("s1", "r", "attendee");
  join(room, m, r, 2);
  EXPECT_EQ(r.of_type("error").at(0).at("code"), "too_far_behind");
  join(room, m, r, 3);
  auto result = r.of_type("ack").at(0).at("result");
  std::vector<std::int64_t> seqs;
  for (auto& x : result.at("messages").as_array()) seqs.push_back(x.at("seq").as_int64());
  for (auto& x : result.at("events").as_array()) seqs.push_back(x.at("seq").as_int64());
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{4, 5, 6, 7, 8}));
  EXPECT_EQ(result.at("messages").as_array().size(), 2u) << "5 and 7";
  EXPECT_EQ(result.at("seq"), 8);
}

TEST_F(room_log_test, votes_are_tallied_coalesced_with_a_leading_edge) {
  settings_.tally_interval = 200ms;
  std::atomic<int> tallies{0};
  std::mutex tallied_mutex;
  std::set<std::string> tallied;
  std::vector<std::chrono::steady_clock::time_point> tally_times;
  services_.tally = [&](std::vector<std::string> questions, std::vector<std::string>) {
    ++tallies;
    {
      std::lock_guard lock(tallied_mutex);
      tallied.insert(questions.begin(), questions.end());
      tally_times.push_back(std::chrono::steady_clock::now());
    }
    return entries_op({{"votes", true, false, "", 0, 0}});
  };
  auto room = make_room();
  recorder anna, bertil;
  auto ma = anna.make("s1", "anna", "attendee");
  join(room, ma, anna);
  join(room, bertil.make("s2", "bertil", "attendee"), bertil);

  // Leading edge: the first vote after a quiet interval is published at once.
  const auto first = std::chrono::steady_clock::now();
  room->apply(ma, "\"v\"", entries_op({}, {"q-0"}));
  ASSERT_TRUE(run_until([&] { return bertil.of_type("votes").size() == 1; }));
  EXPECT_LT(std::chrono::steady_clock::now() - first, settings_.tally_interval) << "no wait for the first";

  // A storm: 300 votes over ~0.6 s.
  const auto start = std::chrono::steady_clock::now();
  for (int wave = 0; wave < 6; ++wave) {
    for (int i = 0; i < 50; ++i) room->apply(ma, "\"v\"", entries_op({}, {"q-" + std::to_string(i % 20)}));
    run_until([] { return false; }, 100ms);
  }
  ASSERT_TRUE(run_until([&] { return anna.of_type("ack").size() == 1 + 1 + 300; }));
  // The last changes go out within an interval after the storm.
  run_until([] { return false; }, settings_.tally_interval * 2);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const auto bound = 1 + elapsed / settings_.tally_interval;
  EXPECT_LE(tallies.load() - 1, bound) << "tally ops for 300 votes over " << elapsed.count() / 1000000 << " ms";
  EXPECT_GE(tallies.load() - 1, 2) << "the storm is published while it lasts, not only at its end";
  EXPECT_EQ(static_cast<std::ptrdiff_t>(bertil.of_type("votes").size()), tallies.load()) << "one event per tally";
  std::lock_guard lock(tallied_mutex);
  EXPECT_EQ(tallied.size(), 20u) << "every question that changed was tallied";
  for (std::size_t i = 1; i < tally_times.size(); ++i)
    EXPECT_GE(tally_times[i] - tally_times[i - 1], settings_.tally_interval) << "tally " << i << " came too soon";
}

TEST_F(room_log_test, close_users_is_called_with_the_op_s_users) {
  std::vector<std::pair<std::string, std::vector<std::string>>> calls;
  services_.close_users = [&](const std::string& event, const std::vector<std::string>& users) {
    calls.emplace_back(event, users);
  };
  auto room = make_room();
  recorder mod;
  auto mm = mod.make("s0", "mo", "moderator");
  join(room, mm, mod);
  apply(room, mm, mod, [](rooms::op_env&) {
    rooms::op_outcome out;
    out.close_users = {"anna"};
    return out;
  });
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].first, "ev");
  EXPECT_EQ(calls[0].second, std::vector<std::string>{"anna"});
}

TEST_F(room_log_test, close_user_closes_every_session_of_that_user_in_that_event_only) {
  rooms::room_registry registry(ioc_.get_executor(), settings_, services_, nullptr);
  recorder a1, a2, a_other_event, b;
  auto s1 = a1.make("s1", "anna", "attendee");
  auto s2 = a2.make("s2", "anna", "attendee");
  auto s3 = a_other_event.make("s3", "anna", "attendee");
  auto s4 = b.make("s4", "bertil", "attendee");
  registry.connected(s1, "ev");
  registry.connected(s2, "ev");
  registry.connected(s3, "ev2");
  registry.connected(s4, "ev");
  registry.close_user("ev", "anna", core::ws_close::banned);
  EXPECT_EQ(a1.closes(), std::vector<core::ws_close>{core::ws_close::banned});
  EXPECT_EQ(a2.closes(), std::vector<core::ws_close>{core::ws_close::banned});
  EXPECT_TRUE(a_other_event.closes().empty());
  EXPECT_TRUE(b.closes().empty());
  registry.disconnected(s2, "ev");
  registry.close_user("ev", "anna", core::ws_close::kiosk_revoked);
  EXPECT_EQ(a1.closes().size(), 2u);
  EXPECT_EQ(a2.closes().size(), 1u) << "disconnected: not closed again";
  registry.close_user("ev", "nobody", core::ws_close::banned);  // no such user: nothing
}

TEST_F(room_log_test, a_projector_member_only_shows_and_only_its_own_room) {
  auto room = make_room();
  recorder kiosk, other_kiosk, anna;
  auto deliver = [st = kiosk.s](std::shared_ptr<const std::string> f, std::string_view, rooms::member::kind) {
    std::lock_guard lock(st->mutex);
    st->frames.push_back(json::parse(*f).as_object());
  };
  auto k = std::make_shared<rooms::member>("s1", rooms::chat_user{"kiosk-abcd1234", "Projector", auth::role::guest},
                                           false, deliver, rooms::member::close_fn{}, true, "ev/main");
  auto elsewhere = std::make_shared<rooms::member>(
      "s2", rooms::chat_user{"kiosk-ffff0000", "Projector", auth::role::guest}, false,
      [st = other_kiosk.s](std::shared_ptr<const std::string> f, std::string_view, rooms::member::kind) {
        std::lock_guard lock(st->mutex);
        st->frames.push_back(json::parse(*f).as_object());
      },
      rooms::member::close_fn{}, true, "ev/press");
  ASSERT_TRUE(k->reserve("ev/main", 10));
  join(room, k, kiosk);
  EXPECT_TRUE(k->in_room("ev/main"));
  ASSERT_TRUE(elsewhere->reserve("ev/main", 10));
  join(room, elsewhere, other_kiosk);
  EXPECT_EQ(other_kiosk.of_type("error").at(0).at("code"), "forbidden");
  EXPECT_FALSE(elsewhere->in_room("ev/main"));
  EXPECT_EQ(elsewhere->room_count(), 0u);

  room->post(k, "\"p\"", "hej", "c1");
  EXPECT_EQ(apply(room, k, kiosk, entries_op({{}})).at("code"), "forbidden");
  ASSERT_TRUE(run_until([&] { return kiosk.of_type("error").size() == 2; }));
  on_pool([&] { EXPECT_EQ(store_->last_seq("ev/main"), 0u); });
  // It sees what everyone sees.
  auto ma = anna.make("s3", "anna", "attendee");
  join(room, ma, anna);
  post(room, ma, anna, "hej");
  ASSERT_TRUE(run_until([&] { return kiosk.of_type("message").size() == 1; }));
}

TEST_F(room_log_test, a_ban_from_a_room_the_registry_made_closes_the_users_sessions_through_it) {
  std::unique_ptr<store::sqlite_program_store> program;
  on_pool([&] {
    program = std::make_unique<store::sqlite_program_store>(*db_);
    program::seed_demo_if_empty(*program, std::string(SAMLING_SOURCE_DIR) + "/config/demo/stockholm-tillsammans.json");
  });
  {
    rooms::room_registry registry(ioc_.get_executor(), settings_, services_, program.get());
    std::optional<rooms::room_registry::lookup> found;
    boost::asio::co_spawn(ioc_, registry.resolve("stockholm-tillsammans-2027/main", "stockholm-tillsammans-2027"),
                          [&](std::exception_ptr e, rooms::room_registry::lookup l) {
                            EXPECT_FALSE(e);
                            found = std::move(l);
                          });
    ASSERT_TRUE(run_until([&] { return found.has_value(); }));
    ASSERT_EQ(found->error, core::errc::ok);
    auto room = found->found;
    recorder mod, anna1, anna2, bertil;
    auto mm = mod.make("s0", "mo", "moderator");
    auto a1 = anna1.make("s1", "anna", "attendee");
    auto a2 = anna2.make("s2", "anna", "attendee");
    auto b = bertil.make("s3", "bertil", "attendee");
    for (auto& m : {mm, a1, a2, b}) registry.connected(m, "stockholm-tillsammans-2027");
    join(room, mm, mod);
    join(room, a1, anna1);  // the other session of anna's has not joined this room: closed too
    apply(room, mm, mod, [](rooms::op_env&) {
      rooms::op_outcome out;
      out.close_users = {"anna"};
      return out;
    });
    EXPECT_EQ(anna1.closes(), std::vector<core::ws_close>{core::ws_close::banned});
    EXPECT_EQ(anna2.closes(), std::vector<core::ws_close>{core::ws_close::banned});
    EXPECT_TRUE(bertil.closes().empty());
    EXPECT_TRUE(mod.closes().empty());
  }
  ioc_.run_for(50ms);
  on_pool([&] { program.reset(); });
}

// A client pipelines join, post, an op, members and leave in one write: the join reads its
// snapshot on the store's thread, and what the session asked meanwhile waits for the join's
// ack instead of being refused as not_in_room (the tls_websocket pipelining test found this).
TEST_F(room_log_test, requests_pipelined_behind_a_join_wait_for_its_ack) {
  auto room = make_room();
  recorder anna;
  auto ma = anna.make("s-a", "u-anna", "moderator");
  room->join(ma, "\"j\"", std::nullopt);
  room->post(ma, "\"p\"", "hej", "c1");
  room->apply(ma, "\"op\"", [](rooms::op_env&) {
    rooms::op_outcome out;
    out.result_json = R"({"done":true})";
    return out;
  });
  room->list_members(ma, "\"m\"");
  room->leave(ma, "\"l\"");
  auto replies = [&] {
    std::vector<std::string> out;
    std::lock_guard lock(anna.s->mutex);
    for (auto& f : anna.s->frames)
      if (f.at("type") == "ack" || f.at("type") == "error")
        out.push_back(std::string(f.at("id").as_string()) + ":" + std::string(f.at("type").as_string()));
    return out;
  };
  ASSERT_TRUE(run_until([&] { return replies().size() >= 5; })) << replies().size();
  auto got = replies();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got.front(), "j:ack") << "the join's ack comes first";
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"j:ack", "l:ack", "m:ack", "op:ack", "p:ack"}));
}

// An op marked rate-limited (a question) takes a token from the user's post bucket: past the
// burst the reply is rate_limited with a wait, nothing runs; staff are not limited.
TEST_F(room_log_test, a_rate_limited_op_shares_the_post_bucket_and_staff_pass) {
  rooms::rate_limiter tight{2, 1};  // a burst of 2, then one a minute
  services_.limiter = &tight;
  auto room = make_room();
  recorder anna, mo;
  auto ma = anna.make("s-a", "u-anna", "attendee");
  auto mm = mo.make("s-m", "u-mo", "moderator");
  join(room, ma, anna);
  join(room, mm, mo);
  std::atomic<int> ran{0};
  auto op = [&ran](rooms::op_env&) {
    ++ran;
    rooms::op_outcome out;
    out.result_json = R"({"ok":true})";
    return out;
  };
  auto ask = [&](const std::shared_ptr<rooms::member>& m, recorder& r) {
    auto before = r.of_type("ack").size() + r.of_type("error").size();
    room->apply(m, "\"q\"", op, true);
    EXPECT_TRUE(run_until([&] { return r.of_type("ack").size() + r.of_type("error").size() > before; }));
    std::lock_guard lock(r.s->mutex);
    return r.s->frames.back();
  };
  EXPECT_EQ(ask(ma, anna).at("type"), "ack");
  EXPECT_EQ(ask(ma, anna).at("type"), "ack");
  auto refused = ask(ma, anna);
  EXPECT_EQ(refused.at("type"), "error");
  EXPECT_EQ(refused.at("code"), "rate_limited");
  EXPECT_GT(refused.at("retry_after_ms").as_int64(), 0);
  EXPECT_EQ(ran.load(), 2);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ask(mm, mo).at("type"), "ack") << "staff are not limited";
  // Not marked: a vote is not a post.
  auto vote = apply(room, ma, anna, op);
  EXPECT_EQ(vote.at("type"), "ack");
}

// A tally whose op fails (the store) is not lost: its questions are tallied again with the next
// ones, one interval later, and the audience gets the counts then.
TEST_F(room_log_test, a_failed_tally_is_tallied_again_an_interval_later) {
  settings_.tally_interval = 100ms;
  std::atomic<int> calls{0};
  std::mutex mutex;
  std::vector<std::vector<std::string>> asked;
  services_.tally = [&](std::vector<std::string> questions, std::vector<std::string>) -> rooms::op_fn {
    {
      std::lock_guard lock(mutex);
      asked.push_back(questions);
    }
    if (calls++ == 0)
      return [](rooms::op_env&) -> rooms::op_outcome { throw std::runtime_error("disk I/O error"); };
    return entries_op({{"votes", true, false, "", 0, 0}});
  };
  auto room = make_room();
  recorder anna, bertil;
  auto ma = anna.make("s1", "anna", "attendee");
  join(room, ma, anna);
  join(room, bertil.make("s2", "bertil", "attendee"), bertil);
  room->apply(ma, "\"v\"", entries_op({}, {"q-1"}));
  ASSERT_TRUE(run_until([&] { return bertil.of_type("votes").size() == 1; })) << "tallied again after the failure";
  EXPECT_EQ(calls.load(), 2);
  std::lock_guard lock(mutex);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[1], std::vector<std::string>{"q-1"});
}
