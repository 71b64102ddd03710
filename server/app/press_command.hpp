#pragma once
// `samling press grant`: accredits someone from the command line (for scripts and the press
// officer's own use, issue 18): stores the grant in the configured store, records it in the
// audit log (actor "cli"), queues the grant_issued mail when --email is given (sent by the
// running server's outbox worker), and prints the personal press link on stdout.
#include <string>
#include <vector>

namespace samling::app {

// `args` are the arguments after "press". Returns 0 when the grant was stored and its link
// printed; 2 for bad usage, configuration or input (explained on stderr); 1 when the store
// cannot be opened or written.
int run_press_command(const std::vector<std::string>& args);

}  // namespace samling::app
