#include "api/routes.hpp"

#include <chrono>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "api/ids.hpp"
#include "core/version.hpp"
#include "rooms/text_rules.hpp"
#include "program/program_json.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;

namespace {

const auto process_start = std::chrono::system_clock::now();

asio::awaitable<response> healthz(request) {
  co_return net::json_response(R"({"status":"ok"})");
}

asio::awaitable<response> readyz(const api_context* ctx, request) {
  if (ctx->stopping()) co_return net::json_error(errc::unavailable, "The server is shutting down.");
  bool ok = false;
  try {
    ok = co_await core::run_blocking(*ctx->db_pool, ctx->store_ping);
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) co_return net::json_error(errc::unavailable, "The store does not answer.");
  co_return net::json_response(R"({"status":"ready"})");
}

asio::awaitable<response> metrics_text(const api_context* ctx, request) {
  response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = ctx->metrics->render() + process_metrics_text();
  if (ctx->extra_metrics) r.body += ctx->extra_metrics();
  if (ctx->rooms) r.body += room_metrics_text(*ctx->rooms);
  co_return r;
}

asio::awaitable<response> info(request) {
  json::object o;
  o["name"] = "Samling";
  o["version"] = core::version();
  json::array langs;
  for (auto l : program::supported_languages) langs.emplace_back(l);
  o["languages"] = std::move(langs);
  co_return net::json_response(json::serialize(o));
}

asio::awaitable<response> list_events(const api_context* ctx, request) {
  auto* store = ctx->program;
  // Named, not a temporary inside the co_await: GCC 12 destroys lambda temporaries with
  // non-trivial captures in a co_await full-expression twice.
  auto fetch = [store] { return store->list_events(); };
  auto events = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  json::array arr;
  // Only public events are listed (issue 16): an unlisted one is reached by its link, a
  // private one by its staff.
  for (auto& e : events)
    if (e.visibility == program::visibility::public_event) arr.push_back(program::to_json(e));
  json::object o;
  o["events"] = std::move(arr);
  co_return net::json_response(json::serialize(o));
}

asio::awaitable<response> get_event(const api_context* ctx, request r) {
  auto id = r.params["id"];
  auto* store = ctx->program;
  auto fetch = [store, id] { return store->find_event(id); };  // named: see list_events
  auto event = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!event) co_return net::json_error(errc::not_found, "No event with id \"" + id + "\".");
  co_return net::json_response(json::serialize(program::to_json(*event)));
}

// How many people are in each room of an event now (distinct users, counts only: public).
asio::awaitable<response> room_members(const api_context* ctx, request r) {
  auto id = r.params["event"];
  std::optional<std::vector<rooms::room_members>> counts;
  if (ctx->rooms) counts = co_await ctx->rooms->members_of(id);
  if (!counts) co_return net::json_error(errc::unknown_event, "No event with id \"" + id + "\".");
  json::array arr;
  for (auto& c : *counts) arr.push_back(json::object{{"room", c.room_id}, {"members", static_cast<std::uint64_t>(c.members)}});
  co_return net::json_response(json::serialize(json::object{{"event", id}, {"rooms", std::move(arr)}}));
}

// Development only (auth.dev_tokens): anyone who can reach the server can mint a token for any
// role, which is what a demo needs and what production must never allow.
asio::awaitable<response> dev_token(const api_context* ctx, request r) {
  boost::system::error_code ec;
  auto body = json::parse(r.body, ec);
  if (ec || !body.is_object())
    co_return net::json_error(errc::bad_request, "Send a JSON object {\"event\", \"name\", \"role\"}.");
  auto& o = body.as_object();
  auto field = [&](const char* k) -> std::optional<std::string> {
    auto* v = o.if_contains(k);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
  };
  auto event_id = field("event");
  auto name = field("name");
  auto role_name = field("role").value_or("attendee");
  if (!event_id || !name)
    co_return net::json_error(errc::bad_request, "\"event\" and \"name\" must be strings.");
  if (rooms::check_name(*name) != errc::ok)
    co_return net::json_error(errc::bad_request, "\"name\" must be 1-60 characters without control characters.");
  auto role = auth::role_from_string(role_name);
  if (!role || *role == auth::role::guest)
    co_return net::json_error(errc::bad_request, "\"role\" must be attendee, speaker, press, moderator or organizer.");
  auto* store = ctx->program;
  auto fetch = [store, id = *event_id] { return store->find_event(id); };  // named: GCC 12
  auto event = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  if (!event) co_return net::json_error(errc::not_found, "No event \"" + *event_id + "\".");

  auth::claims c;
  c.user_id = "u-" + random_hex(8);
  c.name = *name;
  c.event = *event_id;
  c.role = *role;
  c.issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  c.expires_at = c.issued_at + ctx->token_ttl_seconds;
  json::object user{{"id", c.user_id}, {"name", c.name}, {"role", auth::to_string(c.role)}};
  json::object out{{"token", ctx->dev_token_keys->sign(c)}, {"user", std::move(user)},
                   {"expires_at", c.expires_at}};
  co_return net::json_response(json::serialize(out));
}

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

void register_routes(net::router& routes, const api_context& ctx) {
  routes.add("GET", "/healthz", "healthz", healthz);
  routes.add("GET", "/readyz", "readyz", with(&ctx, readyz));
  routes.add("GET", "/metrics", "metrics", with(&ctx, metrics_text));
  routes.add("GET", "/api/v1/info", "api_info", info);
  routes.add("GET", "/api/v1/events", "api_events", with(&ctx, list_events));
  routes.add("GET", "/api/v1/events/{id}", "api_event", ctx.event_handler ? ctx.event_handler : with(&ctx, get_event));
  routes.add("GET", "/api/v1/events/{event}/rooms/members", "api_room_members", with(&ctx, room_members));
  if (ctx.dev_token_keys) routes.add("POST", "/api/v1/dev/token", "api_dev_token", with(&ctx, dev_token));
}

std::string room_metrics_text(const rooms::room_registry& rooms) {
  auto label = [](const std::string& v) {
    std::string out;
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    return out;
  };
  std::string out =
      "# HELP samling_room_members Distinct users joined to the room now.\n"
      "# TYPE samling_room_members gauge\n";
  for (auto& c : rooms.members_everywhere())
    out += "samling_room_members{event=\"" + label(c.event_id) + "\",room=\"" + label(c.room_id) + "\"} " +
           std::to_string(c.members) + "\n";
  return out;
}

std::string process_metrics_text() {
  std::string out;
  // /proc/self/stat fields 14 and 15 are utime and stime in clock ticks; 24 is RSS in pages.
  auto stat = read_file("/proc/self/stat");
  auto close_paren = stat.rfind(')');
  if (close_paren != std::string::npos) {
    std::istringstream in(stat.substr(close_paren + 2));
    std::vector<std::string> f;
    std::string tok;
    while (in >> tok) f.push_back(tok);
    // f[0] is field 3 (state), so field N is f[N - 3].
    if (f.size() > 21) {
      double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      double cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;
      double rss = std::stod(f[21]) * static_cast<double>(sysconf(_SC_PAGESIZE));
      out += "# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.\n"
             "# TYPE process_cpu_seconds_total counter\n";
      out += "process_cpu_seconds_total " + std::to_string(cpu) + "\n";
      out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
             "# TYPE process_resident_memory_bytes gauge\n";
      out += "process_resident_memory_bytes " + std::to_string(static_cast<long long>(rss)) + "\n";
    }
  }
  int fds = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++fds;
    closedir(d);
    fds -= 3;  // ".", ".." and the descriptor opendir itself holds
  }
  out += "# HELP process_open_fds Number of open file descriptors.\n"
         "# TYPE process_open_fds gauge\n";
  out += "process_open_fds " + std::to_string(fds) + "\n";
  auto start = std::chrono::duration<double>(process_start.time_since_epoch()).count();
  out += "# HELP process_start_time_seconds Start time of the process since the Unix epoch.\n"
         "# TYPE process_start_time_seconds gauge\n";
  out += "process_start_time_seconds " + std::to_string(start) + "\n";
  out += "# HELP samling_build_info Build information; the value is always 1.\n"
         "# TYPE samling_build_info gauge\n";
  out += "samling_build_info{version=\"" + std::string(core::version()) + "\"} 1\n";
  return out;
}

}  // namespace samling::api
