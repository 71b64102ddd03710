// Vote storm (issue 17; tests/bench/vote_storm.sh runs it twice: with and without the storm).
//
// One room, --participants connections (each its own attendee, a signed token), --questions
// questions asked by a moderator (approved at once: staff's questions are). Then, while
// --chatters of the participants post at --chat-rate msg/s each (paced; each post carries its
// intended send time and every receiver measures the latency against it, as loadgen does), every
// participant votes once on every question, its votes at random times within --storm-seconds.
// --no-storm: the same run without the votes (the chat's baseline).
//
// It checks what the issue asks: every vote acknowledged exactly once (an ack per question per
// participant, none twice, no error); the final counts = participants for every question, read
// (a) from a fresh join's "qa" snapshot and (b) from the room's export (export.json, as a
// moderator); the audience's `votes` events per connection (the most in any 1 s window, by
// arrival here and by the events' own server "ts", the least "ts" gap of two consecutive ones,
// and the mean rate over the storm), and every connection's last seen counts reach the final ones (the
// coalesced updates end with the truth). It reports chat p50/p99, vote ack latency, and the
// server's CPU (utime+stime from /proc/PID/stat) over the measured window. Prints one JSON
// object; exits 1 when a check failed.
//
// Threads: each worker thread owns an io_context and its connections; everything a connection
// counts is written by its worker only and read by the main thread after the workers stopped.
// The main thread does the setup and the final reads with blocking Beast clients.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "bench_common.hpp"
#include "token_codec.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct options {
  std::uint16_t port = 0;
  std::string secret, key_id = "bench", event = "samling-bench", room_id = "r1";
  int participants = 1000;
  int questions = 20;
  double storm_seconds = 10;
  bool storm = true;
  int chatters = 50;
  double chat_rate = 1;  // posts/s per chatter
  double warmup = 3;
  double duration = 0;   // measured seconds; 0: storm_seconds + 3
  double drain = 15;     // after the measured window: at most this long for late acks and events
  pid_t server_pid = 0;
  int threads = 2;
  int source_addresses = 100;  // 127.0.0.2 .. 127.0.0.(1+N)
  int connect_parallel = 128;
  double connect_timeout = 60;
  unsigned seed = 17;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "vote_storm: %s\n"
               "usage: vote_storm --port P --secret S [--key-id bench] [--event samling-bench] [--room r1]\n"
               "  [--participants 1000] [--questions 20] [--storm-seconds 10] [--no-storm]\n"
               "  [--chatters 50] [--chat-rate 1] [--warmup 3] [--duration S] [--drain 15]\n"
               "  [--server-pid PID] [--threads 2] [--source-addresses 100] [--connect-parallel 128]\n"
               "  [--seed 17]\n",
               why);
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-storm") {
      o.storm = false;
      continue;
    }
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    try {
      if (a == "--port") o.port = static_cast<std::uint16_t>(std::stoi(v));
      else if (a == "--secret") o.secret = v;
      else if (a == "--key-id") o.key_id = v;
      else if (a == "--event") o.event = v;
      else if (a == "--room") o.room_id = v;
      else if (a == "--participants") o.participants = std::stoi(v);
      else if (a == "--questions") o.questions = std::stoi(v);
      else if (a == "--storm-seconds") o.storm_seconds = std::stod(v);
      else if (a == "--chatters") o.chatters = std::stoi(v);
      else if (a == "--chat-rate") o.chat_rate = std::stod(v);
      else if (a == "--warmup") o.warmup = std::stod(v);
      else if (a == "--duration") o.duration = std::stod(v);
      else if (a == "--drain") o.drain = std::stod(v);
      else if (a == "--server-pid") o.server_pid = static_cast<pid_t>(std::stol(v));
      else if (a == "--threads") o.threads = std::stoi(v);
      else if (a == "--source-addresses") o.source_addresses = std::stoi(v);
      else if (a == "--connect-parallel") o.connect_parallel = std::stoi(v);
      else if (a == "--connect-timeout") o.connect_timeout = std::stod(v);
      else if (a == "--seed") o.seed = static_cast<unsigned>(std::stoul(v));
      else usage(("unknown option " + a).c_str());
    } catch (const std::exception&) {
      usage(("bad value for " + a).c_str());
    }
  }
  if (!o.port || o.secret.empty()) usage("--port and --secret are required");
  if (o.participants < 1 || o.questions < 0 || o.questions > 1000 || o.chatters < 0 ||
      o.chatters > o.participants || o.chat_rate <= 0 || o.storm_seconds <= 0 || o.threads < 1 ||
      o.source_addresses < 1 || o.source_addresses > 250 || o.connect_parallel < 1)
    usage("a value is out of range");
  if (o.duration <= 0) o.duration = o.storm_seconds + 3;
  if (o.duration < o.storm_seconds + 1) usage("--duration must cover the storm (storm starts 1 s in)");
  return o;
}

std::int64_t ns(steady::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string token(const options& o, const std::string& sub, const std::string& name, const std::string& role) {
  auto now = unix_seconds();
  json::object claims{{"sub", sub}, {"name", name}, {"event", o.event}, {"role", role}, {"iat", now - 10},
                      {"exp", now + 7200}};
  auto signing = "v1." + o.key_id + "." + samling::testing::base64url(json::serialize(claims));
  return signing + "." + samling::testing::base64url(samling::testing::hmac_sha256(o.secret, signing));
}

// A chat text: "VS|<intended ns>|" padded to 64 bytes; receivers read the intended time back.
constexpr std::string_view marker = "VS|";
std::string chat_text(std::int64_t intended) {
  std::string t = std::string(marker) + std::to_string(intended) + "|";
  if (t.size() < 64) t.append(64 - t.size(), 'x');
  return t;
}
std::int64_t find_intended(std::string_view frame) {
  auto pos = frame.find(marker);
  if (pos == std::string_view::npos) return -1;
  std::int64_t v = 0;
  bool any = false;
  for (std::size_t i = pos + marker.size(); i < frame.size() && frame[i] >= '0' && frame[i] <= '9'; ++i) {
    v = v * 10 + (frame[i] - '0');
    any = true;
  }
  return any ? v : -1;
}

bool starts(std::string_view f, std::string_view p) { return f.substr(0, p.size()) == p; }

// --- Blocking client (setup and the final reads) ------------------------------------------------

// A WebSocket connection read synchronously with a receive timeout (SO_RCVTIMEO): a reply that
// does not come ends the read with an error instead of hanging the benchmark.
struct sync_client {
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buf;
  int next = 0;

  bool connect(const options& o, std::string& error) {
    try {
      tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), o.port);
      ws.next_layer().connect(ep);
      timeval tv{30, 0};
      ::setsockopt(ws.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ws.read_message_max(64 * 1024 * 1024);
      ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(http::field::sec_websocket_protocol, "samling.v1");
      }));
      ws.handshake("127.0.0.1:" + std::to_string(o.port), "/ws");
      ws.text(true);
      return true;
    } catch (const std::exception& e) {
      error = std::string("connect: ") + e.what();
      return false;
    }
  }
  // Sends `req` with a fresh id and returns the reply with that id (events are skipped).
  std::optional<json::object> request(json::object req, std::string& error) {
    auto id = "s" + std::to_string(next++);
    req["id"] = id;
    try {
      ws.write(asio::buffer(json::serialize(req)));
      for (;;) {
        buf.clear();
        ws.read(buf);
        auto text = beast::buffers_to_string(buf.data());
        boost::system::error_code ec;
        auto v = json::parse(text, ec);
        if (ec || !v.is_object()) continue;
        auto& obj = v.as_object();
        auto* rid = obj.if_contains("id");
        if (rid && rid->is_string() && rid->as_string() == id) return obj;
      }
    } catch (const std::exception& e) {
      error = std::string(json::value_to<std::string>(req["type"])) + ": " + e.what();
      return std::nullopt;
    }
  }
  void close() {
    beast::error_code ec;
    ws.next_layer().close(ec);
  }
};

bool is_ack(const std::optional<json::object>& r) {
  auto* t = r ? r->if_contains("type") : nullptr;
  return t && t->is_string() && t->as_string() == "ack";
}
std::string show(const std::optional<json::object>& r) { return r ? json::serialize(*r) : "(no reply)"; }

// One HTTP GET on its own connection; the status and body (status 0: no answer).
std::pair<int, std::string> http_get(const options& o, const std::string& target, const std::string& bearer) {
  try {
    asio::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), o.port));
    timeval tv{60, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::authorization, "Bearer " + bearer);
    http::write(s, req);
    beast::flat_buffer b;
    http::response_parser<http::string_body> p;
    p.body_limit(256 * 1024 * 1024);
    http::read(s, b, p);
    return {static_cast<int>(p.get().result_int()), p.get().body()};
  } catch (const std::exception& e) {
    return {0, e.what()};
  }
}

// --- Participants ------------------------------------------------------------------------------

struct run;

struct alignas(64) worker {
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard{ioc.get_executor()};
  std::thread thread;
  samling::bench::histogram chat_hist, vote_hist;
  std::atomic<std::uint64_t> acks{0};  // vote acks (of any id), polled by the main thread
  std::atomic<std::uint64_t> final_seen{0};  // connections whose last seen counts are all final
  // Polled by the main thread while draining (written by this worker only).
  std::atomic<std::uint64_t> chat_delivered{0}, chat_posts_measured{0};
  std::uint64_t chat_post_errors = 0;
  std::uint64_t vote_errors = 0, duplicate_acks = 0, unknown_replies = 0;
  std::uint64_t votes_events = 0, votes_events_in_storm = 0;
  int votes_max_1s = 0;     // by arrival time here (delivery jitter included)
  int votes_max_1s_ts = 0;  // by the events' own "ts" (the server's clock)
  std::int64_t votes_min_gap_ms = -1;  // the least "ts" difference of two consecutive events
  int closed = 0;
  std::string first_error;
};

// A relaxed increment by the only writer (no locked read-modify-write on the hot path).
void bump(std::atomic<std::uint64_t>& a) { a.store(a.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }

struct conn {
  run* r;
  worker* w;
  int index;
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer buf;
  std::deque<std::string> outq;
  bool writing = false, ready = false, dead = false, read_pending = false;
  asio::steady_timer chat_timer, vote_timer;
  std::int64_t next_post_ns = 0;
  std::uint64_t posts = 0;
  // Votes: when each is due (ns) and on which question, in time order; the send time per question.
  std::vector<std::pair<std::int64_t, int>> plan;
  std::size_t planned = 0;
  std::vector<std::int64_t> sent_ns;
  std::vector<std::uint8_t> acked;       // acks per question
  std::vector<std::int64_t> seen_votes;  // last count per question from `votes` events
  int seen_final = 0;                    // questions whose seen count is the final one
  std::deque<std::int64_t> window;       // receive times (ns) of `votes` events in the last 1 s
  std::deque<std::int64_t> ts_window;    // their "ts" (ms) in the last 1 s of the server's clock

  conn(run* rr, worker* ww, int i)
      : r(rr), w(ww), index(i), ws(ww->ioc), chat_timer(ww->ioc), vote_timer(ww->ioc) {}

  void start();
  void send(std::string s);
  void pump();
  void read();
  void on_frame(std::string_view f);
  void on_reply(std::string_view f);
  void on_votes(std::string_view f);
  void fail(const char* what, const beast::error_code& ec);
  void begin();
  void chat_tick();
  void vote_tick();
};

struct run {
  options o;
  std::string room;  // "EVENT/ROOM"
  std::vector<std::string> qids;
  std::vector<std::unique_ptr<worker>> workers;
  std::vector<std::unique_ptr<conn>> conns;
  std::atomic<int> ready{0}, failed{0}, in_flight{0};
  // Set by the main thread before `begin` is posted to the workers (the post orders them).
  std::int64_t t0_ns = 0, warm_end_ns = 0, storm_start_ns = 0, storm_end_ns = 0, measure_end_ns = 0;
  std::int64_t expected_final = 0;  // every question's count once all votes are in
};

void conn::fail(const char* what, const beast::error_code& ec) {
  if (dead) return;
  dead = true;
  if (ready) {
    ++w->closed;
  } else {
    r->failed.fetch_add(1);
    r->in_flight.fetch_sub(1);
  }
  if (w->first_error.empty()) w->first_error = std::string(what) + ": " + ec.message();
  beast::error_code ignored;
  chat_timer.cancel();
  vote_timer.cancel();
  ws.next_layer().close(ignored);
}

void conn::start() {
  r->in_flight.fetch_add(1);
  auto& sock = ws.next_layer();
  beast::error_code ec;
  sock.open(tcp::v4(), ec);
  if (ec) return fail("socket", ec);
  int one = 1;
  ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  auto src = static_cast<unsigned char>(2 + index % r->o.source_addresses);
  sock.bind(tcp::endpoint(asio::ip::address_v4({127, 0, 0, src}), 0), ec);
  if (ec) return fail("bind", ec);
  sock.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), r->o.port), [this](beast::error_code ec) {
    if (ec) return fail("connect", ec);
    beast::error_code ignored;
    ws.next_layer().set_option(tcp::no_delay(true), ignored);
    ws.auto_fragment(false);
    ws.read_message_max(16 * 1024 * 1024);
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(http::field::sec_websocket_protocol, "samling.v1");
    }));
    ws.async_handshake("127.0.0.1:" + std::to_string(r->o.port), "/ws", [this](beast::error_code ec) {
      if (ec) return fail("handshake", ec);
      ws.text(true);
      read();
      auto sub = "u-storm-" + std::to_string(::getpid()) + "-" + std::to_string(index);
      json::object hello{{"id", "h"}, {"type", "hello"}, {"event", r->o.event},
                         {"token", token(r->o, sub, "Storm " + std::to_string(index), "attendee")}};
      send(json::serialize(hello));
    });
  });
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

void conn::read() {
  if (dead || read_pending) return;
  read_pending = true;
  ws.async_read(buf, [this](beast::error_code ec, std::size_t) {
    read_pending = false;
    if (ec) return fail("read", ec);
    auto data = buf.cdata();
    on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buf.consume(buf.size());
    read();
  });
}

void conn::on_frame(std::string_view f) {
  if (starts(f, R"({"type":"message")")) {
    auto intended = find_intended(f);
    if (intended < r->warm_end_ns || intended >= r->measure_end_ns) return;
    auto now = ns(steady::now());
    w->chat_hist.add(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - intended)));
    bump(w->chat_delivered);
    return;
  }
  if (starts(f, R"({"type":"votes")")) return on_votes(f);
  if (starts(f, R"({"type":"ack")") || starts(f, R"({"type":"error")")) return on_reply(f);
  // Anything else (presence, question, …) is not what this benchmark measures.
}

void conn::on_reply(std::string_view f) {
  boost::system::error_code ec;
  auto v = json::parse(f, ec);
  if (ec || !v.is_object()) return;
  auto& obj = v.as_object();
  auto* idv = obj.if_contains("id");
  std::string id = idv && idv->is_string() ? std::string(idv->as_string()) : "";
  bool ok = obj.at("type").as_string() == "ack";
  if (id == "h") {
    if (!ok) return fail("hello refused", {});
    json::object join{{"id", "j"}, {"type", "join"}, {"room", r->room}};
    return send(json::serialize(join));
  }
  if (id == "j") {
    if (!ok) return fail("join refused", {});
    ready = true;
    r->in_flight.fetch_sub(1);
    r->ready.fetch_add(1);
    return;
  }
  if (!id.empty() && id[0] == 'c') {  // a chat post's ack or error
    if (!ok) {
      ++w->chat_post_errors;
      if (w->first_error.empty()) w->first_error = "post: " + std::string(f.substr(0, 300));
    }
    return;
  }
  if (!id.empty() && id[0] == 'v') {
    int q = std::atoi(id.c_str() + 1);
    if (q < 0 || q >= static_cast<int>(acked.size())) {
      ++w->unknown_replies;
      return;
    }
    if (!ok) {
      ++w->vote_errors;
      if (w->first_error.empty()) w->first_error = "vote: " + std::string(f.substr(0, 300));
      return;
    }
    if (acked[static_cast<std::size_t>(q)]++ > 0) ++w->duplicate_acks;
    w->vote_hist.add(static_cast<std::uint64_t>(ns(steady::now()) - sent_ns[static_cast<std::size_t>(q)]));
    bump(w->acks);
    return;
  }
  ++w->unknown_replies;
}

// {"type":"votes","room":…,"seq":…,"ts":…,"questions":[{"id","votes"}…]}
void conn::on_votes(std::string_view f) {
  auto now = ns(steady::now());
  ++w->votes_events;
  if (now >= r->storm_start_ns && now < r->storm_end_ns + 1'000'000'000) ++w->votes_events_in_storm;
  window.push_back(now);
  while (!window.empty() && window.front() <= now - 1'000'000'000) window.pop_front();
  w->votes_max_1s = std::max(w->votes_max_1s, static_cast<int>(window.size()));
  boost::system::error_code ec;
  auto v = json::parse(f, ec);
  if (ec || !v.is_object()) return;
  if (auto* ts = v.as_object().if_contains("ts"); ts && ts->is_int64()) {
    auto t = ts->as_int64();
    if (!ts_window.empty()) {
      auto gap = t - ts_window.back();
      if (w->votes_min_gap_ms < 0 || gap < w->votes_min_gap_ms) w->votes_min_gap_ms = gap;
    }
    ts_window.push_back(t);
    while (!ts_window.empty() && ts_window.front() <= t - 1000) ts_window.pop_front();
    w->votes_max_1s_ts = std::max(w->votes_max_1s_ts, static_cast<int>(ts_window.size()));
  }
  auto* qs = v.as_object().if_contains("questions");
  if (!qs || !qs->is_array() || seen_votes.empty()) return;
  bool was_final = seen_final == static_cast<int>(r->qids.size());
  for (auto& e : qs->as_array()) {
    if (!e.is_object()) continue;
    auto* id = e.as_object().if_contains("id");
    auto* n = e.as_object().if_contains("votes");
    if (!id || !id->is_string() || !n || !n->is_int64()) continue;
    auto it = std::find(r->qids.begin(), r->qids.end(), std::string_view(id->as_string()));
    if (it == r->qids.end()) continue;
    auto& seen = seen_votes[static_cast<std::size_t>(it - r->qids.begin())];
    bool before = seen == r->expected_final;
    seen = n->as_int64();
    bool after = seen == r->expected_final;
    seen_final += static_cast<int>(after) - static_cast<int>(before);
  }
  bool is_final = seen_final == static_cast<int>(r->qids.size());
  if (is_final != was_final) {
    auto cur = w->final_seen.load(std::memory_order_relaxed);
    w->final_seen.store(is_final ? cur + 1 : cur - 1, std::memory_order_relaxed);
  }
}

// On the worker, after everyone joined: the chat schedule (chatters) and the vote plan.
void conn::begin() {
  auto nq = r->qids.size();
  acked.assign(nq, 0);
  sent_ns.assign(nq, 0);
  seen_votes.assign(nq, 0);
  if (dead) return;
  if (index < r->o.chatters) {
    // Spread the chatters' first posts over one interval so the room's rate is steady.
    auto interval = static_cast<std::int64_t>(1e9 / r->o.chat_rate);
    next_post_ns = r->t0_ns + interval * index / std::max(1, r->o.chatters);
    chat_tick();
  }
  if (r->o.storm) {
    std::mt19937_64 rng(r->o.seed * 1'000'003ULL + static_cast<std::uint64_t>(index));
    std::uniform_int_distribution<std::int64_t> at(r->storm_start_ns, r->storm_end_ns - 1);
    for (std::size_t q = 0; q < nq; ++q) plan.emplace_back(at(rng), static_cast<int>(q));
    std::sort(plan.begin(), plan.end());
    vote_tick();
  }
}

void conn::chat_tick() {
  if (dead) return;
  auto now = ns(steady::now());
  auto interval = static_cast<std::int64_t>(1e9 / r->o.chat_rate);
  while (next_post_ns <= now) {
    // Posts stop at the end of the measured window; each counts as measured when intended inside.
    if (next_post_ns >= r->measure_end_ns) return;
    if (next_post_ns >= r->warm_end_ns) bump(w->chat_posts_measured);
    ++posts;
    send(R"({"id":"c)" + std::to_string(posts) + R"(","type":"post","room":")" + r->room + R"(","text":")" +
         chat_text(next_post_ns) + R"(","client_msg_id":"vs-)" + std::to_string(index) + "-" +
         std::to_string(posts) + "\"}");
    next_post_ns += interval;
  }
  chat_timer.expires_at(steady::time_point(std::chrono::nanoseconds(next_post_ns)));
  chat_timer.async_wait([this](beast::error_code ec) {
    if (!ec) chat_tick();
  });
}

void conn::vote_tick() {
  if (dead) return;
  auto now = ns(steady::now());
  while (planned < plan.size() && plan[planned].first <= now) {
    auto q = static_cast<std::size_t>(plan[planned].second);
    sent_ns[q] = ns(steady::now());
    send(R"({"id":"v)" + std::to_string(q) + R"(","type":"vote","room":")" + r->room + R"(","question":")" +
         r->qids[q] + R"(","up":true})");
    ++planned;
  }
  if (planned == plan.size()) return;
  vote_timer.expires_at(steady::time_point(std::chrono::nanoseconds(plan[planned].first)));
  vote_timer.async_wait([this](beast::error_code ec) {
    if (!ec) vote_tick();
  });
}

template <typename F>
std::uint64_t sum(const run& r, F f) {
  std::uint64_t n = 0;
  for (auto& w : r.workers) n += f(*w);
  return n;
}

// The counts of the room's questions in a `questions` array (by id); -1 when absent.
std::vector<std::int64_t> counts_of(const json::value* questions, const std::vector<std::string>& qids) {
  std::vector<std::int64_t> out(qids.size(), -1);
  if (!questions || !questions->is_array()) return out;
  for (auto& q : questions->as_array()) {
    if (!q.is_object()) continue;
    auto* id = q.as_object().if_contains("id");
    auto* n = q.as_object().if_contains("votes");
    if (!id || !id->is_string() || !n || !n->is_int64()) continue;
    auto it = std::find(qids.begin(), qids.end(), std::string_view(id->as_string()));
    if (it != qids.end()) out[static_cast<std::size_t>(it - qids.begin())] = n->as_int64();
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  run r;
  r.o = parse(argc, argv);
  const auto& o = r.o;
  r.room = o.event + "/" + o.room_id;
  auto fail_setup = [&](const std::string& why) {
    std::fprintf(stderr, "vote_storm: %s\n", why.c_str());
    std::printf("{\"ok\":false,\"error\":%s}\n", json::serialize(json::value(why)).c_str());
    std::exit(1);
  };

  // 1. The moderator asks the questions (a retry key each; staff's questions are approved at once,
  //    a pending one is approved here so a pre-moderated room works too).
  auto mod_token = token(o, "u-storm-moderator", "Storm Moderator", "moderator");
  std::string error;
  sync_client mod;
  if (!mod.connect(o, error)) fail_setup(error);
  auto h = mod.request({{"type", "hello"}, {"event", o.event}, {"token", mod_token}}, error);
  if (!is_ack(h)) fail_setup("moderator hello: " + show(h) + " " + error);
  auto j = mod.request({{"type", "join"}, {"room", r.room}}, error);
  if (!is_ack(j)) fail_setup("moderator join: " + show(j) + " " + error);
  auto stamp = std::to_string(unix_seconds());
  for (int q = 0; q < o.questions; ++q) {
    auto a = mod.request({{"type", "ask"},
                          {"room", r.room},
                          {"text", "Storm question " + std::to_string(q + 1) + " (" + stamp + ")"},
                          {"client_msg_id", "storm-" + stamp + "-" + std::to_string(q)}},
                         error);
    if (!is_ack(a)) fail_setup("ask: " + show(a) + " " + error);
    auto& qv = a->at("result").at("question").as_object();
    std::string id(qv.at("id").as_string());
    if (qv.at("status").as_string() == "pending") {
      auto ap = mod.request({{"type", "question"}, {"room", r.room}, {"question", id}, {"action", "approve"}}, error);
      if (!is_ack(ap)) fail_setup("approve: " + show(ap) + " " + error);
    }
    r.qids.push_back(id);
  }
  mod.close();  // not read during the run: its buffers would only fill
  // Votes already on these questions (none on a fresh server): the final counts add ours to them.
  r.expected_final = o.storm ? o.participants : 0;

  // 2. Connect and join every participant, at most connect_parallel at a time.
  for (int t = 0; t < o.threads; ++t) {
    r.workers.push_back(std::make_unique<worker>());
    auto* w = r.workers.back().get();
    w->thread = std::thread([w] { w->ioc.run(); });
  }
  for (int i = 0; i < o.participants; ++i)
    r.conns.push_back(std::make_unique<conn>(&r, r.workers[static_cast<std::size_t>(i % o.threads)].get(), i));
  auto connect_deadline = steady::now() + std::chrono::duration_cast<steady::duration>(
                                              std::chrono::duration<double>(o.connect_timeout));
  for (auto& c : r.conns) {
    while (r.in_flight.load() >= o.connect_parallel && steady::now() < connect_deadline)
      std::this_thread::sleep_for(1ms);  // the connect window: at most connect_parallel handshakes at once
    conn* cp = c.get();
    asio::post(cp->w->ioc, [cp] { cp->start(); });
  }
  while (r.ready.load() + r.failed.load() < o.participants && steady::now() < connect_deadline)
    std::this_thread::sleep_for(5ms);  // polling the workers' connect counts, with a deadline
  int ready = r.ready.load();
  std::fprintf(stderr, "vote_storm: %d of %d joined, %d failed; %s\n", ready, o.participants, r.failed.load(),
               o.storm ? "storm" : "no storm (baseline)");

  // 3. The schedule: chat from t0, measured from warm_end; the storm from 1 s into the window.
  auto now = ns(steady::now());
  r.t0_ns = now + 200'000'000;
  r.warm_end_ns = r.t0_ns + static_cast<std::int64_t>(o.warmup * 1e9);
  r.storm_start_ns = r.warm_end_ns + 1'000'000'000;
  r.storm_end_ns = r.storm_start_ns + static_cast<std::int64_t>(o.storm_seconds * 1e9);
  r.measure_end_ns = r.warm_end_ns + static_cast<std::int64_t>(o.duration * 1e9);
  for (auto& c : r.conns) {
    conn* cp = c.get();
    asio::post(cp->w->ioc, [cp] { cp->begin(); });
  }
  auto at = [](std::int64_t t) { return steady::time_point(std::chrono::nanoseconds(t)); };
  std::this_thread::sleep_until(at(r.warm_end_ns));
  double cpu0 = o.server_pid ? samling::bench::process_cpu_seconds(o.server_pid) : -1;
  double self0 = samling::bench::process_cpu_seconds(::getpid());
  std::this_thread::sleep_until(at(r.measure_end_ns));
  double cpu_window = o.server_pid ? samling::bench::process_cpu_seconds(o.server_pid) - cpu0 : -1;
  double self_window = samling::bench::process_cpu_seconds(::getpid()) - self0;

  // 4. Drain: every vote acked and every connection's counts final (or the deadline).
  const std::uint64_t votes_planned = o.storm ? static_cast<std::uint64_t>(ready) * r.qids.size() : 0;
  auto drain_deadline = steady::now() + std::chrono::duration_cast<steady::duration>(
                                            std::chrono::duration<double>(o.drain));
  auto acks = [&] { return sum(r, [](worker& w) { return w.acks.load(std::memory_order_relaxed); }); };
  auto finals = [&] { return sum(r, [](worker& w) { return w.final_seen.load(std::memory_order_relaxed); }); };
  auto chat_done = [&] {
    auto posted = sum(r, [](worker& w) { return w.chat_posts_measured.load(std::memory_order_relaxed); });
    return sum(r, [](worker& w) { return w.chat_delivered.load(std::memory_order_relaxed); }) >=
           posted * static_cast<std::uint64_t>(ready);
  };
  auto votes_done = [&] {
    return !o.storm || r.qids.empty() ||
           (acks() >= votes_planned && finals() >= static_cast<std::uint64_t>(ready));
  };
  while (!(chat_done() && votes_done()) && steady::now() < drain_deadline)
    std::this_thread::sleep_for(10ms);  // polling the workers' counts, with a deadline
  auto drained_at = steady::now();
  double cpu_all = o.server_pid ? samling::bench::process_cpu_seconds(o.server_pid) - cpu0 : -1;
  double all_s = std::chrono::duration<double>(drained_at - at(r.warm_end_ns)).count();

  for (auto& w : r.workers) w->guard.reset();
  for (auto& w : r.workers) asio::post(w->ioc, [w = w.get()] { w->ioc.stop(); });
  for (auto& w : r.workers) w->thread.join();

  // 5. Merge.
  samling::bench::histogram chat, vote;
  std::uint64_t chat_delivered = 0, chat_posts = 0, chat_errors = 0, vote_errors = 0, dup = 0, unknown = 0,
                votes_events = 0, votes_in_storm = 0, closed = 0;
  int votes_max_1s = 0, votes_max_1s_ts = 0;
  std::int64_t votes_min_gap_ms = -1;
  std::string first_error;
  for (auto& w : r.workers) {
    chat.merge(w->chat_hist);
    vote.merge(w->vote_hist);
    chat_delivered += w->chat_delivered.load();
    chat_posts += w->chat_posts_measured.load();
    chat_errors += w->chat_post_errors;
    vote_errors += w->vote_errors;
    dup += w->duplicate_acks;
    unknown += w->unknown_replies;
    votes_events += w->votes_events;
    votes_in_storm += w->votes_events_in_storm;
    votes_max_1s = std::max(votes_max_1s, w->votes_max_1s);
    votes_max_1s_ts = std::max(votes_max_1s_ts, w->votes_max_1s_ts);
    if (w->votes_min_gap_ms >= 0 && (votes_min_gap_ms < 0 || w->votes_min_gap_ms < votes_min_gap_ms))
      votes_min_gap_ms = w->votes_min_gap_ms;
    closed += static_cast<std::uint64_t>(w->closed);
    if (first_error.empty()) first_error = w->first_error;
  }
  std::uint64_t missing = 0, acked = 0, final_conns = 0;
  for (auto& c : r.conns) {
    if (!c->ready) continue;
    for (auto a : c->acked) {
      acked += a;
      if (o.storm && a == 0) ++missing;
    }
    if (o.storm && c->seen_final == static_cast<int>(r.qids.size())) ++final_conns;
  }
  const double storm_window_s = o.storm_seconds + 1;
  const double votes_rate_mean = ready ? static_cast<double>(votes_in_storm) / ready / storm_window_s : 0;

  // 6. The final counts: a fresh join's snapshot (an attendee's view) and the export.
  std::vector<std::int64_t> snap(r.qids.size(), -1), exported(r.qids.size(), -1), voters(r.qids.size(), -1);
  {
    sync_client fresh;
    std::string err;
    if (fresh.connect(o, err)) {
      auto fh = fresh.request({{"type", "hello"}, {"event", o.event},
                               {"token", token(o, "u-storm-fresh", "Fresh Eyes", "attendee")}},
                              err);
      auto fj = is_ack(fh) ? fresh.request({{"type", "join"}, {"room", r.room}}, err) : std::nullopt;
      if (is_ack(fj)) {
        auto* qa = fj->at("result").as_object().if_contains("qa");
        snap = counts_of(qa && qa->is_object() ? qa->as_object().if_contains("questions") : nullptr, r.qids);
      } else if (first_error.empty()) {
        first_error = "fresh join: " + show(fj) + " " + err;
      }
      fresh.close();
    }
  }
  auto [export_status, export_body] =
      http_get(o, "/api/v1/events/" + o.event + "/rooms/" + o.room_id + "/export.json", mod_token);
  {
    boost::system::error_code ec;
    auto ev = json::parse(export_body, ec);
    if (!ec && ev.is_object()) {
      auto* qs = ev.as_object().if_contains("questions");
      exported = counts_of(qs, r.qids);
      if (qs && qs->is_array())
        for (auto& q : qs->as_array()) {
          auto* id = q.is_object() ? q.as_object().if_contains("id") : nullptr;
          auto* v = q.is_object() ? q.as_object().if_contains("voters") : nullptr;
          if (!id || !id->is_string() || !v) continue;
          auto it = std::find(r.qids.begin(), r.qids.end(), std::string_view(id->as_string()));
          if (it == r.qids.end()) continue;
          // "voters": a list of voter ids or their number, whichever the export gives.
          voters[static_cast<std::size_t>(it - r.qids.begin())] =
              v->is_array() ? static_cast<std::int64_t>(v->as_array().size()) : v->is_int64() ? v->as_int64() : -1;
        }
    }
  }
  auto all_equal = [&](const std::vector<std::int64_t>& v) {
    return std::all_of(v.begin(), v.end(), [&](std::int64_t n) { return n == r.expected_final; });
  };
  auto lo = [](const std::vector<std::int64_t>& v) { return v.empty() ? -1 : *std::min_element(v.begin(), v.end()); };
  auto hi = [](const std::vector<std::int64_t>& v) { return v.empty() ? -1 : *std::max_element(v.begin(), v.end()); };
  bool voters_ok = std::all_of(voters.begin(), voters.end(), [&](std::int64_t n) { return n < 0 || n == r.expected_final; });

  const std::uint64_t chat_expected = chat_posts * static_cast<std::uint64_t>(ready);
  const double window_s = o.duration;
  bool ok = ready == o.participants && closed == 0 && chat_errors == 0 && chat_delivered == chat_expected &&
            all_equal(snap) && export_status == 200 && all_equal(exported) && voters_ok;
  if (o.storm)
    ok = ok && acked == votes_planned && dup == 0 && missing == 0 && vote_errors == 0 && unknown == 0 &&
         final_conns == static_cast<std::uint64_t>(ready);
  auto ms = [](std::uint64_t v) { return static_cast<double>(v) / 1e6; };
  json::object out{
      {"storm", o.storm},
      {"participants", o.participants},
      {"joined", ready},
      {"questions", static_cast<std::int64_t>(r.qids.size())},
      {"storm_seconds", o.storm_seconds},
      {"votes_planned", votes_planned},
      {"votes_acked", acked},
      {"votes_missing", missing},
      {"votes_duplicate_acks", dup},
      {"vote_errors", vote_errors},
      {"unknown_replies", unknown},
      {"vote_ack_p50_ms", ms(vote.quantile(0.50))},
      {"vote_ack_p99_ms", ms(vote.quantile(0.99))},
      {"vote_ack_max_ms", ms(vote.max())},
      {"votes_events", votes_events},
      {"votes_events_per_conn_max_1s", votes_max_1s},
      {"votes_events_per_conn_max_1s_by_ts", votes_max_1s_ts},
      {"votes_events_min_gap_ms", votes_min_gap_ms},
      {"votes_events_per_conn_mean_per_s", votes_rate_mean},
      {"conns_with_final_counts", final_conns},
      {"snapshot_min", lo(snap)},
      {"snapshot_max", hi(snap)},
      {"export_status", export_status},
      {"export_min", lo(exported)},
      {"export_max", hi(exported)},
      {"export_voters_min", lo(voters)},
      {"expected_count", r.expected_final},
      {"chatters", o.chatters},
      {"chat_rate", o.chat_rate},
      {"chat_posts_measured", chat_posts},
      {"chat_expected", chat_expected},
      {"chat_delivered", chat_delivered},
      {"chat_post_errors", chat_errors},
      {"chat_p50_ms", ms(chat.quantile(0.50))},
      {"chat_p99_ms", ms(chat.quantile(0.99))},
      {"chat_max_ms", ms(chat.max())},
      {"window_s", window_s},
      {"server_cpu_window_s", cpu_window},
      {"client_cpu_window_s", self_window},  // this process (the load generator), same window
      {"until_drained_s", all_s},
      {"server_cpu_until_drained_s", cpu_all},
      {"server_cpu_per_vote_us", votes_planned && cpu_all >= 0 ? cpu_all / static_cast<double>(votes_planned) * 1e6 : 0.0},
      {"connections_closed", closed},
      {"first_error", first_error},
      {"ok", ok}};
  std::printf("%s\n", json::serialize(out).c_str());
  return ok ? 0 : 1;
}
