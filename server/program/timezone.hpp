#pragma once
// Event-local wall-clock times and UTC, through the IANA time-zone database on the system
// (tzdata, read by Howard Hinnant's date/tz library, Debian's libhowardhinnant-date-dev): an
// event's program is written in its own zone ("09:30 in Europe/Stockholm") and stored and
// compared in UTC. DST gaps and overlaps have one answer each (see to_utc). Thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace samling::program {

// Whether `zone` names a zone of the system's tz database ("Europe/Stockholm").
bool is_valid_zone(std::string_view zone);

// Seconds since the Unix epoch (UTC) of the wall-clock time `day` (YYYY-MM-DD) `hhmm` (HH:MM)
// in `zone`. A time in a DST gap (02:30 on the spring-forward night) is taken as the moment
// after the gap (03:30 local, as calendar apps do); one in the autumn overlap as the earlier
// of its two moments. nullopt for a bad zone, day or time.
std::optional<std::int64_t> to_utc(std::string_view day, std::string_view hhmm, std::string_view zone);

// The same for "YYYY-MM-DDTHH:MM" (seconds ":SS" allowed and ignored if zero).
std::optional<std::int64_t> local_iso_to_utc(std::string_view local_iso, std::string_view zone);

struct local_time {
  std::string day;         // YYYY-MM-DD
  std::string hhmm;        // HH:MM
  std::string iso;         // YYYY-MM-DDTHH:MM:SS (no offset)
  int utc_offset_s = 0;    // the zone's offset from UTC at that moment (+3600 in Stockholm in winter)
  std::string abbrev;      // "CET", "CEST", "EET", …
};

// `utc_s` (seconds since the epoch) as wall-clock time in `zone`; nullopt for a bad zone.
std::optional<local_time> to_local(std::int64_t utc_s, std::string_view zone);

// RFC 3339 in UTC: "2027-03-26T08:30:00Z".
std::string utc_iso(std::int64_t utc_s);
// Parses RFC 3339 with "Z" or a numeric offset ("2027-03-26T09:30:00+01:00"); nullopt if bad.
std::optional<std::int64_t> parse_utc_iso(std::string_view s);

}  // namespace samling::program
