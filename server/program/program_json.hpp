#pragma once
// JSON form of the program model: what /api/v1/ returns and what demo data files contain.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "program/model.hpp"
#include "program/series.hpp"

namespace samling::program {

boost::json::value to_json(const event& e);
boost::json::value to_json(const event_summary& s);

// Parses an event from JSON; on failure returns nullopt and appends messages naming the field
// (e.g. "sessions[2].starts_at: expected a string") to `errors`. Once the shape is right it runs
// validate() and appends its problems (e.g. "sessions[3] (\"s-health\"): room \"x\" does not
// exist"). A returned event is valid and normalized.
std::optional<event> event_from_json(const boost::json::value& v, std::vector<std::string>& errors);

// A series: {"id","name","organizer","description","events":[row…]}; a row:
// {"date","responsible_county","cohost_county","city","event_id": "…" | null}.
boost::json::value to_json(const series& s);
boost::json::value to_json(const series_summary& s);
boost::json::value to_json(const series_event& row);
// Parses a series (shape errors with their paths, then check()'s problems, into `errors`).
std::optional<series> series_from_json(const boost::json::value& v, std::vector<std::string>& errors);
// Parses {"events":[row…]} or a bare array of rows.
std::optional<std::vector<series_event>> series_rows_from_json(const boost::json::value& v,
                                                               std::vector<std::string>& errors);

// Localized text as a JSON object {"sv": "...", "en": "..."}; stores keep it in this form too.
boost::json::object to_json(const localized_text& t);
// Reads {lang: text}. On a wrong type appends "<path>: ..." messages to `errors` and returns
// false; `path` names the field in those messages (e.g. "rooms[2].name").
bool localized_from_json(const boost::json::value& v, std::string_view path, localized_text& out,
                         std::vector<std::string>& errors);

}  // namespace samling::program
