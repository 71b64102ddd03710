#include "mail/outbox_worker.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/log.hpp"

namespace samling::mail {

using core::log;
using core::log_level;

namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// After a store failure (disk full, locked for longer than the busy timeout): look again later
// rather than spin.
constexpr std::int64_t store_retry_seconds = 5;

}  // namespace

std::int64_t retry_delay(int failures, const worker_settings& s, double unit_random) {
  const double initial = static_cast<double>(std::max<std::int64_t>(1, s.backoff_initial.count()));
  const double max = std::max(initial, static_cast<double>(s.backoff_max.count()));
  const int doublings = std::clamp(failures - 1, 0, 62);
  const double full = std::min(max, initial * std::pow(2.0, doublings));
  const double jittered = full / 2 + full / 2 * std::clamp(unit_random, 0.0, 1.0);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(jittered)));
}

outbox_worker::outbox_worker(outbox_queue& queue, sender& sender, run_on_store on_store, worker_settings settings)
    : queue_(queue), sender_(sender), on_store_(std::move(on_store)), settings_(settings) {}

outbox_worker::~outbox_worker() { stop(); }

void outbox_worker::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void outbox_worker::notify() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wake_.notify_one();
}

void outbox_worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void outbox_worker::wait(std::optional<std::int64_t> until) {
  std::unique_lock lock(mutex_);
  auto woken = [this] { return stopping_.load() || pending_; };
  if (until)
    wake_.wait_until(lock, std::chrono::system_clock::time_point(std::chrono::seconds(*until)), woken);
  else
    wake_.wait(lock, woken);
}

void outbox_worker::run() {
  try {
    int recovered = 0;
    on_store_([&] { recovered = queue_.recover_interrupted(unix_now()); });
    if (recovered > 0)
      log(log_level::warn, "mail_interrupted_sends", {{"messages", recovered}, {"hint", "sent again; may arrive twice"}});
  } catch (const std::exception& e) {
    log(log_level::error, "mail_store_failed", {{"error", e.what()}});
  }
  while (!stopping_) {
    {
      // Reset before looking: a notify from here on wakes the next wait.
      std::lock_guard lock(mutex_);
      pending_ = false;
    }
    std::optional<outbox_entry> due;
    std::optional<std::int64_t> next;
    try {
      on_store_([&] {
        due = queue_.claim_due(unix_now());
        if (!due) next = queue_.next_due();
      });
    } catch (const std::exception& e) {
      log(log_level::error, "mail_store_failed", {{"error", e.what()}});
      wait(unix_now() + store_retry_seconds);
      continue;
    }
    if (due) {
      deliver(*due);
      continue;
    }
    wait(next);
  }
}

void outbox_worker::deliver(const outbox_entry& e) {
  const send_result r = sender_.send(e, stopping_);
  const std::int64_t now = unix_now();
  const int failures = e.attempts + 1;
  std::optional<std::int64_t> retry_at;
  std::string error = r.error;
  if (r.outcome == delivery::temporary) {
    if (failures < settings_.max_attempts) {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      // Rounded up from the current millisecond: the store keeps whole seconds, and a retry
      // must not come sooner than its delay.
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
      const auto delay_s = retry_delay(failures, settings_, std::uniform_real_distribution<double>(0, 1)(rng));
      retry_at = (now_ms + delay_s * 1000 + 999) / 1000;
    } else {
      error += " (gave up after " + std::to_string(failures) + " attempts)";
    }
  }
  try {
    on_store_([&] {
      switch (r.outcome) {
        case delivery::sent: queue_.mark_sent(e.id, now); break;
        case delivery::aborted: queue_.release(e.id, r.error, now); break;
        case delivery::temporary:
        case delivery::permanent: queue_.mark_failed(e.id, error, retry_at); break;
      }
    });
  } catch (const std::exception& ex) {
    // The message stays "sending"; the next start puts it back (recover_interrupted).
    log(log_level::error, "mail_store_failed", {{"error", ex.what()}, {"message", e.id}});
    wait(now + store_retry_seconds);
    return;
  }
  if (settings_.on_outcome)
    settings_.on_outcome(r.outcome == delivery::sent      ? "sent"
                         : r.outcome == delivery::aborted ? "interrupted"
                         : retry_at                       ? "retry"
                                                          : "failed");
  switch (r.outcome) {
    case delivery::sent:
      log(log_level::info, "mail_sent", {{"message", e.id}, {"kind", e.msg.kind}, {"event", e.msg.event_id}});
      break;
    case delivery::aborted:
      break;
    case delivery::temporary:
    case delivery::permanent:
      log(log_level::warn, retry_at ? "mail_retry" : "mail_failed",
          {{"message", e.id}, {"attempts", failures}, {"error", error},
           {"retry_in_s", retry_at ? *retry_at - now : 0}});
      break;
  }
}

}  // namespace samling::mail
