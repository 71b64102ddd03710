#pragma once
// Small pieces shared by the benchmark tools (tests/bench/): a log-linear latency histogram
// and readers of /proc for a server's CPU time and RSS and the machine's steal time.
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace samling::bench {

// HDR-like histogram of nanosecond values: exact below 128 ns, then 128 linear sub-buckets per
// power of two (relative error below 0.8%). About 7,400 counters; no allocation per sample.
class histogram {
 public:
  static constexpr int sub_bits = 7;
  static constexpr std::uint64_t sub = 1u << sub_bits;

  histogram() : counts_(index(~std::uint64_t{0}) + 1, 0) {}

  static std::size_t index(std::uint64_t v) {
    if (v < sub) return static_cast<std::size_t>(v);
    int e = 63 - std::countl_zero(v);
    std::uint64_t s = (v >> (e - sub_bits)) & (sub - 1);
    return static_cast<std::size_t>((e - sub_bits + 1) * sub + s);
  }
  // The highest value that falls in bucket i (a percentile reads as this upper bound).
  static std::uint64_t upper(std::size_t i) {
    if (i < sub) return i;
    std::uint64_t e = i / sub + sub_bits - 1;
    std::uint64_t s = i % sub;
    std::uint64_t lo = (std::uint64_t{1} << e) | (s << (e - sub_bits));
    return lo + (std::uint64_t{1} << (e - sub_bits)) - 1;
  }

  void add(std::uint64_t v) {
    ++counts_[index(v)];
    ++total_;
    if (v > max_) max_ = v;
  }
  // Adds every sample of `o` (same bucket layout): per-thread histograms merge at the end.
  void merge(const histogram& o) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    if (o.max_ > max_) max_ = o.max_;
  }
  std::uint64_t total() const { return total_; }
  std::uint64_t max() const { return max_; }
  // The value at quantile q (0..1); 0 when empty.
  std::uint64_t quantile(double q) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_));
    if (rank >= total_) rank = total_ - 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen > rank) return std::min(upper(i), max_);
    }
    return max_;
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

// utime + stime of a process in seconds; negative when it cannot be read.
inline double process_cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto close = s.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream in(s.substr(close + 2));
  // Fields after the command: state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt
  // cmajflt utime(14) stime(15).
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// VmRSS of a process in KiB; -1 when it cannot be read.
inline long process_rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// The machine's aggregate "cpu" line of /proc/stat: total jiffies and steal jiffies.
struct cpu_times {
  std::uint64_t total = 0;
  std::uint64_t steal = 0;
};
inline cpu_times machine_cpu_times() {
  std::ifstream f("/proc/stat");
  std::string cpu;
  f >> cpu;
  cpu_times t;
  // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice).
  for (int i = 0; i < 8; ++i) {
    std::uint64_t v = 0;
    if (!(f >> v)) break;
    t.total += v;
    if (i == 7) t.steal = v;
  }
  return t;
}

}  // namespace samling::bench
