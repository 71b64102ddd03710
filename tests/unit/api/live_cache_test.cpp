#include "api/live_cache.hpp"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace samling::api {
namespace {

using samling::testing::temp_dir;
using namespace std::chrono_literals;

// The cache's clock, moved by hand.
struct fake_clock {
  live_cache::clock::time_point t = live_cache::clock::time_point(1h);
  std::function<live_cache::clock::time_point()> fn() {
    return [this] { return t; };
  }
};

struct stat stat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st;
}

TEST(live_cache, a_cached_segment_is_served_until_deleted_and_checked) {
  temp_dir dir;
  fake_clock clock;
  live_cache cache(clock.fn());
  auto path = dir.write("hls/main/r1-00001.ts", "segment bytes");
  EXPECT_EQ(cache.segment(path), nullptr) << "never put";
  auto file = net::open_file::open(path);
  ASSERT_TRUE(file);
  cache.put_segment(path, file);
  EXPECT_EQ(cache.segment(path), file);
  // Still linked after the check interval: kept.
  clock.t += live_cache::segment_check;
  EXPECT_EQ(cache.segment(path), file);
  // Deleted (the window slid): its open file is still whole, so it is served until the next
  // check, then dropped for good.
  std::filesystem::remove(path);
  clock.t += live_cache::segment_check - 1ms;
  EXPECT_EQ(cache.segment(path), file);
  clock.t += 1ms;
  EXPECT_EQ(cache.segment(path), nullptr);
  EXPECT_EQ(cache.segment(path), nullptr);
}

TEST(live_cache, keeps_the_newest_segments_only) {
  temp_dir dir;
  fake_clock clock;
  live_cache cache(clock.fn());
  std::vector<std::string> paths;
  for (std::size_t i = 0; i <= live_cache::max_segments; ++i) {
    paths.push_back(dir.write("hls/main/r1-" + std::to_string(i) + ".ts", "x"));
    cache.put_segment(paths.back(), net::open_file::open(paths.back()));
  }
  EXPECT_EQ(cache.segment(paths.front()), nullptr) << "the oldest went when the bound was passed";
  EXPECT_NE(cache.segment(paths[1]), nullptr);
  EXPECT_NE(cache.segment(paths.back()), nullptr);
}

TEST(live_cache, forget_drops_one_stage_only) {
  temp_dir dir;
  fake_clock clock;
  live_cache cache(clock.fn());
  auto main_seg = dir.write("hls/main/r1-00001.ts", "a");
  auto main2_seg = dir.write("hls/main2/r1-00001.ts", "b");
  auto main_list = dir.write("hls/main/index.m3u8", "#EXTM3U\n");
  cache.put_segment(main_seg, net::open_file::open(main_seg));
  cache.put_segment(main2_seg, net::open_file::open(main2_seg));
  cache.put_playlist(main_list, stat_of(main_list), std::make_shared<const std::string>("#EXTM3U\n"));
  cache.forget(dir.file("hls/main/"));
  EXPECT_EQ(cache.segment(main_seg), nullptr);
  EXPECT_EQ(cache.fresh_playlist(main_list), nullptr);
  EXPECT_EQ(cache.playlist(main_list, stat_of(main_list)), nullptr);
  EXPECT_NE(cache.segment(main2_seg), nullptr) << "\"main\" took \"main2\" with it";
}

TEST(live_cache, a_playlist_is_fresh_for_100_ms_then_checked_against_its_file) {
  temp_dir dir;
  fake_clock clock;
  live_cache cache(clock.fn());
  auto path = dir.write("hls/main/index.m3u8", "#EXTM3U\none\n");
  auto body = std::make_shared<const std::string>("#EXTM3U\none\n");
  EXPECT_EQ(cache.fresh_playlist(path), nullptr) << "never read";
  auto st = stat_of(path);
  cache.put_playlist(path, st, body);
  EXPECT_EQ(cache.fresh_playlist(path), body);
  clock.t += live_cache::playlist_check - 1ms;
  EXPECT_EQ(cache.fresh_playlist(path), body);
  clock.t += 1ms;
  EXPECT_EQ(cache.fresh_playlist(path), nullptr) << "older than the check interval";
  // Unchanged on disk: the cached body, fresh again from now.
  EXPECT_EQ(cache.playlist(path, st), body);
  EXPECT_EQ(cache.fresh_playlist(path), body);
  // Changed (another size, another modification time): not the cached body.
  auto grown = st;
  grown.st_size += 10;
  EXPECT_EQ(cache.playlist(path, grown), nullptr);
  auto touched = st;
  touched.st_mtim.tv_nsec = (touched.st_mtim.tv_nsec + 1) % 1'000'000'000;
  EXPECT_EQ(cache.playlist(path, touched), nullptr);
  // A new body replaces the old one.
  auto body2 = std::make_shared<const std::string>("#EXTM3U\ntwo\n");
  cache.put_playlist(path, grown, body2);
  EXPECT_EQ(cache.fresh_playlist(path), body2);
  EXPECT_EQ(cache.playlist(path, grown), body2);
}

}  // namespace
}  // namespace samling::api
