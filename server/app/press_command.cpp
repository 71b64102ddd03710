// `samling press grant`: argument parsing, the checks against the event (days, stages, rooms),
// and the store writes in one transaction with the audit entry and the mail.
#include "app/press_command.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <string_view>

#include <boost/json/serialize.hpp>

#include "api/press_context.hpp"
#include "api/press_routes.hpp"
#include "app/cli.hpp"
#include "auth/account_store.hpp"
#include "auth/token.hpp"
#include "config/config.hpp"
#include "core/utf8.hpp"
#include "press/press.hpp"
#include "press/texts.hpp"
#include "program/demo.hpp"
#include "program/timezone.hpp"
#include "store/sqlite_audit_log.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_outbox_store.hpp"
#include "store/sqlite_press_store.hpp"
#include "store/sqlite_program_store.hpp"

namespace samling::app {
namespace {

constexpr const char* usage =
    "Usage: samling press grant --event ID --name NAME [options]\n"
    "\n"
    "Accredits one person for an event's gated stages and rooms: stores a press grant in the\n"
    "configured store (store.path, as `samling serve` uses it), records it in the audit log\n"
    "and prints the personal press link alone on stdout:\n"
    "  <base>/#press=<grant>\n"
    "<base> is server.public_url, else http(s)://<server.listen>:<server.port>. The grant is\n"
    "signed with auth.key_id and auth.secret, which must be the running server's. With --email\n"
    "the link is also mailed (queued in the outbox; the server sends it). The press officer\n"
    "sees the grant in the console and can revoke it there.\n"
    "\n"
    "Options:\n"
    "  --event ID             the event (required)\n"
    "  --name NAME            the person (required), 1-100 characters\n"
    "  --outlet OUTLET        the publication or broadcaster\n"
    "  --email EMAIL          where the link is mailed too\n"
    "  --language sv|en|fi    the mail's language (default sv)\n"
    "  --stages a,b|*         the stages it opens (default *: every stage up to press)\n"
    "  --rooms r,s|*          the rooms it opens (default *)\n"
    "  --days D1,D2           the event days it covers (default: all); the validity is these\n"
    "                         days in the event's zone with [press] grace_before/after_minutes\n"
    "  --valid-from RFC3339   instead of --days: from this time (with --valid-until)\n"
    "  --valid-until RFC3339  until this time\n"
    "  --device-cap N         devices at once, 1-20 (default: press.device_cap)\n"
    "  --config PATH          the configuration (default: $SAMLING_CONFIG, else\n"
    "                         config/samling.toml when it exists, else built-in defaults)\n"
    "  --help                 print this help\n"
    "\n"
    "Exit codes: 0 ok; 1 the store cannot be opened or written; 2 bad usage, configuration or\n"
    "input.\n";

int usage_error(const std::string& message) {
  std::cerr << "samling press: " << message << "\n(see samling press --help)\n";
  return 2;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (true) {
    auto comma = s.find(',');
    auto part = s.substr(0, comma);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string default_base_url(const config::config& cfg) {
  std::string host = cfg.server.listen;
  if (host == "0.0.0.0" || host == "::" || host == "[::]") host = "localhost";
  else if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  const bool tls = !cfg.tls.certificate.empty();
  return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(cfg.server.port);
}

int run_grant(const std::vector<std::string>& args) {
  std::optional<std::string> config_path, event, name, outlet, email, language, stages, rooms, days, valid_from,
      valid_until, device_cap;
  const value_option values[] = {{"--config", &config_path},  {"--event", &event},
                                 {"--name", &name},           {"--outlet", &outlet},
                                 {"--email", &email},         {"--language", &language},
                                 {"--stages", &stages},       {"--rooms", &rooms},
                                 {"--days", &days},           {"--valid-from", &valid_from},
                                 {"--valid-until", &valid_until}, {"--device-cap", &device_cap}};
  bool help = false;
  if (auto problem = parse_options(args, values, {}, help)) return usage_error(*problem);
  if (help) {
    std::cout << usage;
    return 0;
  }

  // What can be checked without the configuration and the store.
  if (!event) return usage_error("--event is required");
  if (!is_event_id(*event)) return usage_error("--event \"" + *event + "\" is not an event id (a-z, 0-9 and -)");
  if (!name) return usage_error("--name is required");
  auto text_ok = [](const std::string& s, std::size_t max) {
    auto len = core::utf8_length(s);
    return len && *len >= 1 && *len <= max && !core::has_control(s);
  };
  if (!text_ok(*name, press::max_name_chars))
    return usage_error("--name must be 1-" + std::to_string(press::max_name_chars) +
                       " characters of UTF-8 without control characters");
  if (outlet && !outlet->empty() && !text_ok(*outlet, press::max_outlet_chars))
    return usage_error("--outlet must be at most " + std::to_string(press::max_outlet_chars) +
                       " characters of UTF-8 without control characters");
  std::string normalized_email;
  if (email) {
    normalized_email = auth::normalize_email(*email);
    if (auto problem = auth::email_problem(normalized_email)) return usage_error("--email \"" + *email + "\": " + *problem);
  }
  std::string lang = language.value_or("sv");
  if (lang != "sv" && lang != "en" && lang != "fi") return usage_error("--language must be sv, en or fi");
  if (days && (valid_from || valid_until)) return usage_error("give --days or --valid-from/--valid-until, not both");
  if (valid_from.has_value() != valid_until.has_value())
    return usage_error("--valid-from and --valid-until go together");
  std::optional<std::int64_t> from, until;
  if (valid_from) {
    from = program::parse_utc_iso(*valid_from);
    if (!from) return usage_error("--valid-from \"" + *valid_from + "\" is not an RFC 3339 time with an offset");
    until = program::parse_utc_iso(*valid_until);
    if (!until) return usage_error("--valid-until \"" + *valid_until + "\" is not an RFC 3339 time with an offset");
    if (*until <= *from) return usage_error("--valid-until must be after --valid-from");
  }
  std::optional<std::uint32_t> cap;
  if (device_cap) {
    std::uint32_t n = 0;
    bool ok = !device_cap->empty() && device_cap->size() <= 2;
    for (char c : *device_cap) ok = ok && c >= '0' && c <= '9';
    if (ok) n = static_cast<std::uint32_t>(std::stoul(*device_cap));
    if (!ok || n < 1 || n > 20) return usage_error("--device-cap must be a number from 1 to 20");
    cap = n;
  }

  const auto env = config::process_environment();
  std::string path = config_path ? *config_path : config::default_config_path(env);
  config::config cfg;
  auto errors = config::load(path, env, cfg);
  if (!errors.empty()) {
    std::cerr << "samling press: invalid configuration" << (path.empty() ? std::string() : " (" + path + ")") << ":\n";
    for (const auto& e : errors) std::cerr << "  " << e.to_string() << "\n";
    return 2;
  }
  if (cfg.auth.secret.empty()) {
    std::cerr << "samling press: auth.secret is empty" << (path.empty() ? std::string() : " (" + path + ")") << ".\n"
              << "With an empty secret each server start makes up a random one, which this command cannot\n"
                 "know, so a link signed here would be refused. Set auth.secret (or SAMLING_AUTH_SECRET)\n"
                 "for both the server and this command.\n";
    return 2;
  }
  std::string key_error;
  auto previous = auth::parse_key_list(cfg.auth.previous_keys, key_error);
  if (!previous) return usage_error("auth.previous_keys: " + key_error);

  try {
    auth::keyring keys({cfg.auth.key_id, cfg.auth.secret}, *previous);
    store::sqlite_db db(cfg.store.path);
    store::sqlite_program_store programs(db);
    // A fresh demo store has its program only after the first start; seed it as serve does.
    if (cfg.demo.seed) program::seed_demo_if_empty(programs, cfg.demo.file);
    auto e = programs.find_event(*event);
    if (!e) {
      std::string known;
      for (auto& s : programs.list_events()) known += (known.empty() ? "" : ", ") + s.id;
      return usage_error("no event \"" + *event + "\" in the program" + (known.empty() ? "" : " (events: " + known + ")"));
    }
    // The event's stages, as serve resolves a stage's event (empty: the program's first).
    auto all_events = programs.list_events();
    std::string first = all_events.empty() ? std::string() : all_events.front().id;
    std::vector<std::string> stage_ids;
    for (auto& st : cfg.stages)
      if ((st.event.empty() ? first : st.event) == e->id) stage_ids.push_back(st.id);

    press::grant_record g;
    g.grant.id = press::new_grant_id();
    g.grant.event = e->id;
    g.grant.name = *name;
    g.grant.outlet = outlet.value_or("");
    g.grant.stages = stages ? split_list(*stages) : std::vector<std::string>{"*"};
    g.grant.rooms = rooms ? split_list(*rooms) : std::vector<std::string>{"*"};
    for (auto& p : api::check_grant_scope(g.grant.stages, g.grant.rooms, stage_ids, *e)) {
      std::string known;
      if (p.field == "stages")
        for (auto& s : stage_ids) known += (known.empty() ? "" : ", ") + s;
      else
        for (auto& r : e->rooms) known += (known.empty() ? "" : ", ") + r.id;
      return usage_error("--" + p.field + " must be * or ids of the event's " + p.field +
                         (known.empty() ? " (it has none)" : " (" + known + ")"));
    }
    std::vector<std::string> covered = e->days;
    if (days) {
      covered = split_list(*days);
      for (auto& d : covered)
        if (std::find(e->days.begin(), e->days.end(), d) == e->days.end()) {
          std::string known;
          for (auto& x : e->days) known += (known.empty() ? "" : ", ") + x;
          return usage_error("--days: \"" + d + "\" is not a day of the event (" + known + ")");
        }
      std::sort(covered.begin(), covered.end());
    }
    if (from) {
      g.grant.valid_from = *from;
      g.grant.valid_until = *until;
    } else {
      auto v = press::validity_of(covered, e->timezone, static_cast<std::int64_t>(cfg.press.grace_before_minutes) * 60,
                                  static_cast<std::int64_t>(cfg.press.grace_after_minutes) * 60);
      if (!v) return usage_error("the event has no days: give --valid-from and --valid-until");
      g.grant.valid_from = v->from;
      g.grant.valid_until = v->until;
    }
    g.grant.device_cap = cap.value_or(cfg.press.device_cap);
    g.email = normalized_email;
    g.language = lang;
    g.created_by = "cli";
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    g.created_at = now_ms / 1000;

    api::press_context ctx;  // only for the link's form
    ctx.public_url = cfg.server.public_url.empty() ? default_base_url(cfg) : cfg.server.public_url;
    const std::string link = api::press_link(ctx, press::sign_grant(g.grant, keys));

    store::sqlite_press_store press_store(db);
    store::sqlite_audit_log audit(db);
    store::sqlite_outbox_store outbox(db);
    press_store.in_transaction([&] {
      press_store.add_grant(g);
      std::string scope;
      for (auto& s : g.grant.stages) scope += (scope.empty() ? "" : ",") + s;
      audit.record({.at_ms = now_ms,
                    .actor = "cli",
                    .actor_name = "samling press grant",
                    .event_id = e->id,
                    .action = "press.grant.issued",
                    .target = g.grant.id,
                    .detail = g.grant.name + (g.grant.outlet.empty() ? "" : ", " + g.grant.outlet) + "; stages " + scope,
                    .remote = ""});
      if (!g.email.empty()) {
        press::mail_context mc;
        mc.event_title = e->title;
        mc.days_text = api::press_days_text(covered, lang);
        if (auto s = press_store.find_settings(e->id)) mc.contacts = s->contacts;
        mc.link = link;
        mc.to = g.email;
        mc.to_name = g.grant.name;
        mc.language = lang;
        mc.event_id = e->id;
        mc.valid_text = api::press_valid_text(g.grant.valid_from, g.grant.valid_until, e->timezone, lang);
        outbox.enqueue(press::build_mail(press::mail_kind::grant_issued, mc));
      }
    });
    std::cout << link << "\n";
    std::cerr << "samling press: granted " << g.grant.id << " to " << g.grant.name << " for " << e->id << ", valid "
              << program::utc_iso(g.grant.valid_from) << " to " << program::utc_iso(g.grant.valid_until)
              << (g.email.empty() ? "" : "; the link is mailed to " + g.email) << ".\n";
  } catch (const std::invalid_argument& ex) {
    std::cerr << "samling press: invalid auth configuration: " << ex.what() << "\n";
    return 2;
  } catch (const std::exception& ex) {
    std::cerr << "samling press: " << ex.what() << "\n";
    return 1;
  }
  return std::cout.flush() ? 0 : 1;
}

}  // namespace

int run_press_command(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("missing subcommand (grant)");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage;
    return 0;
  }
  if (args[0] != "grant") return usage_error("unknown subcommand \"" + args[0] + "\" (known: grant)");
  return run_grant(std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace samling::app
