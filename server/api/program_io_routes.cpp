#include "api/program_io_routes.hpp"

#include <chrono>
#include <memory>

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "api/live_program.hpp"
#include "api/staff_sessions.hpp"
#include "program/ical.hpp"
#include "program/program_csv.hpp"
#include "program/program_json.hpp"
#include "program/program_versions.hpp"
#include "program/series_csv.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;

namespace {

std::string query_value(const std::string& query, std::string_view name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    const auto amp = query.find('&', pos);
    const std::string_view part(query.data() + pos,
                                (amp == std::string::npos ? query.size() : amp) - pos);
    if (part.substr(0, name.size()) == name && part.size() > name.size() && part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    if (part == name) return "1";
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return {};
}

bool dry_run(const request& r) {
  const std::string v = query_value(r.query, "dry_run");
  return v == "1" || v == "true" || v == "yes";
}

// `?delimiter=,` (or `comma`) for spreadsheets in locales that expect commas; `;` by default.
char delimiter_of(const request& r) {
  const std::string d = query_value(r.query, "delimiter");
  return d == "," || d == "%2C" || d == "%2c" || d == "comma" ? ',' : ';';
}

std::string lang_of(const request& r) {
  const std::string l = query_value(r.query, "lang");
  for (auto supported : program::supported_languages)
    if (l == supported) return l;
  return "sv";
}

// A CSV body, or JSON: by Content-Type, else by the first character.
bool is_csv(const request& r) {
  std::string_view type = r.header("content-type");
  if (type.find("csv") != std::string_view::npos) return true;
  if (type.find("json") != std::string_view::npos) return false;
  for (char c : r.body)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c != '{' && c != '[';
  return false;
}

response file_response(std::string body, std::string content_type, std::string disposition) {
  response out;
  out.content_type = std::move(content_type);
  out.body = std::move(body);
  out.headers.emplace_back("Content-Disposition", std::move(disposition));
  out.headers.emplace_back("Cache-Control", "no-cache");
  return out;
}

json::array problems_json(const std::vector<program::import_problem>& problems) {
  json::array a;
  for (const auto& p : problems) {
    json::value line = nullptr;
    if (p.line > 0) line = static_cast<std::uint64_t>(p.line);
    a.push_back(json::object{{"line", std::move(line)}, {"field", p.field}, {"message", p.message}});
  }
  return a;
}

response import_invalid(const std::vector<program::import_problem>& problems) {
  response out = net::json_error(
      errc::import_invalid, "The import has " + std::to_string(problems.size()) +
                                (problems.size() == 1 ? " problem" : " problems") +
                                "; nothing was changed.");
  json::value body = json::parse(out.body);
  body.as_object()["error"].as_object()["problems"] = problems_json(problems);
  out.body = json::serialize(body);
  return out;
}

// Messages "path: what" from the JSON readers as problems without a line.
std::vector<program::import_problem> json_problems(const std::vector<std::string>& errors) {
  std::vector<program::import_problem> out;
  for (const std::string& e : errors) {
    const auto colon = e.find(": ");
    if (colon == std::string::npos)
      out.push_back({0, "", e});
    else
      out.push_back({0, e.substr(0, colon), e.substr(colon + 2)});
  }
  return out;
}

std::optional<json::value> parse_json(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

// A private event is for its staff only: anyone with a role in it may read its exports.
asio::awaitable<std::optional<response>> refuse_private(const program_io_context* ctx,
                                                        const request& r,
                                                        const program::event& e) {
  if (e.visibility != program::visibility::private_event) co_return std::nullopt;
  auto id = co_await ctx->auth->identify(r);
  if (id.error != errc::ok) co_return net::json_error(id.error, id.message);
  if (!id.who || id.who->roles_in(e.id).empty())
    co_return net::json_error(errc::not_found, "No event with id \"" + e.id + "\".");
  co_return std::nullopt;
}

asio::awaitable<std::optional<program::event>> load_event(const program_io_context* ctx,
                                                          const std::string& id) {
  auto* store = ctx->program;
  auto fetch = [store, id] { return store->find_event(id); };  // named: GCC 12 (routes.cpp)
  auto e = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  co_return e;
}

// --- the program of an event ------------------------------------------------------------------

asio::awaitable<response> program_csv(const program_io_context* ctx, request r) {
  const std::string id = r.params["event"];
  auto e = co_await load_event(ctx, id);
  if (!e) co_return net::json_error(errc::not_found, "No event with id \"" + id + "\".");
  if (auto refusal = co_await refuse_private(ctx, r, *e)) co_return std::move(*refusal);
  co_return file_response(program::program_to_csv(*e, delimiter_of(r)), "text/csv; charset=utf-8",
                          "attachment; filename=\"" + id + "-program.csv\"");
}

asio::awaitable<response> program_json(const program_io_context* ctx, request r) {
  const std::string id = r.params["event"];
  auto e = co_await load_event(ctx, id);
  if (!e) co_return net::json_error(errc::not_found, "No event with id \"" + id + "\".");
  if (auto refusal = co_await refuse_private(ctx, r, *e)) co_return std::move(*refusal);
  co_return file_response(json::serialize(program::to_json(*e)), "application/json",
                          "attachment; filename=\"" + id + "-program.json\"");
}

// The event an import makes of `base` (CSV: its sessions replaced by the file's; JSON: the whole
// event), or every problem found, each with its line. The sequences are left as the file has
// them: publishing (live_program::publish) gives each session its own.
struct import_check {
  std::optional<program::event> event;
  std::vector<program::import_problem> problems;
};

import_check check_import(const program::event& base, bool csv, const std::string& body,
                          const std::optional<json::value>& document) {
  import_check out;
  if (csv) {
    auto result = program::program_from_csv(base, body);
    out.problems = std::move(result.problems);
    out.event = std::move(result.result);
    return out;
  }
  std::vector<std::string> errors;
  auto e = program::event_from_json(*document, errors);
  out.problems = json_problems(errors);
  if (e && e->id != base.id)
    out.problems.push_back(
        {0, "id", "\"" + e->id + "\" is not this event (\"" + base.id + "\"): the id cannot change"});
  if (out.problems.empty()) out.event = std::move(e);
  return out;
}

asio::awaitable<response> program_import(const program_io_context* ctx, request r) {
  const std::string id = r.params["event"];
  auto who = co_await ctx->auth->require(r, id, rooms::action::edit_program,
                                         "Only the event's organizers may import its program.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  const principal& caller = std::get<principal>(who);

  const bool csv = is_csv(r);
  std::optional<json::value> document;
  if (!csv) {
    document = parse_json(r.body);
    if (!document)
      co_return net::json_error(errc::bad_request,
                                "The body is neither CSV (Content-Type: text/csv) nor valid JSON.");
  }
  auto body = std::make_shared<const std::string>(std::move(r.body));

  if (dry_run(r)) {
    // Checked against the event as it is; nothing is stored.
    auto* store = ctx->program;
    auto work = [store, id, csv, body, document]() -> std::optional<import_check> {
      auto base = store->find_event(id);
      if (!base) return std::nullopt;
      auto checked = check_import(*base, csv, *body, document);
      // Shown with the sequences publishing would give them.
      if (checked.event) program::bump_sequences(*base, *checked.event, program::diff(*base, *checked.event));
      return checked;
    };  // named: GCC 12 (routes.cpp)
    auto checked = co_await core::run_blocking(*ctx->db_pool, std::move(work));
    if (!checked) co_return net::json_error(errc::not_found, "No event with id \"" + id + "\".");
    if (!checked->event) co_return import_invalid(checked->problems);
    co_return net::json_response(
        json::serialize(json::object{{"dry_run", true}, {"event", program::to_json(*checked->event)}}));
  }

  // Published like any edit of the program (a version, the `program` event to open pages,
  // now/next, the recording stages' schedule). The check runs inside the edit, against the
  // current program on the store's thread, so checking and storing are one step.
  auto edit = [csv, body, document](const std::optional<program::event>& current) {
    edit_result out;
    auto checked = check_import(*current, csv, *body, document);
    if (checked.event) {
      out.next = std::move(checked.event);
    } else {
      out.error = errc::import_invalid;
      out.import_problems = std::move(checked.problems);
    }
    return out;
  };
  publisher by{caller.user_id, caller.name, client_address(r.remote)};  // named, not a temporary in co_await: GCC 12
  auto o = co_await ctx->live->publish(id, false, std::move(edit), std::move(by));
  if (o.error == errc::import_invalid) co_return import_invalid(o.import_problems);
  if (o.error == errc::program_invalid) co_return import_invalid(json_problems(o.problems));
  if (o.error != errc::ok) co_return net::json_error(o.error, o.message);
  co_return net::json_response(json::serialize(json::object{{"dry_run", false},
                                                            {"version", o.version},
                                                            {"unchanged", o.unchanged},
                                                            {"changes", program::to_json(o.changes)},
                                                            {"event", program::to_json(*o.published)}}));
}

// --- calendars --------------------------------------------------------------------------------

program::ical_options ical_for(const program_io_context* ctx, const request& r,
                               const program::event& e) {
  program::ical_options o;
  o.host = ctx->host;
  o.lang = lang_of(r);
  o.now_utc = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  if (!ctx->public_url.empty()) o.url = ctx->public_url + "/#event=" + e.id;
  return o;
}

asio::awaitable<response> event_calendar(const program_io_context* ctx, request r) {
  const std::string id = r.params["event"];
  auto e = co_await load_event(ctx, id);
  if (!e) co_return net::json_error(errc::not_found, "No event with id \"" + id + "\".");
  if (auto refusal = co_await refuse_private(ctx, r, *e)) co_return std::move(*refusal);
  co_return file_response(program::event_calendar(*e, ical_for(ctx, r, *e)),
                          "text/calendar; charset=utf-8", "inline; filename=\"" + id + ".ics\"");
}

asio::awaitable<response> session_calendar(const program_io_context* ctx, request r) {
  const std::string id = r.params["event"], session_id = r.params["session"];
  auto e = co_await load_event(ctx, id);
  if (!e) co_return net::json_error(errc::not_found, "No event with id \"" + id + "\".");
  if (auto refusal = co_await refuse_private(ctx, r, *e)) co_return std::move(*refusal);
  for (const program::session& s : e->sessions)
    if (s.id == session_id)
      co_return file_response(program::session_calendar(*e, s, ical_for(ctx, r, *e)),
                              "text/calendar; charset=utf-8",
                              "inline; filename=\"" + id + "-" + session_id + ".ics\"");
  co_return net::json_error(errc::not_found, "No session \"" + session_id + "\" in this event.");
}

// --- series -----------------------------------------------------------------------------------

asio::awaitable<std::optional<program::series>> load_series(const program_io_context* ctx,
                                                            const std::string& id) {
  auto* store = ctx->series;
  auto fetch = [store, id] { return store->find_series(id); };  // named: GCC 12
  auto s = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  co_return s;
}

asio::awaitable<response> list_series(const program_io_context* ctx, request) {
  auto* store = ctx->series;
  auto fetch = [store] { return store->list_series(); };
  auto all = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  json::array a;
  for (const auto& s : all) a.push_back(program::to_json(s));
  co_return net::json_response(json::serialize(json::object{{"series", std::move(a)}}));
}

asio::awaitable<response> get_series(const program_io_context* ctx, request r) {
  const std::string id = r.params["id"];
  auto s = co_await load_series(ctx, id);
  if (!s) co_return net::json_error(errc::not_found, "No series with id \"" + id + "\".");
  co_return net::json_response(json::serialize(program::to_json(*s)));
}

// POST (create: 201, or 409 when it exists) and PUT (create or replace: 200).
asio::awaitable<response> save_series(const program_io_context* ctx, request r, bool create) {
  auto who = co_await ctx->auth->require(r, "*", rooms::action::edit_program,
                                         "Only organizers of the whole organization may change series.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto document = parse_json(r.body);
  if (!document || !document->is_object())
    co_return net::json_error(errc::bad_request, "Send the series as a JSON object.");
  if (!create) {
    // The id comes from the URL; the body may leave it out but may not contradict it.
    auto& o = document->as_object();
    const std::string id = r.params["id"];
    if (auto* given = o.if_contains("id"); given && !(given->is_string() && given->as_string() == id))
      co_return import_invalid({{0, "id", "does not match the series in the URL (\"" + id + "\")"}});
    o["id"] = id;
  }
  std::vector<std::string> errors;
  auto s = program::series_from_json(*document, errors);
  if (!s) co_return import_invalid(json_problems(errors));
  auto* store = ctx->series;
  auto work = [store, series = *s, create]() -> bool {
    if (create && store->find_series(series.id)) return false;
    store->save_series(series);
    return true;
  };
  if (!co_await core::run_blocking(*ctx->db_pool, std::move(work)))
    co_return net::json_error(errc::series_exists, "A series with id \"" + s->id + "\" exists: PUT replaces it.");
  co_return net::json_response(json::serialize(program::to_json(*s)), create ? 201 : 200);
}

asio::awaitable<response> create_series(const program_io_context* ctx, request r) {
  return save_series(ctx, std::move(r), true);
}
asio::awaitable<response> replace_series(const program_io_context* ctx, request r) {
  return save_series(ctx, std::move(r), false);
}

asio::awaitable<response> series_csv(const program_io_context* ctx, request r) {
  const std::string id = r.params["id"];
  auto s = co_await load_series(ctx, id);
  if (!s) co_return net::json_error(errc::not_found, "No series with id \"" + id + "\".");
  co_return file_response(program::series_rows_to_csv(*s, delimiter_of(r)), "text/csv; charset=utf-8",
                          "attachment; filename=\"" + id + "-events.csv\"");
}

asio::awaitable<response> series_json(const program_io_context* ctx, request r) {
  const std::string id = r.params["id"];
  auto s = co_await load_series(ctx, id);
  if (!s) co_return net::json_error(errc::not_found, "No series with id \"" + id + "\".");
  json::array rows;
  for (const auto& row : s->events) rows.push_back(program::to_json(row));
  co_return file_response(json::serialize(json::object{{"events", std::move(rows)}}),
                          "application/json", "attachment; filename=\"" + id + "-events.json\"");
}

struct series_import_outcome {
  bool found = false;
  std::optional<program::series> series;
};

asio::awaitable<response> series_import(const program_io_context* ctx, request r) {
  const std::string id = r.params["id"];
  auto who = co_await ctx->auth->require(r, "*", rooms::action::edit_program,
                                         "Only organizers of the whole organization may change series.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  std::optional<std::vector<program::series_event>> rows;
  std::vector<program::import_problem> problems;
  if (is_csv(r)) {
    auto result = program::series_rows_from_csv(r.body);
    rows = std::move(result.rows);
    problems = std::move(result.problems);
  } else {
    auto document = parse_json(r.body);
    if (!document)
      co_return net::json_error(errc::bad_request,
                                "The body is neither CSV (Content-Type: text/csv) nor valid JSON.");
    std::vector<std::string> errors;
    rows = program::series_rows_from_json(*document, errors);
    problems = json_problems(errors);
  }
  if (!rows) co_return import_invalid(problems);
  const bool only_check = dry_run(r);
  auto* store = ctx->series;
  auto work = [store, id, rows = std::move(*rows), only_check]() -> series_import_outcome {
    series_import_outcome out;
    auto s = store->find_series(id);
    if (!s) return out;
    out.found = true;
    s->events = rows;
    if (!only_check) store->save_series(*s);
    out.series = std::move(s);
    return out;
  };
  auto outcome = co_await core::run_blocking(*ctx->db_pool, std::move(work));
  if (!outcome.found) co_return net::json_error(errc::not_found, "No series with id \"" + id + "\".");
  co_return net::json_response(json::serialize(
      json::object{{"dry_run", only_check}, {"series", program::to_json(*outcome.series)}}));
}

}  // namespace

void register_program_io_routes(net::router& routes, const program_io_context& ctx) {
  routes.add("GET", "/api/v1/series", "api_series_list", with(&ctx, list_series));
  routes.add("POST", "/api/v1/series", "api_series_create", with(&ctx, create_series));
  routes.add("GET", "/api/v1/series/{id}", "api_series", with(&ctx, get_series));
  routes.add("PUT", "/api/v1/series/{id}", "api_series_replace", with(&ctx, replace_series));
  routes.add("GET", "/api/v1/series/{id}/events.csv", "api_series_csv", with(&ctx, series_csv));
  routes.add("GET", "/api/v1/series/{id}/events.json", "api_series_json", with(&ctx, series_json));
  routes.add("POST", "/api/v1/series/{id}/import", "api_series_import", with(&ctx, series_import));
  routes.add("GET", "/api/v1/events/{event}/program.csv", "api_program_csv", with(&ctx, program_csv));
  routes.add("GET", "/api/v1/events/{event}/program.json", "api_program_json", with(&ctx, program_json));
  routes.add("POST", "/api/v1/events/{event}/program/import", "api_program_import",
             with(&ctx, program_import));
  routes.add("GET", "/api/v1/events/{event}/calendar.ics", "api_event_calendar",
             with(&ctx, event_calendar));
  routes.add("GET", "/api/v1/events/{event}/sessions/{session}/calendar.ics",
             "api_session_calendar", with(&ctx, session_calendar));
}

}  // namespace samling::api
