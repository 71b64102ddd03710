#pragma once
// `samling serve`: starts every part from a validated configuration and runs until SIGINT or
// SIGTERM, then shuts down in two phases (stop accepting and finish in-flight requests within
// the grace period; then close what is left), closes the store, and returns the exit code.
#include "config/config.hpp"

namespace samling::app {

// Exit codes: 0 clean shutdown; 1 a start-up failure outside configuration (port in use,
// store cannot open); 2 configuration or usage error.
int serve(const config::config& cfg);

}  // namespace samling::app
