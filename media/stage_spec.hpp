#pragma once
// What a stage is configured to do: one input, a mode, outputs, HLS and recording settings.
// Plain values: filled from the configuration file by the application and from the organizer
// API at run time; the media module validates them (validate_* below) before use.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
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

// Checks a spec; returns the problems ("input.port: ...") or an empty list.
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
