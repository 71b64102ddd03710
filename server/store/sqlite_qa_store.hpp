#pragma once
// SQLite implementation of qa::qa_store over the tables of migration 12 (questions,
// question_votes, polls, poll_votes, qa_room_settings, qa_event_settings). Keeps its prepared
// statements for the life of the object. Not thread-safe: owned by the store's one blocking
// thread, like sqlite_chat_store; the sqlite_db must outlive it.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "qa/qa_store.hpp"
#include "store/sqlite_db.hpp"
#include "store/statement.hpp"

namespace samling::store {

class sqlite_qa_store final : public qa::qa_store {
 public:
  // Prepares every statement now, so a schema this code does not match fails at start-up.
  explicit sqlite_qa_store(sqlite_db& db);

  void insert_question(const qa::question& q, const std::string& asked_by) override;
  void update_question(const qa::question& q) override;
  std::optional<qa::question> find_question(const std::string& id) override;
  std::optional<qa::question> find_question_by_client_id(const std::string& room, const std::string& asked_by,
                                                         const std::string& client_msg_id) override;
  std::optional<qa::question> pinned_question(const std::string& room) override;
  std::vector<qa::question> questions(const std::string& room) override;

  bool add_vote(const std::string& question_id, const std::string& user_id, std::int64_t at_ms) override;
  bool remove_vote(const std::string& question_id, const std::string& user_id) override;
  void merge_votes(const std::string& from, const std::string& into) override;
  std::vector<std::string> voted_questions(const std::string& room, const std::string& user_id) override;
  std::vector<std::string> voters(const std::string& question_id) override;

  void insert_poll(const qa::poll& p) override;
  void update_poll(const qa::poll& p) override;
  std::optional<qa::poll> find_poll(const std::string& id) override;
  std::vector<qa::poll> polls(const std::string& room) override;
  std::vector<std::int64_t> poll_choices(const std::string& poll_id, const std::string& user_id) override;
  void set_poll_choices(const std::string& poll_id, const std::string& user_id,
                        const std::vector<std::int64_t>& choices, std::int64_t at_ms) override;
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> my_poll_votes(const std::string& room,
                                                                               const std::string& user_id) override;

  bool premoderated(const std::string& room) override;
  void set_premoderated(const std::string& room, bool on) override;
  bool names_to_moderators(const std::string& event_id) override;
  void set_names_to_moderators(const std::string& event_id, bool on) override;

 private:
  std::optional<qa::question> one_question(statement& s);
  std::vector<std::string> merged_from(const std::string& id);
  std::optional<qa::poll> one_poll(statement& s);
  void count_poll(qa::poll& p);

  sqlite_db& db_;
  statement insert_question_;
  statement update_question_;
  statement question_by_id_;
  statement question_by_client_id_;
  statement pinned_question_;
  statement questions_in_room_;
  statement merged_from_;
  statement add_vote_;
  statement remove_vote_;
  statement count_vote_;
  statement merge_votes_;
  statement recount_votes_;
  statement voted_questions_;
  statement voters_;
  statement insert_poll_;
  statement update_poll_;
  statement poll_by_id_;
  statement polls_in_room_;
  statement poll_counts_;
  statement poll_voters_;
  statement poll_choices_;
  statement delete_poll_choices_;
  statement insert_poll_choice_;
  statement my_poll_votes_;
  statement premoderated_;
  statement set_premoderated_;
  statement names_to_moderators_;
  statement set_names_to_moderators_;
};

}  // namespace samling::store
