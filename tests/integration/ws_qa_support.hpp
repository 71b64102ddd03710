#pragma once
// Helpers for the Q&A, poll and moderation protocol tests (ws_qa_*_test.cpp): the requests of
// docs/protocol.md ("ask", "vote", "question", "poll_create", "poll", "poll_vote",
// "moderate") as one call each on a ws_client, and a signed-in client in one line.
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "harness.hpp"
#include "ws_client.hpp"

namespace samling::testing::qa {

namespace json = boost::json;
using reply = std::optional<json::object>;

inline server_process::options server_options(const std::string& extra_toml = {}) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[media]\nenabled = false\n" + extra_toml;
  return o;
}

// A client that said hello with a token of `role` (or as a guest for "guest") and joined
// `rooms`; nullptr (with a test failure) when a step failed.
inline std::unique_ptr<ws_client> signed_in(const server_process& server, const std::string& user,
                                            const std::string& role,
                                            std::initializer_list<std::string> rooms = {"main"}) {
  auto c = std::make_unique<ws_client>();
  if (!c->connect(server.port())) {
    ADD_FAILURE() << "connect: " << c->error();
    return nullptr;
  }
  auto h = role == "guest" ? c->hello_guest(ws::event_id, "Gäst " + user)
                           : c->hello(ws::event_id, ws::token(user, "Name " + user, role));
  if (!is_ack(h)) {
    ADD_FAILURE() << "hello as " << role << ": " << str(h);
    return nullptr;
  }
  for (auto& r : rooms) {
    auto j = c->join(ws::room(r));
    if (!is_ack(j)) {
      ADD_FAILURE() << "join " << r << " as " << role << ": " << str(j);
      return nullptr;
    }
  }
  return c;
}

inline reply ask(ws_client& c, const std::string& text, json::object extra = {},
                 const std::string& room = "main") {
  json::object r{{"type", "ask"}, {"room", ws::room(room)}, {"text", text},
                 {"client_msg_id", ws::unique("ask-")}};
  for (auto& [k, v] : extra) r[k] = v;
  return c.request(std::move(r));
}
inline reply vote(ws_client& c, const std::string& question, bool up = true, const std::string& room = "main") {
  return c.request({{"type", "vote"}, {"room", ws::room(room)}, {"question", question}, {"up", up}});
}
inline reply act(ws_client& c, const std::string& question, const std::string& action, json::object extra = {},
                 const std::string& room = "main") {
  json::object r{{"type", "question"}, {"room", ws::room(room)}, {"question", question}, {"action", action}};
  for (auto& [k, v] : extra) r[k] = v;
  return c.request(std::move(r));
}
inline reply poll_create(ws_client& c, const std::string& text, json::array options,
                         const std::string& kind = "single", const std::string& room = "main") {
  return c.request({{"type", "poll_create"}, {"room", ws::room(room)}, {"text", text}, {"kind", kind},
                    {"options", std::move(options)}});
}
inline reply poll_act(ws_client& c, const std::string& poll, const std::string& action,
                      const std::string& room = "main") {
  return c.request({{"type", "poll"}, {"room", ws::room(room)}, {"poll", poll}, {"action", action}});
}
inline reply poll_vote(ws_client& c, const std::string& poll, json::array choices, const std::string& room = "main") {
  return c.request({{"type", "poll_vote"}, {"room", ws::room(room)}, {"poll", poll}, {"choices", std::move(choices)}});
}
inline reply moderate(ws_client& c, const std::string& action, json::object extra = {},
                      const std::string& room = "main") {
  json::object r{{"type", "moderate"}, {"room", ws::room(room)}, {"action", action}};
  for (auto& [k, v] : extra) r[k] = v;
  return c.request(std::move(r));
}

// The id of the question or poll in an ack's result.
inline std::string question_id(const reply& r) { return string_field(r, "result.question.id"); }
inline std::string poll_id(const reply& r) { return string_field(r, "result.poll.id"); }

}  // namespace samling::testing::qa
