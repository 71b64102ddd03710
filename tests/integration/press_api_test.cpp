// The press HTTP API through the real binary (docs/api.md, "Press"; issue 18), with its e-mails
// sent to a real SMTP server on 127.0.0.1 (tests/support/smtp_sink.hpp): manage_press probed as
// every role; the whole accreditation flow (request → received mail → question → answer →
// approval → the mailed link opens the press page → interview request → speaker link → the
// speaker proposes → the journalist accepts); rejection, direct grants, revocation (the press
// page answers grant_revoked at once; a second revoke changes nothing); the audit export; and
// every bad input answered 422 with its field; the views of a gated stage in the audit, written
// by the flush timer and by the shutdown.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <regex>
#include <set>
#include <sstream>

#include "auth/role.hpp"
#include "harness.hpp"
#include "rooms/permissions.hpp"
#include "smtp_sink.hpp"
#include "ws_client.hpp"

using namespace samling::testing;

namespace {

const std::string event = ws::event_id;
const std::string events_path = "/api/v1/events/" + event;
const std::string day = "2027-02-09";  // the demo event's day

// Two stages of the event (media off: only their access rules matter here).
const std::string stages_toml =
    "\n[[stages]]\nid = \"main\"\nname = { sv = \"Stora salen\", en = \"Main hall\" }\nroom = \"main\"\nmode = \"produced\"\n"
    "\n[[stages]]\nid = \"side\"\nname = { sv = \"Lilla salen\" }\nroom = \"seminar-housing\"\nmode = \"produced\"\n";

server_process::options press_options(const std::string& smtp_url = "") {
  server_process::options o;
  o.env = ws::auth_env();
  o.extra_toml = "[auth]\ndev_tokens = true\n[media]\nenabled = false\n" +
                 (smtp_url.empty() ? std::string()
                                   : "[mail]\nsmtp_url = \"" + smtp_url +
                                         "\"\nstarttls = \"off\"\nfrom = \"press@samling.example\"\nbackoff_initial_seconds = 1\n"
                                         "backoff_max_seconds = 1\n") +
                 stages_toml;
  return o;
}

using headers = std::vector<std::pair<std::string, std::string>>;

headers as_role(const std::string& role) {
  return {{"Authorization", "Bearer " + ws::token("u-" + role, "Name " + role, role)},
          {"Content-Type", "application/json"}};
}
headers officer() { return as_role("press_officer"); }
headers json_only() { return {{"Content-Type", "application/json"}}; }
headers with_grant(const std::string& token) {
  return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

json::object parse(const http_response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object (" << r.status << "): " << r.body;
    return {};
  }
  return v.as_object();
}

// The value at "a.b[0].c", null when there is none.
json::value at(const json::object& o, std::string_view path) {
  json::value cur = o;
  while (!path.empty()) {
    auto end = path.find_first_of(".[");
    auto key = path.substr(0, end);
    if (!key.empty()) {
      if (!cur.is_object() || !cur.as_object().contains(key)) return nullptr;
      json::value next = cur.as_object().at(key);
      cur = std::move(next);
    }
    path.remove_prefix(end == std::string_view::npos ? path.size() : end);
    if (path.starts_with("[")) {
      auto close = path.find(']');
      auto i = std::stoul(std::string(path.substr(1, close - 1)));
      if (!cur.is_array() || cur.as_array().size() <= i) return nullptr;
      json::value next = cur.as_array()[i];
      cur = std::move(next);
      path.remove_prefix(close + 1);
    }
    if (path.starts_with(".")) path.remove_prefix(1);
  }
  return cur;
}

std::string sget(const json::object& o, std::string_view path) {
  auto v = at(o, path);
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

std::string code_of(const http_response& r) { return sget(parse(r), "error.code"); }

std::set<std::string> error_fields(const http_response& r) {
  std::set<std::string> out;
  auto fields = at(parse(r), "error.fields");
  if (!fields.is_array()) return out;
  for (auto& f : fields.as_array()) out.insert(std::string(f.as_object().at("field").as_string()));
  return out;
}

http_response post(std::uint16_t port, const std::string& path, const json::object& body, const headers& h) {
  return http_request(port, "POST", path, json::serialize(body), h);
}

json::object journalist(const std::string& name, const std::string& email, const std::string& language) {
  return json::object{{"name", name},
                      {"outlet", "Dagens Nyheter"},
                      {"email", email},
                      {"phone", "+46 8 123 45"},
                      {"press_card", "SE-1234"},
                      {"days", json::array{day}},
                      {"attendance", "hall"},
                      {"note", "Covering housing"},
                      {"language", language}};
}

// The mails to `to` received so far, parsed (each message once: parsing runs Python).
std::vector<json::object> mails_to(const smtp_sink& sink, const std::string& to) {
  static std::map<std::string, json::object> parsed;  // by the raw message
  std::vector<json::object> out;
  for (auto& m : sink.messages()) {
    auto it = parsed.find(m);
    if (it == parsed.end()) it = parsed.emplace(m, parse_eml(m)).first;
    if (it->second.at("to").as_string() == to) out.push_back(it->second);
  }
  return out;
}

// Waits for the `n`th mail (1-based) to `to` and returns it.
json::object wait_mail(const smtp_sink& sink, const std::string& to, std::size_t n) {
  bool arrived = eventually([&] { return mails_to(sink, to).size() >= n; }, 20s);
  if (!arrived) {
    ADD_FAILURE() << "mail " << n << " to " << to << " did not arrive; " << sink.stderr_text();
    return {};
  }
  return mails_to(sink, to).at(n - 1);
}

// The token after `marker` ("#press=", …) in a mail's text.
std::string link_token(const json::object& mail, const std::string& marker) {
  std::string text = mail.contains("text") ? std::string(mail.at("text").as_string()) : std::string();
  auto at = text.find(marker);
  if (at == std::string::npos) return {};
  static const std::regex token(R"(^[A-Za-z0-9_.\-]+)");
  std::smatch m;
  std::string rest = text.substr(at + marker.size());
  return std::regex_search(rest, m, token) ? m.str() : std::string();
}

std::string subject(const json::object& mail) {
  return mail.contains("subject") ? std::string(mail.at("subject").as_string()) : std::string();
}

std::string token_after(const std::string& link, const std::string& marker) {
  auto at = link.find(marker);
  return at == std::string::npos ? std::string() : link.substr(at + marker.size());
}

// --- manage_press as every role --------------------------------------------------------------

TEST(press_api, manage_press_follows_the_permission_table_for_every_role) {
  server_process s(press_options());
  for (auto r : samling::auth::all_roles) {
    std::string role(samling::auth::to_string(r));
    SCOPED_TRACE(role);
    bool allowed = samling::rooms::can(r, samling::rooms::action::manage_press);
    auto list = http_get(s.port(), events_path + "/accreditations", as_role(role));
    auto grants = http_get(s.port(), events_path + "/grants", as_role(role));
    auto direct = post(s.port(), events_path + "/grants", json::object{{"name", "Probe " + role}}, as_role(role));
    if (allowed) {
      EXPECT_EQ(list.status, 200) << list.body;
      EXPECT_EQ(grants.status, 200) << grants.body;
      EXPECT_EQ(direct.status, 201) << direct.body;
    } else {
      EXPECT_EQ(list.status, 403) << list.body;
      EXPECT_EQ(code_of(list), "forbidden");
      EXPECT_EQ(grants.status, 403) << grants.body;
      EXPECT_EQ(direct.status, 403) << direct.body;
    }
  }
  // The press officer is per event: a token for another event is refused.
  auto other = http_get(s.port(), events_path + "/accreditations",
                        {{"Authorization", "Bearer " + ws::token("u-po", "PO", "press_officer", "another-event")}});
  EXPECT_EQ(other.status, 403) << other.body;
  // Nobody: 401.
  EXPECT_EQ(http_get(s.port(), events_path + "/accreditations").status, 401);
}

// --- The press officer's console: a staff session ----------------------------------------------

// A staff account with the press_officer role for the event (samling account add), signed in
// with its cookie: it reads the queue, and changes need the session's CSRF token.
TEST(press_api, a_signed_in_press_officer_works_with_the_session_cookie_and_csrf) {
  temp_dir dir;
  server_process::options o = press_options();
  o.dir = &dir;
  std::optional<server_process> s(std::in_place, o);  // writes the config the command reads
  const std::string password = "ett långt lösenord för pressen";
  auto added = run_samling_with_input({"account", "add", "--config", dir.file("samling.toml"), "--email",
                                       "pia@example.org", "--name", "Pia Press", "--role", "press_officer",
                                       "--event", event, "--password-stdin"},
                                      password + "\n", ws::auth_env());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto in = http_request(s->port(), "POST", "/api/v1/auth/sign-in",
                         json::serialize(json::object{{"email", "pia@example.org"}, {"password", password}}),
                         json_only());
  ASSERT_EQ(in.status, 200) << in.body;
  auto cookie_line = in.header("set-cookie");
  const std::string cookie = cookie_line.substr(0, cookie_line.find(';'));
  const std::string csrf = sget(parse(in), "csrf");
  EXPECT_EQ(sget(parse(in), "account.roles[0].role"), "press_officer") << in.body;

  auto created = post(s->port(), events_path + "/accreditations", journalist("Eva Ek", "eva@example.org", "sv"),
                      json_only());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = sget(parse(created), "accreditation.id");
  auto queue = http_get(s->port(), events_path + "/accreditations", {{"Cookie", cookie}});
  EXPECT_EQ(queue.status, 200) << queue.body;
  auto no_csrf = post(s->port(), events_path + "/accreditations/" + id + "/approve", json::object{},
                      {{"Cookie", cookie}, {"Content-Type", "application/json"}});
  EXPECT_EQ(no_csrf.status, 403);
  EXPECT_EQ(code_of(no_csrf), "csrf_failed");
  auto approved = post(s->port(), events_path + "/accreditations/" + id + "/approve", json::object{},
                       {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", "application/json"}});
  EXPECT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(sget(parse(approved), "accreditation.decided_by"), "Pia Press");
  EXPECT_EQ(sget(parse(approved), "grant.created_by"), "Pia Press");
}

// --- The whole flow ----------------------------------------------------------------------------

TEST(press_api, accreditation_to_press_page_to_interview_with_every_mail) {
  smtp_sink sink;
  server_process s(press_options(sink.url()));
  const auto port = s.port();
  const std::string eva = "eva.ek@example.org";

  // The press officer's contacts go on the form and into the mails.
  json::object settings{{"accreditation_open", true},
                        {"contacts", json::array{json::object{{"name", "Pia Press"},
                                                              {"role", "Pressansvarig"},
                                                              {"email", "pia@example.org"},
                                                              {"phone", "+46 8 555"}}}}};
  auto put = http_request(port, "PUT", events_path + "/press/settings", json::serialize(settings), officer());
  ASSERT_EQ(put.status, 200) << put.body;
  auto form = parse(http_get(port, events_path + "/accreditation"));
  EXPECT_EQ(at(form, "open"), json::value(true));
  EXPECT_EQ(sget(form, "event.id"), event);
  EXPECT_EQ(sget(form, "event.timezone"), "Europe/Stockholm");
  EXPECT_EQ(sget(form, "contacts[0].name"), "Pia Press");

  // The request, in English: 201 pending, the received mail with the manage link.
  auto created = post(port, events_path + "/accreditations", journalist("Eva Ek", "Eva.Ek@Example.org", "en"), json_only());
  ASSERT_EQ(created.status, 201) << created.body;
  auto c = parse(created);
  EXPECT_EQ(sget(c, "accreditation.state"), "pending");
  EXPECT_EQ(sget(c, "accreditation.email"), eva);
  const std::string acc_id = sget(c, "accreditation.id");
  const std::string manage = sget(c, "manage_token");
  ASSERT_FALSE(manage.empty());
  auto received = wait_mail(sink, eva, 1);
  EXPECT_TRUE(subject(received).starts_with("We have received your request: ")) << subject(received);
  EXPECT_EQ(link_token(received, "#accreditation="), manage);
  EXPECT_NE(std::string(received.at("text").as_string()).find("Pia Press"), std::string::npos);
  EXPECT_NE(std::string(received.at("text").as_string()).find("9 February 2027"), std::string::npos)
      << received.at("text").as_string();

  // The same address again while it is open: no second request, 200, and nothing of the stored
  // one in the answer (whoever typed the address may not own it); her link goes to her again.
  auto again = post(port, events_path + "/accreditations", journalist("Eva Ek", eva, "en"), json_only());
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(at(parse(again), "already"), json::value(true));
  EXPECT_FALSE(parse(again).contains("accreditation")) << again.body;
  EXPECT_EQ(again.body.find("Eva"), std::string::npos) << again.body;
  auto resent = wait_mail(sink, eva, 2);
  EXPECT_EQ(link_token(resent, "#accreditation="), manage);

  // Her own request by the link; no question to answer yet.
  auto own = parse(http_get(port, "/api/v1/accreditations/" + manage));
  EXPECT_EQ(sget(own, "accreditation.id"), acc_id);
  EXPECT_EQ(sget(own, "event.id"), event);
  auto early = post(port, "/api/v1/accreditations/" + manage + "/answer", json::object{{"answer", "x"}}, json_only());
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(code_of(early), "accreditation_state");

  // The officer asks; the mail carries the question and the same link.
  auto ask = post(port, events_path + "/accreditations/" + acc_id + "/ask",
                  json::object{{"question", "Which desk do you work for?"}}, officer());
  ASSERT_EQ(ask.status, 200) << ask.body;
  EXPECT_EQ(sget(parse(ask), "accreditation.state"), "info_requested");
  auto question = wait_mail(sink, eva, 3);
  EXPECT_TRUE(subject(question).starts_with("A question about your accreditation: ")) << subject(question);
  EXPECT_NE(std::string(question.at("text").as_string()).find("Which desk do you work for?"), std::string::npos);
  EXPECT_EQ(link_token(question, "#accreditation="), manage);

  // She answers through that link: pending again, the answer in the note.
  auto answered = post(port, "/api/v1/accreditations/" + manage + "/answer",
                       json::object{{"answer", "The culture desk."}}, json_only());
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(sget(parse(answered), "accreditation.state"), "pending");
  EXPECT_NE(sget(parse(answered), "accreditation.note").find("The culture desk."), std::string::npos);

  // The queue shows it pending.
  auto queue = parse(http_get(port, events_path + "/accreditations?state=pending", officer()));
  ASSERT_TRUE(at(queue, "accreditations").is_array());
  ASSERT_EQ(at(queue, "accreditations").as_array().size(), 1u);
  EXPECT_EQ(sget(queue, "accreditations[0].id"), acc_id);

  // Approval: a grant and the link, mailed.
  auto approved = post(port, events_path + "/accreditations/" + acc_id + "/approve",
                       json::object{{"device_cap", 3}}, officer());
  ASSERT_EQ(approved.status, 200) << approved.body;
  auto a = parse(approved);
  EXPECT_EQ(sget(a, "accreditation.state"), "approved");
  const std::string grant_id = sget(a, "grant.id");
  EXPECT_TRUE(grant_id.starts_with("pr-")) << grant_id;
  EXPECT_EQ(sget(a, "accreditation.grant_id"), grant_id);
  EXPECT_EQ(at(a, "grant.device_cap"), json::value(3));
  const std::string link_token_answer = token_after(sget(a, "link"), "#press=");
  auto approval = wait_mail(sink, eva, 4);
  EXPECT_TRUE(subject(approval).starts_with("You are accredited: ")) << subject(approval);
  const std::string grant = link_token(approval, "#press=");
  ASSERT_TRUE(grant.starts_with("g1.")) << grant;
  EXPECT_EQ(grant, link_token_answer);
  auto twice = post(port, events_path + "/accreditations/" + acc_id + "/approve", json::object{}, officer());
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(code_of(twice), "accreditation_state");

  // The mailed link opens the press page (the grant is not valid yet: the event is in 2027,
  // the page still opens and says so), by header and by ?grant=.
  auto me_r = http_get(port, "/api/v1/press/me", with_grant(grant));
  ASSERT_EQ(me_r.status, 200) << me_r.body;
  auto me = parse(me_r);
  EXPECT_EQ(sget(me, "grant.id"), grant_id);
  EXPECT_EQ(sget(me, "grant.name"), "Eva Ek");
  EXPECT_EQ(sget(me, "grant.state"), "not_yet_valid");
  EXPECT_FALSE(me.at("grant").as_object().contains("email"));
  EXPECT_FALSE(me.at("grant").as_object().contains("live"));
  EXPECT_EQ(sget(me, "event.id"), event);
  EXPECT_TRUE(at(me, "event.rooms").is_array() && !at(me, "event.rooms").as_array().empty());
  EXPECT_EQ(at(me, "stages").as_array().size(), 2u);
  EXPECT_EQ(sget(me, "stages[0].hls"), "/live/" + sget(me, "stages[0].id") + "/index.m3u8?grant=" + grant);
  EXPECT_EQ(sget(me, "contacts[0].email"), "pia@example.org");
  EXPECT_TRUE(at(me, "rooms").as_array().empty());  // not valid yet: no room to join now
  ASSERT_TRUE(at(me, "speakers").is_array() && !at(me, "speakers").as_array().empty());
  const std::string speaker = sget(me, "speakers[0].name");
  const std::string session = sget(me, "speakers[0].sessions[0].id");
  EXPECT_EQ(http_get(port, "/api/v1/press/me?grant=" + grant).status, 200);

  // An interview request, then the officer sends the speaker an answer link.
  auto iv_r = post(port, "/api/v1/press/interviews",
                   json::object{{"speaker", speaker}, {"session_id", session}, {"wanted", "The lunch break"},
                                {"note", "Housing for newcomers"}},
                   with_grant(grant));
  ASSERT_EQ(iv_r.status, 201) << iv_r.body;
  const std::string iv_id = sget(parse(iv_r), "interview.id");
  EXPECT_EQ(sget(parse(iv_r), "interview.journalist"), "Eva Ek, Dagens Nyheter");
  EXPECT_EQ(sget(parse(iv_r), "interview.state"), "requested");
  auto listed = parse(http_get(port, events_path + "/interviews", officer()));
  EXPECT_EQ(sget(listed, "interviews[0].id"), iv_id);
  const std::string speaker_mail = "talare@example.org";
  auto sl = post(port, events_path + "/interviews/" + iv_id + "/speaker-link",
                 json::object{{"email", speaker_mail}, {"language", "sv"}}, officer());
  ASSERT_EQ(sl.status, 200) << sl.body;
  const std::string speaker_token = token_after(sget(parse(sl), "link"), "#interview=");
  auto to_speaker = wait_mail(sink, speaker_mail, 1);
  EXPECT_TRUE(subject(to_speaker).starts_with("Intervjuförfrågan: ")) << subject(to_speaker);
  EXPECT_EQ(link_token(to_speaker, "#interview="), speaker_token);

  // The speaker proposes another time through the mailed link; the journalist gets it by mail.
  auto seen = parse(http_get(port, "/api/v1/interviews/" + speaker_token));
  EXPECT_EQ(sget(seen, "interview.id"), iv_id);
  EXPECT_EQ(sget(seen, "event.id"), event);
  auto proposed = post(port, "/api/v1/interviews/" + speaker_token + "/answer",
                       json::object{{"answer", "propose"}, {"proposed", "11:45 in the foyer"}}, json_only());
  ASSERT_EQ(proposed.status, 200) << proposed.body;
  EXPECT_EQ(sget(parse(proposed), "interview.state"), "proposed");
  EXPECT_EQ(sget(parse(proposed), "interview.answered_by"), "speaker");
  auto answer_mail = wait_mail(sink, eva, 5);
  EXPECT_TRUE(subject(answer_mail).starts_with("Answer to your interview request: ")) << subject(answer_mail);
  EXPECT_NE(std::string(answer_mail.at("text").as_string()).find("11:45 in the foyer"), std::string::npos);

  // She accepts the new time; both see it.
  auto accepted = post(port, "/api/v1/press/interviews/" + iv_id + "/respond", json::object{{"answer", "accept"}},
                       with_grant(grant));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(sget(parse(accepted), "interview.state"), "accepted");
  auto again_accept = post(port, "/api/v1/press/interviews/" + iv_id + "/respond", json::object{{"answer", "accept"}},
                           with_grant(grant));
  EXPECT_EQ(again_accept.status, 409);
  EXPECT_EQ(code_of(again_accept), "interview_state");
  EXPECT_EQ(sget(parse(http_get(port, "/api/v1/interviews/" + speaker_token)), "interview.state"), "accepted");
  EXPECT_EQ(sget(parse(http_get(port, "/api/v1/press/me", with_grant(grant))), "interviews[0].state"), "accepted");

  // Rejection with a reason, in Swedish.
  const std::string olle = "olle@example.org";
  auto second = post(port, events_path + "/accreditations", journalist("Olle Ek", olle, "sv"), json_only());
  ASSERT_EQ(second.status, 201) << second.body;
  const std::string second_id = sget(parse(second), "accreditation.id");
  wait_mail(sink, olle, 1);
  auto no_reason = post(port, events_path + "/accreditations/" + second_id + "/reject", json::object{}, officer());
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_EQ(error_fields(no_reason), std::set<std::string>{"reason"});
  auto rejected = post(port, events_path + "/accreditations/" + second_id + "/reject",
                       json::object{{"reason", "Not a news outlet."}}, officer());
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(sget(parse(rejected), "accreditation.state"), "rejected");
  EXPECT_EQ(sget(parse(rejected), "accreditation.reason"), "Not a news outlet.");
  auto rejection = wait_mail(sink, olle, 2);
  EXPECT_TRUE(subject(rejection).starts_with("Din ackrediteringsansökan: ")) << subject(rejection);
  EXPECT_NE(std::string(rejection.at("text").as_string()).find("Not a news outlet."), std::string::npos);

  // A direct grant, valid now, in Finnish: mailed; its page lists the rooms it may join now.
  const std::string now_from = "2020-01-01T00:00:00Z", now_until = "2099-01-01T00:00:00Z";
  auto direct = post(port, events_path + "/grants",
                     json::object{{"name", "Aino Virtanen"}, {"outlet", "Yle"}, {"email", "aino@example.org"},
                                  {"language", "fi"}, {"stages", json::array{"main"}},
                                  {"valid_from", now_from}, {"valid_until", now_until}},
                     officer());
  ASSERT_EQ(direct.status, 201) << direct.body;
  EXPECT_EQ(sget(parse(direct), "grant.state"), "active");
  auto issued = wait_mail(sink, "aino@example.org", 1);
  EXPECT_TRUE(subject(issued).starts_with("Henkilökohtainen medialinkkisi: ")) << subject(issued);
  const std::string aino = link_token(issued, "#press=");
  auto aino_me = parse(http_get(port, "/api/v1/press/me", with_grant(aino)));
  EXPECT_EQ(sget(aino_me, "grant.state"), "active");
  ASSERT_EQ(at(aino_me, "stages").as_array().size(), 1u);  // only the stage it covers
  EXPECT_EQ(sget(aino_me, "stages[0].id"), "main");
  std::set<std::string> joinable;
  auto aino_rooms = at(aino_me, "rooms");
  for (auto& r : aino_rooms.as_array()) joinable.insert(std::string(r.as_object().at("id").as_string()));
  EXPECT_TRUE(joinable.count("press")) << json::serialize(at(aino_me, "rooms"));

  // Revocation: the page answers grant_revoked at once; a second revoke changes nothing.
  auto revoked = post(port, events_path + "/grants/" + grant_id + "/revoke", json::object{{"reason", "Left DN"}},
                      officer());
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(sget(parse(revoked), "grant.state"), "revoked");
  EXPECT_EQ(sget(parse(revoked), "grant.revoke_reason"), "Left DN");
  auto gone = http_get(port, "/api/v1/press/me", with_grant(grant));
  EXPECT_EQ(gone.status, 410) << gone.body;
  EXPECT_EQ(code_of(gone), "grant_revoked");
  auto revoked_again = post(port, events_path + "/grants/" + grant_id + "/revoke", json::object{}, officer());
  EXPECT_EQ(revoked_again.status, 200);
  EXPECT_EQ(at(parse(revoked_again), "changed"), json::value(false));
  EXPECT_EQ(sget(parse(revoked_again), "grant.revoke_reason"), "Left DN");
  auto revocation = wait_mail(sink, eva, 6);
  EXPECT_TRUE(subject(revocation).starts_with("Your press link has been revoked: ")) << subject(revocation);
  EXPECT_EQ(sget(parse(http_get(port, "/api/v1/accreditations/" + manage)), "accreditation.state"), "revoked");
  auto grants = parse(http_get(port, events_path + "/grants", officer()));
  std::map<std::string, std::string> states;
  auto grant_list = at(grants, "grants");
  for (auto& g : grant_list.as_array())
    states[std::string(g.as_object().at("id").as_string())] = std::string(g.as_object().at("state").as_string());
  EXPECT_EQ(states[grant_id], "revoked");
  EXPECT_EQ(states.size(), 2u);

  // The audit: the approval, the revocation and the direct grant, as JSON and as CSV.
  auto audit = parse(http_get(port, events_path + "/press/audit.json", officer()));
  std::multiset<std::string> actions;
  auto action_list = at(audit, "actions");
  for (auto& x : action_list.as_array()) actions.insert(std::string(x.as_object().at("action").as_string()));
  EXPECT_EQ(actions.count("press.accreditation.approved"), 1u);
  EXPECT_EQ(actions.count("press.accreditation.info_requested"), 1u);
  EXPECT_EQ(actions.count("press.accreditation.rejected"), 1u);
  EXPECT_EQ(actions.count("press.grant.revoked"), 1u);  // the second revoke is not an action
  EXPECT_EQ(actions.count("press.grant.issued"), 2u);
  EXPECT_EQ(actions.count("press.settings"), 1u);
  EXPECT_TRUE(at(audit, "views").is_array());
  auto csv = http_get(port, events_path + "/press/audit.csv", officer());
  ASSERT_EQ(csv.status, 200);
  EXPECT_TRUE(csv.header("content-type").starts_with("text/csv"));
  EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBF" "kind,")) << csv.body.substr(0, 40);
  EXPECT_NE(csv.body.find("action,"), std::string::npos);
  EXPECT_NE(csv.body.find("press.accreditation.approved"), std::string::npos);
  EXPECT_NE(csv.body.find("press.grant.revoked"), std::string::npos);
  EXPECT_EQ(csv.body.find("\n=") , std::string::npos);  // nothing a spreadsheet would run
}

// --- Refusals and bad input ----------------------------------------------------------------------

TEST(press_api, every_bad_field_is_422_with_that_field) {
  server_process s(press_options());
  const auto port = s.port();
  auto expect_field = [&](const std::string& path, const json::object& body, const std::string& field_name,
                          const headers& h) {
    auto r = post(port, path, body, h);
    EXPECT_EQ(r.status, 422) << path << " " << json::serialize(body) << ": " << r.body;
    EXPECT_EQ(code_of(r), "invalid_input");
    EXPECT_TRUE(error_fields(r).count(field_name)) << field_name << " not in " << r.body;
  };
  const std::string form = events_path + "/accreditations";
  auto with = [](json::object o, const std::string& k, json::value v) {
    if (v.is_null()) o.erase(k);
    else o[k] = std::move(v);
    return o;
  };
  auto good = journalist("Eva Ek", "eva@example.org", "sv");
  expect_field(form, with(good, "name", nullptr), "name", json_only());
  expect_field(form, with(good, "name", 42), "name", json_only());
  expect_field(form, with(good, "outlet", nullptr), "outlet", json_only());
  expect_field(form, with(good, "email", "not-an-address"), "email", json_only());
  expect_field(form, with(good, "phone", "call me"), "phone", json_only());
  expect_field(form, with(good, "press_card", json::value(std::string(41, '1'))), "press_card", json_only());
  expect_field(form, with(good, "days", json::array{"2020-01-01"}), "days", json_only());
  expect_field(form, with(good, "days", json::array{}), "days", json_only());
  expect_field(form, with(good, "attendance", "on the moon"), "attendance", json_only());
  expect_field(form, with(good, "note", json::value(std::string(2001, 'x'))), "note", json_only());
  expect_field(form, with(good, "language", "de"), "language", json_only());
  auto bad_json = http_request(port, "POST", form, "{nope", json_only());
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(code_of(bad_json), "bad_request");
  auto unknown = post(port, "/api/v1/events/no-such-event/accreditations", good, json_only());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(code_of(unknown), "unknown_event");

  auto created = post(port, form, good, json_only());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = sget(parse(created), "accreditation.id");
  const std::string manage = sget(parse(created), "manage_token");
  const std::string approve = events_path + "/accreditations/" + id + "/approve";
  expect_field(approve, json::object{{"stages", json::array{"nowhere"}}}, "stages", officer());
  expect_field(approve, json::object{{"stages", json::array{"*", "main"}}}, "stages", officer());
  expect_field(approve, json::object{{"rooms", json::array{"nowhere"}}}, "rooms", officer());
  expect_field(approve, json::object{{"device_cap", 0}}, "device_cap", officer());
  expect_field(approve, json::object{{"device_cap", 21}}, "device_cap", officer());
  expect_field(approve, json::object{{"valid_from", "tomorrow"}}, "valid_from", officer());
  expect_field(approve, json::object{{"valid_from", "2027-02-09T10:00:00Z"}, {"valid_until", "2027-02-09T09:00:00Z"}},
               "valid_until", officer());
  expect_field(events_path + "/accreditations/" + id + "/ask", json::object{{"question", "  "}}, "question", officer());
  expect_field(events_path + "/accreditations/" + id + "/reject", json::object{{"reason", std::string(1001, 'x')}},
               "reason", officer());
  expect_field("/api/v1/accreditations/" + manage + "/answer", json::object{}, "answer", json_only());

  const std::string grants = events_path + "/grants";
  expect_field(grants, json::object{{"outlet", "Yle"}}, "name", officer());
  expect_field(grants, json::object{{"name", "A"}, {"email", "nope"}}, "email", officer());
  expect_field(grants, json::object{{"name", "A"}, {"language", "de"}}, "language", officer());
  expect_field(grants, json::object{{"name", "A"}, {"days", json::array{"2031-01-01"}}}, "days", officer());
  expect_field(grants, json::object{{"name", "A"}, {"stages", "main"}}, "stages", officer());

  auto put = [&](const json::object& body) {
    return http_request(port, "PUT", events_path + "/press/settings", json::serialize(body), officer());
  };
  auto bad_open = put(json::object{{"accreditation_open", "yes"}});
  EXPECT_EQ(bad_open.status, 422);
  EXPECT_TRUE(error_fields(bad_open).count("accreditation_open"));
  auto bad_contacts = put(json::object{{"contacts", json::array{json::object{{"role", "no name"}}}}});
  EXPECT_EQ(bad_contacts.status, 422);
  EXPECT_TRUE(error_fields(bad_contacts).count("contacts"));

  // Unknown ids and links: their own 404 codes.
  auto no_acc = post(port, events_path + "/accreditations/acc-0000000000000000/approve", json::object{}, officer());
  EXPECT_EQ(no_acc.status, 404);
  EXPECT_EQ(code_of(no_acc), "no_such_accreditation");
  EXPECT_EQ(code_of(http_get(port, "/api/v1/accreditations/not-a-link")), "no_such_accreditation");
  auto no_grant = post(port, events_path + "/grants/pr-0000000000000000/revoke", json::object{}, officer());
  EXPECT_EQ(no_grant.status, 404);
  EXPECT_EQ(code_of(no_grant), "no_such_grant");
  auto no_iv = post(port, events_path + "/interviews/iv-0000000000000000/answer", json::object{{"answer", "accept"}},
                    officer());
  EXPECT_EQ(no_iv.status, 404);
  EXPECT_EQ(code_of(no_iv), "no_such_interview");
  EXPECT_EQ(code_of(http_get(port, "/api/v1/interviews/not-a-link")), "no_such_interview");

  // The grant holder's input, on a grant valid now.
  auto g = post(port, grants,
                json::object{{"name", "Aino"}, {"valid_from", "2020-01-01T00:00:00Z"}, {"valid_until", "2099-01-01T00:00:00Z"}},
                officer());
  ASSERT_EQ(g.status, 201) << g.body;
  const std::string token = token_after(sget(parse(g), "link"), "#press=");
  auto me = parse(http_get(port, "/api/v1/press/me", with_grant(token)));
  const std::string speaker = sget(me, "speakers[0].name");
  ASSERT_FALSE(speaker.empty());
  expect_field("/api/v1/press/interviews", json::object{{"speaker", speaker}}, "wanted", with_grant(token));
  expect_field("/api/v1/press/interviews", json::object{{"speaker", "Nobody Atall"}, {"wanted", "now"}}, "speaker",
               with_grant(token));
  expect_field("/api/v1/press/interviews", json::object{{"speaker", speaker}, {"wanted", "now"}, {"session_id", "s-none"}},
               "session_id", with_grant(token));
  auto iv = post(port, "/api/v1/press/interviews", json::object{{"speaker", speaker}, {"wanted", "now"}}, with_grant(token));
  ASSERT_EQ(iv.status, 201) << iv.body;
  const std::string iv_answer = events_path + "/interviews/" + sget(parse(iv), "interview.id") + "/answer";
  expect_field(iv_answer, json::object{{"answer", "maybe"}}, "answer", officer());
  expect_field(iv_answer, json::object{{"answer", "propose"}}, "proposed", officer());
  expect_field("/api/v1/press/interviews/" + sget(parse(iv), "interview.id") + "/respond",
               json::object{{"answer", "propose"}}, "answer", with_grant(token));
}

TEST(press_api, closed_accreditation_and_grant_refusals_have_their_codes) {
  server_process s(press_options());
  const auto port = s.port();
  auto closed = http_request(port, "PUT", events_path + "/press/settings",
                             json::serialize(json::object{{"accreditation_open", false}}), officer());
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(at(parse(http_get(port, events_path + "/accreditation")), "open"), json::value(false));
  auto refused = post(port, events_path + "/accreditations", journalist("Eva", "eva@example.org", "sv"), json_only());
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(code_of(refused), "accreditation_closed");

  auto missing = http_get(port, "/api/v1/press/me");
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(code_of(missing), "grant_missing");
  auto expired_r = post(port, events_path + "/grants",
                        json::object{{"name", "Old"}, {"valid_from", "2020-01-01T00:00:00Z"},
                                     {"valid_until", "2021-01-01T00:00:00Z"}},
                        officer());
  ASSERT_EQ(expired_r.status, 201) << expired_r.body;
  EXPECT_EQ(sget(parse(expired_r), "grant.state"), "expired");
  const std::string expired = token_after(sget(parse(expired_r), "link"), "#press=");
  auto old = http_get(port, "/api/v1/press/me", with_grant(expired));
  EXPECT_EQ(old.status, 410);
  EXPECT_EQ(code_of(old), "grant_expired");
  // One character of the payload changed: tampered.
  auto valid_r = post(port, events_path + "/grants", json::object{{"name", "New"}}, officer());
  std::string tampered = token_after(sget(parse(valid_r), "link"), "#press=");
  auto dot = tampered.find('.', 3);
  tampered[dot + 2] = tampered[dot + 2] == 'A' ? 'B' : 'A';
  auto bad = http_get(port, "/api/v1/press/me", with_grant(tampered));
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(code_of(bad), "grant_invalid");
  // A join token is not a grant.
  auto join = http_get(port, "/api/v1/press/me", with_grant(ws::token("u-x", "X", "press")));
  EXPECT_EQ(join.status, 403);
  EXPECT_EQ(code_of(join), "grant_invalid");
}

// --- Copying the link of a grant issued earlier --------------------------------------------------

// Only the grant is stored: POST …/grants/{id}/link signs it again. The new link opens the press
// page as the same grant (same id and stages); a revoked grant has no link; only manage_press
// gets one, and each link given out is an action in the audit.
TEST(press_api, the_link_of_an_earlier_grant_is_signed_again_and_opens_the_press_page) {
  server_process s(press_options());
  const auto port = s.port();
  auto issued = post(port, events_path + "/grants",
                     json::object{{"name", "Lina Link"}, {"outlet", "SVT"}, {"stages", json::array{"main"}},
                                  {"valid_from", "2020-01-01T00:00:00Z"}, {"valid_until", "2099-01-01T00:00:00Z"}},
                     officer());
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string id = sget(parse(issued), "grant.id");

  auto copied = post(port, events_path + "/grants/" + id + "/link", json::object{}, officer());
  ASSERT_EQ(copied.status, 200) << copied.body;
  const std::string link = sget(parse(copied), "link");
  EXPECT_NE(link.find("/#press="), std::string::npos) << link;
  const std::string token = token_after(link, "#press=");
  auto me = http_get(port, "/api/v1/press/me", with_grant(token));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(sget(parse(me), "grant.id"), id);
  EXPECT_EQ(sget(parse(me), "grant.name"), "Lina Link");
  EXPECT_EQ(sget(parse(me), "grant.stages[0]"), "main");
  EXPECT_TRUE(at(parse(me), "grant.stages[1]").is_null());

  // Without manage_press: 403, and no link in the answer.
  for (std::string role : {"attendee", "moderator", "speaker", "press"}) {
    SCOPED_TRACE(role);
    auto refused = post(port, events_path + "/grants/" + id + "/link", json::object{}, as_role(role));
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(code_of(refused), "forbidden");
    EXPECT_EQ(refused.body.find("#press="), std::string::npos);
  }
  EXPECT_EQ(post(port, events_path + "/grants/" + id + "/link", json::object{}, json_only()).status, 401);
  auto unknown = post(port, events_path + "/grants/pr-0000000000000000/link", json::object{}, officer());
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(code_of(unknown), "no_such_grant");

  // Revoked: 410 grant_revoked, and the link copied before is refused too.
  ASSERT_EQ(post(port, events_path + "/grants/" + id + "/revoke", json::object{}, officer()).status, 200);
  auto gone = post(port, events_path + "/grants/" + id + "/link", json::object{}, officer());
  EXPECT_EQ(gone.status, 410) << gone.body;
  EXPECT_EQ(code_of(gone), "grant_revoked");
  EXPECT_EQ(gone.body.find("#press="), std::string::npos);
  EXPECT_EQ(code_of(http_get(port, "/api/v1/press/me", with_grant(token))), "grant_revoked");

  // The audit: one press.grant.link, for the link given out (not for the refusals).
  auto audit = parse(http_get(port, events_path + "/press/audit.json", officer()));
  int links = 0;
  auto action_list = at(audit, "actions");
  ASSERT_TRUE(action_list.is_array()) << json::serialize(audit);
  for (auto& x : action_list.as_array())
    if (x.as_object().at("action").as_string() == "press.grant.link") {
      ++links;
      EXPECT_EQ(x.as_object().at("target").as_string(), id);
    }
  EXPECT_EQ(links, 1);
}

// --- The viewing audit (needs the gate on /live/, api/press_gate.*) ------------------------------

// A press-only test-picture stage at the cheapest settings.
std::string gated_stage_toml() {
  return "\n[[stages]]\nid = \"pressroom\"\nname = \"Press room\"\nroom = \"press\"\nvisibility = \"press\"\n"
         "mode = \"produced\"\ninput = \"test\"\nwidth = 160\nheight = 90\nfps = 10\nvideo_kbps = 150\n"
         "preset = \"ultrafast\"\nkeyframe_seconds = 1\nhls_segment_seconds = 1\nhls_window_seconds = 20\n";
}

server_process::options gated_options(const temp_dir& dir, int flush_seconds) {
  server_process::options o;
  o.dir = &dir;
  o.env = ws::auth_env();
  o.extra_toml = "[media]\ndir = \"{DIR}/media\"\n[press]\naudit_flush_seconds = " + std::to_string(flush_seconds) +
                 "\n" + gated_stage_toml();
  return o;
}

// A grant valid now, issued through the API; its token.
std::string grant_now(std::uint16_t port, const std::string& name) {
  auto r = post(port, events_path + "/grants",
                json::object{{"name", name}, {"outlet", "SVT"}, {"valid_from", "2020-01-01T00:00:00Z"},
                             {"valid_until", "2099-01-01T00:00:00Z"}},
                officer());
  EXPECT_EQ(r.status, 201) << r.body;
  return token_after(sget(parse(r), "link"), "#press=");
}

// Fetches the gated playlist (until the stage has one) and its first segment; the bytes served.
std::size_t watch(std::uint16_t port, const std::string& grant, const std::string& device) {
  http_response playlist;
  bool served = eventually(
      [&] {
        playlist = http_get(port, "/live/pressroom/index.m3u8?grant=" + grant + "&device=" + device);
        return playlist.status == 200 && playlist.body.find("?v=") != std::string::npos;
      },
      30s);
  EXPECT_TRUE(served) << playlist.status << " " << playlist.body;
  std::string segment;
  std::istringstream lines(playlist.body);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != '#') segment = line;
  if (segment.empty()) return 0;
  auto seg = http_get(port, "/live/pressroom/" + segment);
  EXPECT_EQ(seg.status, 200) << seg.body;
  return playlist.body.size() + seg.body.size();
}

// press_views rows of `viewer`, read from the database file itself (what the flush wrote).
int stored_views(const temp_dir& dir, const std::string& viewer) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(dir.file("samling.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  sqlite3_busy_timeout(db, 2000);
  sqlite3_stmt* st = nullptr;
  int n = -1;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM press_views WHERE viewer = ?", -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, viewer.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

std::string grant_id_of(std::uint16_t port, const std::string& token) {
  return sget(parse(http_get(port, "/api/v1/press/me", with_grant(token))), "grant.id");
}

TEST(press_api, the_audit_lists_the_views_flushed_on_time_and_at_shutdown) {
  temp_dir dir;
  std::string first_id, first_token;
  {
    server_process s(gated_options(dir, 1));
    first_token = grant_now(s.port(), "Sara Svensson");
    first_id = grant_id_of(s.port(), first_token);
    auto bytes = watch(s.port(), first_token, "device-first-1");
    EXPECT_GT(bytes, 0u);
    // The timer writes the counts within a second or so, with no export asking for it.
    EXPECT_TRUE(eventually([&] { return stored_views(dir, first_id) > 0; }, 10s)) << stored_views(dir, first_id);

    // The export lists the view with its bytes, as JSON and as CSV.
    auto audit = parse(http_get(s.port(), events_path + "/press/audit.json", officer()));
    int listed = 0;  // one row per viewer, stage, device and address: the playlist and the segment add up
    auto views = at(audit, "views");
    for (auto& v : views.as_array()) {
      auto& o = v.as_object();
      if (o.at("viewer").as_string() != first_id) continue;
      ++listed;
      EXPECT_EQ(o.at("address").as_string(), "127.0.0.1");
      EXPECT_EQ(o.at("stage").as_string(), "pressroom");
      EXPECT_EQ(o.at("device").as_string(), "device-first-1");
      EXPECT_EQ(o.at("name").as_string().find("Sara Svensson"), 0u);
      EXPECT_GE(o.at("bytes").to_number<std::int64_t>(), static_cast<std::int64_t>(bytes));
      EXPECT_GE(o.at("requests").to_number<std::int64_t>(), 2);
    }
    EXPECT_EQ(listed, 1) << json::serialize(audit);
    auto csv = http_get(s.port(), events_path + "/press/audit.csv", officer());
    EXPECT_NE(csv.body.find("view," + first_id + ","), std::string::npos) << csv.body;
  }
  // A view counted just before a stop is written by the shutdown's flush (the timer's period is
  // five minutes here), and the next start lists it.
  std::string second_id;
  {
    server_process s(gated_options(dir, 300));
    auto token = grant_now(s.port(), "Olof Larsson");
    second_id = grant_id_of(s.port(), token);
    EXPECT_GT(watch(s.port(), token, "device-second-1"), 0u);
    EXPECT_EQ(stored_views(dir, second_id), 0);
    s.signal(SIGTERM);
    ASSERT_EQ(s.wait_exit(20s), std::optional<int>(0));
  }
  EXPECT_GT(stored_views(dir, second_id), 0);
  server_process s(gated_options(dir, 300));
  auto audit = http_get(s.port(), events_path + "/press/audit.json", officer());
  EXPECT_NE(audit.body.find(second_id), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find(first_id), std::string::npos) << audit.body;
}

}  // namespace
