// press_gate: the C++ side of the press gate benchmark (issue 18, tests/bench/press_gate.sh).
//
//   press_gate sign --key-id K --secret S --event E [--stage X] [--count N] [--valid-seconds T]
//                   [--device-cap C]
//       prints N grant tokens (one per line), each a distinct grant for stage X (default "*"),
//       valid from a minute ago for T seconds (default 3600), signed as the server signs them
//       (press::sign_grant with the keyring of [auth] key_id / secret).
//
//   press_gate micro [--seconds 0.3] [--rounds 5]
//       ns per check of what the gate does on every request, in a timed loop on one thread:
//       verify_grant (a playlist with ?grant=), verify_viewer (a segment's ?v=), is_revoked with
//       10,000 grants revoked, admit_device, count (the audit), sign_viewer and rewrite_playlist
//       (a playlist's answer). One JSON object per check: the median and min-max of the rounds.
//
// This binary links samling_press and samling_auth only: no store, no database, no network. So
// the figures are the whole cost of a check: a database round trip cannot hide in them.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "auth/token.hpp"
#include "press/grant.hpp"
#include "press/registry.hpp"

namespace {

using namespace samling;

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "press_gate: %s\nusage: press_gate sign --key-id K --secret S --event E [--stage X] [--count N] "
               "[--valid-seconds T] [--device-cap C]\n       press_gate micro [--seconds 0.3] [--rounds 5]\n",
               msg);
  std::exit(2);
}

std::int64_t now_s() { return static_cast<std::int64_t>(std::time(nullptr)); }

// Keeps the optimizer from dropping a result (what benchmark::DoNotOptimize does).
template <class T>
void keep(const T& v) {
  asm volatile("" : : "g"(&v) : "memory");
}

int sign(int argc, char** argv) {
  std::string key_id, secret, event, stage = "*";
  int count = 1;
  std::int64_t valid_seconds = 3600;
  std::uint32_t cap = 2;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--key-id") key_id = next();
    else if (a == "--secret") secret = next();
    else if (a == "--event") event = next();
    else if (a == "--stage") stage = next();
    else if (a == "--count") count = std::atoi(next().c_str());
    else if (a == "--valid-seconds") valid_seconds = std::atoll(next().c_str());
    else if (a == "--device-cap") cap = static_cast<std::uint32_t>(std::atoi(next().c_str()));
    else usage(("unknown argument " + a).c_str());
  }
  if (key_id.empty() || secret.empty() || event.empty() || count < 1) usage("--key-id, --secret and --event are required");
  auth::keyring keys(auth::signing_key{key_id, secret});
  auto now = now_s();
  for (int n = 0; n < count; ++n) {
    press::grant g;
    g.id = press::new_grant_id();
    g.event = event;
    g.name = "Bench viewer " + std::to_string(n + 1);
    g.outlet = "Bench";
    g.stages = {stage};
    g.rooms = {"*"};
    g.valid_from = now - 60;
    g.valid_until = now + valid_seconds;
    g.device_cap = cap;
    std::cout << press::sign_grant(g, keys) << '\n';
  }
  return 0;
}

struct timing {
  std::string name;
  std::string what;
  std::vector<double> ns;  // per round: ns per call
};

// Calls fn in batches for `seconds`, `rounds` times: ns per call of each round.
timing measure(std::string name, std::string what, double seconds, int rounds, const std::function<void()>& fn) {
  timing t{std::move(name), std::move(what), {}};
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < 1000; ++i) fn();  // warm caches and branch predictors
  for (int r = 0; r < rounds; ++r) {
    std::uint64_t calls = 0;
    auto t0 = clock::now();
    auto limit = t0 + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
    auto t1 = t0;
    while (t1 < limit) {
      for (int i = 0; i < 256; ++i) fn();
      calls += 256;
      t1 = clock::now();
    }
    t.ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(calls));
  }
  return t;
}

std::string num(double v) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(1);
  o << v;
  return o.str();
}

void print(const timing& t) {
  auto s = t.ns;
  std::sort(s.begin(), s.end());
  double median = s.size() % 2 ? s[s.size() / 2] : (s[s.size() / 2 - 1] + s[s.size() / 2]) / 2;
  std::cout << "{\"check\": \"" << t.name << "\", \"what\": \"" << t.what << "\", \"ns_median\": " << num(median)
            << ", \"ns_min\": " << num(s.front()) << ", \"ns_max\": " << num(s.back())
            << ", \"rounds\": " << s.size() << "}\n";
}

int micro(int argc, char** argv) {
  double seconds = 0.3;
  int rounds = 5;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--seconds") seconds = std::atof(next().c_str());
    else if (a == "--rounds") rounds = std::atoi(next().c_str());
    else usage(("unknown argument " + a).c_str());
  }
  if (seconds <= 0 || rounds < 1) usage("bad numbers");

  auth::keyring keys(auth::signing_key{"bench", "bench-only-secret-not-for-production-0123456789"},
                     {auth::signing_key{"old", "an-older-bench-secret-also-not-for-production-01"}});
  auto now = now_s();
  press::grant g;
  g.id = press::new_grant_id();
  g.event = "stockholm-tillsammans-2027";
  g.name = "Eva Ek";
  g.outlet = "Dagens Nyheter";
  g.stages = {"main", "press"};
  g.rooms = {"press"};
  g.valid_from = now - 3600;
  g.valid_until = now + 86400;
  const std::string grant_token = press::sign_grant(g, keys);
  press::viewer_ticket ticket{g.id, "press", "d-0123456789abcdef", now + 120};
  const std::string viewer_token = press::sign_viewer(ticket, keys);

  // The check must succeed: a benchmark of a failing path would measure the wrong thing.
  if (!std::holds_alternative<press::grant>(press::verify_grant(grant_token, keys, now)) ||
      !std::holds_alternative<press::viewer_ticket>(press::verify_viewer(viewer_token, keys, now))) {
    std::cerr << "press_gate micro: a freshly signed token does not verify\n";
    return 1;
  }

  press::registry reg(30000);
  std::vector<std::pair<std::string, std::int64_t>> revoked;
  for (int i = 0; i < 10000; ++i) revoked.emplace_back(press::new_grant_id(), now);
  reg.load_revoked(revoked);

  std::string playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:100\n";
  for (int i = 100; i < 110; ++i) playlist += "#EXTINF:2.000,\nr1a2b3c-" + std::to_string(i) + ".ts\n";

  std::vector<timing> all;
  all.push_back(measure("verify_grant", "a playlist's ?grant=: HMAC-SHA256 + JSON payload + times", seconds, rounds, [&] {
    auto r = press::verify_grant(grant_token, keys, now);
    keep(r);
  }));
  all.push_back(measure("verify_viewer", "a segment's ?v=: HMAC-SHA256 (16 bytes) + binary payload", seconds, rounds, [&] {
    auto r = press::verify_viewer(viewer_token, keys, now);
    keep(r);
  }));
  all.push_back(measure("is_revoked", "revocation, 10,000 grants revoked (shared lock, map)", seconds, rounds, [&] {
    bool r = reg.is_revoked(g.id);
    keep(r);
  }));
  std::int64_t t_ms = now * 1000;
  all.push_back(measure("admit_device", "the device cap, one live device (mutex, map)", seconds, rounds, [&] {
    bool r = reg.admit_device(g.event, g.id, "press", ticket.device, 2, "127.0.0.1", "bench", ++t_ms);
    keep(r);
  }));
  press::view_record rec{g.event, g.id, "Eva Ek (Dagens Nyheter)", "press", ticket.device, "127.0.0.1", "bench",
                         0, 0, 300000, 1};
  all.push_back(measure("count", "the viewing audit, one record per request (mutex, map)", seconds, rounds, [&] {
    rec.first_at = rec.last_at = ++t_ms;
    reg.count(rec);
  }));
  all.push_back(measure("sign_viewer", "a playlist's answer: the viewer token", seconds, rounds, [&] {
    auto r = press::sign_viewer(ticket, keys);
    keep(r);
  }));
  all.push_back(measure("rewrite_playlist", "a playlist's answer: ?v= on 10 segment lines", seconds, rounds, [&] {
    auto r = press::rewrite_playlist(playlist, "v", viewer_token);
    keep(r);
  }));
  all.push_back(measure("segment_check", "verify_viewer + is_revoked + admit_device + count: one gated segment", seconds,
                        rounds, [&] {
                          auto v = press::verify_viewer(viewer_token, keys, now);
                          bool ok = std::holds_alternative<press::viewer_ticket>(v) && !reg.is_revoked(g.id) &&
                                    reg.admit_device(g.event, g.id, "press", ticket.device, 2, "127.0.0.1", "bench", ++t_ms);
                          rec.first_at = rec.last_at = t_ms;
                          reg.count(rec);
                          keep(ok);
                        }));
  (void)reg.take_views();
  for (const auto& t : all) print(t);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage("a command is required");
  std::string cmd = argv[1];
  if (cmd == "sign") return sign(argc, argv);
  if (cmd == "micro") return micro(argc, argv);
  usage(("unknown command " + cmd).c_str());
}
