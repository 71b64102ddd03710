// samling: one binary. Parses the command line and hands over to the subcommand.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "app/account_command.hpp"
#include "app/press_command.hpp"
#include "app/serve.hpp"
#include "app/token_command.hpp"
#include "config/config.hpp"
#include "core/version.hpp"
#include "media/gst_runtime.hpp"

namespace {

constexpr const char* usage =
    "Samling: a real-time livestream and hybrid conference server.\n"
    "\n"
    "Usage:\n"
    "  samling serve [--config PATH]   run the server\n"
    "  samling check-config [--config PATH]\n"
    "                                  validate the configuration and exit\n"
    "  samling token --event ID --name NAME [--role ROLE] [--link] [--config PATH]\n"
    "                                  mint a join token (samling token --help)\n"
    "  samling account add --email E --name N [--role ROLE] [--event ID|*] [--password-stdin]\n"
    "                      [--config PATH]\n"
    "                                  create a staff account (samling account --help)\n"
    "  samling press grant --event ID --name NAME [--email E] [--stages a,b|*] [--config PATH]\n"
    "                                  accredit someone and print their press link\n"
    "                                  (samling press --help)\n"
    "  samling --version               print the version\n"
    "  samling --help                  print this help\n"
    "\n"
    "Configuration: a TOML file (default: $SAMLING_CONFIG, else config/samling.toml when it\n"
    "exists, else built-in defaults), then SAMLING_* environment overrides, e.g.\n"
    "SAMLING_SERVER_PORT=9000. Every key is described in docs/configuration.md.\n"
    "\n"
    "Exit codes: 0 ok; 1 start-up failure (port in use, store cannot open); 2 bad usage or\n"
    "configuration.\n";

int usage_error(const std::string& message) {
  std::cerr << "samling: " << message << "\n\n" << usage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("missing command");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << usage;
    return 0;
  }
  if (args[0] == "--version" || args[0] == "-V" || args[0] == "version") {
    std::string gst_error;
    std::string gst = samling::media::init_gstreamer(gst_error)
                          ? samling::media::gstreamer_version()
                          : "GStreamer unavailable: " + gst_error;
    std::cout << "samling " << samling::core::version() << " (" << gst << ")\n";
    return 0;
  }
  const std::string command = args[0];
  if (command == "token") {
    return samling::app::run_token_command(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (command == "account") {
    return samling::app::run_account_command(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (command == "press") {
    return samling::app::run_press_command(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (command != "serve" && command != "check-config")
    return usage_error("unknown command \"" + command + "\"");

  std::string config_path;
  bool config_given = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--config" || args[i] == "-c") {
      if (i + 1 >= args.size()) return usage_error("--config needs a path");
      config_path = args[++i];
      config_given = true;
    } else if (args[i].starts_with("--config=")) {
      config_path = args[i].substr(9);
      config_given = true;
    } else {
      return usage_error("unknown option \"" + args[i] + "\"");
    }
  }
  const auto env = samling::config::process_environment();
  if (!config_given) config_path = samling::config::default_config_path(env);

  samling::config::config cfg;
  auto errors = samling::config::load(config_path, env, cfg);
  if (!errors.empty()) {
    std::cerr << "samling: invalid configuration"
              << (config_path.empty() ? std::string() : " (" + config_path + ")") << ":\n";
    for (auto& e : errors) std::cerr << "  " << e.to_string() << "\n";
    return 2;
  }
  if (command == "check-config") {
    std::cout << "samling: configuration ok" << (config_path.empty() ? "" : " (" + config_path + ")")
              << "\n";
    return 0;
  }
  return samling::app::serve(cfg);
}
