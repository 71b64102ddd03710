#pragma once
// An event's program (its sessions) as CSV, one row per session, for organizers who plan in a
// spreadsheet: export, edit, import. The event itself (days, rooms, zone) is not in the file:
// an import replaces the sessions of an existing event and is checked against its days and
// rooms. Columns (header names, any order; Swedish names accepted too, docs/api.md):
//   day, starts_at, ends_at, room, kind, track, title_sv, title_en, title_fi, description_sv,
//   description_en, description_fi, speakers, speaker_affiliations_en,
//   speaker_affiliations_fi, session_id, cancelled
// speakers: "Name (affiliation); Name (affiliation)" with the Swedish affiliation; the English
// and Finnish affiliations in their own columns, ";"-separated in the same order. A ";", "(",
// ")" or "\" inside a name or affiliation is written with a backslash before it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "program/import_problem.hpp"
#include "program/model.hpp"

namespace samling::program {

// The sessions of `e` as CSV (UTF-8 BOM, `;`, CRLF), in program order.
std::string program_to_csv(const event& e, char delimiter = ';');

struct program_import {
  std::optional<event> result;          // set only when there are no problems
  std::vector<import_problem> problems;  // every problem, each with its line
};

// `base` with its sessions replaced by those of the CSV `text`. All or nothing: any problem
// (a broken CSV, an unknown column or room, a bad day or time, a session outside the event's
// days, overlapping sessions in one room, a missing title, a duplicate id) and no result.
// Sessions without a session_id get one made from the title (stable: the same file gives the
// same ids). The sessions' `sequence` is left at 0: the file has none, and publishing
// (api/live_program) gives each session its own.
program_import program_from_csv(const event& base, std::string_view text);

// The speakers column's form, both ways (exposed for tests).
std::string speakers_to_cell(const std::vector<speaker>& speakers, std::string_view lang);
std::vector<std::string> split_cell_list(std::string_view cell);

}  // namespace samling::program
