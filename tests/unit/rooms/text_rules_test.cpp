#include "rooms/text_rules.hpp"

#include <gtest/gtest.h>

using samling::core::errc;
using namespace samling::rooms;

TEST(text_rules, trims_and_accepts_ordinary_text) {
  std::string t = "  Hej på er!\n";
  EXPECT_EQ(check_text(t, 1000), errc::ok);
  EXPECT_EQ(t, "Hej på er!");
}

TEST(text_rules, counts_code_points_not_bytes) {
  std::string fi(1000, 'x');
  fi.replace(0, 1, "ä");  // 2 bytes, 1 code point: still 1000 characters
  EXPECT_EQ(check_text(fi, 1000), errc::ok);
  std::string over = std::string(1000, 'x') + "ö";
  EXPECT_EQ(check_text(over, 1000), errc::text_too_long);
  EXPECT_EQ(code_points("Hyvää päivää 🎤"), 14u);
}

TEST(text_rules, rejects_empty_and_control_characters_but_keeps_newline_and_tab) {
  std::string blank = " \n\t ";
  EXPECT_EQ(check_text(blank, 1000), errc::text_empty);
  std::string bell = "ding\x07";
  EXPECT_EQ(check_text(bell, 1000), errc::text_invalid);
  std::string c1 = "x\xC2\x85y";  // U+0085, a C1 control
  EXPECT_EQ(check_text(c1, 1000), errc::text_invalid);
  std::string lines = "rad ett\nrad\ttvå";
  EXPECT_EQ(check_text(lines, 1000), errc::ok);
}

TEST(text_rules, names) {
  std::string ok = "  Anna Svensson ";
  EXPECT_EQ(check_name(ok), errc::ok);
  EXPECT_EQ(ok, "Anna Svensson");
  std::string empty = "   ";
  EXPECT_EQ(check_name(empty), errc::name_invalid);
  std::string long_name(61, 'a');
  EXPECT_EQ(check_name(long_name), errc::name_invalid);
  std::string newline = "An\nna";
  EXPECT_EQ(check_name(newline), errc::name_invalid);
}

TEST(text_rules, unicode_blanks_are_trimmed_and_a_text_of_only_blanks_is_empty) {
  // No-break space, ideographic space, line separator, zero-width space, BOM: a reader sees
  // nothing, so nothing is what was posted.
  for (std::string blank : {"\xC2\xA0", "\xE3\x80\x80", "\xE2\x80\xA8", "\xE2\x80\x8B", "\xEF\xBB\xBF",
                            " \xC2\xA0\t\xE3\x80\x80\n"}) {
    std::string t = blank;
    EXPECT_EQ(check_text(t, 1000), errc::text_empty) << "bytes: " << blank.size();
    std::string n = blank;
    EXPECT_EQ(check_name(n), errc::name_invalid);
  }
  std::string framed = "\xC2\xA0" "Hej\xC2\xA0" "då\xE3\x80\x80";
  EXPECT_EQ(check_text(framed, 1000), errc::ok);
  EXPECT_EQ(framed, "Hej\xC2\xA0" "då") << "inside the text nothing changes";
  std::string name = "\xE2\x80\x8B" "Anna\xEF\xBB\xBF";
  EXPECT_EQ(check_name(name), errc::ok);
  EXPECT_EQ(name, "Anna");
}

// docs/protocol.md, hello: guest names are compared by name_key().
TEST(text_rules, name_key_trims_collapses_blanks_and_lower_cases) {
  EXPECT_EQ(name_key("  anna   SVENSSON "), "anna svensson");
  EXPECT_EQ(name_key("Anna Svensson"), "anna svensson");
  EXPECT_EQ(name_key("Anna\t\u00a0 Svensson\u3000"), "anna svensson");  // tab, no-break, ideographic space
  // Swedish and Finnish letters, and those of Latin Extended-A (Sami, Czech, ...).
  EXPECT_EQ(name_key("ÅSA ÖBERG"), name_key("åsa öberg"));
  EXPECT_EQ(name_key("ÄIJÄLÄ"), "äijälä");
  EXPECT_EQ(name_key("ŠÁRKA ŽÁKOVÁ"), "šárka žáková");
  EXPECT_EQ(name_key("ĐŊŦ ČŁŇ"), "đŋŧ čłň");
  EXPECT_EQ(name_key("ŸÆØ"), "ÿæø");
  EXPECT_EQ(name_key("ΑΛΦΑ Борис"), "αλφα борис");
  // Not letters, or no case: unchanged.
  EXPECT_EQ(name_key("× ß 🎤 李"), "× ß 🎤 李");
  EXPECT_NE(name_key("Anna Svensson"), name_key("Anna Svenson"));
  EXPECT_NE(name_key("Anna Svensson"), name_key("AnnaSvensson"));
}

TEST(text_rules, staff_words_are_reserved_in_all_three_languages) {
  for (const char* name :
       {"Moderator", "moderator", "  MODERATOR ", "@Moderator", "@moderaattori", "Moderaattori", "Organizer",
        "Organiser", "Admin", "admin2", "Administrator", "Samling", "Staff", "Speaker", "Press", "Press Anna",
        "Järjestäjä", "JÄRJESTÄJÄ", "Ylläpitäjä", "Puhuja", "Lehdistö", "Arrangör", "Administratör", "Talare",
        "Moderatorn", "Moderator Anna", "Speaker: Bo", "staff-1", "@press"}) {
    EXPECT_TRUE(is_staff_name(name)) << name;
  }
}

TEST(text_rules, ordinary_names_are_not_staff) {
  for (const char* name : {"Anna Svensson", "Staffan Ek", "Pressley", "Talarico", "Adminaite", "Bertil", "Gäst",
                           "Anna the moderator", "Samlingsgruppen", "@anna", "Speakersson"}) {
    EXPECT_FALSE(is_staff_name(name)) << name;
  }
}
