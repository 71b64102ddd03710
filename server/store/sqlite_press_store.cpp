#include "store/sqlite_press_store.hpp"

#include <exception>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace samling::store {

namespace {

constexpr std::string_view accreditation_columns =
    "id, event_id, name, outlet, email, phone, press_card, days, attendance, note, language, state, question, "
    "reason, grant_id, decided_by, created_at, updated_at";
constexpr std::string_view grant_columns =
    "id, event_id, name, outlet, stages, rooms, valid_from, valid_until, device_cap, email, language, "
    "accreditation_id, created_by, created_at, revoked_at, revoked_by, revoke_reason";
constexpr std::string_view interview_columns =
    "id, event_id, grant_id, journalist, speaker, session_id, wanted, note, state, proposed, answer_note, "
    "answered_by, speaker_email, created_at, updated_at";
constexpr std::string_view view_columns =
    "event_id, viewer, name, stage, device, address, user_agent, first_at, last_at, bytes, requests";
constexpr std::string_view refusal_columns = "event_id, grant_id, stage, device, address, user_agent, at";

std::string select(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

// An enum stored by its name: a name this binary does not know is a row it did not write,
// refused rather than guessed.
template <typename T>
T known(const sqlite_db& db, std::optional<T> value, std::string_view what, const std::string& id,
        const std::string& stored) {
  if (!value)
    throw store_error(db.path() + ": " + std::string(what) + " of " + id + " is unknown: \"" + stored + "\"");
  return *value;
}

std::string strings_json(const std::vector<std::string>& items) {
  boost::json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return boost::json::serialize(a);
}

std::vector<std::string> strings_from_json(const sqlite_db& db, const std::string& text, std::string_view what,
                                           const std::string& id) {
  std::vector<std::string> out;
  try {
    const auto value = boost::json::parse(text);
    for (const auto& v : value.as_array()) out.emplace_back(v.as_string());
  } catch (const std::exception& e) {
    throw store_error(db.path() + ": " + std::string(what) + " of " + id + " is not a JSON array of strings: " +
                      e.what());
  }
  return out;
}

std::string contacts_json(const std::vector<press::contact>& contacts) {
  boost::json::array a;
  for (const auto& c : contacts)
    a.emplace_back(boost::json::object{{"name", c.name}, {"role", c.role}, {"email", c.email}, {"phone", c.phone}});
  return boost::json::serialize(a);
}

std::vector<press::contact> contacts_from_json(const sqlite_db& db, const std::string& text,
                                               const std::string& event_id) {
  std::vector<press::contact> out;
  try {
    const auto value = boost::json::parse(text);
    for (const auto& v : value.as_array()) {
      const auto& o = v.as_object();
      // A field a later version left out reads as empty; a field of another type is an error.
      auto field = [&o](const char* key) {
        const auto* f = o.if_contains(key);
        return f ? std::string(f->as_string()) : std::string();
      };
      out.push_back(press::contact{field("name"), field("role"), field("email"), field("phone")});
    }
  } catch (const std::exception& e) {
    throw store_error(db.path() + ": the press contacts of " + event_id + " are not a JSON array of contacts: " +
                      e.what());
  }
  return out;
}

// A token hash, or NULL for none: NULLs do not collide in the UNIQUE column, and no lookup by
// "" can find a row.
void bind_hash(statement& s, int index, std::string_view hash) {
  if (!hash.empty()) s.bind(index, hash);  // unbound: NULL
}

std::int64_t flag(bool b) { return b ? 1 : 0; }

press::accreditation read_accreditation(const sqlite_db& db, const statement& s) {
  press::accreditation a;
  a.id = s.text(0);
  a.event_id = s.text(1);
  a.name = s.text(2);
  a.outlet = s.text(3);
  a.email = s.text(4);
  a.phone = s.text(5);
  a.press_card = s.text(6);
  a.days = strings_from_json(db, s.text(7), "the days", a.id);
  a.attendance = known(db, press::attendance_from_string(s.text(8)), "the attendance", a.id, s.text(8));
  a.note = s.text(9);
  a.language = s.text(10);
  a.state = known(db, press::accreditation_state_from_string(s.text(11)), "the state", a.id, s.text(11));
  a.question = s.text(12);
  a.reason = s.text(13);
  a.grant_id = s.text(14);
  a.decided_by = s.text(15);
  a.created_at = s.int64(16);
  a.updated_at = s.int64(17);
  return a;
}

// Binds ?1 … ?18 in accreditation_columns' order.
void bind_accreditation(statement& s, const press::accreditation& a) {
  s.bind(1, a.id)
      .bind(2, a.event_id)
      .bind(3, a.name)
      .bind(4, a.outlet)
      .bind(5, a.email)
      .bind(6, a.phone)
      .bind(7, a.press_card)
      .bind(8, strings_json(a.days))
      .bind(9, press::to_string(a.attendance))
      .bind(10, a.note)
      .bind(11, a.language)
      .bind(12, press::to_string(a.state))
      .bind(13, a.question)
      .bind(14, a.reason)
      .bind(15, a.grant_id)
      .bind(16, a.decided_by)
      .bind(17, a.created_at)
      .bind(18, a.updated_at);
}

press::grant_record read_grant(const sqlite_db& db, const statement& s) {
  press::grant_record g;
  g.grant.id = s.text(0);
  g.grant.event = s.text(1);
  g.grant.name = s.text(2);
  g.grant.outlet = s.text(3);
  g.grant.stages = strings_from_json(db, s.text(4), "the stages", g.grant.id);
  g.grant.rooms = strings_from_json(db, s.text(5), "the rooms", g.grant.id);
  g.grant.valid_from = s.int64(6);
  g.grant.valid_until = s.int64(7);
  g.grant.device_cap = static_cast<std::uint32_t>(s.int64(8));
  g.email = s.text(9);
  g.language = s.text(10);
  g.accreditation_id = s.text(11);
  g.created_by = s.text(12);
  g.created_at = s.int64(13);
  g.revoked_at = s.int64(14);
  g.revoked_by = s.text(15);
  g.revoke_reason = s.text(16);
  return g;
}

press::interview read_interview(const sqlite_db& db, const statement& s) {
  press::interview i;
  i.id = s.text(0);
  i.event_id = s.text(1);
  i.grant_id = s.text(2);
  i.journalist = s.text(3);
  i.speaker = s.text(4);
  i.session_id = s.text(5);
  i.wanted = s.text(6);
  i.note = s.text(7);
  i.state = known(db, press::interview_state_from_string(s.text(8)), "the state", i.id, s.text(8));
  i.proposed = s.text(9);
  i.answer_note = s.text(10);
  i.answered_by = s.text(11);
  i.speaker_email = s.text(12);
  i.created_at = s.int64(13);
  i.updated_at = s.int64(14);
  return i;
}

// Binds ?1 … ?15 in interview_columns' order.
void bind_interview(statement& s, const press::interview& i) {
  s.bind(1, i.id)
      .bind(2, i.event_id)
      .bind(3, i.grant_id)
      .bind(4, i.journalist)
      .bind(5, i.speaker)
      .bind(6, i.session_id)
      .bind(7, i.wanted)
      .bind(8, i.note)
      .bind(9, press::to_string(i.state))
      .bind(10, i.proposed)
      .bind(11, i.answer_note)
      .bind(12, i.answered_by)
      .bind(13, i.speaker_email)
      .bind(14, i.created_at)
      .bind(15, i.updated_at);
}

press::view_record read_view(const statement& s) {
  press::view_record v;
  v.event = s.text(0);
  v.viewer = s.text(1);
  v.name = s.text(2);
  v.stage = s.text(3);
  v.device = s.text(4);
  v.address = s.text(5);
  v.user_agent = s.text(6);
  v.first_at = s.int64(7);
  v.last_at = s.int64(8);
  v.bytes = static_cast<std::uint64_t>(s.int64(9));
  v.requests = static_cast<std::uint64_t>(s.int64(10));
  return v;
}

press::device_refusal read_refusal(const statement& s) {
  press::device_refusal r;
  r.event = s.text(0);
  r.grant = s.text(1);
  r.stage = s.text(2);
  r.device = s.text(3);
  r.address = s.text(4);
  r.user_agent = s.text(5);
  r.at = s.int64(6);
  return r;
}

}  // namespace

sqlite_press_store::sqlite_press_store(sqlite_db& db)
    : db_(db),
      insert_accreditation_(db, "INSERT INTO press_accreditations (" + std::string(accreditation_columns) +
                                    ", manage_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                                    "?14, ?15, ?16, ?17, ?18, ?19)"),
      accreditation_by_id_(db, select(accreditation_columns, "FROM press_accreditations WHERE id = ?1")),
      accreditation_by_manage_(db, select(accreditation_columns, "FROM press_accreditations WHERE manage_hash = ?1")),
      // seq breaks a tie of the same second in the order of arrival.
      accreditations_of_event_(db, select(accreditation_columns,
                                          "FROM press_accreditations WHERE event_id = ?1 ORDER BY created_at, seq")),
      accreditations_in_state_(db, select(accreditation_columns,
                                          "FROM press_accreditations WHERE event_id = ?1 AND state = ?2"
                                          " ORDER BY created_at, seq")),
      // Everything but the manage hash (the journalist's link stays what it was).
      update_accreditation_(db, "UPDATE press_accreditations SET event_id = ?2, name = ?3, outlet = ?4, email = ?5,"
                                " phone = ?6, press_card = ?7, days = ?8, attendance = ?9, note = ?10, language = ?11,"
                                " state = ?12, question = ?13, reason = ?14, grant_id = ?15, decided_by = ?16,"
                                " created_at = ?17, updated_at = ?18 WHERE id = ?1"),
      insert_grant_(db, "INSERT INTO press_grants (" + std::string(grant_columns) +
                            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"),
      grant_by_id_(db, select(grant_columns, "FROM press_grants WHERE id = ?1")),
      grants_of_event_(db, select(grant_columns,
                                  "FROM press_grants WHERE event_id = ?1 ORDER BY created_at DESC, seq DESC")),
      // revoked_at = 0 in the WHERE: a second revocation changes nothing (the first time, the
      // first officer and the first reason stay), and changes() tells the caller so.
      revoke_grant_(db, "UPDATE press_grants SET revoked_at = ?2, revoked_by = ?3, revoke_reason = ?4"
                        " WHERE id = ?1 AND revoked_at = 0"),
      revoked_grants_(db, "SELECT id, revoked_at FROM press_grants WHERE revoked_at <> 0 ORDER BY id"),
      insert_interview_(db, "INSERT INTO press_interviews (" + std::string(interview_columns) +
                                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
      interview_by_id_(db, select(interview_columns, "FROM press_interviews WHERE id = ?1")),
      interview_by_speaker_(db, select(interview_columns, "FROM press_interviews WHERE speaker_hash = ?1")),
      interviews_of_event_(db, select(interview_columns,
                                      "FROM press_interviews WHERE event_id = ?1 ORDER BY created_at, seq")),
      interviews_of_grant_(db, select(interview_columns,
                                      "FROM press_interviews WHERE grant_id = ?1 ORDER BY created_at, seq")),
      // Everything but the speaker's link hash (set_speaker_link's).
      update_interview_(db, "UPDATE press_interviews SET event_id = ?2, grant_id = ?3, journalist = ?4, speaker = ?5,"
                            " session_id = ?6, wanted = ?7, note = ?8, state = ?9, proposed = ?10, answer_note = ?11,"
                            " answered_by = ?12, speaker_email = ?13, created_at = ?14, updated_at = ?15"
                            " WHERE id = ?1"),
      set_speaker_link_(db, "UPDATE press_interviews SET speaker_hash = ?2, speaker_email = ?3 WHERE id = ?1"),
      // One row per (event, viewer, stage, device, address). In DO UPDATE a bare column is the
      // stored row's value (before this update) and excluded.* the new record's.
      add_view_(db, "INSERT INTO press_views (" + std::string(view_columns) +
                        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                        " ON CONFLICT (event_id, viewer, stage, device, address) DO UPDATE SET"
                        " name = CASE WHEN excluded.last_at >= last_at THEN excluded.name ELSE name END,"
                        " user_agent = CASE WHEN excluded.last_at >= last_at THEN excluded.user_agent ELSE user_agent END,"
                        " first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),"
                        " bytes = bytes + excluded.bytes, requests = requests + excluded.requests"),
      views_of_event_(db, select(view_columns, "FROM press_views WHERE event_id = ?1 ORDER BY first_at, rowid")),
      insert_refusal_(db, "INSERT INTO press_refusals (" + std::string(refusal_columns) +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
      refusals_of_event_(db, select(refusal_columns, "FROM press_refusals WHERE event_id = ?1 ORDER BY at, seq")),
      settings_by_event_(db, "SELECT accreditation_open, contacts, updated_at FROM press_settings WHERE event_id = ?1"),
      save_settings_(db, "INSERT INTO press_settings (event_id, accreditation_open, contacts, updated_at)"
                         " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (event_id) DO UPDATE SET"
                         " accreditation_open = excluded.accreditation_open, contacts = excluded.contacts,"
                         " updated_at = excluded.updated_at") {}

// Inside a transaction that is already open (a caller's in_transaction, or any other) this is
// a savepoint: its changes commit with the outer one, and a throw undoes only its own.
void sqlite_press_store::in_transaction(const std::function<void()>& fn) {
  transaction tx(db_);
  fn();
  tx.commit();
}

// --- Accreditations -----------------------------------------------------------------------------

void sqlite_press_store::add_accreditation(const press::accreditation& a, std::string_view manage_hash) {
  reset_on_exit r(insert_accreditation_);
  bind_accreditation(insert_accreditation_, a);
  bind_hash(insert_accreditation_, 19, manage_hash);
  insert_accreditation_.run();
}

std::optional<press::accreditation> sqlite_press_store::one_accreditation(statement& s) {
  reset_on_exit r(s);
  if (!s.step()) return std::nullopt;
  return read_accreditation(db_, s);
}

std::optional<press::accreditation> sqlite_press_store::find_accreditation(std::string_view id) {
  accreditation_by_id_.bind(1, id);
  return one_accreditation(accreditation_by_id_);
}

std::optional<press::accreditation> sqlite_press_store::find_accreditation_by_manage(std::string_view manage_hash) {
  if (manage_hash.empty()) return std::nullopt;
  accreditation_by_manage_.bind(1, manage_hash);
  return one_accreditation(accreditation_by_manage_);
}

std::vector<press::accreditation> sqlite_press_store::list_accreditations(
    std::string_view event_id, std::optional<press::accreditation_state> state) {
  statement& s = state ? accreditations_in_state_ : accreditations_of_event_;
  reset_on_exit r(s);
  s.bind(1, event_id);
  if (state) s.bind(2, press::to_string(*state));
  std::vector<press::accreditation> out;
  while (s.step()) out.push_back(read_accreditation(db_, s));
  return out;
}

bool sqlite_press_store::update_accreditation(const press::accreditation& a) {
  reset_on_exit r(update_accreditation_);
  bind_accreditation(update_accreditation_, a);
  update_accreditation_.run();
  return sqlite3_changes(db_.handle()) > 0;
}

// --- Grants ----------------------------------------------------------------------------------------

void sqlite_press_store::add_grant(const press::grant_record& g) {
  reset_on_exit r(insert_grant_);
  insert_grant_.bind(1, g.grant.id)
      .bind(2, g.grant.event)
      .bind(3, g.grant.name)
      .bind(4, g.grant.outlet)
      .bind(5, strings_json(g.grant.stages))
      .bind(6, strings_json(g.grant.rooms))
      .bind(7, g.grant.valid_from)
      .bind(8, g.grant.valid_until)
      .bind(9, static_cast<std::int64_t>(g.grant.device_cap))
      .bind(10, g.email)
      .bind(11, g.language)
      .bind(12, g.accreditation_id)
      .bind(13, g.created_by)
      .bind(14, g.created_at)
      .bind(15, g.revoked_at)
      .bind(16, g.revoked_by)
      .bind(17, g.revoke_reason);
  insert_grant_.run();
}

std::optional<press::grant_record> sqlite_press_store::one_grant(statement& s) {
  reset_on_exit r(s);
  if (!s.step()) return std::nullopt;
  return read_grant(db_, s);
}

std::optional<press::grant_record> sqlite_press_store::find_grant(std::string_view id) {
  grant_by_id_.bind(1, id);
  return one_grant(grant_by_id_);
}

std::vector<press::grant_record> sqlite_press_store::list_grants(std::string_view event_id) {
  reset_on_exit r(grants_of_event_);
  grants_of_event_.bind(1, event_id);
  std::vector<press::grant_record> out;
  while (grants_of_event_.step()) out.push_back(read_grant(db_, grants_of_event_));
  return out;
}

bool sqlite_press_store::revoke_grant(std::string_view id, std::int64_t at, std::string_view by,
                                      std::string_view reason) {
  // revoked_at 0 means "not revoked": a revocation at 0 would be none.
  if (at <= 0) throw store_error(db_.path() + ": revoking grant " + std::string(id) + " at time " + std::to_string(at));
  reset_on_exit r(revoke_grant_);
  revoke_grant_.bind(1, id).bind(2, at).bind(3, by).bind(4, reason);
  revoke_grant_.run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::vector<std::pair<std::string, std::int64_t>> sqlite_press_store::revoked_grants() {
  reset_on_exit r(revoked_grants_);
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (revoked_grants_.step()) out.emplace_back(revoked_grants_.text(0), revoked_grants_.int64(1));
  return out;
}

// --- Interview requests ----------------------------------------------------------------------------

void sqlite_press_store::add_interview(const press::interview& i) {
  reset_on_exit r(insert_interview_);
  bind_interview(insert_interview_, i);
  insert_interview_.run();
}

std::optional<press::interview> sqlite_press_store::one_interview(statement& s) {
  reset_on_exit r(s);
  if (!s.step()) return std::nullopt;
  return read_interview(db_, s);
}

std::vector<press::interview> sqlite_press_store::interviews(statement& s) {
  reset_on_exit r(s);
  std::vector<press::interview> out;
  while (s.step()) out.push_back(read_interview(db_, s));
  return out;
}

std::optional<press::interview> sqlite_press_store::find_interview(std::string_view id) {
  interview_by_id_.bind(1, id);
  return one_interview(interview_by_id_);
}

std::optional<press::interview> sqlite_press_store::find_interview_by_speaker(std::string_view speaker_hash) {
  if (speaker_hash.empty()) return std::nullopt;
  interview_by_speaker_.bind(1, speaker_hash);
  return one_interview(interview_by_speaker_);
}

std::vector<press::interview> sqlite_press_store::list_interviews(std::string_view event_id) {
  interviews_of_event_.bind(1, event_id);
  return interviews(interviews_of_event_);
}

std::vector<press::interview> sqlite_press_store::list_interviews_of(std::string_view grant_id) {
  interviews_of_grant_.bind(1, grant_id);
  return interviews(interviews_of_grant_);
}

bool sqlite_press_store::update_interview(const press::interview& i) {
  reset_on_exit r(update_interview_);
  bind_interview(update_interview_, i);
  update_interview_.run();
  return sqlite3_changes(db_.handle()) > 0;
}

bool sqlite_press_store::set_speaker_link(std::string_view interview_id, std::string_view speaker_hash,
                                          std::string_view speaker_email) {
  reset_on_exit r(set_speaker_link_);
  set_speaker_link_.bind(1, interview_id).bind(3, speaker_email);
  bind_hash(set_speaker_link_, 2, speaker_hash);
  set_speaker_link_.run();
  return sqlite3_changes(db_.handle()) > 0;
}

// --- Viewing audit -----------------------------------------------------------------------------------

void sqlite_press_store::add_views(const std::vector<press::view_record>& views) {
  if (views.empty()) return;
  // All or none: a flush that fails half-way must not count its first half twice when the
  // caller tries again.
  transaction tx(db_);
  for (const auto& v : views) {
    reset_on_exit r(add_view_);
    add_view_.bind(1, v.event)
        .bind(2, v.viewer)
        .bind(3, v.name)
        .bind(4, v.stage)
        .bind(5, v.device)
        .bind(6, v.address)
        .bind(7, v.user_agent)
        .bind(8, v.first_at)
        .bind(9, v.last_at)
        .bind(10, static_cast<std::int64_t>(v.bytes))
        .bind(11, static_cast<std::int64_t>(v.requests));
    add_view_.run();
  }
  tx.commit();
}

std::vector<press::view_record> sqlite_press_store::list_views(std::string_view event_id) {
  reset_on_exit r(views_of_event_);
  views_of_event_.bind(1, event_id);
  std::vector<press::view_record> out;
  while (views_of_event_.step()) out.push_back(read_view(views_of_event_));
  return out;
}

void sqlite_press_store::add_refusals(const std::vector<press::device_refusal>& refusals) {
  if (refusals.empty()) return;
  transaction tx(db_);
  for (const auto& f : refusals) {
    reset_on_exit r(insert_refusal_);
    insert_refusal_.bind(1, f.event)
        .bind(2, f.grant)
        .bind(3, f.stage)
        .bind(4, f.device)
        .bind(5, f.address)
        .bind(6, f.user_agent)
        .bind(7, f.at);
    insert_refusal_.run();
  }
  tx.commit();
}

std::vector<press::device_refusal> sqlite_press_store::list_refusals(std::string_view event_id) {
  reset_on_exit r(refusals_of_event_);
  refusals_of_event_.bind(1, event_id);
  std::vector<press::device_refusal> out;
  while (refusals_of_event_.step()) out.push_back(read_refusal(refusals_of_event_));
  return out;
}

// --- Settings ------------------------------------------------------------------------------------------

std::optional<press::press_settings> sqlite_press_store::find_settings(std::string_view event_id) {
  reset_on_exit r(settings_by_event_);
  settings_by_event_.bind(1, event_id);
  if (!settings_by_event_.step()) return std::nullopt;
  press::press_settings out;
  out.event_id = std::string(event_id);
  out.accreditation_open = settings_by_event_.integer(0) != 0;
  out.contacts = contacts_from_json(db_, settings_by_event_.text(1), out.event_id);
  out.updated_at = settings_by_event_.int64(2);
  return out;
}

void sqlite_press_store::save_settings(const press::press_settings& s) {
  reset_on_exit r(save_settings_);
  save_settings_.bind(1, s.event_id)
      .bind(2, flag(s.accreditation_open))
      .bind(3, contacts_json(s.contacts))
      .bind(4, s.updated_at);
  save_settings_.run();
}

}  // namespace samling::store
