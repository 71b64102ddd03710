#include "program/ical.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <date/date.h>
#include <date/tz.h>

#include "program/timezone.hpp"

namespace samling::program {

namespace {

using namespace std::chrono;

// "20270209T100000" from a local date and time.
std::string basic_local(std::string_view day, std::string_view hhmm) {
  std::string out;
  for (char c : day)
    if (c != '-') out += c;
  out += 'T';
  for (char c : hhmm)
    if (c != ':') out += c;
  return out + "00";
}

std::string basic_utc(std::int64_t utc_s) {
  const std::string iso = utc_iso(utc_s);  // 2027-03-26T08:30:00Z
  std::string out;
  for (char c : iso)
    if (c != '-' && c != ':') out += c;
  return out;
}

std::string offset_text(seconds off) {
  const long long s = off.count();
  const long long a = s < 0 ? -s : s;
  char b[64];
  std::snprintf(b, sizeof b, "%c%02lld%02lld", s < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
  std::string out = b;
  if (a % 60 != 0) {
    std::snprintf(b, sizeof b, "%02lld", a % 60);
    out += b;
  }
  return out;
}

std::string local_basic(date::sys_seconds t, seconds offset) {
  const auto local = t + offset;
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<seconds> hms{local - day};
  char b[96];
  std::snprintf(b, sizeof b, "%04d%02u%02uT%02lld%02lld%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(hms.hours().count()),
                static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  return b;
}

void line(std::string& out, std::string_view text) { out += ical_fold(text); }

void observance(std::string& out, const date::sys_info& info, seconds offset_from,
                date::sys_seconds start) {
  const bool daylight = info.save != minutes{0};
  line(out, daylight ? "BEGIN:DAYLIGHT" : "BEGIN:STANDARD");
  // DTSTART of an observance is the local time at the change, on the clock before it.
  line(out, "DTSTART:" + local_basic(start, offset_from));
  line(out, "TZOFFSETFROM:" + offset_text(offset_from));
  line(out, "TZOFFSETTO:" + offset_text(info.offset));
  if (!info.abbrev.empty()) line(out, "TZNAME:" + ical_escape(info.abbrev));
  line(out, daylight ? "END:DAYLIGHT" : "END:STANDARD");
}

int year_of(std::string_view day) {
  int y = 0;
  for (std::size_t i = 0; i < 4 && i < day.size(); ++i) y = y * 10 + (day[i] - '0');
  return y;
}

std::string location_of(const event& e, const session& s, std::string_view lang) {
  std::string where;
  for (const room& r : e.rooms)
    if (r.id == s.room_id) where = localized(r.name, lang);
  for (const std::string* part : {&e.venue, &e.venue_address, &e.city}) {
    if (part->empty()) continue;
    // "Länsstyrelsen, Regeringsgatan 66" already names the city in the address: not twice.
    if (part == &e.city && where.find(*part) != std::string::npos) continue;
    if (!where.empty()) where += ", ";
    where += *part;
  }
  return where;
}

std::string description_of(const session& s, std::string_view lang) {
  std::string text = localized(s.description, lang);
  for (const speaker& sp : s.speakers) {
    if (!text.empty()) text += "\n";
    text += sp.name;
    const std::string aff = localized(sp.affiliation, lang);
    if (!aff.empty()) text += ", " + aff;
  }
  return text;
}

void vevent(std::string& out, const event& e, const session& s, const ical_options& o) {
  line(out, "BEGIN:VEVENT");
  line(out, "UID:" + s.id + "." + e.id + "@" + o.host);
  line(out, "DTSTAMP:" + basic_utc(o.now_utc));
  line(out, "DTSTART;TZID=" + e.timezone + ":" + basic_local(s.day, s.starts_at));
  line(out, "DTEND;TZID=" + e.timezone + ":" + basic_local(s.day, s.ends_at));
  line(out, "SEQUENCE:" + std::to_string(s.sequence));
  line(out, "SUMMARY:" + ical_escape(localized(s.title, o.lang)));
  if (const std::string d = description_of(s, o.lang); !d.empty())
    line(out, "DESCRIPTION:" + ical_escape(d));
  if (const std::string l = location_of(e, s, o.lang); !l.empty())
    line(out, "LOCATION:" + ical_escape(l));
  if (!o.url.empty()) line(out, "URL:" + o.url);
  line(out, std::string("STATUS:") + (s.cancelled ? "CANCELLED" : "CONFIRMED"));
  line(out, "END:VEVENT");
}

std::string calendar(const event& e, const std::vector<const session*>& sessions,
                     const ical_options& o) {
  std::string out;
  line(out, "BEGIN:VCALENDAR");
  line(out, "VERSION:2.0");
  line(out, "PRODID:-//Samling//Samling conference server//EN");
  line(out, "CALSCALE:GREGORIAN");
  line(out, "METHOD:PUBLISH");
  line(out, "X-WR-CALNAME:" + ical_escape(localized(e.title, o.lang)));
  line(out, "X-WR-TIMEZONE:" + e.timezone);
  int first = 9999, last = 0;
  for (const std::string& d : e.days) {
    first = std::min(first, year_of(d));
    last = std::max(last, year_of(d));
  }
  if (first <= last) out += vtimezone(e.timezone, first, last);
  for (const session* s : sessions) vevent(out, e, *s, o);
  line(out, "END:VCALENDAR");
  return out;
}

}  // namespace

std::string ical_escape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      out += "\\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ical_fold(std::string_view text) {
  std::string out;
  std::size_t used = 0;  // octets on the current physical line
  for (std::size_t i = 0; i < text.size();) {
    // The whole UTF-8 character: its lead byte and the continuation bytes after it.
    std::size_t len = 1;
    while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80)
      ++len;
    if (used + len > 75) {
      out += "\r\n ";
      used = 1;
    }
    out.append(text.substr(i, len));
    used += len;
    i += len;
  }
  out += "\r\n";
  return out;
}

std::string vtimezone(std::string_view zone, int first_year, int last_year) {
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    return {};
  }
  std::string out;
  line(out, "BEGIN:VTIMEZONE");
  line(out, "TZID:" + std::string(zone));
  const date::sys_seconds from{date::sys_days{date::year{first_year} / 1 / 1}};
  const date::sys_seconds until{date::sys_days{date::year{last_year + 1} / 1 / 1}};
  // The observance in force on the first of January, then every change until the end of the
  // last year: enough for any client to place every session.
  date::sys_info info = tz->get_info(from);
  const date::sys_seconds long_ago{date::sys_days{date::year{1900} / 1 / 1}};
  if (info.begin < long_ago) {
    // A zone without changes since long ago (Asia/Tokyo): one observance from 1970.
    date::sys_info fixed = info;
    const date::sys_seconds epoch{date::sys_days{date::year{1970} / 1 / 1}};
    observance(out, fixed, info.offset, epoch - info.offset);
  } else {
    const date::sys_info before = tz->get_info(info.begin - seconds{1});
    observance(out, info, before.offset, info.begin);
  }
  while (info.end < until) {
    const seconds offset_from = info.offset;
    const date::sys_seconds change = info.end;
    info = tz->get_info(change);
    observance(out, info, offset_from, change);
  }
  line(out, "END:VTIMEZONE");
  return out;
}

std::string event_calendar(const event& e, const ical_options& o) {
  std::vector<const session*> all;
  for (const session& s : e.sessions) all.push_back(&s);
  return calendar(e, all, o);
}

std::string session_calendar(const event& e, const session& s, const ical_options& o) {
  return calendar(e, {&s}, o);
}

}  // namespace samling::program
