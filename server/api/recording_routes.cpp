#include "api/recording_routes.hpp"

#include <boost/json.hpp>

#include "api/stage_access.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;

namespace {

asio::awaitable<response> recordings(stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = co_await require_organizer(*ctx, r, id)) co_return *e;
  auto fn = [id](media::stage_control& s) {
    json::array arr;
    json::value chapters = nullptr;
    for (auto& f : s.recordings()) {
      std::string url = "/api/v1/stages/" + id + "/recordings/" + f.name;
      if (f.name.size() > 4 && f.name.ends_with(".vtt")) {
        if (chapters.is_null()) chapters = url;
        continue;
      }
      arr.push_back(json::object{{"name", f.name}, {"size", f.size}, {"modified", f.modified_ms}, {"url", url},
                                 {"session", f.session.empty() ? json::value(nullptr) : json::value(f.session)}});
    }
    return net::json_response(json::serialize(json::object{{"recordings", std::move(arr)}, {"chapters_url", chapters}}));
  };
  co_return co_await on_stage(*ctx, id, fn);
}

asio::awaitable<response> download_recording(stages_context* ctx, request r) {
  auto id = r.params["id"];
  auto name = r.params["name"];
  if (auto e = co_await require_organizer(*ctx, r, id)) co_return *e;
  // Only what the listing shows: recordings and their chapters, by a name that stays in the
  // stage's directory.
  if (!media::is_recording_file_name(name)) co_return net::json_error(errc::not_found, "No such recording.");
  auto path = ctx->layout.recording_path(id, name);
  // Opened, never read here: the session sends it from disk (sendfile(2), or TLS in 64 KiB
  // chunks) and answers Range requests, so an hour-long recording costs no memory and an
  // interrupted download resumes. The file being recorded is served as long as it is now.
  auto open = [path] { return net::open_file::open(path); };
  auto file = co_await core::run_blocking(*ctx->files, std::move(open));
  if (!file) co_return net::json_error(errc::not_found, "No such recording.");
  response out;
  out.content_type = name.ends_with(".vtt") ? "text/vtt; charset=utf-8" : "video/mp2t";
  out.file_body = std::move(file);
  out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  out.headers.emplace_back("Cache-Control", "private, no-store");
  co_return out;
}

}  // namespace

void register_recording_routes(net::router& routes, stages_context& ctx) {
  auto* c = &ctx;
  routes.add("GET", "/api/v1/stages/{id}/recordings", "api_stage_recordings",
             [c](request r) { return recordings(c, std::move(r)); });
  routes.add("GET", "/api/v1/stages/{id}/recordings/{name}", "api_stage_recording",
             [c](request r) { return download_recording(c, std::move(r)); });
}

}  // namespace samling::api
