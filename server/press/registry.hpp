#pragma once
// What the server keeps in memory about press grants (issue 18), read on every gated playlist,
// segment and room join without a database round trip: which grants are revoked, which devices
// watch on each grant now (the device cap), the refusals of a device over the cap (the press
// officer sees them), and the viewing counts not yet written to the database (the audit).
// Thread-safe: any network thread calls it; short critical sections, no I/O, no callbacks
// under the lock.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace samling::press {

// One viewer on one stage from one device and address: a row of the viewing audit. The
// registry accumulates one per (viewer, stage, device, address) and hands out what was added
// since the last take_views(); the store adds those up (press_store::add_views).
struct view_record {
  std::string event;
  std::string viewer;      // a grant id ("pr-…") or a user or account id
  std::string name;        // the viewer's name at the time ("Eva Ek, DN")
  std::string stage;
  std::string device;
  std::string address;     // the client's IP address
  std::string user_agent;  // at most 200 bytes of it
  std::int64_t first_at = 0;  // UTC ms of the first request in this record
  std::int64_t last_at = 0;   // UTC ms of the last
  std::uint64_t bytes = 0;    // bytes of playlists and segments served
  std::uint64_t requests = 0;
  bool operator==(const view_record&) const = default;
};

// A device the cap turned away (the press officer's console lists them; the audit keeps them).
struct device_refusal {
  std::string event;
  std::string grant;
  std::string stage;
  std::string device;
  std::string address;
  std::string user_agent;
  std::int64_t at = 0;  // UTC ms
  bool operator==(const device_refusal&) const = default;
};

// A device watching on a grant now.
struct live_device {
  std::string device;
  std::string stage;       // the stage it last fetched from
  std::string address;
  std::string user_agent;
  std::int64_t first_at = 0;  // UTC ms
  std::int64_t last_at = 0;   // UTC ms
  std::uint64_t bytes = 0;    // since first_at
  bool operator==(const live_device&) const = default;
};

class registry {
 public:
  // A device counts toward the cap while it fetched something within `device_idle_ms`.
  explicit registry(std::int64_t device_idle_ms = 30000);

  // --- Revocation ---------------------------------------------------------------------------
  // At start: the revoked grants from the store (id → revoked at, UTC seconds).
  void load_revoked(const std::vector<std::pair<std::string, std::int64_t>>& revoked);
  // Revokes at once (every later check fails) and calls the revocation listeners with the
  // event and grant id, outside the lock. A second revoke of the same id changes nothing and
  // calls nobody.
  void revoke(const std::string& event, const std::string& grant_id, std::int64_t at);
  bool is_revoked(std::string_view grant_id) const;
  // Called after each revoke() (e.g. to close the grant's room connections with 4012).
  void on_revoke(std::function<void(const std::string& event, const std::string& grant_id)> fn);

  // --- Devices ------------------------------------------------------------------------------
  // `device` fetches from `stage` on grant `grant_id` at `now_ms`: admitted (true), and then it
  // counts as live until device_idle_ms after now_ms; or refused (false) because `cap` other
  // devices are live, and then the refusal is recorded (refusals(), take_refusals()).
  bool admit_device(std::string_view event, std::string_view grant_id, std::string_view stage,
                    std::string_view device, std::uint32_t cap, std::string_view address,
                    std::string_view user_agent, std::int64_t now_ms);
  // The live devices of a grant at `now_ms`, oldest first.
  std::vector<live_device> live(std::string_view grant_id, std::int64_t now_ms) const;
  // Devices turned away on a grant since the start, newest first (at most the last 50 per grant).
  std::vector<device_refusal> refusals(std::string_view grant_id) const;
  // The refusals not yet taken (for the audit in the database), oldest first.
  std::vector<device_refusal> take_refusals();

  // --- Viewing audit --------------------------------------------------------------------------
  // Counts one request served to `viewer` (a grant id or a user id): `bytes` of `stage`'s HLS.
  void count(const view_record& request);  // request.first_at == request.last_at == now_ms
  // The same from views of the request (the gate's per-segment path): no allocation once the
  // (viewer, stage, device, address) row exists. An empty `name` keeps the row's name.
  void count(std::string_view event, std::string_view viewer, std::string_view name, std::string_view stage,
             std::string_view device, std::string_view address, std::string_view user_agent, std::uint64_t bytes,
             std::int64_t now_ms);
  // A gated segment on grant `grant_id` from `device` (its playlist admitted it): whether the
  // device still holds its place (fetched within device_idle_ms; no newcomer is admitted), and
  // if so it is touched and the request counted, under one lock. The per-segment path.
  bool segment(std::string_view event, std::string_view grant_id, std::string_view stage, std::string_view device,
               std::string_view address, std::string_view user_agent, std::uint64_t bytes, std::int64_t now_ms);
  // What was counted since the last call, one record per (viewer, stage, device, address).
  std::vector<view_record> take_views();

 private:
  // Devices, refusals and counts live in shards chosen by the viewer (a grant id or a user id),
  // so the network threads serving different viewers do not wait on one another's lock.
  static constexpr std::size_t shard_count = 16;
  struct shard {
    mutable std::mutex mu;
    std::map<std::string, std::map<std::string, live_device, std::less<>>, std::less<>> devices;  // grant → device →
    std::map<std::string, std::vector<device_refusal>, std::less<>> refusals;  // grant → newest last
    std::vector<device_refusal> untaken_refusals;
    std::map<std::string, view_record, std::less<>> views;  // key: viewer \n stage \n device \n address
  };
  shard& shard_of(std::string_view viewer) const;
  // Under the shard's lock: drops idle devices of `grant`, touches `device` if it is live.
  bool touch_locked(shard& sh, std::string_view grant_id, std::string_view stage, std::string_view device,
                    std::string_view address, std::string_view user_agent, std::uint32_t cap, std::int64_t now_ms,
                    std::string_view event);
  void count_locked(shard& sh, std::string_view event, std::string_view viewer, std::string_view name,
                    std::string_view stage, std::string_view device, std::string_view address,
                    std::string_view user_agent, std::uint64_t bytes, std::int64_t first_at, std::int64_t last_at,
                    std::uint64_t requests);

  std::int64_t idle_ms_;
  mutable std::shared_mutex revoked_mu_;
  std::map<std::string, std::int64_t, std::less<>> revoked_;
  std::mutex listeners_mu_;
  std::vector<std::function<void(const std::string&, const std::string&)>> listeners_;
  mutable std::array<shard, shard_count> shards_;
  std::atomic<std::size_t> untaken_views_{0};      // rows in every shard's views, for the bound
  std::atomic<std::size_t> untaken_refusals_{0};
};

}  // namespace samling::press
