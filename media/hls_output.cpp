#include "media/hls_output.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/log.hpp"
#include "media/layout.hpp"

namespace samling::media {

namespace fs = std::filesystem;

namespace {
constexpr std::int64_t keep_expired_ms = 30'000;  // players holding an older playlist
}

hls_output::hls_output(control_executor control, hub& program, const timeline& clock, std::string dir,
                       double segment_s, double window_s, std::function<void()> changed)
    : control_(control),
      clock_(clock),
      dir_(std::move(dir)),
      segment_s_(segment_s),
      window_s_(window_s),
      changed_(std::move(changed)),
      pipe_(control, program),
      playlist_(segment_s, window_s),
      restart_timer_(control) {}

hls_output::~hls_output() {
  *alive_ = false;
  restart_timer_.cancel();
  pipe_.close();
}

void hls_output::start() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::create_directories(dir_, ec);
  if (ec) {
    core::log(core::log_level::error, "hls_dir_failed", {{"dir", dir_}, {"error", ec.message()}});
    return;
  }
  playlist_ = hls_playlist(segment_s_, window_s_);
  run_ = std::to_string(utc_ms());
  next_index_ = 0;
  next_sequence_ = 0;
  discontinuity_ = false;
  open();
}

void hls_output::open() {
  opened_.clear();
  opened_pdt_.clear();
  ts_fragment_options opts;
  // Names unique to this run of the stage: a segment, once listed, never changes, so it can be
  // cached for good by browsers and proxies.
  opts.location = (fs::path(dir_) / hls_segment_pattern(run_)).string();
  opts.max_size_time = static_cast<GstClockTime>(segment_s_ * GST_SECOND);
  opts.start_index = next_index_;
  // A segment is served only once complete, so it can be written whole when it closes.
  opts.write_buffer_bytes = 16u << 20;
  try {
    pipe_.open("hls", consumer_sources() + ts_fragment_branches(), [this](const bus_event& ev) { on_bus(ev); },
               [&](pipeline& p) { add_ts_fragments(p, opts); });
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "hls_failed", {{"error", e.what()}});
  }
}

void hls_output::stop() {
  restart_timer_.cancel();
  pipe_.close();
  std::error_code ec;
  fs::remove_all(dir_, ec);
  to_delete_.clear();
}

void hls_output::on_bus(const bus_event& ev) {
  bool opened = false;
  std::string location;
  GstClockTime rt = 0;
  if (fragment_message(ev, opened, location, rt)) {
    if (opened) {
      opened_[location] = rt;
      auto base = pipe_.feed() ? pipe_.feed()->base() : std::nullopt;
      opened_pdt_[location] =
          clock_.start_utc_ms() + ((base ? *base : 0) + static_cast<std::int64_t>(rt)) / static_cast<std::int64_t>(GST_MSECOND);
      ++next_index_;
      return;
    }
    auto it = opened_.find(location);
    if (it == opened_.end()) return;
    hls_segment s;
    s.uri = fs::path(location).filename().string();
    s.duration_s = static_cast<double>(rt - it->second) / GST_SECOND;
    s.program_date_time_ms = opened_pdt_[location];
    s.sequence = next_sequence_;
    s.discontinuity = discontinuity_;
    opened_.erase(it);
    opened_pdt_.erase(location);
    if (!playlist_.add(s)) {
      std::error_code ec;
      fs::remove(location, ec);
      return;
    }
    ++next_sequence_;
    ++written_;
    discontinuity_ = false;
    for (auto& gone : playlist_.expire())
      to_delete_.emplace_back(steady_ms() + keep_expired_ms, (fs::path(dir_) / gone.uri).string());
    write_playlist();
    delete_expired(false);
    return;
  }
  if (ev.kind == bus_event::error || ev.kind == bus_event::eos) {
    core::log(core::log_level::warn, "hls_error", {{"element", ev.source}, {"error", ev.message}, {"debug", ev.debug}});
    pipe_.close();
    discontinuity_ = true;  // the next segment starts a new timeline
    restart_timer_.expires_after(std::chrono::seconds(1));
    auto alive = alive_;
    restart_timer_.async_wait([this, alive](boost::system::error_code ec) {
      if (!ec && *alive) open();
    });
  }
}

void hls_output::write_playlist() {
  auto path = fs::path(dir_) / layout::playlist_name;
  auto tmp = fs::path(dir_) / ".index.m3u8.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << playlist_.render();
    if (!out) {
      core::log(core::log_level::error, "hls_playlist_write_failed", {{"path", tmp.string()}});
      return;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) core::log(core::log_level::error, "hls_playlist_write_failed", {{"path", path.string()}, {"error", ec.message()}});
}

void hls_output::delete_expired(bool all) {
  auto now = steady_ms();
  while (!to_delete_.empty() && (all || to_delete_.front().first <= now)) {
    std::error_code ec;
    fs::remove(to_delete_.front().second, ec);
    to_delete_.pop_front();
  }
}

}  // namespace samling::media
