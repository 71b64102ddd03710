// The worker against the real SQLite outbox and a scripted sender: a notify wakes it, temporary
// failures retry with backoff until max_attempts, permanent ones fail at once, a stop ends a
// delivery in progress without counting it, and no thread is left behind.
#include <gtest/gtest.h>

#include <poll.h>

#include <deque>
#include <filesystem>
#include <mutex>

#include "mail/outbox_worker.hpp"
#include "store/sqlite_outbox_store.hpp"
#include "temp_dir.hpp"

namespace samling::mail {
namespace {

using namespace std::chrono_literals;

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds deadline = 10s) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    poll(nullptr, 0, 5);  // the interval between checks of the condition, not a wait for it
  }
  return pred();
}

worker_settings ws(int max_attempts, std::chrono::seconds initial, std::chrono::seconds max) {
  worker_settings s;
  s.max_attempts = max_attempts;
  s.backoff_initial = initial;
  s.backoff_max = max;
  return s;
}

// Threads of this process now (/proc/self/task).
std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] auto& t : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

class scripted_sender final : public sender {
 public:
  // Outcomes in order; when they run out, `sent`. A "block" outcome waits for abort.
  std::deque<delivery> script;
  bool block = false;
  send_result send(const outbox_entry& e, const std::atomic<bool>& abort) override {
    std::lock_guard lock(m);
    calls.push_back(e.id);
    if (block) {
      blocking = true;
      while (!abort) poll(nullptr, 0, 5);
      return {delivery::aborted, "not sent: stopping", 0};
    }
    delivery d = script.empty() ? delivery::sent : script.front();
    if (!script.empty()) script.pop_front();
    if (d == delivery::temporary) return {d, "cannot connect", 0};
    if (d == delivery::permanent) return {d, "550 5.1.1 no such user", 550};
    return {d, "", 250};
  }
  std::size_t call_count() {
    std::lock_guard lock(m);
    return calls.size();
  }
  std::mutex m;
  std::vector<std::string> calls;
  std::atomic<bool> blocking{false};
};

struct fixture : ::testing::Test {
  testing::temp_dir dir;
  store::sqlite_db db{dir.file("samling.db")};
  store::sqlite_outbox_store outbox{db};
  std::mutex store_mutex;  // the store's "thread": one caller at a time
  scripted_sender fake;
  outbox_worker::run_on_store on_store = [this](std::function<void()> f) {
    std::lock_guard lock(store_mutex);
    f();
  };

  std::string enqueue(const std::string& to) {
    std::lock_guard lock(store_mutex);
    message m;
    m.to = to;
    m.subject = "s";
    m.text = "t";
    m.kind = "test";
    return outbox.enqueue(m);
  }
  std::optional<outbox_entry> find(const std::string& id) {
    std::lock_guard lock(store_mutex);
    return outbox.find(id);
  }
  std::string state(const std::string& id) {
    auto e = find(id);
    return e ? e->state : "";
  }
};

TEST(retry_delay, doubles_up_to_the_maximum_with_jitter_in_the_upper_half) {
  worker_settings s = ws(10, 30s, 3600s);
  EXPECT_EQ(retry_delay(1, s, 0.999999), 30);
  EXPECT_EQ(retry_delay(1, s, 0.0), 15);
  EXPECT_EQ(retry_delay(2, s, 0.999999), 60);
  EXPECT_EQ(retry_delay(3, s, 0.999999), 120);
  EXPECT_EQ(retry_delay(10, s, 0.999999), 3600);
  EXPECT_EQ(retry_delay(10, s, 0.0), 1800);
  EXPECT_EQ(retry_delay(1000, s, 0.5), 2700);
  for (double r : {0.0, 0.25, 0.5, 0.75, 0.99}) {
    auto d = retry_delay(4, s, r);
    EXPECT_GE(d, 120);
    EXPECT_LE(d, 240);
  }
  EXPECT_EQ(retry_delay(1, ws(10, 1s, 1s), 0.0), 1);  // never below a second
}

TEST_F(fixture, a_notify_wakes_the_worker_and_the_message_is_sent_once) {
  outbox.on_enqueue([] {});
  outbox_worker w(outbox, fake, on_store, ws(10, 30s, 3600s));
  outbox.on_enqueue([&w] { w.notify(); });
  w.start();
  // The worker is asleep with nothing due and no deadline: only the notify can wake it.
  auto id = enqueue("a@example.org");
  ASSERT_TRUE(eventually([&] { return state(id) == "sent"; }, 3s)) << state(id);
  EXPECT_EQ(find(id)->attempts, 1);
  w.stop();
  EXPECT_EQ(fake.call_count(), 1u);
}

TEST_F(fixture, a_temporary_failure_retries_after_the_backoff_and_then_sends) {
  fake.script = {delivery::temporary};
  outbox_worker w(outbox, fake, on_store, ws(10, 1s, 1s));
  outbox.on_enqueue([&w] { w.notify(); });
  w.start();
  auto before = std::chrono::system_clock::now();
  auto id = enqueue("a@example.org");
  ASSERT_TRUE(eventually([&] { return state(id) == "retrying"; }, 3s));
  EXPECT_EQ(find(id)->last_error, "cannot connect");
  EXPECT_EQ(find(id)->attempts, 1);
  ASSERT_TRUE(eventually([&] { return state(id) == "sent"; }, 5s)) << state(id);
  // Not retried at once: the next attempt waited for its due second.
  EXPECT_GE(std::chrono::system_clock::now() - before, 500ms);
  EXPECT_EQ(find(id)->attempts, 2);
  w.stop();
  EXPECT_EQ(fake.call_count(), 2u);
}

TEST_F(fixture, gives_up_after_max_attempts_and_fails_permanent_refusals_at_once) {
  fake.script = {delivery::permanent, delivery::temporary, delivery::temporary};
  std::mutex outcomes_mutex;
  std::vector<std::string> outcomes;
  auto settings = ws(2, 1s, 1s);
  settings.on_outcome = [&](std::string_view o) {
    std::lock_guard lock(outcomes_mutex);
    outcomes.emplace_back(o);
  };
  outbox_worker w(outbox, fake, on_store, settings);
  outbox.on_enqueue([&w] { w.notify(); });
  w.start();
  auto refused = enqueue("nobody@example.org");
  ASSERT_TRUE(eventually([&] { return state(refused) == "failed"; }, 3s));
  EXPECT_EQ(find(refused)->attempts, 1);
  EXPECT_EQ(find(refused)->last_error, "550 5.1.1 no such user");
  auto flaky = enqueue("b@example.org");
  ASSERT_TRUE(eventually([&] { return state(flaky) == "failed"; }, 6s)) << state(flaky);
  EXPECT_EQ(find(flaky)->attempts, 2);
  EXPECT_EQ(find(flaky)->last_error, "cannot connect (gave up after 2 attempts)");
  w.stop();
  EXPECT_EQ(outcomes, (std::vector<std::string>{"failed", "retry", "failed"}));
}

TEST_F(fixture, messages_queued_before_start_and_left_sending_by_a_crash_are_sent) {
  auto queued = enqueue("a@example.org");
  auto interrupted = enqueue("b@example.org");
  {
    std::lock_guard lock(store_mutex);
    outbox.claim_due(std::numeric_limits<std::int64_t>::max() / 2);  // claims `queued`
    outbox.claim_due(std::numeric_limits<std::int64_t>::max() / 2);  // claims `interrupted`
    outbox.release(queued, "x", 0);
  }
  outbox_worker w(outbox, fake, on_store, ws(10, 30s, 3600s));
  w.start();
  ASSERT_TRUE(eventually([&] { return state(queued) == "sent" && state(interrupted) == "sent"; }, 3s));
  w.stop();
}

TEST_F(fixture, the_worker_runs_one_thread_and_stop_takes_it_back) {
  const std::size_t before = thread_count();
  {
    outbox_worker w(outbox, fake, on_store, ws(10, 30s, 3600s));
    w.start();
    w.start();  // a second start is a no-op
    EXPECT_EQ(thread_count(), before + 1);
    w.stop();
    EXPECT_EQ(thread_count(), before);
  }
  {
    outbox_worker w(outbox, fake, on_store, ws(10, 30s, 3600s));
    w.start();
  }  // the destructor stops it
  EXPECT_EQ(thread_count(), before);
}

TEST_F(fixture, stop_ends_a_delivery_in_progress_and_puts_the_message_back) {
  fake.block = true;
  outbox_worker w(outbox, fake, on_store, ws(10, 30s, 3600s));
  outbox.on_enqueue([&w] { w.notify(); });
  w.start();
  auto id = enqueue("a@example.org");
  ASSERT_TRUE(eventually([&] { return fake.blocking.load(); }, 3s));
  auto t0 = std::chrono::steady_clock::now();
  w.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  auto e = find(id);
  EXPECT_EQ(e->state, "retrying");
  EXPECT_EQ(e->attempts, 0);
  w.stop();  // idempotent
}

}  // namespace
}  // namespace samling::mail
