#pragma once
// What a request gets when no route's handler answers it (the part of Beast's server-flex
// example that is handle_request's bad_request/not_found pages): 400 for a path that is not a
// URL path, 405 with Allow when only the method is wrong, a JSON 404 under /api/, a file of the
// web app (304 on If-None-Match), 503 "not built" for / without one, and the 404 page
// otherwise. Beast-free and without I/O: http_session calls it on the connection's thread.
#include <string>

#include "net/router.hpp"
#include "net/static_files.hpp"

namespace samling::net {

// The answer to `r` when `m` (the router's match for it) found no handler; `route_name` is set
// to the label metrics and the access log use for it.
response fallback_response(const request& r, const router::match_result& m, const static_files& files,
                           std::string& route_name);

}  // namespace samling::net
