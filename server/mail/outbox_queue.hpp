#pragma once
// What the sender needs from the outbox besides mail::outbox: claim what is due, record how a
// delivery went. Implemented by store::sqlite_outbox_store; called on the store's thread (the
// worker hops there for each call). A claimed message is "sending" until it is marked, so a
// message is never handed to two deliveries, and a restart resumes what was not sent.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mail/outbox.hpp"

namespace samling::mail {

class outbox_queue {
 public:
  virtual ~outbox_queue() = default;
  // The message due first (queued or retrying, next_attempt_at <= now), now marked "sending";
  // nullopt when nothing is due.
  virtual std::optional<outbox_entry> claim_due(std::int64_t now) = 0;
  // The earliest next_attempt_at of a queued or retrying message; nullopt when none waits.
  virtual std::optional<std::int64_t> next_due() = 0;
  // Delivered: state sent, attempts + 1, sent_at = now, last_error cleared.
  virtual void mark_sent(std::string_view id, std::int64_t now) = 0;
  // Not delivered: attempts + 1 and last_error; retrying and due at `retry_at`, or failed when
  // `retry_at` is nullopt.
  virtual void mark_failed(std::string_view id, const std::string& error, std::optional<std::int64_t> retry_at) = 0;
  // Not attempted after all (the sender stopped before it finished): back to retrying, due
  // now, attempts unchanged; last_error says why.
  virtual void release(std::string_view id, const std::string& why, std::int64_t now) = 0;
  // At start-up: messages left "sending" by a process that died mid-send become retrying, due
  // now (they may have been delivered: at-least-once). Returns how many.
  virtual int recover_interrupted(std::int64_t now) = 0;
};

}  // namespace samling::mail
