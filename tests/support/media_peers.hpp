#pragma once
// Test peers for the media integration tests: the other ends of Samling's media pipelines,
// each started and stopped by the test on 127.0.0.1.
//
//   nginx_rtmp        an RTMP destination (nginx + libnginx-mod-rtmp) that records what it gets
//                     (`live`) or rejects the stream key like a platform would: with an error
//                     reply (`deny`) or by hanging up right after the publish (`closed`)
//   stunnel_peer      RTMPS in front of a plain RTMP port, with a certificate the test made
//                     (make_test_certificates)
//   silent_tcp_peer   a destination that accepts TCP but never speaks RTMP
//   refused_port()    a destination where nothing listens
//   srt_sender        ffmpeg pushing a live test stream (H.264 + AAC in MPEG-TS) over SRT
//   rtmp_sender       the same stream as FLV to an RTMP URL
//   probe_file()      ffprobe of a recording: codecs, duration, video timestamps, keyframes
//
// Child processes are ended by pid only (SIGTERM, SIGKILL after a grace period, waitpid), in
// the destructors too, and every wait is bounded. Plain POSIX; no part of the server is used.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace samling::testing {

// ---- processes -------------------------------------------------------------------------------

struct command_result {
  int exit_code = -1;      // the exit status, 128+signal if killed, -1 if it could not start
  bool timed_out = false;  // killed because `timeout` passed
  std::string output;      // stdout and stderr, interleaved
};
// Runs `args` (args[0] looked up in PATH) to completion, or kills it after `timeout`.
command_result run_command(const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout = std::chrono::seconds(20));

// One child process (args[0] looked up in PATH) with stdin from /dev/null and stdout and
// stderr appended to `log_path`. Not copyable; the destructor stops it.
class child_process {
 public:
  child_process(const std::vector<std::string>& args, const std::string& log_path);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }
  // True while the process has not exited (reaps it if it has).
  bool running();
  // Waits up to `deadline` for the process to exit: its exit code (128+signal), or nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline);
  // SIGTERM, then SIGKILL if it is still there after `grace`; returns the exit code.
  std::optional<int> stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // SIGKILL at once (a crash, a pulled cable); returns the exit code.
  std::optional<int> kill();
  std::optional<int> exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// ---- ports -------------------------------------------------------------------------------------

// A port that was free a moment ago (bind port 0 on 127.0.0.1, read it, close).
std::uint16_t free_tcp_port();
std::uint16_t free_udp_port();
// A TCP port on 127.0.0.1 where nothing listens: a connect is refused at once. The port is held
// by a bound socket that never listens (kept for the life of the test process), so no other
// program can start listening on it in the meantime. The same port on every call.
std::uint16_t refused_port();
// True when a TCP connect to 127.0.0.1:port succeeds within `deadline`.
bool tcp_port_accepts(std::uint16_t port,
                      std::chrono::milliseconds deadline = std::chrono::milliseconds(500));

// ---- destinations ------------------------------------------------------------------------------

// nginx with the RTMP module, in its own temporary directory, on free ports (one RTMP, one
// HTTP), started by the constructor and ready (both ports accept) when it returns.
// It runs as a single process (`master_process off`), so one pid is the whole server and
// kill() really is a crash. RTMP applications:
//   live  any stream key; `record all` to record_dir(), one file per publish
//         (`record_unique on`: `<key>-<unix seconds>.flv`), so a reconnect makes a new file
//         (two publishes of one key within the same second would share a name).
//   deny  `on_publish` asks this nginx's own HTTP port, which answers 403: the platform
//         rejects the stream key (nginx drops the connection after the `publish` command).
//         Records like `live` would, so "nothing recorded" means the rejection worked.
//   closed  `deny publish all`: nginx closes the connection as soon as the `publish` command
//         arrives, with no reply at all (what several platforms do with a wrong key). Records
//         like `live` would; the recorder opens `<key>-<unix seconds>.flv` before the access
//         check refuses the publish, so a refused publish leaves an empty file.
class nginx_rtmp {
 public:
  nginx_rtmp();
  ~nginx_rtmp();
  nginx_rtmp(const nginx_rtmp&) = delete;
  nginx_rtmp& operator=(const nginx_rtmp&) = delete;

  // Starts again after stop()/kill(), on the same ports and directory (recordings are kept).
  // Throws with the error log if nginx does not come up within 10 s.
  void start();
  // SIGTERM (fast shutdown: connections closed, recordings finished), SIGKILL after 5 s.
  void stop();
  // SIGKILL: connections are reset, recordings end where they are.
  void kill();
  bool running();
  // From the next start() on, `live` hangs up on every publish like `closed` (true) or takes
  // streams again (false): a platform that worked and then starts refusing the key.
  void set_live_closes_on_publish(bool closes);

  std::uint16_t rtmp_port() const { return rtmp_port_; }
  std::uint16_t http_port() const { return http_port_; }
  // "rtmp://127.0.0.1:PORT/app"; append "/key" for a stream.
  std::string rtmp_url(const std::string& app) const;
  std::filesystem::path record_dir() const;
  // Every recorded file, oldest first (by modification time, then name).
  std::vector<std::filesystem::path> recordings() const;
  std::string error_log() const;

 private:
  temp_dir dir_;
  std::uint16_t rtmp_port_ = 0;
  std::uint16_t http_port_ = 0;
  std::unique_ptr<child_process> process_;
};

// A destination that accepts TCP and never sends a byte. It is only a listening socket with a
// large backlog that is never accept()ed: the kernel completes the handshake, so a client's
// connect succeeds, and then nothing ever arrives (what the client sends sits in the kernel's
// buffer). No thread. The destructor closes the socket, which resets the queued connections.
class silent_tcp_peer {
 public:
  silent_tcp_peer();
  ~silent_tcp_peer();
  silent_tcp_peer(const silent_tcp_peer&) = delete;
  silent_tcp_peer& operator=(const silent_tcp_peer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string rtmp_url(const std::string& app) const;

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A certificate authority and a server certificate it signed (subjectAltName IP:127.0.0.1),
// made with the openssl command line in `dir` (the CA named after it). PEM files; the key is unencrypted.
struct test_certificates {
  std::filesystem::path ca;           // the CA's certificate: what a client must trust
  std::filesystem::path certificate;  // the server's certificate
  std::filesystem::path key;          // the server's private key
};
// Throws with openssl's output when a step fails.
test_certificates make_test_certificates(const std::filesystem::path& dir);

// stunnel (Debian's stunnel4) on a free port of 127.0.0.1, terminating TLS with `certs` and
// forwarding each connection to 127.0.0.1:`target_port` in clear: an rtmps:// ingest in front
// of nginx_rtmp. Started by the constructor and accepting when it returns (throws with
// stunnel's log otherwise); the destructor stops it by its pid.
class stunnel_peer {
 public:
  stunnel_peer(std::uint16_t target_port, const test_certificates& certs);
  ~stunnel_peer();
  stunnel_peer(const stunnel_peer&) = delete;
  stunnel_peer& operator=(const stunnel_peer&) = delete;

  std::uint16_t port() const { return port_; }
  // "rtmps://127.0.0.1:PORT/app"
  std::string rtmps_url(const std::string& app) const;
  std::string log() const;

 private:
  temp_dir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<child_process> process_;
};

// ---- sources -----------------------------------------------------------------------------------

// ffmpeg sending a live test stream: testsrc2 640x360 at 30 fps and a 440 Hz sine at 48 kHz,
// in real time (-re), H.264 (libx264 veryfast, zerolatency, a keyframe every second: -g 30,
// no scene-cut keyframes) and AAC 128k, to `output` in `format`. Not started by the
// constructor. `duration_s` ends the stream by itself (-t); without it, it runs until stopped.
class ffmpeg_sender {
 public:
  ffmpeg_sender(std::string format, std::string output, std::optional<double> duration_s = {});
  virtual ~ffmpeg_sender();
  ffmpeg_sender(const ffmpeg_sender&) = delete;
  ffmpeg_sender& operator=(const ffmpeg_sender&) = delete;

  void start();  // (re)starts; a running sender is stopped first
  // Encode with `n` B-frames (OBS's default is 2) instead of zerolatency's none, from the next
  // start(): the receiver must then keep decode and presentation order apart.
  void set_b_frames(int n) { b_frames_ = n; }
  // SIGTERM: ffmpeg finishes the stream and closes the connection cleanly (SIGKILL after 3 s).
  void stop();
  // SIGKILL: the connection just stops (the receiver sees a dead peer, not an orderly end).
  void kill();
  bool running();
  // Waits for ffmpeg to end by itself (duration, or the peer refused): exit code or nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline);
  const std::string& output() const { return output_; }
  // ffmpeg's stderr (-loglevel warning), for failure messages.
  std::string log() const;

 private:
  std::string format_;
  std::string output_;
  std::optional<double> duration_s_;
  int b_frames_ = 0;
  temp_dir dir_;
  std::unique_ptr<child_process> process_;
};

// MPEG-TS over SRT as a caller to 127.0.0.1:port, AES-128 with `passphrase` (10-79 chars;
// empty: no encryption), 120 ms latency, 3 s connect timeout.
class srt_sender : public ffmpeg_sender {
 public:
  srt_sender(std::uint16_t port, const std::string& passphrase,
             std::optional<double> duration_s = {});
  // The URL it sends to (also handy in failure messages).
  static std::string url(std::uint16_t port, const std::string& passphrase);
};

// FLV to an RTMP URL such as nginx_rtmp::rtmp_url("live") + "/key".
class rtmp_sender : public ffmpeg_sender {
 public:
  explicit rtmp_sender(const std::string& url, std::optional<double> duration_s = {});
};

// ---- checking a recording --------------------------------------------------------------------

struct probe_result {
  bool ok = false;             // ffprobe ran and found at least one stream
  std::string error;           // why not, when !ok
  std::string video_codec;     // "h264", or empty without video
  std::string audio_codec;     // "aac", or empty without audio
  double duration_s = 0;       // the container's duration
  std::vector<double> video_pts;     // every video packet's pts in seconds, sorted
  std::vector<double> keyframe_pts;  // the keyframes among them, sorted
  double max_video_gap_s = 0;        // largest step between consecutive video_pts
  double max_keyframe_interval_s = 0;  // largest step between consecutive keyframe_pts
  bool first_video_is_keyframe = false;  // the first video packet in file order is a keyframe
  std::size_t audio_packets = 0;
  std::vector<double> audio_pts;     // every audio packet's pts in seconds, in file order
  // Audio continuity, in file order: the largest step forward between consecutive audio
  // packets, and how many steps went back.
  double max_audio_step_s = 0;
  std::size_t audio_steps_back = 0;
};
// Runs `ffprobe -v error -show_streams -show_format -show_packets -of json` on `path`.
probe_result probe_file(const std::string& path);
// What `ffmpeg -v error` says while decoding the whole file (empty: it decoded cleanly).
std::string decode_errors(const std::string& path);
// True when the first video packet of the file (in file order) is a keyframe.
bool first_packet_is_keyframe(const std::string& path);

}  // namespace samling::testing
