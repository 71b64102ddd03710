#include "media/status.hpp"

namespace samling::media {

std::string to_string(stage_state s) {
  switch (s) {
    case stage_state::offline: return "offline";
    case stage_state::standby: return "standby";
    case stage_state::live: return "live";
  }
  return "offline";
}

std::string to_string(input_state s) {
  switch (s) {
    case input_state::idle: return "idle";
    case input_state::waiting: return "waiting";
    case input_state::connected: return "connected";
    case input_state::failed: return "failed";
  }
  return "idle";
}

std::string to_string(output_state s) {
  switch (s) {
    case output_state::idle: return "idle";
    case output_state::connecting: return "connecting";
    case output_state::live: return "live";
    case output_state::retrying: return "retrying";
    case output_state::failed: return "failed";
    case output_state::stopped: return "stopped";
  }
  return "idle";
}

}  // namespace samling::media
