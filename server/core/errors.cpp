#include "core/errors.hpp"

#include <string>

namespace samling::core {
namespace {

struct entry {
  std::string_view code;
  unsigned status;
  std::string_view message;
};

// The single table: code name, HTTP status, message. Index = errc value.
constexpr entry table[] = {
    {"ok", 200, "ok"},
    {"bad_request", 400, "The request is malformed."},
    {"not_found", 404, "Not found."},
    {"method_not_allowed", 405, "This method is not allowed here."},
    {"not_implemented", 501, "This HTTP method is not supported."},
    {"header_too_large", 431, "The request headers are too large."},
    {"payload_too_large", 413, "The request body is too large."},
    {"request_timeout", 408, "The request was not received in time."},
    {"too_many_connections", 503, "The server has too many open connections; try again soon."},
    {"tls_required", 400, "This port speaks HTTPS: use https:// instead of http://."},
    {"unavailable", 503, "The service is not ready; try again soon."},
    {"internal", 500, "Something went wrong on the server."},
};

const entry& lookup(errc e) {
  auto i = static_cast<std::size_t>(e);
  return i < std::size(table) ? table[i] : table[static_cast<std::size_t>(errc::internal)];
}

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "samling"; }
  std::string message(int ev) const override {
    return std::string(lookup(static_cast<errc>(ev)).message);
  }
};

}  // namespace

const std::error_category& samling_category() {
  static const category c;
  return c;
}
std::error_code make_error_code(errc e) { return {static_cast<int>(e), samling_category()}; }
std::string_view code_name(errc e) { return lookup(e).code; }
unsigned http_status(errc e) { return lookup(e).status; }
std::string_view default_message(errc e) { return lookup(e).message; }

}  // namespace samling::core
