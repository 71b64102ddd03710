#pragma once
// What a process holds, read from /proc: for tests that check a failure path or a long churn
// gives back what it took (descriptors, threads, memory). Linux only; plain POSIX and std.
#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace samling::testing {

struct proc_usage {
  long fds = 0, threads = 0, rss_kb = 0;
};

// Open descriptors (/proc/PID/fd), threads and resident KiB (/proc/PID/status).
inline proc_usage usage_of(pid_t pid) {
  proc_usage u;
  auto dir = "/proc/" + std::to_string(pid);
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir + "/fd", ec), end; !ec && it != end; it.increment(ec)) ++u.fds;
  std::ifstream status(dir + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) u.threads = std::stol(line.substr(8));
    if (line.rfind("VmRSS:", 0) == 0) u.rss_kb = std::stol(line.substr(6));
  }
  return u;
}

inline std::string show(const proc_usage& u) {
  return std::to_string(u.fds) + " fds, " + std::to_string(u.threads) + " threads, " + std::to_string(u.rss_kb / 1024) +
         " MiB RSS";
}

namespace detail {
inline std::string counted(const std::map<std::string, int>& m) {
  std::string out;
  for (auto& [k, n] : m) out += "  " + std::to_string(n) + " x " + k + "\n";
  return out;
}
}  // namespace detail

// What the descriptors are, for a failure message: "socket:[123]" and "pipe:[456]" counted by
// kind, "anon_inode:[eventfd]" and files whole.
inline std::string fd_kinds(pid_t pid) {
  std::map<std::string, int> kinds;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code link_ec;
    auto target = std::filesystem::read_symlink(it->path(), link_ec).string();
    if (link_ec) continue;
    auto colon = target.find(":[");
    ++kinds[colon == std::string::npos || target.rfind("anon_inode", 0) == 0 ? target : target.substr(0, colon)];
  }
  return detail::counted(kinds);
}

// The threads by name (/proc/PID/task/TID/comm), for a failure message.
inline std::string thread_names(pid_t pid) {
  std::map<std::string, int> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::ifstream comm(it->path() / "comm");
    std::string name;
    std::getline(comm, name);
    ++names[name];
  }
  return detail::counted(names);
}

}  // namespace samling::testing
