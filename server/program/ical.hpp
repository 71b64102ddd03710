#pragma once
// iCalendar (RFC 5545) for an event's program and for one session, so attendees can put the
// program in their calendar and see it follow changes: stable UIDs, SEQUENCE from the session
// (raised by every published change), STATUS:CANCELLED for a cancelled session, and a
// VTIMEZONE for the event's zone generated from the tz database (one observance per transition
// in the years the event covers), so DTSTART;TZID=… means the same instant in every client.
// No I/O: values in, text out.
#include <cstdint>
#include <string>
#include <string_view>

#include "program/model.hpp"

namespace samling::program {

struct ical_options {
  std::string host = "samling";  // the UID's domain: <session-id>.<event-id>@<host>
  std::string lang = "sv";       // SUMMARY/DESCRIPTION/LOCATION language (falls back to sv)
  std::int64_t now_utc = 0;      // DTSTAMP, seconds since the epoch
  std::string url;               // the event's page, "" for none (URL property)
};

// The whole program: one VEVENT per session. Requires a valid event (validate()).
std::string event_calendar(const event& e, const ical_options& o);
// One session of `e`.
std::string session_calendar(const event& e, const session& s, const ical_options& o);

// VTIMEZONE for `zone` covering the years first_year..last_year; "" for an unknown zone.
std::string vtimezone(std::string_view zone, int first_year, int last_year);

// TEXT value escaping (RFC 5545 3.3.11): \ ; , and line breaks.
std::string ical_escape(std::string_view text);
// One content line folded at 75 octets without splitting a UTF-8 character, CRLF-terminated.
std::string ical_fold(std::string_view line);

}  // namespace samling::program
