#include "program/series_csv.hpp"

#include <algorithm>
#include <map>

#include "program/csv.hpp"

namespace samling::program {

namespace {

enum class column { date, responsible, cohost, city, event_id };

using csv::trim;

std::string key_of(std::string_view raw) {
  std::string out;
  for (char c : trim(raw)) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-') c = '_';
    out += c;
  }
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"\xC3\x85", "\xC3\xA5"},
                          {"\xC3\x84", "\xC3\xA4"}, {"\xC3\x96", "\xC3\xB6"}})
    for (std::size_t at; (at = out.find(from)) != std::string::npos;) out.replace(at, from.size(), to);
  return out;
}

std::optional<column> column_of(std::string_view raw) {
  static const std::map<std::string, column, std::less<>> names = {
      {"date", column::date},
      {"datum", column::date},
      {"responsible_county", column::responsible},
      {"ansvarigt_l\xC3\xA4n", column::responsible},
      {"cohost_county", column::cohost},
      {"co_hosting_county", column::cohost},
      {"cohosting_county", column::cohost},
      {"medarrangerande_l\xC3\xA4n", column::cohost},
      {"samverkande_l\xC3\xA4n", column::cohost},
      {"city", column::city},
      {"ort", column::city},
      {"konferensort", column::city},
      {"event_id", column::event_id},
      {"event", column::event_id},
  };
  auto it = names.find(key_of(raw));
  if (it == names.end()) return std::nullopt;
  return it->second;
}

constexpr std::pair<column, std::string_view> field_names[] = {
    {column::date, "date"},
    {column::responsible, "responsible_county"},
    {column::cohost, "cohost_county"},
    {column::city, "city"},
    {column::event_id, "event_id"},
};

std::string field_name(column c) {
  for (auto [col, name] : field_names)
    if (col == c) return std::string(name);
  return {};
}

}  // namespace

std::string series_rows_to_csv(const series& s, char delimiter) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"date", "responsible_county", "cohost_county", "city", "event_id"});
  for (const series_event& r : s.events)
    rows.push_back({r.date, r.responsible_county, r.cohost_county, r.city, r.event_id});
  return csv::write(rows, delimiter, true);
}

series_rows_import series_rows_from_csv(std::string_view text) {
  series_rows_import out;
  auto problem_at = [&](std::size_t line, std::string field, std::string message) {
    out.problems.push_back(import_problem{line, std::move(field), std::move(message)});
  };
  csv::parse_result parsed = csv::parse(text);
  if (parsed.error) {
    problem_at(parsed.error->line, "", parsed.error->message);
    return out;
  }
  const auto& records = parsed.data.records;
  if (records.empty()) {
    problem_at(1, "", "the file is empty: a header line is required (date;responsible_county;cohost_county;city)");
    return out;
  }
  const csv::record& header = records.front();
  auto where = csv::header_columns<column>(header, column_of, problem_at);
  for (column c : {column::date, column::responsible, column::cohost, column::city})
    if (!where.count(c)) problem_at(header.line, field_name(c), "column is required");
  if (!out.problems.empty()) return out;

  std::vector<series_event> rows;
  std::vector<std::size_t> lines;
  for (std::size_t n = 1; n < records.size(); ++n) {
    const csv::record& rec = records[n];
    if (rec.fields.size() > header.fields.size()) {
      problem_at(rec.line, "", "has " + std::to_string(rec.fields.size()) +
                                   " fields, the header has " +
                                   std::to_string(header.fields.size()));
      continue;
    }
    auto cell = [&](column c) -> std::string {
      auto it = where.find(c);
      if (it == where.end() || it->second >= rec.fields.size()) return {};
      return trim(rec.fields[it->second]);
    };
    series_event r;
    r.date = cell(column::date);
    r.responsible_county = cell(column::responsible);
    r.cohost_county = cell(column::cohost);
    if (r.cohost_county == "-" || r.cohost_county == "\xE2\x80\x93") r.cohost_county.clear();
    r.city = cell(column::city);
    r.event_id = cell(column::event_id);
    rows.push_back(std::move(r));
    lines.push_back(rec.line);
  }
  for (const problem& p : check_rows(rows))
    problem_at(p.index && *p.index < lines.size() ? lines[*p.index] : 0, p.field, p.message);
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const import_problem& a, const import_problem& b) { return a.line < b.line; });
  if (out.problems.empty()) out.rows = std::move(rows);
  return out;
}

}  // namespace samling::program
