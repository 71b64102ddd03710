#include "store/sqlite_kiosk_store.hpp"

#include "store/statement.hpp"

namespace samling::store {

namespace {

constexpr const char* columns = "id, event_id, room_id, created_by, created_ms, revoked_ms";

projector::kiosk_link read(const statement& s) {
  projector::kiosk_link l;
  l.id = s.text(0);
  l.event_id = s.text(1);
  l.room_id = s.text(2);
  l.created_by = s.text(3);
  l.created_ms = s.int64(4);
  if (!s.is_null(5)) l.revoked_ms = s.int64(5);
  return l;
}

}  // namespace

void sqlite_kiosk_store::insert(const projector::kiosk_link& link) {
  statement s(db_,
              "INSERT INTO kiosk_links (id, event_id, room_id, created_by, created_ms, revoked_ms)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, link.id).bind(2, link.event_id).bind(3, link.room_id).bind(4, link.created_by).bind(5, link.created_ms);
  if (link.revoked_ms) s.bind(6, *link.revoked_ms);  // unbound: NULL
  s.run();
}

std::optional<projector::kiosk_link> sqlite_kiosk_store::find(const std::string& id) {
  statement s(db_, std::string("SELECT ") + columns + " FROM kiosk_links WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read(s);
}

std::vector<projector::kiosk_link> sqlite_kiosk_store::list(const std::string& event_id) {
  statement s(db_, std::string("SELECT ") + columns +
                       " FROM kiosk_links WHERE event_id = ?1 ORDER BY created_ms, id");
  s.bind(1, event_id);
  std::vector<projector::kiosk_link> out;
  while (s.step()) out.push_back(read(s));
  return out;
}

bool sqlite_kiosk_store::revoke(const std::string& event_id, const std::string& id, std::int64_t now_ms) {
  statement s(db_,
              "UPDATE kiosk_links SET revoked_ms = COALESCE(revoked_ms, ?3) WHERE event_id = ?1 AND id = ?2");
  s.bind(1, event_id).bind(2, id).bind(3, now_ms);
  s.run();
  return sqlite3_changes(db_.handle()) > 0;
}

}  // namespace samling::store
