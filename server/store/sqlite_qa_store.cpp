#include "store/sqlite_qa_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "qa/names.hpp"

namespace samling::store {

namespace {

constexpr std::string_view question_columns =
    "id, room, text, status, pinned, source, press, anonymous, author_id, author_name, author_role, "
    "client_msg_id, votes, created_ms, updated_ms, edited, merged_into, reason";
constexpr std::string_view poll_columns =
    "id, room, text, kind, options, state, results, created_by, created_ms, updated_ms";

std::string select_questions(std::string_view rest) {
  return "SELECT " + std::string(question_columns) + " FROM questions " + std::string(rest);
}
std::string select_polls(std::string_view rest) {
  return "SELECT " + std::string(poll_columns) + " FROM polls " + std::string(rest);
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

// Reads a row selected with question_columns, in that order.
qa::question read_question(const sqlite_db& db, const statement& s) {
  qa::question q;
  q.id = s.text(0);
  q.room = s.text(1);
  q.text = s.text(2);
  q.status = known(db, qa::status_from_string(s.text(3)), "the status", q.id, s.text(3));
  q.pinned = s.integer(4) != 0;
  q.source = known(db, qa::source_from_string(s.text(5)), "the source", q.id, s.text(5));
  q.press = s.integer(6) != 0;
  q.anonymous = s.integer(7) != 0;
  q.author_id = s.text(8);
  q.author_name = s.text(9);
  q.author_role = known(db, auth::role_from_string(s.text(10)), "the author_role", q.id, s.text(10));
  q.client_msg_id = s.text(11);
  q.votes = s.int64(12);
  q.created_ms = s.int64(13);
  q.updated_ms = s.int64(14);
  q.edited = s.integer(15) != 0;
  q.merged_into = s.text(16);
  q.reason = s.text(17);
  return q;
}

qa::poll read_poll(const sqlite_db& db, const statement& s) {
  qa::poll p;
  p.id = s.text(0);
  p.room = s.text(1);
  p.text = s.text(2);
  p.kind = known(db, qa::kind_from_string(s.text(3)), "the kind", p.id, s.text(3));
  try {
    const auto options = boost::json::parse(s.text(4));
    for (const auto& v : options.as_array()) p.options.emplace_back(v.as_string());
  } catch (const std::exception& e) {
    throw store_error(db.path() + ": the options of poll " + p.id + " are not a JSON array of strings: " + e.what());
  }
  p.state = known(db, qa::state_from_string(s.text(5)), "the state", p.id, s.text(5));
  p.results = known(db, qa::results_from_string(s.text(6)), "the results", p.id, s.text(6));
  p.created_by = s.text(7);
  p.created_ms = s.int64(8);
  p.updated_ms = s.int64(9);
  p.counts.assign(p.options.size(), 0);
  return p;
}

std::int64_t flag(bool b) { return b ? 1 : 0; }

}  // namespace

sqlite_qa_store::sqlite_qa_store(sqlite_db& db)
    : db_(db),
      insert_question_(db, "INSERT INTO questions (" + std::string(question_columns) +
                               ", asked_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, ?13, ?14, "
                               "?15, ?16, ?17, ?18)"),
      update_question_(db, "UPDATE questions SET text = ?2, status = ?3, pinned = ?4, edited = ?5, "
                           "merged_into = ?6, reason = ?7, updated_ms = ?8 WHERE id = ?1"),
      question_by_id_(db, select_questions("WHERE id = ?1")),
      question_by_client_id_(db, select_questions("WHERE room = ?1 AND asked_by = ?2 AND client_msg_id = ?3")),
      pinned_question_(db, select_questions("WHERE room = ?1 AND pinned = 1")),
      // rowid breaks a tie of the same millisecond in the order of asking.
      questions_in_room_(db, select_questions("WHERE room = ?1 ORDER BY created_ms, rowid")),
      merged_from_(db, "SELECT id FROM questions WHERE merged_into = ?1 ORDER BY created_ms, rowid"),
      // RETURNING tells "stored" from "already there" without a second query.
      add_vote_(db, "INSERT INTO question_votes (question_id, user_id, at_ms) VALUES (?1, ?2, ?3) "
                    "ON CONFLICT DO NOTHING RETURNING 1"),
      remove_vote_(db, "DELETE FROM question_votes WHERE question_id = ?1 AND user_id = ?2 RETURNING 1"),
      // questions.votes is the count of its voters, kept with every change of them so lists and
      // tallies read one column instead of counting.
      count_vote_(db, "UPDATE questions SET votes = votes + ?2 WHERE id = ?1"),
      merge_votes_(db, "INSERT OR IGNORE INTO question_votes (question_id, user_id, at_ms) "
                       "SELECT ?2, user_id, at_ms FROM question_votes WHERE question_id = ?1"),
      recount_votes_(db, "UPDATE questions SET votes = (SELECT count(*) FROM question_votes WHERE question_id = ?1) "
                         "WHERE id = ?1"),
      voted_questions_(db, "SELECT v.question_id FROM question_votes v JOIN questions q ON q.id = v.question_id "
                           "WHERE v.user_id = ?2 AND q.room = ?1 ORDER BY q.created_ms, q.rowid"),
      voters_(db, "SELECT user_id FROM question_votes WHERE question_id = ?1 ORDER BY at_ms, user_id"),
      insert_poll_(db, "INSERT INTO polls (" + std::string(poll_columns) +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
      update_poll_(db, "UPDATE polls SET state = ?2, results = ?3, updated_ms = ?4 WHERE id = ?1"),
      poll_by_id_(db, select_polls("WHERE id = ?1")),
      polls_in_room_(db, select_polls("WHERE room = ?1 ORDER BY created_ms, rowid")),
      poll_counts_(db, "SELECT choice, count(*) FROM poll_votes WHERE poll_id = ?1 GROUP BY choice"),
      poll_voters_(db, "SELECT count(DISTINCT user_id) FROM poll_votes WHERE poll_id = ?1"),
      poll_choices_(db, "SELECT choice FROM poll_votes WHERE poll_id = ?1 AND user_id = ?2 ORDER BY choice"),
      delete_poll_choices_(db, "DELETE FROM poll_votes WHERE poll_id = ?1 AND user_id = ?2"),
      insert_poll_choice_(db, "INSERT INTO poll_votes (poll_id, user_id, choice, at_ms) VALUES (?1, ?2, ?3, ?4)"),
      my_poll_votes_(db, "SELECT v.poll_id, v.choice FROM poll_votes v JOIN polls p ON p.id = v.poll_id "
                         "WHERE p.room = ?1 AND v.user_id = ?2 ORDER BY p.created_ms, p.rowid, v.choice"),
      premoderated_(db, "SELECT premoderated FROM qa_room_settings WHERE room = ?1"),
      set_premoderated_(db, "INSERT INTO qa_room_settings (room, premoderated) VALUES (?1, ?2) "
                            "ON CONFLICT (room) DO UPDATE SET premoderated = excluded.premoderated"),
      names_to_moderators_(db, "SELECT names_to_moderators FROM qa_event_settings WHERE event_id = ?1"),
      set_names_to_moderators_(db, "INSERT INTO qa_event_settings (event_id, names_to_moderators) VALUES (?1, ?2) "
                                   "ON CONFLICT (event_id) DO UPDATE SET "
                                   "names_to_moderators = excluded.names_to_moderators") {}

// --- questions -------------------------------------------------------------------------------

void sqlite_qa_store::insert_question(const qa::question& q, const std::string& asked_by) {
  reset_on_exit reset(insert_question_);
  insert_question_.bind(1, q.id)
      .bind(2, q.room)
      .bind(3, q.text)
      .bind(4, qa::to_string(q.status))
      .bind(5, flag(q.pinned))
      .bind(6, qa::to_string(q.source))
      .bind(7, flag(q.press))
      .bind(8, flag(q.anonymous))
      .bind(9, q.author_id)
      .bind(10, q.author_name)
      .bind(11, auth::to_string(q.author_role))
      .bind(12, q.client_msg_id)
      .bind(13, q.created_ms)
      .bind(14, q.updated_ms)
      .bind(15, flag(q.edited))
      .bind(16, q.merged_into)
      .bind(17, q.reason)
      .bind(18, asked_by)
      .run();
}

void sqlite_qa_store::update_question(const qa::question& q) {
  reset_on_exit reset(update_question_);
  update_question_.bind(1, q.id)
      .bind(2, q.text)
      .bind(3, qa::to_string(q.status))
      .bind(4, flag(q.pinned))
      .bind(5, flag(q.edited))
      .bind(6, q.merged_into)
      .bind(7, q.reason)
      .bind(8, q.updated_ms)
      .run();
}

std::optional<qa::question> sqlite_qa_store::one_question(statement& s) {
  std::optional<qa::question> q;
  {
    reset_on_exit reset(s);
    if (!s.step()) return std::nullopt;
    q = read_question(db_, s);
  }
  q->merged_from = merged_from(q->id);
  return q;
}

std::vector<std::string> sqlite_qa_store::merged_from(const std::string& id) {
  reset_on_exit reset(merged_from_);
  merged_from_.bind(1, id);
  std::vector<std::string> out;
  while (merged_from_.step()) out.push_back(merged_from_.text(0));
  return out;
}

std::optional<qa::question> sqlite_qa_store::find_question(const std::string& id) {
  question_by_id_.bind(1, id);
  return one_question(question_by_id_);
}

std::optional<qa::question> sqlite_qa_store::find_question_by_client_id(const std::string& room,
                                                                        const std::string& asked_by,
                                                                        const std::string& client_msg_id) {
  question_by_client_id_.bind(1, room).bind(2, asked_by).bind(3, client_msg_id);
  return one_question(question_by_client_id_);
}

std::optional<qa::question> sqlite_qa_store::pinned_question(const std::string& room) {
  pinned_question_.bind(1, room);
  return one_question(pinned_question_);
}

std::vector<qa::question> sqlite_qa_store::questions(const std::string& room) {
  std::vector<qa::question> out;
  {
    reset_on_exit reset(questions_in_room_);
    questions_in_room_.bind(1, room);
    while (questions_in_room_.step()) out.push_back(read_question(db_, questions_in_room_));
  }
  // A merge stays within its room: merged_from follows from the room's rows, in their order.
  for (const auto& source : out)
    if (!source.merged_into.empty())
      for (auto& target : out)
        if (target.id == source.merged_into) target.merged_from.push_back(source.id);
  return out;
}

// --- question votes --------------------------------------------------------------------------

bool sqlite_qa_store::add_vote(const std::string& question_id, const std::string& user_id, std::int64_t at_ms) {
  transaction tx(db_);
  bool added = false;
  {
    reset_on_exit reset(add_vote_);
    added = add_vote_.bind(1, question_id).bind(2, user_id).bind(3, at_ms).step();
  }
  if (!added) return false;
  {
    reset_on_exit reset(count_vote_);
    count_vote_.bind(1, question_id).bind(2, std::int64_t{1}).run();
  }
  tx.commit();
  return true;
}

bool sqlite_qa_store::remove_vote(const std::string& question_id, const std::string& user_id) {
  transaction tx(db_);
  bool removed = false;
  {
    reset_on_exit reset(remove_vote_);
    removed = remove_vote_.bind(1, question_id).bind(2, user_id).step();
  }
  if (!removed) return false;
  {
    reset_on_exit reset(count_vote_);
    count_vote_.bind(1, question_id).bind(2, std::int64_t{-1}).run();
  }
  tx.commit();
  return true;
}

void sqlite_qa_store::merge_votes(const std::string& from, const std::string& into) {
  transaction tx(db_);
  {
    reset_on_exit reset(merge_votes_);
    merge_votes_.bind(1, from).bind(2, into).run();
  }
  {
    reset_on_exit reset(recount_votes_);
    recount_votes_.bind(1, into).run();
  }
  tx.commit();
}

std::vector<std::string> sqlite_qa_store::voted_questions(const std::string& room, const std::string& user_id) {
  reset_on_exit reset(voted_questions_);
  voted_questions_.bind(1, room).bind(2, user_id);
  std::vector<std::string> out;
  while (voted_questions_.step()) out.push_back(voted_questions_.text(0));
  return out;
}

std::vector<std::string> sqlite_qa_store::voters(const std::string& question_id) {
  reset_on_exit reset(voters_);
  voters_.bind(1, question_id);
  std::vector<std::string> out;
  while (voters_.step()) out.push_back(voters_.text(0));
  return out;
}

// --- polls -----------------------------------------------------------------------------------

void sqlite_qa_store::insert_poll(const qa::poll& p) {
  boost::json::array options;
  for (const auto& o : p.options) options.emplace_back(o);
  reset_on_exit reset(insert_poll_);
  insert_poll_.bind(1, p.id)
      .bind(2, p.room)
      .bind(3, p.text)
      .bind(4, qa::to_string(p.kind))
      .bind(5, boost::json::serialize(options))
      .bind(6, qa::to_string(p.state))
      .bind(7, qa::to_string(p.results))
      .bind(8, p.created_by)
      .bind(9, p.created_ms)
      .bind(10, p.updated_ms)
      .run();
}

void sqlite_qa_store::update_poll(const qa::poll& p) {
  reset_on_exit reset(update_poll_);
  update_poll_.bind(1, p.id)
      .bind(2, qa::to_string(p.state))
      .bind(3, qa::to_string(p.results))
      .bind(4, p.updated_ms)
      .run();
}

void sqlite_qa_store::count_poll(qa::poll& p) {
  {
    reset_on_exit reset(poll_counts_);
    poll_counts_.bind(1, p.id);
    while (poll_counts_.step()) {
      const auto choice = poll_counts_.int64(0);
      // A vote for an option the poll does not have cannot be written by vote_poll: skip it.
      if (choice >= 0 && choice < static_cast<std::int64_t>(p.counts.size()))
        p.counts[static_cast<std::size_t>(choice)] = poll_counts_.int64(1);
    }
  }
  reset_on_exit reset(poll_voters_);
  poll_voters_.bind(1, p.id);
  p.voters = poll_voters_.step() ? poll_voters_.int64(0) : 0;
}

std::optional<qa::poll> sqlite_qa_store::one_poll(statement& s) {
  std::optional<qa::poll> p;
  {
    reset_on_exit reset(s);
    if (!s.step()) return std::nullopt;
    p = read_poll(db_, s);
  }
  count_poll(*p);
  return p;
}

std::optional<qa::poll> sqlite_qa_store::find_poll(const std::string& id) {
  poll_by_id_.bind(1, id);
  return one_poll(poll_by_id_);
}

std::vector<qa::poll> sqlite_qa_store::polls(const std::string& room) {
  std::vector<qa::poll> out;
  {
    reset_on_exit reset(polls_in_room_);
    polls_in_room_.bind(1, room);
    while (polls_in_room_.step()) out.push_back(read_poll(db_, polls_in_room_));
  }
  for (auto& p : out) count_poll(p);
  return out;
}

std::vector<std::int64_t> sqlite_qa_store::poll_choices(const std::string& poll_id, const std::string& user_id) {
  reset_on_exit reset(poll_choices_);
  poll_choices_.bind(1, poll_id).bind(2, user_id);
  std::vector<std::int64_t> out;
  while (poll_choices_.step()) out.push_back(poll_choices_.int64(0));
  return out;
}

void sqlite_qa_store::set_poll_choices(const std::string& poll_id, const std::string& user_id,
                                       const std::vector<std::int64_t>& choices, std::int64_t at_ms) {
  transaction tx(db_);
  {
    reset_on_exit reset(delete_poll_choices_);
    delete_poll_choices_.bind(1, poll_id).bind(2, user_id).run();
  }
  for (auto c : choices) {
    reset_on_exit reset(insert_poll_choice_);
    insert_poll_choice_.bind(1, poll_id).bind(2, user_id).bind(3, c).bind(4, at_ms).run();
  }
  tx.commit();
}

std::vector<std::pair<std::string, std::vector<std::int64_t>>> sqlite_qa_store::my_poll_votes(
    const std::string& room, const std::string& user_id) {
  reset_on_exit reset(my_poll_votes_);
  my_poll_votes_.bind(1, room).bind(2, user_id);
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> out;
  while (my_poll_votes_.step()) {
    auto id = my_poll_votes_.text(0);
    if (out.empty() || out.back().first != id) out.emplace_back(std::move(id), std::vector<std::int64_t>{});
    out.back().second.push_back(my_poll_votes_.int64(1));
  }
  return out;
}

// --- settings --------------------------------------------------------------------------------

bool sqlite_qa_store::premoderated(const std::string& room) {
  reset_on_exit reset(premoderated_);
  premoderated_.bind(1, room);
  return premoderated_.step() && premoderated_.integer(0) != 0;
}

void sqlite_qa_store::set_premoderated(const std::string& room, bool on) {
  reset_on_exit reset(set_premoderated_);
  set_premoderated_.bind(1, room).bind(2, flag(on)).run();
}

bool sqlite_qa_store::names_to_moderators(const std::string& event_id) {
  reset_on_exit reset(names_to_moderators_);
  names_to_moderators_.bind(1, event_id);
  return names_to_moderators_.step() && names_to_moderators_.integer(0) != 0;
}

void sqlite_qa_store::set_names_to_moderators(const std::string& event_id, bool on) {
  reset_on_exit reset(set_names_to_moderators_);
  set_names_to_moderators_.bind(1, event_id).bind(2, flag(on)).run();
}

}  // namespace samling::store
