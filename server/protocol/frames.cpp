#include "protocol/frames.hpp"

#include <chrono>
#include <cstdio>

#include "protocol/json_writer.hpp"

namespace samling::protocol {

namespace {

constexpr frame_type all_frame_types[] = {frame_type::ack,   frame_type::error,   frame_type::message,
                                          frame_type::presence, frame_type::stage, frame_type::program,
                                          frame_type::now_next};

frame_ptr share(json_writer& w) { return std::make_shared<const std::string>(w.take()); }

void write_user(json_writer& w, const user_ref& u) {
  w.begin_object();
  w.key("id").string(u.id);
  w.key("name").string(u.name);
  w.key("role").string(auth::to_string(u.role));
  w.end_object();
}

void write_users(json_writer& w, std::span<const user_ref> users) {
  w.begin_array();
  for (auto& u : users) write_user(w, u);
  w.end_array();
}

// {"type":"ack","id":ID,"result": — the caller writes the result, then end_ack().
json_writer begin_ack(std::string_view id_json, std::size_t reserve) {
  json_writer w(reserve + 32 + id_json.size());
  w.begin_object();
  w.key("type").string(to_string(frame_type::ack));
  w.key("id").raw(id_json);
  w.key("result");
  return w;
}

frame_ptr end_ack(json_writer& w) {
  w.end_object();
  return share(w);
}

}  // namespace

std::string_view to_string(frame_type t) {
  switch (t) {
    case frame_type::ack: return "ack";
    case frame_type::error: return "error";
    case frame_type::message: return "message";
    case frame_type::presence: return "presence";
    case frame_type::stage: return "stage";
    case frame_type::program: return "program";
    case frame_type::now_next: return "now_next";
  }
  return "error";  // unreachable: every enumerator is handled above
}

const std::vector<std::string>& server_message_types() {
  static const std::vector<std::string> types = [] {
    std::vector<std::string> out;
    for (auto t : all_frame_types) out.emplace_back(to_string(t));
    return out;
  }();
  return types;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --- events -----------------------------------------------------------------------------------

frame_ptr event(const message_event& e) {
  json_writer w(160 + e.room.size() + e.user.id.size() + e.user.name.size() + e.text.size() +
                e.client_msg_id.size());
  w.begin_object();
  w.key("type").string(to_string(frame_type::message));
  w.key("room").string(e.room);
  w.key("seq").unsigned_integer(e.seq);
  w.key("ts").integer(e.ts_ms);
  w.key("user");
  write_user(w, e.user);
  w.key("text").string(e.text);
  w.key("client_msg_id").string(e.client_msg_id);
  if (e.held) w.key("held").boolean(true);
  w.end_object();
  return share(w);
}

frame_ptr event(const presence_event& e) {
  json_writer w(64 + e.room.size() + (e.members ? e.members->size() * 64 : 0));
  w.begin_object();
  w.key("type").string(to_string(frame_type::presence));
  w.key("room").string(e.room);
  w.key("count").unsigned_integer(e.count);
  if (e.members) {
    w.key("members");
    write_users(w, *e.members);
  }
  w.end_object();
  return share(w);
}

frame_ptr event(const stage_event& e) {
  json_writer w(32 + e.stage_json.size());
  w.begin_object();
  w.key("type").string(to_string(frame_type::stage));
  w.key("stage").raw(e.stage_json);
  w.end_object();
  return share(w);
}

frame_ptr event(const program_event& e) {
  json_writer w(64 + e.event.size() + e.changes_json.size());
  w.begin_object();
  w.key("type").string(to_string(frame_type::program));
  w.key("event").string(e.event);
  w.key("version").integer(e.version);
  w.key("changes").raw(e.changes_json);
  w.end_object();
  return share(w);
}

frame_ptr event(const now_next_event& e) {
  json_writer w(48 + e.event.size() + e.rooms_json.size());
  w.begin_object();
  w.key("type").string(to_string(frame_type::now_next));
  w.key("event").string(e.event);
  w.key("rooms").raw(e.rooms_json);
  w.end_object();
  return share(w);
}

// --- replies ----------------------------------------------------------------------------------

frame_ptr ack(std::string_view id_json, const hello_result& r) {
  auto w = begin_ack(id_json, 256 + r.user.name.size() + r.token.size());
  w.begin_object();
  w.key("session").string(r.session);
  w.key("server_time").integer(r.server_time);
  w.key("user");
  write_user(w, r.user);
  w.key("event").string(r.event);
  w.key("limits").begin_object();
  w.key("text_max_chars").unsigned_integer(r.text_max_chars);
  w.key("rate_burst").integer(static_cast<long long>(r.rate_burst));
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.4g", r.rate_per_second);
  w.key("rate_per_second").raw(rate);
  w.key("history").unsigned_integer(r.history);
  w.end_object();
  if (!r.token.empty()) w.key("token").string(r.token);
  w.end_object();
  return end_ack(w);
}

frame_ptr ack(std::string_view id_json, const join_result& r) {
  std::size_t size = 64 + r.room.size();
  for (auto m : r.messages) size += m.size() + 1;
  for (auto e : r.events) size += e.size() + 1;
  size += r.qa_json.size() + 32;
  auto w = begin_ack(id_json, size);
  w.begin_object();
  w.key("room").string(r.room);
  w.key("seq").unsigned_integer(r.seq);
  w.key("count").unsigned_integer(r.count);
  w.key("messages").begin_array();
  for (auto m : r.messages) w.raw(m);
  w.end_array();
  w.key("events").begin_array();
  for (auto e : r.events) w.raw(e);
  w.end_array();
  w.key("qa").raw(r.qa_json.empty() ? std::string_view("{}") : r.qa_json);
  w.end_object();
  return end_ack(w);
}

frame_ptr ack(std::string_view id_json, const leave_result& r) {
  auto w = begin_ack(id_json, 16 + r.room.size());
  w.begin_object();
  w.key("room").string(r.room);
  w.end_object();
  return end_ack(w);
}

frame_ptr ack(std::string_view id_json, const post_result& r) {
  auto w = begin_ack(id_json, 80 + r.room.size());
  w.begin_object();
  w.key("room").string(r.room);
  w.key("seq").unsigned_integer(r.seq);
  w.key("ts").integer(r.ts_ms);
  w.key("duplicate").boolean(r.duplicate);
  if (r.held) w.key("held").boolean(true);
  w.end_object();
  return end_ack(w);
}

frame_ptr ack(std::string_view id_json, const members_result& r) {
  auto w = begin_ack(id_json, 48 + r.room.size() + r.members.size() * 64);
  w.begin_object();
  w.key("room").string(r.room);
  w.key("count").unsigned_integer(r.count);
  w.key("members");
  write_users(w, r.members);
  w.end_object();
  return end_ack(w);
}

frame_ptr ack(std::string_view id_json, const ping_result& r) {
  auto w = begin_ack(id_json, 32);
  w.begin_object();
  w.key("server_time").integer(r.server_time);
  w.end_object();
  return end_ack(w);
}

frame_ptr ack(std::string_view id_json, const stages_result& r) {
  auto w = begin_ack(id_json, r.stage_list_json.size());
  w.raw(r.stage_list_json);
  return end_ack(w);
}

frame_ptr ack_raw(std::string_view id_json, std::string_view result_json) {
  auto w = begin_ack(id_json, result_json.size());
  w.raw(result_json.empty() ? std::string_view("{}") : result_json);
  return end_ack(w);
}

frame_ptr error(std::string_view id_json, core::errc code, std::string_view message,
                std::optional<std::int64_t> retry_after_ms) {
  if (message.empty()) message = core::default_message(code);
  json_writer w(64 + id_json.size() + message.size());
  w.begin_object();
  w.key("type").string(to_string(frame_type::error));
  w.key("id").raw(id_json);
  w.key("code").string(core::code_name(code));
  w.key("message").string(message);
  if (retry_after_ms) w.key("retry_after_ms").integer(*retry_after_ms);
  w.end_object();
  return share(w);
}

std::string stage_list(std::span<const std::string_view> stages_json) {
  std::size_t size = 16;
  for (auto s : stages_json) size += s.size() + 1;
  json_writer w(size);
  w.begin_object();
  w.key("stages").begin_array();
  for (auto s : stages_json) w.raw(s);
  w.end_array();
  w.end_object();
  return w.take();
}

}  // namespace samling::protocol
