#include "protocol/requests.hpp"

#include <array>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/utf8.hpp"

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

decode_error field_error(std::string message) { return {errc::bad_message, std::move(message)}; }

// An optional string field: absent or null leaves `out` empty.
std::optional<decode_error> take_optional_string(const json::object& o, std::string_view name,
                                                 std::string& out) {
  auto* v = o.if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) return field_error("\"" + std::string(name) + "\" must be a string.");
  out = v->as_string();
  return std::nullopt;
}

// An optional boolean field: absent or null leaves `out` as it is (its default).
std::optional<decode_error> take_optional_bool(const json::object& o, std::string_view name, bool& out) {
  auto* v = o.if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_bool()) return field_error("\"" + std::string(name) + "\" must be true or false.");
  out = v->as_bool();
  return std::nullopt;
}

std::optional<decode_error> take_client_msg_id(const json::object& o, std::string& out) {
  if (auto e = take_string(o, "client_msg_id", out)) return e;
  if (out.empty() || out.size() > 64) return field_error("\"client_msg_id\" must be 1-64 characters.");
  return std::nullopt;
}

// An optional moderator's reason, at most reason_max_chars characters.
std::optional<decode_error> take_reason(const json::object& o, std::string& out) {
  if (auto e = take_optional_string(o, "reason", out)) return e;
  auto n = core::utf8_length(out);
  if (!n || *n > reason_max_chars)
    return field_error("\"reason\" must be at most " + std::to_string(reason_max_chars) + " characters.");
  return std::nullopt;
}

// The verb named by the string field `name`, one of `names` (indexed like the enum).
template <typename Verb, std::size_t N>
std::optional<decode_error> take_verb(const json::object& o, std::string_view name,
                                      const std::array<std::string_view, N>& names, Verb& out) {
  auto* v = o.if_contains(name);
  if (v && v->is_string()) {
    for (std::size_t i = 0; i < N; ++i)
      if (v->as_string() == names[i]) {
        out = static_cast<Verb>(i);
        return std::nullopt;
      }
  }
  std::string list;
  for (std::size_t i = 0; i < N; ++i) list += (i ? ", " : "") + std::string(names[i]);
  return field_error("\"" + std::string(name) + "\" must be one of " + list + ".");
}

constexpr std::array<std::string_view, 9> question_verbs{"approve", "reject", "edit",    "merge",  "pin",
                                                         "unpin",   "answered", "archive", "restore"};
constexpr std::array<std::string_view, 5> poll_verbs{"open", "close", "reveal", "hide", "archive"};
constexpr std::array<std::string_view, 11> moderate_verbs{
    "delete_message", "release_message", "mute", "unmute", "ban",          "unban",
    "slow_mode",      "lock",            "unlock", "words", "premoderation"};
static_assert(question_verbs.size() == static_cast<std::size_t>(question_verb::restore) + 1);
static_assert(poll_verbs.size() == static_cast<std::size_t>(poll_verb::archive) + 1);
static_assert(moderate_verbs.size() == static_cast<std::size_t>(moderate_verb::premoderation) + 1);

std::variant<request_body, decode_error> decode_hello(const json::object& o) {
  hello_request r;
  if (auto e = take_string(o, "event", r.event)) return *e;
  auto* token = o.if_contains("token");
  auto* guest = o.if_contains("guest");
  auto* kiosk = o.if_contains("kiosk");
  auto* grant = o.if_contains("grant");
  // At most one credential; a kiosk link and a press grant are opaque and never empty.
  auto nonempty_string = [](const json::value* v) { return v->is_string() && !v->as_string().empty(); };
  if ((token != nullptr) + (guest != nullptr) + (kiosk != nullptr) + (grant != nullptr) > 1 ||
      (token && !token->is_string()) || (guest && !guest->is_object()) || (kiosk && !nonempty_string(kiosk)) ||
      (grant && !nonempty_string(grant)))
    return decode_error{errc::bad_message,
                        "hello needs either \"token\" (a string), \"guest\" (an object), \"kiosk\" (a string) "
                        "or \"grant\" (a string)."};
  if (!token && !guest && !kiosk && !grant) {
    r.credential = hello_request::session_credential{};
  } else if (kiosk) {
    r.credential = hello_request::kiosk_credential{std::string(kiosk->as_string())};
  } else if (grant) {
    r.credential = hello_request::grant_credential{std::string(grant->as_string())};
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
  if (auto e = take_client_msg_id(o, r.client_msg_id)) return *e;
  return r;
}

std::variant<request_body, decode_error> decode_members(const json::object& o) {
  members_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  return r;
}

std::variant<request_body, decode_error> decode_ping(const json::object&) { return ping_request{}; }

std::variant<request_body, decode_error> decode_stages(const json::object&) { return stages_request{}; }

std::variant<request_body, decode_error> decode_ask(const json::object& o) {
  ask_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto e = take_string(o, "text", r.text)) return *e;
  if (auto e = take_client_msg_id(o, r.client_msg_id)) return *e;
  if (auto e = take_optional_bool(o, "anonymous", r.anonymous)) return *e;
  if (auto e = take_optional_bool(o, "hall", r.hall)) return *e;
  if (auto e = take_optional_string(o, "name", r.name)) return *e;
  return r;
}

std::variant<request_body, decode_error> decode_vote(const json::object& o) {
  vote_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto e = take_string(o, "question", r.question)) return *e;
  if (auto e = take_optional_bool(o, "up", r.up)) return *e;
  return r;
}

std::variant<request_body, decode_error> decode_question(const json::object& o) {
  question_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto e = take_string(o, "question", r.question)) return *e;
  if (auto e = take_verb(o, "action", question_verbs, r.action)) return *e;
  if (auto e = take_reason(o, r.reason)) return *e;
  if (r.action == question_verb::edit) {
    if (auto e = take_string(o, "text", r.text)) return *e;
  }
  if (r.action == question_verb::merge) {
    if (auto e = take_string(o, "into", r.into)) return *e;
  }
  return r;
}

std::variant<request_body, decode_error> decode_poll_create(const json::object& o) {
  poll_create_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto e = take_string(o, "text", r.text)) return *e;
  auto* kind = o.if_contains("kind");
  if (!kind || !kind->is_string() || (kind->as_string() != "single" && kind->as_string() != "multiple"))
    return field_error("\"kind\" must be \"single\" or \"multiple\".");
  r.multiple = kind->as_string() == "multiple";
  auto* options = o.if_contains("options");
  if (!options || !options->is_array()) return field_error("\"options\" must be an array of strings.");
  for (auto& v : options->as_array()) {
    if (!v.is_string()) return field_error("\"options\" must be an array of strings.");
    r.options.emplace_back(v.as_string());
  }
  if (auto* results = o.if_contains("results"); results && !results->is_null()) {
    if (!results->is_string() || (results->as_string() != "live" && results->as_string() != "hidden"))
      return field_error("\"results\" must be \"live\" or \"hidden\".");
    r.hidden = results->as_string() == "hidden";
  }
  return r;
}

std::variant<request_body, decode_error> decode_poll(const json::object& o) {
  poll_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto e = take_string(o, "poll", r.poll)) return *e;
  if (auto e = take_verb(o, "action", poll_verbs, r.action)) return *e;
  return r;
}

std::variant<request_body, decode_error> decode_poll_vote(const json::object& o) {
  poll_vote_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto e = take_string(o, "poll", r.poll)) return *e;
  auto* choices = o.if_contains("choices");
  if (!choices || !choices->is_array()) return field_error("\"choices\" must be an array of integers.");
  for (auto& v : choices->as_array()) {
    if (!v.is_int64()) return field_error("\"choices\" must be an array of integers.");
    r.choices.push_back(v.as_int64());
  }
  return r;
}

// An integer field from `min` to `max`; the message names the range.
std::optional<decode_error> take_int(const json::object& o, std::string_view name, std::int64_t min,
                                     std::int64_t max, std::int64_t& out) {
  auto* v = o.if_contains(name);
  if (!v || !v->is_int64() || v->as_int64() < min || v->as_int64() > max)
    return field_error("\"" + std::string(name) + "\" must be an integer from " + std::to_string(min) +
                       " to " + std::to_string(max) + ".");
  out = v->as_int64();
  return std::nullopt;
}

std::variant<request_body, decode_error> decode_moderate(const json::object& o) {
  moderate_request r;
  if (auto e = take_string(o, "room", r.room)) return *e;
  if (auto e = take_verb(o, "action", moderate_verbs, r.action)) return *e;
  using v = moderate_verb;
  switch (r.action) {
    case v::delete_message:
    case v::release_message: {
      auto* seq = o.if_contains("seq");
      if (seq && seq->is_int64() && seq->as_int64() > 0) r.seq = static_cast<std::uint64_t>(seq->as_int64());
      else if (seq && seq->is_uint64()) r.seq = seq->as_uint64();
      else return field_error("\"seq\" must be a positive integer.");
      break;
    }
    case v::mute:
    case v::unmute:
    case v::ban:
    case v::unban:
      if (auto e = take_string(o, "user", r.user); e || r.user.empty())
        return field_error("\"user\" must be a user id (a non-empty string).");
      if (auto e = take_optional_string(o, "name", r.name)) return *e;
      if (r.action == v::mute) {
        if (auto e = take_int(o, "seconds", 1, mute_max_seconds, r.seconds)) return *e;
      }
      break;
    case v::slow_mode:
      if (auto e = take_int(o, "seconds", 0, slow_mode_max_seconds, r.seconds)) return *e;
      break;
    case v::lock:
    case v::unlock:
      break;
    case v::words: {
      const std::string rule = "\"words\" must be an array of at most " + std::to_string(word_list_max) +
                               " strings of 1-" + std::to_string(word_max_chars) + " characters.";
      auto* words = o.if_contains("words");
      if (!words || !words->is_array() || words->as_array().size() > word_list_max) return field_error(rule);
      for (auto& w : words->as_array()) {
        if (!w.is_string()) return field_error(rule);
        auto n = core::utf8_length(w.as_string());
        if (!n || *n < 1 || *n > word_max_chars) return field_error(rule);
        r.words.emplace_back(w.as_string());
      }
      break;
    }
    case v::premoderation: {
      auto* on = o.if_contains("on");
      if (!on || !on->is_bool()) return field_error("\"on\" must be true or false.");
      r.on = on->as_bool();
      break;
    }
  }
  if (auto e = take_reason(o, r.reason)) return *e;
  return r;
}

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
    {request_index<ask_request>, {"ask", admits::after_hello, decode_ask}},
    {request_index<vote_request>, {"vote", admits::after_hello, decode_vote}},
    {request_index<question_request>, {"question", admits::after_hello, decode_question}},
    {request_index<poll_create_request>, {"poll_create", admits::after_hello, decode_poll_create}},
    {request_index<poll_request>, {"poll", admits::after_hello, decode_poll}},
    {request_index<poll_vote_request>, {"poll_vote", admits::after_hello, decode_poll_vote}},
    {request_index<moderate_request>, {"moderate", admits::after_hello, decode_moderate}},
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

std::string_view to_string(question_verb v) { return question_verbs[static_cast<std::size_t>(v)]; }
std::string_view to_string(poll_verb v) { return poll_verbs[static_cast<std::size_t>(v)]; }
std::string_view to_string(moderate_verb v) { return moderate_verbs[static_cast<std::size_t>(v)]; }

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
