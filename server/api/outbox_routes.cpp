#include "api/outbox_routes.hpp"

#include <boost/json.hpp>

#include "api/bind.hpp"
#include "mail/mime.hpp"
#include "program/timezone.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;
using net::request;
using net::response;

namespace {

// The dev route's limits: far above a real message, far below the body limit.
constexpr std::size_t max_subject_bytes = 998;
constexpr std::size_t max_body_bytes = 256 * 1024;

json::object entry_object(const mail::outbox_entry& e) {
  json::object o;
  o["id"] = e.id;
  o["event"] = e.msg.event_id;
  o["kind"] = e.msg.kind;
  o["language"] = e.msg.language;
  o["to"] = e.msg.to;
  o["to_name"] = e.msg.to_name;
  o["subject"] = e.msg.subject;
  o["text"] = e.msg.text;
  o["html"] = e.msg.html;
  o["state"] = e.state;
  o["attempts"] = e.attempts;
  o["created_at"] = program::utc_iso(e.created_at);
  // Only a message still to be sent has a next attempt.
  if (e.state == "queued" || e.state == "retrying")
    o["next_attempt_at"] = program::utc_iso(e.next_attempt_at);
  else
    o["next_attempt_at"] = nullptr;
  if (e.sent_at > 0)
    o["sent_at"] = program::utc_iso(e.sent_at);
  else
    o["sent_at"] = nullptr;
  o["last_error"] = e.last_error;
  return o;
}

asio::awaitable<response> list_outbox(const outbox_context* ctx, request r) {
  const std::string event = r.params["event"];
  auto who = co_await ctx->auth->require(r, event, rooms::action::read_outbox,
                                         "Only the event's organizers may read its outbox.");
  if (auto* refusal = std::get_if<response>(&who)) co_return std::move(*refusal);
  auto* outbox = ctx->outbox;
  const std::size_t limit = ctx->list_limit;
  auto fetch = [outbox, event, limit] { return outbox->list(event, limit); };  // named: GCC 12
  auto entries = co_await core::run_blocking(*ctx->db_pool, std::move(fetch));
  json::array arr;
  for (auto& e : entries) arr.push_back(entry_object(e));
  co_return net::json_response(json::serialize(json::object{{"messages", std::move(arr)}}));
}

// Development only (auth.dev_tokens): anyone who can reach the server can make it send mail to
// any address, which a test needs and production must never allow.
asio::awaitable<response> dev_mail(const outbox_context* ctx, request r) {
  boost::system::error_code ec;
  auto body = json::parse(r.body, ec);
  if (ec || !body.is_object())
    co_return net::json_error(errc::bad_request, "Send a JSON object {\"to\", \"subject\", \"text\", \"html\"}.");
  auto& o = body.as_object();
  bool wrong_type = false;
  auto field = [&](const char* k) -> std::string {
    auto* v = o.if_contains(k);
    if (!v || v->is_null()) return {};
    if (!v->is_string()) {
      wrong_type = true;
      return {};
    }
    return std::string(v->as_string());
  };
  mail::message m;
  m.to = field("to");
  m.to_name = field("to_name");
  m.subject = field("subject");
  m.text = field("text");
  m.html = field("html");
  m.language = field("language");
  m.event_id = field("event");
  m.kind = field("kind");
  if (m.kind.empty()) m.kind = "dev";
  if (m.language.empty()) m.language = "en";
  if (wrong_type) co_return net::json_error(errc::bad_request, "Every field must be a string.");
  if (auto problem = mail::address_problem(m.to))
    co_return net::json_error(errc::bad_request, "\"to\" " + *problem + ".");
  if (m.subject.empty() || m.subject.size() > max_subject_bytes)
    co_return net::json_error(errc::bad_request, "\"subject\" must be 1-998 bytes.");
  if (m.text.empty() || m.text.size() > max_body_bytes || m.html.size() > max_body_bytes)
    co_return net::json_error(errc::bad_request, "\"text\" must be 1-262144 bytes, \"html\" at most 262144.");
  auto* outbox = ctx->outbox;
  auto put = [outbox, m] { return outbox->enqueue(m); };  // named: GCC 12
  auto id = co_await core::run_blocking(*ctx->db_pool, std::move(put));
  co_return net::json_response(json::serialize(json::object{{"id", id}, {"state", "queued"}}), 201);
}

}  // namespace

std::string outbox_entry_json(const mail::outbox_entry& e) { return json::serialize(entry_object(e)); }

void register_outbox_routes(net::router& routes, const outbox_context& ctx) {
  routes.add("GET", "/api/v1/events/{event}/outbox", "api_outbox", with(&ctx, list_outbox));
  if (ctx.dev_mail) routes.add("POST", "/api/v1/dev/mail", "api_dev_mail", with(&ctx, dev_mail));
}

}  // namespace samling::api
