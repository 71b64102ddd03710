#include "program/demo_series.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/json.hpp>

#include "program/program_json.hpp"
#include "program/series_csv.hpp"

namespace samling::program {

namespace {

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open demo series file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

series load_demo_series(const std::string& path) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(read_whole(path), ec);
  if (ec || !v.is_object()) throw std::runtime_error(path + ": not a JSON object");
  std::string table;
  if (auto* f = v.as_object().if_contains("events_csv"); f && f->is_string())
    table = std::string(f->as_string());
  v.as_object().erase("events_csv");
  std::vector<std::string> errors;
  std::optional<series> s = series_from_json(v, errors);
  if (!s) {
    std::string message = path + ": invalid demo series:";
    for (const auto& e : errors) message += "\n  " + e;
    throw std::runtime_error(message);
  }
  if (!table.empty()) {
    const std::string csv_path =
        (std::filesystem::path(path).parent_path() / table).string();
    auto rows = series_rows_from_csv(read_whole(csv_path));
    if (!rows.rows) {
      std::string message = csv_path + ": invalid series table:";
      for (const auto& p : rows.problems)
        message += "\n  line " + std::to_string(p.line) + " " + p.field + ": " + p.message;
      throw std::runtime_error(message);
    }
    s->events = std::move(*rows.rows);
  }
  return std::move(*s);
}

bool seed_demo_series_if_empty(series_store& store, const std::string& path) {
  if (path.empty() || !store.list_series().empty()) return false;
  store.save_series(load_demo_series(path));
  return true;
}

}  // namespace samling::program
