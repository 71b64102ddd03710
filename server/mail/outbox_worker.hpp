#pragma once
// Sends what is in the outbox, one message at a time, on a thread of its own (SMTP blocks, and
// nothing else should wait for it). It sleeps until a message is enqueued (notify(): no polling
// on the way of a lone message) or the next retry is due, claims the message due first in the
// store (so a restart never sends again what was sent, and resumes what was not), delivers it,
// and records the outcome: sent; a temporary failure retried after an exponential backoff with
// jitter, until mail.max_attempts; a permanent one failed at once. Every store call hops to the
// store's thread through `run_on_store` and waits there.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

#include "mail/outbox_queue.hpp"
#include "mail/smtp_sender.hpp"

namespace samling::mail {

struct worker_settings {
  int max_attempts = 10;
  std::chrono::seconds backoff_initial{30};
  std::chrono::seconds backoff_max{3600};
  // Each delivery's outcome, on the worker's thread: "sent", "retry", "failed" or "interrupted"
  // (for metrics; may be empty).
  std::function<void(std::string_view)> on_outcome;
};

// Seconds before the next attempt after `failures` failed ones (>= 1): backoff_initial doubled
// per earlier failure, at most backoff_max, then a random point in its upper half
// (`unit_random` in [0, 1)), so messages that failed together do not retry in step; at least 1.
std::int64_t retry_delay(int failures, const worker_settings& s, double unit_random);

class outbox_worker {
 public:
  // Runs `fn` on the store's thread and returns when it has run (rethrowing what it threw).
  using run_on_store = std::function<void(std::function<void()>)>;

  // Neither `queue` nor `sender` is owned; both outlive the worker. Call start() to begin.
  outbox_worker(outbox_queue& queue, sender& sender, run_on_store on_store, worker_settings settings);
  ~outbox_worker();
  outbox_worker(const outbox_worker&) = delete;
  outbox_worker& operator=(const outbox_worker&) = delete;

  void start();
  // Something was enqueued: look now. Any thread; never blocks for long.
  void notify();
  // Ends a delivery in progress (the message goes back to the queue, not counted as an
  // attempt) and joins the thread. Idempotent.
  void stop();

 private:
  void run();
  void deliver(const outbox_entry& e);
  // Sleeps until notified, stopped, or `until` (seconds since the epoch; none: no deadline).
  void wait(std::optional<std::int64_t> until);

  outbox_queue& queue_;
  sender& sender_;
  run_on_store on_store_;
  worker_settings settings_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;  // notified since the last look (under mutex_)
  std::thread thread_;
};

}  // namespace samling::mail
