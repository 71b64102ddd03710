#pragma once
// Versioned schema migrations. Version N is reached by applying migrations 1..N in order; the
// current version is kept in PRAGMA user_version. Migrations are append-only: never edit one
// that has shipped, add the next.
#include <string_view>
#include <vector>

namespace samling::store {

struct migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

const std::vector<migration>& migrations();
int latest_schema_version();

}  // namespace samling::store
