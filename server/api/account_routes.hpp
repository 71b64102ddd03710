#pragma once
// Staff accounts over HTTP (docs/api.md, Staff accounts and sign-in): sign-in, the current
// account, sign-out (here and everywhere), an event's staff and invitations, accepting an
// invitation, and the audit log. Sessions and their rules are staff_sessions'; who may do what
// is http_auth's and rooms::can()'s (manage_staff).
#include <cstdint>
#include <string>

#include "api/http_auth.hpp"
#include "api/staff_sessions.hpp"
#include "auth/account_store.hpp"
#include "auth/audit_log.hpp"
#include "auth/invitation.hpp"
#include "mail/outbox.hpp"
#include "net/router.hpp"
#include "program/model.hpp"

namespace samling::api {

struct account_context {
  const staff_sessions* staff = nullptr;
  const http_auth* auth = nullptr;
  auth::account_store* accounts = nullptr;        // these four: used only on the store's thread
  auth::invitation_store* invitations = nullptr;
  auth::audit_log* audit = nullptr;
  mail::outbox* outbox = nullptr;                 // null: invitations are stored, no e-mail is queued
  program::program_store* program = nullptr;      // an invited-to event must exist; null: not checked
  std::string public_url;                         // the base of links in e-mails (set before serving)
  std::int64_t invitation_seconds = 7 * 86400;    // auth.invitation_days
  // auth.dev_tokens: the invitation's link is also in the API's answer ("link"), for the demo
  // and the tests; never in production, where the link exists only in the e-mail.
  bool dev_links = false;
};

// Registers the routes. `ctx` must outlive the router.
void register_account_routes(net::router& routes, const account_context& ctx);

}  // namespace samling::api
