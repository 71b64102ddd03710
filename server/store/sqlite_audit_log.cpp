#include "store/sqlite_audit_log.hpp"

#include "store/statement.hpp"

namespace samling::store {

void sqlite_audit_log::record(const auth::audit_entry& e) {
  statement s(db_,
              "INSERT INTO audit_log (at_ms, actor, actor_name, event_id, action, target, detail, remote)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s.bind(1, e.at_ms)
      .bind(2, e.actor)
      .bind(3, e.actor_name)
      .bind(4, e.event_id)
      .bind(5, e.action)
      .bind(6, e.target)
      .bind(7, e.detail)
      .bind(8, e.remote);
  s.run();
}

std::vector<auth::audit_entry> sqlite_audit_log::list(std::string_view event_id, std::size_t limit) {
  std::string sql =
      "SELECT at_ms, actor, actor_name, event_id, action, target, detail, remote FROM audit_log";
  if (!event_id.empty()) sql += " WHERE event_id = ?1";
  sql += " ORDER BY id DESC LIMIT ?2";
  statement s(db_, sql);
  if (!event_id.empty()) s.bind(1, event_id);
  s.bind(2, static_cast<std::int64_t>(limit));
  std::vector<auth::audit_entry> out;
  while (s.step())
    out.push_back(auth::audit_entry{.at_ms = s.int64(0),
                                    .actor = s.text(1),
                                    .actor_name = s.text(2),
                                    .event_id = s.text(3),
                                    .action = s.text(4),
                                    .target = s.text(5),
                                    .detail = s.text(6),
                                    .remote = s.text(7)});
  return out;
}

}  // namespace samling::store
