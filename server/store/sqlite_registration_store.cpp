#include "store/sqlite_registration_store.hpp"

#include <sqlite3.h>

#include "store/statement.hpp"

namespace samling::store {

namespace reg = registration;

namespace {

constexpr std::string_view columns =
    "id, event_id, name, COALESCE(email, ''), organization, accessibility_needs, mode, status, language,"
    " consent_version, consent_at, created_at, updated_at, cancelled_at, erased";

reg::registration read_row(statement& s, sqlite_db& db) {
  reg::registration r;
  r.id = s.text(0);
  r.event_id = s.text(1);
  r.name = s.text(2);
  r.email = s.text(3);
  r.organization = s.text(4);
  r.accessibility_needs = s.text(5);
  auto m = reg::mode_from_string(s.text(6));
  auto st = reg::status_from_string(s.text(7));
  if (!m || !st) throw store_error(db.path() + ": registrations holds an unknown mode or status for " + r.id);
  r.attendance = *m;
  r.state = *st;
  r.language = s.text(8);
  r.consent_version = s.text(9);
  r.consent_at = s.int64(10);
  r.created_at = s.int64(11);
  r.updated_at = s.int64(12);
  r.cancelled_at = s.int64(13);
  r.erased = s.integer(14) != 0;
  return r;
}

std::string modes_text(const std::vector<reg::mode>& modes) {
  std::string out;
  for (auto m : modes) out += (out.empty() ? "" : ",") + std::string(reg::to_string(m));
  return out;
}

}  // namespace

std::optional<reg::settings> sqlite_registration_store::find_settings(std::string_view event_id) {
  statement s(db_,
              "SELECT opens_at, closes_at, capacity, remote_capacity, waitlist, modes, consent_version, updated_at"
              " FROM registration_settings WHERE event_id = ?1");
  s.bind(1, event_id);
  if (!s.step()) return std::nullopt;
  reg::settings out;
  out.event_id = std::string(event_id);
  out.opens_at = s.int64(0);
  out.closes_at = s.int64(1);
  out.capacity = s.int64(2);
  out.remote_capacity = s.int64(3);
  out.waitlist = s.integer(4) != 0;
  out.modes.clear();
  auto text = s.text(5);
  for (std::size_t pos = 0; pos <= text.size();) {
    auto comma = text.find(',', pos);
    auto part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (auto m = reg::mode_from_string(part)) out.modes.push_back(*m);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (out.modes.empty()) out.modes = {reg::mode::hall};
  out.consent_version = s.text(6);
  out.updated_at = s.int64(7);
  return out;
}

std::vector<reg::registration> sqlite_registration_store::save_settings(const reg::settings& in,
                                                                        const reg::notify_fn& notify) {
  transaction tx(db_);
  statement s(db_,
              "INSERT INTO registration_settings (event_id, opens_at, closes_at, capacity, remote_capacity, waitlist,"
              " modes, consent_version, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
              " ON CONFLICT (event_id) DO UPDATE SET opens_at = excluded.opens_at, closes_at = excluded.closes_at,"
              " capacity = excluded.capacity, remote_capacity = excluded.remote_capacity, waitlist = excluded.waitlist,"
              " modes = excluded.modes, consent_version = excluded.consent_version, updated_at = excluded.updated_at");
  s.bind(1, in.event_id)
      .bind(2, in.opens_at)
      .bind(3, in.closes_at)
      .bind(4, in.capacity)
      .bind(5, in.remote_capacity)
      .bind(6, in.waitlist ? 1 : 0)
      .bind(7, modes_text(in.modes))
      .bind(8, in.consent_version)
      .bind(9, in.updated_at);
  s.run();
  // More seats than before: the waitlist moves up now, not at the next cancellation.
  std::vector<reg::registration> promoted;
  for (auto m : {reg::mode::hall, reg::mode::remote}) {
    auto some = promote(in, m, in.updated_at, notify);
    promoted.insert(promoted.end(), some.begin(), some.end());
  }
  tx.commit();
  return promoted;
}

std::int64_t sqlite_registration_store::registered_count(std::string_view event_id, reg::mode m) {
  statement s(db_, "SELECT COUNT(*) FROM registrations WHERE event_id = ?1 AND mode = ?2 AND status = 'registered'");
  s.bind(1, event_id).bind(2, reg::to_string(m));
  s.step();
  return s.int64(0);
}

reg::register_result sqlite_registration_store::register_attendee(const reg::registration& r,
                                                                  std::string_view manage_hash,
                                                                  const reg::notify_fn& notify) {
  transaction tx(db_);
  reg::register_result out;
  {
    statement existing(db_, "SELECT " + std::string(columns) +
                                " FROM registrations WHERE event_id = ?1 AND email = ?2 AND status != 'cancelled'");
    existing.bind(1, r.event_id).bind(2, r.email);
    if (existing.step()) {
      out.value = read_row(existing, db_);
      out.already = true;
      return out;  // nothing written: the transaction rolls back empty
    }
  }
  auto settings = find_settings(r.event_id);
  if (!settings) throw store_error(db_.path() + ": no registration settings for " + r.event_id);
  // The seat check and the insert under one write lock: nobody else counts in between.
  auto limit = settings->limit(r.attendance);
  out.value = r;
  if (limit == 0 || registered_count(r.event_id, r.attendance) < limit) {
    out.value.state = reg::status::registered;
  } else if (settings->waitlist) {
    out.value.state = reg::status::waitlisted;
  } else {
    out.refused_full = true;
    return out;
  }
  statement insert(db_,
                   "INSERT INTO registrations (id, event_id, manage_hash, name, email, organization, accessibility_needs,"
                   " mode, status, language, consent_version, consent_at, created_at, updated_at)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  auto& v = out.value;
  insert.bind(1, v.id)
      .bind(2, v.event_id)
      .bind(3, manage_hash)
      .bind(4, v.name)
      .bind(5, v.email)
      .bind(6, v.organization)
      .bind(7, v.accessibility_needs)
      .bind(8, reg::to_string(v.attendance))
      .bind(9, reg::to_string(v.state))
      .bind(10, v.language)
      .bind(11, v.consent_version)
      .bind(12, v.consent_at)
      .bind(13, v.created_at)
      .bind(14, v.updated_at);
  insert.run();
  if (notify) notify(v.state == reg::status::registered ? reg::notice::registered : reg::notice::waitlisted, v);
  tx.commit();
  return out;
}

std::optional<reg::registration> sqlite_registration_store::find_by_manage(std::string_view manage_hash) {
  statement s(db_, "SELECT " + std::string(columns) + " FROM registrations WHERE manage_hash = ?1");
  s.bind(1, manage_hash);
  if (!s.step()) return std::nullopt;
  return read_row(s, db_);
}

std::vector<reg::registration> sqlite_registration_store::promote(const reg::settings& s, reg::mode m,
                                                                  std::int64_t now, const reg::notify_fn& notify) {
  std::vector<reg::registration> out;
  if (!s.offers(m)) return out;
  auto limit = s.limit(m);
  auto taken = registered_count(s.event_id, m);
  while (limit == 0 || taken < limit) {
    statement next(db_, "SELECT " + std::string(columns) +
                            " FROM registrations WHERE event_id = ?1 AND mode = ?2 AND status = 'waitlisted'"
                            " ORDER BY seq LIMIT 1");
    next.bind(1, s.event_id).bind(2, reg::to_string(m));
    if (!next.step()) break;
    auto r = read_row(next, db_);
    statement up(db_, "UPDATE registrations SET status = 'registered', updated_at = ?2 WHERE id = ?1");
    up.bind(1, r.id).bind(2, now);
    up.run();
    r.state = reg::status::registered;
    r.updated_at = now;
    if (notify) notify(reg::notice::promoted, r);
    out.push_back(std::move(r));
    ++taken;
  }
  return out;
}

std::optional<reg::cancel_result> sqlite_registration_store::cancel_in_tx(std::string_view manage_hash,
                                                                          std::int64_t now,
                                                                          const reg::notify_fn& notify) {
  auto found = find_by_manage(manage_hash);
  if (!found) return std::nullopt;
  reg::cancel_result out;
  out.value = *found;
  if (found->state == reg::status::cancelled) {
    out.was_cancelled = true;
    return out;
  }
  statement up(db_,
               "UPDATE registrations SET status = 'cancelled', cancelled_at = ?2, updated_at = ?2 WHERE id = ?1");
  up.bind(1, found->id).bind(2, now);
  up.run();
  out.value.state = reg::status::cancelled;
  out.value.cancelled_at = now;
  out.value.updated_at = now;
  if (notify) notify(reg::notice::cancelled, out.value);
  if (found->state == reg::status::registered) {
    if (auto s = find_settings(found->event_id)) {
      auto promoted = promote(*s, found->attendance, now, notify);
      if (!promoted.empty()) out.promoted = promoted.front();
    }
  }
  return out;
}

std::optional<reg::cancel_result> sqlite_registration_store::cancel(std::string_view manage_hash, std::int64_t now,
                                                                    const reg::notify_fn& notify) {
  transaction tx(db_);
  auto out = cancel_in_tx(manage_hash, now, notify);
  if (out) tx.commit();
  return out;
}

// Erasure keeps an anonymous cancelled row (mode, times, consent version) so the counts per
// mode stay right; everything that names the person goes, and so does the manage token.
std::optional<reg::cancel_result> sqlite_registration_store::erase(std::string_view manage_hash, std::int64_t now,
                                                                   const reg::notify_fn& notify) {
  transaction tx(db_);
  auto out = cancel_in_tx(manage_hash, now, notify);
  if (!out) return std::nullopt;
  statement up(db_,
               "UPDATE registrations SET name = '', email = NULL, organization = '', accessibility_needs = '',"
               " manage_hash = NULL, erased = 1, updated_at = ?2 WHERE id = ?1");
  up.bind(1, out->value.id).bind(2, now);
  up.run();
  tx.commit();
  out->value.name.clear();
  out->value.email.clear();
  out->value.organization.clear();
  out->value.accessibility_needs.clear();
  out->value.erased = true;
  return out;
}

std::vector<reg::registration> sqlite_registration_store::list(std::string_view event_id) {
  statement s(db_, "SELECT " + std::string(columns) + " FROM registrations WHERE event_id = ?1 ORDER BY seq");
  s.bind(1, event_id);
  std::vector<reg::registration> out;
  while (s.step()) out.push_back(read_row(s, db_));
  return out;
}

reg::counts sqlite_registration_store::count(std::string_view event_id) {
  statement s(db_, "SELECT mode, status, COUNT(*) FROM registrations WHERE event_id = ?1 GROUP BY mode, status");
  s.bind(1, event_id);
  reg::counts out;
  while (s.step()) {
    auto m = reg::mode_from_string(s.text(0));
    auto st = reg::status_from_string(s.text(1));
    if (!m || !st) continue;
    auto& c = *m == reg::mode::hall ? out.hall : out.remote;
    (*st == reg::status::registered ? c.registered : *st == reg::status::waitlisted ? c.waitlisted : c.cancelled) =
        s.int64(2);
  }
  return out;
}

}  // namespace samling::store
