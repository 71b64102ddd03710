#pragma once
// Registration over HTTP (docs/api.md, Registration): the public state and form of an event's
// registration, the attendee's own registration by its manage token (download, cancel,
// delete), and the organizer's settings, list and CSV export (manage_registrations).
#include <cstdint>
#include <functional>
#include <string>

#include "api/http_auth.hpp"
#include "auth/audit_log.hpp"
#include "auth/token.hpp"
#include "core/blocking.hpp"
#include "mail/outbox.hpp"
#include "net/router.hpp"
#include "program/model.hpp"
#include "registration/registration.hpp"

namespace samling::api {

struct registration_context {
  program::program_store* program = nullptr;              // used only on db_pool
  registration::registration_store* store = nullptr;      // used only on db_pool
  core::blocking_pool* db_pool = nullptr;
  const http_auth* auth = nullptr;                        // the organizer's routes
  const auth::keyring* keys = nullptr;                    // signs the personal join tokens
  // The outbox on the same database (used on db_pool, inside the registration's transaction);
  // null: no e-mail is queued (until the mail slice is wired).
  mail::outbox* outbox = nullptr;
  auth::audit_log* audit = nullptr;                       // null: settings changes are not recorded
  // The site's address for links in e-mails, without a trailing slash ("https://konf.example.org");
  // serve.cpp sets it (server.public_url, else the listening URL) before the first request.
  std::string public_url;
  // auth.dev_tokens: a new registration's answer carries its join and manage links (tests and
  // the demo, where no mail is sent). Never in production: it skips proving the e-mail address.
  bool dev_links = false;
  // Seconds since the Unix epoch (UTC); unset: the system clock.
  std::function<std::int64_t()> now;
};

// Registers the routes. `ctx` must outlive the router.
void register_registration_routes(net::router& routes, const registration_context& ctx);

// The CSV export: RFC 4180 (CRLF, fields quoted when they hold a comma, semicolon, quote or
// line break, quotes doubled), UTF-8 with a BOM so spreadsheets read it as UTF-8; times in the
// event's zone. A field starting with = + - @ is prefixed with ' so no spreadsheet runs it.
std::string registrations_csv(const std::vector<registration::registration>& all, std::string_view zone);

}  // namespace samling::api
