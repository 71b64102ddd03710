// `samling token`: argument parsing, checks that catch a mistyped link before it is handed out,
// and signing with the configured current key.
#include "app/token_command.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "app/cli.hpp"
#include "auth/token.hpp"
#include "config/config.hpp"
#include "core/origin.hpp"
#include "core/utf8.hpp"

namespace samling::app {
namespace {

constexpr const char* usage =
    "Usage: samling token --event ID --name NAME [options]\n"
    "\n"
    "Mints a signed join token for one event and prints it alone on stdout. It is signed with\n"
    "auth.key_id and auth.secret of the configuration, which must be the running server's.\n"
    "With --link it prints a personal join link instead, one line:\n"
    "  <base>/#event=<ID>&join=<token>\n"
    "which signs its holder in when opened in a browser. The token is in the fragment (after\n"
    "#), so it never reaches the server or a proxy's access log. <base> is --base-url, else\n"
    "server.public_url, else http(s)://<server.listen>:<server.port> (0.0.0.0 and :: as\n"
    "localhost). Whoever holds the link is that person until the token expires: send it to\n"
    "them alone.\n"
    "\n"
    "Options:\n"
    "  --event ID       the event the token admits to (required), e.g. stockholm-tillsammans-2027\n"
    "  --name NAME      the display name (required), 1-60 characters\n"
    "  --role ROLE      attendee (default), speaker, press, moderator or organizer\n"
    "  --user ID        the user id (\"sub\"); default: u-<name as a slug>-<6 random hex digits>\n"
    "  --ttl SECONDS    lifetime, 1..2592000; default: auth.token_ttl_seconds\n"
    "  --link           print a join link (see above) instead of the bare token\n"
    "  --base-url URL   the link's start, an http(s) URL without query or fragment;\n"
    "                   default: server.public_url; only with --link\n"
    "  --config PATH    the configuration (default: $SAMLING_CONFIG, else config/samling.toml\n"
    "                   when it exists, else built-in defaults); SAMLING_* overrides apply\n"
    "  --help           print this help\n"
    "\n"
    "Exit codes: 0 ok; 2 bad usage or configuration.\n";

// Display names follow the guest-name rule of docs/protocol.md (60 characters), so a token
// cannot carry a name the chat would refuse from a guest.
constexpr std::size_t max_name_chars = 60;
// Matches the longest id the protocol allows elsewhere (request ids, client_msg_id).
constexpr std::size_t max_user_id_chars = 64;
// --ttl's upper bound is auth.token_ttl_seconds' (auth::max_token_ttl_seconds); its lower
// bound is 1 rather than 60 so that expiry can be tried out by hand.
constexpr auto max_ttl_seconds = static_cast<std::uint64_t>(auth::max_token_ttl_seconds);
// Enough to keep a generated user id readable; the random suffix keeps it unique.
constexpr std::size_t max_slug_chars = 24;

int usage_error(const std::string& message) {
  std::cerr << "samling token: " << message << "\n(see samling token --help)\n";
  return 2;
}

// ASCII for a Latin-1 letter (U+00C0..U+00FF), so "Åsa Öberg" becomes "asa-oberg" rather
// than "sa-berg"; empty for anything else.
std::string_view fold_latin1(std::uint32_t cp) {
  if (cp == 0xdf) return "ss";
  if (cp == 0xff) return "y";
  if (cp >= 0xe0) cp -= 0x20;  // lower case to upper case: the two halves mirror each other
  if (cp >= 0xc0 && cp <= 0xc5) return "a";
  if (cp == 0xc6) return "ae";
  if (cp == 0xc7) return "c";
  if (cp >= 0xc8 && cp <= 0xcb) return "e";
  if (cp >= 0xcc && cp <= 0xcf) return "i";
  if (cp == 0xd0) return "d";
  if (cp == 0xd1) return "n";
  if ((cp >= 0xd2 && cp <= 0xd6) || cp == 0xd8) return "o";
  if (cp >= 0xd9 && cp <= 0xdc) return "u";
  if (cp == 0xdd) return "y";
  return {};
}

// "Anna Svensson" -> "anna-svensson": a-z, 0-9 and single '-' between words.
std::string slug(std::string_view name) {
  std::string out;
  bool pending_dash = false;
  auto add = [&](std::string_view piece) {
    if (piece.empty()) {
      pending_dash = !out.empty();
      return;
    }
    if (pending_dash) out += '-';
    pending_dash = false;
    out += piece;
  };
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto b = static_cast<unsigned char>(name[i]);
    if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) {
      add(std::string_view(&name[i], 1));
    } else if (b >= 'A' && b <= 'Z') {
      char lower = static_cast<char>(b - 'A' + 'a');
      add(std::string_view(&lower, 1));
    } else if (b == 0xc3 && i + 1 < name.size()) {
      // U+00C0..U+00FF are 0xc3 0x80..0xbf in UTF-8.
      auto next = static_cast<unsigned char>(name[i + 1]);
      add(fold_latin1(0xc0 + (next & 0x3f)));
      ++i;
    } else if (b < 0x80 || b >= 0xc0) {
      add({});  // a separator, or the first byte of a character without an ASCII form
    }
    if (out.size() >= max_slug_chars) break;
  }
  if (out.size() > max_slug_chars) out.resize(max_slug_chars);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::optional<std::string> random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return std::nullopt;
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (char ch : raw) {
    auto b = static_cast<unsigned char>(ch);
    hex += digits[b >> 4];
    hex += digits[b & 15];
  }
  return hex;
}

std::optional<std::uint64_t> parse_seconds(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  return v;
}

// Surrounding spaces only: every other control character is refused outright.
std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// The server's own address when nothing else names it: what a browser on this machine opens.
std::string default_base_url(const config::config& cfg) {
  std::string host = cfg.server.listen;
  if (host == "0.0.0.0" || host == "::" || host == "[::]") host = "localhost";
  else if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  const bool tls = !cfg.tls.certificate.empty();
  return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(cfg.server.port);
}

// "<base>/#event=<event>&join=<token>", one slash between base and '#' whatever base ends
// with. The event id is [a-z0-9-] and the token [A-Za-z0-9_.-]: both safe in a fragment as
// they are.
std::string join_link(std::string base, const std::string& event, const std::string& token) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/#event=" + event + "&join=" + token;
}

}  // namespace

int run_token_command(const std::vector<std::string>& args) {
  std::optional<std::string> config_path, event, name, role_text, user, ttl_text, base_url;
  bool link = false;
  // Each option but --link takes a value, as "--opt VALUE" or "--opt=VALUE".
  const value_option values[] = {{"--config", &config_path}, {"--event", &event},  {"--name", &name},
                                 {"--role", &role_text},     {"--user", &user},    {"--ttl", &ttl_text},
                                 {"--base-url", &base_url}};
  const switch_option switches[] = {{"--link", &link}};
  bool help = false;
  if (auto problem = parse_options(args, values, switches, help)) return usage_error(*problem);
  if (help) {
    std::cout << usage;
    return 0;
  }

  if (!event) return usage_error("--event is required");
  if (!is_event_id(*event)) {
    return usage_error("--event \"" + *event + "\" is not an event id (a-z, 0-9 and -)");
  }
  if (!name) return usage_error("--name is required");
  const std::string display_name(trim(*name));
  if (display_name.empty()) return usage_error("--name must not be empty");
  // Invalid UTF-8 would be refused by the server's JSON parser (token_invalid) after the
  // token has been handed out: refuse it here.
  std::optional<std::size_t> name_chars = core::utf8_length(display_name);
  if (!name_chars) return usage_error("--name is not valid UTF-8");
  if (core::has_control(display_name)) return usage_error("--name must not contain control characters");
  if (*name_chars > max_name_chars) {
    return usage_error("--name is " + std::to_string(*name_chars) + " characters; at most " +
                       std::to_string(max_name_chars) + " are allowed");
  }
  auth::role role = auth::role::attendee;
  if (role_text) {
    std::optional<auth::role> r = auth::role_from_string(*role_text);
    // A guest is someone without a token (docs/protocol.md, Roles), so no token says guest.
    if (!r || *r == auth::role::guest) {
      return usage_error("--role \"" + *role_text +
                         "\" is not one of attendee, speaker, press, moderator, organizer");
    }
    role = *r;
  }
  if (user) {
    bool ok = !user->empty() && user->size() <= max_user_id_chars;
    for (char ch : *user) {
      auto b = static_cast<unsigned char>(ch);
      if (b <= 0x20 || b >= 0x7f) ok = false;  // printable ASCII only: ids end up in logs
    }
    if (!ok) {
      return usage_error("--user must be 1 to " + std::to_string(max_user_id_chars) +
                         " printable ASCII characters without spaces");
    }
  }
  if (base_url) {
    if (!link) return usage_error("--base-url needs --link");
    if (auto problem = core::public_url_problem(*base_url)) {
      return usage_error("--base-url \"" + *base_url + "\" " + *problem);
    }
  }
  std::optional<std::uint64_t> ttl;
  if (ttl_text) {
    ttl = parse_seconds(*ttl_text);
    if (!ttl || *ttl < 1 || *ttl > max_ttl_seconds) {
      return usage_error("--ttl must be whole seconds between 1 and " +
                         std::to_string(max_ttl_seconds) + ", got \"" + *ttl_text + "\"");
    }
  }

  const auto env = config::process_environment();
  std::string path = config_path ? *config_path : config::default_config_path(env);
  config::config cfg;
  auto errors = config::load(path, env, cfg);
  if (!errors.empty()) {
    std::cerr << "samling token: invalid configuration"
              << (path.empty() ? std::string() : " (" + path + ")") << ":\n";
    for (const auto& e : errors) std::cerr << "  " << e.to_string() << "\n";
    return 2;
  }
  if (cfg.auth.secret.empty()) {
    std::cerr << "samling token: auth.secret is empty"
              << (path.empty() ? std::string() : " (" + path + ")") << ".\n"
              << "With an empty secret each server start makes up a random one, which this\n"
                 "command cannot know, so a token minted here would be refused. Set auth.secret\n"
                 "(at least 32 bytes, e.g. from `openssl rand -base64 32`) in the configuration,\n"
                 "or SAMLING_AUTH_SECRET in the environment, for both the server and this\n"
                 "command.\n";
    return 2;
  }

  std::string user_id;
  if (user) {
    user_id = *user;
  } else {
    std::optional<std::string> suffix = random_hex(3);
    if (!suffix) {
      std::cerr << "samling token: no random bytes from OpenSSL (RAND_bytes failed)\n";
      return 1;
    }
    std::string s = slug(display_name);
    user_id = "u-" + (s.empty() ? "" : s + "-") + *suffix;
  }

  try {
    auth::keyring keys({cfg.auth.key_id, cfg.auth.secret});
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const auto lifetime = static_cast<std::int64_t>(ttl.value_or(cfg.auth.token_ttl_seconds));
    auth::claims c{.user_id = user_id,
                   .name = display_name,
                   .event = *event,
                   .role = role,
                   .issued_at = now,
                   .expires_at = now + lifetime};
    const std::string token = keys.sign(c);
    if (link) {
      std::string base = base_url ? *base_url
                         : !cfg.server.public_url.empty() ? cfg.server.public_url
                                                          : default_base_url(cfg);
      std::cout << join_link(std::move(base), *event, token) << "\n";
    } else {
      std::cout << token << "\n";
    }
  } catch (const std::invalid_argument& e) {
    // Config validation applies the keyring's rules, so this means the two have drifted apart.
    std::cerr << "samling token: invalid auth configuration: " << e.what() << "\n";
    return 2;
  }
  return std::cout.flush() ? 0 : 1;
}

}  // namespace samling::app
