#pragma once
// A real SMTP server for integration tests: tests/support/smtp_sink.py (Debian's
// python3-aiosmtpd) as a child process on 127.0.0.1, writing each message it accepts to a
// folder as an .eml file; and a reader of those files through Python's email package, so a
// test checks what a mail client would show (and can follow the links in it).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "temp_dir.hpp"

extern char** environ;

namespace samling::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (for a server the test starts later).
inline std::uint16_t free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

class smtp_sink {
 public:
  struct options {
    std::uint16_t port = 0;    // 0: a free one
    std::string refuse_rcpt;   // e.g. "550 5.1.1 No such user here": every RCPT gets this
    std::string refuse_data;   // e.g. "451 4.3.0 Try again later": every DATA gets this
    std::string tls_cert;      // with tls_key: offer STARTTLS
    std::string tls_key;
    std::string auth_user;     // with auth_password: require AUTH (after STARTTLS)
    std::string auth_password;
  };

  smtp_sink() : smtp_sink(options()) {}
  explicit smtp_sink(options o) : port_(o.port ? o.port : free_tcp_port()) {
    std::vector<std::string> args = {"/usr/bin/python3", std::string(SAMLING_SOURCE_DIR) + "/tests/support/smtp_sink.py",
                                      "--port", std::to_string(port_), "--dir", dir_.file("in")};
    if (!o.refuse_rcpt.empty()) args.insert(args.end(), {"--refuse-rcpt", o.refuse_rcpt});
    if (!o.refuse_data.empty()) args.insert(args.end(), {"--refuse-data", o.refuse_data});
    if (!o.tls_cert.empty()) args.insert(args.end(), {"--tls-cert", o.tls_cert, "--tls-key", o.tls_key});
    if (!o.auth_user.empty())
      args.insert(args.end(), {"--auth-user", o.auth_user, "--auth-password", o.auth_password});
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    const std::string err = dir_.file("stderr");
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start smtp_sink.py");
    }
    // Ready when it says so (it listens before it prints).
    std::string seen;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    auto ready = [&] {
      const auto at = seen.find("listening on");
      return at != std::string::npos && seen.find('\n', at) != std::string::npos;  // the whole line
    };
    while (!ready() && std::chrono::steady_clock::now() < end) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      seen.append(buf, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    if (!ready()) {
      stop();
      throw std::runtime_error("smtp_sink.py did not start: " + seen + read(err));
    }
  }
  ~smtp_sink() { stop(); }
  smtp_sink(const smtp_sink&) = delete;
  smtp_sink& operator=(const smtp_sink&) = delete;

  std::uint16_t port() const { return port_; }
  // What the server wrote to stderr (aiosmtpd's log, a traceback), for failure messages.
  std::string stderr_text() const { return read(dir_.file("stderr")); }
  // Whether the server process is still running.
  bool running() const { return pid_ > 0 && ::kill(pid_, 0) == 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The messages received so far, in arrival order, as the bytes that arrived.
  std::vector<std::string> messages() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir_.file("in"), ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".eml") names.push_back(it->path().string());
    std::sort(names.begin(), names.end());
    std::vector<std::string> out;
    for (auto& n : names) out.push_back(read(n));
    return out;
  }

  // Stops the server (SIGTERM, then SIGKILL after 5 s) and reaps it. Idempotent.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > end) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      ::poll(nullptr, 0, 10);  // the child has no fd to wait on: check until the deadline
    }
    pid_ = -1;
  }

  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  temp_dir dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

// One received message as a mail client reads it (Python's email package, policy.default):
// {"subject", "from", "from_name", "to", "to_name", "message_id", "type", "text", "html",
// "defects"}; "text"/"html" are "" when absent, their line ends LF.
inline boost::json::object parse_eml(const std::string& eml) {
  temp_dir dir;
  const std::string file = dir.write("m.eml", eml);
  const std::string script = dir.write("read.py", R"py(
import email, email.policy, json, sys
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
def body(kind):
    part = msg.get_body((kind,))
    return part.get_content().replace('\r\n', '\n') if part is not None else ''
print(json.dumps({
  'subject': str(msg['subject']),
  'from': msg['from'].addresses[0].addr_spec, 'from_name': msg['from'].addresses[0].display_name,
  'to': msg['to'].addresses[0].addr_spec, 'to_name': msg['to'].addresses[0].display_name,
  'message_id': str(msg['message-id']), 'type': msg.get_content_type(),
  'text': body('plain'), 'html': body('html'),
  'defects': len(msg.defects) + sum(len(p.defects) for p in msg.walk()),
}))
)py");
  const std::string cmd = "/usr/bin/python3 " + script + " " + file;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run python3");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  if (::pclose(p) != 0) throw std::runtime_error("python3 could not parse the message: " + out);
  return boost::json::parse(out).as_object();
}

}  // namespace samling::testing
