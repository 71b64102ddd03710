#include "api/invitation_mail.hpp"

namespace samling::api {

namespace {

struct texts {
  std::string_view subject;       // "{event}"
  std::string_view greeting;      // "Hi {name},"
  std::string_view body;          // "{inviter} invites you … as {role} …"
  std::string_view action;        // the link's words
  std::string_view expiry;        // "… {expires}."
  std::string_view ignore;        // if not expected
};

std::string_view role_word(auth::role r, std::string_view lang) {
  using auth::role;
  if (lang == "sv") {
    switch (r) {
      case role::moderator: return "moderator";
      case role::press: return "journalist";
      case role::press_officer: return "pressansvarig";
      case role::speaker: return "talare";
      case role::organizer: return "arrangör";
      default: return "deltagare";
    }
  }
  if (lang == "fi") {
    switch (r) {
      case role::moderator: return "moderaattori";
      case role::press: return "toimittaja";
      case role::press_officer: return "tiedottaja";
      case role::speaker: return "puhuja";
      case role::organizer: return "järjestäjä";
      default: return "osallistuja";
    }
  }
  switch (r) {
    case role::moderator: return "moderator";
    case role::press: return "journalist";
    case role::press_officer: return "press officer";
    case role::speaker: return "speaker";
    case role::organizer: return "organizer";
    default: return "attendee";
  }
}

const texts& texts_for(std::string_view lang) {
  static const texts sv{"Inbjudan: {event}", "Hej {name},",
                        "{inviter} bjuder in dig som {role} till {event} i Samling.",
                        "Öppna länken för att välja ett lösenord och logga in:",
                        "Länken gäller en gång, till {expires}.",
                        "Om du inte väntade dig den här inbjudan kan du bortse från meddelandet."};
  static const texts en{"Invitation: {event}", "Hello {name},",
                        "{inviter} invites you to {event} in Samling as {role}.",
                        "Open the link to choose a password and sign in:",
                        "The link works once, until {expires}.",
                        "If you did not expect this invitation, you can ignore this message."};
  static const texts fi{"Kutsu: {event}", "Hei {name},",
                        "{inviter} kutsuu sinut tapahtumaan {event} Samlingissa roolissa {role}.",
                        "Avaa linkki, valitse salasana ja kirjaudu sisään:",
                        "Linkki toimii kerran, {expires} asti.",
                        "Jos et odottanut tätä kutsua, voit jättää viestin huomiotta."};
  if (lang == "en") return en;
  if (lang == "fi") return fi;
  return sv;
}

std::string fill(std::string_view pattern, std::string_view key, std::string_view value) {
  std::string out(pattern);
  for (auto pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + value.size()))
    out.replace(pos, key.size(), value);
  return out;
}

}  // namespace

mail::message invitation_mail(const auth::invitation& inv, std::string_view event_title, std::string_view inviter,
                              std::string_view link, std::string_view expires) {
  auto& t = texts_for(inv.language);
  auto role = role_word(inv.r, inv.language);
  // Every value goes through fill() as it is for the text part, and escaped for the HTML part.
  auto text_of = [&](std::string_view pattern, bool html) {
    auto esc = [html](std::string_view v) { return html ? mail::html_escape(v) : std::string(v); };
    auto s = fill(pattern, "{event}", esc(event_title));
    s = fill(s, "{name}", esc(inv.name));
    s = fill(s, "{inviter}", esc(inviter));
    s = fill(s, "{role}", esc(role));
    return fill(s, "{expires}", esc(expires));
  };
  mail::message m;
  m.to = inv.email;
  m.to_name = inv.name;
  m.subject = text_of(t.subject, false);
  m.language = inv.language;
  m.event_id = inv.event_id;
  m.kind = "invitation";
  m.text = text_of(t.greeting, false) + "\n\n" + text_of(t.body, false) + "\n\n" + text_of(t.action, false) +
           "\n" + std::string(link) + "\n\n" + text_of(t.expiry, false) + "\n\n" + text_of(t.ignore, false) +
           "\n";
  auto href = mail::html_escape(link);
  m.html = "<!DOCTYPE html><html lang=\"" + mail::html_escape(inv.language) +
           "\"><head><meta charset=\"utf-8\"><title>" + text_of(t.subject, true) + "</title></head><body><p>" +
           text_of(t.greeting, true) + "</p><p>" + text_of(t.body, true) + "</p><p>" + text_of(t.action, true) +
           "<br><a href=\"" + href + "\">" + href + "</a></p><p>" + text_of(t.expiry, true) + "</p><p>" +
           text_of(t.ignore, true) + "</p></body></html>";
  return m;
}

}  // namespace samling::api
