// Registration rush (issue 16; tests/bench/registration_rush.sh runs it beside the chat load):
// N sign-ups for one event within a time budget, paced evenly (each request at its scheduled
// time; latency counted from that time, so a stalled server does not hide the stall), then the
// last seats raced by many clients at once. Then it checks what the issue asks: every sign-up
// answered, none lost or doubled, seats never oversold. Prints one JSON object.
//
// Plain blocking sockets and threads (one connection per request, as a form post makes one);
// links nothing of the server. Organizer requests carry a join token minted with the server's
// key (--secret, --key-id), as tests/support/ws_client does.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <latch>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "token_codec.hpp"

namespace json = boost::json;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct options {
  std::uint16_t port = 0;
  std::string event = "samling-bench";
  std::string secret, key_id = "bench";
  int signups = 1000;         // in all, the race included
  double seconds = 60;        // the time budget of all sign-ups
  int race_clients = 50;      // the last sign-ups, all at once
  int race_seats = 10;        // seats left when they race
  int concurrency = 32;       // sender threads of the paced phase
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "registration_rush: %s\n"
               "usage: registration_rush --port P --secret S [--key-id bench] [--event samling-bench]\n"
               "  [--signups 1000] [--seconds 60] [--race-clients 50] [--race-seats 10] [--concurrency 32]\n",
               why);
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    if (a == "--port") o.port = static_cast<std::uint16_t>(std::stoi(v));
    else if (a == "--event") o.event = v;
    else if (a == "--secret") o.secret = v;
    else if (a == "--key-id") o.key_id = v;
    else if (a == "--signups") o.signups = std::stoi(v);
    else if (a == "--seconds") o.seconds = std::stod(v);
    else if (a == "--race-clients") o.race_clients = std::stoi(v);
    else if (a == "--race-seats") o.race_seats = std::stoi(v);
    else if (a == "--concurrency") o.concurrency = std::stoi(v);
    else usage(("unknown option " + a).c_str());
  }
  if (!o.port || o.secret.empty()) usage("--port and --secret are required");
  if (o.race_clients > o.signups || o.race_seats > o.race_clients) usage("race numbers do not fit");
  return o;
}

struct reply {
  int status = 0;  // 0: no answer
  std::string body;
};

// One request on its own connection (Connection: close), read to the end. 30 s deadline.
reply request(std::uint16_t port, const std::string& method, const std::string& target, const std::string& body,
              const std::string& auth = {}) {
  reply out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return out;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!auth.empty()) req += "Authorization: Bearer " + auth + "\r\n";
  if (!body.empty() || method != "GET") req += "Content-Type: application/json\r\nContent-Length: " +
                                               std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  std::size_t sent = 0;
  while (sent < req.size()) {
    auto n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      ::close(fd);
      return out;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[16384];
  auto end = steady::now() + 30s;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (raw.size() < 12 || raw.compare(0, 5, "HTTP/") != 0) return out;
  out.status = std::atoi(raw.c_str() + 9);
  auto head_end = raw.find("\r\n\r\n");
  if (head_end != std::string::npos) out.body = raw.substr(head_end + 4);
  return out;
}

std::string mint(const options& o, const std::string& role) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  json::object claims{{"sub", "u-rush-" + role}, {"name", "Rush " + role}, {"event", o.event}, {"role", role},
                      {"iat", now}, {"exp", now + 3600}};
  auto payload = samling::testing::base64url(json::serialize(claims));
  auto signing_input = "v1." + o.key_id + "." + payload;
  return signing_input + "." + samling::testing::base64url(samling::testing::hmac_sha256(o.secret, signing_input));
}

struct outcome {
  int status = 0;
  std::string state;  // registered / waitlisted
  std::string id;
  double ms = 0;      // from its scheduled time to the complete answer
};

outcome sign_up(const options& o, int i, steady::time_point scheduled) {
  json::object body{{"name", "Rush Person " + std::to_string(i)},
                    {"email", "rush" + std::to_string(i) + "@example.org"},
                    {"organization", "Bench"},
                    {"consent", true},
                    {"language", i % 3 == 0 ? "sv" : i % 3 == 1 ? "en" : "fi"}};
  auto r = request(o.port, "POST", "/api/v1/events/" + o.event + "/registrations", json::serialize(body));
  outcome out;
  out.ms = std::chrono::duration<double, std::milli>(steady::now() - scheduled).count();
  out.status = r.status;
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    if (auto* reg = v.as_object().if_contains("registration"); reg && reg->is_object()) {
      auto& ro = reg->as_object();
      if (auto* s = ro.if_contains("status"); s && s->is_string()) out.state = std::string(s->as_string());
      if (auto* id = ro.if_contains("id"); id && id->is_string()) out.id = std::string(id->as_string());
    }
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

std::int64_t count_of(const json::value& v, const char* mode, const char* key) {
  try {
    return v.at("counts").at(mode).at(key).to_number<std::int64_t>();
  } catch (...) {
    return -1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  auto o = parse(argc, argv);
  const int paced = o.signups - o.race_clients;
  const int capacity = paced + o.race_seats;
  auto organizer = mint(o, "organizer");

  json::object settings{{"opens_at", "2020-01-01T00:00"}, {"closes_at", "2035-01-01T00:00"},
                        {"capacity", capacity}, {"waitlist", true}, {"modes", json::array{"hall"}}};
  auto put = request(o.port, "PUT", "/api/v1/events/" + o.event + "/registration", json::serialize(settings), organizer);
  if (put.status != 200) {
    std::fprintf(stderr, "registration_rush: PUT settings answered %d: %s\n", put.status, put.body.c_str());
    return 1;
  }

  std::vector<outcome> results(static_cast<std::size_t>(o.signups));
  // Paced: sign-up i at start + i * interval, over the budget minus a few seconds for the race.
  const double paced_budget = std::max(1.0, o.seconds - 5);
  const auto interval = std::chrono::duration<double>(paced_budget / std::max(1, paced));
  const auto start = steady::now() + 200ms;
  std::atomic<int> next{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < o.concurrency; ++t) {
    senders.emplace_back([&] {
      for (;;) {
        int i = next.fetch_add(1);
        if (i >= paced) return;
        auto when = start + std::chrono::duration_cast<steady::duration>(interval * i);
        std::this_thread::sleep_until(when);
        results[static_cast<std::size_t>(i)] = sign_up(o, i, when);
      }
    });
  }
  for (auto& t : senders) t.join();
  auto paced_end = steady::now();

  // The race: the last seats, everyone at once.
  std::latch go(o.race_clients);
  std::vector<std::thread> racers;
  for (int k = 0; k < o.race_clients; ++k) {
    racers.emplace_back([&, k] {
      int i = paced + k;
      go.arrive_and_wait();
      results[static_cast<std::size_t>(i)] = sign_up(o, i, steady::now());
    });
  }
  for (auto& t : racers) t.join();
  auto total_s = std::chrono::duration<double>(steady::now() - start).count();
  (void)paced_end;

  int answered = 0, created = 0, registered = 0, waitlisted = 0, race_registered = 0;
  std::set<std::string> ids;
  std::vector<double> all_ms, paced_ms, race_ms;
  for (int i = 0; i < o.signups; ++i) {
    auto& r = results[static_cast<std::size_t>(i)];
    if (r.status) ++answered;
    if (r.status == 201) ++created;
    if (r.state == "registered") ++registered;
    if (r.state == "waitlisted") ++waitlisted;
    if (i >= paced && r.state == "registered") ++race_registered;
    if (!r.id.empty()) ids.insert(r.id);
    all_ms.push_back(r.ms);
    (i >= paced ? race_ms : paced_ms).push_back(r.ms);
  }
  auto list = request(o.port, "GET", "/api/v1/events/" + o.event + "/registrations", {}, organizer);
  boost::system::error_code ec;
  auto lv = json::parse(list.body, ec);
  std::int64_t stored_registered = ec ? -1 : count_of(lv, "hall", "registered");
  std::int64_t stored_waitlisted = ec ? -1 : count_of(lv, "hall", "waitlisted");
  std::size_t stored_rows = (!ec && lv.is_object() && lv.as_object().contains("registrations"))
                                ? lv.at("registrations").as_array().size()
                                : 0;

  bool ok = answered == o.signups && created == o.signups && static_cast<int>(ids.size()) == o.signups &&
            stored_registered == capacity && stored_registered + stored_waitlisted == o.signups &&
            static_cast<int>(stored_rows) == o.signups && race_registered == o.race_seats;
  json::object out{{"signups", o.signups},
                   {"capacity", capacity},
                   {"seconds", total_s},
                   {"answered", answered},
                   {"created_201", created},
                   {"distinct_ids", static_cast<std::int64_t>(ids.size())},
                   {"registered", registered},
                   {"waitlisted", waitlisted},
                   {"race_clients", o.race_clients},
                   {"race_registered", race_registered},
                   {"stored_rows", static_cast<std::int64_t>(stored_rows)},
                   {"stored_registered", stored_registered},
                   {"stored_waitlisted", stored_waitlisted},
                   {"oversold", stored_registered > capacity},
                   {"signup_p50_ms", percentile(all_ms, 0.50)},
                   {"signup_p99_ms", percentile(all_ms, 0.99)},
                   {"signup_max_ms", percentile(all_ms, 1.0)},
                   {"paced_p50_ms", percentile(paced_ms, 0.50)},
                   {"paced_p99_ms", percentile(paced_ms, 0.99)},
                   {"race_p50_ms", percentile(race_ms, 0.50)},
                   {"race_p99_ms", percentile(race_ms, 0.99)},
                   {"ok", ok}};
  std::printf("%s\n", json::serialize(out).c_str());
  return ok ? 0 : 1;
}
