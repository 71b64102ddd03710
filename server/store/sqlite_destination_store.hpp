#pragma once
// SQLite implementation of media::destination_store over the stage_destinations table
// (migration 3). Not thread-safe: used only on the store's one blocking thread (the app hops
// there for the media engine); the sqlite_db must outlive it. Throws store_error.
#include <string>
#include <vector>

#include "media/destination_store.hpp"
#include "store/sqlite_db.hpp"

namespace samling::store {

class sqlite_destination_store final : public media::destination_store {
 public:
  explicit sqlite_destination_store(sqlite_db& db) : db_(db) {}
  std::vector<media::output_spec> load(const std::string& stage) override;
  void save(const std::string& stage, const std::vector<media::output_spec>& all) override;

 private:
  sqlite_db& db_;
};

}  // namespace samling::store
