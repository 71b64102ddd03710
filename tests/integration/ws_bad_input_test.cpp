// Bad input over WebSocket, table-driven (docs/protocol.md, Error codes and Close codes). For
// every row: the documented error (or close code) comes back, nothing of it is stored (a
// newcomer's join shows no trace of the row's marker), the process is still healthy, and a
// session connected meanwhile can still post and receive.
#include <gtest/gtest.h>

#include <signal.h>
#include <sqlite3.h>

#include <functional>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::string other_event = "other-event-2026";
const std::string main_room = ws::room("main");
const std::string bad_id = "bad-1";

// A second event in the database, a copy of the demo event with every room closed to guests,
// so that tokens and rooms of *another existing* event can be tried. Written while the server
// is stopped; generic SQL, so it follows the schema whatever its columns.
void add_other_event(const temp_dir& dir) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("samling.db").c_str(), &db), SQLITE_OK);
  const std::string from = "'" + ws::event_id + "'", to = "'" + other_event + "'";
  const std::string sql =
      "BEGIN;"
      "CREATE TEMP TABLE e AS SELECT * FROM events WHERE id = " + from + ";"
      "UPDATE e SET id = " + to + ";"
      "INSERT INTO events SELECT * FROM e;"
      "CREATE TEMP TABLE d AS SELECT * FROM event_days WHERE event_id = " + from + ";"
      "UPDATE d SET event_id = " + to + ";"
      "INSERT INTO event_days SELECT * FROM d;"
      "CREATE TEMP TABLE r AS SELECT * FROM rooms WHERE event_id = " + from + ";"
      "UPDATE r SET event_id = " + to + ", guests = 0;"
      "INSERT INTO rooms SELECT * FROM r;"
      "COMMIT;";
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

enum class start { connected, hello, in_main, guest };  // the subject's state before the row
enum class id_rule { request, null, any };               // what the error's "id" must be

struct bad_case {
  std::string name;
  start from;
  std::function<void(ws_client&, const std::string& marker)> send;
  std::string error;  // the expected error code; empty when a close is expected
  id_rule id = id_rule::request;
  int close = 0;      // the expected close code
  std::function<void(const json::object& reply)> check = {};
};

std::string json_text(const json::object& o) { return json::serialize(o); }

// A well-formed post of `text` to the main room with the row's id.
json::object post_of(const std::string& text, const std::string& marker,
                     const std::string& room = main_room) {
  return {{"id", bad_id}, {"type", "post"}, {"room", room}, {"text", text}, {"client_msg_id", marker}};
}

std::string tampered_token() {
  // A valid attendee token whose payload is swapped for an organizer's: the signature no
  // longer matches.
  auto t = ws::token("u-tamper", "Tamper", "attendee");
  auto payload_start = t.find('.', 3) + 1;
  auto payload_end = t.find('.', payload_start);
  return t.substr(0, payload_start) +
         base64url(json::serialize(ws::claims("u-tamper", "Tamper", "organizer"))) +
         t.substr(payload_end);
}

std::string resigned_token() {
  // Right payload, signature flipped in its first character.
  auto t = ws::token("u-resign", "Resign", "attendee");
  auto sig = t.rfind('.') + 1;
  t[sig] = t[sig] == 'A' ? 'B' : 'A';
  return t;
}

std::vector<bad_case> cases() {
  auto hello_with = [](std::string token) {
    return [token](ws_client& c, const std::string&) {
      c.send({{"id", bad_id}, {"type", "hello"}, {"event", ws::event_id}, {"token", token}});
    };
  };
  auto guest_named = [](std::string name, std::string event = ws::event_id) {
    return [name, event](ws_client& c, const std::string&) {
      c.send({{"id", bad_id}, {"type", "hello"}, {"event", event}, {"guest", {{"name", name}}}});
    };
  };
  auto send_object = [](std::function<json::object(const std::string&)> make) {
    return [make](ws_client& c, const std::string& marker) { c.send(make(marker)); };
  };
  auto send_raw = [](std::function<std::string(const std::string&)> make) {
    return [make](ws_client& c, const std::string& marker) { c.send_text(make(marker)); };
  };
  auto now = unix_seconds();
  std::vector<bad_case> t = {
      // --- frames that are not a request ---
      {"invalid_json", start::in_main,
       send_raw([](auto& m) { return json_text(post_of(m, m)).substr(0, 60) + "\"unterminated"; }),
       "bad_json", id_rule::null},
      {"not_json_at_all", start::in_main, send_raw([](auto& m) { return "post " + m; }), "bad_json",
       id_rule::null},
      {"json_array", start::in_main,
       send_raw([](auto& m) { return "[\"post\", \"" + main_room + "\", \"" + m + "\"]"; }), "bad_json",
       id_rule::null},
      {"json_string", start::in_main, send_raw([](auto& m) { return "\"" + m + "\""; }), "bad_json",
       id_rule::null},
      {"json_number", start::in_main, send_raw([](auto&) { return std::string("42"); }), "bad_json",
       id_rule::null},
      {"json_null", start::in_main, send_raw([](auto&) { return std::string("null"); }), "bad_json",
       id_rule::null},
      // --- requests with a bad envelope ---
      {"unknown_type", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o["type"] = "shout";
         return o;
       }),
       "unknown_type"},
      {"missing_id", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o.erase("id");
         return o;
       }),
       "bad_message", id_rule::null},
      {"id_of_wrong_type", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o["id"] = json::object{{"n", 1}};
         return o;
       }),
       "bad_message", id_rule::null},
      {"id_too_long", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o["id"] = std::string(65, 'i');
         return o;
       }),
       "bad_message", id_rule::any},
      {"missing_type", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o.erase("type");
         return o;
       }),
       "bad_message"},
      {"type_of_wrong_type", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o["type"] = 3;
         return o;
       }),
       "bad_message"},
      // --- missing or wrongly typed fields ---
      {"join_without_room", start::hello,
       send_object([](auto&) { return json::object{{"id", bad_id}, {"type", "join"}}; }), "bad_message"},
      {"join_with_numeric_room", start::hello,
       send_object([](auto&) { return json::object{{"id", bad_id}, {"type", "join"}, {"room", 7}}; }),
       "bad_message"},
      {"join_with_string_since", start::hello, send_object([](auto&) {
         return json::object{{"id", bad_id}, {"type", "join"}, {"room", main_room}, {"since", "5"}};
       }),
       "bad_message"},
      {"post_with_numeric_text", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o["text"] = 12345;
         return o;
       }),
       "bad_message"},
      {"post_without_text", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o.erase("text");
         return o;
       }),
       "bad_message"},
      {"post_without_room", start::in_main, send_object([](auto& m) {
         auto o = post_of(m, m);
         o.erase("room");
         return o;
       }),
       "bad_message"},
      {"hello_without_event", start::connected, send_object([](auto&) {
         return json::object{{"id", bad_id}, {"type", "hello"}, {"token", ws::token("u-x", "X")}};
       }),
       "bad_message"},
      {"hello_with_numeric_token", start::connected, send_object([](auto&) {
         return json::object{{"id", bad_id}, {"type", "hello"}, {"event", ws::event_id}, {"token", 123}};
       }),
       "bad_message"},
      {"hello_without_token_or_guest", start::connected, send_object([](auto&) {
         return json::object{{"id", bad_id}, {"type", "hello"}, {"event", ws::event_id}};
       }),
       "bad_message"},
      // --- frames the WebSocket layer refuses ---
      {"oversized_frame", start::in_main,
       send_raw([](auto& m) { return json_text(post_of(m + std::string(20000, 'a'), m)); }), "",
       id_rule::any, 1009},
      {"binary_frame", start::in_main,
       [](ws_client& c, const std::string& m) { c.send_binary(json_text(post_of(m, m))); }, "",
       id_rule::any, 1003},
      {"invalid_utf8", start::in_main,
       send_raw([](auto& m) {
         auto text = json_text(post_of(m + " ZZZZ", m));
         auto at = text.find("ZZZZ");
         text.replace(at, 4, "\xff\xfe\xc3\x28");  // not UTF-8
         return text;
       }),
       "", id_rule::any, 1007},
      {"no_hello_in_time", start::connected, [](ws_client&, const std::string&) {}, "", id_rule::any,
       4001},
      {"too_many_errors_in_a_row", start::hello,
       [](ws_client& c, const std::string& m) {
         for (int i = 0; i < 25; ++i)
           if (!c.send_text("{not json " + m)) break;
       },
       "", id_rule::any, 4009},
      // --- authentication ---
      {"join_before_hello", start::connected,
       send_object([](auto&) { return json::object{{"id", bad_id}, {"type", "join"}, {"room", main_room}}; }),
       "not_authenticated"},
      {"post_before_hello", start::connected, send_object([](auto& m) { return post_of(m, m); }),
       "not_authenticated"},
      {"second_hello", start::hello, hello_with(ws::token("u-again", "Again")), "already_authenticated"},
      {"token_tampered", start::connected, hello_with(tampered_token()), "token_invalid"},
      {"token_bad_signature", start::connected, hello_with(resigned_token()), "token_invalid"},
      {"token_malformed", start::connected, hello_with("v1.k1.not-a-token"), "token_invalid"},
      {"token_garbage", start::connected, hello_with("garbage"), "token_invalid"},
      {"token_expired", start::connected,
       hello_with(mint_token(ws::key_id, ws::secret,
                             {{"sub", "u-old"}, {"name", "Old"}, {"event", ws::event_id},
                              {"role", "attendee"}, {"iat", now - 7200}, {"exp", now - 60}})),
       "token_expired"},
      {"token_unknown_key", start::connected,
       hello_with(mint_token("k9", "a-secret-the-server-has-never-seen-0123456789",
                             ws::claims("u-k9", "K9", "attendee"))),
       "token_unknown_key"},
      {"token_wrong_event", start::connected,
       hello_with(ws::token("u-other", "Other", "attendee", other_event)), "token_wrong_event"},
      {"no_such_event_guest", start::connected, guest_named("Anna", "no-such-event"), "no_such_event"},
      {"no_such_event_token", start::connected, send_object([](auto&) {
         return json::object{{"id", bad_id}, {"type", "hello"}, {"event", "no-such-event"},
                             {"token", ws::token("u-nse", "N", "attendee", "no-such-event")}};
       }),
       "no_such_event"},
      {"guests_not_allowed", start::connected, guest_named("Anna", other_event), "guests_not_allowed"},
      {"guest_name_empty", start::connected, guest_named(""), "name_invalid"},
      {"guest_name_too_long", start::connected, guest_named(std::string(61, 'n')), "name_invalid"},
      {"guest_name_control", start::connected, guest_named("Anna\x07"), "name_invalid"},
      // --- rooms ---
      {"join_room_of_another_event", start::hello,
       send_object([](auto&) {
         return json::object{{"id", bad_id}, {"type", "join"}, {"room", ws::room("main", other_event)}};
       }),
       "wrong_event"},
      {"no_such_room", start::hello, send_object([](auto&) {
         return json::object{{"id", bad_id}, {"type", "join"}, {"room", ws::room("no-such-room")}};
       }),
       "no_such_room"},
      {"post_to_room_not_joined", start::in_main,
       send_object([](auto& m) { return post_of(m, m, ws::room("seminar-health")); }), "not_in_room"},
      {"leave_room_not_joined", start::hello,
       send_object([](auto&) { return json::object{{"id", bad_id}, {"type", "leave"}, {"room", main_room}}; }),
       "not_in_room"},
      {"attendee_joins_press", start::hello,
       send_object([](auto&) { return json::object{{"id", bad_id}, {"type", "join"}, {"room", ws::room("press")}}; }),
       "forbidden"},
      {"guest_joins_press", start::guest,
       send_object([](auto&) { return json::object{{"id", bad_id}, {"type", "join"}, {"room", ws::room("press")}}; }),
       "forbidden"},
      {"attendee_asks_for_members", start::in_main,
       send_object([](auto&) { return json::object{{"id", bad_id}, {"type", "members"}, {"room", main_room}}; }),
       "forbidden"},
      {"too_many_rooms", start::hello,
       [](ws_client& c, const std::string&) {
         // rooms.max_rooms_per_session = 3 in this test's config
         for (auto r : {"main", "seminar-housing", "seminar-health"})
           if (!is_ack(c.join(ws::room(r)))) return;
         c.send({{"id", bad_id}, {"type", "join"}, {"room", ws::room("seminar-work")}});
       },
       "too_many_rooms"},
      // --- text ---
      {"text_empty", start::in_main, send_object([](auto& m) { return post_of(" \n\t  ", m); }), "text_empty"},
      {"text_too_long", start::in_main,
       send_object([](auto& m) { return post_of(m + std::string(1001 - m.size(), 'x'), m); }),
       "text_too_long"},
      {"text_too_long_in_code_points", start::in_main, send_object([](auto& m) {
         std::string text = m;
         for (std::size_t i = m.size(); i < 1001; ++i) text += "é";
         return post_of(text, m);
       }),
       "text_too_long"},
      {"text_with_bell", start::in_main, send_object([](auto& m) { return post_of(m + "\x07", m); }),
       "text_invalid"},
      {"text_with_nul", start::in_main,
       send_object([](auto& m) { return post_of(m + std::string(1, '\0') + "after", m); }), "text_invalid"},
      {"text_with_escape_sequence", start::in_main,
       send_object([](auto& m) { return post_of(m + "\x1b[31mred", m); }), "text_invalid"},
      // --- rate ---
      {"rate_limited", start::in_main,
       [](ws_client& c, const std::string& m) {
         // rooms.rate_burst = 3 in this test's config: three go through, the fourth does not.
         for (int i = 0; i < 3; ++i)
           if (!is_ack(c.post(main_room, "within the burst " + std::to_string(i)))) return;
         c.send(post_of(m, m));
       },
       "rate_limited", id_rule::request, 0,
       [](const json::object& reply) {
         EXPECT_GT(int_field(reply, "retry_after_ms"), 0) << json::serialize(reply);
       }},
  };
  return t;
}

TEST(ws_bad_input, every_bad_input_gets_its_documented_answer_and_harms_nothing) {
  temp_dir dir;
  server_process::options o;
  o.env = ws::auth_env();
  o.dir = &dir;
  o.extra_toml =
      "[rooms]\nrate_burst = 3\nrate_per_minute = 60\nmax_rooms_per_session = 3\nhistory = 500\n"
      "[ws]\nmax_frame_bytes = 16384\nhello_timeout_seconds = 2\n";
  {
    server_process first(o);  // creates and seeds the database
    first.signal(SIGTERM);
    ASSERT_EQ(first.wait_exit(10s), 0) << first.stderr_text();
  }
  ASSERT_NO_FATAL_FAILURE(add_other_event(dir));
  server_process server(o);
  ASSERT_EQ(http_get(server.port(), "/api/v1/events/" + other_event).status, 200)
      << "the second event is not visible";

  // Watches the main room for the whole test; it never posts.
  ws_client watcher;
  ASSERT_TRUE(watcher.connect(server.port())) << watcher.error() << " (HTTP "
                                              << watcher.handshake_status() << ")";
  ASSERT_TRUE(is_ack(watcher.hello(ws::event_id, ws::token("u-watcher", "Watcher"))));
  ASSERT_TRUE(is_ack(watcher.join(main_room)));

  int row = 0;
  for (auto& c : cases()) {
    SCOPED_TRACE("row " + c.name);
    ++row;
    const auto marker = "BAD-" + c.name + "-" + std::to_string(row);

    // A bystander, connected and in the room while the bad input arrives.
    ws_client bystander;
    ASSERT_TRUE(bystander.connect(server.port()));
    ASSERT_TRUE(is_ack(bystander.hello(ws::event_id, ws::token("u-by-" + c.name, "By " + c.name))));
    ASSERT_TRUE(is_ack(bystander.join(main_room)));

    ws_client subject;
    ASSERT_TRUE(subject.connect(server.port())) << subject.error();
    if (c.from == start::guest) {
      ASSERT_TRUE(is_ack(subject.hello_guest(ws::event_id, "Guest " + c.name)));
    } else if (c.from != start::connected) {
      auto h = subject.hello(ws::event_id, ws::token("u-" + c.name, "Subject " + c.name));
      ASSERT_TRUE(is_ack(h)) << str(h);
      if (c.from == start::in_main) {
        ASSERT_TRUE(is_ack(subject.join(main_room)));
      }
    }

    c.send(subject, marker);
    if (c.close) {
      auto code = subject.wait_closed(c.close == 4001 ? 10s : 5s);
      EXPECT_EQ(code, c.close) << "ended: " << subject.ended() << " " << subject.error();
    } else {
      auto reply = c.id == id_rule::request ? subject.next_reply(json::value(bad_id)) : subject.next_reply();
      ASSERT_TRUE(reply) << "no reply";
      EXPECT_EQ(string_field(reply, "type"), "error") << str(reply);
      EXPECT_EQ(string_field(reply, "code"), c.error) << str(reply);
      EXPECT_FALSE(string_field(reply, "message").empty()) << "an error has a message: " << str(reply);
      if (c.id == id_rule::null) {
        ASSERT_TRUE(reply->contains("id")) << str(reply);
        EXPECT_TRUE(reply->at("id").is_null()) << str(reply);
      }
      if (c.check) c.check(*reply);
      // An error answer does not end the connection: it still answers a ping (or, before
      // hello, still refuses it as unauthenticated).
      auto ping = subject.request({{"type", "ping"}});
      auto ping_outcome = outcome(ping);
      EXPECT_TRUE(ping_outcome == "ack" || ping_outcome == "not_authenticated") << str(ping);
    }
    EXPECT_TRUE(subject.bad_frames().empty()) << "the server sent a frame that is not a JSON object";

    // Nothing stored.
    for (auto room : {"main", "seminar-health", "press"}) {
      auto j = ws::fresh_join(server.port(), ws::room(room));
      ASSERT_TRUE(is_ack(j)) << str(j);
      for (auto& m : ws::messages_of(j)) {
        EXPECT_EQ(string_field(m, "text").find(marker), std::string::npos) << "stored: " << str(m);
        EXPECT_EQ(string_field(m, "client_msg_id").find(marker), std::string::npos) << "stored: " << str(m);
      }
    }
    // Still alive.
    EXPECT_EQ(http_get(server.port(), "/healthz").status, 200);
    // The bystander is unaffected: it posts, it and the watcher receive it.
    auto text = "fine after " + c.name;
    auto p = bystander.post(main_room, text);
    ASSERT_TRUE(is_ack(p)) << str(p);
    auto has_text = [&](const json::object& e) {
      return string_field(e, "type") == "message" && string_field(e, "text") == text;
    };
    EXPECT_TRUE(bystander.next_event_if(has_text)) << "the bystander did not get its own message";
    EXPECT_TRUE(watcher.next_event_if(has_text)) << "the watcher did not get the bystander's message";
    watcher.take_events();
    EXPECT_FALSE(bystander.ended());
  }
  EXPECT_TRUE(watcher.is_open());
  EXPECT_TRUE(watcher.bad_frames().empty());
}

}  // namespace
