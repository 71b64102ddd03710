// The real-time protocol's request decoder (server/protocol/requests.cpp, decode_request) on
// arbitrary bytes: every text frame a client sends goes through it before anything runs.
// Properties, from docs/protocol.md ("Requests and replies"):
//   - it never throws, and the same bytes decode the same way twice;
//   - a refusal is bad_json, bad_message or unknown_type, with an id that is "null" or the
//     request's own id as JSON, and a message the client can read;
//   - an accepted request is a JSON object whose "type" names the decoded type, whose id is a
//     string of 1-64 characters or an integer and comes back as the same JSON value, and whose
//     fields obey their rules (client_msg_id 1-64 characters).
// Seeds: tests/fuzz/corpus/request_decoder/ (one request of every type, and refusals).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json.hpp>

#include "fuzz_check.hpp"
#include "protocol/requests.hpp"

namespace json = boost::json;
namespace protocol = samling::protocol;
using samling::core::errc;

namespace {

// The id as the reply echoes it: valid JSON, a string of 1-64 characters or an integer.
bool valid_id_json(const std::string& id_json) {
  boost::system::error_code ec;
  auto v = json::parse(id_json, ec);
  if (ec) return false;
  if (v.is_string()) return !v.as_string().empty() && v.as_string().size() <= 64;
  return v.is_int64() || v.is_uint64();
}

bool same(const std::variant<protocol::request, protocol::rejected>& a,
          const std::variant<protocol::request, protocol::rejected>& b) {
  if (a.index() != b.index()) return false;
  if (auto* r = std::get_if<protocol::request>(&a)) {
    auto& s = std::get<protocol::request>(b);
    return r->id_json == s.id_json && r->type == s.type && r->body.index() == s.body.index();
  }
  auto& r = std::get<protocol::rejected>(a);
  auto& s = std::get<protocol::rejected>(b);
  return r.id_json == s.id_json && r.type == s.type && r.error == s.error;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = protocol::decode_request(text);
  FUZZ_CHECK(same(decoded, protocol::decode_request(text)));

  if (auto* refused = std::get_if<protocol::rejected>(&decoded)) {
    auto code = refused->error.code;
    FUZZ_CHECK(code == errc::bad_json || code == errc::bad_message || code == errc::unknown_type);
    FUZZ_CHECK(refused->id_json == "null" || valid_id_json(refused->id_json));
    FUZZ_CHECK(!refused->error.message.empty());
    // Only a frame with a usable envelope names its type; an unknown type names none.
    if (refused->type) FUZZ_CHECK(code == errc::bad_message && refused->id_json != "null");
    return 0;
  }

  auto& req = std::get<protocol::request>(decoded);
  FUZZ_CHECK(req.type != nullptr);
  auto types = protocol::request_types();
  FUZZ_CHECK(req.type >= types.data() && req.type < types.data() + types.size());
  FUZZ_CHECK(static_cast<std::size_t>(req.type - types.data()) == req.body.index());
  FUZZ_CHECK(protocol::find_request_type(req.type->name) == req.type);
  FUZZ_CHECK(valid_id_json(req.id_json));

  // What was accepted is what the client sent: an object with that type and that id.
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  FUZZ_CHECK(!ec && v.is_object());
  auto& o = v.as_object();
  auto* type = o.if_contains("type");
  FUZZ_CHECK(type && type->is_string() && type->as_string() == req.type->name);
  auto* id = o.if_contains("id");
  FUZZ_CHECK(id && json::serialize(*id) == req.id_json);

  if (auto* post = std::get_if<protocol::post_request>(&req.body)) {
    FUZZ_CHECK(!post->client_msg_id.empty() && post->client_msg_id.size() <= 64);
    FUZZ_CHECK(o.at("text").as_string() == post->text);
    FUZZ_CHECK(o.at("room").as_string() == post->room);
  } else if (auto* join = std::get_if<protocol::join_request>(&req.body)) {
    FUZZ_CHECK(o.at("room").as_string() == join->room);
  } else if (auto* hello = std::get_if<protocol::hello_request>(&req.body)) {
    FUZZ_CHECK(o.at("event").as_string() == hello->event);
  }
  return 0;
}
