#pragma once
// What a stage is configured to do: one input, a mode, outputs, HLS and recording settings.
// Plain values: filled from the configuration file by the application and from the organizer
// API at run time; the media module validates them (validate_* below) before use.
// The rules of the values are here, once: the configuration ([[stages]]) reports the same
// rules under its TOML keys. No GStreamer: its own library (samling_media_spec), so that the
// configuration can use it without linking the pipelines.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace samling::media {

enum class input_kind { srt_listener, pull, file, test };
enum class stage_mode { passthrough, produced };

struct input_spec {
  input_kind kind = input_kind::test;
  std::string listen = "0.0.0.0";   // srt_listener: address to listen on
  std::uint32_t port = 9000;        // srt_listener: UDP port
  std::string passphrase;           // srt_listener: 10-79 characters; empty = unencrypted
  std::string stream_id;            // srt_listener: the only stream id accepted; empty = any
  std::uint32_t latency_ms = 200;   // srt_listener/pull over SRT: receive latency
  std::string url;                  // pull: rtmp://, rtmps://, srt://, rtsp://, http(s)://
  std::string file;                 // file: a media file played in a loop
};

struct output_spec {
  std::string id;        // stable, unique in the stage
  std::string name;      // "YouTube"
  std::string url;       // rtmp:// or rtmps:// server URL without the key
  std::string key;       // the stream key: a secret (never logged, never sent to browsers)
  std::string source = "api";  // "config" | "api"
  bool enabled = true;   // false = stopped by an organizer
};

// Produced mode: the picture and sound the encoder makes (and the slate's format).
struct produced_spec {
  std::uint32_t width = 1280, height = 720, fps = 30;
  std::uint32_t video_kbps = 3000, audio_kbps = 128;
  double keyframe_seconds = 1.0;  // also the HLS segment length's lower bound
  std::string preset = "veryfast";  // x264 speed preset
};

struct stage_spec {
  std::string id;                             // [a-z0-9-], used in /live/<id>/ URLs
  std::map<std::string, std::string> name;    // language -> name ("sv", "en", "fi")
  std::string slate_title;                    // the event's name, shown on the standby slate
  std::string event;                          // program event id
  std::string room;                           // program room key (for the recording's sessions)
  bool is_public = true;                      // HLS needs no grant
  // Who may watch (issue 18; config's stage visibility): "public" | "registered" | "press" |
  // "staff", and an embargo's end (UTC seconds, 0: none). Carried to the status for the stage
  // JSON and the board; the media engine itself does not use them.
  std::string visibility = "public";
  std::int64_t public_at = 0;
  bool autostart = true;
  stage_mode mode = stage_mode::passthrough;
  input_spec input;
  produced_spec produced;
  std::vector<output_spec> outputs;
  double hls_segment_seconds = 2.0;
  double hls_window_seconds = 120.0;           // rewind window
  bool record = false;
  std::uint32_t input_timeout_ms = 700;        // no media for this long = standby (slate)
};

// ---- the rules of single values ----------------------------------------------------------------
// Each says what is wrong after the value's name ("must be ..."), or nothing; none quotes a
// secret (passphrase, stream key).

// An inclusive range; `even`: picture sizes, which I420 halves for its colour planes.
struct value_range {
  double min = 0;
  double max = 0;
  bool even = false;
};

namespace ranges {
inline constexpr value_range port{1, 65535};
inline constexpr value_range latency_ms{20, 10000};  // SRT receive latency: about 4 round trips
inline constexpr value_range width{16, 3840, true};
inline constexpr value_range height{16, 2160, true};
inline constexpr value_range fps{1, 60};
inline constexpr value_range video_kbps{100, 50000};
inline constexpr value_range audio_kbps{32, 320};
inline constexpr value_range keyframe_seconds{0.5, 10};
inline constexpr value_range hls_segment_seconds{0.5, 10};
// At most 6 hours; at least 3 segments (window_problem), so never below 3 x 0.5 s.
inline constexpr value_range hls_window_seconds{1.5, 6 * 3600};
inline constexpr value_range input_timeout_ms{200, 10000};
}  // namespace ranges

// "must be between 1 and 65535, got 0", "must be even, got 853".
std::optional<std::string> integer_problem(const value_range& r, std::int64_t v);
// "must be between 0.5 and 10.0, got 11.0" (also for NaN and infinities).
std::optional<std::string> number_problem(const value_range& r, double v);
// A number as problems quote it: "2.0", "0.25", "inf".
std::string format_number(double v);

// The names the configuration and the API use for modes, inputs and x264's speed presets.
inline constexpr std::string_view stage_mode_names[] = {"passthrough", "produced"};
inline constexpr std::string_view input_kind_names[] = {"srt", "pull", "file", "test"};
inline constexpr std::string_view x264_presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast", "medium"};
// "expected one of "a", "b", got "c"", or nothing when `v` is one of `names`.
std::optional<std::string> one_of_problem(std::span<const std::string_view> names, const std::string& v);

// A stage's or a destination's id: 1-40 of a-z 0-9 '-' (it names URLs and files).
std::optional<std::string> id_problem(const std::string& id);
// A stage's name in one language: 1-100 characters without control characters.
std::optional<std::string> stage_name_problem(const std::string& text);
// SRT's encryption passphrase: empty (unencrypted) or 10-79 characters (SRTO_PASSPHRASE).
std::optional<std::string> passphrase_problem(const std::string& p);
// The stream id an SRT caller must send: at most 512 characters (SRTO_STREAMID), no control characters.
std::optional<std::string> stream_id_problem(const std::string& id);
// A URL to pull from, when given: srt://, rtmp://, rtmps://, rtsp://, http:// or https://.
std::optional<std::string> pull_url_problem(const std::string& url);
// A destination's name (shown to organizers), URL (without the key) and stream key.
std::optional<std::string> output_name_problem(const std::string& name);
std::optional<std::string> output_url_problem(const std::string& url);
std::optional<std::string> stream_key_problem(const std::string& key);

// ---- rules across values of one stage --------------------------------------------------------

// A problem with one value of a spec, by its name there ("input.url", "mode").
struct field_problem {
  std::string field;
  std::string message;
};
// What an input needs besides its own values: pull a url ("input.url"), file a file
// ("input.file"), test produced mode ("mode").
std::vector<field_problem> input_problems(const input_spec& in, stage_mode m);
// Produced mode: segments start at keyframes, so a segment holds at least one keyframe interval.
// A configuration's rule: the engine copes with longer segments, so validate_stage() lets it be.
std::optional<std::string> segment_problem(stage_mode m, double segment_seconds, double keyframe_seconds);
// The rewind window holds at least 3 segments (what players need to start).
std::optional<std::string> window_problem(double window_seconds, double segment_seconds);

// ---- whole specs -------------------------------------------------------------------------------

// Checks a spec; returns the problems ("input.port: ...") or an empty list. A stage's name
// and its languages are the configuration's to check.
std::vector<std::string> validate_stage(const stage_spec& s);
// Checks an output added at run time (name, URL, key). Empty = valid.
std::optional<std::string> validate_output(const output_spec& o);

// "••••abcd": the last 4 characters of a key longer than 8, else only dots.
std::string mask_key(const std::string& key);
// `text` with every occurrence of the stream key `key` replaced by mask_key(key): for texts
// GStreamer writes (errors, pipeline graphs) that may quote a location with the key in it.
std::string hide_key(std::string text, const std::string& key);
// The input URL with its passphrase masked, for status and logs.
std::string describe_input(const input_spec& in);

std::string to_string(input_kind k);
std::string to_string(stage_mode m);
std::optional<input_kind> input_kind_from(const std::string& s);
std::optional<stage_mode> stage_mode_from(const std::string& s);

}  // namespace samling::media
