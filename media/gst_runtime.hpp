#pragma once
// GStreamer's process-wide runtime: initialised once, before any pipeline exists.
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

}  // namespace samling::media
