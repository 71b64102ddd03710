#include "store/sqlite_series_store.hpp"

#include <boost/json.hpp>

#include "program/program_json.hpp"
#include "store/statement.hpp"

namespace samling::store {

namespace json = boost::json;

namespace {

program::localized_text read_localized(sqlite_db& db, const std::string& text,
                                       const std::string& where) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  std::vector<std::string> errors;
  program::localized_text out;
  if (ec || !program::localized_from_json(v, where, out, errors))
    throw store_error(db.path() + ": stored text of " + where + " is not valid localized JSON");
  return out;
}

std::string localized_column(const program::localized_text& t) {
  return json::serialize(program::to_json(t));
}

}  // namespace

std::vector<program::series_summary> sqlite_series_store::list_series() {
  transaction tx(db_, transaction::kind::read);
  std::vector<program::series_summary> out;
  statement s(db_,
              "SELECT s.id, s.name, s.organizer,"
              "       (SELECT count(*) FROM series_events r WHERE r.series_id = s.id) "
              "FROM series s ORDER BY s.id");
  while (s.step()) {
    program::series_summary summary;
    summary.id = s.text(0);
    summary.name = read_localized(db_, s.text(1), "series[" + summary.id + "].name");
    summary.organizer = s.text(2);
    summary.event_count = static_cast<std::size_t>(s.int64(3));
    out.push_back(std::move(summary));
  }
  tx.commit();
  return out;
}

std::optional<program::series> sqlite_series_store::find_series(std::string_view id) {
  transaction tx(db_, transaction::kind::read);
  program::series out;
  {
    statement s(db_, "SELECT id, name, organizer, description FROM series WHERE id = ?1");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    out.id = s.text(0);
    out.name = read_localized(db_, s.text(1), "series[" + out.id + "].name");
    out.organizer = s.text(2);
    out.description = read_localized(db_, s.text(3), "series[" + out.id + "].description");
  }
  {
    statement s(db_,
                "SELECT date, responsible_county, cohost_county, city, coalesce(event_id, '') "
                "FROM series_events WHERE series_id = ?1 ORDER BY position");
    s.bind(1, id);
    while (s.step())
      out.events.push_back(
          program::series_event{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4)});
  }
  tx.commit();
  return out;
}

void sqlite_series_store::save_series(const program::series& s) {
  transaction tx(db_);
  // The rows cascade from the series: replacing it is one DELETE and the inserts.
  statement(db_, "DELETE FROM series WHERE id = ?1").bind(1, s.id).run();
  statement(db_,
            "INSERT INTO series (id, name, organizer, description) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, s.id)
      .bind(2, localized_column(s.name))
      .bind(3, s.organizer)
      .bind(4, localized_column(s.description))
      .run();
  statement row(db_,
                "INSERT INTO series_events (series_id, position, date, responsible_county,"
                "                           cohost_county, city, event_id) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, ''))");
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    const program::series_event& r = s.events[i];
    row.bind(1, s.id)
        .bind(2, static_cast<std::int64_t>(i))
        .bind(3, r.date)
        .bind(4, r.responsible_county)
        .bind(5, r.cohost_county)
        .bind(6, r.city)
        .bind(7, r.event_id)
        .run();
    row.reset();
  }
  tx.commit();
}

}  // namespace samling::store
