#include "press/registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace samling::press {
namespace {

TEST(PressRegistry, RevokeCallsListenersOnceOutsideTheLock) {
  registry reg;
  std::vector<std::pair<std::string, std::string>> calls;
  bool revoked_inside = false;
  reg.on_revoke([&](const std::string& event, const std::string& grant) {
    calls.emplace_back(event, grant);
    // Outside the lock: the listener can read the registry (a shared lock would deadlock
    // against a held unique lock) and sees the grant revoked already.
    revoked_inside = reg.is_revoked(grant);
    // And may even register another listener.
    reg.on_revoke([](const std::string&, const std::string&) {});
  });
  EXPECT_FALSE(reg.is_revoked("pr-1"));
  reg.revoke("e1", "pr-1", 100);
  EXPECT_TRUE(reg.is_revoked("pr-1"));
  EXPECT_TRUE(revoked_inside);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], (std::pair<std::string, std::string>{"e1", "pr-1"}));
  reg.revoke("e1", "pr-1", 200);  // again: nothing
  EXPECT_EQ(calls.size(), 1u);
  EXPECT_FALSE(reg.is_revoked("pr-2"));
}

TEST(PressRegistry, SeveralListeners) {
  registry reg;
  int a = 0, b = 0;
  reg.on_revoke([&](const std::string&, const std::string&) { ++a; });
  reg.on_revoke([&](const std::string&, const std::string&) { ++b; });
  reg.revoke("e", "pr-a", 1);
  reg.revoke("e", "pr-b", 1);
  EXPECT_EQ(a, 2);
  EXPECT_EQ(b, 2);
}

TEST(PressRegistry, LoadRevokedCallsNobody) {
  registry reg;
  int calls = 0;
  reg.on_revoke([&](const std::string&, const std::string&) { ++calls; });
  reg.load_revoked({{"pr-1", 10}, {"pr-2", 20}});
  EXPECT_TRUE(reg.is_revoked("pr-1"));
  EXPECT_TRUE(reg.is_revoked("pr-2"));
  EXPECT_FALSE(reg.is_revoked("pr-3"));
  EXPECT_EQ(calls, 0);
  // Revoking a loaded one is not a new revocation.
  reg.revoke("e", "pr-1", 30);
  EXPECT_EQ(calls, 0);
}

TEST(PressRegistry, DeviceCap) {
  registry reg(30000);
  EXPECT_TRUE(reg.admit_device("e", "pr-1", "main", "dev-a", 2, "10.0.0.1", "UA-a", 1000));
  EXPECT_TRUE(reg.admit_device("e", "pr-1", "main", "dev-b", 2, "10.0.0.2", "UA-b", 2000));
  EXPECT_FALSE(reg.admit_device("e", "pr-1", "press", "dev-c", 2, "10.0.0.3", "UA-c", 3000));
  // The admitted ones keep being admitted, whatever the stage.
  EXPECT_TRUE(reg.admit_device("e", "pr-1", "press", "dev-a", 2, "10.0.0.1", "UA-a", 4000));
  EXPECT_TRUE(reg.admit_device("e", "pr-1", "main", "dev-b", 2, "10.0.0.2", "UA-b", 4000));
  // Another grant has its own cap.
  EXPECT_TRUE(reg.admit_device("e", "pr-2", "main", "dev-c", 2, "10.0.0.3", "UA-c", 4000));

  auto refused = reg.refusals("pr-1");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0], (device_refusal{"e", "pr-1", "press", "dev-c", "10.0.0.3", "UA-c", 3000}));
  EXPECT_TRUE(reg.refusals("pr-2").empty());

  auto live = reg.live("pr-1", 5000);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].device, "dev-a");  // oldest first
  EXPECT_EQ(live[0].stage, "press");   // the stage it last fetched
  EXPECT_EQ(live[0].first_at, 1000);
  EXPECT_EQ(live[0].last_at, 4000);
  EXPECT_EQ(live[1].device, "dev-b");
  EXPECT_TRUE(reg.live("pr-9", 5000).empty());
}

TEST(PressRegistry, IdleDeviceFreesItsPlace) {
  registry reg(30000);
  EXPECT_TRUE(reg.admit_device("e", "pr-1", "main", "a", 2, "", "", 0));
  EXPECT_TRUE(reg.admit_device("e", "pr-1", "main", "b", 2, "", "", 10000));
  EXPECT_FALSE(reg.admit_device("e", "pr-1", "main", "c", 2, "", "", 29999));
  // "a" fetched last at 0: at 30000 it has been idle for device_idle_ms.
  EXPECT_EQ(reg.live("pr-1", 29999).size(), 2u);
  EXPECT_EQ(reg.live("pr-1", 30000).size(), 1u);
  EXPECT_TRUE(reg.admit_device("e", "pr-1", "main", "c", 2, "", "", 30000));
  // Now "a" is the third one and is refused.
  EXPECT_FALSE(reg.admit_device("e", "pr-1", "main", "a", 2, "", "", 30001));
  auto live = reg.live("pr-1", 30001);
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].device, "b");
  EXPECT_EQ(live[1].device, "c");
}

TEST(PressRegistry, CapOfOneAndZero) {
  registry reg(1000);
  EXPECT_TRUE(reg.admit_device("e", "pr-1", "s", "a", 1, "", "", 0));
  EXPECT_FALSE(reg.admit_device("e", "pr-1", "s", "b", 1, "", "", 1));
  EXPECT_FALSE(reg.admit_device("e", "pr-0", "s", "a", 0, "", "", 0));
}

TEST(PressRegistry, RefusalsNewestFirstCappedAndTaken) {
  registry reg(1000000);
  reg.admit_device("e", "pr-1", "s", "keep", 1, "", "", 0);
  for (int i = 0; i < 60; ++i)
    EXPECT_FALSE(reg.admit_device("e", "pr-1", "s", "d" + std::to_string(i), 1, "addr", "ua", 100 + i));
  auto r = reg.refusals("pr-1");
  ASSERT_EQ(r.size(), 50u);
  EXPECT_EQ(r.front().device, "d59");
  EXPECT_EQ(r.front().at, 159);
  EXPECT_EQ(r.back().device, "d10");
  // All 60 wait for the audit, oldest first; taking drains them but not the console's list.
  auto taken = reg.take_refusals();
  ASSERT_EQ(taken.size(), 60u);
  EXPECT_EQ(taken.front().device, "d0");
  EXPECT_EQ(taken.back().device, "d59");
  EXPECT_TRUE(reg.take_refusals().empty());
  EXPECT_EQ(reg.refusals("pr-1").size(), 50u);
  reg.admit_device("e", "pr-1", "s", "again", 1, "", "", 1000);
  EXPECT_EQ(reg.take_refusals().size(), 1u);
}

TEST(PressRegistry, UserAgentIsCut) {
  registry reg(1000);
  std::string ua(500, 'u');
  reg.admit_device("e", "pr-1", "s", "a", 1, "", ua, 0);
  reg.admit_device("e", "pr-1", "s", "b", 1, "", ua, 0);
  EXPECT_EQ(reg.live("pr-1", 1)[0].user_agent.size(), 200u);
  EXPECT_EQ(reg.refusals("pr-1")[0].user_agent.size(), 200u);
}

view_record req(std::string viewer, std::string stage, std::string device, std::string address, std::int64_t at,
                std::uint64_t bytes) {
  view_record v;
  v.event = "e";
  v.viewer = std::move(viewer);
  v.name = "Eva Ek, DN";
  v.stage = std::move(stage);
  v.device = std::move(device);
  v.address = std::move(address);
  v.user_agent = "UA";
  v.first_at = v.last_at = at;
  v.bytes = bytes;
  return v;
}

TEST(PressRegistry, CountAggregatesAndTakeDrains) {
  registry reg;
  reg.count(req("pr-1", "main", "a", "1.1.1.1", 1000, 100));
  reg.count(req("pr-1", "main", "a", "1.1.1.1", 3000, 200));
  reg.count(req("pr-1", "main", "a", "1.1.1.1", 2000, 50));   // out of order
  reg.count(req("pr-1", "main", "a", "2.2.2.2", 1500, 7));    // another address
  reg.count(req("pr-1", "press", "a", "1.1.1.1", 1500, 8));   // another stage
  reg.count(req("pr-1", "main", "b", "1.1.1.1", 1500, 9));    // another device
  reg.count(req("u-9", "main", "a", "1.1.1.1", 1500, 10));    // another viewer
  auto views = reg.take_views();
  ASSERT_EQ(views.size(), 5u);
  const view_record* first = nullptr;
  for (const auto& v : views)
    if (v.viewer == "pr-1" && v.stage == "main" && v.device == "a" && v.address == "1.1.1.1") first = &v;
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->first_at, 1000);
  EXPECT_EQ(first->last_at, 3000);
  EXPECT_EQ(first->bytes, 350u);
  EXPECT_EQ(first->requests, 3u);
  EXPECT_EQ(first->name, "Eva Ek, DN");
  EXPECT_EQ(first->event, "e");
  std::uint64_t total = 0;
  for (const auto& v : views) total += v.bytes;
  EXPECT_EQ(total, 384u);
  EXPECT_TRUE(reg.take_views().empty());
  reg.count(req("pr-1", "main", "a", "1.1.1.1", 5000, 1));
  views = reg.take_views();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].requests, 1u);
  EXPECT_EQ(views[0].first_at, 5000);
}

TEST(PressRegistry, CountedBytesShowOnTheLiveDevice) {
  registry reg;
  reg.admit_device("e", "pr-1", "main", "a", 2, "1.1.1.1", "UA", 1000);
  reg.count(req("pr-1", "main", "a", "1.1.1.1", 1000, 100));
  reg.count(req("pr-1", "main", "a", "1.1.1.1", 1100, 23));
  reg.count(req("pr-1", "main", "zz", "1.1.1.1", 1100, 5));  // not admitted: nowhere to add
  auto live = reg.live("pr-1", 1200);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].bytes, 123u);
}

// The per-segment path: a device its playlist admitted is touched and counted under one lock;
// a device that lost its place (idle, or never admitted) is refused, without counting and
// without a refusal of a new device on record (that is the playlist's).
TEST(PressRegistry, SegmentTouchesAndCountsOnlyALiveDevice) {
  registry reg(30000);
  EXPECT_FALSE(reg.segment("e", "pr-1", "main", "dev-a", "10.0.0.1", "UA", 100, 1000));  // never admitted
  ASSERT_TRUE(reg.admit_device("e", "pr-1", "main", "dev-a", 2, "10.0.0.1", "UA", 1000));
  reg.count("e", "pr-1", "Eva Ek, DN", "main", "dev-a", "10.0.0.1", "UA", 50, 1000);  // its playlist, named
  EXPECT_TRUE(reg.segment("e", "pr-1", "main", "dev-a", "10.0.0.1", "UA", 100, 20000));
  EXPECT_TRUE(reg.segment("e", "pr-1", "main", "dev-a", "10.0.0.1", "UA", 100, 49000));  // kept live by the last
  EXPECT_FALSE(reg.segment("e", "pr-1", "main", "dev-a", "10.0.0.1", "UA", 100, 79000));  // idle 30 s: gone
  EXPECT_TRUE(reg.take_refusals().empty());
  auto views = reg.take_views();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].name, "Eva Ek, DN");  // a segment's empty name keeps the playlist's
  EXPECT_EQ(views[0].bytes, 250u);
  EXPECT_EQ(views[0].requests, 3u);
  EXPECT_EQ(views[0].first_at, 1000);
  EXPECT_EQ(views[0].last_at, 49000);
}

TEST(PressRegistry, ConcurrentUse) {
  registry reg(60000);
  constexpr int threads = 6;
  constexpr int per_thread = 2000;
  std::atomic<int> admitted{0}, refused{0}, revocations{0};
  reg.on_revoke([&](const std::string&, const std::string&) { ++revocations; });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread && std::chrono::steady_clock::now() < deadline; ++i) {
        reg.count(req("pr-" + std::to_string(i % 4), "main", "d" + std::to_string(t), "a", 1000 + i, 10));
        // Every thread is its own device on grant pr-x with cap 3: exactly 3 threads get in.
        if (reg.admit_device("e", "pr-x", "main", "dev" + std::to_string(t), 3, "", "", 1000 + i)) ++admitted;
        else ++refused;
        if (i % 100 == 0) {
          reg.revoke("e", "pr-r" + std::to_string(i), i);  // the same ids from every thread
          (void)reg.is_revoked("pr-x");
          (void)reg.live("pr-x", 1000 + i);
        }
        if (i % 500 == 0) (void)reg.take_views();
      }
    });
  }
  std::uint64_t counted = 0;
  std::uint64_t requests = 0;
  for (auto& th : pool) th.join();
  ASSERT_LT(std::chrono::steady_clock::now(), deadline);
  for (const auto& v : reg.take_views()) {
    counted += v.bytes;
    requests += v.requests;
  }
  (void)counted;
  EXPECT_EQ(admitted + refused, threads * per_thread);
  EXPECT_EQ(admitted.load(), 3 * per_thread);
  EXPECT_EQ(reg.live("pr-x", 1000 + per_thread).size(), 3u);
  EXPECT_EQ(revocations.load(), per_thread / 100);  // each id once, whoever was first
  EXPECT_EQ(reg.take_refusals().size(), static_cast<std::size_t>(refused.load()));
}

TEST(PressRegistry, ConcurrentCountLosesNothing) {
  registry reg;
  constexpr int threads = 4;
  constexpr int per_thread = 5000;
  std::vector<std::thread> pool;
  std::atomic<std::uint64_t> taken_bytes{0}, taken_requests{0};
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        reg.count(req("pr-1", "main", "d" + std::to_string(i % 3), "a", i, 2));
        if (t == 0 && i % 700 == 0)
          for (const auto& v : reg.take_views()) {
            taken_bytes += v.bytes;
            taken_requests += v.requests;
          }
      }
    });
  }
  for (auto& th : pool) th.join();
  for (const auto& v : reg.take_views()) {
    taken_bytes += v.bytes;
    taken_requests += v.requests;
  }
  EXPECT_EQ(taken_requests.load(), static_cast<std::uint64_t>(threads * per_thread));
  EXPECT_EQ(taken_bytes.load(), static_cast<std::uint64_t>(threads * per_thread * 2));
}

}  // namespace
}  // namespace samling::press
