#pragma once
// A series of events: one organizer's recurring or touring conference, e.g. the 17 regional
// one-day conferences "Sverige tillsammans" (2016), each row of its table a date, the
// responsible county ("ansvarigt län"), the co-hosting county and the city, and, once it has
// been created, the event held there. The organization above series is the server itself: one
// organization per deployment. Plain values; no I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "program/model.hpp"

namespace samling::program {

struct series_event {
  std::string date;                // YYYY-MM-DD
  std::string responsible_county;  // "Skåne 1(2)": as the organizer writes it
  std::string cohost_county;       // "" when none (the seed table's "-")
  std::string city;
  std::string event_id;            // the event held there; "" until there is one

  bool operator==(const series_event&) const = default;
};

struct series {
  std::string id;  // URL-safe slug
  localized_text name;
  std::string organizer;
  localized_text description;
  std::vector<series_event> events;  // in the order given (usually by date)

  bool operator==(const series&) const = default;
};

struct series_summary {
  std::string id;
  localized_text name;
  std::string organizer;
  std::size_t event_count = 0;

  bool operator==(const series_summary&) const = default;
};

// Problems of a series (id, Swedish name) and of its rows ("events", index, field): a bad
// date, a missing city or responsible county, an event id that is not a slug, the same date
// and city twice.
std::vector<problem> check(const series& s);
// Only the rows' problems (for an import that replaces the rows of an existing series).
std::vector<problem> check_rows(const std::vector<series_event>& rows);

// What the series need from storage; same threading rules as program_store.
class series_store {
 public:
  virtual ~series_store() = default;
  virtual std::vector<series_summary> list_series() = 0;
  virtual std::optional<series> find_series(std::string_view id) = 0;
  // Inserts or replaces the series with its rows, atomically.
  virtual void save_series(const series& s) = 0;
};

}  // namespace samling::program
