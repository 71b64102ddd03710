#pragma once
// The gate on the stages' HLS (issue 18; docs/streaming.md, "Gated stages"), used by /live/
// (api/live_routes.*). A stage whose rule is public at this moment is not gated at all: /live/
// serves it as before, without calling in here. For any other stage:
//
// - the playlist needs a credential: `?grant=G` (a press grant; also `Authorization: Bearer
//   g1.…`), a join token (`?token=T` or `Authorization: Bearer T`) whose role reaches the
//   stage's level, or a staff session cookie; plus the device (`&device=D`, else one derived
//   from the address and User-Agent). A grant must verify, be valid now, not be revoked, cover
//   the stage, and its device must be admitted by its cap. The playlist given back carries a
//   viewer token (press::sign_viewer, press.segment_token_seconds) on every segment URI.
// - a segment needs a valid viewer token `?v=` for this stage, whose viewer (a grant) is not
//   revoked and whose device is live on the grant.
//
// Everything here runs without suspending and without the database (the grant is in the
// token, revocation and devices in press::registry), except one path: a playlist request whose
// only credential is a staff session cookie needs the session store (gate_session()).
// Refusals: JSON {"error":{"code","message","contacts",…}} with the code's status, or for a
// browser (Accept: text/html) the page of press::refusal_page in the viewer's language.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/http_auth.hpp"
#include "api/stages_context.hpp"
#include "net/router.hpp"
#include "press/access.hpp"
#include "press/press.hpp"
#include "program/model.hpp"

namespace samling::api {

// --- The refusal page's event title and contacts -------------------------------------------------
// A refusal cannot wait for the database, so the press settings' contacts (and the event's
// title, for the page's heading) are kept here, in memory, per event; thread-safe. serve sets
// them at start for every event with saved press settings, and the press settings route
// (PUT /api/v1/events/{e}/press/settings) after each change. Unknown event: no title, no
// contacts (the page still says what happened and what to do).
void set_press_contacts(const std::string& event, std::vector<press::contact> contacts);
void set_press_event_title(const std::string& event, program::localized_text title);
std::vector<press::contact> press_contacts(std::string_view event);
program::localized_text press_event_title(std::string_view event);

// --- The gate -----------------------------------------------------------------------------------

// A request the gate lets through: who watches (a grant id, a token's user id, an account id),
// under which name, from which device, on which event.
struct gate_pass {
  std::string event;
  std::string viewer;
  std::string name;
  std::string device;
};
// The playlist request carries only a staff session cookie: call gate_session() after
// resolving it (that suspends).
struct gate_needs_session {};
using gate_decision = std::variant<gate_pass, net::response, gate_needs_session>;

// Decides a request for `stage`'s playlist (`playlist`) or a segment, whose rule `rule` is not
// public at `now_s`. Never suspends. With no press context: forbidden, as before issue 18.
gate_decision gate_request(const stages_context& ctx, const net::request& r, const std::string& stage, bool playlist,
                           const press::access_rule& rule, std::int64_t now_s);
// The same for a playlist request after its session cookie was resolved (`who` nobody when it
// does not hold).
gate_decision gate_session(const stages_context& ctx, const net::request& r, const std::string& stage,
                           const press::access_rule& rule, std::int64_t now_s, const std::optional<principal>& who);

// The answers for a passed request. Both count the request with its bytes into the press
// registry's viewing audit (and the stage's viewers are counted by the caller, as for public).
// The playlist: rewritten with the viewer's token on every URI; Cache-Control: private, no-store.
net::response gated_playlist(const stages_context& ctx, const net::request& r, const std::string& stage,
                             const gate_pass& pass, std::string_view m3u8, std::int64_t now_s);
// A segment: the file; Cache-Control: private, max-age=<segment token lifetime>.
net::response gated_segment(const stages_context& ctx, const net::request& r, const std::string& stage,
                            const gate_pass& pass, std::shared_ptr<const net::open_file> file);

// The answer to a refusal for `event` (its contacts): JSON, or the page for a browser, in the
// language of ?lang= (sv, en, fi) or else Accept-Language. Cache-Control: private, no-store.
net::response refusal_response(const net::request& r, press::refusal why, std::string_view event);

// The clock of the gate: the press context's (a test's) or the system's, in seconds.
std::int64_t gate_now_seconds(const stages_context& ctx);

}  // namespace samling::api
