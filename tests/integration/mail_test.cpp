// E-mail end to end (docs/api.md, "E-mail outbox"; docs/operations.md, "E-mail"): the real
// binary sends through a real SMTP server (tests/support/smtp_sink.py, aiosmtpd) on 127.0.0.1.
// Messages are put in the outbox with the dev-only POST /api/v1/dev/mail; organizers read the
// outbox with GET /api/v1/events/{event}/outbox.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.hpp"
#include "smtp_sink.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::string event = ws::event_id;

// A server that sends through `smtp_url`, retrying every second.
server_process::options with_mail(const std::string& smtp_url, const std::string& starttls = "off",
                                  int timeout_seconds = 5) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[auth]\ndev_tokens = true\n[media]\nenabled = false\n[mail]\nsmtp_url = \"" + smtp_url +
                 "\"\nstarttls = \"" + starttls +
                 "\"\nfrom = \"noreply@samling.example\"\nfrom_name = \"Samling – Länsstyrelsen\"\n"
                 "backoff_initial_seconds = 1\nbackoff_max_seconds = 1\ntimeout_seconds = " +
                 std::to_string(timeout_seconds) + "\n";
  return o;
}

std::string enqueue(std::uint16_t port, const std::string& subject = "Välkommen till Göteborg – åäö ÅÄÖ",
                    const std::string& to = "asa@example.fi") {
  json::object body{{"to", to},
                    {"to_name", "Åsa Öberg"},
                    {"subject", subject},
                    {"text", "Hej Åsa!\n\nDin plats är bokad.\n"},
                    {"html", "<p>Hej <b>Åsa</b>!</p><p>Din plats är bokad.</p>"},
                    {"language", "sv"},
                    {"event", event}};
  auto r = http_request(port, "POST", "/api/v1/dev/mail", json::serialize(body),
                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 201) << r.body;
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v.at("state"), "queued");
  return std::string(v.at("id").as_string());
}

std::string organizer_token() { return ws::token("org-1", "Olga Organizer", "organizer"); }

json::array outbox(std::uint16_t port, const std::string& ev = event) {
  auto r = http_get(port, "/api/v1/events/" + ev + "/outbox", {{"Authorization", "Bearer " + organizer_token()}});
  EXPECT_EQ(r.status, 200) << r.body;
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return {};
  return v.as_object().at("messages").as_array();
}

// The outbox entry with `id` (an empty object when it is not there).
json::object entry(std::uint16_t port, const std::string& id) {
  for (auto& m : outbox(port))
    if (m.as_object().at("id") == id.c_str()) return m.as_object();
  return {};
}

std::string state(std::uint16_t port, const std::string& id) {
  auto e = entry(port, id);
  return e.contains("state") ? std::string(e.at("state").as_string()) : "";
}

std::string last_error(std::uint16_t port, const std::string& id) {
  auto e = entry(port, id);
  return e.contains("last_error") ? std::string(e.at("last_error").as_string()) : "";
}

TEST(mail, a_message_is_delivered_and_reads_back_as_written) {
  smtp_sink sink;
  server_process server(with_mail(sink.url()));
  auto id = enqueue(server.port());
  ASSERT_TRUE(eventually([&] { return sink.messages().size() == 1; }))
      << server.stderr_text() << "\nsink running: " << sink.running() << "\n" << sink.stderr_text();
  auto m = parse_eml(sink.messages()[0]);
  EXPECT_EQ(m.at("subject"), "Välkommen till Göteborg – åäö ÅÄÖ");
  EXPECT_EQ(m.at("from"), "noreply@samling.example");
  EXPECT_EQ(m.at("from_name"), "Samling – Länsstyrelsen");
  EXPECT_EQ(m.at("to"), "asa@example.fi");
  EXPECT_EQ(m.at("to_name"), "Åsa Öberg");
  EXPECT_EQ(m.at("message_id"), ("<" + id + "@samling.example>").c_str());
  EXPECT_EQ(m.at("type"), "multipart/alternative");
  EXPECT_EQ(m.at("text"), "Hej Åsa!\n\nDin plats är bokad.\n");
  EXPECT_EQ(m.at("html"), "<p>Hej <b>Åsa</b>!</p><p>Din plats är bokad.</p>\n");
  EXPECT_EQ(m.at("defects"), 0);

  ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "sent"; }));
  auto e = entry(server.port(), id);
  EXPECT_EQ(e.at("attempts"), 1);
  EXPECT_TRUE(e.at("sent_at").is_string());
  EXPECT_TRUE(e.at("next_attempt_at").is_null());
  EXPECT_EQ(e.at("last_error"), "");
  EXPECT_EQ(e.at("kind"), "dev");
  EXPECT_EQ(e.at("to"), "asa@example.fi");
  EXPECT_EQ(e.at("text"), "Hej Åsa!\n\nDin plats är bokad.\n");
  EXPECT_EQ(metric(server.port(), "samling_mail_deliveries_total{outcome=\"sent\"}"), 1);
}

TEST(mail, an_smtp_outage_loses_nothing_and_sends_once_when_the_server_comes_up) {
  const std::uint16_t port = free_tcp_port();  // nothing listens there yet
  server_process server(with_mail("smtp://127.0.0.1:" + std::to_string(port)));
  auto id = enqueue(server.port());
  ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "retrying"; })) << server.stderr_text();
  EXPECT_NE(last_error(server.port(), id).find("cannot connect"), std::string::npos) << last_error(server.port(), id);
  // It keeps trying while the server is down.
  ASSERT_TRUE(eventually([&] { return entry(server.port(), id).at("attempts").as_int64() >= 2; }));

  smtp_sink::options so;
  so.port = port;
  smtp_sink sink(so);
  ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "sent"; })) << server.stderr_text();
  ASSERT_EQ(sink.messages().size(), 1u);
  EXPECT_EQ(parse_eml(sink.messages()[0]).at("subject"), "Välkommen till Göteborg – åäö ÅÄÖ");
  // Sent is final: nothing more arrives over the next retry periods (backoff is 1 s).
  EXPECT_FALSE(eventually([&] { return sink.messages().size() > 1; }, 2500ms));
}

TEST(mail, a_restart_during_an_outage_resumes_and_never_sends_twice) {
  temp_dir dir;
  const std::uint16_t port = free_tcp_port();
  std::string id;
  {
    auto o = with_mail("smtp://127.0.0.1:" + std::to_string(port));
    o.dir = &dir;
    server_process first(o);
    id = enqueue(first.port());
    ASSERT_TRUE(eventually([&] { return state(first.port(), id) == "retrying"; })) << first.stderr_text();
    first.signal(SIGTERM);
    ASSERT_EQ(first.wait_exit(10s), 0) << first.stderr_text();
  }
  smtp_sink::options so;
  so.port = port;
  smtp_sink sink(so);
  {
    auto o = with_mail(sink.url());
    o.dir = &dir;
    server_process second(o);
    ASSERT_TRUE(eventually([&] { return state(second.port(), id) == "sent"; })) << second.stderr_text();
    ASSERT_EQ(sink.messages().size(), 1u);
    second.signal(SIGTERM);
    ASSERT_EQ(second.wait_exit(10s), 0) << second.stderr_text();
  }
  {
    auto o = with_mail(sink.url());
    o.dir = &dir;
    server_process third(o);
    EXPECT_EQ(state(third.port(), id), "sent");
    EXPECT_FALSE(eventually([&] { return sink.messages().size() > 1; }, 2s));
  }
}

TEST(mail, a_permanent_refusal_fails_at_once_with_the_servers_reply) {
  smtp_sink::options so;
  so.refuse_rcpt = "550 5.1.1 No such user here";
  smtp_sink sink(so);
  server_process server(with_mail(sink.url()));
  auto id = enqueue(server.port());
  ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "failed"; })) << server.stderr_text();
  auto e = entry(server.port(), id);
  EXPECT_EQ(e.at("attempts"), 1);
  EXPECT_NE(std::string(e.at("last_error").as_string()).find("550 5.1.1 No such user here"), std::string::npos)
      << e.at("last_error");
  EXPECT_TRUE(sink.messages().empty());
  EXPECT_EQ(metric(server.port(), "samling_mail_deliveries_total{outcome=\"failed\"}"), 1);
}

TEST(mail, a_temporary_refusal_is_retried) {
  smtp_sink::options so;
  so.refuse_data = "451 4.3.0 Try again later";
  smtp_sink sink(so);
  server_process server(with_mail(sink.url()));
  auto id = enqueue(server.port());
  ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "retrying"; })) << server.stderr_text();
  EXPECT_NE(last_error(server.port(), id).find("451 4.3.0 Try again later"), std::string::npos)
      << last_error(server.port(), id);
}

TEST(mail, starttls_required_against_a_server_without_it_is_a_clear_failure) {
  smtp_sink sink;  // plain: no STARTTLS offered
  server_process strict(with_mail(sink.url(), "required"));
  auto id = enqueue(strict.port());
  ASSERT_TRUE(eventually([&] { return state(strict.port(), id) == "retrying"; })) << strict.stderr_text();
  EXPECT_NE(last_error(strict.port(), id).find("does not offer STARTTLS"), std::string::npos)
      << last_error(strict.port(), id);
  EXPECT_TRUE(sink.messages().empty());
}

TEST(mail, without_smtp_url_messages_stay_queued_for_the_console_newest_first) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[auth]\ndev_tokens = true\n[media]\nenabled = false\n";
  server_process server(o);
  auto first = enqueue(server.port(), "Först");
  auto second = enqueue(server.port(), "Sedan");
  auto list = outbox(server.port());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].as_object().at("id"), second.c_str());
  EXPECT_EQ(list[1].as_object().at("id"), first.c_str());
  for (auto& m : list) {
    auto& e = m.as_object();
    EXPECT_EQ(e.at("state"), "queued");
    EXPECT_EQ(e.at("attempts"), 0);
    EXPECT_EQ(e.at("html"), "<p>Hej <b>Åsa</b>!</p><p>Din plats är bokad.</p>");
    EXPECT_EQ(e.at("text"), "Hej Åsa!\n\nDin plats är bokad.\n");
    EXPECT_EQ(e.at("event"), event.c_str());
    EXPECT_EQ(e.at("language"), "sv");
    EXPECT_TRUE(e.at("sent_at").is_null());
    EXPECT_TRUE(e.at("next_attempt_at").is_string());
  }
  // Another event's outbox does not show them.
  auto r = http_get(server.port(), "/api/v1/events/other-event/outbox",
                    {{"Authorization", "Bearer " + ws::token("org-2", "Other", "organizer", "other-event")}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).as_object().at("messages").as_array().size(), 0u);
  // Still queued a moment later: nothing tries to send.
  EXPECT_FALSE(eventually([&] { return state(server.port(), first) != "queued"; }, 1s));
}

TEST(mail, the_outbox_is_for_the_events_organizers_only_and_the_dev_route_needs_dev_tokens) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[media]\nenabled = false\n";
  server_process server(o);
  const auto path = "/api/v1/events/" + event + "/outbox";
  auto as = [&](const std::string& token) {
    return http_get(server.port(), path, {{"Authorization", "Bearer " + token}});
  };
  auto nobody = http_get(server.port(), path);
  EXPECT_EQ(nobody.status, 401) << nobody.body;
  EXPECT_NE(nobody.body.find("\"unauthorized\""), std::string::npos) << nobody.body;
  EXPECT_EQ(as("not-a-token").status, 401);
  for (auto role : {"attendee", "speaker", "press", "moderator"}) {
    auto r = as(ws::token("u-1", "Someone", role));
    EXPECT_EQ(r.status, 403) << role << " " << r.body;
    EXPECT_NE(r.body.find("\"forbidden\""), std::string::npos) << r.body;
  }
  auto elsewhere = as(ws::token("org-2", "Other", "organizer", "other-event"));
  EXPECT_EQ(elsewhere.status, 403) << "an organizer of another event: " << elsewhere.body;
  EXPECT_EQ(as(organizer_token()).status, 200);
  // auth.dev_tokens is off: the dev route does not exist.
  EXPECT_EQ(http_request(server.port(), "POST", "/api/v1/dev/mail", "{}").status, 404);
}

TEST(mail, the_dev_route_refuses_bad_input) {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[auth]\ndev_tokens = true\n[media]\nenabled = false\n";
  server_process server(o);
  auto post = [&](const std::string& body) { return http_request(server.port(), "POST", "/api/v1/dev/mail", body); };
  EXPECT_EQ(post("not json").status, 400);
  EXPECT_EQ(post(R"({"to":"a@b.se\r\nBcc: x@y","subject":"s","text":"t"})").status, 400);
  EXPECT_EQ(post(R"({"to":"nobody","subject":"s","text":"t"})").status, 400);
  EXPECT_EQ(post(R"({"to":"a@b.se","subject":"","text":"t"})").status, 400);
  EXPECT_EQ(post(R"({"to":"a@b.se","subject":"s","text":""})").status, 400);
  EXPECT_EQ(post(R"({"to":"a@b.se","subject":5,"text":"t"})").status, 400);
  EXPECT_EQ(outbox(server.port()).size(), 0u) << "nothing half-written";
}

// A listening socket nobody answers on: the kernel completes the handshake, no greeting comes.
struct silent_listener {
  int fd = -1;
  std::uint16_t port = 0;
  silent_listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 4) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot listen");
    port = ntohs(a.sin_port);
  }
  ~silent_listener() { ::close(fd); }
};

TEST(mail, a_server_that_does_not_answer_times_out_and_is_retried) {
  silent_listener hung;
  server_process server(with_mail("smtp://127.0.0.1:" + std::to_string(hung.port), "off", 1));
  auto id = enqueue(server.port());
  ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "retrying"; })) << server.stderr_text();
  EXPECT_NE(last_error(server.port(), id).find("did not answer within 1 s"), std::string::npos)
      << last_error(server.port(), id);
}

// A hung SMTP server (accepts, never answers) does not hold up a shutdown, and the message it
// held goes back to the queue uncounted: the next start sends it.
TEST(mail, shutdown_during_a_hung_delivery_is_prompt_and_loses_nothing) {
  auto hung = std::make_unique<silent_listener>();
  const std::uint16_t hung_port = hung->port;

  temp_dir dir;
  std::string id;
  {
    // A deadline far beyond the test's: only the stop can end this delivery.
    auto o = with_mail("smtp://127.0.0.1:" + std::to_string(hung_port), "off", 120);
    o.dir = &dir;
    server_process server(o);
    id = enqueue(server.port());
    ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "sending"; })) << server.stderr_text();
    auto t0 = std::chrono::steady_clock::now();
    server.signal(SIGTERM);
    ASSERT_EQ(server.wait_exit(10s), 0) << server.stderr_text();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "the hung delivery held up the shutdown";
  }
  hung.reset();
  smtp_sink sink;
  auto o = with_mail(sink.url());
  o.dir = &dir;
  server_process again(o);
  ASSERT_TRUE(eventually([&] { return state(again.port(), id) == "sent"; })) << again.stderr_text();
  EXPECT_EQ(entry(again.port(), id).at("attempts"), 1) << "the interrupted delivery was not an attempt";
  EXPECT_EQ(sink.messages().size(), 1u);
}

// STARTTLS with a certificate the server trusts through mail.ca_file, and AUTH over it: sent;
// a wrong password: retried, with a last_error that says so.
TEST(mail, starttls_and_auth_deliver_and_a_wrong_password_is_a_clear_retry) {
  temp_dir certs;
  auto cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext "
             "subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
             certs.file("key.pem") + " -out " + certs.file("cert.pem") + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
  smtp_sink::options so;
  so.tls_cert = certs.file("cert.pem");
  so.tls_key = certs.file("key.pem");
  so.auth_user = "samling";
  so.auth_password = "rätt lösenord";
  smtp_sink sink(so);
  auto tls_toml = [&] {
    return "[auth]\ndev_tokens = true\n[media]\nenabled = false\n[mail]\nsmtp_url = \"" + sink.url() +
           "\"\nstarttls = \"required\"\nca_file = \"" + certs.file("cert.pem") +
           "\"\nusername = \"samling\"\npassword_env = \"TEST_SMTP_PASSWORD\"\n"
           "from = \"noreply@samling.example\"\nbackoff_initial_seconds = 1\nbackoff_max_seconds = 1\n";
  };
  {
    server_process::options o;
    o.env = ws::auth_env();
    o.env["TEST_SMTP_PASSWORD"] = "rätt lösenord";
    o.extra_toml = tls_toml();
    server_process server(o);
    auto id = enqueue(server.port());
    ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "sent"; }))
        << server.stderr_text() << "\n" << last_error(server.port(), id) << "\n" << sink.stderr_text();
    ASSERT_EQ(sink.messages().size(), 1u);
    EXPECT_EQ(parse_eml(sink.messages()[0]).at("to"), "asa@example.fi");
  }
  {
    server_process::options o;
    o.env = ws::auth_env();
    o.env["TEST_SMTP_PASSWORD"] = "fel";
    o.extra_toml = tls_toml();
    server_process server(o);
    auto id = enqueue(server.port());
    ASSERT_TRUE(eventually([&] { return state(server.port(), id) == "retrying"; })) << server.stderr_text();
    EXPECT_NE(last_error(server.port(), id).find("authentication failed"), std::string::npos)
        << last_error(server.port(), id);
    EXPECT_EQ(sink.messages().size(), 1u);
  }
}

}  // namespace
