#pragma once
// Integration-test harness: runs the real `samling` binary as a child process with its own
// temporary directory, config and database, and speaks to it over real loopback sockets
// (plain POSIX sockets and OpenSSL, so these tests do not depend on the server's own code).
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.hpp"

namespace samling::testing {

using namespace std::chrono_literals;

void write_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);

// The result of running the binary to completion (for CLI and bad-config tests).
struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};
run_result run_samling(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env = {},
                       std::chrono::milliseconds deadline = 20s);
// The same with `input` as the child's standard input (a file, so not a terminal); without
// it, /dev/null as for run_samling.
run_result run_samling_with_input(const std::vector<std::string>& args,
                                  const std::optional<std::string>& input,
                                  const std::map<std::string, std::string>& env = {},
                                  std::chrono::milliseconds deadline = 20s);

// A running server. The constructor writes `config_toml` (with {DIR} replaced by the temp
// directory and {SRC} by the source tree), starts `samling serve --config`, and waits for the
// "listening on" line. Destruction stops it (SIGTERM, then SIGKILL after 5 s).
class server_process {
 public:
  struct options {
    std::string extra_toml;                     // appended to the base config
    std::map<std::string, std::string> env;     // extra environment
    bool seed_demo = true;
    const temp_dir* dir = nullptr;              // reuse a directory (restart on the same DB)
  };
  explicit server_process(options opt);
  server_process() : server_process(options{}) {}
  ~server_process();

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& url() const { return url_; }
  const temp_dir& dir() const { return *dir_; }
  void signal(int signo);
  // Waits for the process to exit; nullopt on deadline. Returns the exit code (or 128+signal).
  std::optional<int> wait_exit(std::chrono::milliseconds deadline);
  std::string stderr_text() const;

 private:
  std::unique_ptr<temp_dir> owned_dir_;
  const temp_dir* dir_ = nullptr;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string url_;
  std::optional<int> exit_code_;
};

// A parsed HTTP/1.1 response.
struct http_response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};
// Parses one response from raw bytes (Content-Length or until end); nullopt if incomplete.
// A response to HEAD has no body whatever its Content-Length says: pass `head`.
std::optional<http_response> parse_response(const std::string& raw, bool head = false);

// A plain TCP connection with deadlines on every operation.
class connection {
 public:
  explicit connection(std::uint16_t port);
  ~connection();
  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // Reads until the peer closes or `deadline` passes; returns everything read.
  std::string read_all(std::chrono::milliseconds deadline = 10s);
  // Reads until one complete HTTP response is available (keep-alive friendly).
  std::optional<http_response> read_response(std::chrono::milliseconds deadline = 10s,
                                             bool head = false);
  // What arrives next: bytes, "" at EOF or reset, nothing when `deadline` passes first.
  std::optional<std::string> read_some(std::chrono::milliseconds deadline);
  // True when the peer closes the connection (EOF or reset) before `deadline`.
  bool wait_closed(std::chrono::milliseconds deadline);

 private:
  int fd_ = -1;
  std::string pending_;
};

// One request on a fresh connection with `Connection: close`.
http_response http_get(std::uint16_t port, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {});
http_response http_request(std::uint16_t port, const std::string& method, const std::string& target,
                           const std::string& body = {},
                           const std::vector<std::pair<std::string, std::string>>& headers = {});

// The value of one series (e.g. `samling_http_open_connections` or
// `x_total{route="a"}`) in a Prometheus exposition, or -1 when absent.
double metric_value(const std::string& exposition, const std::string& series);
// The same, read from the server's /metrics.
double metric(std::uint16_t port, const std::string& series);

// Polls `pred` every 10 ms until it holds or `deadline` passes.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds deadline = 10s);

}  // namespace samling::testing

#include <poll.h>

template <typename Pred>
bool samling::testing::eventually(Pred pred, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    poll(nullptr, 0, 10);  // the interval between checks of the condition, not a wait for it
  }
  return pred();
}
