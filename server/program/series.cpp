#include "program/series.hpp"

#include <set>
#include <utility>

namespace samling::program {

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::vector<problem> check_rows(const std::vector<series_event>& rows) {
  std::vector<problem> problems;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const series_event& r = rows[i];
    const std::string where = "events[" + std::to_string(i) + "]";
    auto row_problem = [&](std::string field, std::string what) {
      problems.push_back(problem{"events", i, where, std::move(field), std::move(what)});
    };
    if (!is_date(r.date)) row_problem("date", quoted(r.date) + " is not a valid date (YYYY-MM-DD)");
    if (r.responsible_county.empty()) row_problem("responsible_county", "is required");
    if (r.city.empty()) row_problem("city", "is required");
    if (!r.event_id.empty() && !is_slug(r.event_id))
      row_problem("event_id",
                  quoted(r.event_id) + " is not a URL-safe slug (use a-z, 0-9 and -)");
    if (is_date(r.date) && !r.city.empty() && !seen.insert({r.date, r.city}).second)
      row_problem("date", "another row has the same date and city (" + r.date + ", " + r.city + ")");
  }
  return problems;
}

std::vector<problem> check(const series& s) {
  std::vector<problem> problems;
  if (s.id.empty())
    problems.push_back(problem{"", std::nullopt, "id", "id", "is required"});
  else if (!is_slug(s.id))
    problems.push_back(problem{"", std::nullopt, "id", "id",
                               quoted(s.id) + " is not a URL-safe slug (use a-z, 0-9 and -)"});
  if (auto it = s.name.find("sv"); it == s.name.end() || it->second.empty())
    problems.push_back(
        problem{"", std::nullopt, "name", "name", "a Swedish (\"sv\") name is required"});
  for (problem& p : check_rows(s.events)) problems.push_back(std::move(p));
  return problems;
}

}  // namespace samling::program
