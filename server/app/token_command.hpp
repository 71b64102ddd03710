#pragma once
// `samling token`: mints a signed join token with the configured current key (auth.key_id,
// auth.secret) and prints it, so an organizer can hand out links without a login system.
// Reads the same configuration as `samling serve`; needs no running server and no store.
#include <string>
#include <vector>

namespace samling::app {

// `args` are the arguments after "token". Prints the token (with --link: a join link,
// "<base>/#event=<event>&join=<token>") alone on stdout and returns 0;
// `--help` prints the usage and returns 0; a usage or configuration problem is explained on
// stderr and returns 2.
int run_token_command(const std::vector<std::string>& args);

}  // namespace samling::app
