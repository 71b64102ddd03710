#include "harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include <atomic>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace samling::testing {
namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;

namespace {

int remaining_ms(clock::time_point end) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
  return s;
}

// Spawns the binary with stdout to a pipe (returned) and stderr to `stderr_path`.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& stderr_path, int& stdout_read_fd,
            const std::string& stdin_path = "/dev/null") {
  int out_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);

  // SAMLING_TEST_BINARY runs the same tests against another build (the ThreadSanitizer one).
  const char* other = std::getenv("SAMLING_TEST_BINARY");
  std::vector<std::string> argv_s{other && *other ? other : SAMLING_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The child's environment: ours without SAMLING_* (so a developer's shell cannot leak
  // overrides into tests), plus `env`.
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "SAMLING_", 8) != 0) env_s.emplace_back(*e);
  for (auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv_s[0].c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    throw std::runtime_error("posix_spawn failed: " + std::string(strerror(rc)));
  }
  stdout_read_fd = out_pipe[0];
  return pid;
}

std::optional<int> wait_pid(pid_t pid, clock::time_point end) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
    if (r < 0) return std::nullopt;
    if (clock::now() >= end) return std::nullopt;
    poll(nullptr, 0, 5);  // the child has no fd to wait on: check every 5 ms until the deadline
  }
}

}  // namespace

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

run_result run_samling(const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env,
                       std::chrono::milliseconds deadline) {
  return run_samling_with_input(args, std::nullopt, env, deadline);
}

run_result run_samling_with_input(const std::vector<std::string>& args,
                                  const std::optional<std::string>& input,
                                  const std::map<std::string, std::string>& env,
                                  std::chrono::milliseconds deadline) {
  temp_dir dir;
  int out_fd = -1;
  auto end = clock::now() + deadline;
  pid_t pid = spawn(args, env, dir.file("stderr"), out_fd,
                    input ? dir.write("stdin", *input) : std::string("/dev/null"));
  run_result result;
  char buf[4096];
  for (;;) {
    pollfd p{out_fd, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(end)) <= 0) break;
    auto n = read(out_fd, buf, sizeof buf);
    if (n <= 0) break;
    result.out.append(buf, static_cast<std::size_t>(n));
  }
  close(out_fd);
  auto code = wait_pid(pid, end);
  if (!code) {
    kill(pid, SIGKILL);
    wait_pid(pid, clock::now() + 5s);
  }
  result.exit_code = code.value_or(-1);
  result.err = read_file(dir.file("stderr"));
  return result;
}

server_process::server_process(options opt) {
  if (opt.dir) {
    dir_ = opt.dir;
  } else {
    owned_dir_ = std::make_unique<temp_dir>();
    dir_ = owned_dir_.get();
  }
  std::string toml = R"([server]
listen = "127.0.0.1"
port = 0
threads = 2
web_root = "{DIR}/web"
[store]
path = "{DIR}/samling.db"
[demo]
seed = )" + std::string(opt.seed_demo ? "true" : "false") + R"(
file = "{SRC}/config/demo/stockholm-tillsammans.json"
series_file = "{SRC}/config/demo/sverige-tillsammans-2016.json"
)" + opt.extra_toml;
  // A small stand-in for the built web app, so these tests do not depend on the web build.
  fs::create_directories(dir_->path() / "web" / "assets");
  write_file(dir_->file("web/index.html"), "<!doctype html><title>Samling test page</title>");
  write_file(dir_->file("web/assets/app-1a2b3c4d.js"), "console.log('samling');");
  toml = replace_all(toml, "{DIR}", dir_->path().string());
  toml = replace_all(toml, "{SRC}", SAMLING_SOURCE_DIR);
  write_file(dir_->file("samling.toml"), toml);

  pid_ = spawn({"serve", "--config", dir_->file("samling.toml")}, opt.env, dir_->file("stderr"),
               stdout_fd_);
  auto end = clock::now() + 20s;
  std::string out;
  char buf[1024];
  while (url_.empty()) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(end)) <= 0) break;
    auto n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    auto pos = out.find("listening on ");
    auto eol = out.find('\n', pos);
    if (pos != std::string::npos && eol != std::string::npos)
      url_ = out.substr(pos + 13, eol - pos - 13);
  }
  if (url_.empty()) {
    kill(pid_, SIGKILL);
    wait_exit(5s);
    throw std::runtime_error("samling did not start; stderr:\n" + stderr_text());
  }
  auto colon = url_.rfind(':');
  port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(colon + 1)));
}

server_process::~server_process() {
  if (!exit_code_) {
    kill(pid_, SIGTERM);
    if (!wait_exit(5s)) {
      kill(pid_, SIGKILL);
      wait_exit(5s);
    }
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void server_process::signal(int signo) { kill(pid_, signo); }

std::optional<int> server_process::wait_exit(std::chrono::milliseconds deadline) {
  if (!exit_code_) exit_code_ = wait_pid(pid_, clock::now() + deadline);
  return exit_code_;
}

std::string server_process::stderr_text() const { return read_file(dir_->file("stderr")); }

std::optional<http_response> parse_response(const std::string& raw, bool head_only) {
  auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  http_response r;
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) return std::nullopt;
  r.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers[name] = value;
  }
  auto body = raw.substr(head_end + 4);
  if (head_only) return r;
  if (auto cl = r.headers.find("content-length"); cl != r.headers.end()) {
    auto n = std::stoul(cl->second);
    if (body.size() < n) return std::nullopt;
    body.resize(n);
  }
  r.body = body;
  return r;
}

connection::connection(std::uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

connection::~connection() {
  if (fd_ >= 0) close(fd_);
}

bool connection::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string connection::read_all(std::chrono::milliseconds deadline) {
  auto end = clock::now() + deadline;
  std::string out = std::move(pending_);
  pending_.clear();
  char buf[8192];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(end)) <= 0) break;
    auto n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::optional<http_response> connection::read_response(std::chrono::milliseconds deadline,
                                                       bool head) {
  auto end = clock::now() + deadline;
  char buf[8192];
  for (;;) {
    if (auto r = parse_response(pending_, head)) {
      // Drop the consumed bytes (head + body) so the next response can be read.
      auto consumed = pending_.find("\r\n\r\n") + 4 + r->body.size();
      pending_.erase(0, consumed);
      return r;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(end)) <= 0) return std::nullopt;
    auto n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return parse_response(pending_, head);
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> connection::read_some(std::chrono::milliseconds deadline) {
  if (!pending_.empty()) return std::exchange(pending_, std::string());
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, remaining_ms(clock::now() + deadline)) <= 0) return std::nullopt;
  char buf[16384];
  auto n = recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return std::string();
  return std::string(buf, static_cast<std::size_t>(n));
}

bool connection::wait_closed(std::chrono::milliseconds deadline) {
  auto end = clock::now() + deadline;
  char buf[4096];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(end)) <= 0) return false;
    auto n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
}

http_response http_request(std::uint16_t port, const std::string& method, const std::string& target,
                           const std::string& body,
                           const std::vector<std::pair<std::string, std::string>>& headers) {
  connection c(port);
  if (!c.connected()) return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  c.send(req);
  return c.read_response(10s, method == "HEAD").value_or(http_response{});
}

double metric_value(const std::string& exposition, const std::string& series) {
  auto pos = exposition.find("\n" + series + " ");
  return pos == std::string::npos ? -1 : std::stod(exposition.substr(pos + series.size() + 2));
}

double metric(std::uint16_t port, const std::string& series) {
  return metric_value(http_get(port, "/metrics").body, series);
}

http_response http_get(std::uint16_t port, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  return http_request(port, "GET", target, {}, headers);
}

}  // namespace samling::testing
