#include "moderation/words.hpp"

#include <gtest/gtest.h>

namespace samling::moderation {
namespace {

using words = std::vector<std::string>;

TEST(WordsTest, SplitsAtEverythingThatIsNotALetterOrDigitAndFoldsCase) {
  EXPECT_EQ(split_words("  Hej, ÅSA-Lena! «Öl» för 2 kr…"),
            (words{"hej", "åsa", "lena", "öl", "för", "2", "kr"}));
  EXPECT_EQ(split_words("don't"), (words{"don", "t"}));
  EXPECT_EQ(split_words("idiot😀idiot"), (words{"idiot", "idiot"}));
  EXPECT_EQ(split_words("a_b\ttab\nline"), (words{"a", "b", "tab", "line"}));
  EXPECT_EQ(split_words("ÉCOLE Ÿ"), (words{"école", "ÿ"}));
  EXPECT_TRUE(split_words("!!! … —").empty());
  EXPECT_TRUE(split_words("").empty());
}

// Texts are valid UTF-8 (the JSON parser's guarantee); bytes that are not still split words
// and never reach the case folding half a character (found with random bytes under ASan).
TEST(WordsTest, BytesThatAreNotUtf8SeparateWords) {
  EXPECT_EQ(split_words("ab\xC3"), (words{"ab"}));
  EXPECT_EQ(split_words("\xFFidiot\x80"), (words{"idiot"}));
  EXPECT_EQ(split_words("a\xE2\x82" "b"), (words{"a", "b"}));
  EXPECT_EQ(split_words("\xF0\x9F"), (words{}));
  EXPECT_TRUE(word_list({"idiot"}).matches("\xC3idiot\xC3"));
}

TEST(WordsTest, MatchesWholeWordsWhateverTheCase) {
  word_list list({"idiot"});
  EXPECT_TRUE(list.matches("Idiot"));
  EXPECT_TRUE(list.matches("IDIOT!"));
  EXPECT_TRUE(list.matches("du är en idiot."));
  EXPECT_TRUE(list.matches("«idiot»"));
  EXPECT_FALSE(list.matches("idiotisk"));
  EXPECT_FALSE(list.matches("idiot2"));
  EXPECT_FALSE(list.matches("superidiot"));
  EXPECT_FALSE(list.matches("i d i o t"));
  EXPECT_FALSE(list.matches(""));
}

// å, ä and ö fold with their capitals; they are letters of their own, not a, a and o.
TEST(WordsTest, SwedishAndFinnishLettersFoldByCaseOnly) {
  word_list list({"Åsna", "hölmö"});
  EXPECT_TRUE(list.matches("din ÅSNA"));
  EXPECT_TRUE(list.matches("åsna"));
  EXPECT_TRUE(list.matches("HÖLMÖ!"));
  EXPECT_FALSE(list.matches("asna"));
  EXPECT_FALSE(list.matches("holmo"));
  EXPECT_FALSE(list.matches("åsnan"));
}

TEST(WordsTest, AnEntryOfSeveralWordsMatchesThemInARow) {
  word_list list({"dum i  huvudet"});
  EXPECT_TRUE(list.matches("Du är DUM I HUVUDET!"));
  EXPECT_TRUE(list.matches("dum, i huvudet"));  // punctuation between is still in a row
  EXPECT_FALSE(list.matches("dum i huvud"));
  EXPECT_FALSE(list.matches("dum och i huvudet"));
  EXPECT_FALSE(list.matches("dum"));
}

TEST(WordsTest, AnEmptyListMatchesNothing) {
  word_list list({});
  EXPECT_TRUE(list.empty());
  EXPECT_FALSE(list.matches("idiot"));
}

TEST(WordsTest, NormalizeTrimsAndDropsRepeatsByTheirFoldedForm) {
  words list{"  Idiot ", "idiot", "IDIOT", "Åsna", "åsna!", "dum i huvudet", "Dum  I Huvudet"};
  EXPECT_EQ(normalize_words(list), "");
  EXPECT_EQ(list, (words{"Idiot", "Åsna", "dum i huvudet"}));
  words empty;
  EXPECT_EQ(normalize_words(empty), "");
  EXPECT_TRUE(empty.empty());
}

TEST(WordsTest, NormalizeRefusesWhatCannotBeAWord) {
  words blank{"ok", "   "};
  EXPECT_NE(normalize_words(blank), "");
  words symbols{"!!!"};
  EXPECT_NE(normalize_words(symbols), "");
  words control{"a\x01b"};
  EXPECT_NE(normalize_words(control), "");
  words long_word{std::string(65, 'a')};
  EXPECT_NE(normalize_words(long_word), "");
  words longest{std::string(64, 'a'), "ä" + std::string(63, 'b')};  // code points, not bytes
  EXPECT_EQ(normalize_words(longest), "");
  words too_many;
  for (int i = 0; i < 501; ++i) too_many.push_back("w" + std::to_string(i));
  EXPECT_NE(normalize_words(too_many), "");
  too_many.pop_back();
  EXPECT_EQ(normalize_words(too_many), "");
  EXPECT_EQ(too_many.size(), 500u);
}

}  // namespace
}  // namespace samling::moderation
