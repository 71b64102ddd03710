#include "media/stage_spec.hpp"

#include <algorithm>

namespace samling::media {

namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 40) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

std::vector<std::string> validate_stage(const stage_spec& s) {
  std::vector<std::string> out;
  if (!valid_id(s.id)) out.push_back("id: 1-40 characters of a-z, 0-9 and '-'");
  if (s.name.empty()) out.push_back("name: give the stage a name (e.g. name.sv)");
  const auto& in = s.input;
  switch (in.kind) {
    case input_kind::srt_listener:
      if (in.port == 0 || in.port > 65535) out.push_back("input.port: 1-65535");
      if (!in.passphrase.empty() && (in.passphrase.size() < 10 || in.passphrase.size() > 79))
        out.push_back("input.passphrase: SRT passphrases are 10-79 characters");
      if (in.stream_id.size() > 512 ||
          std::any_of(in.stream_id.begin(), in.stream_id.end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; }))
        out.push_back("input.stream_id: at most 512 characters, no control characters");
      if (in.latency_ms < 20 || in.latency_ms > 10000) out.push_back("input.latency_ms: 20-10000");
      break;
    case input_kind::pull:
      if (!(starts_with(in.url, "rtmp://") || starts_with(in.url, "rtmps://") || starts_with(in.url, "srt://") ||
            starts_with(in.url, "rtsp://") || starts_with(in.url, "http://") || starts_with(in.url, "https://")))
        out.push_back("input.url: rtmp://, rtmps://, srt://, rtsp:// or http(s):// URL to pull from");
      break;
    case input_kind::file:
      if (in.file.empty()) out.push_back("input.file: the media file to loop");
      break;
    case input_kind::test:
      break;
  }
  if (in.kind == input_kind::test && s.mode != stage_mode::produced)
    out.push_back("mode: the test input makes raw video, it needs mode = \"produced\"");
  const auto& p = s.produced;
  if (p.width < 16 || p.width > 3840 || p.width % 2) out.push_back("produced.width: even, 16-3840");
  if (p.height < 16 || p.height > 2160 || p.height % 2) out.push_back("produced.height: even, 16-2160");
  if (p.fps < 1 || p.fps > 60) out.push_back("produced.fps: 1-60");
  if (p.video_kbps < 100 || p.video_kbps > 50000) out.push_back("produced.video_kbps: 100-50000");
  if (p.audio_kbps < 32 || p.audio_kbps > 320) out.push_back("produced.audio_kbps: 32-320");
  if (p.keyframe_seconds < 0.5 || p.keyframe_seconds > 10) out.push_back("produced.keyframe_seconds: 0.5-10");
  static const char* presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium"};
  if (std::none_of(std::begin(presets), std::end(presets), [&](const char* x) { return p.preset == x; }))
    out.push_back("produced.preset: ultrafast, superfast, veryfast, faster, fast or medium");
  if (s.hls_segment_seconds < 0.5 || s.hls_segment_seconds > 10) out.push_back("hls_segment_seconds: 0.5-10");
  if (s.hls_window_seconds < s.hls_segment_seconds * 3 || s.hls_window_seconds > 6 * 3600)
    out.push_back("hls_window_seconds: at least 3 segments, at most 6 hours");
  if (s.input_timeout_ms < 200 || s.input_timeout_ms > 10000) out.push_back("input_timeout_ms: 200-10000");
  std::vector<std::string> ids;
  for (auto& o : s.outputs) {
    if (auto e = validate_output(o)) out.push_back("outputs." + o.id + ": " + *e);
    if (std::find(ids.begin(), ids.end(), o.id) != ids.end()) out.push_back("outputs." + o.id + ": duplicate id");
    ids.push_back(o.id);
  }
  return out;
}

std::optional<std::string> validate_output(const output_spec& o) {
  if (!valid_id(o.id)) return "id: 1-40 characters of a-z, 0-9 and '-'";
  if (o.name.empty() || o.name.size() > 60 || has_control(o.name)) return "name: 1-60 characters";
  if (!(starts_with(o.url, "rtmp://") || starts_with(o.url, "rtmps://")) || o.url.size() < 10 ||
      o.url.size() > 500 || has_control(o.url) || o.url.find(' ') != std::string::npos)
    return "url: an rtmp:// or rtmps:// server URL (the stream key goes in \"key\")";
  if (o.key.empty() || o.key.size() > 300 || has_control(o.key) || o.key.find(' ') != std::string::npos)
    return "key: the stream key, 1-300 characters without spaces";
  return std::nullopt;
}

std::string mask_key(const std::string& key) {
  const std::string dots = "\u2022\u2022\u2022\u2022";
  if (key.size() <= 8) return dots;
  return dots + key.substr(key.size() - 4);
}

std::string hide_key(std::string text, const std::string& key) {
  if (key.empty()) return text;
  const std::string masked = mask_key(key);
  for (auto p = text.find(key); p != std::string::npos; p = text.find(key, p + masked.size()))
    text.replace(p, key.size(), masked);
  return text;
}

std::string describe_input(const input_spec& in) {
  switch (in.kind) {
    case input_kind::srt_listener:
      // The stream id is masked too: like a stream key, it is what lets a caller in.
      return "srt://" + in.listen + ":" + std::to_string(in.port) + "?mode=listener" +
             (in.passphrase.empty() ? "" : "&passphrase=\u2022\u2022\u2022\u2022") +
             (in.stream_id.empty() ? "" : "&streamid=\u2022\u2022\u2022\u2022");
    case input_kind::pull: {
      // Strip a query (keys, passphrases, tokens) and user info.
      std::string u = in.url.substr(0, in.url.find('?'));
      auto scheme = u.find("://");
      auto at = u.find('@', scheme == std::string::npos ? 0 : scheme + 3);
      if (scheme != std::string::npos && at != std::string::npos) u = u.substr(0, scheme + 3) + u.substr(at + 1);
      return u;
    }
    case input_kind::file:
      return "file:" + in.file;
    case input_kind::test:
      return "test source";
  }
  return {};
}

std::string to_string(input_kind k) {
  switch (k) {
    case input_kind::srt_listener: return "srt";
    case input_kind::pull: return "pull";
    case input_kind::file: return "file";
    case input_kind::test: return "test";
  }
  return "test";
}

std::string to_string(stage_mode m) { return m == stage_mode::produced ? "produced" : "passthrough"; }

std::optional<input_kind> input_kind_from(const std::string& s) {
  if (s == "srt") return input_kind::srt_listener;
  if (s == "pull") return input_kind::pull;
  if (s == "file") return input_kind::file;
  if (s == "test") return input_kind::test;
  return std::nullopt;
}

std::optional<stage_mode> stage_mode_from(const std::string& s) {
  if (s == "passthrough") return stage_mode::passthrough;
  if (s == "produced") return stage_mode::produced;
  return std::nullopt;
}

}  // namespace samling::media
