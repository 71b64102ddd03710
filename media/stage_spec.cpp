#include "media/stage_spec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <system_error>

namespace samling::media {

namespace {

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::size_t code_points(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

bool starts_with_any(const std::string& s, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](std::string_view p) { return s.starts_with(p); });
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string between(const std::string& min, const std::string& max, const std::string& got) {
  return "must be between " + min + " and " + max + ", got " + got;
}

}  // namespace

// ---- single values ----

std::optional<std::string> integer_problem(const value_range& r, std::int64_t v) {
  if (static_cast<double>(v) < r.min || static_cast<double>(v) > r.max) {
    return between(std::to_string(static_cast<std::int64_t>(r.min)), std::to_string(static_cast<std::int64_t>(r.max)),
                   std::to_string(v));
  }
  if (r.even && v % 2 != 0) return "must be even, got " + std::to_string(v);
  return std::nullopt;
}

std::optional<std::string> number_problem(const value_range& r, double v) {
  if (!std::isfinite(v) || v < r.min || v > r.max)
    return between(format_number(r.min), format_number(r.max), format_number(v));
  return std::nullopt;
}

std::string format_number(double v) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  std::string s(buffer, ec == std::errc() ? end : buffer);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // n: nan, inf
  return s;
}

std::optional<std::string> one_of_problem(std::span<const std::string_view> names, const std::string& v) {
  if (std::find(names.begin(), names.end(), v) != names.end()) return std::nullopt;
  std::string allowed;
  for (std::string_view a : names) allowed += (allowed.empty() ? "" : ", ") + in_quotes(a);
  return "expected one of " + allowed + ", got " + in_quotes(v);
}

std::optional<std::string> id_problem(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 40 && std::all_of(id.begin(), id.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            });
  if (ok) return std::nullopt;
  std::string rule = "1 to 40 characters of a-z, 0-9 and '-'";
  return id.empty() ? "is required: " + rule : "must be " + rule + ", got " + in_quotes(id);
}

std::optional<std::string> stage_name_problem(const std::string& text) {
  if (text.empty()) return "must not be empty";
  if (code_points(text) > 100 || has_control(text)) return "must be 1 to 100 characters without control characters";
  return std::nullopt;
}

std::optional<std::string> passphrase_problem(const std::string& p) {
  if (p.empty() || (p.size() >= 10 && p.size() <= 79)) return std::nullopt;
  return "must be empty (unencrypted) or 10 to 79 characters, got " + std::to_string(p.size()) + " characters";
}

std::optional<std::string> stream_id_problem(const std::string& id) {
  // Control characters would only be a copy-and-paste accident: no encoder's settings field
  // can send them.
  if (id.size() > 512) return "must be at most 512 characters, got " + std::to_string(id.size());
  if (has_control(id)) return std::string("must not contain control characters (tabs, line breaks)");
  return std::nullopt;
}

std::optional<std::string> pull_url_problem(const std::string& url) {
  if (url.empty() || starts_with_any(url, {"srt://", "rtmp://", "rtmps://", "rtsp://", "http://", "https://"}))
    return std::nullopt;
  return "must be an srt://, rtmp://, rtmps://, rtsp://, http:// or https:// URL";
}

std::optional<std::string> output_name_problem(const std::string& name) {
  if (name.empty()) return "is required, e.g. \"YouTube\"";
  if (code_points(name) > 60 || has_control(name)) return "must be 1 to 60 characters without control characters";
  return std::nullopt;
}

std::optional<std::string> output_url_problem(const std::string& url) {
  const std::string rule = "an rtmp:// or rtmps:// server URL without the stream key";
  if (url.empty()) return "is required: " + rule;
  // Not quoted: some services put the key into the URL after all.
  if (!starts_with_any(url, {"rtmp://", "rtmps://"})) return "must be " + rule;
  if (url.size() < 10 || url.size() > 500 || has_control(url) || url.find(' ') != std::string::npos)
    return "must be " + rule + ", 10 to 500 characters without spaces";
  return std::nullopt;
}

std::optional<std::string> stream_key_problem(const std::string& key) {
  if (key.empty()) return "is required: the stream key, 1 to 300 characters without spaces";
  if (key.size() > 300 || has_control(key) || key.find(' ') != std::string::npos)
    return "must be 1 to 300 characters without spaces (the stream key)";
  return std::nullopt;
}

// ---- across values ----

std::vector<field_problem> input_problems(const input_spec& in, stage_mode m) {
  std::vector<field_problem> out;
  if (in.kind == input_kind::pull && in.url.empty()) out.push_back({"input.url", "is required with input = \"pull\""});
  if (in.kind == input_kind::file && in.file.empty()) out.push_back({"input.file", "is required with input = \"file\""});
  if (in.kind == input_kind::test && m != stage_mode::produced)
    out.push_back({"mode", "input = \"test\" makes raw video and needs mode = \"produced\", got " + in_quotes(to_string(m))});
  return out;
}

std::optional<std::string> segment_problem(stage_mode m, double segment_seconds, double keyframe_seconds) {
  if (m != stage_mode::produced || segment_seconds >= keyframe_seconds) return std::nullopt;
  return "must be at least keyframe_seconds (" + format_number(keyframe_seconds) +
         ") in produced mode, since segments start at keyframes, got " + format_number(segment_seconds);
}

std::optional<std::string> window_problem(double window_seconds, double segment_seconds) {
  if (window_seconds >= 3 * segment_seconds) return std::nullopt;
  return "must be at least 3 segments (3 x hls_segment_seconds = " + format_number(3 * segment_seconds) + "), got " +
         format_number(window_seconds);
}

// ---- whole specs ----

std::vector<std::string> validate_stage(const stage_spec& s) {
  std::vector<std::string> out;
  auto check = [&out](const std::string& field, const std::optional<std::string>& problem) {
    if (problem) out.push_back(field + ": " + *problem);
  };
  check("id", id_problem(s.id));
  if (s.name.empty()) out.push_back("name: is required, in at least one language (e.g. name.sv)");
  const auto& in = s.input;
  if (in.kind == input_kind::srt_listener) {
    check("input.port", integer_problem(ranges::port, in.port));
    check("input.passphrase", passphrase_problem(in.passphrase));
    check("input.stream_id", stream_id_problem(in.stream_id));
    check("input.latency_ms", integer_problem(ranges::latency_ms, in.latency_ms));
  }
  if (in.kind == input_kind::pull) check("input.url", pull_url_problem(in.url));
  for (auto& p : input_problems(in, s.mode)) out.push_back(p.field + ": " + p.message);
  const auto& p = s.produced;
  check("produced.width", integer_problem(ranges::width, p.width));
  check("produced.height", integer_problem(ranges::height, p.height));
  check("produced.fps", integer_problem(ranges::fps, p.fps));
  check("produced.video_kbps", integer_problem(ranges::video_kbps, p.video_kbps));
  check("produced.audio_kbps", integer_problem(ranges::audio_kbps, p.audio_kbps));
  check("produced.keyframe_seconds", number_problem(ranges::keyframe_seconds, p.keyframe_seconds));
  check("produced.preset", one_of_problem(x264_presets, p.preset));
  check("hls_segment_seconds", number_problem(ranges::hls_segment_seconds, s.hls_segment_seconds));
  auto window = number_problem(ranges::hls_window_seconds, s.hls_window_seconds);
  check("hls_window_seconds", window ? window : window_problem(s.hls_window_seconds, s.hls_segment_seconds));
  check("input_timeout_ms", integer_problem(ranges::input_timeout_ms, s.input_timeout_ms));
  std::vector<std::string> ids;
  for (auto& o : s.outputs) {
    if (auto e = validate_output(o)) out.push_back("outputs." + o.id + ": " + *e);
    if (std::find(ids.begin(), ids.end(), o.id) != ids.end()) out.push_back("outputs." + o.id + ": duplicate id");
    ids.push_back(o.id);
  }
  return out;
}

std::optional<std::string> validate_output(const output_spec& o) {
  if (auto p = id_problem(o.id)) return "id: " + *p;
  if (auto p = output_name_problem(o.name)) return "name: " + *p;
  if (auto p = output_url_problem(o.url)) return "url: " + *p;
  if (auto p = stream_key_problem(o.key)) return "key: " + *p;
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
