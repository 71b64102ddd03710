#pragma once
// How a relay destination connects, notices a hang and retries (relay.hpp). A plain value, set
// from the configuration through engine_options, so it needs no GStreamer.
#include <chrono>

#include "media/backoff.hpp"

namespace samling::media {

struct relay_timing {
  std::chrono::milliseconds connect_timeout{10000};  // from start to media flowing
  std::chrono::milliseconds hung_after{5000};        // no bytes leaving while we feed
  std::chrono::milliseconds healthy_after{10000};    // live this long resets the backoff
  backoff_policy backoff{};
  // Probes of an unreachable destination: one TCP connect this often, each given up after
  // probe_timeout.
  std::chrono::milliseconds probe_interval{1000};
  std::chrono::milliseconds probe_timeout{2000};
  int closes_before_reject = 3;
};

}  // namespace samling::media
