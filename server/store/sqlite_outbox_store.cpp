#include "store/sqlite_outbox_store.hpp"

#include <chrono>
#include <random>

#include <sqlite3.h>

#include "store/statement.hpp"

namespace samling::store {

namespace {

// Message ids: unique, not secret (they appear in the console and in the Message-ID).
std::string new_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "m-";
  const std::uint64_t v = rng();
  for (int shift = 60; shift >= 0; shift -= 4) out += digits[(v >> shift) & 0xF];
  return out;
}

constexpr std::string_view columns =
    "id, event_id, kind, language, to_address, to_name, subject, text, html, state, attempts, created_at,"
    " next_attempt_at, sent_at, last_error";

mail::outbox_entry read_entry(const statement& s) {
  mail::outbox_entry e;
  e.id = s.text(0);
  e.msg.event_id = s.text(1);
  e.msg.kind = s.text(2);
  e.msg.language = s.text(3);
  e.msg.to = s.text(4);
  e.msg.to_name = s.text(5);
  e.msg.subject = s.text(6);
  e.msg.text = s.text(7);
  e.msg.html = s.text(8);
  e.state = s.text(9);
  e.attempts = s.integer(10);
  e.created_at = s.int64(11);
  e.next_attempt_at = s.int64(12);
  e.sent_at = s.int64(13);
  e.last_error = s.text(14);
  return e;
}

}  // namespace

sqlite_outbox_store::sqlite_outbox_store(sqlite_db& db, std::function<std::int64_t()> clock)
    : db_(db), clock_(std::move(clock)) {}

std::int64_t sqlite_outbox_store::now() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string sqlite_outbox_store::enqueue(const mail::message& m) {
  const std::string id = new_id();
  const std::int64_t t = now();
  statement s(db_,
              "INSERT INTO outbox (id, event_id, kind, language, to_address, to_name, subject, text, html, state,"
              " attempts, created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', 0, ?10, ?10)");
  s.bind(1, id)
      .bind(2, m.event_id)
      .bind(3, m.kind)
      .bind(4, m.language)
      .bind(5, m.to)
      .bind(6, m.to_name)
      .bind(7, m.subject)
      .bind(8, m.text)
      .bind(9, m.html)
      .bind(10, t);
  s.run();
  // Inside a caller's transaction the row is not committed yet; the worker's claim runs on this
  // same thread after the caller's work, so it sees the row only once it is committed.
  if (on_enqueue_) on_enqueue_();
  return id;
}

std::vector<mail::outbox_entry> sqlite_outbox_store::list(std::string_view event_id, std::size_t limit) {
  const std::string where = event_id.empty() ? "" : " WHERE event_id = ?1";
  statement s(db_, "SELECT " + std::string(columns) + " FROM outbox" + where +
                       " ORDER BY created_at DESC, rowid DESC LIMIT ?2");
  if (!event_id.empty()) s.bind(1, event_id);
  s.bind(2, static_cast<std::int64_t>(limit));
  std::vector<mail::outbox_entry> out;
  while (s.step()) out.push_back(read_entry(s));
  return out;
}

std::optional<mail::outbox_entry> sqlite_outbox_store::find(std::string_view id) {
  statement s(db_, "SELECT " + std::string(columns) + " FROM outbox WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_entry(s);
}

std::optional<mail::outbox_entry> sqlite_outbox_store::claim_due(std::int64_t t) {
  transaction tx(db_);
  std::optional<mail::outbox_entry> e;
  {
    statement s(db_, "SELECT " + std::string(columns) +
                         " FROM outbox WHERE state IN ('queued', 'retrying') AND next_attempt_at <= ?1"
                         " ORDER BY next_attempt_at, rowid LIMIT 1");
    s.bind(1, t);
    if (s.step()) e = read_entry(s);
  }
  if (!e) return std::nullopt;
  statement claim(db_, "UPDATE outbox SET state = 'sending' WHERE id = ?1");
  claim.bind(1, e->id);
  claim.run();
  tx.commit();
  e->state = "sending";
  return e;
}

std::optional<std::int64_t> sqlite_outbox_store::next_due() {
  statement s(db_, "SELECT MIN(next_attempt_at) FROM outbox WHERE state IN ('queued', 'retrying')");
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return s.int64(0);
}

void sqlite_outbox_store::mark_sent(std::string_view id, std::int64_t t) {
  statement s(db_,
              "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?2, last_error = ''"
              " WHERE id = ?1");
  s.bind(1, id).bind(2, t);
  s.run();
}

void sqlite_outbox_store::mark_failed(std::string_view id, const std::string& error,
                                      std::optional<std::int64_t> retry_at) {
  statement s(db_,
              "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,"
              " next_attempt_at = CASE WHEN ?2 = 'retrying' THEN ?4 ELSE next_attempt_at END WHERE id = ?1");
  s.bind(1, id).bind(2, retry_at ? "retrying" : "failed").bind(3, error).bind(4, retry_at.value_or(0));
  s.run();
}

void sqlite_outbox_store::release(std::string_view id, const std::string& why, std::int64_t t) {
  statement s(db_,
              "UPDATE outbox SET state = 'retrying', next_attempt_at = ?3, last_error = ?2"
              " WHERE id = ?1 AND state = 'sending'");
  s.bind(1, id).bind(2, why).bind(3, t);
  s.run();
}

int sqlite_outbox_store::recover_interrupted(std::int64_t t) {
  statement s(db_,
              "UPDATE outbox SET state = 'retrying', next_attempt_at = ?1,"
              " last_error = 'interrupted: the server stopped while sending (it may have been delivered)'"
              " WHERE state = 'sending'");
  s.bind(1, t);
  s.run();
  return sqlite3_changes(db_.handle());
}

}  // namespace samling::store
