#include "program/program_csv.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "program/csv.hpp"

namespace samling::program {

namespace {

enum class column {
  day, starts_at, ends_at, room, kind, track, title_sv, title_en, title_fi, description_sv,
  description_en, description_fi, speakers, affiliations_en, affiliations_fi, session_id,
  cancelled
};

struct column_name {
  column c;
  std::string_view canonical;
};

// The export's header, in order.
constexpr column_name columns[] = {
    {column::day, "day"},
    {column::starts_at, "starts_at"},
    {column::ends_at, "ends_at"},
    {column::room, "room"},
    {column::kind, "kind"},
    {column::track, "track"},
    {column::title_sv, "title_sv"},
    {column::title_en, "title_en"},
    {column::title_fi, "title_fi"},
    {column::description_sv, "description_sv"},
    {column::description_en, "description_en"},
    {column::description_fi, "description_fi"},
    {column::speakers, "speakers"},
    {column::affiliations_en, "speaker_affiliations_en"},
    {column::affiliations_fi, "speaker_affiliations_fi"},
    {column::session_id, "session_id"},
    {column::cancelled, "cancelled"},
};

// Other names a header may use (lower-cased, spaces as '_'): Swedish, and obvious variants.
constexpr std::pair<std::string_view, column> aliases[] = {
    {"dag", column::day},
    {"datum", column::day},
    {"date", column::day},
    {"start", column::starts_at},
    {"starts", column::starts_at},
    {"b\xC3\xB6rjar", column::starts_at},
    {"end", column::ends_at},
    {"ends", column::ends_at},
    {"slutar", column::ends_at},
    {"room_id", column::room},
    {"sal", column::room},
    {"rum", column::room},
    {"typ", column::kind},
    {"sp\xC3\xA5r", column::track},
    {"tema", column::track},
    {"titel_sv", column::title_sv},
    {"titel_en", column::title_en},
    {"titel_fi", column::title_fi},
    {"title", column::title_sv},
    {"titel", column::title_sv},
    {"beskrivning_sv", column::description_sv},
    {"beskrivning_en", column::description_en},
    {"beskrivning_fi", column::description_fi},
    {"talare", column::speakers},
    {"id", column::session_id},
    {"inst\xC3\xA4lld", column::cancelled},
};

std::string header_key(std::string_view raw) {
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
  std::string out;
  for (char c : raw) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-') c = '_';
    out += c;
  }
  // Capital Swedish letters in a header ("Börjar" is fine, "BÖRJAR" too).
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"\xC3\x85", "\xC3\xA5"},
                          {"\xC3\x84", "\xC3\xA4"}, {"\xC3\x96", "\xC3\xB6"}})
    for (std::size_t at; (at = out.find(from)) != std::string::npos;) out.replace(at, from.size(), to);
  return out;
}

std::optional<column> column_of(std::string_view raw) {
  const std::string key = header_key(raw);
  for (const auto& c : columns)
    if (c.canonical == key) return c.c;
  for (const auto& [name, c] : aliases)
    if (name == key) return c;
  return std::nullopt;
}

using csv::trim;

// "9:30" and "14.00" (how Finnish writes times) as "09:30" / "14:00"; anything else unchanged,
// for validation to report.
std::string normalize_time(std::string t) {
  if (t.size() == 5 && t[2] == '.') t[2] = ':';
  if (t.size() == 4 && (t[1] == ':' || t[1] == '.') && t[0] >= '0' && t[0] <= '9')
    t = "0" + std::string(1, t[0]) + ":" + t.substr(2);
  return t;
}

std::optional<session_kind> kind_of(const std::string& raw) {
  const std::string k = header_key(raw);
  if (auto kind = session_kind_from_string(k)) return kind;
  if (k == "plenum") return session_kind::plenary;
  if (k == "seminarium") return session_kind::seminar;
  if (k == "paus" || k == "fika" || k == "kaffe") return session_kind::break_time;
  if (k == "lounas") return session_kind::lunch;
  if (k == "presstr\xC3\xA4" "ff" || k == "press_meeting") return session_kind::press;
  return std::nullopt;
}

std::optional<bool> flag_of(const std::string& raw) {
  const std::string v = header_key(raw);
  if (v.empty() || v == "0" || v == "false" || v == "no" || v == "nej" || v == "ei") return false;
  if (v == "1" || v == "true" || v == "yes" || v == "ja" || v == "x" || v == "kyll\xC3\xA4")
    return true;
  return std::nullopt;
}

std::string escape_item(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ';' || c == '(' || c == ')') out += '\\';
    out += c;
  }
  return out;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

std::string text_in(const localized_text& t, const char* lang) {
  auto it = t.find(lang);
  return it == t.end() ? std::string() : it->second;
}

void set_text(localized_text& t, const char* lang, const std::string& value) {
  if (!value.empty()) t[lang] = value;
}

// "Name (affiliation)" with escapes; the affiliation is the text in the last unescaped
// parentheses at the end.
speaker parse_speaker(std::string_view item) {
  const std::string s = trim(item);
  speaker out;
  if (!s.empty() && s.back() == ')' && (s.size() < 2 || s[s.size() - 2] != '\\')) {
    int depth = 0;
    for (std::size_t i = s.size(); i-- > 0;) {
      const bool escaped = i > 0 && s[i - 1] == '\\';
      if (escaped) continue;
      if (s[i] == ')') ++depth;
      if (s[i] == '(' && --depth == 0) {
        out.name = trim(unescape(s.substr(0, i)));
        const std::string aff = trim(unescape(s.substr(i + 1, s.size() - i - 2)));
        if (!aff.empty()) out.affiliation["sv"] = aff;
        return out;
      }
    }
  }
  out.name = trim(unescape(s));
  return out;
}

}  // namespace

std::vector<std::string> split_cell_list(std::string_view cell) {
  std::vector<std::string> items;
  if (trim(cell).empty()) return items;
  std::string current;
  for (std::size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] == '\\' && i + 1 < cell.size()) {
      current += cell[i];
      current += cell[++i];
      continue;
    }
    if (cell[i] == ';') {
      items.push_back(current);
      current.clear();
      continue;
    }
    current += cell[i];
  }
  items.push_back(current);
  return items;
}

std::string speakers_to_cell(const std::vector<speaker>& speakers, std::string_view lang) {
  std::string out;
  for (std::size_t i = 0; i < speakers.size(); ++i) {
    if (i > 0) out += "; ";
    const auto& aff = speakers[i].affiliation;
    if (lang == "sv") {
      out += escape_item(speakers[i].name);
      if (auto it = aff.find("sv"); it != aff.end() && !it->second.empty())
        out += " (" + escape_item(it->second) + ")";
    } else if (auto it = aff.find(std::string(lang)); it != aff.end()) {
      out += escape_item(it->second);
    }
  }
  // Only separators: no speaker has an affiliation in this language.
  if (lang != "sv" && out.find_first_not_of("; ") == std::string::npos) return {};
  return out;
}

std::string program_to_csv(const event& e, char delimiter) {
  std::map<std::string_view, const room*> rooms;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (const auto& c : columns) header.emplace_back(c.canonical);
  rows.push_back(std::move(header));
  for (const session& s : e.sessions) {
    rows.push_back({s.day,
                    s.starts_at,
                    s.ends_at,
                    s.room_id,
                    std::string(to_string(s.kind)),
                    s.track,
                    text_in(s.title, "sv"),
                    text_in(s.title, "en"),
                    text_in(s.title, "fi"),
                    text_in(s.description, "sv"),
                    text_in(s.description, "en"),
                    text_in(s.description, "fi"),
                    speakers_to_cell(s.speakers, "sv"),
                    speakers_to_cell(s.speakers, "en"),
                    speakers_to_cell(s.speakers, "fi"),
                    s.id,
                    s.cancelled ? "true" : "false"});
  }
  return csv::write(rows, delimiter, true);
}

program_import program_from_csv(const event& base, std::string_view text) {
  program_import out;
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
    problem_at(1, "", "the file is empty: a header line is required (day;starts_at;ends_at;room;…)");
    return out;
  }

  // The header: which column is which.
  const csv::record& header = records.front();
  auto where = csv::header_columns<column>(header, column_of, problem_at);
  for (column required : {column::day, column::starts_at, column::ends_at, column::room})
    if (!where.count(required))
      for (const auto& c : columns)
        if (c.c == required) problem_at(header.line, std::string(c.canonical), "column is required");
  if (!where.count(column::title_sv) && !where.count(column::title_en) &&
      !where.count(column::title_fi))
    problem_at(header.line, "title_sv", "a title column (title_sv, title_en or title_fi) is required");
  if (!out.problems.empty()) return out;
  if (records.size() == 1) {
    // An import replaces every session: a header alone would empty the program, which is far
    // more often a wrong file than the intent.
    problem_at(header.line, "", "the file has a header but no sessions (an import replaces every session of the event)");
    return out;
  }

  // Rooms by id, and by name in any language (a person types "Sal A", not "seminar-a").
  std::map<std::string, std::string> room_ids;
  for (const room& r : base.rooms)
    for (const auto& [lang, name] : r.name)
      if (!name.empty()) room_ids.emplace(name, r.id);
  for (const room& r : base.rooms) room_ids[r.id] = r.id;
  std::map<std::string_view, const room*> room_by_id;
  for (const room& r : base.rooms) room_by_id.emplace(r.id, &r);

  event e = base;
  e.sessions.clear();
  std::vector<std::size_t> lines;  // record line of each session
  std::vector<bool> generated_id;
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
      return rec.fields[it->second];
    };
    session s;
    s.day = trim(cell(column::day));
    s.starts_at = normalize_time(trim(cell(column::starts_at)));
    s.ends_at = normalize_time(trim(cell(column::ends_at)));
    const std::string room_text = trim(cell(column::room));
    if (auto it = room_ids.find(room_text); it != room_ids.end())
      s.room_id = it->second;
    else
      s.room_id = room_text;  // validation reports it as unknown
    const std::string kind = trim(cell(column::kind));
    if (kind.empty()) {
      // The room says what a session in it usually is.
      auto r = room_by_id.find(s.room_id);
      const room_kind rk = r == room_by_id.end() ? room_kind::main_stage : r->second->kind;
      s.kind = rk == room_kind::seminar ? session_kind::seminar
               : rk == room_kind::press ? session_kind::press
                                        : session_kind::plenary;
    } else if (auto k = kind_of(kind)) {
      s.kind = *k;
    } else {
      problem_at(rec.line, "kind",
                 "unknown kind \"" + kind + "\" (expected plenary, seminar, break, lunch or press)");
    }
    s.track = trim(cell(column::track));
    set_text(s.title, "sv", trim(cell(column::title_sv)));
    set_text(s.title, "en", trim(cell(column::title_en)));
    set_text(s.title, "fi", trim(cell(column::title_fi)));
    set_text(s.description, "sv", cell(column::description_sv));
    set_text(s.description, "en", cell(column::description_en));
    set_text(s.description, "fi", cell(column::description_fi));
    for (const std::string& item : split_cell_list(cell(column::speakers)))
      s.speakers.push_back(parse_speaker(item));
    for (auto [c, lang] : {std::pair{column::affiliations_en, "en"},
                           std::pair{column::affiliations_fi, "fi"}}) {
      const auto items = split_cell_list(cell(c));
      if (items.size() > s.speakers.size()) {
        problem_at(rec.line, c == column::affiliations_en ? "speaker_affiliations_en"
                                                          : "speaker_affiliations_fi",
                   "has " + std::to_string(items.size()) + " affiliations for " +
                       std::to_string(s.speakers.size()) + " speakers");
        continue;
      }
      for (std::size_t k = 0; k < items.size(); ++k) {
        const std::string aff = trim(unescape(trim(items[k])));
        if (!aff.empty()) s.speakers[k].affiliation[lang] = aff;
      }
    }
    const std::string cancelled = trim(cell(column::cancelled));
    if (auto f = flag_of(cancelled))
      s.cancelled = *f;
    else
      problem_at(rec.line, "cancelled", "\"" + cancelled + "\" is not yes or no (true/false, 1/0)");
    s.id = trim(cell(column::session_id));
    generated_id.push_back(s.id.empty());
    lines.push_back(rec.line);
    e.sessions.push_back(std::move(s));
  }

  // Ids for rows without one, after every given id is known so none is taken twice: the
  // title's slug, then "-2", "-3", … in file order (stable for the same file).
  std::set<std::string> taken;
  for (std::size_t i = 0; i < e.sessions.size(); ++i)
    if (!generated_id[i]) taken.insert(e.sessions[i].id);
  for (std::size_t i = 0; i < e.sessions.size(); ++i) {
    if (!generated_id[i]) continue;
    session& s = e.sessions[i];
    std::string stem = slugify(localized(s.title, "sv"));
    if (stem.empty()) stem = "session";
    std::string id = stem;
    for (int k = 2; taken.count(id); ++k) id = stem + "-" + std::to_string(k);
    taken.insert(id);
    s.id = id;
  }

  // The model's rules, each problem on the line its session came from.
  static const std::map<std::string, std::string, std::less<>> csv_field = {
      {"room_id", "room"}, {"id", "session_id"}};
  for (const problem& p : check(e)) {
    if (p.list == "sessions" && p.index && *p.index < lines.size()) {
      std::string field = p.field;
      if (auto it = csv_field.find(field); it != csv_field.end()) field = it->second;
      // "overlaps sessions[4] (\"x\")": name the other session by its line instead.
      std::string message = p.message;
      constexpr std::string_view overlap = "overlaps sessions[";
      if (message.rfind(overlap, 0) == 0) {
        std::size_t other = 0, at = overlap.size();
        while (at < message.size() && message[at] >= '0' && message[at] <= '9')
          other = other * 10 + static_cast<std::size_t>(message[at++] - '0');
        if (at < message.size() && message[at] == ']' && other < lines.size())
          message.replace(9, at + 1 - 9, "the session on line " + std::to_string(lines[other]));
      }
      problem_at(lines[*p.index], field, message);
    } else {
      problem_at(0, p.field, p.where + ": " + p.message);
    }
  }
  std::stable_sort(out.problems.begin(), out.problems.end(),
                   [](const import_problem& a, const import_problem& b) { return a.line < b.line; });
  if (!out.problems.empty()) return out;

  normalize(e);
  out.result = std::move(e);
  return out;
}

}  // namespace samling::program
