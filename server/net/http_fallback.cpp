#include "net/http_fallback.hpp"

#include "core/errors.hpp"

namespace samling::net {

namespace {

using core::errc;

// The page for an unknown non-API URL, in the three languages the product speaks.
const char* not_found_page =
    "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><title>404 – Samling</title>"
    "<meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"font-family:"
    "system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem\"><h1>404</h1>"
    "<p>Sidan finns inte.</p><p lang=\"en\">This page does not exist.</p>"
    "<p lang=\"fi\">Sivua ei ole olemassa.</p><p><a href=\"/\">Samling</a></p></body></html>";

const char* not_built_page =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Samling</title>"
    "</head><body><h1>Samling</h1><p>The web app is not built. Run <code>npm run build</code> "
    "in <code>web/</code>, or start the server with <code>deploy/run.sh</code>.</p></body></html>";

// The server's own small pages (404, "not built") run no script at all, so their policy
// allows nothing but their inline style.
response html_page(unsigned status, const char* html) {
  response res;
  res.status = status;
  res.content_type = "text/html; charset=utf-8";
  res.body = html;
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'self'");
  return res;
}

}  // namespace

response fallback_response(const request& r, const router::match_result& m, const static_files& files,
                           std::string& route_name) {
  if (r.path.empty() || r.path.front() != '/') {
    route_name = "bad_path";
    return json_error(errc::bad_request, "The request path is not a valid URL path.");
  }
  if (m.path_matched) {
    route_name = "method_not_allowed";
    auto res = json_error(errc::method_not_allowed);
    res.headers.emplace_back("Allow", m.allowed);
    return res;
  }
  if (r.path == "/api" || r.path.starts_with("/api/")) {
    route_name = "api_not_found";
    return json_error(errc::not_found, "No API route " + r.method + " " + r.path + ".");
  }
  if (r.method == "GET" || r.method == "HEAD") {
    if (auto* f = files.find(r.path)) {
      route_name = "static";
      return files.serve(*f, r.header("if-none-match"));
    }
    if (r.path == "/" && files.empty()) {
      route_name = "static";
      return html_page(503, not_built_page);
    }
  }
  route_name = "not_found";
  return html_page(404, not_found_page);
}

}  // namespace samling::net
