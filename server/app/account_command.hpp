#pragma once
// `samling account add`: creates a staff account (e-mail + Argon2id password) in the configured
// store, or adds a role to an existing one, so the first organizer exists before anyone can
// sign in. Opens the store (store.path) and runs its migrations as `samling serve` does.
#include <string>
#include <vector>

namespace samling::app {

// `args` are the arguments after "account". Returns 0 when the account was created or the
// role added (or already there); 2 for bad usage, configuration or input (explained on
// stderr); 1 when the store cannot be opened or written.
int run_account_command(const std::vector<std::string>& args);

}  // namespace samling::app
