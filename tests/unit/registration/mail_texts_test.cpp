// The registration e-mails in sv, en and fi: subject, plain text and HTML say the same, carry
// the right links (a waitlisted attendee gets no join link), and escape what people typed.
#include "registration/mail_texts.hpp"

#include <gtest/gtest.h>

namespace reg = samling::registration;

namespace {

reg::registration someone(const std::string& lang) {
  reg::registration r;
  r.id = "r-0123456789abcdef";
  r.event_id = "stockholm-tillsammans-2027";
  r.name = "Anna <b>Svensson</b> & co";
  r.email = "anna@example.org";
  r.language = lang;
  r.attendance = reg::mode::hall;
  return r;
}

reg::mail_context context(bool join = true, bool manage = true) {
  reg::mail_context c;
  c.event_title = {{"sv", "Stockholm tillsammans 2027"}, {"en", "Stockholm Together 2027"}, {"fi", "Tukholma yhdessä 2027"}};
  c.day = "2027-02-09";
  c.city = "Stockholm";
  if (join) c.join_link = "https://konf.example.org/#event=stockholm-tillsammans-2027&join=v1.k1.abc.def";
  if (manage) c.manage_link = "https://konf.example.org/#event=stockholm-tillsammans-2027&registration=TOKEN_x-1";
  return c;
}

bool has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST(registration_mail, the_confirmation_in_three_languages) {
  struct expected {
    std::string lang, subject, title, mode;
  };
  for (auto& e : {expected{"sv", "Du är anmäld: Stockholm tillsammans 2027", "Stockholm tillsammans 2027", "på plats i salen"},
                  expected{"en", "You are registered: Stockholm Together 2027", "Stockholm Together 2027", "in the hall"},
                  expected{"fi", "Olet ilmoittautunut: Tukholma yhdessä 2027", "Tukholma yhdessä 2027", "paikan päällä salissa"}}) {
    auto m = reg::build_mail(reg::notice::registered, someone(e.lang), context());
    EXPECT_EQ(m.subject, e.subject);
    EXPECT_EQ(m.kind, "registration_confirmed");
    EXPECT_EQ(m.language, e.lang);
    EXPECT_EQ(m.to, "anna@example.org");
    EXPECT_EQ(m.event_id, "stockholm-tillsammans-2027");
    EXPECT_TRUE(has(m.text, e.title + ", 2027-02-09, Stockholm (" + e.mode + ")")) << m.text;
    EXPECT_TRUE(has(m.text, context().join_link)) << m.text;
    EXPECT_TRUE(has(m.text, context().manage_link)) << m.text;
    EXPECT_TRUE(has(m.text, "Anna <b>Svensson</b> & co")) << "plain text is not escaped";
    // HTML: the same links, escaped in the attribute and the text; the name escaped.
    EXPECT_TRUE(has(m.html, "<html lang=\"" + e.lang + "\">")) << m.html;
    EXPECT_TRUE(has(m.html, "<a href=\"https://konf.example.org/#event=stockholm-tillsammans-2027&amp;join=v1.k1.abc.def\">"))
        << m.html;
    EXPECT_TRUE(has(m.html, "Anna &lt;b&gt;Svensson&lt;/b&gt; &amp; co")) << m.html;
    EXPECT_FALSE(has(m.html, "<b>Svensson")) << m.html;
  }
}

TEST(registration_mail, the_waitlist_notice_has_no_join_link) {
  for (std::string lang : {"sv", "en", "fi"}) {
    auto m = reg::build_mail(reg::notice::waitlisted, someone(lang), context());
    EXPECT_EQ(m.kind, "registration_waitlisted");
    EXPECT_FALSE(has(m.text, "join=")) << m.text;
    EXPECT_FALSE(has(m.html, "join=")) << m.html;
    EXPECT_TRUE(has(m.text, context().manage_link)) << m.text;
  }
  EXPECT_EQ(reg::build_mail(reg::notice::waitlisted, someone("sv"), context()).subject,
            "Du står på reservlistan: Stockholm tillsammans 2027");
  EXPECT_EQ(reg::build_mail(reg::notice::waitlisted, someone("en"), context()).subject,
            "You are on the waiting list: Stockholm Together 2027");
  EXPECT_EQ(reg::build_mail(reg::notice::waitlisted, someone("fi"), context()).subject,
            "Olet varasijalla: Tukholma yhdessä 2027");
}

TEST(registration_mail, the_promotion_carries_the_join_link_and_points_to_the_first_mail) {
  auto m = reg::build_mail(reg::notice::promoted, someone("en"), context(true, false));
  EXPECT_EQ(m.kind, "registration_promoted");
  EXPECT_EQ(m.subject, "You have a seat: Stockholm Together 2027");
  EXPECT_TRUE(has(m.text, context().join_link)) << m.text;
  EXPECT_TRUE(has(m.text, "use the link in your first e-mail")) << m.text;
  EXPECT_EQ(reg::build_mail(reg::notice::promoted, someone("sv"), context(true, false)).subject,
            "Du har fått en plats: Stockholm tillsammans 2027");
  EXPECT_EQ(reg::build_mail(reg::notice::promoted, someone("fi"), context(true, false)).subject,
            "Sait paikan: Tukholma yhdessä 2027");
}

TEST(registration_mail, the_cancellation_has_no_links) {
  for (std::string lang : {"sv", "en", "fi"}) {
    auto m = reg::build_mail(reg::notice::cancelled, someone(lang), context());
    EXPECT_EQ(m.kind, "registration_cancelled");
    EXPECT_FALSE(has(m.text, "https://")) << m.text;
    EXPECT_FALSE(has(m.html, "<a ")) << m.html;
  }
  EXPECT_EQ(reg::build_mail(reg::notice::cancelled, someone("fi"), context()).subject,
            "Ilmoittautumisesi on peruttu: Tukholma yhdessä 2027");
}

TEST(registration_mail, a_remote_attendee_reads_remote) {
  auto r = someone("sv");
  r.attendance = reg::mode::remote;
  auto m = reg::build_mail(reg::notice::registered, r, context());
  EXPECT_TRUE(has(m.text, "(på distans)")) << m.text;
}
