// Load generator for the fan-out benchmarks (issue 5): thousands of WebSocket connections in one
// process, spread round-robin over --threads Asio threads (one io_context each), speaking Samling's protocol (docs/protocol.md), the peers' minimal
// join/post/message protocol over plain WebSocket ("ws", also the raw floor) or over socket.io
// (engine.io v4). Publishers post on a fixed schedule; each post carries its intended send time
// (steady clock, this process) and every receiver measures latency against that time, so a
// stalled sender does not hide the stall (no coordinated omission). Prints one JSON object.
//
// Request/response mode (--rtt-clients, scenario S5): no publishers; phases run one after the
// other, each with the first N connected clients (every connection alone in its own room), each
// client sending a request, waiting for its reply, then sending the next (no pacing timer):
// a ping (Samling: {"type":"ping"} -> its ack; peers: {"type":"ping","id":N} -> {"type":"pong"})
// or a post (Samling: until the post's ack; peers: until the sender gets its own message back,
// matched by a counter in the text). Per phase: a latency histogram of the measured requests
// (after each client's warm-up requests), printed as rtt_<ping|post>_<N>_* fields.
//
// Threads: each worker thread owns an io_context, its connections, its counters and latency
// histogram; nothing mutable is shared on the delivery path (each worker's counters are written
// by that worker only). A control io_context on the main thread runs the connect phase, the
// phase timers and the hard deadline; workers tell it about connects by posting to it, and it
// reaches connections by posting to their worker. At the end it stops and joins the workers and
// merges their counters and histograms.
//
// Usage: see usage() below.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "bench_common.hpp"
#include "token_codec.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

enum class proto { samling, ws, socketio };

struct options {
  proto p = proto::ws;
  std::string proto_name = "ws";
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string path;  // default by protocol
  int rooms = 1;
  int subscribers = 100;  // members per room, publishers included
  int publishers = 1;     // per room
  double rate = 10;       // posts per second per publisher
  int size = 64;          // text bytes
  double warmup = 2;
  double duration = 10;
  pid_t server_pid = 0;
  std::string secret, key_id = "k1", event;
  std::string room_prefix = "r";
  // Request/response mode (S5): client counts, measured and warm-up requests per client (one
  // value per client count, the last repeated), request kinds in order.
  std::vector<int> rtt_clients, rtt_requests, rtt_warmup_requests;
  std::vector<std::string> rtt_kinds{"ping", "post"};
  std::vector<std::string> room_names;
  double stop_reading_fraction = 0;
  // The stopped readers' sockets look like a client across a real network: an MSS of a WAN
  // path (loopback's 64 KiB MSS gives the server a send buffer of megabytes) and a small
  // receive buffer, so the server's queue, not the kernel's, is what fills. 0: kernel default.
  int stop_reading_mss = 1448;
  int stop_reading_rcvbuf = 16384;
  int source_addresses = 200;  // 127.0.0.2 .. 127.0.0.(1+N)
  double connect_timeout = 20;
  int connect_parallel = 256;
  double drain = 3;  // after the measured period, wait at most this long for late deliveries
  int threads = std::thread::hardware_concurrency() > 0
                    ? static_cast<int>(std::thread::hardware_concurrency())
                    : 2;  // worker threads, one io_context each
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "loadgen: %s\n"
               "usage: loadgen --proto samling|ws|socketio --host 127.0.0.1 --port P [--path /ws]\n"
               "  --rooms R --subscribers N (members per room, publishers included)\n"
               "  --publishers K (per room) --rate X (posts/s per publisher) --size 64\n"
               "  --warmup S --duration S [--server-pid PID]\n"
               "  [--secret S --key-id K --event E] [--room-prefix r] [--room-names a,b,c]\n"
               "  [--stop-reading-fraction 0.01] [--stop-reading-mss 1448]\n"
               "  [--stop-reading-rcvbuf 16384] [--source-addresses 200]\n"
               "  [--connect-timeout 20] [--connect-parallel 256] [--drain 3]\n"
               "  [--threads N] (default: hardware concurrency, or 2)\n"
               "  [--rtt-clients 1,100 --rtt-requests 800,100 --rtt-warmup-requests 50,10\n"
               "   --rtt-kinds ping,post] request/response mode (S5): --duration is its time budget\n",
               why);
  std::exit(2);
}

std::vector<std::string> str_list(const std::string& v) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= v.size()) {
    auto comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    if (comma > start) out.push_back(v.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}
std::vector<int> int_list(const std::string& v) {
  std::vector<int> out;
  for (auto& s : str_list(v)) out.push_back(std::stoi(s));
  return out;
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    try {
      if (a == "--proto") {
        o.proto_name = v;
        if (v == "samling") o.p = proto::samling;
        else if (v == "ws") o.p = proto::ws;
        else if (v == "socketio") o.p = proto::socketio;
        else usage("unknown --proto");
      } else if (a == "--host") o.host = v;
      else if (a == "--port") o.port = static_cast<std::uint16_t>(std::stoi(v));
      else if (a == "--path") o.path = v;
      else if (a == "--rooms") o.rooms = std::stoi(v);
      else if (a == "--subscribers") o.subscribers = std::stoi(v);
      else if (a == "--publishers") o.publishers = std::stoi(v);
      else if (a == "--rate") o.rate = std::stod(v);
      else if (a == "--size") o.size = std::stoi(v);
      else if (a == "--warmup") o.warmup = std::stod(v);
      else if (a == "--duration") o.duration = std::stod(v);
      else if (a == "--server-pid") o.server_pid = static_cast<pid_t>(std::stol(v));
      else if (a == "--secret") o.secret = v;
      else if (a == "--key-id") o.key_id = v;
      else if (a == "--event") o.event = v;
      else if (a == "--room-prefix") o.room_prefix = v;
      else if (a == "--room-names") {
        std::size_t start = 0;
        while (start <= v.size()) {
          auto comma = v.find(',', start);
          if (comma == std::string::npos) comma = v.size();
          if (comma > start) o.room_names.push_back(v.substr(start, comma - start));
          start = comma + 1;
        }
      } else if (a == "--stop-reading-fraction") o.stop_reading_fraction = std::stod(v);
      else if (a == "--stop-reading-mss") o.stop_reading_mss = std::stoi(v);
      else if (a == "--stop-reading-rcvbuf") o.stop_reading_rcvbuf = std::stoi(v);
      else if (a == "--source-addresses") o.source_addresses = std::stoi(v);
      else if (a == "--connect-timeout") o.connect_timeout = std::stod(v);
      else if (a == "--connect-parallel") o.connect_parallel = std::stoi(v);
      else if (a == "--drain") o.drain = std::stod(v);
      else if (a == "--threads") o.threads = std::stoi(v);
      else if (a == "--rtt-clients") o.rtt_clients = int_list(v);
      else if (a == "--rtt-requests") o.rtt_requests = int_list(v);
      else if (a == "--rtt-warmup-requests") o.rtt_warmup_requests = int_list(v);
      else if (a == "--rtt-kinds") {
        o.rtt_kinds.clear();
        for (auto& k : str_list(v)) {
          if (k != "ping" && k != "post") usage("--rtt-kinds takes ping and post");
          o.rtt_kinds.push_back(k);
        }
      }
      else usage(("unknown option " + a).c_str());
    } catch (const std::exception&) {
      usage(("bad value for " + a).c_str());
    }
  }
  if (o.port == 0) usage("--port is required");
  if (o.rooms < 1 || o.subscribers < 1 || o.publishers < 0 || o.size < 1 || o.rate <= 0 ||
      o.duration <= 0 || o.warmup < 0 || o.source_addresses < 1 || o.source_addresses > 250 ||
      o.threads < 1 || o.threads > 256 || o.stop_reading_fraction < 0 ||
      o.stop_reading_fraction > 1 || o.stop_reading_mss < 0 || o.stop_reading_rcvbuf < 0)
    usage("a value is out of range");
  if (o.publishers > o.subscribers) o.subscribers = o.publishers;
  if (!o.rtt_clients.empty()) {
    if (o.rtt_requests.empty()) o.rtt_requests = {100};
    if (o.rtt_warmup_requests.empty()) o.rtt_warmup_requests = {10};
    for (int v : o.rtt_clients)
      if (v < 1 || v > o.rooms * o.subscribers) usage("--rtt-clients: more clients than connections");
    for (int v : o.rtt_requests)
      if (v < 1) usage("--rtt-requests must be >= 1");
    for (int v : o.rtt_warmup_requests)
      if (v < 0) usage("--rtt-warmup-requests must be >= 0");
    o.publishers = 0;
  }
  if (o.path.empty())
    o.path = o.p == proto::socketio ? "/socket.io/?EIO=4&transport=websocket" : "/ws";
  if (o.p == proto::samling && (o.secret.empty() || o.event.empty()))
    usage("--proto samling needs --secret and --event (and --key-id unless k1)");
  if (!o.room_names.empty() && static_cast<int>(o.room_names.size()) < o.rooms)
    usage("--room-names has fewer names than --rooms");
  return o;
}

std::int64_t ns(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// JSON string escaping for the few strings we put in frames (room names, ids, user names).
std::string jstr(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

constexpr std::string_view marker = "LG|";

// "LG|<intended ns>|<publisher>|<seq>|" padded with 'x' to `size` bytes (longer if it must be).
std::string make_text(std::int64_t intended, int publisher, std::uint64_t seq, int size) {
  std::string t = std::string(marker) + std::to_string(intended) + "|" + std::to_string(publisher) +
                  "|" + std::to_string(seq) + "|";
  if (static_cast<int>(t.size()) < size) t.append(static_cast<std::size_t>(size) - t.size(), 'x');
  return t;
}

// The intended send time embedded in a frame, or -1.
std::int64_t find_intended(std::string_view frame) {
  auto pos = frame.find(marker);
  if (pos == std::string_view::npos) return -1;
  std::int64_t v = 0;
  bool any = false;
  for (std::size_t i = pos + marker.size(); i < frame.size(); ++i) {
    char c = frame[i];
    if (c < '0' || c > '9') break;
    v = v * 10 + (c - '0');
    any = true;
  }
  return any ? v : -1;
}

struct run;

// One worker thread: its io_context and everything its connections count. Only this thread
// writes these fields; the control thread reads the atomics while running and the rest after
// the worker has been stopped and joined.
struct alignas(64) worker {
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  std::thread thread;
  samling::bench::histogram hist;
  std::atomic<std::uint64_t> delivered{0}, expected{0};
  std::atomic<int> publishers_done{0};
  std::uint64_t posts_measured = 0, posts_total = 0;
  std::uint64_t late_outside = 0;  // deliveries of posts outside the measured period
  int closed_after_ready = 0;  // reading connections closed after joining
  int closes_4008 = 0;         // connections (any) that got a close frame with code 4008
  // Stopped readers (S8): how many stopped, and how many of them are settled: closed by the
  // server (seen when they read again after the measured period) or caught up (read up to the
  // last post sent to their room). The run is complete only when every stopped reader is.
  std::atomic<int> stopped{0}, slow_settled{0};
  int server_errors = 0;  // samling error replies (rate_limited, ...)
  // Request/response mode: one histogram and error count per phase.
  std::vector<samling::bench::histogram> rtt_hist;
  std::vector<std::uint64_t> rtt_errors;
  std::string first_error;
};

// A relaxed increment by the only writer (no locked read-modify-write on the hot path).
void bump(std::atomic<std::uint64_t>& a, std::uint64_t by = 1) {
  a.store(a.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

struct conn {
  run* r;
  worker* w;
  int index;
  int room;
  int publisher = -1;  // global publisher number, -1 for a pure subscriber
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buf;
  std::deque<std::string> outq;
  bool writing = false;
  bool ready = false;     // joined
  bool dead = false;
  bool stop_reading = false;  // chosen for S8 before connecting; never changes
  bool reading_stopped = false;  // stopped at the end of the warm-up (worker only)
  bool draining = false;         // reading again after the measured period (worker only)
  bool settled = false;          // a stopped reader that was closed or caught up
  bool caught_up = false;        // a stopped reader that read up to the last post sent
  bool read_pending = false;
  // Request/response mode (worker only): the phase this client is in (-1: none), its requests
  // left, the one in flight and what its reply looks like.
  int rtt_phase = -1;
  bool rtt_post = false;
  int rtt_warm_left = 0, rtt_left = 0;
  std::uint64_t rtt_seq = 0;
  std::int64_t rtt_sent_ns = 0;
  std::string rtt_expect, rtt_expect_error;
  std::uint64_t seq = 0;
  int close_code = 0;  // of the server's close frame, if one came

  conn(run* rr, worker* ww, int i, int rm) : r(rr), w(ww), index(i), room(rm), ws(ww->ioc) {}

  void start();
  void on_connected();
  void send(std::string s);
  void pump();
  void read();
  void on_frame(std::string_view f);
  void fail(const char* what, const beast::error_code& ec);
  void mark_ready();
  void stop();
  void settle(bool closed);
  void rtt_begin(int phase, bool post, int warm, int measured);
  void rtt_send();
  bool rtt_frame(std::string_view f);
  void rtt_finish();
};

// Connect state as the control thread sees it.
enum class cstate : char { pending, ready, failed, timed_out };

struct run {
  options o;
  asio::io_context ioc{1};  // control
  std::vector<std::unique_ptr<worker>> workers;
  std::vector<std::unique_ptr<conn>> conns;
  std::vector<std::string> room_names;  // as sent on the wire
  std::unique_ptr<std::atomic<int>[]> room_readers;  // ready, reading members per room
  // Intended time of the last post sent to each room (a publisher cut off early stops it).
  std::unique_ptr<std::atomic<std::int64_t>[]> room_last_sent;
  std::vector<conn*> publishers;
  // Control thread only.
  std::vector<cstate> state;
  std::size_t next_to_start = 0;
  int in_flight = 0;
  int ready = 0;
  int connect_failures = 0;
  bool begun = false;
  // Written by the control thread before `running` is set (release); workers read them after
  // seeing `running` (acquire).
  std::atomic<bool> running{false};
  std::atomic<bool> reported{false};
  steady::time_point started = steady::now();
  steady::time_point t0, warm_end, measure_end;
  std::int64_t warm_end_ns = 0, measure_end_ns = 0;

  // Measurement (control thread).
  double cpu_start = -1, cpu_end = -1;
  double self_cpu_start = -1, self_cpu_end = -1;  // this process, over the same window
  long rss_start = -1, rss_max = -1, rss_end = -1;
  std::vector<long> rss_series;  // KiB, one sample a second over the measured period
  int rss_samples = 0;
  samling::bench::cpu_times steal_start{}, steal_end{};

  asio::steady_timer connect_timer{ioc}, phase_timer{ioc}, rss_timer{ioc}, deadline_timer{ioc},
      poll_timer{ioc};
  std::vector<std::unique_ptr<asio::steady_timer>> pub_timers;  // slot k: publisher k's worker

  int room_readers_of(int room) const {
    return room_readers[static_cast<std::size_t>(room)].load(std::memory_order_relaxed);
  }
  void add_room_readers(int room, int by) {
    room_readers[static_cast<std::size_t>(room)].fetch_add(by, std::memory_order_relaxed);
  }

  void start_more() {
    while (!begun && in_flight < o.connect_parallel && next_to_start < conns.size()) {
      ++in_flight;
      conn* c = conns[next_to_start++].get();
      asio::post(c->w->ioc, [c] { c->start(); });
    }
    if (!begun && in_flight == 0 && next_to_start == conns.size()) begin();
  }
  void connect_done() {
    --in_flight;
    start_more();
  }
  // Posted by workers.
  void on_ready(int i) {
    auto& s = state[static_cast<std::size_t>(i)];
    if (s == cstate::pending) {
      s = cstate::ready;
      ++ready;
      connect_done();
    } else if (s == cstate::timed_out) {  // became ready just as the connect timeout struck
      s = cstate::ready;
      --connect_failures;
      ++ready;
    }
  }
  void on_failed(int i) {
    auto& s = state[static_cast<std::size_t>(i)];
    if (s != cstate::pending) return;
    s = cstate::failed;
    ++connect_failures;
    connect_done();
  }

  std::uint64_t sum_delivered() const {
    std::uint64_t n = 0;
    for (auto& w : workers) n += w->delivered.load(std::memory_order_relaxed);
    return n;
  }
  std::uint64_t sum_expected() const {
    std::uint64_t n = 0;
    for (auto& w : workers) n += w->expected.load(std::memory_order_relaxed);
    return n;
  }
  std::size_t sum_publishers_done() const {
    std::size_t n = 0;
    for (auto& w : workers)
      n += static_cast<std::size_t>(w->publishers_done.load(std::memory_order_acquire));
    return n;
  }

  void begin();
  void schedule_publisher(std::size_t k, std::int64_t next_ns);
  void at_warm_end();
  void at_measure_end();
  void poll_complete();
  void sample_rss();
  void report(const char* why);

  // Request/response mode (control thread).
  struct rtt_phase_spec {
    int clients;
    bool post;
    int warm, measured;
    int ran = 0;  // clients that took part
    double seconds = 0;
  };
  std::vector<rtt_phase_spec> rtt_phases;
  std::size_t rtt_next = 0;
  int rtt_pending = 0;
  steady::time_point rtt_phase_start;
  void rtt_start_phase();
  void rtt_client_done();
};

void conn::fail(const char* what, const beast::error_code& ec) {
  if (dead) return;
  dead = true;
  if (rtt_phase >= 0) {
    ++w->rtt_errors[static_cast<std::size_t>(rtt_phase)];
    rtt_finish();
  }
  if (w->first_error.empty()) w->first_error = std::string(what) + ": " + ec.message();
  if (ready) {
    if (reading_stopped) {
      settle(true);
    } else {
      ++w->closed_after_ready;
      if (!stop_reading) r->add_room_readers(room, -1);
    }
  } else {
    asio::post(r->ioc, [rr = r, i = index] { rr->on_failed(i); });
  }
  beast::error_code ignored;
  ws.next_layer().close(ignored);
}

void conn::start() {
  if (dead) return;
  auto& sock = ws.next_layer();
  beast::error_code ec;
  sock.open(tcp::v4(), ec);
  if (ec) return fail("socket", ec);
  int one = 1;
  ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  auto src = static_cast<unsigned char>(2 + index % r->o.source_addresses);
  sock.bind(tcp::endpoint(asio::ip::address_v4({127, 0, 0, src}), 0), ec);
  if (ec) return fail("bind", ec);
  if (stop_reading) {  // before connect: the MSS goes into the SYN, the window follows the buffer
    if (r->o.stop_reading_mss > 0)
      ::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_MAXSEG, &r->o.stop_reading_mss,
                   sizeof r->o.stop_reading_mss);
    if (r->o.stop_reading_rcvbuf > 0)
      ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVBUF, &r->o.stop_reading_rcvbuf,
                   sizeof r->o.stop_reading_rcvbuf);
  }
  tcp::endpoint target(asio::ip::make_address(r->o.host, ec), r->o.port);
  if (ec) return fail("address", ec);
  sock.async_connect(target, [this](beast::error_code ec) {
    if (ec) return fail("connect", ec);
    beast::error_code ignored;
    ws.next_layer().set_option(tcp::no_delay(true), ignored);
    ws.auto_fragment(false);
    ws.read_message_max(16 * 1024 * 1024);
    if (r->o.p == proto::samling)
      ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(beast::http::field::sec_websocket_protocol, "samling.v1");
      }));
    ws.async_handshake(r->o.host + ":" + std::to_string(r->o.port), r->o.path,
                       [this](beast::error_code ec) {
                         if (ec) return fail("handshake", ec);
                         ws.text(true);
                         on_connected();
                       });
  });
}

void conn::on_connected() {
  read();
  const auto& room_name = r->room_names[static_cast<std::size_t>(room)];
  switch (r->o.p) {
    case proto::ws:
      send(R"({"type":"join","room":)" + jstr(room_name) + "}");
      mark_ready();  // no ack in the peer protocol; the warm-up covers the join's way in
      break;
    case proto::socketio:
      break;  // waits for the open packet "0{...}"
    case proto::samling: {
      auto now = unix_seconds();
      std::string sub = "u-bench-" + std::to_string(::getpid()) + "-" + std::to_string(index);
      std::string claims = R"({"sub":)" + jstr(sub) + R"(,"name":)" +
                           jstr("Bench " + std::to_string(index)) + R"(,"event":)" +
                           jstr(r->o.event) + R"(,"role":"attendee","iat":)" +
                           std::to_string(now - 10) + R"(,"exp":)" + std::to_string(now + 7200) +
                           "}";
      std::string signing = "v1." + r->o.key_id + "." + samling::testing::base64url(claims);
      std::string token =
          signing + "." +
          samling::testing::base64url(samling::testing::hmac_sha256(r->o.secret, signing));
      send(R"({"id":"h","type":"hello","event":)" + jstr(r->o.event) + R"(,"token":)" +
           jstr(token) + "}");
      break;
    }
  }
}

void conn::mark_ready() {
  if (ready || dead) return;
  ready = true;
  if (!stop_reading) r->add_room_readers(room, 1);  // stopped readers are never expected
  asio::post(r->ioc, [rr = r, i = index] { rr->on_ready(i); });
}

void conn::send(std::string s) {
  if (dead) return;
  outq.push_back(std::move(s));
  pump();
}

void conn::pump() {
  if (writing || outq.empty() || dead) return;
  writing = true;
  ws.async_write(asio::buffer(outq.front()), [this](beast::error_code ec, std::size_t) {
    writing = false;
    if (ec) return fail("write", ec);
    outq.pop_front();
    pump();
  });
}

// S8: from the end of the warm-up this subscriber reads nothing more (the socket stays open, so
// the server's sends pile up in the kernel buffers and then in the server's queue).
void conn::stop() {
  if (reading_stopped || dead || !ready) return;
  reading_stopped = true;
  w->stopped.fetch_add(1, std::memory_order_release);
}

void conn::settle(bool closed) {
  if (settled) return;
  settled = true;
  caught_up = !closed;
  w->slow_settled.fetch_add(1, std::memory_order_release);
}

void conn::read() {
  if (dead || read_pending) return;
  if (stop_reading && !draining && r->running.load(std::memory_order_acquire) &&
      steady::now() >= r->warm_end) {
    stop();
    if (reading_stopped) return;
  }
  read_pending = true;
  ws.async_read(buf, [this](beast::error_code ec, std::size_t) {
    read_pending = false;
    if (ec == websocket::error::closed) {
      close_code = ws.reason().code;
      if (close_code == 4008) ++w->closes_4008;
    }
    if (ec) return fail("read", ec);
    auto data = buf.cdata();
    on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buf.consume(buf.size());
    read();
  });
}

void conn::on_frame(std::string_view f) {
  auto& R = *r;
  if (rtt_phase >= 0 && rtt_frame(f)) return;
  auto starts = [&](std::string_view p) { return f.substr(0, p.size()) == p; };
  bool is_message = false;
  switch (R.o.p) {
    case proto::ws:
      is_message = true;
      break;
    case proto::socketio:
      if (starts("42")) {
        is_message = true;
      } else if (f == "2") {
        send("3");
      } else if (starts("40")) {
        send(R"(42["join",)" + jstr(R.room_names[static_cast<std::size_t>(room)]) + "]");
        mark_ready();
      } else if (starts("0")) {
        send("40");
      }
      break;
    case proto::samling:
      if (starts(R"({"type":"message")")) {
        is_message = true;
      } else if (starts(R"({"type":"ack","id":"h")")) {
        send(R"({"id":"j","type":"join","room":)" + jstr(R.room_names[static_cast<std::size_t>(room)]) +
             "}");
      } else if (starts(R"({"type":"ack","id":"j")")) {
        mark_ready();
      } else if (starts(R"({"type":"error")")) {
        ++w->server_errors;
        if (w->first_error.empty()) w->first_error = "server error: " + std::string(f.substr(0, 200));
        if (!ready && (f.find(R"("id":"h")") != std::string_view::npos ||
                       f.find(R"("id":"j")") != std::string_view::npos))
          fail("hello/join refused", beast::error_code{});
      }
      break;
  }
  if (!is_message || !R.running.load(std::memory_order_acquire)) return;
  auto intended = find_intended(f);
  if (intended < 0) return;
  if (stop_reading) {  // never measured; caught up once the last posts have arrived
    if (draining && R.sum_publishers_done() == R.publishers.size() &&
        intended >= R.room_last_sent[static_cast<std::size_t>(room)].load(std::memory_order_relaxed))
      settle(false);
    return;
  }
  if (intended < R.warm_end_ns || intended >= R.measure_end_ns) {
    ++w->late_outside;
    return;
  }
  auto now = ns(steady::now());
  w->hist.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - intended)));
  bump(w->delivered);  // the control thread polls the sum for completion
}

void run::begin() {
  if (begun) return;
  begun = true;
  connect_timer.cancel();
  std::fprintf(stderr, "loadgen: %d ready, %d failed, %zu planned, %zu threads; publishing\n",
               ready, connect_failures, conns.size(), workers.size());
  if (!o.rtt_clients.empty()) {
    running.store(true, std::memory_order_release);
    // Joins have no ack in the peers' protocol: give them a moment, then the first phase.
    phase_timer.expires_after(200ms);
    phase_timer.async_wait([this](beast::error_code ec) {
      if (ec) return;
      if (o.server_pid > 0) {
        cpu_start = samling::bench::process_cpu_seconds(o.server_pid);
        rss_start = samling::bench::process_rss_kb(o.server_pid);
      }
      steal_start = samling::bench::machine_cpu_times();
      self_cpu_start = samling::bench::process_cpu_seconds(::getpid());
      rtt_start_phase();
    });
    return;
  }
  t0 = steady::now() + 200ms;
  warm_end = t0 + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.warmup));
  measure_end =
      warm_end + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.duration));
  warm_end_ns = ns(warm_end);
  measure_end_ns = ns(measure_end);
  for (std::size_t i = 0; i < conns.size(); ++i)
    if (conns[i]->publisher >= 0 && state[i] == cstate::ready) publishers.push_back(conns[i].get());
  pub_timers.resize(publishers.size());
  running.store(true, std::memory_order_release);
  auto interval = static_cast<std::int64_t>(1e9 / o.rate);
  for (std::size_t k = 0; k < publishers.size(); ++k) {
    // Publishers are spread evenly over one interval, not all at once.
    auto offset = static_cast<std::int64_t>(k) * interval / static_cast<std::int64_t>(publishers.size());
    auto first = ns(t0) + offset;
    // The timer lives on the publisher's worker and is made there.
    asio::post(publishers[k]->w->ioc, [this, k, first] {
      pub_timers[k] = std::make_unique<asio::steady_timer>(publishers[k]->w->ioc);
      schedule_publisher(k, first);
    });
  }
  phase_timer.expires_at(warm_end);
  phase_timer.async_wait([this](beast::error_code ec) {
    if (!ec) at_warm_end();
  });
}

// Runs on publisher k's worker.
void run::schedule_publisher(std::size_t k, std::int64_t next_ns) {
  auto& t = *pub_timers[k];
  t.expires_at(steady::time_point(std::chrono::nanoseconds(next_ns)));
  t.async_wait([this, k, next_ns](beast::error_code ec) {
    if (ec || reported.load(std::memory_order_relaxed)) return;
    auto interval = static_cast<std::int64_t>(1e9 / o.rate);
    auto now = ns(steady::now());
    auto due = next_ns;
    conn* c = publishers[k];
    worker& w = *c->w;
    // Every post whose intended time has come goes now, each with its own intended time.
    while (due <= now && due < measure_end_ns) {
      if (!c->dead) {
        ++c->seq;
        ++w.posts_total;
        auto text = make_text(due, c->publisher, c->seq, o.size);
        const auto& room = room_names[static_cast<std::size_t>(c->room)];
        auto& last = room_last_sent[static_cast<std::size_t>(c->room)];
        for (auto prev = last.load(std::memory_order_relaxed);  // rooms may have several publishers
             due > prev && !last.compare_exchange_weak(prev, due, std::memory_order_relaxed);) {
        }
        if (due >= warm_end_ns) {
          ++w.posts_measured;
          bump(w.expected, static_cast<std::uint64_t>(std::max(0, room_readers_of(c->room))));
        }
        switch (o.p) {
          case proto::ws:
            c->send(R"({"type":"post","room":)" + jstr(room) + R"(,"text":")" + text + "\"}");
            break;
          case proto::socketio:
            c->send(R"(42["post",{"room":)" + jstr(room) + R"(,"text":")" + text + "\"}]");
            break;
          case proto::samling:
            c->send(R"({"id":"p)" + std::to_string(c->seq) + R"(","type":"post","room":)" +
                    jstr(room) + R"(,"text":")" + text + R"(","client_msg_id":"c)" +
                    std::to_string(c->index) + "-" + std::to_string(c->seq) + "\"}");
            break;
        }
      }
      due += interval;
    }
    if (due < measure_end_ns) schedule_publisher(k, due);
    else w.publishers_done.fetch_add(1, std::memory_order_release);  // its `expected` is final
  });
}

// --- Request/response mode ------------------------------------------------------------------

// Control thread: starts the next phase with its first N ready connections, or reports.
void run::rtt_start_phase() {
  if (reported.load(std::memory_order_relaxed)) return;
  if (rtt_next >= rtt_phases.size()) {
    if (o.server_pid > 0) {
      cpu_end = samling::bench::process_cpu_seconds(o.server_pid);
      rss_end = samling::bench::process_rss_kb(o.server_pid);
      rss_max = std::max(rss_start, rss_end);
    }
    steal_end = samling::bench::machine_cpu_times();
    self_cpu_end = samling::bench::process_cpu_seconds(::getpid());
    return report("complete");
  }
  auto& ph = rtt_phases[rtt_next];
  std::vector<conn*> who;
  for (std::size_t i = 0; i < conns.size() && static_cast<int>(who.size()) < ph.clients; ++i)
    if (state[i] == cstate::ready) who.push_back(conns[i].get());
  ph.ran = static_cast<int>(who.size());
  rtt_pending = ph.ran;
  rtt_phase_start = steady::now();
  std::fprintf(stderr, "loadgen: phase %zu: %d client(s), %s, %d + %d requests each\n", rtt_next,
               ph.ran, ph.post ? "post" : "ping", ph.warm, ph.measured);
  if (who.empty()) {
    ++rtt_next;
    return rtt_start_phase();
  }
  auto phase = static_cast<int>(rtt_next);
  for (conn* c : who)
    asio::post(c->w->ioc, [c, phase, post = ph.post, warm = ph.warm, measured = ph.measured] {
      c->rtt_begin(phase, post, warm, measured);
    });
}

// Control thread: one client of the current phase is through.
void run::rtt_client_done() {
  if (--rtt_pending > 0) return;
  rtt_phases[rtt_next].seconds =
      std::chrono::duration<double>(steady::now() - rtt_phase_start).count();
  ++rtt_next;
  rtt_start_phase();
}

void conn::rtt_begin(int phase, bool post, int warm, int measured) {
  if (dead) {
    asio::post(r->ioc, [rr = r] { rr->rtt_client_done(); });
    return;
  }
  rtt_phase = phase;
  rtt_post = post;
  rtt_warm_left = warm;
  rtt_left = measured;
  rtt_send();
}

// Sends the next request and notes what its reply looks like.
void conn::rtt_send() {
  ++rtt_seq;
  auto seq = std::to_string(rtt_seq);
  // The post's text: a marker with this client and the counter, padded to --size.
  std::string text;
  if (rtt_post) {
    text = "RT|" + std::to_string(index) + "|" + seq + "|";
    if (static_cast<int>(text.size()) < r->o.size)
      text.append(static_cast<std::size_t>(r->o.size) - text.size(), 'x');
  }
  const auto& room_name = r->room_names[static_cast<std::size_t>(room)];
  std::string req;
  switch (r->o.p) {
    case proto::samling: {
      auto id = std::string(rtt_post ? "s" : "q") + seq;
      rtt_expect = R"({"type":"ack","id":")" + id + "\"";
      rtt_expect_error = R"({"type":"error","id":")" + id + "\"";
      if (rtt_post)
        req = R"({"id":")" + id + R"(","type":"post","room":)" + jstr(room_name) + R"(,"text":")" +
              text + R"(","client_msg_id":"rt)" + std::to_string(index) + "-" + seq + "\"}";
      else
        req = R"({"id":")" + id + R"(","type":"ping"})";
      break;
    }
    case proto::ws:
      if (rtt_post) {
        rtt_expect = "\"text\":\"RT|" + std::to_string(index) + "|" + seq + "|";
        req = R"({"type":"post","room":)" + jstr(room_name) + R"(,"text":")" + text + "\"}";
      } else {
        rtt_expect = R"({"type":"pong","id":)" + seq + "}";
        req = R"({"type":"ping","id":)" + seq + "}";
      }
      break;
    case proto::socketio:
      if (rtt_post) {
        rtt_expect = "\"text\":\"RT|" + std::to_string(index) + "|" + seq + "|";
        req = R"(42["post",{"room":)" + jstr(room_name) + R"(,"text":")" + text + "\"}]";
      } else {
        rtt_expect = R"(42["pong",{"id":)" + seq + "}]";
        req = R"(42["ping",{"id":)" + seq + "}]";
      }
      break;
  }
  rtt_sent_ns = ns(steady::now());
  send(std::move(req));
}

// True when `f` was this client's reply (or Samling's error reply to it).
bool conn::rtt_frame(std::string_view f) {
  auto starts = [&](std::string_view p) { return f.substr(0, p.size()) == p; };
  bool reply = false, error = false;
  switch (r->o.p) {
    case proto::samling:
      reply = starts(rtt_expect);
      error = !reply && starts(rtt_expect_error);
      break;
    case proto::ws:
      reply = rtt_post ? starts(R"({"type":"message")") && f.find(rtt_expect) != std::string_view::npos
                       : f == rtt_expect;
      break;
    case proto::socketio:
      reply = rtt_post ? starts(R"(42["message")") && f.find(rtt_expect) != std::string_view::npos
                       : f == rtt_expect;
      break;
  }
  if (!reply && !error) return false;
  auto now = ns(steady::now());
  auto phase = static_cast<std::size_t>(rtt_phase);
  if (error) {
    ++w->server_errors;
    ++w->rtt_errors[phase];
    if (w->first_error.empty()) w->first_error = "server error: " + std::string(f.substr(0, 200));
  }
  if (rtt_warm_left > 0) {
    --rtt_warm_left;
  } else {
    if (!error) w->rtt_hist[phase].add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - rtt_sent_ns)));
    --rtt_left;
  }
  if (rtt_left > 0) rtt_send();
  else rtt_finish();
  return true;
}

void conn::rtt_finish() {
  if (rtt_phase < 0) return;
  rtt_phase = -1;
  asio::post(r->ioc, [rr = r] { rr->rtt_client_done(); });
}

void run::at_warm_end() {
  // S8 subscribers stop now (they were never counted as readers): no read is started after this;
  // one already waiting may still take a frame (not measured) before the reader stops.
  for (auto& cp : conns)
    if (cp->stop_reading) {
      conn* c = cp.get();
      asio::post(c->w->ioc, [c] { c->stop(); });
    }
  if (o.server_pid > 0) {
    cpu_start = samling::bench::process_cpu_seconds(o.server_pid);
    rss_start = samling::bench::process_rss_kb(o.server_pid);
    rss_max = rss_start;
  }
  steal_start = samling::bench::machine_cpu_times();
  self_cpu_start = samling::bench::process_cpu_seconds(::getpid());
  sample_rss();
  phase_timer.expires_at(measure_end);
  phase_timer.async_wait([this](beast::error_code ec) {
    if (!ec) at_measure_end();
  });
}

void run::sample_rss() {
  if (o.server_pid > 0) {
    auto rss = samling::bench::process_rss_kb(o.server_pid);
    rss_max = std::max(rss_max, rss);
    if (rss_samples++ % 10 == 0) rss_series.push_back(rss);  // one a second
  }
  rss_timer.expires_after(100ms);
  rss_timer.async_wait([this](beast::error_code ec) {
    if (!ec && steady::now() < measure_end) sample_rss();
  });
}

void run::at_measure_end() {
  if (o.server_pid > 0) {
    cpu_end = samling::bench::process_cpu_seconds(o.server_pid);
    rss_end = samling::bench::process_rss_kb(o.server_pid);
    rss_max = std::max(rss_max, rss_end);
    rss_series.push_back(rss_end);
  }
  steal_end = samling::bench::machine_cpu_times();
  self_cpu_end = samling::bench::process_cpu_seconds(::getpid());
  // Stopped readers read again: the backlog, then either the last posts (the server kept them)
  // or the end of the connection (the server closed them, e.g. 4008 as a slow consumer).
  for (auto& cp : conns)
    if (cp->stop_reading) {
      conn* c = cp.get();
      asio::post(c->w->ioc, [c] {
        if (!c->reading_stopped || c->dead) return;
        c->draining = true;
        c->read();
      });
    }
  phase_timer.expires_after(std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.drain)));
  phase_timer.async_wait([this](beast::error_code ec) {
    if (!ec) report("drain timeout");
  });
  poll_complete();
}

// Complete once every publisher has finished its schedule (so `expected` is final) and every
// expected delivery has arrived; checked every millisecond from the end of the measured period.
void run::poll_complete() {
  if (reported.load(std::memory_order_relaxed)) return;
  int stopped = 0, settled = 0;
  for (auto& w : workers) {
    stopped += w->stopped.load(std::memory_order_acquire);
    settled += w->slow_settled.load(std::memory_order_acquire);
  }
  if (sum_publishers_done() == publishers.size() && sum_delivered() >= sum_expected() &&
      settled >= stopped)
    return report("complete");
  poll_timer.expires_after(1ms);
  poll_timer.async_wait([this](beast::error_code ec) {
    if (!ec) poll_complete();
  });
}

// Runs on the control thread: stops and joins the workers, merges their counts, prints, exits.
void run::report(const char* why) {
  if (reported.exchange(true)) return;
  for (auto& w : workers) w->ioc.stop();
  for (auto& w : workers)
    if (w->thread.joinable()) w->thread.join();
  if (cpu_end < 0 && o.server_pid > 0 && cpu_start >= 0) {  // the hard deadline came first
    cpu_end = samling::bench::process_cpu_seconds(o.server_pid);
    steal_end = samling::bench::machine_cpu_times();
  }
  samling::bench::histogram hist;
  std::uint64_t delivered = 0, expected = 0, posts_measured = 0;
  int closed_after_ready = 0, server_errors = 0, closes_4008 = 0, stopped = 0;
  std::string first_error;
  for (auto& w : workers) {
    hist.merge(w->hist);
    delivered += w->delivered.load();
    expected += w->expected.load();
    posts_measured += w->posts_measured;
    closed_after_ready += w->closed_after_ready;
    closes_4008 += w->closes_4008;
    stopped += w->stopped.load();
    server_errors += w->server_errors;
    if (first_error.empty()) first_error = w->first_error;
  }
  double cpu = cpu_start >= 0 && cpu_end >= 0 ? cpu_end - cpu_start : -1;
  if (self_cpu_end < 0 && self_cpu_start >= 0) self_cpu_end = samling::bench::process_cpu_seconds(::getpid());
  double self_cpu = self_cpu_start >= 0 && self_cpu_end >= 0 ? self_cpu_end - self_cpu_start : -1;
  double steal = steal_end.total > steal_start.total
                     ? 100.0 * static_cast<double>(steal_end.steal - steal_start.steal) /
                           static_cast<double>(steal_end.total - steal_start.total)
                     : 0;
  auto ms = [](std::uint64_t v) { return static_cast<double>(v) / 1e6; };
  for (auto& ch : first_error)
    if (ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20) ch = '\'';
  char out[2048];
  std::snprintf(
      out, sizeof out,
      "{\"proto\":\"%s\",\"connections\":%d,\"offered_per_s\":%.1f,\"deliveries\":%llu,"
      "\"expected\":%llu,\"delivered_ratio\":%.5f,\"deliveries_per_s\":%.1f,"
      "\"server_cpu_s\":%.2f,\"deliveries_per_cpu_s\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
      "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"server_rss_kb_max\":%ld,\"server_rss_kb_start\":%ld,"
      "\"steal_pct\":%.2f,\"connect_failures\":%d,\"planned_connections\":%zu,"
      "\"closed_during_run\":%d,\"stopped_readers\":%d,\"posts\":%llu,\"server_errors\":%d,"
      "\"end\":\"%s\",\"first_error\":\"%s\"",
      o.proto_name.c_str(), ready, static_cast<double>(posts_measured) / o.duration,
      static_cast<unsigned long long>(delivered), static_cast<unsigned long long>(expected),
      expected ? static_cast<double>(delivered) / static_cast<double>(expected) : 0.0,
      static_cast<double>(delivered) / o.duration, cpu,
      cpu > 0 ? static_cast<double>(delivered) / cpu : 0.0, ms(hist.quantile(0.5)),
      ms(hist.quantile(0.99)), ms(hist.quantile(0.999)), ms(hist.max()), rss_max, rss_start,
      steal, connect_failures, conns.size(), closed_after_ready, stopped,
      static_cast<unsigned long long>(posts_measured), server_errors, why, first_error.c_str());
  // S8: the stopped readers as they are now (the workers are joined): closed by the server,
  // with a 4008 close frame, still open, of those read up to the last post sent to the room.
  int slow_closed = 0, slow_closed_4008 = 0, slow_open = 0, slow_caught_up = 0;
  for (auto& c : conns) {
    if (!c->reading_stopped) continue;
    if (c->dead) {
      ++slow_closed;
      if (c->close_code == 4008) ++slow_closed_4008;
    } else {
      ++slow_open;
      if (c->caught_up) ++slow_caught_up;
    }
  }
  // S8 and the RSS over time. The latency figures above are the reading subscribers' only.
  std::string tail = ",\"closes_4008\":" + std::to_string(closes_4008) +
                     ",\"slow_closed\":" + std::to_string(slow_closed) +
                     ",\"slow_closed_4008\":" + std::to_string(slow_closed_4008) +
                     ",\"slow_open\":" + std::to_string(slow_open) +
                     ",\"slow_caught_up\":" + std::to_string(slow_caught_up) +
                     ",\"loadgen_cpu_s\":" + std::to_string(self_cpu) +
                     ",\"server_rss_kb_end\":" + std::to_string(rss_end) + ",\"rss_kb_series\":[";
  for (std::size_t i = 0; i < rss_series.size(); ++i)
    tail += (i ? "," : "") + std::to_string(rss_series[i]);
  tail += "]";
  // Request/response mode: per phase, rtt_<kind>_<clients>_{p50,p99,p999,max}_us, _count (measured
  // round trips), _errors, _clients (that took part), _seconds (the phase, warm-up included) and
  // _per_s (all its requests, warm-up included, per second).
  for (std::size_t k = 0; k < rtt_phases.size(); ++k) {
    samling::bench::histogram h;
    std::uint64_t errors = 0;
    for (auto& w : workers) {
      h.merge(w->rtt_hist[k]);
      errors += w->rtt_errors[k];
    }
    const auto& ph = rtt_phases[k];
    std::string key = std::string(",\"rtt_") + (ph.post ? "post" : "ping") + "_" +
                      std::to_string(ph.clients) + "_";
    char b[512];
    auto us = [](std::uint64_t v) { return static_cast<double>(v) / 1e3; };
    std::snprintf(b, sizeof b,
                  "%sp50_us\":%.1f%sp99_us\":%.1f%sp999_us\":%.1f%smax_us\":%.1f%scount\":%llu"
                  "%serrors\":%llu%sclients\":%d%sseconds\":%.3f%sper_s\":%.0f",
                  key.c_str(), us(h.quantile(0.5)), key.c_str(), us(h.quantile(0.99)), key.c_str(),
                  us(h.quantile(0.999)), key.c_str(), us(h.max()), key.c_str(),
                  static_cast<unsigned long long>(h.total()), key.c_str(),
                  static_cast<unsigned long long>(errors), key.c_str(), ph.ran, key.c_str(),
                  ph.seconds, key.c_str(),
                  ph.seconds > 0 ? static_cast<double>(ph.ran) * (ph.warm + ph.measured) / ph.seconds
                                 : 0.0);
    tail += b;
  }
  if (!rtt_phases.empty())
    tail += ",\"rtt_phases_done\":" + std::to_string(rtt_next);
  tail += "}\n";
  std::fputs(out, stdout);
  std::fputs(tail.c_str(), stdout);
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(0);  // thousands of sockets close with the process
}

}  // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  // Raise the open-files limit to the hard limit: one descriptor per connection.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  run r;
  r.o = o;
  for (int i = 0; i < o.threads; ++i) r.workers.push_back(std::make_unique<worker>());
  for (std::size_t k = 0; k < o.rtt_clients.size(); ++k) {
    auto pick = [k](const std::vector<int>& v) { return v[std::min(k, v.size() - 1)]; };
    for (auto& kind : o.rtt_kinds)
      r.rtt_phases.push_back({o.rtt_clients[k], kind == "post", pick(o.rtt_warmup_requests),
                              pick(o.rtt_requests)});
  }
  for (auto& w : r.workers) {
    w->rtt_hist.resize(r.rtt_phases.size());
    w->rtt_errors.assign(r.rtt_phases.size(), 0);
  }
  for (int i = 0; i < o.rooms; ++i) {
    std::string id = o.room_names.empty() ? o.room_prefix + std::to_string(i + 1)
                                          : o.room_names[static_cast<std::size_t>(i)];
    if (o.p == proto::samling && id.find('/') == std::string::npos) id = o.event + "/" + id;
    r.room_names.push_back(id);
  }
  r.room_readers = std::make_unique<std::atomic<int>[]>(static_cast<std::size_t>(o.rooms));
  r.room_last_sent = std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(o.rooms));
  // Interleave rooms so that a partial connect still covers every room; connections go
  // round-robin over the workers.
  int pub = 0;
  for (int m = 0; m < o.subscribers; ++m)
    for (int room = 0; room < o.rooms; ++room) {
      auto i = r.conns.size();
      auto c = std::make_unique<conn>(&r, r.workers[i % r.workers.size()].get(),
                                      static_cast<int>(i), room);
      if (m < o.publishers) c->publisher = pub++;
      r.conns.push_back(std::move(c));
    }
  r.state.assign(r.conns.size(), cstate::pending);
  // The subscribers that stop reading (S8), chosen before connecting (their sockets are set up
  // as slow clients): pure subscribers, spread evenly over the connections and so over rooms.
  if (o.stop_reading_fraction > 0) {
    std::vector<conn*> subs;
    for (auto& c : r.conns)
      if (c->publisher < 0) subs.push_back(c.get());
    auto n = static_cast<std::size_t>(o.stop_reading_fraction * static_cast<double>(subs.size()) + 0.5);
    for (std::size_t i = 0; i < n && i < subs.size(); ++i) subs[i * subs.size() / n]->stop_reading = true;
  }

  r.deadline_timer.expires_after(std::chrono::duration_cast<steady::duration>(
      std::chrono::duration<double>(o.warmup + o.duration + 30)));
  r.deadline_timer.async_wait([&](beast::error_code ec) {
    if (!ec) r.report("hard deadline");
  });
  r.connect_timer.expires_after(
      std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.connect_timeout)));
  r.connect_timer.async_wait([&](beast::error_code ec) {
    if (ec || r.begun) return;
    std::fprintf(stderr, "loadgen: connect timeout\n");
    for (std::size_t i = 0; i < r.conns.size(); ++i) {
      if (r.state[i] != cstate::pending) continue;
      r.state[i] = cstate::timed_out;
      ++r.connect_failures;
      conn* c = r.conns[i].get();
      asio::post(c->w->ioc, [c] {  // after its start, if that was posted: same worker, in order
        if (c->ready || c->dead) return;  // a late ready reaches the control thread as on_ready
        c->dead = true;
        beast::error_code ignored;
        c->ws.next_layer().close(ignored);
      });
    }
    r.begin();
  });
  for (auto& w : r.workers) {
    worker* wp = w.get();
    wp->thread = std::thread([wp] { wp->ioc.run(); });
  }
  r.start_more();
  r.ioc.run();
  r.report("io_context ran out of work");
}
