#include "program/timezone.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

#include <date/date.h>
#include <date/tz.h>

namespace samling::program {

namespace {

using namespace std::chrono;

const date::time_zone* find_zone(std::string_view zone) {
  if (zone.empty()) return nullptr;
  try {
    return date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    return nullptr;
  }
}

bool read_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{};
}

std::optional<date::year_month_day> parse_day(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return std::nullopt;
  int y = 0, m = 0, dd = 0;
  if (!read_int(d.substr(0, 4), y) || !read_int(d.substr(5, 2), m) || !read_int(d.substr(8, 2), dd))
    return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(dd)}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::optional<minutes> parse_hhmm(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  int h = 0, m = 0;
  if (!read_int(t.substr(0, 2), h) || !read_int(t.substr(3, 2), m) || h > 23 || m > 59) return std::nullopt;
  return hours{h} + minutes{m};
}

std::string two(int v) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", v);
  return b;
}

}  // namespace

bool is_valid_zone(std::string_view zone) { return find_zone(zone) != nullptr; }

std::optional<std::int64_t> to_utc(std::string_view day, std::string_view hhmm, std::string_view zone) {
  auto* tz = find_zone(zone);
  auto ymd = parse_day(day);
  auto t = parse_hhmm(hhmm);
  if (!tz || !ymd || !t) return std::nullopt;
  date::local_seconds local = date::local_days{*ymd} + *t;
  auto info = tz->get_info(local);
  sys_seconds utc;
  switch (info.result) {
    case date::local_info::unique:
      utc = sys_seconds{local.time_since_epoch()} - info.first.offset;
      break;
    case date::local_info::nonexistent:
      // In the gap: the same distance after the gap's start as the clock would read in the old
      // offset, i.e. 02:30 -> 03:30 when the clocks jump 02:00 -> 03:00.
      utc = sys_seconds{local.time_since_epoch()} - info.first.offset;
      break;
    case date::local_info::ambiguous:
      utc = sys_seconds{local.time_since_epoch()} - info.first.offset;  // the earlier moment
      break;
  }
  return utc.time_since_epoch().count();
}

std::optional<std::int64_t> local_iso_to_utc(std::string_view s, std::string_view zone) {
  if (s.size() != 16 && s.size() != 19) return std::nullopt;
  if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
  if (s.size() == 19 && s.substr(16) != ":00") return std::nullopt;
  return to_utc(s.substr(0, 10), s.substr(11, 5), zone);
}

std::optional<local_time> to_local(std::int64_t utc_s, std::string_view zone) {
  auto* tz = find_zone(zone);
  if (!tz) return std::nullopt;
  sys_seconds utc{seconds{utc_s}};
  auto info = tz->get_info(utc);
  auto local = date::local_seconds{utc.time_since_epoch() + info.offset};
  auto days_part = date::floor<date::days>(local);
  date::year_month_day ymd{days_part};
  date::hh_mm_ss<seconds> tod{local - days_part};
  local_time out;
  out.day = std::to_string(static_cast<int>(ymd.year())) + "-" + two(static_cast<int>(static_cast<unsigned>(ymd.month()))) +
            "-" + two(static_cast<int>(static_cast<unsigned>(ymd.day())));
  out.hhmm = two(static_cast<int>(tod.hours().count())) + ":" + two(static_cast<int>(tod.minutes().count()));
  out.iso = out.day + "T" + out.hhmm + ":" + two(static_cast<int>(tod.seconds().count()));
  out.utc_offset_s = static_cast<int>(info.offset.count());
  out.abbrev = info.abbrev;
  return out;
}

std::string utc_iso(std::int64_t utc_s) {
  auto l = to_local(utc_s, "Etc/UTC");
  if (!l) return {};
  return l->iso + "Z";
}

std::optional<std::int64_t> parse_utc_iso(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS then Z or ±HH:MM (fractions of a second are not accepted).
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  int sec = 0;
  if (!read_int(s.substr(17, 2), sec) || sec > 60) return std::nullopt;
  auto base = to_utc(s.substr(0, 10), s.substr(11, 5), "Etc/UTC");
  if (!base) return std::nullopt;
  auto rest = s.substr(19);
  std::int64_t offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (!read_int(rest.substr(1, 2), oh) || !read_int(rest.substr(4, 2), om) || oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  return *base + sec - offset;
}

}  // namespace samling::program
