#include "media/recording_plan.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace samling::media;

namespace {

constexpr std::int64_t t0 = 1'795'251'600'000;  // 2026-11-21T09:00:00.000Z
constexpr std::int64_t minute = 60'000;
constexpr std::int64_t hour = 60 * minute;
constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

}  // namespace

// ---- slugify --------------------------------------------------------------------------------

TEST(slugify, swedish_and_finnish_letters) {
  EXPECT_EQ(slugify("Öppning: Så når vi målen"), "oppning-sa-nar-vi-malen");
  EXPECT_EQ(slugify("Yhteistyö ja äänestys"), "yhteistyo-ja-aanestys");
  EXPECT_EQ(slugify("ÅLAND ÄR ÖAR"), "aland-ar-oar");
  EXPECT_EQ(slugify("Ærø, Øresund"), "aero-oresund");
}

TEST(slugify, other_latin_letters) {
  EXPECT_EQ(slugify("Café Über Straße"), "cafe-uber-strasse");
  EXPECT_EQ(slugify("Œuvre à Łódź, Dvořák"), "oeuvre-a-lodz-dvorak");
  EXPECT_EQ(slugify("Čáhci, Đ ŋ ŧ ž"), "cahci-d-n-t-z");            // Northern Sámi
  EXPECT_EQ(slugify("Ǩǩ Ǯǯ Ǧǧ"), "kk-zz-gg");                         // Skolt Sámi
  EXPECT_EQ(slugify("Şţ Șț Þór"), "st-st-thor");
  EXPECT_EQ(slugify("a\xCC\x88r"), "ar") << "decomposed (NFD) ä: the combining mark drops";
}

TEST(slugify, punctuation_slashes_and_quotes_become_single_dashes) {
  EXPECT_EQ(slugify("Q&A / \"Frågor\" – svar…"), "q-a-fragor-svar");
  EXPECT_EQ(slugify("  --Panel:   AI/ML\t2026!! "), "panel-ai-ml-2026");
  EXPECT_EQ(slugify("«Citat» ”så” 50 %"), "citat-sa-50");
  EXPECT_EQ(slugify("a\xC2\xA0" "b"), "a-b") << "no-break space";
  EXPECT_EQ(slugify("Don't stop, we’re live"), "dont-stop-were-live") << "apostrophes join";
}

TEST(slugify, emoji_and_other_scripts_are_dropped) {
  EXPECT_EQ(slugify("🎉 Avslutning 🎉"), "avslutning");
  EXPECT_EQ(slugify("Kaffe☕paus"), "kaffepaus");
  EXPECT_EQ(slugify("Talk 東京 2"), "talk-2");
  EXPECT_EQ(slugify("👩‍💻"), "session");
  EXPECT_EQ(slugify("Kod👩‍💻del"), "koddel") << "the joiner inside an emoji is not a space";
}

TEST(slugify, never_empty_and_never_a_leading_dot) {
  EXPECT_EQ(slugify(""), "session");
  EXPECT_EQ(slugify("   "), "session");
  EXPECT_EQ(slugify("..."), "session");
  EXPECT_EQ(slugify(".hidden"), "hidden");
  EXPECT_EQ(slugify("../../etc/passwd"), "etc-passwd");
  EXPECT_EQ(slugify("anything", 0), "session");
}

TEST(slugify, invalid_utf8_is_dropped) {
  EXPECT_EQ(slugify("a\xFF" "b"), "ab");
  EXPECT_EQ(slugify("a\xC3"), "a") << "truncated sequence";
  EXPECT_EQ(slugify("a\xC0\xAF" "b"), "ab") << "overlong '/'";
  EXPECT_EQ(slugify("a\xED\xA0\x80" "b"), "ab") << "surrogate";
}

TEST(slugify, truncates_on_a_word_boundary_without_a_trailing_dash) {
  EXPECT_EQ(slugify("aaaa bbbb cccc", 14), "aaaa-bbbb-cccc");
  EXPECT_EQ(slugify("aaaa bbbb cccc", 13), "aaaa-bbbb");  // would cut "cccc"
  EXPECT_EQ(slugify("aaaa bbbb cccc", 10), "aaaa-bbbb");  // would end with '-'
  EXPECT_EQ(slugify("aaaa bbbb cccc", 9), "aaaa-bbbb");
  EXPECT_EQ(slugify(std::string(100, 'x'), 60), std::string(60, 'x')) << "one long word";
  EXPECT_EQ(slugify("Straße", 5), "stras") << "transliteration counts in ASCII length";

  std::string long_title;
  for (int i = 0; i < 20; ++i) long_title += "Öppning och ";
  auto slug = slugify(long_title);
  EXPECT_LE(slug.size(), 60u);
  EXPECT_NE(slug.back(), '-');
  EXPECT_TRUE(slug.ends_with("-och") || slug.ends_with("-oppning")) << slug;
}

// ---- recording_file_name --------------------------------------------------------------------

TEST(recording_file_name, utc_start_index_and_slug) {
  EXPECT_EQ(recording_file_name(t0, 1, "Öppning av konferensen"),
            "2026-11-21T09-00-00Z_01-oppning-av-konferensen.ts");
  EXPECT_EQ(recording_file_name(t0 + 45 * minute + 7'999, 2, "Yhteistyö ja äänestys"),
            "2026-11-21T09-45-07Z_02-yhteistyo-ja-aanestys.ts");
}

TEST(recording_file_name, without_a_session) {
  EXPECT_EQ(recording_file_name(t0, 1, ""), "2026-11-21T09-00-00Z_01.ts");
  EXPECT_EQ(recording_file_name(t0, 12, ""), "2026-11-21T09-00-00Z_12.ts");
  EXPECT_EQ(recording_file_name(t0, 123, ""), "2026-11-21T09-00-00Z_123.ts");
}

TEST(recording_file_name, titles_without_letters_still_name_a_session) {
  EXPECT_EQ(recording_file_name(t0, 3, "🎤🎶"), "2026-11-21T09-00-00Z_03-session.ts");
}

TEST(recording_file_name, is_always_safe_to_serve) {
  const char* titles[] = {"", "../../etc/passwd", ".env", "a/b\\c", "\"Quoted\" 'title'",
                          "🎉", "Öppning: Så når vi målen", "x\r\ny"};
  for (auto* title : titles) {
    auto name = recording_file_name(t0, 1, title);
    EXPECT_TRUE(is_safe_file_name(name)) << name;
  }
  EXPECT_TRUE(is_safe_file_name(recording_file_name(t0, 99, std::string(1000, 'a'))));
}

// ---- session_at / next_boundary_after -------------------------------------------------------

namespace {

// Unsorted on purpose, with an overlap: a keynote block 10–12 with a short talk 10:30–11.
std::vector<session_slot> day_schedule() {
  return {
      {t0 + 1 * hour, t0 + 3 * hour, "Keynote-block"},
      {t0, t0 + 45 * minute, "Öppning"},
      {t0 + 90 * minute, t0 + 2 * hour, "Kort föredrag"},
      {t0 + 4 * hour, t0 + 4 * hour, "Empty slot"},
  };
}

}  // namespace

TEST(session_at, finds_the_running_session_in_an_unsorted_schedule) {
  auto schedule = day_schedule();
  ASSERT_NE(session_at(schedule, t0), nullptr);
  EXPECT_EQ(session_at(schedule, t0)->title, "Öppning");                 // start is inclusive
  EXPECT_EQ(session_at(schedule, t0 + 44 * minute)->title, "Öppning");
  EXPECT_EQ(session_at(schedule, t0 + 45 * minute), nullptr);            // end is exclusive
  EXPECT_EQ(session_at(schedule, t0 - 1), nullptr);
  EXPECT_EQ(session_at(schedule, t0 + 4 * hour), nullptr) << "empty slots never run";
  EXPECT_EQ(session_at(schedule, t0 + 3 * hour), nullptr);
}

TEST(session_at, overlapping_sessions_the_one_that_started_last_wins) {
  auto schedule = day_schedule();
  EXPECT_EQ(session_at(schedule, t0 + 80 * minute)->title, "Keynote-block");
  EXPECT_EQ(session_at(schedule, t0 + 90 * minute)->title, "Kort föredrag");
  EXPECT_EQ(session_at(schedule, t0 + 119 * minute)->title, "Kort föredrag");
  EXPECT_EQ(session_at(schedule, t0 + 2 * hour)->title, "Keynote-block");

  std::vector<session_slot> tie = {{t0, t0 + hour, "first"}, {t0, t0 + 2 * hour, "second"}};
  EXPECT_EQ(session_at(tie, t0)->title, "first");
}

TEST(session_at, returns_a_pointer_into_the_schedule) {
  auto schedule = day_schedule();
  EXPECT_EQ(session_at(schedule, t0 + 10 * minute), &schedule[1]);
}

TEST(session_at, empty_schedule) {
  EXPECT_EQ(session_at({}, t0), nullptr);
}

TEST(next_boundary_after, first_start_or_end_strictly_after) {
  auto schedule = day_schedule();
  EXPECT_EQ(next_boundary_after(schedule, t0 - hour), t0);
  EXPECT_EQ(next_boundary_after(schedule, t0), t0 + 45 * minute);  // strictly after
  EXPECT_EQ(next_boundary_after(schedule, t0 + 45 * minute), t0 + hour);
  EXPECT_EQ(next_boundary_after(schedule, t0 + hour), t0 + 90 * minute);
  EXPECT_EQ(next_boundary_after(schedule, t0 + 90 * minute), t0 + 2 * hour);
  EXPECT_EQ(next_boundary_after(schedule, t0 + 2 * hour), t0 + 3 * hour);
  EXPECT_EQ(next_boundary_after(schedule, t0 + 3 * hour), never) << "empty slots never split";
}

TEST(next_boundary_after, empty_schedule_has_none) {
  EXPECT_EQ(next_boundary_after({}, t0), never);
}

// ---- WebVTT chapters ------------------------------------------------------------------------

TEST(webvtt_chapters, renders_numbered_cues) {
  std::vector<chapter> chapters = {{0, 45 * minute, "Öppning: Så når vi målen"},
                                   {45 * minute, 90 * minute + 1'234, "Yhteistyö 🎉"}};
  EXPECT_EQ(render_webvtt_chapters(chapters),
            "WEBVTT\n"
            "\n"
            "1\n"
            "00:00:00.000 --> 00:45:00.000\n"
            "Öppning: Så når vi målen\n"
            "\n"
            "2\n"
            "00:45:00.000 --> 01:30:01.234\n"
            "Yhteistyö 🎉\n"
            "\n");
}

TEST(webvtt_chapters, empty_list_is_a_valid_file) {
  EXPECT_EQ(render_webvtt_chapters({}), "WEBVTT\n\n");
}

TEST(webvtt_chapters, hours_grow_beyond_two_digits) {
  auto vtt = render_webvtt_chapters({{99 * hour, 100 * hour + 1, "Long"}});
  EXPECT_NE(vtt.find("99:00:00.000 --> 100:00:00.001\n"), std::string::npos) << vtt;
}

TEST(webvtt_chapters, titles_cannot_break_the_format) {
  auto vtt = render_webvtt_chapters({{0, minute, "A --> B\n\nC\r\nD"},
                                     {minute, 2 * minute, "Q&A <b>live</b>"},
                                     {2 * minute, 3 * minute, " \n "}});
  EXPECT_EQ(vtt,
            "WEBVTT\n\n"
            "1\n00:00:00.000 --> 00:01:00.000\nA --&gt; B C D\n\n"
            "2\n00:01:00.000 --> 00:02:00.000\nQ&amp;A &lt;b&gt;live&lt;/b&gt;\n\n"
            "3\n00:02:00.000 --> 00:03:00.000\n3\n\n");
  EXPECT_EQ(vtt.find("\n\n\n"), std::string::npos);
}

TEST(webvtt_chapters, clamps_negative_times_and_skips_empty_chapters) {
  auto vtt = render_webvtt_chapters({{-5'000, minute, "Started before the recording"},
                                     {minute, minute, "Zero length"},
                                     {2 * minute, minute, "Backwards"},
                                     {minute, 2 * minute, "Next"}});
  EXPECT_EQ(vtt,
            "WEBVTT\n\n"
            "1\n00:00:00.000 --> 00:01:00.000\nStarted before the recording\n\n"
            "2\n00:01:00.000 --> 00:02:00.000\nNext\n\n");
}

// ---- is_safe_file_name ----------------------------------------------------------------------

TEST(is_safe_file_name, accepts_plain_names) {
  EXPECT_TRUE(is_safe_file_name("2026-11-21T09-00-00Z_01-oppning.ts"));
  EXPECT_TRUE(is_safe_file_name("a"));
  EXPECT_TRUE(is_safe_file_name("chapters.vtt"));
  EXPECT_TRUE(is_safe_file_name("a.b.c"));
  EXPECT_TRUE(is_safe_file_name(std::string(200, 'a')));
}

TEST(is_safe_file_name, rejects_traversal_hidden_and_odd_names) {
  EXPECT_FALSE(is_safe_file_name(""));
  EXPECT_FALSE(is_safe_file_name("."));
  EXPECT_FALSE(is_safe_file_name(".."));
  EXPECT_FALSE(is_safe_file_name(".env"));
  EXPECT_FALSE(is_safe_file_name("../secret"));
  EXPECT_FALSE(is_safe_file_name("a..b"));
  EXPECT_FALSE(is_safe_file_name("a/b"));
  EXPECT_FALSE(is_safe_file_name("a\\b"));
  EXPECT_FALSE(is_safe_file_name("a b"));
  EXPECT_FALSE(is_safe_file_name("å.ts"));
  EXPECT_FALSE(is_safe_file_name("a%2F.ts"));
  EXPECT_FALSE(is_safe_file_name(std::string("a\0b", 3)));
  EXPECT_FALSE(is_safe_file_name(std::string(201, 'a')));
}
