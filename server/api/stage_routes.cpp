#include "api/stage_routes.hpp"

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "api/live_routes.hpp"
#include "api/press_context.hpp"
#include "api/press_gate.hpp"
#include "press/grant.hpp"
#include "api/recording_routes.hpp"
#include "api/stage_access.hpp"
#include "api/stage_json.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;

namespace {

// Who may see which stage (issue 18): staff of its event the staff view; anyone whose level
// (no credential: public; a join token's or staff session's role; a press grant: press, for
// the stages it covers) reaches the stage's rule at this moment the public view. The rules
// are the press context's (its access map) when there is one, else each stage's own.
struct lister {
  const stages_context* ctx;
  caller who;
  std::optional<press::grant> grant;  // a caller with a press grant (Authorization: Bearer g1.…)
  std::int64_t now_s;

  press::access_rule rule(const stage_ref& s) const {
    if (ctx->press && ctx->press->access)
      if (auto e = ctx->press->access->stage(s.id)) return e->rule;
    return s.rule;
  }

  press::visibility level(const stage_ref& s) const {
    auto level = press::visibility::public_;
    if (who.who)
      for (auto role : who.who->roles_in(s.event))
        if (static_cast<int>(press::level_of(role)) > static_cast<int>(level)) level = press::level_of(role);
    if (grant && grant->event == s.event && grant->covers_stage(s.id) &&
        !press::admits(press::visibility::press, level))
      level = press::visibility::press;
    return level;
  }

  stage_view operator()(const stage_ref& s) const {
    if (who.staff_of(s.event)) return stage_view::staff_view;
    return press::admits(rule(s).at(now_s), level(s)) ? stage_view::public_view : stage_view::none;
  }
};

// The caller of a stage route, or the error to answer. A bearer token that is a press grant
// ("g1.…") is checked as one: valid now and not revoked.
asio::awaitable<std::variant<lister, response>> lister_for(stages_context* ctx, const request& r) {
  lister l{ctx, {}, std::nullopt, gate_now_seconds(*ctx)};
  auto token = bearer_token(r);
  if (token.substr(0, 3) == "g1." && ctx->press && ctx->press->keys) {
    auto verified = press::verify_grant(token, *ctx->press->keys, l.now_s);
    if (auto* why = std::get_if<press::refusal>(&verified)) co_return refusal_response(r, *why, "");
    auto& g = std::get<press::grant>(verified);
    if (ctx->press->registry && ctx->press->registry->is_revoked(g.id))
      co_return refusal_response(r, press::refusal::revoked, g.event);
    l.grant = std::move(g);
    co_return l;
  }
  l.who = co_await identify(*ctx, r);
  if (l.who.error != errc::ok) co_return net::json_error(l.who.error, l.who.message);
  co_return l;
}

asio::awaitable<response> list_stages(stages_context* ctx, request r) {
  auto l = co_await lister_for(ctx, r);
  if (auto* e = std::get_if<response>(&l)) co_return std::move(*e);
  co_return net::json_response(ctx->board->list_with(std::get<lister>(l)));
}

asio::awaitable<response> get_stage(stages_context* ctx, request r) {
  auto id = r.params["id"];
  auto l = co_await lister_for(ctx, r);
  if (auto* e = std::get_if<response>(&l)) co_return std::move(*e);
  auto j = ctx->board->one_with(id, std::get<lister>(l));
  if (!j) co_return net::json_error(errc::no_such_stage, "No stage \"" + id + "\".");
  co_return net::json_response(*j);
}

asio::awaitable<response> start_stage(stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = co_await require_organizer(*ctx, r, id)) co_return *e;
  auto fn = [viewers = ctx->board->viewers(id)](media::stage_control& s) {
    s.start();
    return net::json_response(stage_json(s.status(), true, viewers));
  };
  auto res = co_await on_stage(*ctx, id, fn);
  forget_live(*ctx, id);
  co_return res;
}

asio::awaitable<response> stop_stage(stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = co_await require_organizer(*ctx, r, id)) co_return *e;
  auto fn = [viewers = ctx->board->viewers(id)](media::stage_control& s) {
    s.stop();
    return net::json_response(stage_json(s.status(), true, viewers));
  };
  auto res = co_await on_stage(*ctx, id, fn);
  forget_live(*ctx, id);
  co_return res;
}

asio::awaitable<response> add_output(stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = co_await require_organizer(*ctx, r, id)) co_return *e;
  boost::system::error_code ec;
  auto body = json::parse(r.body, ec);
  if (ec || !body.is_object())
    co_return net::json_error(errc::bad_request, "Send a JSON object {\"name\", \"url\", \"key\"}.");
  auto& o = body.as_object();
  auto field = [&](const char* k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  media::output_spec spec;
  spec.id = field("id");
  spec.name = field("name");
  spec.url = field("url");
  spec.key = field("key");
  auto fn = [spec](media::stage_control& s) {
    if (auto err = s.add_output(spec)) return net::json_error(errc::invalid_output, *err);
    auto outs = s.status().outputs;
    return net::json_response(output_json(outs.back()), 201);
  };
  co_return co_await on_stage(*ctx, id, fn);
}

asio::awaitable<response> output_action(stages_context* ctx, request r, std::string action) {
  auto id = r.params["id"];
  auto oid = r.params["oid"];
  if (auto e = co_await require_organizer(*ctx, r, id)) co_return *e;
  auto fn = [oid, action](media::stage_control& s) -> response {
    if (!s.output(oid)) return net::json_error(errc::no_such_output, "No destination \"" + oid + "\".");
    std::optional<std::string> err;
    if (action == "remove") err = s.remove_output(oid);
    else if (action == "stop") err = s.stop_output(oid);
    else err = s.start_output(oid);
    if (err) return net::json_error(errc::invalid_output, *err);
    if (action == "remove") {
      response out;
      out.status = 204;
      out.content_type.clear();
      return out;
    }
    return net::json_response(output_json(*s.output(oid)));
  };
  co_return co_await on_stage(*ctx, id, fn);
}

asio::awaitable<response> stop_output(stages_context* ctx, request r) { return output_action(ctx, std::move(r), "stop"); }
asio::awaitable<response> start_output(stages_context* ctx, request r) { return output_action(ctx, std::move(r), "start"); }
asio::awaitable<response> remove_output(stages_context* ctx, request r) { return output_action(ctx, std::move(r), "remove"); }

asio::awaitable<response> graph(stages_context* ctx, request r) {
  auto id = r.params["id"];
  if (auto e = co_await require_organizer(*ctx, r, id)) co_return *e;
  auto fn = [](media::stage_control& s) {
    response out;
    out.content_type = "text/vnd.graphviz; charset=utf-8";
    out.body = s.dot();
    if (out.body.empty()) out.body = "digraph stopped {}\n";
    return out;
  };
  co_return co_await on_stage(*ctx, id, fn);
}

}  // namespace

void register_stage_routes(net::router& routes, stages_context& ctx) {
  routes.add("GET", "/api/v1/stages", "api_stages", with(&ctx, list_stages));
  routes.add("GET", "/api/v1/stages/{id}", "api_stage", with(&ctx, get_stage));
  routes.add("POST", "/api/v1/stages/{id}/start", "api_stage_start", with(&ctx, start_stage));
  routes.add("POST", "/api/v1/stages/{id}/stop", "api_stage_stop", with(&ctx, stop_stage));
  routes.add("POST", "/api/v1/stages/{id}/outputs", "api_stage_outputs", with(&ctx, add_output));
  routes.add("DELETE", "/api/v1/stages/{id}/outputs/{oid}", "api_stage_output", with(&ctx, remove_output));
  routes.add("POST", "/api/v1/stages/{id}/outputs/{oid}/stop", "api_stage_output_stop", with(&ctx, stop_output));
  routes.add("POST", "/api/v1/stages/{id}/outputs/{oid}/start", "api_stage_output_start", with(&ctx, start_output));
  routes.add("GET", "/api/v1/stages/{id}/graph", "api_stage_graph", with(&ctx, graph));
  register_recording_routes(routes, ctx);
  register_live_routes(routes, ctx);
}

}  // namespace samling::api
