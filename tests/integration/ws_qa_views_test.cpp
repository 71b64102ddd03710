// Who sees what of a question (docs/protocol.md, Objects: Q's views), over the real protocol:
// an anonymous asker's name stays hidden from the audience, and from moderators unless the
// event's names_to_moderators is on (PUT …/qa-settings, organizers); the asker sees their own
// question as theirs with a rejection's reason, which nobody else in the audience gets; a hall
// question shows only the name given.
#include <gtest/gtest.h>

#include "ws_qa_support.hpp"

using namespace samling::testing;
using namespace samling::testing::qa;

namespace {

// The question `id` in a join ack's qa.questions (an empty object when absent).
json::object question_in(const reply& join, const std::string& id) {
  auto qs = field(join, "result.qa.questions");
  if (qs.is_array())
    for (auto& q : qs.as_array())
      if (q.is_object() && string_field(q.as_object(), "id") == id) return q.as_object();
  return {};
}

TEST(ws_qa_views, an_anonymous_askers_name_and_the_names_to_moderators_setting) {
  server_process server(server_options());
  auto anna = signed_in(server, "u-anna", "attendee");
  ASSERT_TRUE(anna);
  auto asked = ask(*anna, "Anonym fråga", {{"anonymous", true}});
  ASSERT_TRUE(is_ack(asked)) << str(asked);
  auto id = question_id(asked);
  // The asker's own view: the name, and mine.
  EXPECT_EQ(string_field(asked, "result.question.author.id"), "u-anna") << str(asked);
  EXPECT_EQ(field(asked, "result.question.mine"), json::value(true)) << str(asked);

  auto bo = signed_in(server, "u-bo", "attendee", {});
  auto mod = signed_in(server, "u-mod", "moderator", {});
  ASSERT_TRUE(bo && mod);
  auto audience = question_in(bo->join(ws::room("main")), id);
  ASSERT_FALSE(audience.empty());
  EXPECT_TRUE(field(audience, "author").is_null()) << str(audience);
  EXPECT_EQ(field(audience, "mine"), json::value(false)) << str(audience);
  auto staff = question_in(mod->join(ws::room("main")), id);
  ASSERT_FALSE(staff.empty());
  EXPECT_TRUE(field(staff, "author").is_null()) << "names_to_moderators is off: " << str(staff);

  // An organizer turns names_to_moderators on: moderators see the name, the audience still not.
  auto org = ws::token("u-org", "Olga", "organizer");
  auto put = http_request(server.port(), "PUT", "/api/v1/events/" + ws::event_id + "/qa-settings",
                          R"({"names_to_moderators":true})", {{"Authorization", "Bearer " + org}});
  ASSERT_EQ(put.status, 200) << put.body;
  auto mod2 = signed_in(server, "u-mod2", "moderator", {});
  auto cy = signed_in(server, "u-cy", "attendee", {});
  ASSERT_TRUE(mod2 && cy);
  auto named = question_in(mod2->join(ws::room("main")), id);
  EXPECT_EQ(string_field(named, "author.id"), "u-anna") << str(named);
  EXPECT_TRUE(field(question_in(cy->join(ws::room("main")), id), "author").is_null());
}

TEST(ws_qa_views, a_rejections_reason_is_the_askers_and_a_hall_question_shows_its_name_only) {
  server_process server(server_options());
  auto anna = signed_in(server, "u-anna", "attendee");
  auto bo = signed_in(server, "u-bo", "attendee");
  auto mod = signed_in(server, "u-mod", "moderator");
  ASSERT_TRUE(anna && bo && mod);
  auto id = question_id(ask(*anna, "Något helt annat"));
  ASSERT_FALSE(id.empty());
  anna->take_events();
  bo->take_events();
  ASSERT_TRUE(is_ack(act(*mod, id, "reject", {{"reason", "Utanför ämnet"}})));
  // The asker hears why; the audience hears the question's new status without the reason.
  auto own = anna->next_event("question");
  ASSERT_TRUE(own);
  EXPECT_EQ(string_field(own, "question.status"), "rejected") << str(own);
  EXPECT_EQ(string_field(own, "question.reason"), "Utanför ämnet") << str(own);
  auto theirs = bo->next_event("question");
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(field(theirs, "question.reason").is_null()) << str(theirs);

  auto hall = ask(*mod, "Hur går det med bussarna?", {{"hall", true}, {"name", "Karin från salen"}});
  ASSERT_TRUE(is_ack(hall)) << str(hall);
  EXPECT_EQ(string_field(hall, "result.question.source"), "hall") << str(hall);
  EXPECT_EQ(string_field(hall, "result.question.status"), "approved") << str(hall);
  auto seen = bo->next_event_if([&](const json::object& e) {
    return string_field(e, "type") == "question" && string_field(e, "question.id") == question_id(hall);
  });
  ASSERT_TRUE(seen);
  EXPECT_EQ(string_field(*seen, "question.author.name"), "Karin från salen") << str(*seen);
  EXPECT_TRUE(field(*seen, "question.author.id").is_null()) << str(*seen);
  // An attendee may not enter hall questions.
  EXPECT_EQ(outcome(ask(*bo, "Från salen?", {{"hall", true}})), "forbidden");
}

}  // namespace
