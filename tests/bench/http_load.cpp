// http_load: a small HTTP/1.1 keep-alive load generator for the HLS benchmark (issue 5,
// tests/bench/media.sh). Holds N connections to one server, each sending one request at a time
// (no pipelining), the paths taken round-robin from a list; counts requests, bytes, non-200
// replies and errors, measures latency (p50/p99/max) and, when given the server's pid(s), its CPU
// time and RSS during the measured window, and the machine's steal time. Prints one JSON object.
//
//   http_load --port 18500 --urls urls.txt --connections 200 --warmup 2 --duration 10
//             --server-pid 1234[,1235,...] [--threads 1] [--host 127.0.0.1]
//
// Plain epoll, no library of ours: the same client for Samling and nginx. Responses must carry
// Content-Length (both servers send it for files); anything else is counted as an error.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench_common.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using samling::bench::histogram;

struct options {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 200;
  int threads = 1;
  double warmup_s = 2;
  double duration_s = 10;
  double request_timeout_s = 10;
  std::string urls_file;
  std::vector<pid_t> server_pids;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "http_load: %s\nusage: http_load --port P --urls FILE [--host 127.0.0.1] [--connections 200] "
               "[--threads 1] [--warmup 2] [--duration 10] [--request-timeout 10] [--server-pid PID[,PID...]]\n",
               msg);
  std::exit(2);
}

std::vector<std::string> g_paths;
std::vector<bool> g_is_segment;  // path ends with .ts
std::atomic<int> g_phase{0};     // 0 warm-up, 1 measuring, 2 stop
std::atomic<std::uint64_t> g_next_url{0};

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count());
}

struct counters {
  std::uint64_t requests = 0;        // completed replies in the window (any status)
  std::uint64_t ok = 0;              // 200s
  std::uint64_t segments_ok = 0;     // 200s for a .ts path
  std::uint64_t playlists_ok = 0;    // 200s for any other path (the playlist)
  std::uint64_t non_200 = 0;
  std::uint64_t bytes = 0;           // body bytes of completed replies
  std::uint64_t errors = 0;          // resets, unparsable replies, timeouts
  std::uint64_t timeouts = 0;
  std::uint64_t connect_failures = 0;
  std::uint64_t reconnects = 0;      // the server closed a keep-alive connection
  histogram latency;
};

struct conn {
  int fd = -1;
  enum { idle, connecting, writing, reading } state = idle;
  std::string request;
  std::size_t sent = 0;
  std::string head;             // response header bytes so far
  bool in_body = false;
  std::uint64_t body_left = 0;
  std::uint64_t body_len = 0;
  int status = 0;
  bool server_closes = false;
  std::size_t url = 0;
  std::uint64_t started_ns = 0;
  std::uint64_t retry_at_ns = 0;  // when idle after a failure: reconnect not before this
};

class worker {
 public:
  worker(const options& o, int nconn) : o_(o), conns_(static_cast<std::size_t>(nconn)) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) throw std::runtime_error("epoll_create1 failed");
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(static_cast<std::uint16_t>(o.port));
    if (inet_pton(AF_INET, o.host.c_str(), &addr_.sin_addr) != 1) throw std::runtime_error("bad --host");
    buf_.resize(4096);
  }
  ~worker() {
    for (auto& c : conns_)
      if (c.fd >= 0) ::close(c.fd);
    ::close(ep_);
  }

  void run() {
    for (auto& c : conns_) open(c);
    std::vector<epoll_event> events(256);
    std::uint64_t last_sweep = now_ns();
    while (g_phase.load(std::memory_order_relaxed) < 2) {
      int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 50);
      if (n < 0 && errno != EINTR) break;
      for (int i = 0; i < n; ++i) {
        auto& c = conns_[events[static_cast<std::size_t>(i)].data.u64];
        auto ev = events[static_cast<std::size_t>(i)].events;
        if (c.fd < 0) continue;
        if (c.state == conn::connecting) {
          int err = 0;
          socklen_t len = sizeof err;
          getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0) {
            ++stats_.connect_failures;
            fail(c, false);
            continue;
          }
          start_request(c);
          continue;
        }
        if (c.state == conn::writing && (ev & EPOLLOUT)) flush(c);
        if (c.fd >= 0 && c.state == conn::reading && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c);
      }
      std::uint64_t t = now_ns();
      if (t - last_sweep > 50'000'000) {  // every 50 ms: retries and request timeouts
        last_sweep = t;
        auto timeout = static_cast<std::uint64_t>(o_.request_timeout_s * 1e9);
        for (auto& c : conns_) {
          if (c.fd < 0 && t >= c.retry_at_ns) open(c);
          else if (c.fd >= 0 && c.state != conn::idle && t - c.started_ns > timeout) {
            if (measuring()) ++stats_.timeouts;
            fail(c, true);
          }
        }
      }
    }
  }

  counters& stats() { return stats_; }

 private:
  static bool measuring() { return g_phase.load(std::memory_order_relaxed) == 1; }

  void open(conn& c) {
    c = conn{};
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      ++stats_.connect_failures;
      c.retry_at_ns = now_ns() + 100'000'000;
      return;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
    epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
    c.started_ns = now_ns();
    int rc = ::connect(c.fd, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_);
    if (rc == 0) {
      start_request(c);
    } else if (errno == EINPROGRESS) {
      c.state = conn::connecting;
    } else {
      ++stats_.connect_failures;
      fail(c, false);
    }
  }

  // Closes the connection; it is opened again after 100 ms (at once when `soon`).
  void fail(conn& c, bool soon) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    c.state = conn::idle;
    c.retry_at_ns = now_ns() + (soon ? 0 : 100'000'000);
  }

  void set_events(conn& c, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
    epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void start_request(conn& c) {
    c.url = static_cast<std::size_t>(g_next_url.fetch_add(1, std::memory_order_relaxed) % g_paths.size());
    c.request = "GET " + g_paths[c.url] + " HTTP/1.1\r\nHost: " + o_.host + ":" + std::to_string(o_.port) +
                "\r\nUser-Agent: samling-http-load\r\nAccept: */*\r\n\r\n";
    c.sent = 0;
    c.head.clear();
    c.in_body = false;
    c.body_left = c.body_len = 0;
    c.status = 0;
    c.server_closes = false;
    c.started_ns = now_ns();
    c.state = conn::writing;
    flush(c);
  }

  void flush(conn& c) {
    while (c.sent < c.request.size()) {
      ssize_t n = ::send(c.fd, c.request.data() + c.sent, c.request.size() - c.sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.sent += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        set_events(c, EPOLLOUT);
        return;
      }
      if (measuring()) ++stats_.errors;
      fail(c, true);
      return;
    }
    c.state = conn::reading;
    set_events(c, EPOLLIN);
  }

  static std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  // Parses the status line and headers in c.head; false when unusable.
  static bool parse_head(conn& c) {
    if (c.head.size() < 12 || c.head.compare(0, 5, "HTTP/") != 0) return false;
    c.status = std::atoi(c.head.c_str() + 9);
    bool have_length = false;
    bool http10 = c.head.compare(0, 8, "HTTP/1.0") == 0;
    std::size_t pos = c.head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < c.head.size()) {
      std::size_t end = c.head.find("\r\n", pos + 2);
      if (end == std::string::npos) break;
      std::string line = c.head.substr(pos + 2, end - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = lower(line.substr(0, colon));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "content-length") {
          c.body_len = std::strtoull(value.c_str(), nullptr, 10);
          have_length = true;
        } else if (name == "connection") {
          auto v = lower(value);
          if (v.find("close") != std::string::npos) c.server_closes = true;
          if (v.find("keep-alive") != std::string::npos) http10 = false;
        } else if (name == "transfer-encoding") {
          return false;  // chunked replies are not expected for files
        }
      }
      pos = end;
    }
    if (http10) c.server_closes = true;
    c.body_left = c.body_len;
    return have_length;
  }

  void on_readable(conn& c) {
    for (;;) {
      // Bodies are discarded inside the kernel (TCP's recv with MSG_TRUNC counts the bytes and
      // copies nothing), so the client costs little CPU next to the server it measures; headers
      // are read with a small buffer so that little of a body is copied.
      ssize_t n;
      if (c.in_body) {
        std::size_t want = c.body_left > (1u << 30) ? (1u << 30) : static_cast<std::size_t>(c.body_left);
        n = ::recv(c.fd, nullptr, want, MSG_TRUNC);
      } else {
        n = ::recv(c.fd, buf_.data(), buf_.size(), 0);
      }
      if (n == 0) {  // closed by the server between or during replies
        if (c.state == conn::reading && measuring()) ++stats_.errors;
        fail(c, true);
        return;
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR) continue;
        if (measuring()) ++stats_.errors;
        fail(c, true);
        return;
      }
      std::size_t got = static_cast<std::size_t>(n);
      std::size_t used = 0;
      if (!c.in_body) {
        std::size_t old = c.head.size();
        c.head.append(buf_.data(), got);
        auto end = c.head.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (c.head.size() > 64 * 1024) {
            if (measuring()) ++stats_.errors;
            fail(c, true);
            return;
          }
          continue;
        }
        used = end + 4 - old;
        c.head.resize(end + 2);
        if (!parse_head(c)) {
          if (measuring()) ++stats_.errors;
          fail(c, true);
          return;
        }
        c.in_body = true;
      }
      std::uint64_t body = got - used;
      if (body > c.body_left) body = c.body_left;  // bytes beyond the reply: not expected
      c.body_left -= body;
      if (c.body_left == 0) {
        complete(c);
        return;
      }
    }
  }

  void complete(conn& c) {
    if (measuring()) {
      ++stats_.requests;
      stats_.bytes += c.body_len;
      if (c.status == 200) {
        ++stats_.ok;
        if (g_is_segment[c.url]) ++stats_.segments_ok;
        else ++stats_.playlists_ok;
      } else {
        ++stats_.non_200;
      }
      stats_.latency.add(now_ns() - c.started_ns);
    }
    if (c.server_closes) {
      if (measuring()) ++stats_.reconnects;
      ::close(c.fd);
      c.fd = -1;
      open(c);
      return;
    }
    start_request(c);
  }

  const options& o_;
  std::vector<conn> conns_;
  int ep_ = -1;
  sockaddr_in addr_{};
  std::vector<char> buf_;
  counters stats_;
};

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

double server_cpu(const std::vector<pid_t>& pids) {
  double s = 0;
  for (auto p : pids) {
    double v = samling::bench::process_cpu_seconds(p);
    if (v > 0) s += v;
  }
  return s;
}

long server_rss(const std::vector<pid_t>& pids) {
  long s = 0;
  for (auto p : pids) {
    long v = samling::bench::process_rss_kb(p);
    if (v > 0) s += v;
  }
  return s;
}

std::string num(double v) {
  std::ostringstream o;
  o.precision(6);
  o << v;
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--host") o.host = next();
    else if (a == "--port") o.port = std::atoi(next().c_str());
    else if (a == "--connections") o.connections = std::atoi(next().c_str());
    else if (a == "--threads") o.threads = std::atoi(next().c_str());
    else if (a == "--warmup") o.warmup_s = std::atof(next().c_str());
    else if (a == "--duration") o.duration_s = std::atof(next().c_str());
    else if (a == "--request-timeout") o.request_timeout_s = std::atof(next().c_str());
    else if (a == "--urls") o.urls_file = next();
    else if (a == "--server-pid") {
      std::stringstream s(next());
      std::string item;
      while (std::getline(s, item, ','))
        if (!item.empty()) o.server_pids.push_back(static_cast<pid_t>(std::atoi(item.c_str())));
    } else usage(("unknown argument " + a).c_str());
  }
  if (o.port <= 0 || o.port > 65535) usage("--port is required");
  if (o.urls_file.empty()) usage("--urls is required");
  if (o.connections < 1 || o.threads < 1 || o.duration_s <= 0 || o.warmup_s < 0) usage("bad numbers");
  if (o.threads > o.connections) o.threads = o.connections;
  {
    std::ifstream in(o.urls_file);
    std::string line;
    while (std::getline(in, line)) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line.empty() || line[0] == '#') continue;
      // A segment: the path (before any query, e.g. a press viewer token ?v=) ends with .ts.
      auto path = std::string_view(line).substr(0, line.find('?'));
      g_is_segment.push_back(path.size() > 3 && path.ends_with(".ts"));
      g_paths.push_back(std::move(line));
    }
  }
  if (g_paths.empty()) usage("no paths in --urls");

  std::vector<std::unique_ptr<worker>> workers;
  for (int t = 0; t < o.threads; ++t) {
    int n = o.connections / o.threads + (t < o.connections % o.threads ? 1 : 0);
    workers.push_back(std::make_unique<worker>(o, n));
  }
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });

  // The control thread: warm-up, the measured window (CPU, steal, RSS sampled), stop.
  auto sleep_s = [](double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); };
  sleep_s(o.warmup_s);
  auto cpu0 = server_cpu(o.server_pids);
  auto m0 = samling::bench::machine_cpu_times();
  auto t0 = clock_type::now();
  g_phase.store(1);
  long rss_max = server_rss(o.server_pids);
  while (seconds_since(t0) < o.duration_s) {
    sleep_s(std::min(0.1, std::max(0.0, o.duration_s - seconds_since(t0))));
    rss_max = std::max(rss_max, server_rss(o.server_pids));
  }
  g_phase.store(2);
  double elapsed = seconds_since(t0);
  auto cpu1 = server_cpu(o.server_pids);
  auto m1 = samling::bench::machine_cpu_times();
  for (auto& t : threads) t.join();

  counters all;
  for (auto& w : workers) {
    auto& s = w->stats();
    all.requests += s.requests;
    all.ok += s.ok;
    all.segments_ok += s.segments_ok;
    all.playlists_ok += s.playlists_ok;
    all.non_200 += s.non_200;
    all.bytes += s.bytes;
    all.errors += s.errors;
    all.timeouts += s.timeouts;
    all.connect_failures += s.connect_failures;
    all.reconnects += s.reconnects;
    all.latency.merge(s.latency);
  }
  double cpu = o.server_pids.empty() ? -1 : cpu1 - cpu0;
  double steal = m1.total > m0.total ? 100.0 * static_cast<double>(m1.steal - m0.steal) /
                                           static_cast<double>(m1.total - m0.total)
                                     : 0;
  auto ms = [&](double q) { return static_cast<double>(all.latency.quantile(q)) / 1e6; };
  std::ostringstream j;
  j << "{\"connections\": " << o.connections << ", \"threads\": " << o.threads << ", \"urls\": " << g_paths.size()
    << ", \"warmup_s\": " << num(o.warmup_s) << ", \"duration_s\": " << num(elapsed)
    << ", \"requests\": " << all.requests << ", \"ok\": " << all.ok << ", \"segments_ok\": " << all.segments_ok
    << ", \"playlists_ok\": " << all.playlists_ok << ", \"non_200\": " << all.non_200
    << ", \"errors\": " << all.errors << ", \"timeouts\": " << all.timeouts
    << ", \"connect_failures\": " << all.connect_failures << ", \"reconnects\": " << all.reconnects
    << ", \"bytes\": " << all.bytes << ", \"requests_per_s\": " << num(static_cast<double>(all.ok) / elapsed)
    << ", \"segments_per_s\": " << num(static_cast<double>(all.segments_ok) / elapsed)
    << ", \"mbit_per_s\": " << num(static_cast<double>(all.bytes) * 8 / 1e6 / elapsed)
    << ", \"bytes_per_request\": " << num(all.requests ? static_cast<double>(all.bytes) / static_cast<double>(all.requests) : 0)
    << ", \"p50_ms\": " << num(ms(0.5)) << ", \"p99_ms\": " << num(ms(0.99))
    << ", \"max_ms\": " << num(static_cast<double>(all.latency.max()) / 1e6);
  if (cpu >= 0) {
    j << ", \"server_cpu_s\": " << num(cpu) << ", \"server_cpu_pct\": " << num(100 * cpu / elapsed)
      << ", \"server_cpu_us_per_request\": " << num(all.ok ? 1e6 * cpu / static_cast<double>(all.ok) : 0)
      << ", \"requests_per_cpu_s\": " << num(cpu > 0 ? static_cast<double>(all.ok) / cpu : 0)
      << ", \"server_rss_kb_max\": " << rss_max << ", \"server_pids\": " << o.server_pids.size();
  }
  j << ", \"steal_pct\": " << num(steal) << "}";
  std::cout << j.str() << std::endl;
  return 0;
}
