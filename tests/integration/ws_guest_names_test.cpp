// A guest cannot pass for someone else (docs/protocol.md, hello): not for a signed-in
// participant of the event who is connected now or has posted in it (name_taken), nor for
// staff (name_reserved). Names are compared trimmed, with blanks collapsed, case-folded.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

server_process::options names_server() {
  server_process::options o;
  o.env = ws::auth_env();
  return o;
}

// A fresh connection's guest hello with `name`: "ack" or the error code.
std::string guest_hello(std::uint16_t port, const std::string& name, const std::string& event = ws::event_id) {
  ws_client c;
  if (!c.connect(port)) return "(no connection: " + c.error() + ")";
  auto h = c.hello_guest(event, name);
  if (is_ack(h) && string_field(h, "result.user.role") != "guest") return "(not a guest: " + str(h) + ")";
  return outcome(h);
}

TEST(ws_guest_names, a_connected_signed_in_participants_name_is_taken_while_connected) {
  server_process server(names_server());
  const auto port = server.port();
  EXPECT_EQ(guest_hello(port, "Anna Svensson"), "ack") << "nobody uses it yet";

  auto moderator = std::make_unique<ws_client>();
  ASSERT_TRUE(moderator->connect(port));
  ASSERT_TRUE(is_ack(moderator->hello(ws::event_id, ws::token("u-anna", "Anna Svensson", "moderator"))));
  EXPECT_EQ(guest_hello(port, "Anna Svensson"), "name_taken");
  EXPECT_EQ(guest_hello(port, "  anna   SVENSSON "), "name_taken");
  EXPECT_EQ(guest_hello(port, "ANNA \u00a0Svensson\u3000"), "name_taken");  // no-break and ideographic spaces
  EXPECT_EQ(guest_hello(port, "Anna Svenson"), "ack") << "another name";
  EXPECT_EQ(guest_hello(port, "Bertil"), "ack") << "a normal guest name still works";

  // An attendee's name is as much theirs; a guest's name reserves nothing.
  ws_client attendee, guest;
  ASSERT_TRUE(attendee.connect(port));
  ASSERT_TRUE(is_ack(attendee.hello(ws::event_id, ws::token("u-asa", "Åsa Öberg", "attendee"))));
  EXPECT_EQ(guest_hello(port, "ÅSA ÖBERG"), "name_taken");
  ASSERT_TRUE(guest.connect(port));
  ASSERT_TRUE(is_ack(guest.hello_guest(ws::event_id, "Cecilia")));
  EXPECT_EQ(guest_hello(port, "Cecilia"), "ack");

  ASSERT_TRUE(is_ack(moderator->join(ws::room("main"))));
  moderator.reset();  // disconnects without having posted: the name is free again
  EXPECT_TRUE(eventually([&] { return guest_hello(port, "Anna Svensson") == "ack"; }, 5s));
}

TEST(ws_guest_names, a_past_posters_name_stays_taken_after_they_leave_and_after_a_restart) {
  temp_dir dir;
  auto o = names_server();
  o.dir = &dir;
  {
    server_process server(o);
    ws_client speaker;
    ASSERT_TRUE(speaker.connect(server.port()));
    ASSERT_TRUE(is_ack(speaker.hello(ws::event_id, ws::token("u-omar", "Omar Farah", "speaker"))));
    ASSERT_TRUE(is_ack(speaker.join(ws::room("seminar-housing"))));
    ASSERT_TRUE(is_ack(speaker.post(ws::room("seminar-housing"), "Välkomna!")));
    // A guest who posted reserves nothing.
    ws_client guest;
    ASSERT_TRUE(guest.connect(server.port()));
    ASSERT_TRUE(is_ack(guest.hello_guest(ws::event_id, "Gunnel Gäst")));
    ASSERT_TRUE(is_ack(guest.join(ws::room("main"))));
    ASSERT_TRUE(is_ack(guest.post(ws::room("main"), "Hej")));
    ASSERT_TRUE(speaker.close());
    EXPECT_EQ(guest_hello(server.port(), "omar farah"), "name_taken") << "posted in this run, gone now";
    EXPECT_EQ(guest_hello(server.port(), "Gunnel Gäst"), "ack");
  }
  // A new process knows it from the chat history alone.
  server_process again(o);
  EXPECT_EQ(guest_hello(again.port(), "Omar Farah"), "name_taken");
  EXPECT_EQ(guest_hello(again.port(), " OMAR  FARAH"), "name_taken");
  EXPECT_EQ(guest_hello(again.port(), "Omar"), "ack");
}

TEST(ws_guest_names, a_signed_in_poster_of_this_run_is_known_after_the_event_was_checked_once) {
  // The history is read once per event; later posts are added as they are stored.
  server_process server(names_server());
  EXPECT_EQ(guest_hello(server.port(), "Early Guest"), "ack");  // reads the (empty) history
  ws_client attendee;
  ASSERT_TRUE(attendee.connect(server.port()));
  ASSERT_TRUE(is_ack(attendee.hello(ws::event_id, ws::token("u-lisa", "Lisa Lind"))));
  ASSERT_TRUE(is_ack(attendee.join(ws::room("main"))));
  ASSERT_TRUE(is_ack(attendee.post(ws::room("main"), "Första!")));
  ASSERT_TRUE(attendee.close());
  EXPECT_TRUE(eventually([&] { return guest_hello(server.port(), "Lisa Lind") == "name_taken"; }, 5s));
}

TEST(ws_guest_names, staff_words_are_reserved) {
  server_process server(names_server());
  for (const char* name : {"Moderator", "@moderaattori", "  MODERATOR ", "Organizer", "Arrangör", "Järjestäjä",
                           "Press Anna", "admin", "Talare", "Lehdistö", "Samling"}) {
    EXPECT_EQ(guest_hello(server.port(), name), "name_reserved") << name;
  }
  for (const char* name : {"Staffan", "Pressley", "Anna"}) {
    EXPECT_EQ(guest_hello(server.port(), name), "ack") << name;
  }
  // The error carries its documented message; the connection stays open for another try.
  ws_client c;
  ASSERT_TRUE(c.connect(server.port()));
  auto refused = c.hello_guest(ws::event_id, "Moderator");
  EXPECT_EQ(outcome(refused), "name_reserved");
  EXPECT_FALSE(string_field(refused, "message").empty()) << str(refused);
  auto retry = c.hello_guest(ws::event_id, "Moa");
  EXPECT_TRUE(is_ack(retry)) << str(retry);
}

TEST(ws_guest_names, a_token_holder_is_not_refused_by_these_rules) {
  // The rules are for guests: staff sign in with tokens, whatever their names.
  server_process server(names_server());
  ws_client a, b;
  ASSERT_TRUE(a.connect(server.port()));
  ASSERT_TRUE(b.connect(server.port()));
  EXPECT_TRUE(is_ack(a.hello(ws::event_id, ws::token("u-m1", "Moderator", "moderator"))));
  EXPECT_TRUE(is_ack(b.hello(ws::event_id, ws::token("u-m2", "Moderator", "moderator"))));
}

}  // namespace
