#pragma once
// One outbox message as the bytes an SMTP server receives (RFC 5322 + MIME): headers in
// US-ASCII (non-ASCII subject and display names as RFC 2047 encoded-words), the plain text and
// the HTML as the two parts of a multipart/alternative (text only: one text/plain part), both
// UTF-8 in quoted-printable, lines ending in CRLF. A mail client shows the HTML when it can and
// the text otherwise.
//
// Header injection: a CR or LF (or any other control character) in the subject or a display
// name is replaced by a space before it is encoded, so it can never start a header of its own;
// an address with such characters (or <, >, spaces) is refused (address_problem).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mail/outbox.hpp"

namespace samling::mail {

// Who sends (config [mail] from, from_name).
struct sender_identity {
  std::string address;  // "noreply@example.org"
  std::string name;     // display name, may be empty; UTF-8
};

// Why `address` cannot go into a header or an SMTP command (empty, over 254 bytes, not exactly
// one '@' with text on both sides, a control character, a space or one of <>()[],;:\" ), or
// nullopt when it can. Deliberately not the whole RFC 5321 grammar: the callers validated it
// with the project's e-mail rule already; this is the last guard before the wire.
std::optional<std::string> address_problem(std::string_view address);

// The domain of `address` (after the last '@'), for the Message-ID; "localhost" if none.
std::string_view address_domain(std::string_view address);

// The message's text: `m` from `from`, dated `unix_seconds` (shown in UTC), with
// Message-ID <`unique_id`@from's domain>. `unique_id` must be made of [A-Za-z0-9.-]: the
// outbox id, so a message sent twice (a crash mid-send) carries the same Message-ID and mail
// clients show it once. Throws std::invalid_argument when an address is refused.
std::string build_message(const message& m, const sender_identity& from, std::int64_t unix_seconds,
                          std::string_view unique_id);

// --- the encodings, exposed for their tests -------------------------------------------------

// RFC 5322 date-time in UTC: "Wed, 02 Dec 2026 22:40:00 +0000".
std::string rfc5322_date(std::int64_t unix_seconds);
// Control characters (CR, LF, TAB, … and DEL) replaced by a space; runs of them become one.
std::string header_safe(std::string_view text);
// An unstructured header value (Subject): as is when it is printable ASCII and short enough,
// else RFC 2047 "B" encoded-words of UTF-8, at most 75 characters each (never splitting a
// UTF-8 character), joined by CRLF SP (folding). `used` is what precedes the value on its
// first line ("Subject: "), to keep lines within 78 characters.
std::string encode_unstructured(std::string_view text, std::size_t used);
// A mailbox: `name <address>`, the name as a quoted-string when ASCII, as encoded-words
// otherwise; just the address when the name is empty.
std::string encode_mailbox(std::string_view name, std::string_view address, std::size_t used);
// Quoted-printable (RFC 2045 6.7) of UTF-8 text: lines end in CRLF (LF or CRLF in the input),
// no line over 76 characters (soft breaks "="), '=' and bytes outside printable ASCII as =XX,
// a space or tab before a line end as =20/=09, a '.' starting a line as =2E (SMTP's end-of-data
// marker never appears, whatever the client library does about dot-stuffing).
std::string quoted_printable(std::string_view text);

}  // namespace samling::mail
