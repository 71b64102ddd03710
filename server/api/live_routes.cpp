#include "api/live_routes.hpp"

#include <ctime>
#include <fstream>
#include <iterator>

#include <boost/asio/awaitable.hpp>

#include "api/press_gate.hpp"
#include "api/stage_access.hpp"

namespace samling::api {

namespace asio = boost::asio;
using core::errc;
using net::request;
using net::response;

void forget_live(stages_context& ctx, const std::string& stage) { ctx.live.forget(ctx.layout.hls_file(stage, "")); }

namespace {

std::shared_ptr<const std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  return std::make_shared<const std::string>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A playlist or segment is on its way to a client: it counts as a viewer of the stage.
void count_viewer(const stages_context& ctx, const request& r, const std::string& stage) {
  if (ctx.viewers) ctx.viewers->seen(stage, r.remote, r.header("user-agent"));
}

// A public stage's answer, as before issue 18.
response live_response(std::shared_ptr<const std::string> playlist, std::shared_ptr<const net::open_file> segment) {
  response out;
  if (playlist) {
    out.shared_body = std::move(playlist);
    out.content_type = "application/vnd.apple.mpegurl";
    out.headers.emplace_back("Cache-Control", "no-cache");
  } else {
    out.file_body = std::move(segment);
    out.content_type = "video/mp2t";
    // Segment names are unique per run of the stage, so a segment never changes.
    out.headers.emplace_back("Cache-Control", "public, max-age=86400, immutable");
  }
  return out;
}

// The answer for a request the gate let through (`pass`), or the public one (`pass` null).
response serve(const stages_context& ctx, const request& r, const std::string& stage, const gate_pass* pass,
               std::shared_ptr<const std::string> playlist, std::shared_ptr<const net::open_file> segment,
               std::int64_t now_s) {
  count_viewer(ctx, r, stage);
  if (!pass) return live_response(std::move(playlist), std::move(segment));
  if (playlist) return gated_playlist(ctx, r, stage, *pass, *playlist, now_s);
  return gated_segment(ctx, r, stage, *pass, std::move(segment));
}

// /live/'s fast path: the access check, then the answer from the cache without suspending;
// nullopt when the file has to be read or opened first, or a staff session looked up (live_file
// does that). A stage public at this moment costs what it did before the gate: one look at the
// board, no allocation. A gated one: the gate's checks (a MAC, a few comparisons, the
// registry's maps), no database.
std::optional<response> live_now(stages_context& ctx, const request& r) {
  const auto& stage = r.params.at("stage");
  const auto& name = r.params.at("file");
  if (!ctx.engine) return net::json_error(errc::not_found, "No such stream.");
  auto rule = ctx.board->rule(stage);
  if (!rule) return net::json_error(errc::not_found, "No such stream.");
  auto now_s = gate_now_seconds(ctx);
  bool playlist = name == media::layout::playlist_name;
  std::optional<gate_decision> gate;
  if (rule->at(now_s) != press::visibility::public_) {
    gate = gate_request(ctx, r, stage, playlist, *rule, now_s);
    if (auto* refused = std::get_if<response>(&*gate)) return std::move(*refused);
    if (std::holds_alternative<gate_needs_session>(*gate)) return std::nullopt;
  }
  const gate_pass* pass = gate ? &std::get<gate_pass>(*gate) : nullptr;
  if (!media::is_live_file_name(name)) return net::json_error(errc::not_found, "No such file.");
  // Both names are checked above (a configured stage, a safe file name): the path is theirs.
  auto path = ctx.layout.hls_file(stage, name);
  if (playlist) {
    auto body = ctx.live.fresh_playlist(path);
    if (!body) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) return net::json_error(errc::not_found, "The stream is not live.");
      body = ctx.live.playlist(path, st);
    }
    if (!body) return std::nullopt;
    return serve(ctx, r, stage, pass, std::move(body), nullptr, now_s);
  }
  auto file = ctx.live.segment(path);
  if (!file) return std::nullopt;
  return serve(ctx, r, stage, pass, nullptr, std::move(file), now_s);
}

asio::awaitable<response> live_file(stages_context* ctx, request r) {
  if (auto now = live_now(*ctx, r)) co_return std::move(*now);
  // Not in the cache, or a staff session to look up (and not refused: live_now checked).
  const auto& stage = r.params["stage"];
  const auto& name = r.params["file"];
  auto rule = ctx->board->rule(stage);
  if (!rule) co_return net::json_error(errc::not_found, "No such stream.");
  auto now_s = gate_now_seconds(*ctx);
  bool playlist = name == media::layout::playlist_name;
  std::optional<gate_decision> gate;
  if (rule->at(now_s) != press::visibility::public_) {
    gate = gate_request(*ctx, r, stage, playlist, *rule, now_s);
    if (std::holds_alternative<gate_needs_session>(*gate)) {
      auto who = co_await identify(*ctx, r);
      gate = gate_session(*ctx, r, stage, *rule, now_s, who.who);
    }
    if (auto* refused = std::get_if<response>(&*gate)) co_return std::move(*refused);
  }
  const gate_pass* pass = gate ? &std::get<gate_pass>(*gate) : nullptr;
  if (!media::is_live_file_name(name)) co_return net::json_error(errc::not_found, "No such file.");
  auto path = ctx->layout.hls_file(stage, name);
  if (playlist) {
    auto body = ctx->live.fresh_playlist(path);
    struct stat st {};
    if (!body) {
      if (::stat(path.c_str(), &st) != 0) co_return net::json_error(errc::not_found, "The stream is not live.");
      auto read = [path] { return read_whole(path); };
      body = co_await core::run_blocking(*ctx->files, std::move(read));
      if (!body) co_return net::json_error(errc::not_found, "The stream is not live.");
      ctx->live.put_playlist(path, st, body);
    }
    co_return serve(*ctx, r, stage, pass, std::move(body), nullptr, now_s);
  }
  // Served only once complete, as media's layout decides it from the playlist (the one in the
  // cache when it is fresh) and the file's age.
  auto playlist_body = ctx->live.fresh_playlist(ctx->layout.playlist_file(stage));
  auto open = [path, name, playlist_body, list_path = ctx->layout.playlist_file(stage)]() -> std::shared_ptr<const net::open_file> {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return nullptr;
    auto list = playlist_body ? playlist_body : read_whole(list_path);
    auto age_ms = (static_cast<std::int64_t>(::time(nullptr)) - st.st_mtim.tv_sec) * 1000;
    if (!media::hls_segment_complete(name, list.get(), age_ms)) return nullptr;
    return net::open_file::open(path);
  };
  auto file = co_await core::run_blocking(*ctx->files, std::move(open));
  if (!file) co_return net::json_error(errc::not_found, "No such segment.");
  ctx->live.put_segment(path, file);
  co_return serve(*ctx, r, stage, pass, nullptr, std::move(file), now_s);
}

}  // namespace

void register_live_routes(net::router& routes, stages_context& ctx) {
  routes.add("GET", "/live/{stage}/{file}", "live", [c = &ctx](request r) { return live_file(c, std::move(r)); },
             [c = &ctx](const request& r) { return live_now(*c, r); });
}

}  // namespace samling::api
