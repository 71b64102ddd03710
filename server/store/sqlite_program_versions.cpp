#include "store/sqlite_program_versions.hpp"

#include <boost/json.hpp>

#include "program/program_json.hpp"
#include "store/statement.hpp"

namespace samling::store {

namespace {

constexpr std::string_view columns = "version, published_at, actor, actor_name, changes";

program::version_summary read_summary(const statement& s) {
  return {s.integer(0), s.int64(1), s.text(2), s.text(3), s.text(4)};
}

}  // namespace

std::vector<program::version_summary> sqlite_program_versions::list(std::string_view event_id) {
  statement s(db_, "SELECT " + std::string(columns) + " FROM program_versions WHERE event_id = ?1 ORDER BY version");
  s.bind(1, event_id);
  std::vector<program::version_summary> out;
  while (s.step()) out.push_back(read_summary(s));
  return out;
}

std::optional<program::version_record> sqlite_program_versions::get(std::string_view event_id, int version) {
  statement s(db_, "SELECT " + std::string(columns) +
                       ", snapshot FROM program_versions WHERE event_id = ?1 AND version = ?2");
  s.bind(1, event_id).bind(2, version);
  if (!s.step()) return std::nullopt;
  return program::version_record{read_summary(s), s.text(5)};
}

std::optional<program::version_record> sqlite_program_versions::latest(std::string_view event_id) {
  statement s(db_, "SELECT " + std::string(columns) +
                       ", snapshot FROM program_versions WHERE event_id = ?1 ORDER BY version DESC LIMIT 1");
  s.bind(1, event_id);
  if (!s.step()) return std::nullopt;
  return program::version_record{read_summary(s), s.text(5)};
}

int sqlite_program_versions::publish(const program::event& e, const program::version_summary& summary) {
  transaction tx(db_);
  int version = 1;
  {
    statement s(db_, "SELECT COALESCE(MAX(version), 0) + 1 FROM program_versions WHERE event_id = ?1");
    s.bind(1, e.id);
    if (s.step()) version = s.integer(0);
  }
  programs_.save_event(e);
  statement(db_,
            "INSERT INTO program_versions (event_id, version, published_at, actor, actor_name, changes, snapshot) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, e.id)
      .bind(2, version)
      .bind(3, summary.published_at_s)
      .bind(4, summary.actor)
      .bind(5, summary.actor_name)
      .bind(6, summary.changes_json.empty() ? std::string("[]") : summary.changes_json)
      .bind(7, boost::json::serialize(program::to_json(e)))
      .run();
  tx.commit();
  return version;
}

}  // namespace samling::store
