// The program as CSV: export, import with every problem on its line, all or nothing, and the
// round trip (export -> import -> the same event).
#include "program/program_csv.hpp"

#include <gtest/gtest.h>

#include "program/demo.hpp"

namespace samling::program {
namespace {

event base_event() {
  event e;
  e.id = "csv-day-2027";
  e.title = {{"sv", "CSV-dagen"}};
  e.days = {"2027-02-09", "2027-02-10"};
  e.languages = {"sv", "en", "fi"};
  e.rooms = {{"main", room_kind::main_stage, {{"sv", "Stora salen"}, {"en", "Main hall"}}, 0},
             {"seminar-a", room_kind::seminar, {{"sv", "Sal A"}}, 1},
             {"press", room_kind::press, {{"sv", "Pressrum"}}, 2}};
  return e;
}

std::string header() {
  return "day;starts_at;ends_at;room;kind;track;title_sv;title_en;title_fi;description_sv;"
         "description_en;description_fi;speakers;speaker_affiliations_en;"
         "speaker_affiliations_fi;session_id;cancelled\n";
}

std::string problems_text(const std::vector<import_problem>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += "line " + std::to_string(p.line) + " [" + p.field + "] " + p.message + "\n";
  return out;
}

TEST(ProgramCsvTest, ImportsSessionsWithRoomNamesSpeakersAndGeneratedIds) {
  const std::string text =
      "\xEF\xBB\xBF"
      "Dag;B\xC3\xB6rjar;Slutar;Sal;Typ;Titel_sv;Talare;Inst\xC3\xA4lld\r\n"
      "2027-02-09;9:30;10.15;Stora salen;;\xC3\x96ppning;Karin Lindqvist (landsh\xC3\xB6vding); nej\r\n"
      "2027-02-09;10:30;12:00;Sal A;;Bos\xC3\xA4ttning;\"Anna Ek (chef \\(IT\\)); Omar Farah\";\r\n"
      "2027-02-09;12:00;13:00;main;lunch;Lunch;;ja\r\n";
  const auto r = program_from_csv(base_event(), text);
  ASSERT_TRUE(r.result) << problems_text(r.problems);
  const event& e = *r.result;
  ASSERT_EQ(e.sessions.size(), 3u);
  const session& open = e.sessions[0];
  EXPECT_EQ(open.id, "oppning");
  EXPECT_EQ(open.starts_at, "09:30");
  EXPECT_EQ(open.ends_at, "10:15");
  EXPECT_EQ(open.room_id, "main");
  EXPECT_EQ(open.kind, session_kind::plenary);  // from the room's kind
  ASSERT_EQ(open.speakers.size(), 1u);
  EXPECT_EQ(open.speakers[0].name, "Karin Lindqvist");
  EXPECT_EQ(open.speakers[0].affiliation.at("sv"), "landsh\xC3\xB6vding");
  const session& seminar = e.sessions[1];
  EXPECT_EQ(seminar.kind, session_kind::seminar);
  ASSERT_EQ(seminar.speakers.size(), 2u);
  EXPECT_EQ(seminar.speakers[0].affiliation.at("sv"), "chef (IT)");
  EXPECT_EQ(seminar.speakers[1].name, "Omar Farah");
  EXPECT_TRUE(seminar.speakers[1].affiliation.empty());
  EXPECT_EQ(e.sessions[2].kind, session_kind::lunch);
  EXPECT_TRUE(e.sessions[2].cancelled);
  EXPECT_FALSE(open.cancelled);
}

TEST(ProgramCsvTest, ReportsEveryProblemWithItsLineAndStoresNothing) {
  const std::string text =
      header() +
      "2027-02-09;10:00;11:00;main;plenary;;A;;;;;;;;;a;\n"               // line 2: fine
      "2027-02-09;10:30;11:30;main;plenary;;B;;;;;;;;;b;\n"               // 3: overlaps a
      "2027-02-11;10:00;11:00;main;plenary;;C;;;;;;;;;c;\n"               // 4: not a day
      "2027-02-09;10:00;11:00;nowhere;plenary;;D;;;;;;;;;d;\n"            // 5: unknown room
      "2027-02-09;25:00;11:00;seminar-a;seminar;;E;;;;;;;;;e;\n"          // 6: bad time
      "2027-02-09;13:00;14:00;seminar-a;seminar;;;;;;;;;;;f;\n"           // 7: no title
      "2027-02-09;15:00;16:00;seminar-a;seminar;;G;;;;;;;;;a;\n"          // 8: duplicate id
      "2027-02-09;12:00;11:00;press;press;;H;;;;;;;;;h;\n"                // 9: ends before start
      "2027-02-09;17:00;18:00;press;party;;I;;;;;;;;;i;maybe\n"           // 10: kind, cancelled
      "2027-02-30;17:00;18:00;press;press;;J;;;;;;;;;j;\n";               // 11: bad date
  const auto r = program_from_csv(base_event(), text);
  EXPECT_FALSE(r.result);
  const std::string all = problems_text(r.problems);
  auto has = [&](std::size_t line, std::string field, std::string part) {
    for (const auto& p : r.problems)
      if (p.line == line && p.field == field && p.message.find(part) != std::string::npos)
        return true;
    return false;
  };
  EXPECT_TRUE(has(3, "starts_at", "overlaps the session on line 2")) << all;
  EXPECT_TRUE(has(4, "day", "is not one of the event's days")) << all;
  EXPECT_TRUE(has(5, "room", "room \"nowhere\" does not exist")) << all;
  EXPECT_TRUE(has(6, "starts_at", "is not a time")) << all;
  EXPECT_TRUE(has(7, "title", "a title is required")) << all;
  EXPECT_TRUE(has(8, "session_id", "is used by another session")) << all;
  EXPECT_TRUE(has(9, "ends_at", "is not after starts_at")) << all;
  EXPECT_TRUE(has(10, "kind", "unknown kind \"party\"")) << all;
  EXPECT_TRUE(has(10, "cancelled", "\"maybe\"")) << all;
  EXPECT_TRUE(has(11, "day", "\"2027-02-30\"")) << all;
  // Sorted by line.
  for (std::size_t i = 1; i < r.problems.size(); ++i)
    EXPECT_LE(r.problems[i - 1].line, r.problems[i].line);
  EXPECT_FALSE(has(2, "", "")) << all;
}

TEST(ProgramCsvTest, ACancelledSessionFreesItsSlot) {
  const std::string text = header() +
                           "2027-02-09;10:00;11:00;main;plenary;;Old;;;;;;;;;old;true\n"
                           "2027-02-09;10:00;11:00;main;plenary;;New;;;;;;;;;new;false\n";
  const auto r = program_from_csv(base_event(), text);
  EXPECT_TRUE(r.result) << problems_text(r.problems);
}

TEST(ProgramCsvTest, BrokenCsvAndBadHeadersAreProblemsWithLines) {
  auto r = program_from_csv(base_event(), header() + "2027-02-09;10:00;\"unterminated\n");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 2u);
  r = program_from_csv(base_event(), "day;starts_at;ends_at;colour\n");
  EXPECT_FALSE(r.result);
  const std::string all = problems_text(r.problems);
  EXPECT_NE(all.find("line 1 [colour] unknown column"), std::string::npos) << all;
  EXPECT_NE(all.find("line 1 [room] column is required"), std::string::npos) << all;
  EXPECT_NE(all.find("title column"), std::string::npos) << all;
  r = program_from_csv(base_event(), "");
  EXPECT_FALSE(r.result);
  r = program_from_csv(base_event(), header());
  EXPECT_FALSE(r.result) << "a header alone would empty the program";
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 1u);
  r = program_from_csv(base_event(), header() + "2027-02-09;10:00;11:00;main;plenary;;A;;;;;;;;;a;;extra\n");
  ASSERT_EQ(r.problems.size(), 1u) << problems_text(r.problems);
  EXPECT_EQ(r.problems[0].line, 2u);
}

TEST(ProgramCsvTest, ExportThenImportGivesTheSameEvent) {
  // The demo day: four parallel seminars, speakers with affiliations in three languages.
  event demo = load_demo_event(std::string(SAMLING_SOURCE_DIR) +
                               "/config/demo/stockholm-tillsammans.json");
  // Awkward values: delimiters, quotes, parentheses and line breaks in the text.
  demo.sessions[0].title["sv"] = "Registrering; kaffe \"och\" (fika)";
  demo.sessions[0].description["sv"] = "Rad ett\nRad tv\xC3\xA5";
  demo.sessions[1].speakers.push_back({"Ann (Annie) Ek", {{"sv", "chef; IT"}, {"fi", "johtaja"}}});
  demo.sessions[2].cancelled = true;
  const std::string text = program_to_csv(demo);
  event emptied = demo;
  emptied.sessions.clear();
  const auto r = program_from_csv(emptied, text);
  ASSERT_TRUE(r.result) << problems_text(r.problems);
  EXPECT_EQ(*r.result, demo);
  // And a second export is byte for byte the first.
  EXPECT_EQ(program_to_csv(*r.result), text);
}

TEST(ProgramCsvTest, TheFileSetsNoSequence) {
  // The sequences are the server's (publishing sets them): an import leaves them at 0.
  event base = base_event();
  const auto first = program_from_csv(base, header() + "2027-02-09;10:00;11:00;main;plenary;;A;;;;;;;;;a;\n");
  ASSERT_TRUE(first.result);
  event bumped = *first.result;
  bumped.sessions[0].sequence = 3;
  const auto second = program_from_csv(bumped, header() + "2027-02-09;12:00;13:00;main;plenary;;A;;;;;;;;;a;\n");
  ASSERT_TRUE(second.result);
  EXPECT_EQ(second.result->sessions[0].sequence, 0);
  EXPECT_EQ(second.result->sessions[0].starts_at, "12:00");
}

TEST(ProgramCsvTest, SpeakerCellsEscapeTheirSeparators) {
  const std::vector<speaker> speakers = {{"A; B", {{"sv", "x (y)"}, {"en", "z"}}}, {"C", {}}};
  EXPECT_EQ(speakers_to_cell(speakers, "sv"), "A\\; B (x \\(y\\)); C");
  EXPECT_EQ(speakers_to_cell(speakers, "en"), "z; ");
  EXPECT_EQ(speakers_to_cell(speakers, "fi"), "");
  EXPECT_EQ(split_cell_list("a\\;b; c"), (std::vector<std::string>{"a\\;b", " c"}));
}

}  // namespace
}  // namespace samling::program
