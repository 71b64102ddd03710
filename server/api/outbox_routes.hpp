#pragma once
// The e-mail outbox over HTTP: organizers read what was (or waits to be) sent for their event,
// GET /api/v1/events/{event}/outbox (read_outbox); and, only with auth.dev_tokens, a route that
// enqueues a message of the caller's choosing, POST /api/v1/dev/mail, so the whole path to an
// SMTP server can be tried before the features that send mail exist (docs/api.md, "E-mail
// outbox").
#include <cstddef>

#include "api/http_auth.hpp"
#include "core/blocking.hpp"
#include "mail/outbox.hpp"
#include "net/router.hpp"

namespace samling::api {

struct outbox_context {
  mail::outbox* outbox = nullptr;          // used only on db_pool
  core::blocking_pool* db_pool = nullptr;
  const http_auth* auth = nullptr;
  bool dev_mail = false;                   // register POST /api/v1/dev/mail (auth.dev_tokens)
  std::size_t list_limit = 500;            // messages in one answer, newest first
};

// Registers the routes. `ctx` must outlive the router.
void register_outbox_routes(net::router& routes, const outbox_context& ctx);

// An outbox entry as the API shows it (times as RFC 3339 UTC, sent_at null until sent).
std::string outbox_entry_json(const mail::outbox_entry& e);

}  // namespace samling::api
