// The projector's HTTP side through the real binary (docs/api.md, "Q&A, moderation and the
// projector"): the room's QR code decodes (rsvg-convert + zbarimg) to the room's Q&A page; kiosk
// links are made, listed and revoked by the event's moderators and organizers only; a link
// opens the projector without sign-in until it is revoked (410), an unknown one is 404; the
// audit log names the kiosk without its secret.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <boost/json.hpp>

#include "harness.hpp"
#include "ws_client.hpp"

using namespace samling::testing;
namespace json = boost::json;

namespace {

const std::string event = ws::event_id;
using header_list = std::vector<std::pair<std::string, std::string>>;

json::object body_of(const http_response& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  return !ec && v.is_object() ? v.as_object() : json::object{};
}

std::string error_code(const http_response& r) {
  auto b = body_of(r);
  auto* e = b.if_contains("error");
  return e && e->is_object() && e->as_object().contains("code") ? std::string(e->as_object().at("code").as_string())
                                                                 : std::string();
}

// A JSON value as text: a string's contents, anything else serialized.
std::string s(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

header_list bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
std::string moderator() { return ws::token("mod-1", "Maja Moderator", "moderator"); }
std::string organizer() { return ws::token("org-1", "Olga Organizer", "organizer"); }

server_process::options options(const std::string& public_url = {}) {
  server_process::options o;
  o.env = ws::auth_env();
  if (!public_url.empty()) o.env["SAMLING_SERVER_PUBLIC_URL"] = public_url;
  o.extra_toml = "[auth]\ndev_tokens = true\n[media]\nenabled = false\n";
  return o;
}

std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return {};
  std::string out;
  char buf[512];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// The text of a QR code SVG, read by a real decoder (install-deps: librsvg2-bin, zbar-tools).
std::string decode_qr(const temp_dir& dir, const std::string& svg) {
  auto in = dir.write("qr.svg", svg);
  auto png = dir.file("qr.png");
  if (std::system(("rsvg-convert -w 400 -h 400 -o '" + png + "' '" + in + "'").c_str()) != 0) return "(rsvg-convert failed)";
  return run("zbarimg --quiet --raw -Sbinary '" + png + "'");
}

std::vector<std::string> db_rows(const std::string& path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        std::string row;
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
          auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
          row += (i ? "|" : "") + std::string(t ? t : "");
        }
        out.push_back(row);
      }
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

TEST(projector, the_rooms_qr_code_decodes_to_its_qa_page) {
  server_process server(options("https://samling.example/"));
  auto r = http_get(server.port(), "/api/v1/events/" + event + "/rooms/seminar-housing/qr.svg");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "image/svg+xml");
  EXPECT_EQ(r.header("cache-control"), "public, max-age=300");
  EXPECT_EQ(decode_qr(server.dir(), r.body), "https://samling.example/#event=" + event + "&room=seminar-housing&qa=1");

  EXPECT_EQ(error_code(http_get(server.port(), "/api/v1/events/" + event + "/rooms/nowhere/qr.svg")), "no_such_room");
  EXPECT_EQ(error_code(http_get(server.port(), "/api/v1/events/no-event/rooms/main/qr.svg")), "no_such_event");
}

TEST(projector, without_public_url_the_qr_code_uses_the_requests_host) {
  server_process server(options());
  auto r = http_get(server.port(), "/api/v1/events/" + event + "/rooms/main/qr.svg");  // Host: 127.0.0.1
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("vary"), "Host");
  auto decoded = decode_qr(server.dir(), r.body);
  EXPECT_EQ(decoded, "http://127.0.0.1/#event=" + event + "&room=main&qa=1");
}

TEST(projector, a_kiosk_link_opens_the_projector_until_it_is_revoked) {
  server_process server(options("https://samling.example"));
  const auto port = server.port();
  const std::string links = "/api/v1/events/" + event + "/kiosk-links";

  auto made = http_request(port, "POST", "/api/v1/events/" + event + "/rooms/main/kiosk-links", "", bearer(moderator()));
  ASSERT_EQ(made.status, 201) << made.body;
  auto link = body_of(made);
  const std::string id(link.at("id").as_string());
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(s(link.at("url")), "https://samling.example/#projector=" + id);
  EXPECT_EQ(s(link.at("event")), event);
  EXPECT_EQ(s(link.at("room")), "main");
  EXPECT_TRUE(link.at("created").is_int64());
  EXPECT_TRUE(link.at("revoked").is_null());

  // Public: no credentials.
  auto kiosk = http_get(port, "/api/v1/kiosk/" + id);
  ASSERT_EQ(kiosk.status, 200) << kiosk.body;
  auto k = body_of(kiosk);
  EXPECT_EQ(s(k.at("event")), event);
  EXPECT_EQ(s(k.at("room")), "main");
  EXPECT_EQ(s(k.at("qa_url")), "https://samling.example/#event=" + event + "&room=main&qa=1");
  EXPECT_EQ(s(k.at("qr")), "/api/v1/events/" + event + "/rooms/main/qr.svg");
  EXPECT_EQ(s(k.at("user")), "kiosk-" + id.substr(0, 8));

  // Listed for the organizer too (a second link in another room).
  auto second = http_request(port, "POST", "/api/v1/events/" + event + "/rooms/seminar-housing/kiosk-links", "",
                             bearer(organizer()));
  ASSERT_EQ(second.status, 201) << second.body;
  auto list = http_get(port, links, bearer(organizer()));
  ASSERT_EQ(list.status, 200) << list.body;
  auto arr = body_of(list).at("links").as_array();
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(s(arr[0].as_object().at("id")), id);
  EXPECT_EQ(s(arr[1].as_object().at("room")), "seminar-housing");

  // Revoked: 204, then the link answers 410 and the list shows when.
  auto revoked = http_request(port, "DELETE", links + "/" + id, "", bearer(moderator()));
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  auto after = http_get(port, "/api/v1/kiosk/" + id);
  EXPECT_EQ(after.status, 410);
  EXPECT_EQ(error_code(after), "kiosk_revoked");
  auto listed = body_of(http_get(port, links, bearer(moderator()))).at("links").as_array();
  EXPECT_TRUE(listed[0].as_object().at("revoked").is_int64());
  EXPECT_TRUE(listed[1].as_object().at("revoked").is_null());
  EXPECT_EQ(http_get(port, "/api/v1/kiosk/" + std::string(body_of(second).at("id").as_string())).status, 200);

  // Unknown links: 404 kiosk_unknown, for a well-formed id, a malformed one and a revocation.
  EXPECT_EQ(error_code(http_get(port, "/api/v1/kiosk/0123456789abcdef0123456789abcdef")), "kiosk_unknown");
  EXPECT_EQ(http_get(port, "/api/v1/kiosk/not-a-link").status, 404);
  auto unknown = http_request(port, "DELETE", links + "/0123456789abcdef0123456789abcdef", "", bearer(moderator()));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_code(unknown), "kiosk_unknown");

  // The audit log names the kiosk by its user id, never by the whole link id.
  auto audit = db_rows(server.dir().file("samling.db"),
                       "SELECT action || '|' || actor || '|' || target FROM audit_log WHERE action LIKE 'kiosk.%' ORDER BY id");
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0], "kiosk.created|mod-1|kiosk-" + id.substr(0, 8) + " main");
  EXPECT_EQ(audit[2], "kiosk.revoked|mod-1|kiosk-" + id.substr(0, 8) + " main");
  for (auto& row : audit) EXPECT_EQ(row.find(id), std::string::npos) << row;
}

TEST(projector, only_the_events_moderators_and_organizers_manage_kiosk_links) {
  server_process server(options());
  const auto port = server.port();
  const std::string create = "/api/v1/events/" + event + "/rooms/main/kiosk-links";
  const std::string links = "/api/v1/events/" + event + "/kiosk-links";
  for (const char* role : {"attendee", "speaker", "press", "guest"}) {
    auto token = ws::token(std::string("u-") + role, "Someone", role);
    auto r = http_request(port, "POST", create, "", bearer(token));
    EXPECT_EQ(r.status, 403) << role << " " << r.body;
    EXPECT_EQ(error_code(r), "forbidden") << role;
    EXPECT_EQ(http_get(port, links, bearer(token)).status, 403) << role;
  }
  EXPECT_EQ(http_request(port, "POST", create, "").status, 401);
  EXPECT_EQ(http_get(port, links).status, 401);
  // A moderator of another event.
  auto elsewhere = ws::token("mod-2", "Other", "moderator", "other-event");
  EXPECT_EQ(http_request(port, "POST", create, "", bearer(elsewhere)).status, 403);
  // Nothing was made; a room that does not exist is refused.
  EXPECT_EQ(body_of(http_get(port, links, bearer(moderator()))).at("links").as_array().size(), 0u);
  auto nowhere = http_request(port, "POST", "/api/v1/events/" + event + "/rooms/nowhere/kiosk-links", "",
                              bearer(moderator()));
  EXPECT_EQ(error_code(nowhere), "no_such_room");
  // A link of this event cannot be revoked through another event's path.
  auto made = body_of(http_request(port, "POST", create, "", bearer(moderator())));
  const std::string id(made.at("id").as_string());
  auto other = http_request(port, "DELETE", "/api/v1/events/other-event/kiosk-links/" + id, "", bearer(elsewhere));
  EXPECT_EQ(error_code(other), "kiosk_unknown");
  EXPECT_EQ(http_get(port, "/api/v1/kiosk/" + id).status, 200);
}

// --- Exports, the moderation log and the Q&A settings -----------------------------------------

std::string main_room() { return ws::room("main"); }

// An attendee's session in `room` (hello + join); nullptr when either fails.
std::unique_ptr<ws_client> joined(std::uint16_t port, const std::string& sub, const std::string& name,
                                  const std::string& role = "attendee") {
  auto c = std::make_unique<ws_client>();
  if (!c->connect(port)) return nullptr;
  auto hello = c->hello(event, ws::token(sub, name, role));
  auto join = c->join(main_room());
  EXPECT_TRUE(is_ack(hello) && is_ack(join)) << sub << ": " << str(hello) << " " << str(join);
  if (!is_ack(hello) || !is_ack(join)) return nullptr;
  return c;
}

TEST(projector, a_rooms_export_has_its_chat_and_is_for_staff_only) {
  server_process server(options());
  const auto port = server.port();
  auto anna = joined(port, "u-anna", "Anna Svensson");
  ASSERT_TRUE(anna);
  ASSERT_TRUE(is_ack(anna->post(main_room(), "Hej, \"alla\"!")));
  ASSERT_TRUE(is_ack(anna->post(main_room(), "=HYPERLINK(\"http://x\")")));
  const std::string base = "/api/v1/events/" + event + "/rooms/main/export";

  auto full = http_get(port, base + ".json", bearer(moderator()));
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(full.header("cache-control"), "no-store");
  auto o = body_of(full);
  EXPECT_EQ(s(o.at("room")), main_room());
  EXPECT_TRUE(o.at("exported").is_int64());
  EXPECT_TRUE(o.at("questions").as_array().empty());
  EXPECT_TRUE(o.at("polls").as_array().empty());
  auto chat = o.at("chat").as_array();
  ASSERT_EQ(chat.size(), 2u) << full.body;
  EXPECT_EQ(s(chat[0].as_object().at("text")), "Hej, \"alla\"!");
  EXPECT_EQ(s(chat[0].as_object().at("user").as_object().at("name")), "Anna Svensson");
  EXPECT_LT(chat[0].as_object().at("seq").as_int64(), chat[1].as_object().at("seq").as_int64());

  // CSV: BOM, header, quoted fields, the formula defused; a download link with ?token= works.
  auto csv = http_get(port, base + "/chat.csv?token=" + moderator());
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBFseq,time,user_id,user_name,user_role,text\r\n", 0), 0u) << csv.body;
  EXPECT_NE(csv.body.find(",u-anna,Anna Svensson,attendee,\"Hej, \"\"alla\"\"!\"\r\n"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find(",\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"), std::string::npos) << csv.body;
  auto questions = http_get(port, base + "/questions.csv", bearer(organizer()));
  EXPECT_EQ(questions.status, 200);
  EXPECT_EQ(questions.body.rfind("\xEF\xBB\xBFid,status,votes,", 0), 0u) << questions.body;
  EXPECT_EQ(http_get(port, base + "/polls.csv", bearer(organizer())).status, 200);
  EXPECT_EQ(http_get(port, base + "/other.csv", bearer(organizer())).status, 404);

  // ?session=: from the end of the room's previous session until this one's end. The demo day
  // is in 2027: today's chat belongs to the room's first session, not to a later one.
  auto first = body_of(http_get(port, base + ".json?session=registration", bearer(moderator())));
  EXPECT_EQ(first.at("chat").as_array().size(), 2u) << str(json::value(first));
  EXPECT_EQ(s(first.at("session").as_object().at("id")), "registration");
  EXPECT_EQ(first.at("session").as_object().at("from").as_int64(), 0);
  auto later = body_of(http_get(port, base + ".json?session=opening", bearer(moderator())));
  EXPECT_TRUE(later.at("chat").as_array().empty()) << str(json::value(later));
  EXPECT_EQ(later.at("session").as_object().at("from"), later.at("session").as_object().at("starts"))
      << "the opening follows the registration directly";
  EXPECT_TRUE(o.at("session").is_null());
  auto later_csv = http_get(port, base + "/chat.csv?session=opening", bearer(moderator()));
  EXPECT_EQ(later_csv.body, "\xEF\xBB\xBFseq,time,user_id,user_name,user_role,text\r\n");
  EXPECT_NE(later_csv.header("content-disposition").find("main-opening-chat.csv"), std::string::npos);
  EXPECT_EQ(http_get(port, base + ".json?session=nope", bearer(moderator())).status, 404);
  // A session of another room is not this room's.
  EXPECT_EQ(http_get(port, base + ".json?session=seminar-housing", bearer(moderator())).status, 404);

  // Who may: staff of this event only.
  EXPECT_EQ(http_get(port, base + ".json").status, 401);
  for (const char* role : {"attendee", "speaker", "press", "guest"})
    EXPECT_EQ(http_get(port, base + ".json", bearer(ws::token("u-x", "X", role))).status, 403) << role;
  EXPECT_EQ(http_get(port, base + ".json", bearer(ws::token("m-2", "M", "moderator", "other-event"))).status, 403);
  EXPECT_EQ(error_code(http_get(port, "/api/v1/events/" + event + "/rooms/nowhere/export.json", bearer(moderator()))),
            "no_such_room");

  // The moderation log: empty, JSON and CSV; staff only.
  const std::string log = "/api/v1/events/" + event + "/moderation-log";
  auto entries = http_get(port, log, bearer(moderator()));
  ASSERT_EQ(entries.status, 200) << entries.body;
  EXPECT_TRUE(body_of(entries).at("entries").as_array().empty());
  auto log_csv = http_get(port, log + "?format=csv", bearer(moderator()));
  EXPECT_EQ(log_csv.body, "\xEF\xBB\xBFid,time,room,actor_id,actor_name,actor_role,action,target,reason\r\n");
  EXPECT_EQ(http_get(port, log, bearer(ws::token("u-x", "X", "attendee"))).status, 403);
}

TEST(projector, qa_settings_are_read_by_staff_and_changed_by_organizers) {
  server_process server(options());
  const auto port = server.port();
  const std::string path = "/api/v1/events/" + event + "/qa-settings";
  const header_list json_type{{"Content-Type", "application/json"}};
  auto with = [&](const std::string& token) {
    auto h = bearer(token);
    h.insert(h.end(), json_type.begin(), json_type.end());
    return h;
  };
  auto got = http_get(port, path, bearer(moderator()));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, "{\"names_to_moderators\":false}");
  EXPECT_EQ(http_get(port, path, bearer(ws::token("u-x", "X", "attendee"))).status, 403);
  EXPECT_EQ(http_request(port, "PUT", path, "{\"names_to_moderators\":true}", with(moderator())).status, 403);
  auto bad = http_request(port, "PUT", path, "{\"names_to_moderators\":\"yes\"}", with(organizer()));
  EXPECT_EQ(bad.status, 400);
  auto put = http_request(port, "PUT", path, "{\"names_to_moderators\":true}", with(organizer()));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(http_get(port, path, bearer(moderator())).body, "{\"names_to_moderators\":true}");
  auto audit = db_rows(server.dir().file("samling.db"),
                       "SELECT actor || '|' || detail FROM audit_log WHERE action = 'qa.settings'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0], "org-1|names_to_moderators=true");
}

// Seeded over the WebSocket: questions with votes, a poll with results, chat with a deleted
// message; the export counts them and the moderation log holds the deletion. Needs the Q&A and
// moderation requests (skipped on a build without them).
TEST(projector, a_rooms_export_counts_votes_and_poll_results_and_leaves_out_deleted_chat) {
  server_process server(options());
  const auto port = server.port();
  auto anna = joined(port, "u-anna", "Anna Svensson");
  auto bo = joined(port, "u-bo", "Bo Ek");
  auto maja = joined(port, "mod-1", "Maja Moderator", "moderator");
  ASSERT_TRUE(anna && bo && maja);
  auto asked = anna->request({{"type", "ask"}, {"room", main_room()}, {"text", "Vad kostar det?"}, {"client_msg_id", "q1"}});
  if (string_field(asked, "code") == "unknown_type") GTEST_SKIP() << "this build has no Q&A requests";
  ASSERT_TRUE(is_ack(asked)) << str(asked);
  const auto q1 = string_field(asked, "result.question.id");
  auto asked2 = bo->request({{"type", "ask"}, {"room", main_room()}, {"text", "Och när?"}, {"client_msg_id", "q2"}, {"anonymous", true}});
  ASSERT_TRUE(is_ack(asked2)) << str(asked2);
  for (auto* c : {anna.get(), bo.get()})
    ASSERT_TRUE(is_ack(c->request({{"type", "vote"}, {"room", main_room()}, {"question", q1}})));
  auto poll = maja->request({{"type", "poll_create"}, {"room", main_room()}, {"text", "Kaffe eller te?"},
                             {"kind", "single"}, {"options", json::array{"Kaffe", "Te"}}});
  ASSERT_TRUE(is_ack(poll)) << str(poll);
  const auto p1 = string_field(poll, "result.poll.id");
  ASSERT_TRUE(is_ack(maja->request({{"type", "poll"}, {"room", main_room()}, {"poll", p1}, {"action", "open"}})));
  ASSERT_TRUE(is_ack(anna->request({{"type", "poll_vote"}, {"room", main_room()}, {"poll", p1}, {"choices", json::array{0}}})));
  ASSERT_TRUE(is_ack(bo->request({{"type", "poll_vote"}, {"room", main_room()}, {"poll", p1}, {"choices", json::array{1}}})));
  ASSERT_TRUE(is_ack(anna->post(main_room(), "Kvar")));
  auto gone = bo->post(main_room(), "Bort");
  ASSERT_TRUE(is_ack(gone));
  auto deleted = maja->request({{"type", "moderate"}, {"room", main_room()}, {"action", "delete_message"},
                                {"seq", int_field(gone, "result.seq")}, {"reason", "off topic"}});
  ASSERT_TRUE(is_ack(deleted)) << str(deleted);

  auto o = body_of(http_get(port, "/api/v1/events/" + event + "/rooms/main/export.json", bearer(moderator())));
  auto qs = o.at("questions").as_array();
  ASSERT_EQ(qs.size(), 2u) << str(json::value(o));
  EXPECT_EQ(s(qs[0].as_object().at("id")), q1);
  EXPECT_EQ(qs[0].as_object().at("votes").as_int64(), 2);
  EXPECT_EQ(str(qs[0].as_object().at("voters")), "[\"u-anna\",\"u-bo\"]");
  EXPECT_TRUE(qs[1].as_object().at("anonymous").as_bool());
  EXPECT_TRUE(qs[1].as_object().at("author").is_null()) << "anonymous, and names do not go to moderators";
  auto ps = o.at("polls").as_array();
  ASSERT_EQ(ps.size(), 1u);
  auto opts = ps[0].as_object().at("options").as_array();
  EXPECT_EQ(opts[0].as_object().at("votes").as_int64(), 1);
  EXPECT_EQ(opts[1].as_object().at("votes").as_int64(), 1);
  EXPECT_EQ(ps[0].as_object().at("voters").as_int64(), 2);
  std::vector<std::string> texts;
  for (auto& m : o.at("chat").as_array()) texts.push_back(s(m.as_object().at("text")));
  EXPECT_EQ(texts, std::vector<std::string>{"Kvar"});

  auto qcsv = http_get(port, "/api/v1/events/" + event + "/rooms/main/export/questions.csv", bearer(moderator())).body;
  EXPECT_NE(qcsv.find(q1 + ",approved,2,no,Vad kostar det?,online,no,no,Anna Svensson,attendee,"), std::string::npos) << qcsv;
  auto pcsv = http_get(port, "/api/v1/events/" + event + "/rooms/main/export/polls.csv", bearer(moderator())).body;
  EXPECT_NE(pcsv.find(p1 + ",Kaffe eller te?,single,open,live,1,Te,1,2,"), std::string::npos) << pcsv;

  auto log = body_of(http_get(port, "/api/v1/events/" + event + "/moderation-log", bearer(moderator())));
  bool found = false;
  for (auto& e : log.at("entries").as_array()) {
    auto& x = e.as_object();
    if (s(x.at("action")) == "delete_message") {
      found = true;
      EXPECT_EQ(s(x.at("reason")), "off topic");
      EXPECT_EQ(s(x.at("actor").as_object().at("id")), "mod-1");
      EXPECT_EQ(s(x.at("room")), main_room());
    }
  }
  EXPECT_TRUE(found) << str(json::value(log));
  auto log_csv = http_get(port, "/api/v1/events/" + event + "/moderation-log?format=csv", bearer(moderator())).body;
  EXPECT_NE(log_csv.find(",mod-1,Maja Moderator,moderator,delete_message,"), std::string::npos) << log_csv;
}

// A kiosk's open connection is closed with 4011 when its link is revoked, and its hello is
// refused afterwards. Needs the kiosk hello (skipped on a build without it).
TEST(projector, revoking_a_kiosk_link_closes_the_projectors_connection) {
  server_process server(options());
  const auto port = server.port();
  auto made = body_of(http_request(port, "POST", "/api/v1/events/" + event + "/rooms/main/kiosk-links", "",
                                   bearer(moderator())));
  const std::string id(made.at("id").as_string());
  ws_client kiosk;
  ASSERT_TRUE(kiosk.connect(port));
  auto hello = kiosk.request({{"type", "hello"}, {"event", event}, {"kiosk", id}});
  if (!is_ack(hello) && string_field(hello, "message").find("kiosk") == std::string::npos)
    GTEST_SKIP() << "this build has no kiosk hello: " << str(hello);
  ASSERT_TRUE(is_ack(hello)) << str(hello);
  EXPECT_EQ(string_field(hello, "result.user.id"), "kiosk-" + id.substr(0, 8));
  ASSERT_TRUE(is_ack(kiosk.join(main_room())));
  ASSERT_EQ(http_request(port, "DELETE", "/api/v1/events/" + event + "/kiosk-links/" + id, "", bearer(moderator())).status, 204);
  EXPECT_EQ(kiosk.wait_closed(5s), 4011);
  ws_client again;
  ASSERT_TRUE(again.connect(port));
  EXPECT_EQ(string_field(again.request({{"type", "hello"}, {"event", event}, {"kiosk", id}}), "code"), "kiosk_revoked");
}

// A signed-in organizer (the staff cookie) makes a kiosk link only with the session's CSRF token.
TEST(projector, a_cookie_needs_its_csrf_token_to_make_or_revoke_a_kiosk_link) {
  server_process server(options());
  const auto port = server.port();
  const std::string email = "arrangor@example.org", password = "ett långt lösenord för test";
  auto added = run_samling_with_input({"account", "add", "--config", server.dir().file("samling.toml"), "--email", email,
                                       "--name", "Ada Arrangör", "--role", "organizer", "--event", "*",
                                       "--password-stdin"},
                                      password + "\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto signed_in = http_request(port, "POST", "/api/v1/auth/sign-in",
                                json::serialize(json::object{{"email", email}, {"password", password}}),
                                {{"Content-Type", "application/json"}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  auto line = signed_in.header("set-cookie");
  const std::string cookie = line.substr(0, line.find(';'));
  const std::string csrf(body_of(signed_in).at("csrf").as_string());
  const std::string create = "/api/v1/events/" + event + "/rooms/main/kiosk-links";

  auto refused = http_request(port, "POST", create, "", {{"Cookie", cookie}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "csrf_failed");
  auto forged = http_request(port, "POST", create, "", {{"Cookie", cookie}, {"X-CSRF-Token", "forged"}});
  EXPECT_EQ(error_code(forged), "csrf_failed");
  auto listed = http_get(port, "/api/v1/events/" + event + "/kiosk-links", {{"Cookie", cookie}});
  ASSERT_EQ(listed.status, 200) << listed.body;  // a GET needs no CSRF token
  EXPECT_TRUE(body_of(listed).at("links").as_array().empty()) << "nothing was made without the token";

  auto made = http_request(port, "POST", create, "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id(body_of(made).at("id").as_string());
  const std::string link = "/api/v1/events/" + event + "/kiosk-links/" + id;
  EXPECT_EQ(error_code(http_request(port, "DELETE", link, "", {{"Cookie", cookie}})), "csrf_failed");
  EXPECT_EQ(http_get(port, "/api/v1/kiosk/" + id).status, 200);
  EXPECT_EQ(http_request(port, "DELETE", link, "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}).status, 204);
  EXPECT_EQ(http_get(port, "/api/v1/kiosk/" + id).status, 410);
}

}  // namespace
