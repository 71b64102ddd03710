#pragma once
// The project's error category: one list of what can go wrong for a client, mapped in one
// place to a stable machine-readable code, an HTTP status (and later WebSocket close codes).
#include <string_view>
#include <system_error>

namespace samling::core {

enum class errc {
  ok = 0,
  bad_request,          // malformed HTTP or invalid input
  not_found,            // no such route or resource
  method_not_allowed,   // route exists, method does not
  not_implemented,      // an HTTP method the server does not know
  header_too_large,     // request line + headers over server.limits.max_header_bytes
  payload_too_large,    // body over server.limits.max_body_bytes
  request_timeout,      // request not received within server.limits.request_timeout_seconds
  too_many_connections, // server.limits.max_connections reached
  tls_required,         // plain HTTP sent to a TLS port
  unavailable,          // not ready (store closed, shutting down)
  internal,             // a bug or an unexpected failure; details only in the log
};

const std::error_category& samling_category();
std::error_code make_error_code(errc e);

// Stable snake_case code for clients ("not_found"); part of the protocol, never renamed.
std::string_view code_name(errc e);
// The HTTP status that carries the error.
unsigned http_status(errc e);
// A short human message in English, safe to show (no internals).
std::string_view default_message(errc e);

}  // namespace samling::core

template <>
struct std::is_error_code_enum<samling::core::errc> : std::true_type {};
