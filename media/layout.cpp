#include "media/layout.hpp"

#include <charconv>
#include <filesystem>
#include <optional>

#include "media/recording_plan.hpp"

namespace samling::media {

namespace fs = std::filesystem;

std::string layout::hls_dir(std::string_view stage) const { return (fs::path(dir_) / "hls" / stage).string(); }

std::string layout::hls_file(std::string_view stage, std::string_view name) const {
  return (fs::path(dir_) / "hls" / stage / name).string();
}

std::string layout::recordings_dir(std::string_view stage) const {
  return (fs::path(dir_) / "recordings" / stage).string();
}

std::string layout::recording_path(std::string_view stage, std::string_view name) const {
  return (fs::path(dir_) / "recordings" / stage / name).string();
}

std::string layout::legacy_outputs_file(std::string_view stage) const {
  return (fs::path(dir_) / "outputs" / (std::string(stage) + ".json")).string();
}

std::string hls_segment_pattern(std::string_view run) { return std::string(run) + "-%05u.ts"; }

bool is_live_file_name(std::string_view name) {
  if (name == layout::playlist_name) return true;
  return name.size() > 3 && name.size() < 64 && name.ends_with(".ts") && is_safe_file_name(name);
}

bool is_recording_file_name(std::string_view name) {
  return (name.ends_with(".ts") || name.ends_with(".vtt")) && is_safe_file_name(name);
}

namespace {

struct segment_name {
  std::string_view run;
  unsigned long index = 0;
};

// "<run>-<digits>.ts" → its run and number.
std::optional<segment_name> parse_segment(std::string_view name) {
  if (!name.ends_with(".ts")) return std::nullopt;
  name.remove_suffix(3);
  auto dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == name.size()) return std::nullopt;
  auto digits = name.substr(dash + 1);
  segment_name out{name.substr(0, dash)};
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.index);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return out;
}

// The last segment URI line of a playlist (the newest segment), if any.
std::string_view newest_listed(std::string_view playlist) {
  std::string_view newest;
  std::size_t pos = 0;
  while (pos < playlist.size()) {
    auto end = playlist.find('\n', pos);
    if (end == std::string_view::npos) end = playlist.size();
    auto line = playlist.substr(pos, end - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!line.empty() && line.front() != '#') newest = line;
    pos = end + 1;
  }
  return newest;
}

constexpr std::int64_t untouched_for_ms = 3000;

}  // namespace

bool hls_segment_complete(std::string_view name, const std::string* playlist, std::int64_t unmodified_ms) {
  if (playlist) {
    if (playlist->find("\n" + std::string(name) + "\n") != std::string::npos) return true;
    auto seg = parse_segment(name);
    auto newest = parse_segment(newest_listed(*playlist));
    if (seg && newest && seg->run == newest->run) return seg->index <= newest->index;
  }
  return unmodified_ms >= untouched_for_ms;
}

}  // namespace samling::media
