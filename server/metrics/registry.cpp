#include "metrics/registry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace samling::metrics {
namespace {

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// Label values are escaped as the exposition format requires: backslash, quote, newline.
std::string escape_label(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + " " + help + "\n";
  out += "# TYPE " + name + " " + type + "\n";
}

}  // namespace

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(new std::atomic<std::uint64_t>[bounds_.size()]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i < bounds_.size(); ++i) buckets_[i] = 0;
}

void histogram::observe(double v) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  if (it != bounds_.end()) buckets_[it - bounds_.begin()].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0) sum_micro_.fetch_add(static_cast<std::uint64_t>(v * 1e6), std::memory_order_relaxed);
}

std::vector<std::uint64_t> histogram::cumulative() const {
  std::vector<std::uint64_t> out(bounds_.size());
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double histogram::sum() const { return static_cast<double>(sum_micro_.load()) / 1e6; }

std::string family_base::label_text(const labels& values, const std::string& extra) const {
  if (label_names_.empty() && extra.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    if (i) out += ',';
    out += label_names_[i] + "=\"" + escape_label(i < values.size() ? values[i] : "") + "\"";
  }
  if (!extra.empty()) {
    if (!label_names_.empty()) out += ',';
    out += extra;
  }
  return out + "}";
}

template <typename T>
T& family<T>::with(const labels& values) {
  std::lock_guard lock(mutex_);
  auto it = series_.find(values);
  if (it != series_.end()) return *it->second;
  labels key = values;
  if (series_.size() >= max_series_) {
    owner_.label_overflow().inc();
    key.assign(label_names_.size(), "other");
    it = series_.find(key);
    if (it != series_.end()) return *it->second;
  }
  std::unique_ptr<T> series;
  if constexpr (std::is_same_v<T, histogram>) series = std::make_unique<T>(bounds_);
  else series = std::make_unique<T>();
  auto& ref = *series;
  series_.emplace(std::move(key), std::move(series));
  return ref;
}

template <typename T>
void family<T>::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  if constexpr (std::is_same_v<T, counter>) {
    header(out, name_, help_, "counter");
    for (auto& [l, s] : series_) out += name_ + label_text(l) + " " + std::to_string(s->value()) + "\n";
  } else if constexpr (std::is_same_v<T, gauge>) {
    header(out, name_, help_, "gauge");
    for (auto& [l, s] : series_) out += name_ + label_text(l) + " " + std::to_string(s->value()) + "\n";
  } else {
    header(out, name_, help_, "histogram");
    for (auto& [l, s] : series_) {
      auto cum = s->cumulative();
      auto count = s->count();
      for (std::size_t i = 0; i < cum.size(); ++i) {
        out += name_ + "_bucket" + label_text(l, "le=\"" + format_double(s->bounds()[i]) + "\"") +
               " " + std::to_string(std::min(cum[i], count)) + "\n";
      }
      out += name_ + "_bucket" + label_text(l, "le=\"+Inf\"") + " " + std::to_string(count) + "\n";
      out += name_ + "_sum" + label_text(l) + " " + format_double(s->sum()) + "\n";
      out += name_ + "_count" + label_text(l) + " " + std::to_string(count) + "\n";
    }
  }
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

registry::registry() {
  overflow_ = &counter_family("samling_metrics_label_overflow_total",
                              "Updates folded into the \"other\" series because a family hit its "
                              "label-cardinality bound.")
                   .get();
}

template <typename T>
family<T>& registry::adopt(std::unique_ptr<family<T>> f) {
  auto& ref = *f;
  std::lock_guard lock(mutex_);
  families_.push_back(std::move(f));
  return ref;
}

family<counter>& registry::counter_family(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::size_t max_series) {
  return adopt(std::make_unique<family<counter>>(*this, std::move(name), std::move(help),
                                                 std::move(label_names), max_series));
}

family<gauge>& registry::gauge_family(std::string name, std::string help,
                                      std::vector<std::string> label_names, std::size_t max_series) {
  return adopt(std::make_unique<family<gauge>>(*this, std::move(name), std::move(help),
                                               std::move(label_names), max_series));
}

family<histogram>& registry::histogram_family(std::string name, std::string help,
                                              std::vector<double> bounds,
                                              std::vector<std::string> label_names,
                                              std::size_t max_series) {
  return adopt(std::make_unique<family<histogram>>(*this, std::move(name), std::move(help),
                                                   std::move(label_names), max_series,
                                                   std::move(bounds)));
}

std::string registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (auto& f : families_) f->render(out);
  return out;
}

}  // namespace samling::metrics
