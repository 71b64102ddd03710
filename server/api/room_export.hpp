#pragma once
// A room's record after a session, as files (docs/api.md, "Q&A, moderation and the projector",
// exports): its questions with votes and status, its chat, its polls' results, and the event's
// moderation log, each as CSV (RFC 4180: quoted fields, CRLF, a UTF-8 BOM for spreadsheets, `,`
// as the registrations export writes it). Times in CSV are the event's wall-clock time
// ("2027-03-26 10:15:02"), in JSON milliseconds since the epoch as on the wire. No I/O.
#include <string>
#include <string_view>
#include <vector>

#include "qa/model.hpp"
#include "rooms/chat_store.hpp"

namespace samling::api::room_export {

// One CSV cell: quoted when it holds `,`, `;`, a quote or a line break; a cell that a
// spreadsheet would run as a formula (starting with = + - @) gets a leading apostrophe, as in
// the registrations export: chat and questions are text anyone could type.
std::string csv_cell(std::string_view v);
// The rows with CRLF line ends, after a UTF-8 BOM.
std::string csv(const std::vector<std::vector<std::string>>& rows);

// `ms` as the event's wall-clock time "YYYY-MM-DD HH:MM:SS" in `zone` (UTC with "Z" when the
// zone is unknown); "" for 0.
std::string local_time(std::int64_t ms, std::string_view zone);

// The names of the values as in the protocol's objects ("approved", "hall", "multiple", …).
std::string_view to_string(qa::question_status s);
std::string_view to_string(qa::question_source s);
std::string_view to_string(qa::poll_kind k);
std::string_view to_string(qa::poll_state s);
std::string_view to_string(qa::poll_results r);

// The author as moderators see them: empty when the question is anonymous and the event does
// not show anonymous askers' names to moderators; a hall question's optional name.
std::string author_name_for_staff(const qa::question& q, bool names_to_moderators);

// questions.csv: one row per question, every status (merged ones name the question they went into).
std::string questions_csv(const std::vector<qa::question>& questions, bool names_to_moderators,
                          std::string_view zone);
// chat.csv: one row per message (the caller passes those not deleted and not held).
std::string chat_csv(const std::vector<rooms::chat_message>& messages, std::string_view zone);
// polls.csv: one row per option of each poll, with its votes and the poll's distinct voters.
std::string polls_csv(const std::vector<qa::poll>& polls, std::string_view zone);

}  // namespace samling::api::room_export
