#pragma once
// Press accreditation, grants and interview requests over HTTP (issue 18; docs/api.md,
// "Press"): the public accreditation form, the journalist's request by its manage link, the
// press officer's queue, grants, interviews, settings and audit export (manage_press), the
// grant holder's press page (/api/v1/press/…, a grant token) and the speaker's answer link.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/press_context.hpp"
#include "net/router.hpp"
#include "press/press.hpp"
#include "press/texts.hpp"
#include "program/model.hpp"

namespace samling::api {

class stage_board;

// Registers the routes. `ctx` (and `board`, when given) must outlive the router. `board`: the
// stages' names and states for /api/v1/press/me; null: the stage id and "unknown".
void register_press_routes(net::router& routes, const press_context& ctx);
void register_press_routes(net::router& routes, const press_context& ctx, const stage_board* board);

// Writes what the registry counted since the last flush (views, device refusals) to the store.
// On db_pool only: serve.cpp's timer and shutdown, and the audit export, call it.
void flush_press_audit(const press_context& ctx);

// --- Shared with `samling press grant` (app/press_command.cpp) ----------------------------------

// The journalist's manage token for accreditation `id`: derived (HMAC with the keyring's current
// key), so the mails of later steps can carry the same link though the store keeps only its hash.
std::string accreditation_manage_token(const auth::keyring& keys, std::string_view accreditation_id);

// The days as the mails show them: "9 februari 2027, 10 februari 2027" (sv), "9 February 2027" (en),
// "9.2.2027" (fi).
std::string press_days_text(const std::vector<std::string>& days, std::string_view language);
// "from 2027-02-08 00:00 until 2027-02-10 12:00 (Europe/Stockholm)" in `language`.
std::string press_valid_text(std::int64_t from, std::int64_t until, std::string_view zone, std::string_view language);

// Problems with a grant's stages/rooms lists for `event`: each must be "*" alone or ids of the
// event's stages (`stage_ids`) / rooms. field "stages" / "rooms".
std::vector<press::field_problem> check_grant_scope(const std::vector<std::string>& stages,
                                                    const std::vector<std::string>& rooms,
                                                    const std::vector<std::string>& stage_ids,
                                                    const program::event& e);

}  // namespace samling::api
