#include "press/texts.hpp"

#include <gtest/gtest.h>

#include <set>

namespace samling::press {
namespace {

constexpr std::array<mail_kind, 8> all_kinds{
    mail_kind::accreditation_received, mail_kind::accreditation_info_requested, mail_kind::accreditation_approved,
    mail_kind::accreditation_rejected, mail_kind::grant_issued,                 mail_kind::grant_revoked,
    mail_kind::interview_requested,    mail_kind::interview_answered};

constexpr std::array<refusal, 9> all_refusals{refusal::missing,      refusal::tampered,     refusal::expired,
                                              refusal::not_yet_valid, refusal::revoked,      refusal::other_stage,
                                              refusal::unknown_key,  refusal::device_limit, refusal::embargoed};

bool contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

TEST(PressAcceptLanguage, QValues) {
  EXPECT_EQ(language_from_accept("en"), "en");
  EXPECT_EQ(language_from_accept("fi-FI,fi;q=0.9,en;q=0.8"), "fi");
  EXPECT_EQ(language_from_accept("de-DE,de;q=0.9,en;q=0.5,sv;q=0.7"), "sv");
  EXPECT_EQ(language_from_accept("en;q=0.5, fi;q=0.8"), "fi");
  EXPECT_EQ(language_from_accept("sv-SE"), "sv");
  EXPECT_EQ(language_from_accept("EN-gb"), "en");
  EXPECT_EQ(language_from_accept("en;q=0, fi;q=0.1"), "fi");
  EXPECT_EQ(language_from_accept("en ; q=1.0"), "en");
  EXPECT_EQ(language_from_accept("en;q=0.5,fi;q=0.5"), "en");  // equal: the first
}

TEST(PressAcceptLanguage, Fallbacks) {
  EXPECT_EQ(language_from_accept(""), "sv");
  EXPECT_EQ(language_from_accept("", "en"), "en");
  EXPECT_EQ(language_from_accept("de, fr;q=0.9", "fi"), "fi");
  EXPECT_EQ(language_from_accept("*", "en"), "en");
  EXPECT_EQ(language_from_accept("en;q=0", "fi"), "fi");
  EXPECT_EQ(language_from_accept("en;q=abc", "fi"), "fi");  // a malformed q makes it unusable
  EXPECT_EQ(language_from_accept("en;q=1.5", "fi"), "fi");
  EXPECT_EQ(language_from_accept("eng", "fi"), "fi");  // not "en"
  EXPECT_EQ(language_from_accept("e", "fi"), "fi");
  EXPECT_EQ(language_from_accept(",,;;,", "fi"), "fi");
  EXPECT_EQ(language_from_accept("en;level=1", "fi"), "en");  // other parameters do not matter
}

TEST(PressMail, KindNames) {
  EXPECT_EQ(to_string(mail_kind::accreditation_received), "press_accreditation_received");
  EXPECT_EQ(to_string(mail_kind::accreditation_info_requested), "press_accreditation_info_requested");
  EXPECT_EQ(to_string(mail_kind::accreditation_approved), "press_accreditation_approved");
  EXPECT_EQ(to_string(mail_kind::accreditation_rejected), "press_accreditation_rejected");
  EXPECT_EQ(to_string(mail_kind::grant_issued), "press_grant_issued");
  EXPECT_EQ(to_string(mail_kind::grant_revoked), "press_grant_revoked");
  EXPECT_EQ(to_string(mail_kind::interview_requested), "press_interview_requested");
  EXPECT_EQ(to_string(mail_kind::interview_answered), "press_interview_answered");
}

interview sample_interview(interview_state s) {
  interview i;
  i.id = "iv-1";
  i.journalist = "Eva <Ek>, DN";
  i.speaker = "Anna & Co";
  i.wanted = "coffee at 10:30";
  i.note = "About <housing>";
  i.state = s;
  i.proposed = "11:45, foyer";
  i.answer_note = "See you \"there\"";
  return i;
}

mail_context hostile_context(std::string lang, const interview* iv) {
  mail_context c;
  c.event_title = {{"sv", "Konferensen <b>"}, {"en", "The <b>Conference"}, {"fi", "Konferenssi <b>"}};
  c.days_text = "9 <Feb>";
  c.link = "https://example.org/#press=g1.k.a\"b<c>";
  c.contacts = {{"Pia <Press>", "Pressansvarig & co", "pia@example.org", "+46 8 123"}};
  c.to = "eva@dn.se";
  c.to_name = "Eva <Ek>";
  c.language = std::move(lang);
  c.event_id = "e1";
  c.reason = "Not <press>";
  c.question = "Which <outlet>?";
  c.valid_text = "from <8 Feb>";
  c.interview = iv;
  return c;
}

TEST(PressMail, EveryKindInEveryLanguage) {
  interview iv = sample_interview(interview_state::accepted);
  for (std::string lang : {"sv", "en", "fi"}) {
    std::set<std::string> subjects;
    for (auto k : all_kinds) {
      auto c = hostile_context(lang, &iv);
      mail::message m = build_mail(k, c);
      SCOPED_TRACE(std::string(to_string(k)) + " " + lang);
      EXPECT_EQ(m.kind, to_string(k));
      EXPECT_EQ(m.language, lang);
      EXPECT_EQ(m.to, "eva@dn.se");
      EXPECT_EQ(m.to_name, "Eva <Ek>");
      EXPECT_EQ(m.event_id, "e1");
      EXPECT_FALSE(m.subject.empty());
      EXPECT_FALSE(contains(m.subject, "\n"));
      subjects.insert(m.subject);
      // The plain text has the values as they are; the HTML only escaped.
      EXPECT_TRUE(contains(m.text, "Eva <Ek>"));
      EXPECT_FALSE(contains(m.html, "<Ek>"));
      EXPECT_FALSE(contains(m.html, "<b>"));
      EXPECT_FALSE(contains(m.html, "<Press>"));
      EXPECT_FALSE(contains(m.html, "<press>"));
      EXPECT_FALSE(contains(m.html, "<outlet>"));
      EXPECT_FALSE(contains(m.html, "<housing>"));
      EXPECT_FALSE(contains(m.html, "a\"b"));
      EXPECT_TRUE(contains(m.html, "<html lang=\"" + lang + "\""));
      // The contacts, with a mailto: link.
      EXPECT_TRUE(contains(m.text, "pia@example.org"));
      EXPECT_TRUE(contains(m.html, "href=\"mailto:pia@example.org\""));
      EXPECT_TRUE(contains(m.html, "Pia &lt;Press&gt;"));
      // The event's title in the mail's language.
      std::string title = lang == "en" ? "The <b>Conference" : lang == "fi" ? "Konferenssi <b>" : "Konferensen <b>";
      EXPECT_TRUE(contains(m.subject, title)) << m.subject;
      // Every kind carries the link it was given, as a link; but the revoked link is dead.
      if (k == mail_kind::grant_revoked) {
        EXPECT_FALSE(contains(m.text, c.link));
        EXPECT_FALSE(contains(m.html, "#press="));
        continue;
      }
      EXPECT_TRUE(contains(m.text, c.link)) << m.text;
      EXPECT_TRUE(contains(m.html, "<a href=\"https://example.org/#press=g1.k.a&quot;b&lt;c&gt;\">")) << m.html;
    }
    EXPECT_EQ(subjects.size(), all_kinds.size()) << "each kind has its own subject in " << lang;
  }
}

TEST(PressMail, KindSpecificContent) {
  auto c = hostile_context("en", nullptr);
  EXPECT_TRUE(contains(build_mail(mail_kind::accreditation_rejected, c).text, "Not <press>"));
  EXPECT_TRUE(contains(build_mail(mail_kind::accreditation_rejected, c).html, "Not &lt;press&gt;"));
  EXPECT_TRUE(contains(build_mail(mail_kind::grant_revoked, c).text, "Not <press>"));
  EXPECT_TRUE(contains(build_mail(mail_kind::accreditation_info_requested, c).text, "Which <outlet>?"));
  EXPECT_TRUE(contains(build_mail(mail_kind::accreditation_approved, c).text, "from <8 Feb>"));
  EXPECT_TRUE(contains(build_mail(mail_kind::grant_issued, c).text, "from <8 Feb>"));
  EXPECT_TRUE(contains(build_mail(mail_kind::accreditation_received, c).text, "9 <Feb>"));
  // Not every kind says everything.
  EXPECT_FALSE(contains(build_mail(mail_kind::accreditation_received, c).text, "Not <press>"));
  EXPECT_FALSE(contains(build_mail(mail_kind::accreditation_approved, c).text, "Which <outlet>?"));
}

TEST(PressMail, InterviewMails) {
  interview requested = sample_interview(interview_state::requested);
  auto c = hostile_context("sv", &requested);
  auto m = build_mail(mail_kind::interview_requested, c);
  EXPECT_TRUE(contains(m.text, "Eva <Ek>, DN"));
  EXPECT_TRUE(contains(m.text, "coffee at 10:30"));
  EXPECT_TRUE(contains(m.text, "About <housing>"));
  EXPECT_TRUE(contains(m.html, "Eva &lt;Ek&gt;, DN"));

  interview accepted = sample_interview(interview_state::accepted);
  c.interview = &accepted;
  c.language = "en";
  m = build_mail(mail_kind::interview_answered, c);
  EXPECT_TRUE(contains(m.text, "Anna & Co has accepted")) << m.text;
  EXPECT_TRUE(contains(m.html, "Anna &amp; Co"));
  EXPECT_TRUE(contains(m.text, "See you \"there\""));

  interview proposed = sample_interview(interview_state::proposed);
  c.interview = &proposed;
  m = build_mail(mail_kind::interview_answered, c);
  EXPECT_TRUE(contains(m.text, "proposes another time: 11:45, foyer")) << m.text;

  interview declined = sample_interview(interview_state::declined);
  c.interview = &declined;
  m = build_mail(mail_kind::interview_answered, c);
  EXPECT_TRUE(contains(m.text, "cannot meet you")) << m.text;
  EXPECT_FALSE(contains(m.text, "11:45"));

  // Without an interview the mail is still whole.
  c.interview = nullptr;
  EXPECT_FALSE(build_mail(mail_kind::interview_answered, c).text.empty());
  EXPECT_FALSE(build_mail(mail_kind::interview_requested, c).text.empty());
}

TEST(PressMail, UnknownLanguageIsSwedishAndNoContactsNoHeading) {
  mail_context c;
  c.event_title = {{"sv", "Konferensen"}};
  c.language = "de";
  c.to = "x@example.org";
  auto m = build_mail(mail_kind::accreditation_received, c);
  EXPECT_EQ(m.language, "sv");
  EXPECT_TRUE(contains(m.subject, "Konferensen"));
  EXPECT_FALSE(contains(m.text, "Kontakta pressansvarig"));
  EXPECT_FALSE(contains(m.html, "mailto:"));
  // The Swedish title stands in for a missing translation.
  c.language = "fi";
  EXPECT_TRUE(contains(build_mail(mail_kind::grant_issued, c).subject, "Konferensen"));
}

TEST(PressMail, MailtoIsPercentEncoded) {
  auto c = hostile_context("en", nullptr);
  c.contacts = {{"X", "", "a?cc=b@example.org", ""}};
  auto m = build_mail(mail_kind::grant_issued, c);
  EXPECT_TRUE(contains(m.html, "href=\"mailto:a%3Fcc%3Db@example.org\"")) << m.html;
}

TEST(PressRefusalText, EveryRefusalInEveryLanguage) {
  for (std::string lang : {"sv", "en", "fi"}) {
    std::set<std::string> seen;
    for (auto r : all_refusals) {
      auto t = refusal_text(r, lang);
      EXPECT_FALSE(t.empty());
      seen.insert(t);
    }
    EXPECT_EQ(seen.size(), all_refusals.size()) << lang;
  }
  EXPECT_NE(refusal_text(refusal::expired, "sv"), refusal_text(refusal::expired, "en"));
  EXPECT_NE(refusal_text(refusal::expired, "fi"), refusal_text(refusal::expired, "en"));
  EXPECT_EQ(refusal_text(refusal::expired, "xx"), refusal_text(refusal::expired, "sv"));
  EXPECT_EQ(refusal_text(refusal::revoked, "en"), "Your press link has been revoked.");
}

TEST(PressRefusalPage, WholeEscapedPage) {
  std::vector<contact> contacts{{"Pia <Press>", "Press & media", "pia@example.org", "+46 8 123 45"}};
  for (std::string lang : {"sv", "en", "fi"}) {
    for (auto r : all_refusals) {
      auto page = refusal_page(r, lang, "Konf <script>alert(1)</script>", contacts);
      SCOPED_TRACE(std::string(to_string(r)) + " " + lang);
      EXPECT_EQ(page.rfind("<!doctype html>", 0), 0u);
      EXPECT_TRUE(contains(page, "<html lang=\"" + lang + "\">"));
      EXPECT_TRUE(contains(page, "<title>"));
      EXPECT_TRUE(contains(page, "</html>"));
      EXPECT_TRUE(contains(page, "<style>"));
      EXPECT_TRUE(contains(page, mail::html_escape(refusal_text(r, lang))));
      EXPECT_TRUE(contains(page, to_string(r)));
      EXPECT_FALSE(contains(page, "<script>"));
      EXPECT_TRUE(contains(page, "Konf &lt;script&gt;"));
      EXPECT_TRUE(contains(page, "Pia &lt;Press&gt;"));
      EXPECT_TRUE(contains(page, "Press &amp; media"));
      EXPECT_TRUE(contains(page, "<a href=\"mailto:pia@example.org\">pia@example.org</a>"));
      EXPECT_TRUE(contains(page, "<a href=\"tel:+46812345\">"));
    }
  }
  auto plain = refusal_page(refusal::device_limit, "de", "", {});
  EXPECT_TRUE(contains(plain, "<html lang=\"sv\">"));
  EXPECT_FALSE(contains(plain, "mailto:"));
  EXPECT_FALSE(contains(plain, "class=\"event\""));
  // What to do differs by refusal.
  EXPECT_NE(refusal_page(refusal::expired, "en", "", {}), refusal_page(refusal::device_limit, "en", "", {}));
}

}  // namespace
}  // namespace samling::press
