#pragma once
// What the Q&A rules (qa/ops.cpp) need from storage: questions and their voters, polls and
// their votes, and the two Q&A settings. Implemented by store/sqlite_qa_store.*. Every method
// runs on the store's thread inside the op's savepoint (rooms/room_log.hpp); a method that
// writes more than one row is atomic on its own too. Failures throw (store::store_error).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "qa/model.hpp"

namespace samling::qa {

class qa_store {
 public:
  virtual ~qa_store() = default;

  // --- questions ---------------------------------------------------------------------------
  // Stores a new question (its votes and merged_from are ignored: they follow from the votes
  // and from other questions' merged_into). `asked_by` is the sender's user id: the asker, or
  // the moderator who entered a hall question (which has no author id); with q.client_msg_id it
  // recognises a retry. Throws when (room, asked_by, client_msg_id) or the id is taken.
  virtual void insert_question(const question& q, const std::string& asked_by) = 0;
  // Writes text, status, pinned, edited, merged_into, reason and updated_ms of q.id.
  virtual void update_question(const question& q) = 0;
  // With votes (distinct voters) and merged_from (created order).
  virtual std::optional<question> find_question(const std::string& id) = 0;
  // The question this sender asked with this client id in this room (a retried ask).
  virtual std::optional<question> find_question_by_client_id(const std::string& room,
                                                             const std::string& asked_by,
                                                             const std::string& client_msg_id) = 0;
  // The room's pinned question ("now answering"), if any.
  virtual std::optional<question> pinned_question(const std::string& room) = 0;
  // Every question of the room, all statuses, in the order they were asked.
  virtual std::vector<question> questions(const std::string& room) = 0;

  // --- question votes (one per user id and question) ---------------------------------------
  // false: this user had already voted for it (nothing written).
  virtual bool add_vote(const std::string& question_id, const std::string& user_id, std::int64_t at_ms) = 0;
  // false: this user had not voted for it.
  virtual bool remove_vote(const std::string& question_id, const std::string& user_id) = 0;
  // `into` gains every voter of `from` it does not have (a user who voted both counts once).
  virtual void merge_votes(const std::string& from, const std::string& into) = 0;
  // The ids of the room's questions this user has voted for.
  virtual std::vector<std::string> voted_questions(const std::string& room, const std::string& user_id) = 0;
  // The user ids that voted for a question (for the export), in the order they voted.
  virtual std::vector<std::string> voters(const std::string& question_id) = 0;

  // --- polls -------------------------------------------------------------------------------
  // Stores a new poll (counts and voters are ignored).
  virtual void insert_poll(const poll& p) = 0;
  // Writes state, results and updated_ms of p.id.
  virtual void update_poll(const poll& p) = 0;
  // With counts (one per option) and voters (distinct users with a vote).
  virtual std::optional<poll> find_poll(const std::string& id) = 0;
  // Every poll of the room, all states, in the order they were created.
  virtual std::vector<poll> polls(const std::string& room) = 0;
  // This user's choices in a poll, ascending; [] when none.
  virtual std::vector<std::int64_t> poll_choices(const std::string& poll_id, const std::string& user_id) = 0;
  // Replaces this user's choices in a poll; [] takes the vote back.
  virtual void set_poll_choices(const std::string& poll_id, const std::string& user_id,
                                const std::vector<std::int64_t>& choices, std::int64_t at_ms) = 0;
  // This user's choices in each poll of the room they voted in, by poll id.
  virtual std::vector<std::pair<std::string, std::vector<std::int64_t>>> my_poll_votes(
      const std::string& room, const std::string& user_id) = 0;

  // --- settings ----------------------------------------------------------------------------
  // Whether the room's questions wait for a moderator's approval (default false).
  virtual bool premoderated(const std::string& room) = 0;
  virtual void set_premoderated(const std::string& room, bool on) = 0;
  // Whether moderators see the names of anonymous askers (an event setting, default false).
  virtual bool names_to_moderators(const std::string& event_id) = 0;
  virtual void set_names_to_moderators(const std::string& event_id, bool on) = 0;
};

}  // namespace samling::qa
