// Stopping and starting a stage quickly, many times, leaves nothing behind (issue 13, "media
// that runs all day"). A produced test-source stage with HLS and recording (both cut MPEG-TS
// with splitmuxsink) is started and stopped 30 times with short, varying pauses, so that stops
// land at every point of a pipeline's life: before its first buffer, while a fragment is being
// opened, in the middle of one, just as a keyframe asks for the next. Afterwards, with the
// stage stopped, the server's descriptors and threads (read from /proc) are where they were
// after a warm-up cycle: a pipeline whose stop never returns keeps its bus, its file and its
// streaming threads for good, and shows here.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "media_fixture.hpp"
#include "proc_usage.hpp"

namespace samling::testing {
namespace {

using namespace media_fixture;


// The stage is live and has written at least one HLS segment since it was started.
bool live_with_segments(std::uint16_t port) {
  auto s = stage(port);
  return str(s, "state") == "live" && num(s, "hls_segments") >= 1;
}

}  // namespace

TEST(MediaStageRestart, thirty_quick_stop_start_cycles_leave_fds_and_threads_at_their_baseline) {
  auto began = std::chrono::steady_clock::now();
  server_process server(media_server("[[stages]]\nid = \"main\"\nname = \"Main stage\"\nmode = \"produced\"\n"
                                     "input = \"test\"\nrecord = true\n" +
                                     small_produced_toml()));
  auto port = server.port();
  auto pid = server.pid();
  ASSERT_TRUE(eventually([&] { return live_with_segments(port); }, 20s))
      << json::serialize(stage(port)) << "\n" << log_excerpt(server);

  auto stop = [&] {
    auto r = organizer_request(port, "POST", "/api/v1/stages/main/stop");
    ASSERT_EQ(r.status, 200) << describe(r);
  };
  auto start = [&] {
    auto r = organizer_request(port, "POST", "/api/v1/stages/main/start");
    ASSERT_EQ(r.status, 200) << describe(r);
  };
  // With the stage stopped: waits until the descriptors and threads stay the same for a second
  // (the retired pipelines are stopped on threads of their own, which takes a moment).
  auto quiet_usage = [&] {
    proc_usage last = usage_of(pid), now;
    eventually([&] {
      pause_for(1s);
      now = usage_of(pid);
      bool same = now.fds == last.fds && now.threads == last.threads;
      last = now;
      return same;
    }, 10s);
    return last;
  };

  // Warm-up: one whole cycle (stopped, started until it writes HLS again, stopped), so that
  // GStreamer's plugins and task pool threads, the recordings directory and the like exist.
  stop();
  if (HasFatalFailure()) return;
  start();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(eventually([&] { return live_with_segments(port); }, 20s)) << log_excerpt(server);
  stop();
  if (HasFatalFailure()) return;
  auto baseline = quiet_usage();
  auto baseline_fds = fd_kinds(pid);
  auto baseline_threads = thread_names(pid);

  // 30 cycles; running and stopped for 0 to 1 s each, in a fixed irregular order (a stop right
  // after a start, one during the first segment, one as the second begins ...).
  const int running_ms[] = {0, 700, 150, 1000, 400, 50, 850, 300, 600, 0, 950, 200, 700, 450, 100,
                            800, 250, 650, 0, 550, 900, 350, 700, 50, 1000, 150, 600, 400, 750, 200};
  const int stopped_ms[] = {100, 0, 600, 250, 0, 900, 50, 400, 0, 700, 150, 0, 300, 1000, 50,
                            0, 500, 200, 800, 0, 350, 0, 100, 650, 0, 450, 0, 250, 50, 0};
  for (int i = 0; i < 30; ++i) {
    start();
    if (HasFatalFailure()) return;
    pause_for(std::chrono::milliseconds(running_ms[i]));
    stop();
    if (HasFatalFailure()) return;
    pause_for(std::chrono::milliseconds(stopped_ms[i]));
  }
  auto after_cycles = usage_of(pid);

  // It still works: started once more, it writes HLS (and records) again.
  start();
  if (HasFatalFailure()) return;
  EXPECT_TRUE(eventually([&] { return live_with_segments(port); }, 20s)) << log_excerpt(server);
  stop();
  if (HasFatalFailure()) return;

  // Slack, constant (not per cycle): +2 fds and +3 threads for what the server keeps on its own
  // schedule: GLib's thread pools keep an idle thread for a while ("pool-samling" comes and
  // goes), and an HTTP connection of this test's status polling may still be closing. In six
  // runs with the fix the settled counts were exactly the baseline's (23 fds, 9 threads). A
  // pipeline whose stop never returns keeps 3 fds (its file and its bus's socket pair) and 6
  // threads (both appsrcs, both queues, splitmuxsink's queue and the thread stopping it), so
  // one wedged stop fails the thread bound and two fail both (measured before the fix: from 23
  // fds, 9 threads to 26 fds, 14 threads with one; 2 wedged in another run).
  proc_usage end;
  bool settled = eventually([&] {
    end = quiet_usage();
    return end.fds <= baseline.fds + 2 && end.threads <= baseline.threads + 3;
  }, 20s);
  auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began);
  std::cout << "[ restart ] 30 cycles, " << took.count() << " s in all; baseline " << show(baseline) << "; right after the cycles "
            << show(after_cycles) << "; settled " << show(end) << std::endl;
  EXPECT_TRUE(settled) << "from " << show(baseline) << " to " << show(end) << "\ndescriptors at the baseline:\n"
                       << baseline_fds << "descriptors now:\n"
                       << fd_kinds(pid) << "threads at the baseline:\n"
                       << baseline_threads << "threads now:\n"
                       << thread_names(pid) << log_excerpt(server);
  EXPECT_LE(end.fds, baseline.fds + 2);
  EXPECT_LE(end.threads, baseline.threads + 3);
  EXPECT_LT(took, 100s) << "the stops must not be slow either";
}

}  // namespace samling::testing
