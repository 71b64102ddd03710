// The gate's refusals (api/press_gate.hpp): the JSON and the browser's page, their language,
// and the contacts kept in memory per event (the press settings route and serve set them).
#include "api/press_gate.hpp"
#include "press/texts.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace samling::api {
namespace {

namespace json = boost::json;

net::request request_with(std::vector<std::pair<std::string, std::string>> headers, std::string query = {}) {
  net::request r;
  r.method = "GET";
  r.path = "/live/press/index.m3u8";
  r.query = std::move(query);
  r.headers = std::move(headers);
  r.remote = "192.0.2.1:40000";
  return r;
}

TEST(press_gate, a_refusal_as_json_carries_its_code_status_text_and_the_events_contacts) {
  set_press_contacts("gate-ev", {{"Kim Karlsson", "Pressansvarig", "press@example.org", "+46 8 123"}});
  auto r = refusal_response(request_with({{"accept-language", "en"}}), press::refusal::expired, "gate-ev");
  EXPECT_EQ(r.status, 410u);
  EXPECT_EQ(r.content_type, "application/json");
  auto err = json::parse(r.body).as_object().at("error").as_object();
  EXPECT_EQ(err.at("code").as_string(), "grant_expired");
  EXPECT_EQ(err.at("message").as_string(), press::refusal_text(press::refusal::expired, "en"));
  EXPECT_EQ(err.at("contact").as_object().at("email").as_string(), "press@example.org");
  ASSERT_EQ(err.at("contacts").as_array().size(), 1u);
  EXPECT_EQ(err.at("contacts").as_array()[0].as_object().at("name").as_string(), "Kim Karlsson");
  bool no_store = false;
  for (auto& [k, v] : r.headers) no_store |= k == "Cache-Control" && v == "private, no-store";
  EXPECT_TRUE(no_store);
  // An event without settings: no contacts, still an answer.
  auto bare = refusal_response(request_with({}), press::refusal::missing, "unknown-ev");
  EXPECT_EQ(bare.status, 403u);
  auto bare_err = json::parse(bare.body).as_object().at("error").as_object();
  EXPECT_TRUE(bare_err.at("contact").is_null());
  EXPECT_TRUE(bare_err.at("contacts").as_array().empty());
}

TEST(press_gate, a_browser_gets_the_page_in_its_language_with_the_contacts_and_lang_wins) {
  set_press_contacts("gate-ev2", {{"Kim Karlsson", "Pressansvarig", "press@example.org", ""}});
  set_press_event_title("gate-ev2", {{"sv", "Stockholm tillsammans"}, {"fi", "Tukholma yhdessä"}});
  auto fi = refusal_response(request_with({{"accept", "text/html"}, {"accept-language", "fi-FI,fi;q=0.9"}}),
                             press::refusal::device_limit, "gate-ev2");
  EXPECT_EQ(fi.status, 403u);
  EXPECT_EQ(fi.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(fi.body, press::refusal_page(press::refusal::device_limit, "fi", "Tukholma yhdessä",
                                         press_contacts("gate-ev2")));
  EXPECT_NE(fi.body.find("press@example.org"), std::string::npos);
  auto sv = refusal_response(request_with({{"accept", "text/html"}, {"accept-language", "fi"}}, "lang=sv"),
                             press::refusal::device_limit, "gate-ev2");
  EXPECT_NE(sv.body.find("lang=\"sv\""), std::string::npos) << sv.body;
  // A new list replaces the old one.
  set_press_contacts("gate-ev2", {});
  EXPECT_TRUE(press_contacts("gate-ev2").empty());
  EXPECT_EQ(press_event_title("gate-ev2").at("sv"), "Stockholm tillsammans");
}

}  // namespace
}  // namespace samling::api
