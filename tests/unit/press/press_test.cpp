#include "press/press.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace samling::press {
namespace {

const std::vector<std::string> event_days = {"2027-02-09", "2027-02-10"};

request_fields valid_fields() {
  request_fields f;
  f.name = "Eva Ek";
  f.outlet = "Dagens Nyheter";
  f.email = "eva@dn.se";
  f.days = std::vector<std::string>{"2027-02-09"};
  return f;
}

std::vector<std::string> fields_of(const checked_request& c) {
  std::vector<std::string> out;
  for (const auto& p : c.problems) out.push_back(p.field);
  return out;
}

bool has_problem(const checked_request& c, std::string_view field) {
  for (const auto& p : c.problems)
    if (p.field == field) return true;
  return false;
}

TEST(PressCheckRequest, ValidMinimal) {
  auto c = check_request(valid_fields(), event_days);
  EXPECT_TRUE(c.problems.empty()) << testing::PrintToString(fields_of(c));
  EXPECT_EQ(c.value.name, "Eva Ek");
  EXPECT_EQ(c.value.outlet, "Dagens Nyheter");
  EXPECT_EQ(c.value.email, "eva@dn.se");
  EXPECT_EQ(c.value.days, std::vector<std::string>{"2027-02-09"});
  EXPECT_EQ(c.value.language, "sv");  // the default
  EXPECT_EQ(c.value.attendance, attendance::remote);
  EXPECT_EQ(c.value.phone, "");
  EXPECT_EQ(c.value.state, accreditation_state::pending);
}

TEST(PressCheckRequest, NormalizesAndTrims) {
  auto f = valid_fields();
  f.name = "  Eva Ek \t";
  f.outlet = " DN ";
  f.email = "  Eva.Ek@DN.SE ";
  f.phone = " +46 (0)8-123 45 ";
  f.press_card = " SJF 123 ";
  f.days = std::vector<std::string>{"2027-02-10", "2027-02-09", "2027-02-10"};
  f.attendance = "hall";
  f.note = "  Line one\nLine two\r\n\tindented  ";
  f.language = "fi";
  auto c = check_request(f, event_days);
  EXPECT_TRUE(c.problems.empty()) << testing::PrintToString(fields_of(c));
  EXPECT_EQ(c.value.name, "Eva Ek");
  EXPECT_EQ(c.value.outlet, "DN");
  EXPECT_EQ(c.value.email, "eva.ek@dn.se");
  EXPECT_EQ(c.value.phone, "+46 (0)8-123 45");
  EXPECT_EQ(c.value.press_card, "SJF 123");
  // In the event's order, each once.
  EXPECT_EQ(c.value.days, event_days);
  EXPECT_EQ(c.value.attendance, attendance::hall);
  EXPECT_EQ(c.value.note, "Line one\nLine two\r\n\tindented");
  EXPECT_EQ(c.value.language, "fi");
}

TEST(PressCheckRequest, RequiredFields) {
  auto c = check_request(request_fields{}, event_days);
  for (auto field : {"name", "outlet", "email", "days"}) EXPECT_TRUE(has_problem(c, field)) << field;
  EXPECT_EQ(c.problems.size(), 4u) << testing::PrintToString(fields_of(c));
  auto f = valid_fields();
  f.name = "   ";
  f.outlet = "";
  f.days = std::vector<std::string>{};
  c = check_request(f, event_days);
  EXPECT_TRUE(has_problem(c, "name"));
  EXPECT_TRUE(has_problem(c, "outlet"));
  EXPECT_TRUE(has_problem(c, "days"));
  EXPECT_FALSE(has_problem(c, "email"));
  for (const auto& p : c.problems) EXPECT_FALSE(p.message.empty());
}

TEST(PressCheckRequest, DaysMustBeTheEvents) {
  auto f = valid_fields();
  f.days = std::vector<std::string>{"2027-02-09", "2027-02-11"};
  auto c = check_request(f, event_days);
  ASSERT_TRUE(has_problem(c, "days"));
  EXPECT_NE(c.problems[0].message.find("2027-02-11"), std::string::npos) << c.problems[0].message;
  f.days = std::vector<std::string>{"2027-2-9"};
  EXPECT_TRUE(has_problem(check_request(f, event_days), "days"));
  // A hostile value is not echoed as it is.
  f.days = std::vector<std::string>{"\x01<script>"};
  c = check_request(f, event_days);
  ASSERT_TRUE(has_problem(c, "days"));
  EXPECT_EQ(c.problems[0].message.find('\x01'), std::string::npos);
  // No event days: no day is right.
  EXPECT_TRUE(has_problem(check_request(valid_fields(), {}), "days"));
}

TEST(PressCheckRequest, Email) {
  for (const char* bad : {"eva", "eva@dn", "@dn.se", "eva@@dn.se", "eva ek@dn.se", "eva@.se", "eva@dn.se."}) {
    auto f = valid_fields();
    f.email = bad;
    EXPECT_TRUE(has_problem(check_request(f, event_days), "email")) << bad;
  }
}

TEST(PressCheckRequest, Phone) {
  auto f = valid_fields();
  f.phone = "070-123 45 67";
  EXPECT_FALSE(has_problem(check_request(f, event_days), "phone"));
  for (const char* bad : {"070 abc", "070.123", "+46#1", "070\n123"}) {
    f.phone = bad;
    EXPECT_TRUE(has_problem(check_request(f, event_days), "phone")) << bad;
  }
  f.phone = std::string(40, '1');
  EXPECT_FALSE(has_problem(check_request(f, event_days), "phone"));
  f.phone = std::string(41, '1');
  EXPECT_TRUE(has_problem(check_request(f, event_days), "phone"));
}

TEST(PressCheckRequest, LimitsCountCodePoints) {
  auto f = valid_fields();
  // 100 two-byte characters: 200 bytes, within the 100-character limit.
  std::string name;
  for (int i = 0; i < 100; ++i) name += "å";
  f.name = name;
  EXPECT_FALSE(has_problem(check_request(f, event_days), "name"));
  f.name = name + "a";
  EXPECT_TRUE(has_problem(check_request(f, event_days), "name"));
  f = valid_fields();
  f.outlet = std::string(200, 'o');
  EXPECT_FALSE(has_problem(check_request(f, event_days), "outlet"));
  f.outlet = std::string(201, 'o');
  EXPECT_TRUE(has_problem(check_request(f, event_days), "outlet"));
  f = valid_fields();
  f.press_card = std::string(40, 'c');
  EXPECT_FALSE(has_problem(check_request(f, event_days), "press_card"));
  f.press_card = std::string(41, 'c');
  EXPECT_TRUE(has_problem(check_request(f, event_days), "press_card"));
  f = valid_fields();
  f.note = std::string(2000, 'n');
  EXPECT_FALSE(has_problem(check_request(f, event_days), "note"));
  f.note = std::string(2001, 'n');
  EXPECT_TRUE(has_problem(check_request(f, event_days), "note"));
}

TEST(PressCheckRequest, Utf8AndControlCharacters) {
  auto f = valid_fields();
  f.name = "Eva\x01";
  EXPECT_TRUE(has_problem(check_request(f, event_days), "name"));
  f = valid_fields();
  f.name = "Eva\nEk";  // a name is one line
  EXPECT_TRUE(has_problem(check_request(f, event_days), "name"));
  f = valid_fields();
  f.outlet = "\xff\xfe";
  EXPECT_TRUE(has_problem(check_request(f, event_days), "outlet"));
  f = valid_fields();
  f.press_card = "12\x7f";
  EXPECT_TRUE(has_problem(check_request(f, event_days), "press_card"));
  f = valid_fields();
  f.note = "ok\nbut \x1b[31m";
  EXPECT_TRUE(has_problem(check_request(f, event_days), "note"));
  f.note = "\xc3\x28";
  EXPECT_TRUE(has_problem(check_request(f, event_days), "note"));
}

TEST(PressCheckRequest, AttendanceAndLanguage) {
  auto f = valid_fields();
  f.attendance = "remote";
  EXPECT_EQ(check_request(f, event_days).value.attendance, attendance::remote);
  f.attendance = "Hall";
  EXPECT_TRUE(has_problem(check_request(f, event_days), "attendance"));
  f = valid_fields();
  for (const char* l : {"sv", "en", "fi"}) {
    f.language = l;
    auto c = check_request(f, event_days);
    EXPECT_TRUE(c.problems.empty());
    EXPECT_EQ(c.value.language, l);
  }
  f.language = "de";
  auto c = check_request(f, event_days);
  EXPECT_TRUE(has_problem(c, "language"));
  EXPECT_EQ(c.value.language, "sv");
  f.language = "";
  c = check_request(f, event_days);
  EXPECT_FALSE(has_problem(c, "language"));
  EXPECT_EQ(c.value.language, "sv");
}

TEST(PressValidity, OneDayInWinter) {
  auto v = validity_of({"2027-02-09"}, "Europe/Stockholm", 0, 0);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->from, 1802127600);  // 2027-02-08T23:00Z: midnight in Stockholm (CET)
  EXPECT_EQ(v->until, 1802214000);  // the next midnight
}

TEST(PressValidity, SeveralDaysAnyOrderWithGrace) {
  auto v = validity_of({"2027-02-10", "2027-02-09"}, "Europe/Stockholm", 3600, 1800);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->from, 1802127600 - 3600);
  EXPECT_EQ(v->until, 1802300400 + 1800);
}

TEST(PressValidity, DaylightSavingDays) {
  // 2027-03-28: the clocks spring forward; the day is 23 hours long.
  auto spring = validity_of({"2027-03-28"}, "Europe/Stockholm", 0, 0);
  ASSERT_TRUE(spring);
  EXPECT_EQ(spring->from, 1806188400);
  EXPECT_EQ(spring->until, 1806271200);
  EXPECT_EQ(spring->until - spring->from, 23 * 3600);
  // 2027-10-31: back; 25 hours.
  auto autumn = validity_of({"2027-10-31"}, "Europe/Stockholm", 0, 0);
  ASSERT_TRUE(autumn);
  EXPECT_EQ(autumn->from, 1824933600);
  EXPECT_EQ(autumn->until, 1825023600);
  EXPECT_EQ(autumn->until - autumn->from, 25 * 3600);
}

TEST(PressValidity, OtherZone) {
  auto v = validity_of({"2027-02-09"}, "Europe/Helsinki", 0, 0);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->from, 1802127600 - 3600);
  auto utc = validity_of({"2027-02-09"}, "UTC", 0, 0);
  ASSERT_TRUE(utc);
  EXPECT_EQ(utc->from, 1802127600 + 3600);
  EXPECT_EQ(utc->until - utc->from, 86400);
}

TEST(PressValidity, BadInput) {
  EXPECT_FALSE(validity_of({}, "Europe/Stockholm", 0, 0));
  EXPECT_FALSE(validity_of({"2027-02-09"}, "Europe/Nowhere", 0, 0));
  EXPECT_FALSE(validity_of({"2027-02-09"}, "", 0, 0));
  EXPECT_FALSE(validity_of({"2027-02-30"}, "Europe/Stockholm", 0, 0));
  EXPECT_FALSE(validity_of({"2027-02-09", "tomorrow"}, "Europe/Stockholm", 0, 0));
  EXPECT_FALSE(validity_of({"20270209"}, "Europe/Stockholm", 0, 0));
}

TEST(PressInterview, AfterAnswerTable) {
  using S = interview_state;
  using A = answer;
  struct row {
    S from;
    A a;
    std::optional<S> to;
  };
  for (auto [from, a, to] : {
           row{S::requested, A::accept, S::accepted},  row{S::requested, A::propose, S::proposed},
           row{S::requested, A::decline, S::declined}, row{S::proposed, A::accept, S::accepted},
           row{S::proposed, A::propose, S::proposed},  row{S::proposed, A::decline, S::declined},
           row{S::accepted, A::accept, std::nullopt},  row{S::accepted, A::propose, std::nullopt},
           row{S::accepted, A::decline, std::nullopt}, row{S::declined, A::accept, std::nullopt},
           row{S::declined, A::propose, std::nullopt}, row{S::declined, A::decline, std::nullopt},
           row{S::cancelled, A::accept, std::nullopt}, row{S::cancelled, A::propose, std::nullopt},
           row{S::cancelled, A::decline, std::nullopt},
       }) {
    EXPECT_EQ(after_answer(from, a), to) << to_string(from) << " " << static_cast<int>(a);
  }
}

TEST(PressNames, RoundTrips) {
  for (auto s : {accreditation_state::pending, accreditation_state::info_requested, accreditation_state::approved,
                 accreditation_state::rejected, accreditation_state::revoked})
    EXPECT_EQ(accreditation_state_from_string(to_string(s)), s);
  EXPECT_EQ(to_string(accreditation_state::info_requested), "info_requested");
  EXPECT_FALSE(accreditation_state_from_string("Pending"));
  EXPECT_FALSE(accreditation_state_from_string(""));
  for (auto a : {attendance::hall, attendance::remote}) EXPECT_EQ(attendance_from_string(to_string(a)), a);
  EXPECT_EQ(to_string(attendance::hall), "hall");
  EXPECT_FALSE(attendance_from_string("both"));
  for (auto s : {interview_state::requested, interview_state::accepted, interview_state::proposed,
                 interview_state::declined, interview_state::cancelled})
    EXPECT_EQ(interview_state_from_string(to_string(s)), s);
  EXPECT_FALSE(interview_state_from_string("accept"));
  EXPECT_EQ(answer_from_string("accept"), answer::accept);
  EXPECT_EQ(answer_from_string("propose"), answer::propose);
  EXPECT_EQ(answer_from_string("decline"), answer::decline);
  EXPECT_FALSE(answer_from_string("cancel"));
  EXPECT_FALSE(answer_from_string("accepted"));
}

TEST(PressIds, Shapes) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto a = new_accreditation_id();
    auto v = new_interview_id();
    auto t = new_link_token();
    EXPECT_TRUE(std::regex_match(a, std::regex("acc-[0-9a-f]{16}"))) << a;
    EXPECT_TRUE(std::regex_match(v, std::regex("iv-[0-9a-f]{16}"))) << v;
    EXPECT_TRUE(std::regex_match(t, std::regex("[A-Za-z0-9_-]{43}"))) << t;
    seen.insert(a);
    seen.insert(v);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 150u);
}

TEST(PressIds, TokenHash) {
  EXPECT_EQ(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(token_hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_NE(token_hash("abd"), token_hash("abc"));
}

}  // namespace
}  // namespace samling::press
