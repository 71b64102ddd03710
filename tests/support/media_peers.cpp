#include "media_peers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace samling::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

int remaining_ms(steady::time_point end) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// posix_spawnp with stdin from /dev/null and stdout+stderr to `out_fd` (dup'ed onto both).
pid_t spawn_with_output(const std::vector<std::string>& args, int out_fd) {
  if (args.empty()) throw std::invalid_argument("spawn: no program");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  // The child gets the default signal handling and mask whatever the test process set.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, copy[0].c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
  return pid;
}

// Reaps `pid` if it has exited before `end`: its exit code (128+signal), else nullopt.
std::optional<int> reap(pid_t pid, steady::time_point end) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
    if (r < 0 && errno != EINTR) return -1;  // not our child any more: nothing to wait for
    if (steady::now() >= end) return std::nullopt;
    poll(nullptr, 0, 5);  // a child has no descriptor to wait on: check every 5 ms
  }
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A socket bound to 127.0.0.1:0; returns the fd and sets `port`.
int bind_any(int type, std::uint16_t& port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  auto addr = loopback(0);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int e = errno;
    close(fd);
    throw std::runtime_error(std::string("bind: ") + std::strerror(e));
  }
  port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

// ---- processes -------------------------------------------------------------------------------

command_result run_command(const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout) {
  command_result result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = -1;
  try {
    pid = spawn_with_output(args, fds[1]);
  } catch (const std::exception& e) {
    close(fds[0]);
    close(fds[1]);
    result.output = e.what();
    return result;
  }
  close(fds[1]);
  auto end = steady::now() + timeout;
  char buf[8192];
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    int ready = poll(&p, 1, remaining_ms(end));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      result.timed_out = true;
      break;
    }
    auto n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the command (and anything it started with our pipe) is done
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  auto code = reap(pid, result.timed_out ? steady::now() : end + 2s);
  if (!code) {
    result.timed_out = true;
    ::kill(pid, SIGKILL);
    code = reap(pid, steady::now() + 5s);
  }
  result.exit_code = code.value_or(-1);
  return result;
}

child_process::child_process(const std::vector<std::string>& args, const std::string& log_path) {
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + log_path + ": " + std::strerror(errno));
  try {
    pid_ = spawn_with_output(args, fd);
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
}

child_process::~child_process() { stop(3s); }

bool child_process::running() {
  if (exit_code_) return false;
  exit_code_ = reap(pid_, steady::now());
  return !exit_code_;
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds deadline) {
  if (!exit_code_) exit_code_ = reap(pid_, steady::now() + deadline);
  return exit_code_;
}

std::optional<int> child_process::stop(std::chrono::milliseconds grace) {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  if (wait_exit(grace)) return exit_code_;
  return kill();
}

std::optional<int> child_process::kill() {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGKILL);
  return wait_exit(5s);  // SIGKILL cannot be ignored; 5 s only bounds a stuck kernel
}

// ---- ports -------------------------------------------------------------------------------------

std::uint16_t free_tcp_port() {
  std::uint16_t port = 0;
  close(bind_any(SOCK_STREAM, port));
  return port;
}

std::uint16_t free_udp_port() {
  std::uint16_t port = 0;
  close(bind_any(SOCK_DGRAM, port));
  return port;
}

std::uint16_t refused_port() {
  // Bound, never listening, never closed: Linux answers a SYN to it with a reset.
  static std::uint16_t port = [] {
    std::uint16_t p = 0;
    bind_any(SOCK_STREAM, p);  // the descriptor is deliberately kept until the process exits
    return p;
  }();
  return port;
}

bool tcp_port_accepts(std::uint16_t port, std::chrono::milliseconds deadline) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  auto addr = loopback(port);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    ok = true;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, static_cast<int>(deadline.count())) == 1) {
      int err = 0;
      socklen_t len = sizeof err;
      ok = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
  }
  close(fd);
  return ok;
}

// ---- nginx_rtmp --------------------------------------------------------------------------------

namespace {

// The RTMP module as Debian's libnginx-mod-rtmp installs it.
constexpr const char* rtmp_module = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

std::string nginx_config(const fs::path& dir, std::uint16_t rtmp_port, std::uint16_t http_port,
                         bool live_closes_on_publish = false) {
  const std::string d = dir.string();
  const std::string rp = std::to_string(rtmp_port);
  const std::string hp = std::to_string(http_port);
  // `daemon off; master_process off;` come from the command line (-g).
  return "load_module " + std::string(rtmp_module) + ";\n" +
         "error_log " + d + "/logs/error.log info;\n"
         "pid " + d + "/logs/nginx.pid;\n"
         "events { worker_connections 256; }\n"
         "rtmp {\n"
         "  server {\n"
         "    listen 127.0.0.1:" + rp + ";\n"
         "    chunk_size 4096;\n"
         "    application live {\n"
         "      live on;\n"
         "      record all;\n"
         "      record_path " + d + "/rec;\n"
         "      record_unique on;\n" +
         (live_closes_on_publish ? "      deny publish all;\n" : "") +
         "    }\n"
         "    application deny {\n"
         "      live on;\n"
         "      record all;\n"
         "      record_path " + d + "/rec;\n"
         "      record_unique on;\n"
         "      on_publish http://127.0.0.1:" + hp + "/on_publish/deny;\n"
         "    }\n"
         "    application closed {\n"
         "      live on;\n"
         "      record all;\n"
         "      record_path " + d + "/rec;\n"
         "      record_unique on;\n"
         "      deny publish all;\n"
         "    }\n"
         "  }\n"
         "}\n"
         "http {\n"
         "  access_log " + d + "/logs/access.log;\n"
         "  client_body_temp_path " + d + "/tmp/body;\n"
         "  proxy_temp_path " + d + "/tmp/proxy;\n"
         "  fastcgi_temp_path " + d + "/tmp/fastcgi;\n"
         "  uwsgi_temp_path " + d + "/tmp/uwsgi;\n"
         "  scgi_temp_path " + d + "/tmp/scgi;\n"
         "  server {\n"
         "    listen 127.0.0.1:" + hp + ";\n"
         "    location = /on_publish/deny { return 403; }\n"
         "    location = /on_publish/allow { return 200; }\n"
         "  }\n"
         "}\n";
}

}  // namespace

nginx_rtmp::nginx_rtmp() {
  rtmp_port_ = free_tcp_port();
  do http_port_ = free_tcp_port();
  while (http_port_ == rtmp_port_);
  for (auto sub : {"logs", "rec", "tmp"}) fs::create_directories(dir_.path() / sub);
  // The recorder writes as the user nginx runs as; open the directory to anyone in case that
  // is not the test's user.
  fs::permissions(dir_.path() / "rec", fs::perms::all);
  spit(dir_.path() / "nginx.conf", nginx_config(dir_.path(), rtmp_port_, http_port_));
  start();
}

nginx_rtmp::~nginx_rtmp() {
  if (process_) process_->stop(5s);
}

void nginx_rtmp::start() {
  if (process_ && process_->running()) return;
  process_.reset();
  const std::string prefix = dir_.path().string() + "/";
  process_ = std::make_unique<child_process>(
      std::vector<std::string>{"nginx", "-p", prefix, "-c", prefix + "nginx.conf", "-g",
                               "daemon off; master_process off;"},
      dir_.file("logs/nginx.out"));
  auto end = steady::now() + 10s;
  while (steady::now() < end) {
    if (!process_->running()) break;
    if (tcp_port_accepts(rtmp_port_, 200ms) && tcp_port_accepts(http_port_, 200ms)) return;
    poll(nullptr, 0, 20);  // nginx binds within milliseconds; check again every 20 ms
  }
  process_->stop(2s);
  throw std::runtime_error("nginx did not start on " + std::to_string(rtmp_port_) + "/" +
                           std::to_string(http_port_) + ":\n" + slurp(dir_.file("logs/nginx.out")) +
                           error_log());
}

void nginx_rtmp::set_live_closes_on_publish(bool closes) {
  spit(dir_.path() / "nginx.conf", nginx_config(dir_.path(), rtmp_port_, http_port_, closes));
}

void nginx_rtmp::stop() {
  if (process_) process_->stop(5s);
}

void nginx_rtmp::kill() {
  if (process_) process_->kill();
}

bool nginx_rtmp::running() { return process_ && process_->running(); }

std::string nginx_rtmp::rtmp_url(const std::string& app) const {
  return "rtmp://127.0.0.1:" + std::to_string(rtmp_port_) + "/" + app;
}

fs::path nginx_rtmp::record_dir() const { return dir_.path() / "rec"; }

std::vector<fs::path> nginx_rtmp::recordings() const {
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(record_dir(), ec))
    if (entry.is_regular_file(ec)) files.emplace_back(entry.last_write_time(ec), entry.path());
  std::sort(files.begin(), files.end());
  std::vector<fs::path> out;
  for (auto& f : files) out.push_back(f.second);
  return out;
}

std::string nginx_rtmp::error_log() const { return slurp(dir_.file("logs/error.log")); }

// ---- silent_tcp_peer ---------------------------------------------------------------------------

silent_tcp_peer::silent_tcp_peer() {
  fd_ = bind_any(SOCK_STREAM, port_);
  if (listen(fd_, 1024) != 0) {  // never accept()ed: see the header
    int e = errno;
    close(fd_);
    throw std::runtime_error(std::string("listen: ") + std::strerror(e));
  }
}

silent_tcp_peer::~silent_tcp_peer() {
  if (fd_ >= 0) close(fd_);
}

std::string silent_tcp_peer::rtmp_url(const std::string& app) const {
  return "rtmp://127.0.0.1:" + std::to_string(port_) + "/" + app;
}

// ---- certificates and stunnel ------------------------------------------------------------------

test_certificates make_test_certificates(const fs::path& dir) {
  fs::create_directories(dir);
  test_certificates out{dir / "ca.pem", dir / "server.pem", dir / "server.key"};
  const std::string ca_key = (dir / "ca.key").string(), csr = (dir / "server.csr").string();
  const std::string ext = (dir / "server.ext").string();
  // The CA's name is unique per directory: a client finds a certificate's issuer by name, so
  // two test CAs trusted together must not share one.
  // A server certificate a TLS client accepts for https://127.0.0.1: the address in the
  // subjectAltName (the common name is not consulted for addresses), not a CA itself.
  spit(ext, "subjectAltName = IP:127.0.0.1\nbasicConstraints = critical, CA:FALSE\n"
            "keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\n");
  const std::vector<std::vector<std::string>> steps = {
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", out.ca.string(),
       "-days", "2", "-subj", "/CN=Samling test CA " + dir.filename().string()},
      {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", out.key.string(), "-out", csr, "-subj",
       "/CN=127.0.0.1"},
      {"openssl", "x509", "-req", "-in", csr, "-CA", out.ca.string(), "-CAkey", ca_key, "-CAcreateserial", "-out",
       out.certificate.string(), "-days", "2", "-extfile", ext},
  };
  for (auto& step : steps) {
    auto r = run_command(step, 30s);
    if (r.exit_code != 0) throw std::runtime_error("openssl " + step[1] + " failed: " + r.output);
  }
  return out;
}

stunnel_peer::stunnel_peer(std::uint16_t target_port, const test_certificates& certs) {
  port_ = free_tcp_port();
  // foreground: one process, our child, stopped by its pid; no pid file, no syslog.
  spit(dir_.path() / "stunnel.conf",
       "foreground = yes\npid =\nsyslog = no\ndebug = notice\n"
       "[rtmps]\naccept = 127.0.0.1:" + std::to_string(port_) + "\nconnect = 127.0.0.1:" +
           std::to_string(target_port) + "\ncert = " + certs.certificate.string() + "\nkey = " + certs.key.string() +
           "\n");
  process_ = std::make_unique<child_process>(
      std::vector<std::string>{"stunnel", (dir_.path() / "stunnel.conf").string()}, dir_.file("stunnel.log"));
  auto end = steady::now() + 10s;
  while (steady::now() < end) {
    if (!process_->running()) break;
    if (tcp_port_accepts(port_, 200ms)) return;
    poll(nullptr, 0, 20);  // stunnel listens within milliseconds; check again every 20 ms
  }
  process_->stop(2s);
  throw std::runtime_error("stunnel did not start on " + std::to_string(port_) + ":\n" + log());
}

stunnel_peer::~stunnel_peer() {
  if (process_) process_->stop(5s);
}

std::string stunnel_peer::rtmps_url(const std::string& app) const {
  return "rtmps://127.0.0.1:" + std::to_string(port_) + "/" + app;
}

std::string stunnel_peer::log() const { return slurp(dir_.file("stunnel.log")); }

// ---- senders -----------------------------------------------------------------------------------

ffmpeg_sender::ffmpeg_sender(std::string format, std::string output,
                             std::optional<double> duration_s)
    : format_(std::move(format)), output_(std::move(output)), duration_s_(duration_s) {}

ffmpeg_sender::~ffmpeg_sender() {
  if (process_) process_->kill();
}

void ffmpeg_sender::start() {
  if (process_) process_->stop(3s);
  std::vector<std::string> args{"ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
                                "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                                "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"};
  if (duration_s_) {
    args.push_back("-t");
    args.push_back(std::to_string(*duration_s_));
  }
  for (const char* a : {"-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast"})
    args.emplace_back(a);
  if (b_frames_ > 0) {
    args.insert(args.end(), {"-bf", std::to_string(b_frames_)});  // as OBS sends by default
  } else {
    args.insert(args.end(), {"-tune", "zerolatency"});
  }
  for (const char* a : {"-pix_fmt", "yuv420p", "-g", "30", "-keyint_min",
                        "30", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "128k", "-ar", "48000",
                        "-ac", "2", "-f"})
    args.emplace_back(a);
  args.push_back(format_);
  args.push_back(output_);
  process_ = std::make_unique<child_process>(args, dir_.file("ffmpeg.log"));
}

void ffmpeg_sender::stop() {
  if (process_) process_->stop(3s);
}

void ffmpeg_sender::kill() {
  if (process_) process_->kill();
}

bool ffmpeg_sender::running() { return process_ && process_->running(); }

std::optional<int> ffmpeg_sender::wait_exit(std::chrono::milliseconds deadline) {
  if (!process_) return std::nullopt;
  return process_->wait_exit(deadline);
}

std::string ffmpeg_sender::log() const { return slurp(dir_.file("ffmpeg.log")); }

srt_sender::srt_sender(std::uint16_t port, const std::string& passphrase,
                       std::optional<double> duration_s)
    : ffmpeg_sender("mpegts", url(port, passphrase), duration_s) {}

std::string srt_sender::url(std::uint16_t port, const std::string& passphrase) {
  // ffmpeg's libsrt options: latency in microseconds, connect_timeout in milliseconds,
  // pkt_size 1316 = 7 TS packets per datagram (SRT's live-mode payload).
  std::string u = "srt://127.0.0.1:" + std::to_string(port) +
                  "?mode=caller&transtype=live&latency=120000&connect_timeout=3000&pkt_size=1316";
  if (!passphrase.empty()) u += "&passphrase=" + passphrase + "&pbkeylen=16";
  return u;
}

rtmp_sender::rtmp_sender(const std::string& url, std::optional<double> duration_s)
    : ffmpeg_sender("flv", url, duration_s) {}

// ---- probe -------------------------------------------------------------------------------------

namespace {

double number_field(const boost::json::object& o, const char* key, double fallback) {
  auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (v->is_string()) {
    try {
      return std::stod(std::string(v->as_string()));
    } catch (...) {
      return fallback;
    }
  }
  if (v->is_number()) return v->to_number<double>();
  return fallback;
}

std::string string_field(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

double max_step(const std::vector<double>& sorted) {
  double best = 0;
  for (std::size_t i = 1; i < sorted.size(); ++i) best = std::max(best, sorted[i] - sorted[i - 1]);
  return best;
}

}  // namespace

probe_result probe_file(const std::string& path) {
  probe_result r;
  auto run = run_command({"ffprobe", "-v", "error", "-show_streams", "-show_format",
                          "-show_packets", "-of", "json", path},
                         30s);
  if (run.exit_code != 0) {
    r.error = "ffprobe exit " + std::to_string(run.exit_code) + ": " + run.output.substr(0, 2000);
    return r;
  }
  // With -v error, warnings are not printed; the JSON starts at the first '{'.
  auto start = run.output.find('{');
  boost::system::error_code ec;
  auto doc = boost::json::parse(start == std::string::npos ? "" : run.output.substr(start), ec);
  if (ec || !doc.is_object()) {
    r.error = "unparsable ffprobe output: " + run.output.substr(0, 2000);
    return r;
  }
  const auto& root = doc.as_object();

  int video_index = -1;
  int audio_index = -1;
  if (auto* streams = root.if_contains("streams"); streams && streams->is_array()) {
    for (const auto& s : streams->as_array()) {
      if (!s.is_object()) continue;
      const auto& o = s.as_object();
      auto type = string_field(o, "codec_type");
      int index = static_cast<int>(number_field(o, "index", -1));
      if (type == "video" && video_index < 0) {
        video_index = index;
        r.video_codec = string_field(o, "codec_name");
      } else if (type == "audio" && audio_index < 0) {
        audio_index = index;
        r.audio_codec = string_field(o, "codec_name");
      }
    }
  }
  if (auto* format = root.if_contains("format"); format && format->is_object())
    r.duration_s = number_field(format->as_object(), "duration", 0);

  bool seen_video = false;
  if (auto* packets = root.if_contains("packets"); packets && packets->is_array()) {
    for (const auto& p : packets->as_array()) {
      if (!p.is_object()) continue;
      const auto& o = p.as_object();
      int index = static_cast<int>(number_field(o, "stream_index", -1));
      if (index == audio_index) {
        ++r.audio_packets;
        double apts = number_field(o, "pts_time", number_field(o, "dts_time", -1));
        if (apts >= 0) r.audio_pts.push_back(apts);
        continue;
      }
      if (index != video_index) continue;
      double pts = number_field(o, "pts_time", number_field(o, "dts_time", -1));
      bool key = string_field(o, "flags").find('K') != std::string::npos;
      if (!seen_video) {
        r.first_video_is_keyframe = key;
        seen_video = true;
      }
      if (pts < 0) continue;
      r.video_pts.push_back(pts);
      if (key) r.keyframe_pts.push_back(pts);
    }
  }
  std::sort(r.video_pts.begin(), r.video_pts.end());
  std::sort(r.keyframe_pts.begin(), r.keyframe_pts.end());
  r.max_video_gap_s = max_step(r.video_pts);
  r.max_keyframe_interval_s = max_step(r.keyframe_pts);
  for (std::size_t i = 1; i < r.audio_pts.size(); ++i) {
    double step = r.audio_pts[i] - r.audio_pts[i - 1];
    if (step < 0) ++r.audio_steps_back;
    else r.max_audio_step_s = std::max(r.max_audio_step_s, step);
  }
  r.ok = video_index >= 0 || audio_index >= 0;
  if (!r.ok) r.error = "no audio or video stream in " + path;
  return r;
}

std::string decode_errors(const std::string& path) {
  auto run = run_command({"ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"}, 60s);
  if (run.exit_code != 0 && run.output.empty()) return "ffmpeg exit " + std::to_string(run.exit_code);
  // The null muxer's complaint about two decoded frames landing on the same tick of its own
  // frame-rate time base (FLV keeps whole milliseconds) is not about the file: dropped.
  std::string out;
  std::size_t pos = 0;
  while (pos < run.output.size()) {
    auto eol = run.output.find('\n', pos);
    auto line = run.output.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos + 1);
    pos = eol == std::string::npos ? run.output.size() : eol + 1;
    if (line.find("non monotonically increasing dts to muxer") == std::string::npos) out += line;
  }
  return out.substr(0, 4000);
}

bool first_packet_is_keyframe(const std::string& path) {
  return probe_file(path).first_video_is_keyframe;
}

}  // namespace samling::testing
