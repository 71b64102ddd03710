#pragma once
// Metrics: counters, gauges and histograms, optionally labelled, rendered in the Prometheus
// text exposition format (version 0.0.4). Updates are lock-free atomics; only creating a new
// label combination takes the family's mutex. Every family bounds its label combinations
// (cardinality) so a client sending odd paths cannot grow memory: past the bound, updates go
// to one combination whose labels are all "other", and samling_metrics_label_overflow_total
// counts them.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace samling::metrics {

class counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class gauge {
 public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

class histogram {
 public:
  explicit histogram(std::vector<double> upper_bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound (Prometheus `le`), then +Inf = count().
  std::vector<std::uint64_t> cumulative() const;
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // non-cumulative, one per bound
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micro_{0};  // sum in millionths, kept integral for atomics
};

using labels = std::vector<std::string>;  // values, in the family's label-name order

enum class kind { counter, gauge, histogram };

class family_base {
 public:
  family_base(std::string name, std::string help, std::vector<std::string> label_names,
              std::size_t max_series)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
        max_series_(max_series) {}
  virtual ~family_base() = default;
  virtual void render(std::string& out) const = 0;
  const std::string& name() const { return name_; }

 protected:
  std::string label_text(const labels& values, const std::string& extra = {}) const;
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::size_t max_series_;
};

template <typename T>
class family;

class registry {
 public:
  registry();
  family<counter>& counter_family(std::string name, std::string help,
                                  std::vector<std::string> label_names = {},
                                  std::size_t max_series = 200);
  family<gauge>& gauge_family(std::string name, std::string help,
                              std::vector<std::string> label_names = {},
                              std::size_t max_series = 200);
  family<histogram>& histogram_family(std::string name, std::string help,
                                      std::vector<double> bounds,
                                      std::vector<std::string> label_names = {},
                                      std::size_t max_series = 200);
  // The whole exposition, families in registration order.
  std::string render() const;
  counter& label_overflow() { return *overflow_; }

 private:
  template <typename T>
  family<T>& adopt(std::unique_ptr<family<T>> f);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<family_base>> families_;
  counter* overflow_ = nullptr;
};

template <typename T>
class family final : public family_base {
 public:
  family(registry& owner, std::string name, std::string help, std::vector<std::string> label_names,
         std::size_t max_series, std::vector<double> bounds = {})
      : family_base(std::move(name), std::move(help), std::move(label_names), max_series),
        owner_(owner), bounds_(std::move(bounds)) {}

  // The series for these label values, created on first use. Returned references stay valid
  // for the registry's lifetime, so hot paths look a series up once and keep it.
  T& with(const labels& values);
  T& get() { return with({}); }
  void render(std::string& out) const override;

 private:
  registry& owner_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<labels, std::unique_ptr<T>> series_;
};

}  // namespace samling::metrics
