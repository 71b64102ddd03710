// `samling account add`: argument parsing, the checks on e-mail, name, role, event and
// password, and the store writes.
#include "app/account_command.hpp"

#include <sodium.h>
#include <unistd.h>

#include <chrono>
#include <exception>
#include <iostream>
#include <iterator>
#include <optional>
#include <string_view>

#include "app/cli.hpp"
#include "auth/account_store.hpp"
#include "auth/password.hpp"
#include "config/config.hpp"
#include "core/utf8.hpp"
#include "store/sqlite_account_store.hpp"
#include "store/sqlite_audit_log.hpp"
#include "store/sqlite_session_store.hpp"
#include "store/sqlite_db.hpp"

namespace samling::app {
namespace {

constexpr const char* usage =
    "Usage: samling account add --email EMAIL --name NAME [options]\n"
    "\n"
    "Creates a staff account in the configured store (store.path; the database is created and\n"
    "migrated when needed, as `samling serve` does) and gives it a role. For an e-mail that\n"
    "has an account already, it only adds the role (nothing else changes) and says so, unless\n"
    "--reset-password is given: then its password is replaced too.\n"
    "\n"
    "The password: with --password-stdin, the first line of standard input (12-256 bytes of\n"
    "UTF-8, not only white space); otherwise a password of 20 random characters is generated\n"
    "and printed once on stdout. It is stored only as an Argon2id hash.\n"
    "\n"
    "Options:\n"
    "  --email EMAIL     the sign-in address (required); stored trimmed and lower-cased\n"
    "  --name NAME       the display name (required), 1-100 characters\n"
    "  --role ROLE       organizer (default), moderator, press, speaker or attendee\n"
    "  --event ID|*      the event the role is for; * (default) means every event\n"
    "  --password-stdin  read the password from standard input instead of generating one\n"
    "  --reset-password  an existing account gets the new password (generated and printed, or\n"
    "                    from standard input); its sign-in sessions stay until they expire\n"
    "  --config PATH     the configuration (default: $SAMLING_CONFIG, else config/samling.toml\n"
    "                    when it exists, else built-in defaults); SAMLING_* overrides apply\n"
    "  --help            print this help\n"
    "\n"
    "Exit codes: 0 ok; 1 the store cannot be opened or written; 2 bad usage, configuration or\n"
    "input.\n";

constexpr std::size_t max_name_chars = 100;
constexpr std::size_t generated_password_chars = 20;

int usage_error(const std::string& message) {
  std::cerr << "samling account: " << message << "\n(see samling account --help)\n";
  return 2;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Code points when `s` is valid UTF-8 without control characters; nullopt otherwise.
std::optional<std::size_t> name_length(std::string_view s) {
  if (core::has_control(s)) return std::nullopt;
  return core::utf8_length(s);
}

std::string describe(const auth::account_role& r) {
  return std::string(auth::to_string(r.r)) +
         (r.event_id == auth::any_event ? " on every event" : " on event " + r.event_id);
}

std::string new_account_id() {
  unsigned char raw[8];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return "a-" + std::string(hex);
}

int run_add(const std::vector<std::string>& args) {
  std::optional<std::string> config_path, email, name, role_text, event;
  bool password_stdin = false;
  bool reset_password = false;
  const value_option values[] = {{"--config", &config_path}, {"--email", &email}, {"--name", &name},
                                 {"--role", &role_text},     {"--event", &event}};
  const switch_option switches[] = {{"--password-stdin", &password_stdin}, {"--reset-password", &reset_password}};
  bool help = false;
  if (auto problem = parse_options(args, values, switches, help)) return usage_error(*problem);
  if (help) {
    std::cout << usage;
    return 0;
  }

  if (!email) return usage_error("--email is required");
  const std::string normalized = auth::normalize_email(*email);
  if (auto problem = auth::email_problem(normalized)) {
    return usage_error("--email \"" + *email + "\": " + *problem);
  }
  if (!name) return usage_error("--name is required");
  const std::string display_name(trim(*name));
  if (display_name.empty()) return usage_error("--name must not be empty");
  std::optional<std::size_t> name_chars = name_length(display_name);
  if (!name_chars) return usage_error("--name must be UTF-8 without control characters");
  if (*name_chars > max_name_chars) {
    return usage_error("--name is " + std::to_string(*name_chars) + " characters; at most " +
                       std::to_string(max_name_chars) + " are allowed");
  }
  auth::account_role grant{std::string(auth::any_event), auth::role::organizer};
  if (role_text) {
    std::optional<auth::role> r = auth::role_from_string(*role_text);
    if (!r || *r == auth::role::guest) {
      return usage_error("--role \"" + *role_text +
                         "\" is not one of organizer, moderator, press, speaker, attendee");
    }
    grant.r = *r;
  }
  if (event) {
    if (*event != auth::any_event && !is_event_id(*event)) {
      return usage_error("--event \"" + *event + "\" is not an event id (a-z, 0-9 and -) or *");
    }
    grant.event_id = *event;
  }

  const auto env = config::process_environment();
  std::string path = config_path ? *config_path : config::default_config_path(env);
  config::config cfg;
  auto errors = config::load(path, env, cfg);
  if (!errors.empty()) {
    std::cerr << "samling account: invalid configuration"
              << (path.empty() ? std::string() : " (" + path + ")") << ":\n";
    for (const auto& e : errors) std::cerr << "  " << e.to_string() << "\n";
    return 2;
  }

  if (!auth::init_sodium()) {
    std::cerr << "samling account: libsodium could not be initialised (sodium_init failed)\n";
    return 1;
  }

  // The password is read before the store is touched, so a refused one writes nothing.
  std::optional<std::string> password;
  if (password_stdin) {
    if (isatty(STDIN_FILENO)) std::cerr << "Password (one line): " << std::flush;
    std::string line;
    if (!std::getline(std::cin, line) && line.empty()) {
      return usage_error("--password-stdin: standard input is empty");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (auto problem = auth::password_problem(line)) return usage_error("--password-stdin: " + *problem);
    password = std::move(line);
  }

  try {
    store::sqlite_db db(cfg.store.path);
    store::sqlite_account_store accounts(db);
    // Every staff change goes to the audit log, this command's too (actor "cli").
    store::sqlite_audit_log audit(db);
    auto record = [&](std::string action, std::string detail) {
      audit.record({.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count(),
                    .actor = "cli",
                    .actor_name = "samling account add",
                    .event_id = grant.event_id == auth::any_event ? "" : grant.event_id,
                    .action = std::move(action),
                    .target = normalized,
                    .detail = std::move(detail),
                    .remote = ""});
    };
    if (std::optional<auth::account> existing = accounts.find_by_email(normalized)) {
      const bool added = accounts.grant_role(existing->id, grant);
      if (added) record("staff.role_granted", describe(grant));
      if (reset_password) record("staff.password_reset", existing->id);
      if (reset_password) {
        const bool generated = !password;
        if (generated) password = auth::generate_password(generated_password_chars);
        accounts.set_password(existing->id, auth::hash_password(*password));
        // A new password ends the account's sessions (whoever had the old one is out) and lifts
        // a sign-in lock-out: this is how an operator lets a locked-out organizer back in.
        store::sqlite_session_store sessions(db);
        sessions.remove_all_of(existing->id);
        sessions.clear_failures("account:" + existing->id);
        std::cout << "samling account: " << normalized << " has an account already (" << existing->id << "); "
                  << (added ? "added the role " : "it already had the role ") << describe(grant)
                  << "; its password is replaced.\n";
        if (generated) std::cout << "password: " << *password << "\n";
        sodium_memzero(password->data(), password->size());
        return std::cout.flush() ? 0 : 1;
      }
      std::cout << "samling account: " << normalized << " has an account already (" << existing->id
                << "); " << (added ? "added the role " : "it already had the role ") << describe(grant)
                << (password ? "; its password is unchanged" : "") << ".\n";
      return std::cout.flush() ? 0 : 1;
    }
    const bool generated = !password;
    if (generated) password = auth::generate_password(generated_password_chars);
    auth::account a{.id = new_account_id(),
                    .email = normalized,
                    .display_name = display_name,
                    .password_hash = auth::hash_password(*password),
                    .created_at = std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count(),
                    .disabled = false};
    accounts.create(a);
    accounts.grant_role(a.id, grant);
    record("staff.account_created", a.id + ", " + describe(grant));
    std::cout << "samling account: created " << a.id << " for " << normalized << " ("
              << display_name << "), " << describe(grant) << ".\n";
    if (generated) {
      std::cout << "password: " << *password << "\n"
                << "This password is shown only once: hand it over safely and change it after "
                   "the first sign-in.\n";
    }
    sodium_memzero(password->data(), password->size());
  } catch (const auth::duplicate_email& e) {
    // Another `account add` created it between our lookup and insert.
    std::cerr << "samling account: " << e.what() << "; run the command again to add the role\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "samling account: " << e.what() << "\n";
    return 1;
  }
  return std::cout.flush() ? 0 : 1;
}

}  // namespace

int run_account_command(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("missing subcommand (add)");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage;
    return 0;
  }
  if (args[0] != "add") return usage_error("unknown subcommand \"" + args[0] + "\" (known: add)");
  return run_add(std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace samling::app
