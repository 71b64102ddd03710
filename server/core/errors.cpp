#include "core/errors.hpp"

#include <string>

namespace samling::core {
namespace {

enum class channel { http, ws, both };

struct entry {
  errc e;
  std::string_view code;
  unsigned status;
  channel on;
  std::string_view message;
};

// The single table: code name, HTTP status, where it is used, message.
constexpr entry table[] = {
    {errc::ok, "ok", 200, channel::both, "ok"},
    {errc::bad_request, "bad_request", 400, channel::http, "The request is malformed."},
    {errc::not_found, "not_found", 404, channel::http, "Not found."},
    {errc::method_not_allowed, "method_not_allowed", 405, channel::http, "This method is not allowed here."},
    {errc::not_implemented, "not_implemented", 501, channel::http, "This HTTP method is not supported."},
    {errc::header_too_large, "header_too_large", 431, channel::http, "The request headers are too large."},
    {errc::payload_too_large, "payload_too_large", 413, channel::http, "The request body is too large."},
    {errc::request_timeout, "request_timeout", 408, channel::http, "The request was not received in time."},
    {errc::too_many_connections, "too_many_connections", 503, channel::http, "The server has too many open connections; try again soon."},
    {errc::tls_required, "tls_required", 400, channel::http, "This port speaks HTTPS: use https:// instead of http://."},
    {errc::bad_json, "bad_json", 400, channel::ws, "The frame is not a JSON object."},
    {errc::bad_message, "bad_message", 400, channel::ws, "A field is missing or has the wrong type."},
    {errc::unknown_type, "unknown_type", 400, channel::ws, "Unknown request type."},
    {errc::not_authenticated, "not_authenticated", 401, channel::ws, "Send hello first."},
    {errc::already_authenticated, "already_authenticated", 400, channel::ws, "This connection has already said hello."},
    {errc::token_invalid, "token_invalid", 401, channel::ws, "The token is malformed or its signature does not match."},
    {errc::token_expired, "token_expired", 401, channel::ws, "The token has expired."},
    {errc::token_unknown_key, "token_unknown_key", 401, channel::ws, "The token was signed with a key this server does not hold."},
    {errc::token_wrong_event, "token_wrong_event", 403, channel::ws, "The token is for another event."},
    {errc::no_such_event, "no_such_event", 404, channel::ws, "No such event."},
    {errc::guests_not_allowed, "guests_not_allowed", 403, channel::ws, "This event has no room open to guests."},
    {errc::name_invalid, "name_invalid", 400, channel::ws, "The name must be 1-60 characters without control characters."},
    {errc::name_taken, "name_taken", 409, channel::ws, "A signed-in participant of this event uses that name; choose another."},
    {errc::name_reserved, "name_reserved", 403, channel::ws, "That name is kept for the event's staff; choose another."},
    {errc::no_such_room, "no_such_room", 404, channel::ws, "No such room."},
    {errc::wrong_event, "wrong_event", 403, channel::ws, "That room belongs to another event."},
    {errc::forbidden, "forbidden", 403, channel::both, "Your role may not do this here."},
    {errc::too_many_rooms, "too_many_rooms", 400, channel::ws, "Too many rooms joined at once."},
    {errc::not_in_room, "not_in_room", 400, channel::ws, "Join the room first."},
    {errc::text_empty, "text_empty", 400, channel::ws, "The message is empty."},
    {errc::text_too_long, "text_too_long", 400, channel::ws, "The message is too long."},
    {errc::text_invalid, "text_invalid", 400, channel::ws, "The message contains control characters."},
    {errc::rate_limited, "rate_limited", 429, channel::both, "Too many messages; wait a moment."},
    {errc::too_far_behind, "too_far_behind", 409, channel::ws, "Too far behind to resume; join again without since."},
    {errc::unavailable, "unavailable", 503, channel::both, "The service is not ready; try again soon."},
    {errc::internal, "internal", 500, channel::both, "Something went wrong on the server."},
    {errc::unauthorized, "unauthorized", 401, channel::http, "Send a valid token (Authorization: Bearer …)."},
    {errc::no_such_stage, "no_such_stage", 404, channel::http, "No such stage."},
    {errc::no_such_output, "no_such_output", 404, channel::http, "No such destination on this stage."},
    {errc::invalid_output, "invalid_output", 400, channel::http, "The destination is not valid."},
    {errc::media_disabled, "media_disabled", 503, channel::http, "Media is not running on this server."},
    {errc::unknown_event, "unknown_event", 404, channel::http, "No such event."},
    // program-io (issue 16)
    {errc::import_invalid, "import_invalid", 422, channel::http, "The import has problems; nothing was changed."},
    {errc::series_exists, "series_exists", 409, channel::http, "A series with this id exists."},
    // live-program
    {errc::program_invalid, "program_invalid", 422, channel::http, "The program would not be valid."},
    {errc::event_exists, "event_exists", 409, channel::http, "An event with this id exists."},
    {errc::no_such_session, "no_such_session", 404, channel::http, "No such session."},
    {errc::no_such_version, "no_such_version", 404, channel::http, "No such program version."},
    // accounts slice
    {errc::sign_in_failed, "sign_in_failed", 401, channel::http, "The e-mail address or the password is wrong."},
    {errc::sign_in_locked, "sign_in_locked", 429, channel::http, "Too many wrong passwords: sign-in is locked for a while."},
    {errc::not_signed_in, "not_signed_in", 401, channel::http, "You are not signed in."},
    {errc::csrf_failed, "csrf_failed", 403, channel::http, "The request lacks this session's X-CSRF-Token; reload the page."},
    {errc::session_expired, "session_expired", 401, channel::http, "Your session has ended; sign in again."},
    {errc::invitation_invalid, "invitation_invalid", 410, channel::http, "This invitation link is unknown, used or expired."},
    {errc::password_invalid, "password_invalid", 422, channel::http, "The password is not acceptable."},
    // registration slice
    {errc::invalid_input, "invalid_input", 422, channel::http, "Some fields are not valid."},
    {errc::registration_not_open, "registration_not_open", 403, channel::http, "Registration is not open yet."},
    {errc::registration_closed, "registration_closed", 403, channel::http, "Registration has closed."},
    {errc::registration_not_found, "registration_not_found", 404, channel::http, "No such registration."},
    {errc::registration_full, "registration_full", 409, channel::http, "The event is full."},
    // issue 17, proto slice: Q&A, polls, moderation, projector
    {errc::no_such_question, "no_such_question", 404, channel::both, "No such question."},
    {errc::wrong_room, "wrong_room", 409, channel::both, "That belongs to another room."},
    {errc::already_voted, "already_voted", 409, channel::ws, "You have already voted for this question."},
    {errc::not_voted, "not_voted", 409, channel::ws, "You have not voted for this question."},
    {errc::question_closed, "question_closed", 409, channel::ws, "This question is not open for votes."},
    {errc::question_too_long, "question_too_long", 422, channel::ws, "The question is too long."},
    {errc::merge_into_self, "merge_into_self", 422, channel::ws, "A question cannot be merged into itself."},
    {errc::question_state, "question_state", 409, channel::ws, "The question's state does not allow this."},
    {errc::poll_invalid, "poll_invalid", 422, channel::ws, "The poll is not valid."},
    {errc::no_such_poll, "no_such_poll", 404, channel::both, "No such poll."},
    {errc::poll_state, "poll_state", 409, channel::ws, "The poll's state does not allow this."},
    {errc::poll_closed, "poll_closed", 409, channel::ws, "The poll is not open."},
    {errc::bad_choice, "bad_choice", 422, channel::ws, "The choices are not valid for this poll."},
    {errc::no_such_message, "no_such_message", 404, channel::ws, "No such message in this room."},
    {errc::muted, "muted", 403, channel::ws, "A moderator has muted you for a while."},
    {errc::banned, "banned", 403, channel::ws, "A moderator has banned you from this event."},
    {errc::slow_mode, "slow_mode", 429, channel::ws, "Slow mode: wait a little before your next message."},
    {errc::room_locked, "room_locked", 403, channel::ws, "The room is locked: only moderators can write."},
    {errc::kiosk_unknown, "kiosk_unknown", 404, channel::both, "No such projector link."},
    {errc::kiosk_revoked, "kiosk_revoked", 410, channel::both, "This projector link has been revoked."},
    {errc::grant_missing, "grant_missing", 403, channel::both,
     "This stream or room is for accredited press: open it with your personal press link."},
    {errc::grant_invalid, "grant_invalid", 403, channel::both,
     "This press link is damaged or altered: open the link from your e-mail again."},
    {errc::grant_expired, "grant_expired", 410, channel::both, "This press link has expired."},
    {errc::grant_not_yet_valid, "grant_not_yet_valid", 403, channel::both, "This press link is not valid yet."},
    {errc::grant_revoked, "grant_revoked", 410, channel::both, "This press link has been revoked."},
    {errc::grant_wrong_stage, "grant_wrong_stage", 403, channel::both,
     "Your press link does not cover this stream or room."},
    {errc::grant_unknown_key, "grant_unknown_key", 403, channel::both,
     "This press link was signed with a key the server no longer has: ask for a new link."},
    {errc::device_limit, "device_limit", 403, channel::http,
     "Your press link is already in use on the most devices it allows: close it on another device."},
    {errc::embargoed, "embargoed", 403, channel::http, "This stream is under embargo and not public yet."},
    {errc::accreditation_closed, "accreditation_closed", 403, channel::http,
     "This event does not take accreditation requests."},
    {errc::no_such_accreditation, "no_such_accreditation", 404, channel::http, "No such accreditation request."},
    {errc::accreditation_state, "accreditation_state", 409, channel::http,
     "The accreditation request's state does not allow this."},
    {errc::no_such_grant, "no_such_grant", 404, channel::http, "No such press grant."},
    {errc::no_such_interview, "no_such_interview", 404, channel::http, "No such interview request."},
    {errc::interview_state, "interview_state", 409, channel::http,
     "The interview request's state does not allow this."},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < std::size(table); ++i)
    if (static_cast<std::size_t>(table[i].e) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "errors table must list every errc in declaration order");

const entry& lookup(errc e) {
  auto i = static_cast<std::size_t>(e);
  return i < std::size(table) ? table[i] : table[static_cast<std::size_t>(errc::internal)];
}

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "samling"; }
  std::string message(int ev) const override {
    return std::string(lookup(static_cast<errc>(ev)).message);
  }
};

}  // namespace

const std::error_category& samling_category() {
  static const category c;
  return c;
}
std::error_code make_error_code(errc e) { return {static_cast<int>(e), samling_category()}; }
std::string_view code_name(errc e) { return lookup(e).code; }
unsigned http_status(errc e) { return lookup(e).status; }
std::string_view default_message(errc e) { return lookup(e).message; }
bool sent_on_websocket(errc e) { return lookup(e).on != channel::http && e != errc::ok; }

std::vector<errc> all_errors() {
  std::vector<errc> out;
  for (auto& t : table)
    if (t.e != errc::ok) out.push_back(t.e);
  return out;
}

std::vector<ws_close> all_close_codes() {
  return {ws_close::normal,        ws_close::going_away,    ws_close::protocol_error,
          ws_close::unsupported_data,
          ws_close::invalid_payload, ws_close::too_big,     ws_close::hello_timeout,
          ws_close::slow_consumer, ws_close::too_many_errors,
          ws_close::banned,        ws_close::kiosk_revoked, ws_close::grant_revoked};
}

}  // namespace samling::core
