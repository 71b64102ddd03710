#pragma once
// Kiosk links (the projector view opened without sign-in) and the URLs the projector shows:
// the rules shared by the HTTP routes (api/projector_routes) and the real-time hello with
// {"kiosk":ID} (api/protocol_session). No I/O besides the random source.
#include <string>
#include <string_view>

namespace samling::projector {

// A new link id: 32 lower-case hex characters from 16 random bytes (OpenSSL's RAND_bytes). The
// id is the link's only secret. Throws std::runtime_error if the random source fails.
std::string new_kiosk_id();

// Whether `id` has the form of a link id (32 lower-case hex characters): anything else is
// refused before it reaches the store.
bool valid_kiosk_id(std::string_view id);

// The user id a kiosk's sessions have: "kiosk-" + the first 8 characters of the link id (so a
// revocation can close them by user id, and logs never show the whole secret).
std::string kiosk_user_id(std::string_view id);

// `base` without trailing slashes: "https://samling.example".
std::string trim_base(std::string_view base);

// The room's Q&A page, the QR code's target: "{base}/#event={e}&room={r}&qa=1".
std::string qa_url(std::string_view base, std::string_view event_id, std::string_view room_id);

// A kiosk link's page: "{base}/#projector={id}".
std::string projector_url(std::string_view base, std::string_view id);

}  // namespace samling::projector
