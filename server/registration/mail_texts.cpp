#include "registration/mail_texts.hpp"

#include <vector>

namespace samling::registration {

namespace {

// A mail is a list of blocks: a paragraph, or a link with the line that introduces it. The
// plain text and the HTML part are both made from it, so they always say the same.
struct block {
  std::string text;
  std::string link;  // empty: a plain paragraph
};

struct words {
  // The attendee's words of the web app (web/src/i18n/org-*.ts): "reservlista", "avanmäla",
  // "varasija", so the e-mail and the page name things alike.
  const char* hello;           // "Hej"
  const char* hall;            // "på plats i salen"
  const char* remote;          // "på distans"
  const char* subject_registered;
  const char* subject_waitlisted;
  const char* subject_promoted;
  const char* subject_cancelled;
  const char* registered;      // "Du är anmäld till"
  const char* waitlisted;      // the event is full …
  const char* promoted;        // a seat became free …
  const char* cancelled;       // your registration is cancelled
  const char* join_intro;
  const char* manage_intro;
  const char* manage_waitlist_intro;
  const char* manage_later;    // promoted: the first mail's link still cancels
  const char* welcome;
};

constexpr words sv{
    "Hej",
    "på plats i salen",
    "på distans",
    "Du är anmäld: ",
    "Du står på reservlistan: ",
    "Du har fått en plats: ",
    "Du är avanmäld: ",
    "Du är anmäld till",
    "Evenemanget är fullt, så du står på reservlistan. Blir en plats ledig får du den automatiskt, i tur och ordning, och ett nytt mejl med din personliga länk.",
    "En plats har blivit ledig och den är nu din.",
    "Du är avanmäld. Välkommen tillbaka en annan gång!",
    "Din personliga länk till evenemangets rum (sändning, chatt och frågor):",
    "Kan du inte komma? Avanmäl dig här. Där kan du också ladda ned eller radera dina uppgifter:",
    "Vill du inte stå kvar på reservlistan? Avanmäl dig här. Där kan du också ladda ned eller radera dina uppgifter:",
    "Vill du avanmäla dig, använd länken i ditt första mejl.",
    "Välkommen!",
};

constexpr words en{
    "Hello",
    "in the hall",
    "remotely",
    "You are registered: ",
    "You are on the waiting list: ",
    "You have a seat: ",
    "Your registration is cancelled: ",
    "You are registered for",
    "The event is full, so you are on the waiting list. If a seat becomes free it is yours automatically, in order, and you will get another e-mail with your personal link.",
    "A seat has become free and it is now yours.",
    "Your registration is cancelled. We hope to see you another time!",
    "Your personal link to the event's rooms (stream, chat and questions):",
    "Cannot come? Cancel here. There you can also download or delete your data:",
    "No longer want to wait for a seat? Cancel here. There you can also download or delete your data:",
    "To cancel, use the link in your first e-mail.",
    "Welcome!",
};

constexpr words fi{
    "Hei",
    "paikan päällä salissa",
    "etänä",
    "Olet ilmoittautunut: ",
    "Olet varasijalla: ",
    "Sait paikan: ",
    "Ilmoittautumisesi on peruttu: ",
    "Olet ilmoittautunut tapahtumaan",
    "Tapahtuma on täynnä, joten olet varasijalla. Jos paikka vapautuu, saat sen automaattisesti vuorojärjestyksessä ja uuden viestin henkilökohtaisella linkilläsi.",
    "Paikka on vapautunut, ja se on nyt sinun.",
    "Ilmoittautumisesi on peruttu. Tervetuloa toisella kertaa!",
    "Henkilökohtainen linkkisi tapahtuman huoneisiin (lähetys, chat ja kysymykset):",
    "Etkö pääse paikalle? Peru ilmoittautumisesi täällä. Siellä voit myös ladata tai poistaa tietosi:",
    "Etkö halua enää olla varasijalla? Peru täällä. Siellä voit myös ladata tai poistaa tietosi:",
    "Jos haluat perua, käytä ensimmäisen viestisi linkkiä.",
    "Tervetuloa!",
};

const words& words_for(std::string_view lang) {
  if (lang == "en") return en;
  if (lang == "fi") return fi;
  return sv;
}

std::string render_text(const std::vector<block>& blocks) {
  std::string out;
  for (auto& b : blocks) {
    if (!out.empty()) out += "\n\n";
    out += b.text;
    if (!b.link.empty()) out += "\n" + b.link;
  }
  return out + "\n";
}

std::string render_html(const std::vector<block>& blocks, const std::string& lang, const std::string& title) {
  std::string out = "<!doctype html>\n<html lang=\"" + mail::html_escape(lang) + "\"><head><meta charset=\"utf-8\"><title>" +
                    mail::html_escape(title) + "</title></head><body>\n";
  for (auto& b : blocks) {
    out += "<p>" + mail::html_escape(b.text);
    if (!b.link.empty())
      out += "<br><a href=\"" + mail::html_escape(b.link) + "\">" + mail::html_escape(b.link) + "</a>";
    out += "</p>\n";
  }
  return out + "</body></html>\n";
}

}  // namespace

mail::message build_mail(notice n, const registration& r, const mail_context& c) {
  const auto& w = words_for(r.language);
  auto title = program::localized(c.event_title, r.language);
  std::string when = title + ", " + c.day + (c.city.empty() ? std::string() : ", " + c.city);

  std::vector<block> blocks;
  blocks.push_back({std::string(w.hello) + " " + r.name + "!", ""});
  mail::message m;
  switch (n) {
    case notice::registered:
      m.subject = w.subject_registered + title;
      blocks.push_back({std::string(w.registered) + " " + when + " (" + (r.attendance == mode::hall ? w.hall : w.remote) + ").", ""});
      break;
    case notice::waitlisted:
      m.subject = w.subject_waitlisted + title;
      blocks.push_back({when + ". " + w.waitlisted, ""});
      break;
    case notice::promoted:
      m.subject = w.subject_promoted + title;
      blocks.push_back({when + ". " + w.promoted, ""});
      break;
    case notice::cancelled:
      m.subject = w.subject_cancelled + title;
      blocks.push_back({when + ". " + w.cancelled, ""});
      break;
  }
  if (n != notice::cancelled && n != notice::waitlisted && !c.join_link.empty())
    blocks.push_back({w.join_intro, c.join_link});
  if (n != notice::cancelled && !c.manage_link.empty())
    blocks.push_back({n == notice::waitlisted ? w.manage_waitlist_intro : w.manage_intro, c.manage_link});
  if (n == notice::promoted && c.manage_link.empty()) blocks.push_back({w.manage_later, ""});
  if (n == notice::registered || n == notice::promoted) blocks.push_back({w.welcome, ""});

  m.to = r.email;
  m.to_name = r.name;
  m.text = render_text(blocks);
  m.html = render_html(blocks, r.language, m.subject);
  m.language = r.language;
  m.event_id = r.event_id;
  m.kind = std::string(to_string(n));
  return m;
}

}  // namespace samling::registration
