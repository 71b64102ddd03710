#include "store/sqlite_destination_store.hpp"

#include "store/statement.hpp"

namespace samling::store {

std::vector<media::output_spec> sqlite_destination_store::load(const std::string& stage) {
  statement s(db_,
              "SELECT id, source, name, url, stream_key, enabled FROM stage_destinations "
              "WHERE stage = ?1 ORDER BY position");
  s.bind(1, stage);
  std::vector<media::output_spec> out;
  while (s.step()) {
    media::output_spec o;
    o.id = s.text(0);
    o.source = s.text(1);
    o.name = s.text(2);
    o.url = s.text(3);
    o.key = s.text(4);
    o.enabled = s.integer(5) != 0;
    out.push_back(std::move(o));
  }
  return out;
}

void sqlite_destination_store::save(const std::string& stage, const std::vector<media::output_spec>& all) {
  transaction t(db_);
  statement del(db_, "DELETE FROM stage_destinations WHERE stage = ?1");
  del.bind(1, stage).run();
  statement ins(db_,
                "INSERT INTO stage_destinations (stage, id, position, source, name, url, stream_key, enabled) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  int position = 0;
  for (auto& full : all) {
    auto o = media::kept_part(full);
    ins.bind(1, stage).bind(2, o.id).bind(3, position++).bind(4, o.source).bind(5, o.name).bind(6, o.url);
    ins.bind(7, o.key).bind(8, o.enabled ? 1 : 0).run();
    ins.reset();
  }
  t.commit();
}

}  // namespace samling::store
