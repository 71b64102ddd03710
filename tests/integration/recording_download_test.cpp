// Recording downloads (GET /api/v1/stages/{id}/recordings/{name}) are streamed from disk: a
// file of hundreds of megabytes leaves the server's memory flat (its VmRSS sampled from /proc
// during the download, over plain TCP with sendfile and over TLS), every byte arrives as it is
// on disk, and range requests (RFC 9110) let a player seek and a download manager resume.
//
// The recordings are written by the test into the stage's recordings directory (the server
// serves whatever is there; the stage never starts, so no GStreamer pipeline runs): a pattern
// whose every byte is a function of its offset, so any slice is checked without a copy.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"
#include "media_fixture.hpp"

using namespace samling::testing;
using namespace samling::testing::media_fixture;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t MiB = 1024 * 1024;

// ---- the file's bytes --------------------------------------------------------------------

// Byte `o` of every test recording: each 8-byte word is its index times an odd constant, so
// neighbouring words differ and a slice sent from the wrong offset cannot match.
unsigned char pattern_byte(std::uint64_t o) {
  std::uint64_t word = (o >> 3) * 0x9E3779B97F4A7C15ull + 1;
  return static_cast<unsigned char>(word >> ((o & 7) * 8));
}

// The offset of the first byte of `data` (which should start at `offset`) that differs from
// the pattern, or nullopt when all match.
std::optional<std::uint64_t> first_mismatch(std::uint64_t offset, std::string_view data) {
  for (std::size_t i = 0; i < data.size(); ++i)
    if (static_cast<unsigned char>(data[i]) != pattern_byte(offset + i)) return offset + i;
  return std::nullopt;
}

void write_pattern_file(const fs::path& path, std::uint64_t size) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::string block(MiB, '\0');
  for (std::uint64_t off = 0; off < size; off += block.size()) {
    auto n = std::min<std::uint64_t>(block.size(), size - off);
    for (std::uint64_t i = 0; i < n; ++i) block[i] = static_cast<char>(pattern_byte(off + i));
    out.write(block.data(), static_cast<std::streamsize>(n));
  }
  ASSERT_TRUE(out.good()) << "could not write " << path;
}

// ---- the server's memory -----------------------------------------------------------------

// VmRSS of `pid` in KiB from /proc/<pid>/status, or -1.
long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

// Samples a process's RSS every 10 ms on a thread of its own until destroyed; keeps the peak.
class rss_sampler {
 public:
  explicit rss_sampler(pid_t pid) : pid_(pid), thread_([this] { run(); }) {}
  ~rss_sampler() {
    stop_ = true;
    thread_.join();
  }
  long peak_kib() const { return peak_.load(); }
  int samples() const { return samples_.load(); }

 private:
  void run() {
    while (!stop_) {
      auto v = rss_kib(pid_);
      if (v > peak_) peak_ = v;
      ++samples_;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::atomic<long> peak_{0};
  std::atomic<int> samples_{0};
  std::thread thread_;
};

// ---- a client over a real socket, plain or TLS -------------------------------------------

class client {
 public:
  // `rcvbuf` > 0 caps the socket's receive buffer (set before connect, so the TCP window is
  // small too): a client that reads slowly then really holds the server back.
  client(std::uint16_t port, bool tls, int rcvbuf = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    timeval tv{20, 0};  // bounds every TLS read and write
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    if (!tls) return;
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // the test's self-signed certificate
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    if (SSL_connect(ssl_) != 1) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~client() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  bool connected() const { return fd_ >= 0; }
  // Cuts the connection without a word (no TLS close_notify): a client that went away.
  void cut() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      long n = ssl_ ? SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent))
                    : ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Up to `max` bytes: what was buffered after the head first, then the socket. Empty at EOF,
  // on an error, or when nothing came for 20 s.
  std::string read_some(std::size_t max) {
    if (!pending_.empty()) {
      auto n = std::min(max, pending_.size());
      auto out = pending_.substr(0, n);
      pending_.erase(0, n);
      return out;
    }
    if (fd_ < 0) return {};
    if (buf_.size() < max) buf_.resize(max);
    long n;
    if (ssl_) {
      n = SSL_read(ssl_, buf_.data(), static_cast<int>(max));
    } else {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20'000) <= 0) return {};
      n = ::recv(fd_, buf_.data(), max, 0);
    }
    if (n <= 0) return {};
    return std::string(buf_.data(), static_cast<std::size_t>(n));
  }

  // Reads a response head; nullopt if the connection ends first. The body's first bytes stay
  // buffered for read_some.
  std::optional<http_response> read_head() {
    std::string raw = std::exchange(pending_, std::string());
    while (raw.find("\r\n\r\n") == std::string::npos) {
      auto more = read_some(64 * 1024);
      if (more.empty()) return std::nullopt;
      raw += more;
    }
    auto end = raw.find("\r\n\r\n") + 4;
    auto head = parse_response(raw.substr(0, end), true);
    pending_ = raw.substr(end);
    return head;
  }

  // Reads exactly `n` body bytes; fewer if the connection ends first.
  std::string read_body(std::uint64_t n) {
    std::string out;
    while (out.size() < n) {
      auto more = read_some(std::min<std::uint64_t>(256 * 1024, n - out.size()));
      if (more.empty()) break;
      out += more;
    }
    return out;
  }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string pending_;
  std::vector<char> buf_;
};

std::string request(const std::string& method, const std::string& target, const header_list& headers = {},
                    bool close = false) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  if (close) out += "Connection: close\r\n";
  return out + "\r\n";
}

std::string attendee_token() { return ws::token("u-att", "Anna Attendee", "attendee"); }
std::string foreign_organizer_token() {
  return ws::token("u-far", "Frida Far", "organizer", "another-event-2028");
}

// One stage that is never started (no pipeline, no CPU): only its recordings directory is used.
std::string idle_stage_toml() {
  return "\n[[stages]]\nid = \"main\"\n"
         "name = { sv = \"Scen\", en = \"Stage\", fi = \"Lava\" }\n"
         "mode = \"produced\"\ninput = \"test\"\nautostart = false\nrecord = true\n" +
         small_produced_toml();
}

fs::path recordings_dir(const server_process& server) { return server.dir().path() / "media" / "recordings" / "main"; }

const std::string big_name = "2027-05-20T09-00-00Z_01-keynote.ts";
const std::string base = "/api/v1/stages/main/recordings/";

// What a whole download over `c` found: the head, the body's length and the first wrong byte.
struct download {
  std::optional<http_response> head;
  std::uint64_t received = 0;
  std::optional<std::uint64_t> mismatch;
};

// GETs `target` over `c` and reads the body (the whole file, or the range of a 206), checking
// each chunk against the pattern as it comes. The first `slow_bytes` are read 16 KiB every
// 20 ms (a player's pace), the rest at once.
download fetch(client& c, const std::string& target, std::uint64_t slow_bytes = 0, const header_list& extra = {}) {
  download d;
  if (!c.send(request("GET", target, extra, true))) return d;
  d.head = c.read_head();
  if (!d.head || (d.head->status != 200 && d.head->status != 206)) return d;
  auto length = std::strtoull(d.head->header("content-length").c_str(), nullptr, 10);
  // "bytes FIRST-LAST/SIZE"
  std::uint64_t first = d.head->status == 206 ? std::strtoull(d.head->header("content-range").c_str() + 6, nullptr, 10) : 0;
  while (d.received < length) {
    bool slow = d.received < slow_bytes;
    auto chunk = c.read_some(slow ? 16 * 1024 : 256 * 1024);
    if (chunk.empty()) break;
    if (!d.mismatch) d.mismatch = first_mismatch(first + d.received, chunk);
    d.received += chunk.size();
    if (slow) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return d;
}

// The server's RSS when idle, in KiB: the lowest of a few samples (a moment of allocator
// churn should not lower the bar the download is held to).
long baseline_rss(pid_t pid) {
  long low = rss_kib(pid);
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto v = rss_kib(pid);
    if (v > 0 && v < low) low = v;
  }
  return low;
}

// How much the RSS may grow during a download: what the download itself needs is a socket and
// a 64 KiB TLS chunk; the rest is slack for the allocator and the server's other threads.
constexpr long rss_bound_kib = 32 * 1024;

}  // namespace

// 480 MiB over plain TCP, the first 2 MiB read slowly, while a second client downloads the
// second half (a resumed download) at full speed: the server's RSS stays within 32 MiB of its
// idle value (the old server read the file whole first: +480 MiB before the first byte, per
// download).
TEST(RecordingDownload, LargeFileStreamsWithFlatMemory) {
  server_process server(media_server(idle_stage_toml()));
  const std::uint64_t size = 480 * MiB;
  write_pattern_file(recordings_dir(server) / big_name, size);
  if (HasFatalFailure()) return;
  // Touch the route once (a small range), so that lazily built state is not counted.
  {
    client warm(server.port(), false);
    ASSERT_TRUE(warm.connected());
    ASSERT_TRUE(warm.send(request("GET", base + big_name, {{"Range", "bytes=0-15"}, {"Authorization", "Bearer " + organizer_token()}}, true)));
    warm.read_head();
  }
  auto before = baseline_rss(server.pid());
  ASSERT_GT(before, 0);
  client c(server.port(), false, 64 * 1024);
  ASSERT_TRUE(c.connected());
  client other(server.port(), false);
  ASSERT_TRUE(other.connected());
  download d, half;
  long peak = 0;
  int samples = 0;
  auto started = std::chrono::steady_clock::now();
  {
    rss_sampler sampler(server.pid());
    std::thread second([&] {
      half = fetch(other, base + big_name, 0,
                   {{"Authorization", "Bearer " + organizer_token()}, {"Range", "bytes=" + std::to_string(size / 2) + "-"}});
    });
    // By link, as the organizer page offers it: the token in the query.
    d = fetch(c, base + big_name + "?token=" + organizer_token(), 2 * MiB);
    second.join();
    peak = sampler.peak_kib();
    samples = sampler.samples();
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RecordProperty("rss_before_kib", static_cast<int>(before));
  RecordProperty("rss_peak_kib", static_cast<int>(peak));
  RecordProperty("download_ms", static_cast<int>(seconds * 1000));
  std::cout << "[ info ] " << size / MiB << " MiB in " << seconds << " s; server RSS " << before / 1024
            << " MiB before, peak " << peak / 1024 << " MiB (" << samples << " samples)\n";

  ASSERT_TRUE(d.head) << "no response";
  ASSERT_EQ(d.head->status, 200) << describe(*d.head);
  EXPECT_EQ(d.head->header("content-length"), std::to_string(size));
  EXPECT_EQ(d.head->header("content-type"), "video/mp2t");
  EXPECT_EQ(d.head->header("accept-ranges"), "bytes");
  EXPECT_FALSE(d.head->header("etag").empty());
  EXPECT_FALSE(d.head->header("last-modified").empty());
  EXPECT_NE(d.head->header("content-disposition").find(big_name), std::string::npos);
  EXPECT_EQ(d.received, size) << "the body ended early";
  EXPECT_FALSE(d.mismatch) << "byte " << d.mismatch.value_or(0) << " differs from the file";
  ASSERT_TRUE(half.head) << "no response to the second client";
  EXPECT_EQ(half.head->status, 206) << describe(*half.head);
  EXPECT_EQ(half.head->header("content-range"),
            "bytes " + std::to_string(size / 2) + "-" + std::to_string(size - 1) + "/" + std::to_string(size));
  EXPECT_EQ(half.received, size / 2) << "the second half ended early";
  EXPECT_FALSE(half.mismatch) << "byte " << half.mismatch.value_or(0) << " of the second half differs from the file";
  EXPECT_GT(samples, 20) << "too few RSS samples to mean anything";
  EXPECT_LT(peak - before, rss_bound_kib)
      << "downloading " << size / MiB << " MiB (and its second half at the same time) raised the server's RSS from "
      << before / 1024 << " to "
      << peak / 1024 << " MiB";
}

// The same over TLS, where the file is read and encrypted by the server in 64 KiB chunks.
TEST(RecordingDownload, LargeFileOverTlsStreamsWithFlatMemory) {
  temp_dir certs;
  auto cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout " +
             certs.file("key.pem") + " -out " + certs.file("cert.pem") + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
  auto opt = media_server(idle_stage_toml());
  opt.extra_toml += "\n[tls]\ncertificate = \"" + certs.file("cert.pem") + "\"\nprivate_key = \"" +
                    certs.file("key.pem") + "\"\n";
  server_process server(opt);
  const std::uint64_t size = 160 * MiB;
  write_pattern_file(recordings_dir(server) / big_name, size);
  if (HasFatalFailure()) return;
  auto before = baseline_rss(server.pid());
  ASSERT_GT(before, 0);
  client c(server.port(), true);
  ASSERT_TRUE(c.connected());
  download d;
  long peak = 0;
  {
    rss_sampler sampler(server.pid());
    d = fetch(c, base + big_name + "?token=" + organizer_token(), 2 * MiB);
    peak = sampler.peak_kib();
  }
  std::cout << "[ info ] TLS: " << size / MiB << " MiB; server RSS " << before / 1024 << " MiB before, peak "
            << peak / 1024 << " MiB\n";
  ASSERT_TRUE(d.head) << "no response";
  ASSERT_EQ(d.head->status, 200) << describe(*d.head);
  EXPECT_EQ(d.received, size) << "the body ended early";
  EXPECT_FALSE(d.mismatch) << "byte " << d.mismatch.value_or(0) << " differs from the file";
  EXPECT_LT(peak - before, rss_bound_kib)
      << "downloading " << size / MiB << " MiB over TLS raised the server's RSS from " << before / 1024
      << " to " << peak / 1024 << " MiB";

  {
    // A range over TLS: the slice, from its offset.
    client ranged(server.port(), true);
    ASSERT_TRUE(ranged.connected());
    auto r = bearer(organizer_token());
    r.emplace_back("Range", "bytes=100000000-100999999");
    ASSERT_TRUE(ranged.send(request("GET", base + big_name, r, true)));
    auto head = ranged.read_head();
    ASSERT_TRUE(head);
    ASSERT_EQ(head->status, 206) << describe(*head);
    EXPECT_EQ(head->header("content-range"), "bytes 100000000-100999999/" + std::to_string(size));
    auto body = ranged.read_body(1'000'000);
    EXPECT_EQ(body.size(), 1'000'000u);
    EXPECT_FALSE(first_mismatch(100'000'000, body));
  }
}

// Range requests, resuming a cut download, HEAD, the chapters file, and who may download what.
TEST(RecordingDownload, RangesResumeHeadAndAccess) {
  server_process server(media_server(idle_stage_toml()));
  const std::uint64_t size = 8 * MiB + 123;
  const std::string name = "2027-05-20T10-00-00Z_02-panel.ts";
  write_pattern_file(recordings_dir(server) / name, size);
  write_file((recordings_dir(server) / "2027-05-20.vtt").string(), "WEBVTT\n\n00:00.000 --> 00:10.000\nPanel\n\n");
  if (HasFatalFailure()) return;
  const auto url = base + name;
  const auto sz = std::to_string(size);
  auto get = [&](const header_list& extra, const std::string& target = {}) {
    auto h = bearer(organizer_token());
    h.insert(h.end(), extra.begin(), extra.end());
    return http_get(server.port(), target.empty() ? url : target, h);
  };

  // The three forms of a range, each a 206 of exactly the slice.
  struct range_case {
    std::string range;
    std::uint64_t first, last;
  };
  for (auto& rc : std::vector<range_case>{{"bytes=0-0", 0, 0},
                                          {"bytes=1000-1999", 1000, 1999},
                                          {"bytes=5000000-", 5000000, size - 1},
                                          {"bytes=-4096", size - 4096, size - 1},
                                          {"bytes=8000000-99999999", 8000000, size - 1}}) {
    auto r = get({{"Range", rc.range}});
    ASSERT_EQ(r.status, 206) << rc.range << ": " << describe(r);
    EXPECT_EQ(r.header("content-range"),
              "bytes " + std::to_string(rc.first) + "-" + std::to_string(rc.last) + "/" + sz)
        << rc.range;
    EXPECT_EQ(r.header("content-length"), std::to_string(rc.last - rc.first + 1)) << rc.range;
    EXPECT_EQ(r.body.size(), rc.last - rc.first + 1) << rc.range;
    EXPECT_FALSE(first_mismatch(rc.first, r.body)) << rc.range;
    EXPECT_EQ(r.header("content-type"), "video/mp2t") << rc.range;
    EXPECT_EQ(r.header("accept-ranges"), "bytes") << rc.range;
  }

  // Past the end: 416 with the size; the file is not sent.
  for (const std::string& range : std::vector<std::string>{"bytes=" + sz + "-", "bytes=99999999-99999999", "bytes=-0"}) {
    auto r = get({{"Range", range}});
    EXPECT_EQ(r.status, 416) << range << ": " << describe(r);
    EXPECT_EQ(r.header("content-range"), "bytes */" + sz) << range;
    EXPECT_LT(r.body.size(), 1000u) << range;
  }
  // Malformed, another unit, or several ranges: the whole file, 200.
  for (std::string range : {"bytes=5-1", "bytes=abc", "lines=0-9", "bytes=0-9,20-29"}) {
    auto r = get({{"Range", range}});
    EXPECT_EQ(r.status, 200) << range << ": " << describe(r);
    EXPECT_EQ(r.body.size(), size) << range;
    EXPECT_EQ(r.header("content-range"), "") << range;
  }

  // HEAD: the headers of the whole file, no body (and Range is for GET only).
  {
    client c(server.port(), false);
    ASSERT_TRUE(c.connected());
    auto h = bearer(organizer_token());
    h.emplace_back("Range", "bytes=0-9");
    ASSERT_TRUE(c.send(request("HEAD", url, h)));
    auto head = c.read_head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200) << describe(*head);
    EXPECT_EQ(head->header("content-length"), sz);
    EXPECT_EQ(head->header("accept-ranges"), "bytes");
    EXPECT_EQ(head->header("content-type"), "video/mp2t");
    // No body followed: the same connection answers the next request at once.
    ASSERT_TRUE(c.send(request("GET", url, {{"Authorization", "Bearer " + organizer_token()}, {"Range", "bytes=7-8"}}, true)));
    auto next = c.read_head();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 206) << describe(*next);
    auto body = c.read_body(2);
    EXPECT_FALSE(first_mismatch(7, body));
  }

  // A download cut after some megabytes resumes where it stopped (If-Range: the file is the
  // same), and the two parts make the file.
  {
    client c(server.port(), false, 64 * 1024);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(request("GET", url + "?token=" + organizer_token())));
    auto head = c.read_head();
    ASSERT_TRUE(head);
    ASSERT_EQ(head->status, 200) << describe(*head);
    auto etag = head->header("etag");
    ASSERT_FALSE(etag.empty());
    auto part = c.read_body(3 * MiB + 17);
    ASSERT_EQ(part.size(), 3 * MiB + 17);
    EXPECT_FALSE(first_mismatch(0, part));
    c.cut();  // the client goes away mid-body
    auto rest = get({{"Range", "bytes=" + std::to_string(part.size()) + "-"}, {"If-Range", etag}},
                    url + "?token=" + organizer_token());
    ASSERT_EQ(rest.status, 206) << describe(rest);
    EXPECT_EQ(rest.body.size(), size - part.size());
    EXPECT_FALSE(first_mismatch(part.size(), rest.body));
    // An If-Range for another version of the file gets the whole (current) file instead.
    auto stale = get({{"Range", "bytes=100-"}, {"If-Range", "\"1-1\""}});
    EXPECT_EQ(stale.status, 200) << describe(stale);
    EXPECT_EQ(stale.body.size(), size);
  }

  // A file still being written is served as long as it was when the request came: the length
  // sent matches Content-Length, so the connection stays usable for the next request.
  {
    const std::string growing = "2027-05-20T11-00-00Z_03-live.ts";
    const std::uint64_t start_size = 4 * MiB;
    write_pattern_file(recordings_dir(server) / growing, start_size);
    client c(server.port(), false, 64 * 1024);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(request("GET", base + growing, {{"Authorization", "Bearer " + organizer_token()}})));
    auto head = c.read_head();
    ASSERT_TRUE(head);
    ASSERT_EQ(head->status, 200) << describe(*head);
    EXPECT_EQ(head->header("content-length"), std::to_string(start_size));
    {
      // The recorder appends 2 MiB while the client is still reading.
      std::ofstream more(recordings_dir(server) / growing, std::ios::binary | std::ios::app);
      std::string block(2 * MiB, '\0');
      for (std::uint64_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>(pattern_byte(start_size + i));
      more.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    auto body = c.read_body(start_size);
    EXPECT_EQ(body.size(), start_size);
    EXPECT_FALSE(first_mismatch(0, body));
    ASSERT_TRUE(c.send(request("GET", base + growing, {{"Authorization", "Bearer " + organizer_token()}, {"Range", "bytes=-10"}}, true)));
    auto next = c.read_head();
    ASSERT_TRUE(next) << "the connection broke after the first response";
    EXPECT_EQ(next->status, 206) << describe(*next);
    EXPECT_EQ(next->header("content-range"), "bytes " + std::to_string(start_size + 2 * MiB - 10) + "-" +
                                                 std::to_string(start_size + 2 * MiB - 1) + "/" +
                                                 std::to_string(start_size + 2 * MiB));
    EXPECT_FALSE(first_mismatch(start_size + 2 * MiB - 10, c.read_body(10)));
  }

  // The chapters file, whole and in part.
  auto vtt = get({}, base + "2027-05-20.vtt");
  EXPECT_EQ(vtt.status, 200) << describe(vtt);
  EXPECT_EQ(vtt.header("content-type"), "text/vtt; charset=utf-8");
  EXPECT_EQ(vtt.body.rfind("WEBVTT", 0), 0u) << vtt.body;
  auto vtt_part = get({{"Range", "bytes=0-5"}}, base + "2027-05-20.vtt");
  EXPECT_EQ(vtt_part.status, 206) << describe(vtt_part);
  EXPECT_EQ(vtt_part.body, "WEBVTT");

  // Only the event's organizers, with or without a Range.
  for (auto& [who, headers, status] : std::vector<std::tuple<std::string, header_list, int>>{
           {"no token", {}, 401},
           {"attendee", bearer(attendee_token()), 403},
           {"organizer of another event", bearer(foreign_organizer_token()), 403}}) {
    for (bool ranged : {false, true}) {
      auto h = headers;
      if (ranged) h.emplace_back("Range", "bytes=0-99");
      auto r = http_get(server.port(), url, h);
      EXPECT_EQ(r.status, status) << who << (ranged ? " with Range: " : ": ") << describe(r);
      EXPECT_EQ(r.header("content-range"), "") << who;
      EXPECT_LT(r.body.size(), 1000u) << who;
    }
  }
  auto att_link = http_get(server.port(), url + "?token=" + attendee_token());
  EXPECT_EQ(att_link.status, 403) << describe(att_link);

  // Only files of the stage's recordings directory, and only recordings and chapters.
  write_file((server.dir().path() / "media" / "recordings" / "secret.ts").string(), "not this stage's");
  write_file((recordings_dir(server) / ".hidden.ts").string(), "hidden");
  write_file((recordings_dir(server) / "notes.txt").string(), "not a recording");
  for (std::string bad : {"../secret.ts", "..%2Fsecret.ts", "%2E%2E%2Fsecret.ts", "..", ".hidden.ts",
                          "notes.txt", "nosuch.ts", "../../samling.db", "%2E%2E%2F%2E%2E%2Fsamling.toml"}) {
    auto r = get({{"Range", "bytes=0-3"}}, base + bad);
    EXPECT_TRUE(r.status == 404 || (r.status == 400 && bad.find("%2F") != std::string::npos))
        << bad << ": " << describe(r);
    EXPECT_EQ(r.body.find("not this"), std::string::npos) << bad;
  }
}

// Range support is the HTTP layer's, for every file body: an HLS segment answers ranges too
// (some players ask for one), and a plain request gets Accept-Ranges.
TEST(RecordingDownload, LiveSegmentsAnswerRangesToo) {
  server_process server(media_server(idle_stage_toml()));
  // A segment as the HLS writer leaves it; older than 3 s, so it is known complete without a
  // playlist (the stage is not running).
  const std::uint64_t size = 200'000;
  auto path = server.dir().path() / "media" / "hls" / "main" / "r1-00001.ts";
  write_pattern_file(path, size);
  if (HasFatalFailure()) return;
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::seconds(10));
  auto whole = http_get(server.port(), "/live/main/r1-00001.ts");
  ASSERT_EQ(whole.status, 200) << describe(whole);
  EXPECT_EQ(whole.header("accept-ranges"), "bytes");
  EXPECT_EQ(whole.body.size(), size);
  EXPECT_FALSE(first_mismatch(0, whole.body));
  // Twice: the second comes from the server's cache of open segments.
  for (int i = 0; i < 2; ++i) {
    auto part = http_get(server.port(), "/live/main/r1-00001.ts", {{"Range", "bytes=188-375"}});
    ASSERT_EQ(part.status, 206) << describe(part);
    EXPECT_EQ(part.header("content-range"), "bytes 188-375/" + std::to_string(size));
    EXPECT_EQ(part.body.size(), 188u);
    EXPECT_FALSE(first_mismatch(188, part.body));
    EXPECT_EQ(part.header("content-type"), "video/mp2t");
  }
  auto past = http_get(server.port(), "/live/main/r1-00001.ts", {{"Range", "bytes=200000-"}});
  EXPECT_EQ(past.status, 416) << describe(past);
  EXPECT_EQ(past.header("content-range"), "bytes */" + std::to_string(size));
}
