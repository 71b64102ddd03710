// RFC 4180 as spreadsheets write it: quotes, "" escapes, line breaks inside fields, CRLF and
// LF, the UTF-8 BOM, `;` or `,` from the header line; and the physical line of each record.
#include "program/csv.hpp"

#include <gtest/gtest.h>

namespace samling::program::csv {
namespace {

std::vector<std::vector<std::string>> fields_of(const parse_result& r) {
  std::vector<std::vector<std::string>> out;
  for (const auto& rec : r.data.records) out.push_back(rec.fields);
  return out;
}

std::vector<std::size_t> lines_of(const parse_result& r) {
  std::vector<std::size_t> out;
  for (const auto& rec : r.data.records) out.push_back(rec.line);
  return out;
}

TEST(CsvTest, ReadsSemicolonsWithABomAndCrlf) {
  const auto r = parse("\xEF\xBB\xBF" "day;title\r\n2027-02-09;\xC3\x96ppning\r\n");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.data.delimiter, ';');
  EXPECT_EQ(fields_of(r), (std::vector<std::vector<std::string>>{
                              {"day", "title"}, {"2027-02-09", "\xC3\x96ppning"}}));
  EXPECT_EQ(lines_of(r), (std::vector<std::size_t>{1, 2}));
}

TEST(CsvTest, DetectsCommasFromTheHeaderOnly) {
  // The header has commas; a later line full of semicolons inside quotes changes nothing.
  const auto r = parse("a,b\n\"x;y;z\",2\n");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.data.delimiter, ',');
  EXPECT_EQ(fields_of(r), (std::vector<std::vector<std::string>>{{"a", "b"}, {"x;y;z", "2"}}));
  EXPECT_EQ(detect_delimiter("\"a,b\";c\n"), ';');  // the comma is inside quotes
  EXPECT_EQ(detect_delimiter("one-column\n"), ';');
}

TEST(CsvTest, QuotedFieldsKeepDelimitersQuotesAndLineBreaks) {
  const auto r = parse("a;b;c\n\"1;2\";\"say \"\"hej\"\"\";\"line one\nline two\"\nnext;x;y\n");
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(fields_of(r), (std::vector<std::vector<std::string>>{
                              {"a", "b", "c"},
                              {"1;2", "say \"hej\"", "line one\nline two"},
                              {"next", "x", "y"}}));
  // The record after the embedded line break starts on physical line 4.
  EXPECT_EQ(lines_of(r), (std::vector<std::size_t>{1, 2, 4}));
}

TEST(CsvTest, EmptyFieldsBlankLinesAndNoFinalLineBreak) {
  const auto r = parse("a;b;c\n;;\n\n\nx;;\"\"");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(fields_of(r), (std::vector<std::vector<std::string>>{
                              {"a", "b", "c"}, {"", "", ""}, {"x", "", ""}}));
  EXPECT_EQ(lines_of(r), (std::vector<std::size_t>{1, 2, 5}));
}

TEST(CsvTest, LoneCarriageReturnEndsALineToo) {
  const auto r = parse("a;b\r1;2\r");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(lines_of(r), (std::vector<std::size_t>{1, 2}));
}

TEST(CsvTest, UnterminatedQuoteNamesTheLineWhereItOpened) {
  const auto r = parse("a;b\n1;2\n3;\"never closed\nmore\nand more\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->line, 3u);
  EXPECT_NE(r.error->message.find("never closed"), std::string::npos) << r.error->message;
  EXPECT_EQ(r.data.records.size(), 2u);  // the records before it
}

TEST(CsvTest, CharacterAfterAClosingQuoteAndABareQuoteAreErrors) {
  auto r = parse("a;b\n\"x\"y;2\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->line, 2u);
  r = parse("a;b\n1;2\nab\"c;3\n");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->line, 3u);
}

TEST(CsvTest, WriteQuotesWhatNeedsItAndReadsBackTheSame) {
  const std::vector<std::vector<std::string>> rows = {
      {"day", "title", "note"},
      {"2027-02-09", "A; B", "say \"hej\""},
      {"", " padded ", "two\r\nlines"},
      {"\xC3\xA5\xC3\xA4\xC3\xB6", "plain", ""}};
  const std::string text = write(rows, ';', true);
  EXPECT_EQ(text.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(text.find("\"A; B\""), std::string::npos);
  EXPECT_NE(text.find("\"say \"\"hej\"\"\""), std::string::npos);
  EXPECT_NE(text.find("\r\n"), std::string::npos);
  const auto r = parse(text);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(fields_of(r), rows);
  // With commas too.
  const auto c = parse(write(rows, ',', false));
  ASSERT_FALSE(c.error);
  EXPECT_EQ(c.data.delimiter, ',');
  EXPECT_EQ(fields_of(c), rows);
}

TEST(CsvTest, ARowOfOneEmptyFieldSurvivesTheRoundTrip) {
  const std::vector<std::vector<std::string>> rows = {{"a"}, {""}, {"b"}};
  const auto r = parse(write(rows));
  ASSERT_FALSE(r.error);
  EXPECT_EQ(fields_of(r), rows);
}

}  // namespace
}  // namespace samling::program::csv
