#pragma once
// The invitation e-mail (kind "invitation") in Swedish, English or Finnish, plain text and HTML.
#include <string>
#include <string_view>

#include "auth/invitation.hpp"
#include "mail/outbox.hpp"

namespace samling::api {

// `link` is <public_url>/#invite=TOKEN; `event_title` in the invitation's language (or any);
// `expires` the expiry as the recipient reads it ("2027-03-26 08:30 UTC").
mail::message invitation_mail(const auth::invitation& inv, std::string_view event_title, std::string_view inviter,
                              std::string_view link, std::string_view expires);

}  // namespace samling::api
