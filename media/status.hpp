#pragma once
// A stage's observable state: what the organizer page, the WebSocket pushes and /metrics show.
// Snapshots are plain values, copied out of the stage's strand.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "media/stage_spec.hpp"

namespace samling::media {

enum class stage_state { offline, standby, live };
enum class input_state { idle, waiting, connected, failed };
enum class output_state { idle, connecting, live, retrying, failed, stopped };

std::string to_string(stage_state s);
std::string to_string(input_state s);
std::string to_string(output_state s);

// Running totals for one direction of media.
struct flow_stats {
  std::uint64_t bytes = 0;
  std::uint64_t video_frames = 0;
  std::uint64_t keyframes = 0;
  double bitrate_bps = 0;                       // over the last few seconds
  std::optional<double> keyframe_interval_ms;   // last measured
};

// The last SRT caller a stage refused.
struct caller_rejection {
  std::string reason;   // no_passphrase | wrong_passphrase | unexpected_passphrase | wrong_stream_id | other
  std::string detail;   // plain words, with libsrt's code when it was libsrt's refusal
  std::int64_t at_ms = 0;  // UTC ms
};

struct input_status {
  input_state state = input_state::idle;
  std::string kind;          // srt | pull | file | test
  std::string description;   // URL with secrets masked
  std::optional<std::string> last_error;
  flow_stats flow;
  std::uint64_t connections = 0;        // callers / pulls that delivered media
  std::uint64_t rejected_callers = 0;   // SRT callers refused, whatever the reason
  std::map<std::string, std::uint64_t> rejected_by_reason;  // the same, per reason
  std::optional<caller_rejection> last_rejection;
  std::int64_t connected_since_ms = 0;  // UTC ms; 0 = not connected
};

struct output_status {
  std::string id, name, url, masked_key, source;
  output_state state = output_state::idle;
  std::optional<std::string> reason;      // refused | timeout | hung | key_rejected | error | ...
  std::optional<std::string> last_error;
  flow_stats flow;                         // bytes = sent to the destination
  std::uint64_t reconnects = 0;
  std::int64_t live_since_ms = 0;          // UTC ms; 0 = not live
  std::optional<std::int64_t> next_retry_ms;  // UTC ms of the next attempt
  std::uint64_t dropped_buffers = 0;       // dropped because the destination could not keep up
};

struct stage_status {
  std::string id;
  std::map<std::string, std::string> name;
  std::string room;
  std::string event;
  bool is_public = true;
  std::string visibility = "public";  // stage_spec's: who may watch
  std::int64_t public_at = 0;         // stage_spec's: public from then (UTC seconds), 0: no embargo
  stage_mode mode = stage_mode::passthrough;
  bool running = false;
  stage_state state = stage_state::offline;
  input_status input;
  flow_stats program;                      // what the stage sends to its consumers
  std::vector<output_status> outputs;
  std::string hls_url;
  std::uint64_t hls_segments = 0;
  bool record = false;
  std::optional<std::string> recording_file;
  std::int64_t started_ms = 0;
  std::uint64_t slate_switches = 0;        // times the slate went on air
  std::int64_t state_since_ms = 0;         // UTC ms when `state` last changed
};

}  // namespace samling::media
