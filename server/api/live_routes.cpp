#include "api/live_routes.hpp"

#include <ctime>
#include <fstream>
#include <iterator>

#include <boost/asio/awaitable.hpp>

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

// The one place where access to a stage's HLS is decided. Public stages: everyone. Others:
// refused until press accreditation grants exist (the next issue adds the grant check here).
std::optional<response> live_access(const stages_context& ctx, const request&, const std::string& stage) {
  if (!ctx.board->exists(stage)) return net::json_error(errc::not_found, "No such stream.");
  if (ctx.board->is_public(stage)) return std::nullopt;
  return net::json_error(errc::forbidden, "This stream needs an accreditation grant.");
}

// A playlist or segment is on its way to a client: it counts as a viewer of the stage.
void count_viewer(const stages_context& ctx, const request& r, const std::string& stage) {
  if (ctx.viewers) ctx.viewers->seen(stage, r.remote, r.header("user-agent"));
}

response live_response(bool is_public, std::shared_ptr<const std::string> playlist,
                       std::shared_ptr<const net::open_file> segment) {
  response out;
  if (playlist) {
    out.shared_body = std::move(playlist);
    out.content_type = "application/vnd.apple.mpegurl";
    out.headers.emplace_back("Cache-Control", "no-cache");
  } else {
    out.file_body = std::move(segment);
    out.content_type = "video/mp2t";
    // Segment names are unique per run of the stage, so a segment never changes.
    out.headers.emplace_back("Cache-Control", is_public ? "public, max-age=86400, immutable" : "private, max-age=86400");
  }
  return out;
}

// /live/'s fast path: the access check, then the answer from the cache without suspending;
// nullopt when the file has to be read or opened first (live_file does that).
std::optional<response> live_now(stages_context& ctx, const request& r) {
  const auto& stage = r.params.at("stage");
  const auto& name = r.params.at("file");
  if (!ctx.engine) return net::json_error(errc::not_found, "No such stream.");
  if (auto denied = live_access(ctx, r, stage)) return denied;
  if (!media::is_live_file_name(name)) return net::json_error(errc::not_found, "No such file.");
  // Both names are checked above (a configured stage, a safe file name): the path is theirs.
  auto path = ctx.layout.hls_file(stage, name);
  bool is_public = ctx.board->is_public(stage);
  if (name == media::layout::playlist_name) {
    auto body = ctx.live.fresh_playlist(path);
    if (!body) {
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) return net::json_error(errc::not_found, "The stream is not live.");
      body = ctx.live.playlist(path, st);
    }
    if (!body) return std::nullopt;
    count_viewer(ctx, r, stage);
    return live_response(is_public, std::move(body), nullptr);
  }
  auto file = ctx.live.segment(path);
  if (!file) return std::nullopt;
  count_viewer(ctx, r, stage);
  return live_response(is_public, nullptr, std::move(file));
}

asio::awaitable<response> live_file(stages_context* ctx, request r) {
  if (auto now = live_now(*ctx, r)) co_return std::move(*now);
  // Not in the cache (and allowed: live_now checked): read the playlist or open the segment.
  const auto& stage = r.params["stage"];
  const auto& name = r.params["file"];
  auto path = ctx->layout.hls_file(stage, name);
  bool is_public = ctx->board->is_public(stage);
  if (name == media::layout::playlist_name) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) co_return net::json_error(errc::not_found, "The stream is not live.");
    auto read = [path] { return read_whole(path); };
    auto body = co_await core::run_blocking(*ctx->files, std::move(read));
    if (!body) co_return net::json_error(errc::not_found, "The stream is not live.");
    ctx->live.put_playlist(path, st, body);
    count_viewer(*ctx, r, stage);
    co_return live_response(is_public, std::move(body), nullptr);
  }
  // Served only once complete, as media's layout decides it from the playlist (the one in the
  // cache when it is fresh) and the file's age.
  auto playlist = ctx->live.fresh_playlist(ctx->layout.playlist_file(stage));
  auto open = [path, name, playlist, list_path = ctx->layout.playlist_file(stage)]() -> std::shared_ptr<const net::open_file> {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return nullptr;
    auto list = playlist ? playlist : read_whole(list_path);
    auto age_ms = (static_cast<std::int64_t>(::time(nullptr)) - st.st_mtim.tv_sec) * 1000;
    if (!media::hls_segment_complete(name, list.get(), age_ms)) return nullptr;
    return net::open_file::open(path);
  };
  auto file = co_await core::run_blocking(*ctx->files, std::move(open));
  if (!file) co_return net::json_error(errc::not_found, "No such segment.");
  ctx->live.put_segment(path, file);
  count_viewer(*ctx, r, stage);
  co_return live_response(is_public, nullptr, std::move(file));
}

}  // namespace

void register_live_routes(net::router& routes, stages_context& ctx) {
  routes.add("GET", "/live/{stage}/{file}", "live", [c = &ctx](request r) { return live_file(c, std::move(r)); },
             [c = &ctx](const request& r) { return live_now(*c, r); });
}

}  // namespace samling::api
