#pragma once
// The project's error category: one list of what can go wrong for a client, mapped in one
// place to a stable machine-readable code, an HTTP status, and whether the real-time protocol
// (docs/protocol.md) can send it; plus the WebSocket close codes.
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

namespace samling::core {

enum class errc {
  ok = 0,
  // HTTP
  bad_request,          // malformed HTTP or invalid input
  not_found,            // no such route or resource
  method_not_allowed,   // route exists, method does not
  not_implemented,      // an HTTP method the server does not know
  header_too_large,     // request line + headers over server.limits.max_header_bytes
  payload_too_large,    // body over server.limits.max_body_bytes
  request_timeout,      // request not received within server.limits.request_timeout_seconds
  too_many_connections, // server.limits.max_connections reached
  tls_required,         // plain HTTP sent to a TLS port
  // Real-time protocol (docs/protocol.md, Error codes)
  bad_json,
  bad_message,
  unknown_type,
  not_authenticated,
  already_authenticated,
  token_invalid,
  token_expired,
  token_unknown_key,
  token_wrong_event,
  no_such_event,
  guests_not_allowed,
  name_invalid,
  name_taken,           // a guest name a signed-in participant of the event uses
  name_reserved,        // a guest name that presents as staff
  no_such_room,
  wrong_event,
  forbidden,
  too_many_rooms,
  not_in_room,
  text_empty,
  text_too_long,
  text_invalid,
  rate_limited,
  too_far_behind,
  // Both
  unavailable,          // not ready (store closed, shutting down)
  internal,             // a bug or an unexpected failure; details only in the log
  // HTTP: the stages API (docs/protocol.md, Stages)
  unauthorized,         // no token, or one that does not verify
  no_such_stage,
  no_such_output,
  invalid_output,       // a destination that cannot be added (URL, name, key)
  media_disabled,       // media.enabled = false, or GStreamer is missing
  // HTTP: the rooms' API
  unknown_event,        // /api/v1/events/{event}/rooms/...: no such event
  // HTTP: program import, export and calendars (issue 16, program-io)
  import_invalid,       // an import with problems (each with its line): nothing stored
  series_exists,        // POST /api/v1/series with the id of an existing series
  // HTTP: live-program (docs/api.md, "Program editing and versions")
  program_invalid,      // an edit that would leave the program invalid (422, with "problems")
  event_exists,         // POST /api/v1/events with an id already taken
  no_such_session,      // PATCH/DELETE …/sessions/{session}: no such session
  no_such_version,      // GET …/program/versions/{n}: no such version
  // HTTP: staff accounts and sign-in (accounts slice; docs/api.md)
  sign_in_failed,       // unknown e-mail or wrong password (one answer for both)
  sign_in_locked,       // too many wrong passwords for the account: locked for a while
  not_signed_in,        // no staff session (GET /api/v1/auth/me, sign-out)
  csrf_failed,          // a cookie-authenticated change without the session's X-CSRF-Token
  session_expired,      // a session cookie that is unknown, expired, signed out or refused
  invitation_invalid,   // an invitation link that is unknown, used or expired
  password_invalid,     // a new password that breaks the rules, or not the account's own
  // HTTP: registration (issue 16, registration slice)
  invalid_input,           // fields that do not pass their rules; the body lists them ("fields")
  registration_not_open,   // before the event's opening time
  registration_closed,     // from the closing time on
  registration_not_found,  // no registration settings for the event, or no such manage token
  registration_full,       // no seat left and no waitlist
  // Real-time protocol and HTTP: Q&A, polls, moderation, projector (issue 17, proto slice;
  // docs/protocol.md, Error codes)
  no_such_question,     // no question with that id
  wrong_room,           // the question or poll belongs to another room than the request's
  already_voted,        // a second upvote by the same user (any of their sessions)
  not_voted,            // taking back a vote that was never given
  question_closed,      // a vote on a question that is not approved or answered
  question_too_long,    // a question over qa.question_max_chars
  merge_into_self,      // merging a question into itself
  question_state,       // an action the question's state does not allow
  poll_invalid,         // a poll_create with bad text, options, kind or results
  no_such_poll,         // no poll with that id
  poll_state,           // a poll action its state does not allow
  poll_closed,          // a poll vote while the poll is not open
  bad_choice,           // a poll vote's choices out of range, repeated, or several for single
  no_such_message,      // moderate: no (undeleted) message with that seq in the room
  muted,                // a post by a muted user (retry_after_ms: until the mute ends)
  banned,               // a banned user's hello or post
  slow_mode,            // a post sooner than the room's slow mode allows (retry_after_ms)
  room_locked,          // a post in a locked room
  kiosk_unknown,        // no such kiosk link
  kiosk_revoked,        // a kiosk link that was revoked
  // HTTP and the real-time protocol: press accreditation and gated streams (issue 18;
  // docs/api.md, "Press"). A gated stage's playlist or segment, a press page request, or a
  // hello/join with a grant: each refusal its own code, so a viewer is told what to do.
  grant_missing,          // a gated stage or room without a grant or other credential (403)
  grant_invalid,          // a grant or viewer token that does not verify: tampered, malformed (403)
  grant_expired,          // a grant (or a segment's viewer token) past its valid-until (410)
  grant_not_yet_valid,    // a grant before its valid-from (403)
  grant_revoked,          // a grant the press officer revoked (410)
  grant_wrong_stage,      // a grant that does not cover this stage or room (403)
  grant_unknown_key,      // a grant signed with a key the server no longer has (403)
  device_limit,           // a further device while the grant's device cap is in use (403)
  embargoed,              // an embargoed stage before its public time, to someone without press access (403)
  accreditation_closed,   // the event takes no accreditation requests (403)
  no_such_accreditation,  // no such accreditation (id or manage token) (404)
  accreditation_state,    // an action its state does not allow (approve a rejected one, …) (409)
  no_such_grant,          // no such grant (404)
  no_such_interview,      // no such interview request (id or speaker link) (404)
  interview_state,        // an answer the interview request's state does not allow (409)
};

const std::error_category& samling_category();
std::error_code make_error_code(errc e);

// Stable snake_case code for clients ("not_found"); part of the protocol, never renamed.
std::string_view code_name(errc e);
// The HTTP status that carries the error.
unsigned http_status(errc e);
// A short human message in English, safe to show (no internals).
std::string_view default_message(errc e);
// Whether the real-time protocol can send this code (each such code is in docs/protocol.md).
bool sent_on_websocket(errc e);
// Every code, for tests that check the documentation.
std::vector<errc> all_errors();

// WebSocket close codes the server uses (docs/protocol.md, Close codes).
enum class ws_close : std::uint16_t {
  normal = 1000,
  going_away = 1001,          // server shutdown
  protocol_error = 1002,      // a frame that breaks RFC 6455 (unmasked, reserved bits, ...)
  unsupported_data = 1003,    // a binary frame
  invalid_payload = 1007,     // text that is not UTF-8
  too_big = 1009,             // a frame over ws.max_frame_bytes
  hello_timeout = 4001,       // no hello within ws.hello_timeout_seconds
  slow_consumer = 4008,       // send queue over its bound
  too_many_errors = 4009,     // too many bad requests in a row
  // issue 17, H-room
  banned = 4010,              // a moderator banned the user from the event
  kiosk_revoked = 4011,       // the projector's kiosk link was revoked
  // issue 18
  grant_revoked = 4012,       // the press grant the session said hello with was revoked
};
std::vector<ws_close> all_close_codes();

}  // namespace samling::core

template <>
struct std::is_error_code_enum<samling::core::errc> : std::true_type {};
