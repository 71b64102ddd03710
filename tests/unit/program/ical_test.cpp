// iCalendar output: folding at 75 octets without splitting UTF-8, TEXT escaping, the
// VTIMEZONE's observances from the tz database, UIDs, SEQUENCE and STATUS.
#include "program/ical.hpp"

#include <gtest/gtest.h>

namespace samling::program {
namespace {

std::vector<std::string> physical_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto end = text.find("\r\n", pos);
    EXPECT_NE(end, std::string::npos) << "every line ends with CRLF";
    if (end == std::string::npos) break;
    out.push_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

std::string unfold(const std::string& text) {
  std::string out;
  for (const auto& l : physical_lines(text)) {
    if (!l.empty() && l[0] == ' ')
      out += l.substr(1);
    else
      out += (out.empty() ? "" : "\n") + l;
  }
  return out;
}

bool valid_utf8_start(const std::string& s) {
  return s.empty() || (static_cast<unsigned char>(s[0]) & 0xC0) != 0x80;
}

TEST(IcalTest, FoldsAt75OctetsWithoutSplittingACharacter) {
  std::string line = "SUMMARY:";
  for (int i = 0; i < 60; ++i) line += "\xC3\xA5";  // å: two octets each
  const std::string folded = ical_fold(line);
  const auto lines = physical_lines(folded);
  ASSERT_GT(lines.size(), 1u);
  for (const auto& l : lines) {
    EXPECT_LE(l.size(), 75u);
    EXPECT_TRUE(valid_utf8_start(l[0] == ' ' ? l.substr(1) : l)) << "split inside a character";
  }
  EXPECT_EQ(unfold(folded), line);
  EXPECT_EQ(ical_fold("SHORT:x"), "SHORT:x\r\n");
  // Exactly 75 octets stay on one line.
  EXPECT_EQ(physical_lines(ical_fold(std::string(75, 'a'))).size(), 1u);
  EXPECT_EQ(physical_lines(ical_fold(std::string(76, 'a'))).size(), 2u);
}

TEST(IcalTest, EscapesTextValues) {
  EXPECT_EQ(ical_escape("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
}

TEST(IcalTest, VtimezoneHasTheTransitionsOfTheYear) {
  const std::string tz = vtimezone("Europe/Stockholm", 2027, 2027);
  // In force on 1 January 2027: the standard time begun on 2026-10-25 at 03:00 CEST.
  EXPECT_NE(tz.find("BEGIN:STANDARD\r\nDTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\n"
                    "TZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD"),
            std::string::npos)
      << tz;
  // Summer time from 2027-03-28 02:00 CET, back on 2027-10-31 03:00 CEST.
  EXPECT_NE(tz.find("BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\n"
                    "TZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT"),
            std::string::npos)
      << tz;
  EXPECT_NE(tz.find("DTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"),
            std::string::npos)
      << tz;
  // Helsinki is an hour further east.
  const std::string hel = vtimezone("Europe/Helsinki", 2020, 2020);
  EXPECT_NE(hel.find("DTSTART:20200329T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0300"),
            std::string::npos)
      << hel;
  // A zone without DST now: one observance, the one in force since its last change (1951).
  const std::string tokyo = vtimezone("Asia/Tokyo", 2027, 2027);
  EXPECT_NE(tokyo.find("TZOFFSETTO:+0900\r\nTZNAME:JST"), std::string::npos) << tokyo;
  EXPECT_EQ(tokyo.find("BEGIN:STANDARD"), tokyo.rfind("BEGIN:STANDARD")) << tokyo;
  EXPECT_EQ(tokyo.find("BEGIN:DAYLIGHT"), std::string::npos) << tokyo;
  EXPECT_EQ(vtimezone("Mars/Olympus", 2027, 2027), "");
}

event dst_event() {
  event e;
  e.id = "dst-2027";
  e.title = {{"sv", "Sommartid"}, {"en", "Summer time"}};
  e.venue = "L\xC3\xA4nsstyrelsen";
  e.venue_address = "Regeringsgatan 66, Stockholm";
  e.days = {"2027-03-27", "2027-03-28"};
  e.rooms = {{"main", room_kind::main_stage, {{"sv", "Stora salen"}, {"en", "Main hall"}}, 0}};
  session a;
  a.id = "before";
  a.room_id = "main";
  a.day = "2027-03-27";
  a.starts_at = "09:30";
  a.ends_at = "10:00";
  a.title = {{"sv", "F\xC3\xB6re, med; tecken"}, {"en", "Before"}};
  a.description = {{"sv", "Rad 1\nRad 2"}};
  a.speakers = {{"Karin Lindqvist", {{"sv", "landsh\xC3\xB6vding"}}}};
  session b = a;
  b.id = "after";
  b.day = "2027-03-28";
  b.title = {{"sv", "Efter"}};
  b.cancelled = true;
  b.sequence = 3;
  e.sessions = {a, b};
  return e;
}

TEST(IcalTest, EventCalendarHasTheRequiredPropertiesAndOneEventPerSession) {
  ical_options o;
  o.host = "samling.example.org";
  o.lang = "en";
  o.now_utc = 1800000000;
  const std::string text = unfold(event_calendar(dst_event(), o));
  for (const char* expected :
       {"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Samling//", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VTIMEZONE\nTZID:Europe/Stockholm",
        "UID:before.dst-2027@samling.example.org", "UID:after.dst-2027@samling.example.org",
        "DTSTART;TZID=Europe/Stockholm:20270327T093000",
        "DTEND;TZID=Europe/Stockholm:20270328T100000", "DTSTAMP:20270115T080000Z",
        "SUMMARY:Before", "SUMMARY:Efter",  // English, else Swedish
        "DESCRIPTION:Rad 1\\nRad 2\\nKarin Lindqvist\\, landsh\xC3\xB6vding",
        "LOCATION:Main hall\\, L\xC3\xA4nsstyrelsen\\, Regeringsgatan 66\\, Stockholm",
        "SEQUENCE:0", "SEQUENCE:3", "STATUS:CONFIRMED", "STATUS:CANCELLED", "END:VCALENDAR"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  std::size_t events = 0;
  for (auto at = text.find("BEGIN:VEVENT"); at != std::string::npos; at = text.find("BEGIN:VEVENT", at + 1))
    ++events;
  EXPECT_EQ(events, 2u);
  const std::string one = unfold(session_calendar(dst_event(), dst_event().sessions[1], o));
  EXPECT_EQ(one.find("UID:before."), std::string::npos);
  EXPECT_NE(one.find("UID:after.dst-2027@samling.example.org"), std::string::npos);
  EXPECT_NE(one.find("BEGIN:VTIMEZONE"), std::string::npos);
}

}  // namespace
}  // namespace samling::program
