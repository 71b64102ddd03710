#include "protocol/requests.hpp"

#include <array>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace samling::protocol {

namespace json = boost::json;
using core::errc;

namespace {

// A required string field into `out`; bad_message naming it when missing or not a string.
std::optional<decode_error> take_string(const json::object& o, std::string_view name, std::string& out) {
  auto* v = o.if_contains(name);
  if (!v || !v->is_string())
    return decode_error{errc::bad_message, "\"" + std::string(name) + "\" must be a string."};
  out = v->as_string();
  return std::nullopt;
}

std::variant<request_body, decode_error> decode_hello(const json::object& o) {
  hello_request r;
  if (auto e = take_string(o, "event", r.event)) return *e;
  auto* token = o.if_contains("token");
  auto* guest = o.if_contains("guest");
  if ((token && guest) || (token && !token->is_string()) || (guest && !guest->is_object()))
    return decode_error{errc::bad_message,
                        "hello needs either \"token\" (a string) or \"guest\" (an object)."};
  if (!token && !guest) {
    r.credential = hello_request::session_credential{};
  } else if (token) {
    r.credential = hello_request::token_credential{std::string(token->as_string())};
  } else {
    auto* name = guest->as_object().if_contains("name");
    hello_request::guest_credential g;
    if (name && name->is_string()) g.name = std::string(name->as_string());
    else g.name = decode_error{errc::bad_message, "\"guest.name\" must be a string."};
    r.credential = std::move(g);
  }
  return r;
}

std::variant<request_body, decode_error> decode_join(const json::object& o) {
  join_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto* s = o.if_contains("since"); s && !s->is_null()) {
    if (s->is_int64() && s->as_int64() >= 0) r.since = static_cast<std::uint64_t>(s->as_int64());
    else if (s->is_uint64()) r.since = s->as_uint64();
    else return decode_error{errc::bad_message, "\"since\" must be a non-negative integer."};
  }
  return r;
}

std::variant<request_body, decode_error> decode_leave(const json::object& o) {
  leave_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  return r;
}

std::variant<request_body, decode_error> decode_post(const json::object& o) {
  post_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto e = take_string(o, "text", r.text)) return *e;
  if (auto e = take_string(o, "client_msg_id", r.client_msg_id)) return *e;
  if (r.client_msg_id.empty() || r.client_msg_id.size() > 64)
    return decode_error{errc::bad_message, "\"client_msg_id\" must be 1-64 characters."};
  return r;
}

std::variant<request_body, decode_error> decode_members(const json::object& o) {
  members_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  return r;
}

std::variant<request_body, decode_error> decode_ping(const json::object&) { return ping_request{}; }

std::variant<request_body, decode_error> decode_stages(const json::object&) { return stages_request{}; }

// The table: one row per request type, in request_body's order.
struct row {
  std::size_t index;  // the request_body alternative the decoder makes
  request_type type;
};
constexpr row rows[] = {
    {request_index<hello_request>, {"hello", admits::before_hello, decode_hello}},
    {request_index<join_request>, {"join", admits::after_hello, decode_join}},
    {request_index<leave_request>, {"leave", admits::after_hello, decode_leave}},
    {request_index<post_request>, {"post", admits::after_hello, decode_post}},
    {request_index<members_request>, {"members", admits::after_hello, decode_members}},
    {request_index<ping_request>, {"ping", admits::after_hello, decode_ping}},
    {request_index<stages_request>, {"stages", admits::after_hello, decode_stages}},
};
static_assert(std::size(rows) == request_type_count, "every request_body alternative needs a row");
constexpr bool rows_in_order() {
  for (std::size_t i = 0; i < std::size(rows); ++i)
    if (rows[i].index != i) return false;
  return true;
}
static_assert(rows_in_order(), "rows must follow request_body's order");

constexpr auto table = [] {
  std::array<request_type, std::size(rows)> t{};
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = rows[i].type;
  return t;
}();

}  // namespace

std::span<const request_type> request_types() { return table; }

const request_type* find_request_type(std::string_view name) {
  for (auto& t : table)
    if (t.name == name) return &t;
  return nullptr;
}

std::variant<request, rejected> decode_request(std::string_view text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec || !parsed.is_object())
    return rejected{"null", nullptr,
                    {errc::bad_json, ec ? "The frame is not valid JSON: " + ec.message() + "."
                                        : "The frame must be a JSON object."}};
  auto& frame = parsed.as_object();
  std::string id_json;
  if (auto* id = frame.if_contains("id");
      id && ((id->is_string() && !id->as_string().empty() && id->as_string().size() <= 64) ||
             id->is_int64())) {
    id_json = json::serialize(*id);
  } else {
    return rejected{"null", nullptr,
                    {errc::bad_message, "\"id\" must be a string of 1-64 characters or an integer."}};
  }
  auto* type_name = frame.if_contains("type");
  if (!type_name || !type_name->is_string())
    return rejected{std::move(id_json), nullptr, {errc::bad_message, "\"type\" must be a string."}};
  std::string_view name = type_name->as_string();
  auto* type = find_request_type(name);
  if (!type)
    return rejected{std::move(id_json), nullptr,
                    {errc::unknown_type, "Unknown request type \"" + std::string(name) + "\"."}};
  auto body = type->decode(frame);
  if (auto* e = std::get_if<decode_error>(&body)) return rejected{std::move(id_json), type, std::move(*e)};
  return request{std::move(id_json), type, std::move(std::get<request_body>(body))};
}

}  // namespace samling::protocol
