// The room's CSV exports: RFC 4180 quoting with a BOM and CRLF, formulas defused, local times,
// anonymous askers hidden from moderators unless the event shows their names, one row per poll option.
#include "api/room_export.hpp"

#include <gtest/gtest.h>

namespace samling::api::room_export {
namespace {

const std::string bom = "\xEF\xBB\xBF";

TEST(room_export, cells_are_quoted_and_formulas_defused) {
  EXPECT_EQ(csv_cell("plain"), "plain");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("say \"hej\""), "\"say \"\"hej\"\"\"");
  EXPECT_EQ(csv_cell("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csv_cell("-1"), "'-1");
  EXPECT_EQ(csv({{"a", "b"}, {"c", ""}}), bom + "a,b\r\nc,\r\n");
}

TEST(room_export, times_are_the_events_wall_clock) {
  // 2027-03-26T08:30:05Z is 09:30:05 in Stockholm (CET), 10:30:05 in Helsinki (EET).
  EXPECT_EQ(local_time(1806049805000, "Europe/Stockholm"), "2027-03-26 09:30:05");
  EXPECT_EQ(local_time(1806049805000, "Europe/Helsinki"), "2027-03-26 10:30:05");
  EXPECT_EQ(local_time(0, "Europe/Stockholm"), "");
}

qa::question question(std::string id, bool anonymous) {
  qa::question q;
  q.id = std::move(id);
  q.room = "e/main";
  q.text = "Hur, när och \"varför\"?";
  q.status = qa::question_status::approved;
  q.anonymous = anonymous;
  q.author_id = "u-1";
  q.author_name = "Åsa Öberg";
  q.author_role = auth::role::press;
  q.press = true;
  q.votes = 7;
  q.created_ms = 1806049805000;
  q.updated_ms = 1806049806000;
  return q;
}

TEST(room_export, questions_hide_anonymous_askers_unless_names_go_to_moderators) {
  auto q1 = question("q-1", false), q2 = question("q-2", true);
  q2.status = qa::question_status::merged;
  q2.merged_into = "q-1";
  q1.merged_from = {"q-2", "q-3"};
  const auto hidden = questions_csv({q1, q2}, false, "Europe/Stockholm");
  EXPECT_EQ(hidden,
            bom +
                "id,status,votes,pinned,text,source,press,anonymous,author_name,author_role,created,updated,edited,"
                "merged_into,merged_from,reason\r\n"
                "q-1,approved,7,no,\"Hur, när och \"\"varför\"\"?\",online,yes,no,Åsa Öberg,press,2027-03-26 09:30:05,"
                "2027-03-26 09:30:06,no,,q-2 q-3,\r\n"
                "q-2,merged,7,no,\"Hur, när och \"\"varför\"\"?\",online,yes,yes,,,2027-03-26 09:30:05,"
                "2027-03-26 09:30:06,no,q-1,,\r\n");
  const auto shown = questions_csv({q2}, true, "Europe/Stockholm");
  EXPECT_NE(shown.find(",yes,yes,Åsa Öberg,press,"), std::string::npos) << shown;
}

TEST(room_export, chat_rows_in_order_with_roles) {
  rooms::chat_message m{.room = "e/main", .seq = 42, .ts_ms = 1806049805000,
                        .user = {.id = "g-1", .name = "Gäst", .role = auth::role::guest},
                        .text = "=1+1", .client_msg_id = "c1"};
  EXPECT_EQ(chat_csv({m}, "Europe/Stockholm"),
            bom + "seq,time,user_id,user_name,user_role,text\r\n42,2027-03-26 09:30:05,g-1,Gäst,guest,'=1+1\r\n");
}

TEST(room_export, polls_give_one_row_per_option) {
  qa::poll p;
  p.id = "p-1";
  p.text = "Kaffe eller te?";
  p.kind = qa::poll_kind::single;
  p.options = {"Kaffe", "Te"};
  p.counts = {3, 1};
  p.voters = 4;
  p.state = qa::poll_state::closed;
  p.results = qa::poll_results::revealed;
  p.created_ms = 1806049805000;
  EXPECT_EQ(polls_csv({p}, "Europe/Stockholm"),
            bom + "poll_id,poll,kind,state,results,option,option_text,votes,voters,created\r\n"
                  "p-1,Kaffe eller te?,single,closed,revealed,0,Kaffe,3,4,2027-03-26 09:30:05\r\n"
                  "p-1,Kaffe eller te?,single,closed,revealed,1,Te,1,4,2027-03-26 09:30:05\r\n");
}

}  // namespace
}  // namespace samling::api::room_export
