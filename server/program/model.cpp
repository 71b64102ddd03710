#include "program/model.hpp"

#include <algorithm>
#include <climits>
#include <set>
#include <tuple>

#include "program/timezone.hpp"

namespace samling::program {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digits(std::string_view s, std::size_t from, std::size_t count) {
  int value = 0;
  for (std::size_t i = from; i < from + count; ++i) value = value * 10 + (s[i] - '0');
  return value;
}

bool is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::string localized(const localized_text& text, std::string_view lang) {
  // An empty string counts as missing: a blank translation in a form should not hide the
  // Swedish text behind it.
  auto present = [&](std::string_view code) -> const std::string* {
    auto it = text.find(std::string(code));
    return it != text.end() && !it->second.empty() ? &it->second : nullptr;
  };
  if (auto* t = present(lang)) return *t;
  if (auto* t = present("sv")) return *t;
  for (const auto& [code, value] : text)
    if (!value.empty()) return value;
  return {};
}

std::string_view to_string(room_kind k) {
  switch (k) {
    case room_kind::main_stage: return "main_stage";
    case room_kind::seminar: return "seminar";
    case room_kind::press: return "press";
  }
  return "seminar";  // unreachable for valid enumerators
}

std::optional<room_kind> room_kind_from_string(std::string_view s) {
  if (s == "main_stage") return room_kind::main_stage;
  if (s == "seminar") return room_kind::seminar;
  if (s == "press") return room_kind::press;
  return std::nullopt;
}

std::string_view to_string(session_kind k) {
  switch (k) {
    case session_kind::plenary: return "plenary";
    case session_kind::seminar: return "seminar";
    case session_kind::break_time: return "break";
    case session_kind::lunch: return "lunch";
    case session_kind::press: return "press";
  }
  return "plenary";  // unreachable for valid enumerators
}

std::optional<session_kind> session_kind_from_string(std::string_view s) {
  if (s == "plenary") return session_kind::plenary;
  if (s == "seminar") return session_kind::seminar;
  if (s == "break") return session_kind::break_time;
  if (s == "lunch") return session_kind::lunch;
  if (s == "press") return session_kind::press;
  return std::nullopt;
}

std::string_view to_string(visibility v) {
  switch (v) {
    case visibility::public_event: return "public";
    case visibility::unlisted: return "unlisted";
    case visibility::private_event: return "private";
  }
  return "public";  // unreachable for valid enumerators
}

std::optional<visibility> visibility_from_string(std::string_view s) {
  if (s == "public") return visibility::public_event;
  if (s == "unlisted") return visibility::unlisted;
  if (s == "private") return visibility::private_event;
  return std::nullopt;
}

event_summary summary_of(const event& e) {
  return event_summary{e.id,   e.title,     e.summary,    e.city,      e.venue,
                       e.days, e.series_id, e.visibility, e.timezone};
}

std::optional<std::int64_t> starts_utc(const event& e, const session& s) {
  return to_utc(s.day, s.starts_at, e.timezone);
}

std::optional<std::int64_t> ends_utc(const event& e, const session& s) {
  return to_utc(s.day, s.ends_at, e.timezone);
}

// Every rule about what a valid id, date or time is lives here, in one place.
bool is_slug(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
  });
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (!is_digit(s[i])) return false;
  const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = month == 2 && is_leap_year(year) ? 29 : days_in_month[month - 1];
  return day <= last;
}

bool is_time(std::string_view s) {
  if (s.size() != 5 || s[2] != ':' || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[3]) ||
      !is_digit(s[4]))
    return false;
  return digits(s, 0, 2) <= 23 && digits(s, 3, 2) <= 59;
}

std::string slugify(std::string_view text) {
  // The UTF-8 letters of the product's languages folded to their base letter; any other
  // non-ASCII character separates words like punctuation does.
  static constexpr std::pair<std::string_view, char> folds[] = {
      {"\xC3\xA5", 'a'}, {"\xC3\xA4", 'a'}, {"\xC3\xB6", 'o'}, {"\xC3\xA9", 'e'},
      {"\xC3\x85", 'a'}, {"\xC3\x84", 'a'}, {"\xC3\x96", 'o'}, {"\xC3\x89", 'e'},
      {"\xC3\xBC", 'u'}, {"\xC3\x9C", 'u'}};
  std::string out;
  bool dash = false;
  auto put = [&](char c) {
    if (dash && !out.empty()) out += '-';
    dash = false;
    out += c;
  };
  for (std::size_t i = 0; i < text.size() && out.size() < 48;) {
    const char c = text[i];
    if ((c >= 'a' && c <= 'z') || is_digit(c)) {
      put(c);
      ++i;
      continue;
    }
    if (c >= 'A' && c <= 'Z') {
      put(static_cast<char>(c - 'A' + 'a'));
      ++i;
      continue;
    }
    bool folded = false;
    for (const auto& [utf8, base] : folds)
      if (text.substr(i, utf8.size()) == utf8) {
        put(base);
        i += utf8.size();
        folded = true;
        break;
      }
    if (folded) continue;
    dash = true;
    ++i;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

namespace {

bool is_supported_language(std::string_view code) {
  return std::find(std::begin(supported_languages), std::end(supported_languages), code) !=
         std::end(supported_languages);
}

bool has_text(const localized_text& t) {
  return std::any_of(t.begin(), t.end(), [](const auto& kv) { return !kv.second.empty(); });
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string item_name(std::string_view list, std::size_t index, std::string_view id) {
  std::string name = std::string(list) + "[" + std::to_string(index) + "]";
  if (!id.empty()) name += " (" + quoted(id) + ")";
  return name;
}

}  // namespace

std::vector<problem> check(const event& e) {
  std::vector<problem> problems;
  // Event-level problems: `where` is the field itself.
  auto event_problem = [&](std::string field, std::string what) {
    problems.push_back(problem{"", std::nullopt, field, field, std::move(what)});
  };
  auto item_problem = [&](std::string_view list, std::size_t i, std::string where,
                          std::string field, std::string what) {
    problems.push_back(
        problem{std::string(list), i, std::move(where), std::move(field), std::move(what)});
  };

  if (e.id.empty())
    event_problem("id", "is required");
  else if (!is_slug(e.id))
    event_problem("id", quoted(e.id) + " is not a URL-safe slug (use a-z, 0-9 and -)");

  if (auto it = e.title.find("sv"); it == e.title.end() || it->second.empty())
    event_problem("title", "a Swedish (\"sv\") title is required");

  // The zone is what every session's UTC time is derived from: it must be one the tz database
  // knows, not an offset or an abbreviation ("CET" is not a place).
  if (!is_valid_zone(e.timezone))
    event_problem("timezone", quoted(e.timezone) +
                                  " is not a time zone of the tz database (e.g. Europe/Stockholm)");
  if (!e.series_id.empty() && !is_slug(e.series_id))
    event_problem("series_id",
                  quoted(e.series_id) + " is not a URL-safe slug (use a-z, 0-9 and -)");
  if (e.capacity < 0) event_problem("capacity", "must be 0 (no limit) or more");

  if (e.days.empty()) event_problem("days", "at least one day is required");
  std::set<std::string_view> days;
  for (std::size_t i = 0; i < e.days.size(); ++i) {
    const std::string& d = e.days[i];
    const std::string where = "days[" + std::to_string(i) + "]";
    if (!is_date(d)) {
      item_problem("days", i, where, "", quoted(d) + " is not a valid date (YYYY-MM-DD)");
      continue;
    }
    if (!days.insert(d).second)
      item_problem("days", i, where, "", quoted(d) + " appears more than once");
    else if (i > 0 && is_date(e.days[i - 1]) && d < e.days[i - 1])
      item_problem("days", i, where, "",
                   quoted(d) + " comes before " + quoted(e.days[i - 1]) +
                       " (days must be in ascending order)");
  }

  std::set<std::string_view> languages;
  for (std::size_t i = 0; i < e.languages.size(); ++i) {
    const std::string& l = e.languages[i];
    const std::string where = "languages[" + std::to_string(i) + "]";
    if (!is_supported_language(l))
      item_problem("languages", i, where, "", quoted(l) + " is not supported (use sv, en or fi)");
    else if (!languages.insert(l).second)
      item_problem("languages", i, where, "", quoted(l) + " appears more than once");
  }

  std::map<std::string_view, const room*> rooms;
  for (std::size_t i = 0; i < e.rooms.size(); ++i) {
    const room& r = e.rooms[i];
    const std::string where = item_name("rooms", i, r.id);
    if (r.id.empty())
      item_problem("rooms", i, where, "id", "id is required");
    else if (!rooms.emplace(r.id, &r).second)
      item_problem("rooms", i, where, "id", "id " + quoted(r.id) + " is used by another room");
  }

  std::set<std::string_view> session_ids;
  // Sessions that passed the room/day/time checks, grouped for the overlap check.
  std::map<std::pair<std::string_view, std::string_view>, std::vector<std::size_t>> by_room_day;
  for (std::size_t i = 0; i < e.sessions.size(); ++i) {
    const session& s = e.sessions[i];
    const std::string where = item_name("sessions", i, s.id);
    auto session_problem = [&](std::string field, std::string what) {
      item_problem("sessions", i, where, std::move(field), std::move(what));
    };
    bool placed = true;
    if (s.id.empty())
      session_problem("id", "id is required");
    else if (!session_ids.insert(s.id).second)
      session_problem("id", "id " + quoted(s.id) + " is used by another session");
    if (!rooms.count(s.room_id)) {
      session_problem("room_id", "room " + quoted(s.room_id) + " does not exist");
      placed = false;
    }
    if (!days.count(s.day)) {
      session_problem("day", "day " + quoted(s.day) + " is not one of the event's days");
      placed = false;
    }
    const bool starts_ok = is_time(s.starts_at), ends_ok = is_time(s.ends_at);
    if (!starts_ok)
      session_problem("starts_at", "starts_at " + quoted(s.starts_at) + " is not a time (HH:MM)");
    if (!ends_ok)
      session_problem("ends_at", "ends_at " + quoted(s.ends_at) + " is not a time (HH:MM)");
    if (starts_ok && ends_ok && s.ends_at <= s.starts_at) {
      session_problem("ends_at", "ends_at " + s.ends_at + " is not after starts_at " + s.starts_at);
      placed = false;
    }
    if (!has_text(s.title)) session_problem("title", "a title is required");
    if (s.sequence < 0) session_problem("sequence", "sequence must be 0 or more");
    for (std::size_t k = 0; k < s.speakers.size(); ++k)
      if (s.speakers[k].name.empty())
        item_problem("sessions", i, where + ".speakers[" + std::to_string(k) + "]", "speakers",
                     "name is required");
    // A cancelled session frees its room: the replacement may be put in its slot.
    if (placed && starts_ok && ends_ok && !s.cancelled) by_room_day[{s.room_id, s.day}].push_back(i);
  }

  for (auto& [key, indexes] : by_room_day) {
    // Sorted by start, a session overlaps the room's schedule exactly when it starts before the
    // latest end seen so far; comparing with that one (not only the previous) catches a long
    // session that spans several short ones.
    std::sort(indexes.begin(), indexes.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(e.sessions[a].starts_at, a) < std::tie(e.sessions[b].starts_at, b);
    });
    std::size_t latest = indexes.front();
    for (std::size_t n = 1; n < indexes.size(); ++n) {
      const session& s = e.sessions[indexes[n]];
      const session& other = e.sessions[latest];
      if (s.starts_at < other.ends_at)
        item_problem("sessions", indexes[n], item_name("sessions", indexes[n], s.id), "starts_at",
                     "overlaps " + item_name("sessions", latest, other.id) + " in room " +
                         quoted(s.room_id) + " on " + s.day + " (" + other.starts_at + "-" +
                         other.ends_at + ")");
      if (s.ends_at > other.ends_at) latest = indexes[n];
    }
  }
  return problems;
}

std::vector<std::string> validate(const event& e) {
  std::vector<std::string> lines;
  for (const problem& p : check(e)) lines.push_back(p.where + ": " + p.message);
  return lines;
}

void normalize(event& e) {
  std::stable_sort(e.rooms.begin(), e.rooms.end(), [](const room& a, const room& b) {
    return std::tie(a.position, a.id) < std::tie(b.position, b.id);
  });
  std::map<std::string_view, int> position;
  for (const room& r : e.rooms) position.emplace(r.id, r.position);
  auto room_position = [&](const std::string& id) {
    auto it = position.find(id);
    return it == position.end() ? INT_MAX : it->second;
  };
  std::stable_sort(e.sessions.begin(), e.sessions.end(), [&](const session& a, const session& b) {
    const int pa = room_position(a.room_id), pb = room_position(b.room_id);
    return std::tie(a.day, a.starts_at, pa, a.id) < std::tie(b.day, b.starts_at, pb, b.id);
  });
}

}  // namespace samling::program
