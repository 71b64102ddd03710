#pragma once
// Program import, export and calendars (docs/api.md, "Program import, export and calendars"):
// series (list, read, create, replace, their table as CSV/JSON, import), an event's program as
// CSV/JSON (export, all-or-nothing import with line numbers), iCalendar per event and per
// session. Handlers never touch the store on a network thread: they await core::run_blocking.
#include <string>

#include "api/http_auth.hpp"
#include "core/blocking.hpp"
#include "net/router.hpp"
#include "program/model.hpp"
#include "program/series.hpp"

namespace samling::api {

class live_program;

struct program_io_context {
  program::program_store* program = nullptr;  // used only on db_pool
  program::series_store* series = nullptr;    // used only on db_pool
  core::blocking_pool* db_pool = nullptr;
  const http_auth* auth = nullptr;
  // The calendars' UID domain (<session>.<event>@<host>) and the event page's base URL
  // (server.public_url, else the listen URL), without a trailing '/'.
  std::string host = "samling";
  std::string public_url;
  // Publishes a successful import as a new version of the program (api/live_program). Required.
  live_program* live = nullptr;
};

// Registers the routes. `ctx` must outlive the router.
void register_program_io_routes(net::router& routes, const program_io_context& ctx);

}  // namespace samling::api
