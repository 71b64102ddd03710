#include "metrics/registry.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace samling::metrics;

TEST(metrics, counters_and_gauges_render_with_help_type_and_labels) {
  registry r;
  auto& requests = r.counter_family("x_requests_total", "Requests.", {"route", "status"});
  requests.with({"a", "200"}).inc(3);
  requests.with({"b\"q", "404"}).inc();
  r.gauge_family("x_open", "Open.").get().set(7);
  auto text = r.render();
  EXPECT_NE(text.find("# HELP x_requests_total Requests.\n# TYPE x_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("x_requests_total{route=\"a\",status=\"200\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_requests_total{route=\"b\\\"q\",status=\"404\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE x_open gauge\nx_open 7\n"), std::string::npos) << text;
}

TEST(metrics, histogram_buckets_are_cumulative_with_inf_sum_and_count) {
  registry r;
  auto& h = r.histogram_family("x_seconds", "Latency.", {0.1, 1}).get();
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  auto text = r.render();
  EXPECT_NE(text.find("x_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{le=\"1\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_sum 5.55\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_count 3\n"), std::string::npos) << text;
}

TEST(metrics, label_cardinality_is_bounded_and_overflow_counted) {
  registry r;
  auto& f = r.counter_family("x_total", "X.", {"path"}, 3);
  for (int i = 0; i < 100; ++i) f.with({"/p" + std::to_string(i)}).inc();
  auto text = r.render();
  EXPECT_NE(text.find("x_total{path=\"other\"} 97\n"), std::string::npos) << text;
  EXPECT_EQ(r.label_overflow().value(), 97u);
}

TEST(metrics, concurrent_updates_are_not_lost) {
  registry r;
  auto& c = r.counter_family("x_total", "X.").get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.inc();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000u);
}
