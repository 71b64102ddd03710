// The press texts in sv, en and fi. A mail is made of blocks (a paragraph, a link with the line
// that introduces it, the contacts), rendered once as plain text and once as HTML so both parts
// always say the same; every value that came from a person or the configuration is escaped in
// the HTML part.
#include "press/texts.hpp"

#include <array>
#include <cstdlib>

namespace samling::press {
namespace {

bool is_language(std::string_view l) { return l == "sv" || l == "en" || l == "fi"; }

std::string lang_or_sv(std::string_view l) { return is_language(l) ? std::string(l) : std::string("sv"); }

// --- Accept-Language ------------------------------------------------------------------------

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "0.8", "1", "1.000", "0" → thousandths; nullopt for anything RFC 9110's qvalue is not.
std::optional<int> parse_q(std::string_view v) {
  if (v.empty() || v.size() > 5) return std::nullopt;
  if (v[0] != '0' && v[0] != '1') return std::nullopt;
  int whole = v[0] - '0';
  int frac = 0;
  if (v.size() > 1) {
    if (v[1] != '.') return std::nullopt;
    int scale = 100;
    for (std::size_t i = 2; i < v.size(); ++i) {
      if (v[i] < '0' || v[i] > '9') return std::nullopt;
      frac += (v[i] - '0') * scale;
      scale /= 10;
    }
  }
  int q = whole * 1000 + frac;
  if (q > 1000) return std::nullopt;
  return q;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// --- Mail -----------------------------------------------------------------------------------

struct block {
  std::string text;
  std::string link;          // empty: a plain paragraph
  bool contacts = false;     // the contacts list goes here
};

struct words {
  const char* hello;  // "Hej"
  const char* subject_received;
  const char* subject_info_requested;
  const char* subject_approved;
  const char* subject_rejected;
  const char* subject_issued;
  const char* subject_revoked;
  const char* subject_interview_requested;
  const char* subject_interview_answered;
  const char* received;        // "We have received your request for press accreditation to"
  const char* received_next;   // what happens next
  const char* manage_intro;    // your request's page
  const char* info_requested;  // "The press officer has a question about your request to"
  const char* question;        // "The question:"
  const char* answer_intro;    // answer on your request's page
  const char* approved;        // "You are accredited to"
  const char* issued;          // "You have a personal press link to"
  const char* valid;           // "It is valid"
  const char* link_intro;      // your personal link
  const char* link_personal;   // do not share: it is personal, checked on every request, device cap
  const char* rejected;        // "Your request for press accreditation to … was not approved."
  const char* request_intro;   // "Your request:"
  const char* reason;          // "Reason:"
  const char* revoked;         // "Your press link to … no longer works."
  const char* iv_requested;    // "%s asks to meet you for an interview at"
  const char* iv_session;      // "Session:"
  const char* iv_wanted;       // "When:"
  const char* iv_about;        // "About:"
  const char* iv_answer_intro; // answer here
  const char* iv_accepted;     // "%s has accepted your interview request."
  const char* iv_proposed;     // "%s proposes another time:"
  const char* iv_proposed_next;// accept or decline on your press page
  const char* iv_declined;     // "%s cannot meet you this time."
  const char* iv_note;         // "Their note:"
  const char* iv_open_page;    // your press page
  const char* contacts_intro;  // "Questions? The press office:"
  const char* regards;         // "Best regards"
};

constexpr words sv{
    "Hej",
    "Vi har tagit emot din ansökan: ",
    "Fråga om din ackreditering: ",
    "Du är ackrediterad: ",
    "Din ackrediteringsansökan: ",
    "Din presslänk: ",
    "Din presslänk har dragits in: ",
    "Intervjuförfrågan: ",
    "Svar på din intervjuförfrågan: ",
    "Vi har tagit emot din ansökan om pressackreditering till",
    "Pressansvarig går igenom ansökan och du får besked per mejl.",
    "Här ser du din ansökan och svarar om pressansvarig har frågor:",
    "Pressansvarig har en fråga om din ansökan om ackreditering till",
    "Frågan:",
    "Svara här:",
    "Du är ackrediterad till",
    "Du har fått en personlig presslänk till",
    "Den gäller",
    "Din personliga presslänk (sändningarna, pressrummet, programmet och intervjuförfrågningar):",
    "Länken är personlig: dela den inte. Den kontrolleras vid varje anrop och fungerar på ett begränsat antal enheter samtidigt.",
    "Din ansökan om pressackreditering till",
    "Din ansökan:",
    "Skäl:",
    "Din presslänk till",
    "%s vill träffa dig för en intervju under",
    "Passet:",
    "När:",
    "Om:",
    "Svara här (acceptera, föreslå en annan tid eller tacka nej):",
    "%s har tackat ja till din intervjuförfrågan.",
    "%s föreslår en annan tid:",
    "Acceptera eller tacka nej på din pressida.",
    "%s kan tyvärr inte träffa dig den här gången.",
    "Hälsning:",
    "Din pressida:",
    "Frågor? Kontakta pressansvarig:",
    "Vänliga hälsningar",
};

constexpr words en{
    "Hello",
    "We have received your request: ",
    "A question about your accreditation: ",
    "You are accredited: ",
    "Your accreditation request: ",
    "Your press link: ",
    "Your press link has been revoked: ",
    "Interview request: ",
    "Answer to your interview request: ",
    "We have received your request for press accreditation to",
    "The press office will review it and let you know by e-mail.",
    "Here you can see your request and answer if the press office has a question:",
    "The press office has a question about your request for accreditation to",
    "The question:",
    "Answer here:",
    "You are accredited to",
    "You have a personal press link to",
    "It is valid",
    "Your personal press link (the streams, the press room, the program and interview requests):",
    "The link is personal: do not share it. It is checked on every request and works on a limited number of devices at once.",
    "Your request for press accreditation to",
    "Your request:",
    "Reason:",
    "Your press link to",
    "%s would like to meet you for an interview during",
    "Session:",
    "When:",
    "About:",
    "Answer here (accept, propose another time or decline):",
    "%s has accepted your interview request.",
    "%s proposes another time:",
    "Accept or decline on your press page.",
    "%s cannot meet you this time.",
    "Their note:",
    "Your press page:",
    "Questions? Contact the press office:",
    "Best regards",
};

constexpr words fi{
    "Hei",
    "Olemme vastaanottaneet hakemuksesi: ",
    "Kysymys akkreditoinnistasi: ",
    "Sinut on akkreditoitu: ",
    "Akkreditointihakemuksesi: ",
    "Henkilökohtainen medialinkkisi: ",
    "Medialinkkisi on peruttu: ",
    "Haastattelupyyntö: ",
    "Vastaus haastattelupyyntöösi: ",
    "Olemme vastaanottaneet media-akkreditointihakemuksesi tapahtumaan",
    "Viestintä käsittelee hakemuksen, ja saat vastauksen sähköpostitse.",
    "Täällä näet hakemuksesi ja voit vastata, jos viestinnällä on kysyttävää:",
    "Viestinnällä on kysymys akkreditointihakemuksestasi tapahtumaan",
    "Kysymys:",
    "Vastaa täällä:",
    "Sinut on akkreditoitu tapahtumaan",
    "Sinulla on henkilökohtainen medialinkki tapahtumaan",
    "Se on voimassa",
    "Henkilökohtainen medialinkkisi (lähetykset, mediahuone, ohjelma ja haastattelupyynnöt):",
    "Linkki on henkilökohtainen: älä jaa sitä. Se tarkistetaan jokaisella pyynnöllä ja toimii rajatulla määrällä laitteita kerrallaan.",
    "Media-akkreditointihakemustasi tapahtumaan",
    "Hakemuksesi:",
    "Perustelu:",
    "Medialinkkisi tapahtumaan",
    "%s haluaisi tavata sinut haastattelua varten tapahtumassa",
    "Ohjelmanumero:",
    "Milloin:",
    "Aihe:",
    "Vastaa täällä (hyväksy, ehdota toista aikaa tai kieltäydy):",
    "%s on hyväksynyt haastattelupyyntösi.",
    "%s ehdottaa toista aikaa:",
    "Hyväksy tai kieltäydy mediasivullasi.",
    "%s ei valitettavasti voi tavata sinua tällä kertaa.",
    "Viesti:",
    "Mediasivusi:",
    "Kysyttävää? Ota yhteyttä viestintään:",
    "Ystävällisin terveisin",
};

const words& words_for(std::string_view lang) {
  if (lang == "en") return en;
  if (lang == "fi") return fi;
  return sv;
}

// The sentence endings that differ by grammar: "… was not approved.", "… no longer works."
struct endings {
  const char* rejected;
  const char* revoked;
};
endings endings_for(std::string_view lang) {
  if (lang == "en") return {"was not approved.", "no longer works: it has been revoked."};
  if (lang == "fi") return {"ei hyväksytty.", "ei enää toimi: se on peruttu."};
  return {"har inte beviljats.", "fungerar inte längre: den har dragits in."};
}

// "%s" in `pattern` replaced by `value` (the patterns have at most one).
std::string fill(const char* pattern, std::string_view value) {
  std::string p(pattern);
  auto at = p.find("%s");
  if (at == std::string::npos) return p;
  return p.substr(0, at) + std::string(value) + p.substr(at + 2);
}

// A mailto: address for an href: the characters an e-mail address needs pass, anything else is
// percent-encoded (so "?" or "&" cannot add headers to the message the link opens).
std::string mailto(std::string_view email) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "mailto:";
  for (char c : email) {
    auto b = static_cast<unsigned char>(c);
    bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@' || c == '.' ||
                c == '-' || c == '_' || c == '+';
    if (safe) {
      out += c;
    } else {
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 0xf];
    }
  }
  return out;
}

// A tel: URI: the digits and a leading '+'.
std::string tel(std::string_view phone) {
  std::string out = "tel:";
  for (char c : phone)
    if ((c >= '0' && c <= '9') || (c == '+' && out.size() == 4)) out += c;
  return out;
}

std::string contact_line(const contact& c) {
  std::string line = c.name;
  if (!c.role.empty()) line += (line.empty() ? "" : ", ") + c.role;
  if (!c.email.empty()) line += (line.empty() ? "" : ", ") + c.email;
  if (!c.phone.empty()) line += (line.empty() ? "" : ", ") + c.phone;
  return line;
}

std::string contact_html(const contact& c) {
  std::string out = mail::html_escape(c.name);
  if (!c.role.empty()) out += (c.name.empty() ? "" : ", ") + mail::html_escape(c.role);
  if (!c.email.empty())
    out += "<br><a href=\"" + mail::html_escape(mailto(c.email)) + "\">" + mail::html_escape(c.email) + "</a>";
  if (!c.phone.empty()) {
    std::string t = tel(c.phone);
    out += "<br>";
    if (t.size() > 4) out += "<a href=\"" + mail::html_escape(t) + "\">" + mail::html_escape(c.phone) + "</a>";
    else out += mail::html_escape(c.phone);
  }
  return out;
}

std::string render_text(const std::vector<block>& blocks, const std::vector<contact>& contacts) {
  std::string out;
  for (const auto& b : blocks) {
    if (b.contacts && contacts.empty()) continue;
    if (!out.empty()) out += "\n\n";
    out += b.text;
    if (!b.link.empty()) out += "\n" + b.link;
    if (b.contacts)
      for (const auto& c : contacts) out += "\n" + contact_line(c);
  }
  return out + "\n";
}

std::string render_html(const std::vector<block>& blocks, const std::vector<contact>& contacts,
                        const std::string& lang, const std::string& title) {
  std::string out = "<!doctype html>\n<html lang=\"" + mail::html_escape(lang) +
                    "\"><head><meta charset=\"utf-8\"><title>" + mail::html_escape(title) + "</title></head><body>\n";
  for (const auto& b : blocks) {
    if (b.contacts && contacts.empty()) continue;
    // Line breaks in a person's text (a question, a note) stay line breaks.
    std::string text = mail::html_escape(b.text);
    for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 4))
      text.replace(at, 1, "<br>");
    out += "<p>" + text;
    if (!b.link.empty())
      out += "<br><a href=\"" + mail::html_escape(b.link) + "\">" + mail::html_escape(b.link) + "</a>";
    if (b.contacts)
      for (const auto& c : contacts) out += "<br>\n" + contact_html(c);
    out += "</p>\n";
  }
  return out + "</body></html>\n";
}

std::string with_days(const std::string& title, const std::string& days_text) {
  return days_text.empty() ? title : title + " (" + days_text + ")";
}

}  // namespace

std::string language_from_accept(std::string_view accept_language, std::string_view fallback) {
  std::string best(fallback);
  int best_q = 0;
  std::size_t pos = 0;
  while (pos <= accept_language.size()) {
    std::size_t comma = accept_language.find(',', pos);
    std::string_view item =
        accept_language.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? accept_language.size() + 1 : comma + 1;

    std::size_t semi = item.find(';');
    std::string_view range = trim(item.substr(0, semi));
    int q = 1000;
    if (semi != std::string_view::npos) {
      // Parameters: only q matters; a malformed q makes the entry unusable.
      std::string_view params = item.substr(semi + 1);
      std::optional<int> parsed;
      bool seen = false;
      while (!params.empty()) {
        std::size_t next = params.find(';');
        std::string_view p = trim(params.substr(0, next));
        params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
        if (p.size() >= 2 && lower(p[0]) == 'q' && p[1] == '=') {
          parsed = parse_q(trim(p.substr(2)));
          seen = true;
        }
      }
      if (seen) q = parsed.value_or(0);
    }
    if (q <= 0 || range.size() < 2) continue;
    // The primary subtag: "sv-FI" is Swedish, "fi-FI" Finnish.
    std::size_t dash = range.find('-');
    std::string_view primary = range.substr(0, dash);
    if (primary.size() != 2) continue;
    std::string code{lower(primary[0]), lower(primary[1])};
    if (!is_language(code)) continue;
    // Strictly greater: of equal preference the first listed wins.
    if (q > best_q) {
      best_q = q;
      best = code;
    }
  }
  return best;
}

std::string_view to_string(mail_kind k) {
  switch (k) {
    case mail_kind::accreditation_received: return "press_accreditation_received";
    case mail_kind::accreditation_info_requested: return "press_accreditation_info_requested";
    case mail_kind::accreditation_approved: return "press_accreditation_approved";
    case mail_kind::accreditation_rejected: return "press_accreditation_rejected";
    case mail_kind::grant_issued: return "press_grant_issued";
    case mail_kind::grant_revoked: return "press_grant_revoked";
    case mail_kind::interview_requested: return "press_interview_requested";
    case mail_kind::interview_answered: return "press_interview_answered";
  }
  return "press_accreditation_received";  // unreachable
}

mail::message build_mail(mail_kind k, const mail_context& c) {
  const std::string lang = lang_or_sv(c.language);
  const words& w = words_for(lang);
  const endings e = endings_for(lang);
  const std::string title = program::localized(c.event_title, lang);
  const std::string event = with_days(title, c.days_text);
  const press::interview* iv = c.interview;

  std::vector<block> blocks;
  blocks.push_back({std::string(w.hello) + (c.to_name.empty() ? std::string() : " " + c.to_name) + "!", "", false});
  mail::message m;
  switch (k) {
    case mail_kind::accreditation_received:
      m.subject = w.subject_received + title;
      blocks.push_back({std::string(w.received) + " " + event + ". " + w.received_next, "", false});
      if (!c.link.empty()) blocks.push_back({w.manage_intro, c.link, false});
      break;
    case mail_kind::accreditation_info_requested:
      m.subject = w.subject_info_requested + title;
      blocks.push_back({std::string(w.info_requested) + " " + event + ".", "", false});
      if (!c.question.empty()) blocks.push_back({std::string(w.question) + "\n" + c.question, "", false});
      if (!c.link.empty()) blocks.push_back({w.answer_intro, c.link, false});
      break;
    case mail_kind::accreditation_approved:
    case mail_kind::grant_issued:
      m.subject = (k == mail_kind::grant_issued ? w.subject_issued : w.subject_approved) + title;
      blocks.push_back({std::string(k == mail_kind::grant_issued ? w.issued : w.approved) + " " + event + "." +
                            (c.valid_text.empty() ? std::string() : " " + std::string(w.valid) + " " + c.valid_text + "."),
                        "", false});
      if (!c.link.empty()) blocks.push_back({w.link_intro, c.link, false});
      blocks.push_back({w.link_personal, "", false});
      break;
    case mail_kind::accreditation_rejected:
      m.subject = w.subject_rejected + title;
      blocks.push_back({std::string(w.rejected) + " " + event + " " + e.rejected, "", false});
      if (!c.reason.empty()) blocks.push_back({std::string(w.reason) + "\n" + c.reason, "", false});
      if (!c.link.empty()) blocks.push_back({w.request_intro, c.link, false});
      break;
    case mail_kind::grant_revoked:
      // No link: the one it had no longer opens anything.
      m.subject = w.subject_revoked + title;
      blocks.push_back({std::string(w.revoked) + " " + event + " " + e.revoked, "", false});
      if (!c.reason.empty()) blocks.push_back({std::string(w.reason) + "\n" + c.reason, "", false});
      break;
    case mail_kind::interview_requested: {
      m.subject = w.subject_interview_requested + title;
      std::string who = iv ? iv->journalist : std::string();
      blocks.push_back({fill(w.iv_requested, who.empty() ? "?" : who) + " " + event + ".", "", false});
      if (iv && !iv->wanted.empty()) blocks.push_back({std::string(w.iv_wanted) + " " + iv->wanted, "", false});
      if (iv && !iv->note.empty()) blocks.push_back({std::string(w.iv_about) + "\n" + iv->note, "", false});
      if (!c.link.empty()) blocks.push_back({w.iv_answer_intro, c.link, false});
      break;
    }
    case mail_kind::interview_answered: {
      m.subject = w.subject_interview_answered + title;
      std::string who = iv ? iv->speaker : std::string();
      if (who.empty()) who = "?";
      if (iv && iv->state == interview_state::accepted) {
        blocks.push_back({fill(w.iv_accepted, who) + (iv->wanted.empty() ? std::string() : " " + std::string(w.iv_wanted) + " " + iv->wanted),
                          "", false});
      } else if (iv && iv->state == interview_state::proposed) {
        blocks.push_back({fill(w.iv_proposed, who) + " " + iv->proposed + "\n" + w.iv_proposed_next, "", false});
      } else {
        blocks.push_back({fill(w.iv_declined, who), "", false});
      }
      if (iv && !iv->answer_note.empty()) blocks.push_back({std::string(w.iv_note) + "\n" + iv->answer_note, "", false});
      if (!c.link.empty()) blocks.push_back({w.iv_open_page, c.link, false});
      break;
    }
  }
  blocks.push_back({w.contacts_intro, "", true});
  blocks.push_back({std::string(w.regards) + "\n" + title, "", false});

  m.to = c.to;
  m.to_name = c.to_name;
  m.text = render_text(blocks, c.contacts);
  m.html = render_html(blocks, c.contacts, lang, m.subject);
  m.language = lang;
  m.event_id = c.event_id;
  m.kind = std::string(to_string(k));
  return m;
}

namespace {

struct refusal_words {
  const char* text;  // the sentence: what happened
  const char* todo;  // what to do
};

// Indexed by refusal, in the enum's order.
constexpr std::array<refusal_words, 9> refusals_sv{{
    {"Den här sändningen kräver en personlig presslänk eller inloggning.",
     "Är du ackrediterad, öppna länken i ditt mejl. Annars kan du ansöka om ackreditering eller kontakta pressansvarig."},
    {"Länken är ogiltig: den kan ha kopierats ofullständigt eller ändrats.",
     "Öppna länken direkt från ditt mejl, hela. Fungerar den ändå inte, kontakta pressansvarig."},
    {"Din presslänk har gått ut.", "Behöver du tillgång längre, kontakta pressansvarig."},
    {"Din presslänk gäller inte ännu.", "Länken börjar gälla inför evenemanget; försök igen då."},
    {"Din presslänk har dragits in.", "Tror du att det är ett misstag, kontakta pressansvarig."},
    {"Din presslänk gäller inte den här sändningen eller det här rummet.",
     "Behöver du tillgång till den, kontakta pressansvarig."},
    {"Länken är signerad med en nyckel som inte längre används.", "Be pressansvarig om en ny länk."},
    {"Din presslänk används redan på så många enheter samtidigt som den tillåter.",
     "Stäng sändningen på en annan enhet och försök igen om en minut, eller kontakta pressansvarig."},
    {"Den här sändningen är under embargo och blir offentlig senare.",
     "Försök igen när embargot har upphört. Är du ackrediterad, öppna din personliga presslänk."},
}};

constexpr std::array<refusal_words, 9> refusals_en{{
    {"This stream needs a personal press link or a sign-in.",
     "If you are accredited, open the link in your e-mail. Otherwise you can apply for accreditation or contact the press office."},
    {"This link is not valid: it may have been copied incompletely or altered.",
     "Open the link straight from your e-mail, all of it. If it still does not work, contact the press office."},
    {"Your press link has expired.", "If you need access for longer, contact the press office."},
    {"Your press link is not valid yet.", "The link starts to work shortly before the event; try again then."},
    {"Your press link has been revoked.", "If you think this is a mistake, contact the press office."},
    {"Your press link does not cover this stream or room.", "If you need access to it, contact the press office."},
    {"This link is signed with a key that is no longer in use.", "Ask the press office for a new link."},
    {"Your press link is already in use on as many devices at once as it allows.",
     "Close the stream on another device and try again in a minute, or contact the press office."},
    {"This stream is under embargo and becomes public later.",
     "Try again when the embargo has lifted. If you are accredited, open your personal press link."},
}};

constexpr std::array<refusal_words, 9> refusals_fi{{
    {"Tämä lähetys edellyttää henkilökohtaista medialinkkiä tai kirjautumista.",
     "Jos sinut on akkreditoitu, avaa sähköpostisi linkki. Muuten voit hakea akkreditointia tai ottaa yhteyttä viestintään."},
    {"Linkki ei ole kelvollinen: se on ehkä kopioitu vajaana tai sitä on muutettu.",
     "Avaa linkki suoraan sähköpostistasi kokonaisena. Jos se ei silti toimi, ota yhteyttä viestintään."},
    {"Medialinkkisi on vanhentunut.", "Jos tarvitset pääsyn pidemmäksi aikaa, ota yhteyttä viestintään."},
    {"Medialinkkisi ei ole vielä voimassa.", "Linkki alkaa toimia vähän ennen tapahtumaa; yritä silloin uudelleen."},
    {"Medialinkkisi on peruttu.", "Jos uskot tämän olevan virhe, ota yhteyttä viestintään."},
    {"Medialinkkisi ei koske tätä lähetystä tai huonetta.", "Jos tarvitset pääsyn siihen, ota yhteyttä viestintään."},
    {"Linkki on allekirjoitettu avaimella, joka ei ole enää käytössä.", "Pyydä viestinnältä uusi linkki."},
    {"Medialinkkisi on jo käytössä niin monella laitteella kuin se sallii.",
     "Sulje lähetys toisella laitteella ja yritä minuutin kuluttua uudelleen, tai ota yhteyttä viestintään."},
    {"Tämä lähetys on embargon alainen ja julkaistaan myöhemmin.",
     "Yritä uudelleen, kun embargo on päättynyt. Jos sinut on akkreditoitu, avaa henkilökohtainen medialinkkisi."},
}};

const refusal_words& refusal_words_for(refusal r, std::string_view lang) {
  auto i = static_cast<std::size_t>(r);
  if (i >= refusals_sv.size()) i = static_cast<std::size_t>(refusal::tampered);
  if (lang == "en") return refusals_en[i];
  if (lang == "fi") return refusals_fi[i];
  return refusals_sv[i];
}

struct page_words {
  const char* heading;
  const char* contacts;
  const char* code;
};
page_words page_words_for(std::string_view lang) {
  if (lang == "en") return {"No access", "Press office", "Code"};
  if (lang == "fi") return {"Ei pääsyä", "Viestintä", "Koodi"};
  return {"Ingen åtkomst", "Pressansvarig", "Kod"};
}

}  // namespace

std::string refusal_text(refusal r, std::string_view language) {
  return refusal_words_for(r, lang_or_sv(language)).text;
}

std::string refusal_page(refusal r, std::string_view language, std::string_view event_title,
                         const std::vector<contact>& contacts) {
  const std::string lang = lang_or_sv(language);
  const refusal_words& rw = refusal_words_for(r, lang);
  const page_words pw = page_words_for(lang);
  std::string title = std::string(pw.heading) + (event_title.empty() ? "" : " · " + std::string(event_title));
  std::string out;
  out.reserve(2048);
  out += "<!doctype html>\n<html lang=\"" + mail::html_escape(lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + mail::html_escape(title) + "</title>\n";
  out +=
      "<style>body{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;margin:0;background:#f4f4f5;"
      "color:#18181b;line-height:1.5}main{max-width:34rem;margin:2rem auto;padding:1.5rem;background:#fff;"
      "border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}h1{font-size:1.4rem;margin:.2rem 0 1rem}"
      ".event{color:#52525b;margin:0}h2{font-size:1.05rem;margin-top:1.5rem}ul{padding-left:1.1rem}"
      "li{margin:.4rem 0}a{color:#1d4ed8}.code{color:#71717a;font-size:.85rem;margin-top:1.5rem}</style>\n";
  out += "</head>\n<body>\n<main>\n";
  if (!event_title.empty()) out += "<p class=\"event\">" + mail::html_escape(event_title) + "</p>\n";
  out += "<h1>" + mail::html_escape(pw.heading) + "</h1>\n";
  out += "<p>" + mail::html_escape(rw.text) + "</p>\n";
  out += "<p>" + mail::html_escape(rw.todo) + "</p>\n";
  if (!contacts.empty()) {
    out += "<h2>" + mail::html_escape(pw.contacts) + "</h2>\n<ul>\n";
    for (const auto& c : contacts) out += "<li>" + contact_html(c) + "</li>\n";
    out += "</ul>\n";
  }
  out += "<p class=\"code\">" + mail::html_escape(pw.code) + ": " + mail::html_escape(to_string(r)) + "</p>\n";
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace samling::press
