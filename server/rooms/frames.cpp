#include "rooms/frames.hpp"

#include <chrono>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace samling::rooms {

std::string json_string(std::string_view s) { return boost::json::serialize(boost::json::string(s)); }

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string user_json(const chat_user& u) {
  return R"({"id":)" + json_string(u.id) + R"(,"name":)" + json_string(u.name) + R"(,"role":)" +
         json_string(auth::to_string(u.role)) + "}";
}

std::string message_json(const chat_message& m) {
  return R"({"type":"message","room":)" + json_string(m.room) + R"(,"seq":)" +
         std::to_string(m.seq) + R"(,"ts":)" + std::to_string(m.ts_ms) + R"(,"user":)" +
         user_json(m.user) + R"(,"text":)" + json_string(m.text) + R"(,"client_msg_id":)" +
         json_string(m.client_msg_id) + "}";
}

frame_ptr ack_frame(std::string_view id_json, std::string_view result_json) {
  std::string f;
  f.reserve(32 + id_json.size() + result_json.size());
  f += R"({"type":"ack","id":)";
  f += id_json;
  f += R"(,"result":)";
  f += result_json;
  f += '}';
  return std::make_shared<const std::string>(std::move(f));
}

frame_ptr error_frame(std::string_view id_json, core::errc code, std::string_view message,
                      std::optional<std::int64_t> retry_after_ms) {
  std::string f = R"({"type":"error","id":)" + std::string(id_json) + R"(,"code":)" +
                  json_string(core::code_name(code)) + R"(,"message":)" +
                  json_string(message.empty() ? core::default_message(code) : message);
  if (retry_after_ms) f += R"(,"retry_after_ms":)" + std::to_string(*retry_after_ms);
  f += '}';
  return std::make_shared<const std::string>(std::move(f));
}

}  // namespace samling::rooms
