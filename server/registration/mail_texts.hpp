#pragma once
// The e-mails registration sends, in the attendee's language (sv, en, fi), as plain text and
// HTML: the confirmation (with the personal join link and the manage link), the waitlist
// notice (manage link only: no way into the rooms before a seat), the promotion (join link),
// and the cancellation. Pure: the caller puts the message into the outbox.
#include <string>

#include "mail/outbox.hpp"
#include "program/model.hpp"
#include "registration/registration.hpp"

namespace samling::registration {

struct mail_context {
  program::localized_text event_title;
  std::string day;           // the event's first day, YYYY-MM-DD
  std::string city;
  std::string join_link;     // <public_url>/#event=E&join=TOKEN; empty: none in this mail
  std::string manage_link;   // <public_url>/#event=E&registration=TOKEN; empty: none in this mail
};

mail::message build_mail(notice n, const registration& r, const mail_context& c);

}  // namespace samling::registration
