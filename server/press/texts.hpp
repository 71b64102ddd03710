#pragma once
// What press people read (issue 18), in sv, en and fi: the e-mails of the accreditation and
// interview workflow, and the page a browser gets when a press link does not open a stream.
// Pure: the caller puts the message into the outbox or sends the page.
#include <string>
#include <string_view>
#include <vector>

#include "mail/outbox.hpp"
#include "program/model.hpp"
#include "press/press.hpp"

namespace samling::press {

// "sv", "en" or "fi" from an Accept-Language header (the first of those it prefers by q), else
// `fallback`.
std::string language_from_accept(std::string_view accept_language, std::string_view fallback = "sv");

// --- E-mail -------------------------------------------------------------------------------------

enum class mail_kind {
  accreditation_received,        // to the journalist: we have your request (with the manage link)
  accreditation_info_requested,  // to the journalist: the press officer asks … (manage link to answer)
  accreditation_approved,        // to the journalist: approved, here is your personal link
  accreditation_rejected,        // to the journalist: rejected, with the reason
  grant_issued,                  // to the journalist: accredited directly, here is your link
  grant_revoked,                 // to the journalist: your link no longer works (reason)
  interview_requested,           // to the speaker: a journalist asks to meet you (answer link)
  interview_answered,            // to the journalist: the answer (accepted / new time / declined)
};
std::string_view to_string(mail_kind k);  // the outbox kind: "press_accreditation_received", …

struct mail_context {
  program::localized_text event_title;
  std::string days_text;      // "9 February 2027", as the caller formats it
  std::string link;           // the personal press link, the manage link or the speaker's answer link
  std::vector<contact> contacts;  // signed with these (the press officer)
  // Each kind uses what it needs:
  std::string to;             // address
  std::string to_name;
  std::string language = "sv";
  std::string event_id;
  std::string reason;         // rejected, revoked
  std::string question;       // info requested
  std::string valid_text;     // approved, issued: "from 8 Feb 2027 00:00 until 10 Feb 2027 12:00 (Europe/Stockholm)"
  const press::interview* interview = nullptr;  // interview_requested, interview_answered
};

mail::message build_mail(mail_kind k, const mail_context& c);

// --- Refusal page -------------------------------------------------------------------------------

// A whole HTML page (lang attribute, title, the reason, what to do, the contacts with mailto:
// links), everything escaped. `event_title` may be empty.
std::string refusal_page(refusal r, std::string_view language, std::string_view event_title,
                         const std::vector<contact>& contacts);
// The sentence the page and the JSON error carry, in `language`.
std::string refusal_text(refusal r, std::string_view language);

}  // namespace samling::press
