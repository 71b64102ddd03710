#pragma once
// What the press routes (api/press_routes.*), the gate on the streams (api/press_gate.*, used by
// /live/) and the protocol session (a hello with a grant, joins of gated rooms) share (issue
// 18). Owned by app::serve, outliving the router and every session that points at it.
#include <cstdint>
#include <functional>
#include <string>

#include "auth/audit_log.hpp"
#include "auth/token.hpp"
#include "core/blocking.hpp"
#include "mail/outbox.hpp"
#include "press/access.hpp"
#include "press/press.hpp"
#include "press/registry.hpp"
#include "program/model.hpp"

namespace samling::program {
class program_store;
}

namespace samling::api {

class http_auth;

struct press_options {
  std::uint32_t device_cap = 2;               // press.device_cap: a new grant's cap
  std::int64_t segment_token_seconds = 120;   // press.segment_token_seconds
  std::int64_t grace_before_seconds = 86400;  // press.grace_before_minutes * 60
  std::int64_t grace_after_seconds = 43200;   // press.grace_after_minutes * 60
};

struct press_context {
  press::registry* registry = nullptr;       // any thread
  press::access_map* access = nullptr;       // any thread
  const auth::keyring* keys = nullptr;       // signs and verifies grants and viewer tokens
  press::press_store* store = nullptr;       // on db_pool only
  program::program_store* program = nullptr; // on db_pool only
  mail::outbox* outbox = nullptr;            // on db_pool, inside the store's transaction; null: no mail
  auth::audit_log* audit = nullptr;          // on db_pool; approvals, rejections, grants, revocations
  core::blocking_pool* db_pool = nullptr;
  const http_auth* auth = nullptr;           // staff sessions and tokens (the press officer)
  press_options options;
  // The site's address for links in e-mails, without a trailing slash; serve.cpp sets it
  // (server.public_url, else the listening URL) before the first request.
  std::string public_url;
  // auth.dev_tokens: answers carry links that would otherwise only go by e-mail (the journalist's
  // manage link). Never in production.
  bool dev_links = false;
  // UTC milliseconds; unset: the system clock.
  std::function<std::int64_t()> now_ms;

  std::int64_t now_millis() const;
  std::int64_t now_seconds() const { return now_millis() / 1000; }
};

// The links (docs/api.md, "Press"; the web app's routes):
//   the personal press page   <public_url>/#press=<grant token>
//   the journalist's request  <public_url>/#accreditation=<manage token>
//   the speaker's answer      <public_url>/#interview=<speaker token>
//   the accreditation form    <public_url>/#accredit/<event>
//   the press officer         <public_url>/#press-office/<event>
std::string press_link(const press_context& ctx, std::string_view grant_token);
std::string manage_link(const press_context& ctx, std::string_view manage_token);
std::string speaker_link(const press_context& ctx, std::string_view speaker_token);

}  // namespace samling::api
