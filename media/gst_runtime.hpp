#pragma once
// GStreamer's process-wide runtime: initialised once, before any pipeline exists.
#include <functional>
#include <string>
#include <vector>

namespace samling::media {

// Initialises GStreamer (idempotent, thread-safe). Returns false with `error` set when it
// cannot start; the server then runs without media.
bool init_gstreamer(std::string& error);

// "GStreamer 1.22.0", after init.
std::string gstreamer_version();

// The element factories among `names` that this machine's GStreamer lacks, after init.
std::vector<std::string> missing_elements(const std::vector<std::string>& names);

// Routes GStreamer's own WARNING/ERROR debug output into the server log (with the object's
// path) instead of stderr, and hands SRT callers refused in the handshake (libsrt logs them
// only on its own debug category) to the stage whose listener refused them (srt_refusals.hpp);
// one no listener claims goes to `on_unattributed_refusal(reason, detail)`. Call once.
void route_gstreamer_logs(std::function<void(const std::string& reason, const std::string& detail)> on_unattributed_refusal);

}  // namespace samling::media
