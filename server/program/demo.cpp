#include "program/demo.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <boost/json.hpp>

#include "program/program_json.hpp"

namespace samling::program {

namespace {

// A whole conference program in three languages is some tens of kilobytes; anything near this
// bound is the wrong file, and reading it whole into memory would only hide that.
constexpr std::size_t max_demo_file_bytes = 4 * 1024 * 1024;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(path + ": cannot open demo event file: " + std::strerror(errno));
  std::string text;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_demo_file_bytes)
      throw std::runtime_error(path + ": demo event file is larger than " +
                               std::to_string(max_demo_file_bytes) + " bytes");
  }
  if (in.bad()) throw std::runtime_error(path + ": cannot read demo event file");
  return text;
}

// Line and column (1-based) of byte `offset`, so a parse error points at the place to fix.
std::string position_of(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

boost::json::value parse(const std::string& path, const std::string& text) {
  boost::json::stream_parser parser;
  boost::system::error_code ec;
  // write() returns how far it got, which on a syntax error is where the error is.
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec)
    throw std::runtime_error(path + ": invalid JSON at " + position_of(text, consumed) + ": " +
                             ec.message());
  return parser.release();
}

}  // namespace

event load_demo_event(const std::string& path) {
  const std::string text = read_file(path);
  const boost::json::value json = parse(path, text);
  std::vector<std::string> errors;
  std::optional<event> e = event_from_json(json, errors);
  if (!e) {
    std::string message = path + ": invalid demo event:";
    for (const auto& error : errors) message += "\n  " + error;
    throw std::runtime_error(message);
  }
  return std::move(*e);
}

bool seed_demo_if_empty(program_store& store, const std::string& path) {
  // The file is read only when it is needed: a deployment with its own events must not fail
  // to start because the demo file is missing or stale.
  if (store.has_events()) return false;
  store.save_event(load_demo_event(path));
  return true;
}

}  // namespace samling::program
