#pragma once
// The JSON frames of the real-time protocol (docs/protocol.md), built once per broadcast.
// `id_json` is the request's id already serialized as JSON ("7" or "\"abc\""), echoed as is.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "rooms/chat_store.hpp"

namespace samling::rooms {

using frame_ptr = std::shared_ptr<const std::string>;

std::string user_json(const chat_user& u);
// The `message` event; also the element of a join ack's "messages".
std::string message_json(const chat_message& m);
// {"type":"ack","id":ID,"result":RESULT_JSON}
frame_ptr ack_frame(std::string_view id_json, std::string_view result_json);
// {"type":"error","id":ID,"code":…,"message":…[,"retry_after_ms":N]}; id_json "null" when none.
frame_ptr error_frame(std::string_view id_json, core::errc code, std::string_view message = {},
                      std::optional<std::int64_t> retry_after_ms = std::nullopt);
// A JSON string literal for `s` (quoted and escaped).
std::string json_string(std::string_view s);
std::int64_t now_ms();

}  // namespace samling::rooms
