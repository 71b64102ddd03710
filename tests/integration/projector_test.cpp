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

}  // namespace
