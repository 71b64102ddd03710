#pragma once
// What the Q&A unit tests share: a real sqlite_qa_store on a temporary file, op_envs for the
// people of a room (a fake seq counter like the room's, the audit calls recorded), and JSON
// helpers to read what the ops return.
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "temp_dir.hpp"

#include "qa/ops.hpp"
#include "qa/qa_store.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_qa_store.hpp"

namespace samling::qa::testing {

inline const std::string event_id = "stockholm-tillsammans-2027";
inline const std::string main_room = event_id + "/main";
inline const std::string other_room = event_id + "/seminar-housing";

inline const rooms::chat_user anna{"u-anna", "Anna Svensson", auth::role::attendee};
inline const rooms::chat_user bo{"u-bo", "Bo Ek", auth::role::attendee};
inline const rooms::chat_user cai{"u-cai", "Cai Lund", auth::role::speaker};
inline const rooms::chat_user pia{"u-pia", "Pia Press", auth::role::press};
inline const rooms::chat_user mona{"u-mona", "Mona Moderator", auth::role::moderator};
inline const rooms::chat_user olle{"u-olle", "Olle Organizer", auth::role::organizer};

// A JSON string to compare with what an op returned (json::value has no == for std::string).
inline boost::json::value S(const std::string& s) { return boost::json::string(s); }

struct audit_record {
  std::string actor, action, target, reason;
  bool operator==(const audit_record&) const = default;
};

class qa_test : public ::testing::Test {
 protected:
  samling::testing::temp_dir dir;
  store::sqlite_db db{dir.file("qa.db")};
  store::sqlite_qa_store store{db};
  std::uint64_t next_seq = 1;
  std::int64_t now_ms = 1796822400000;
  std::vector<audit_record> audits;

  rooms::op_env env(const rooms::chat_user& user, const std::string& room = main_room) {
    rooms::op_env e;
    e.room = room;
    e.event_id = room.substr(0, room.find('/'));
    e.room_id = room.substr(room.find('/') + 1);
    e.actor = user;
    e.staff = user.role == auth::role::moderator || user.role == auth::role::organizer;
    e.now_ms = now_ms;
    e.take_seq = [this] { return next_seq++; };
    e.audit = [this, id = user.id](std::string_view action, std::string_view target, std::string_view reason) {
      audits.push_back({id, std::string(action), std::string(target), std::string(reason)});
    };
    return e;
  }

  // Asks as `user`; the question's id (fails the test when refused).
  std::string ask_as(const rooms::chat_user& user, std::string text, ask_args a = {}) {
    a.text = std::move(text);
    if (a.client_msg_id.empty()) a.client_msg_id = "c-" + std::to_string(++client_ids);
    auto e = env(user);
    auto out = ask(store, e, a);
    EXPECT_EQ(out.error, core::errc::ok) << out.message;
    if (out.error != core::errc::ok) return {};
    return std::string(result(out).at("question").at("id").as_string());
  }

  rooms::op_outcome act_as(const rooms::chat_user& user, const std::string& id, question_action action,
                           question_args a = {}) {
    a.question_id = id;
    a.action = action;
    auto e = env(user);
    return act(store, e, a);
  }

  rooms::op_outcome vote_as(const rooms::chat_user& user, const std::string& id, bool up = true) {
    auto e = env(user);
    return vote(store, e, id, up);
  }

  std::string create_poll_as(const rooms::chat_user& user, poll_kind kind = poll_kind::single,
                             bool hidden = false, std::vector<std::string> options = {"Ja", "Nej", "Vet ej"}) {
    poll_args a;
    a.text = "Ska vi ha fika?";
    a.kind = kind;
    a.options = std::move(options);
    a.hidden = hidden;
    auto e = env(user);
    auto out = create_poll(store, e, a);
    EXPECT_EQ(out.error, core::errc::ok) << out.message;
    if (out.error != core::errc::ok) return {};
    return std::string(result(out).at("poll").at("id").as_string());
  }

  rooms::op_outcome poll_as(const rooms::chat_user& user, const std::string& id, poll_action a) {
    auto e = env(user);
    return act_on_poll(store, e, id, a);
  }

  rooms::op_outcome poll_vote_as(const rooms::chat_user& user, const std::string& id,
                                 std::vector<std::int64_t> choices) {
    auto e = env(user);
    return vote_poll(store, e, id, choices);
  }

  static boost::json::object result(const rooms::op_outcome& out) {
    return boost::json::parse(out.result_json).as_object();
  }
  static boost::json::object json(const std::string& s) { return boost::json::parse(s).as_object(); }

  int client_ids = 0;
};

}  // namespace samling::qa::testing
