#pragma once
// Viewers per stage: the distinct HLS clients (client address + User-Agent) that fetched a
// stage's playlist or one of its segments within the last `window` (30 s: a player polls the
// playlist every segment, 2 s by default, so a live viewer is never away that long). /live/
// reports each request (seen()); the stage board asks for the counts once a second (count()).
//
// Bounded: at most `max_clients` per stage (100000); past that a new client is not counted
// until old ones have expired and count() has swept them (count() runs once a second), so a
// flood of made-up User-Agents costs a fixed amount of memory and O(1) per request.
// Clients are kept as a 64-bit hash of address and User-Agent, not the strings.
//
// Thread-safe. The stages are fixed at construction (the configuration's), so looking one up
// takes no lock; each stage's clients are spread over 16 shards by their hash, each with its
// own small mutex, held for one hash-map update per request (and, once a second, for the sweep
// of expired clients in count()), so requests on different threads rarely meet on one.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace samling::api {

class hls_viewers {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr clock::duration default_window = std::chrono::seconds(30);
  static constexpr std::size_t default_max_clients = 100000;

  explicit hls_viewers(const std::vector<std::string>& stages, clock::duration window = default_window,
                       std::size_t max_clients = default_max_clients,
                       std::function<clock::time_point()> now = &clock::now);

  // A client fetched the stage's playlist or a segment. `remote` is the peer as the server
  // logs it ("address:port"; the port is dropped: a player opens new connections). Unknown
  // stages are ignored.
  void seen(const std::string& stage, std::string_view remote, std::string_view user_agent);
  // Distinct clients of the stage seen within the window (expired ones are dropped now).
  std::size_t count(const std::string& stage);
  // Every stage's count, in stage id order.
  std::map<std::string, std::size_t> counts();

 private:
  static constexpr std::size_t shard_count = 16;
  struct shard {
    std::mutex m;
    std::unordered_map<std::uint64_t, clock::time_point> last_seen;  // client hash -> last request
  };
  struct table {
    std::array<shard, shard_count> shards;
    std::atomic<std::size_t> clients{0};  // over all shards, for the bound
  };
  // Drops the shard's expired clients (with s.m held); returns how many it keeps.
  std::size_t sweep(table& t, shard& s, clock::time_point now);

  const clock::duration window_;
  const std::size_t max_clients_;
  const std::function<clock::time_point()> now_;
  std::map<std::string, std::unique_ptr<table>, std::less<>> stages_;  // never changes after construction
};

}  // namespace samling::api
