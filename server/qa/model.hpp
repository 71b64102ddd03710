#pragma once
// Questions and polls of a room (docs/protocol.md, "Q&A and polls"). Plain values; the rules
// are in qa/ops.cpp, the JSON views in qa/views.cpp. No I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/role.hpp"

namespace samling::qa {

enum class question_status { pending, approved, answered, rejected, archived, merged };
enum class question_source { online, hall };

struct question {
  std::string id;               // "q-" + random hex, unique in the server
  std::string room;             // "EVENT_ID/ROOM_ID"
  std::string text;
  question_status status = question_status::pending;
  bool pinned = false;          // "now answering" (at most one per room)
  question_source source = question_source::online;
  bool press = false;           // asked by a press member (their own lane in a press meeting)
  bool anonymous = false;       // the author's name is hidden from the audience
  std::string author_id;        // empty for a hall question
  std::string author_name;      // a hall question's optional name
  auth::role author_role = auth::role::guest;
  std::string client_msg_id;    // the asker's retry key (unique per room and author)
  std::int64_t votes = 0;       // distinct voters (merged questions' voters counted once)
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  bool edited = false;
  std::string merged_into;      // for status merged
  std::vector<std::string> merged_from;
  std::string reason;           // a rejection's reason (asker and staff only)
};

enum class poll_kind { single, multiple };
enum class poll_state { draft, open, closed, archived };
enum class poll_results { live, hidden, revealed };

struct poll {
  std::string id;               // "p-" + random hex
  std::string room;
  std::string text;
  poll_kind kind = poll_kind::single;
  std::vector<std::string> options;   // 2..10
  std::vector<std::int64_t> counts;   // one per option
  std::int64_t voters = 0;            // distinct voters
  poll_state state = poll_state::draft;
  poll_results results = poll_results::live;
  std::string created_by;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

}  // namespace samling::qa
