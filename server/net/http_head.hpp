#pragma once
// The plain request head, read without Beast. Nearly every request a conference server gets is
// a GET with a handful of header fields and no body: the player's playlist and segments, the
// page's API reads. For those the session parses the head straight from its buffer into a
// `request`: no parser object, no field list of its own, no second copy, no composed
// operation. Everything else (a body, an upgrade, a long or unusual head, any syntax this
// strict reader does not accept) is declined, and Beast's parser reads the same bytes, with its
// limits and error replies. Declining is always safe; accepting must agree with Beast.
#include <cstddef>
#include <string_view>

#include "net/router.hpp"

namespace samling::net {

struct simple_head {
  std::size_t length = 0;  // bytes of the head, its empty line included
  bool head_method = false;  // HEAD (else GET)
  unsigned version = 11;     // 10 or 11
  bool keep_alive = true;    // as Beast's message::keep_alive() would say
};

// Parses a complete GET or HEAD head in origin form at the start of `in` into `out` (method,
// target, path, query, lower-cased headers; the caller sets `remote`). A head longer than
// `max_bytes`, or not yet complete, is declined (length 0), as is any request with
// Content-Length, Transfer-Encoding or Upgrade, a Connection other than `close` or
// `keep-alive`, obs-fold, bare LF, or bytes outside the strict RFC 9112 grammar.
simple_head parse_simple_head(std::string_view in, std::size_t max_bytes, request& out);

// Fills `path` (percent-decoded; empty if it cannot be) and `query` from `target`. An
// absolute-form target ("http://host/path", RFC 9112 3.2.2) is routed on its path and query.
void split_target(request& r, std::string_view target);

}  // namespace samling::net
