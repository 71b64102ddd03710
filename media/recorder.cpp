#include "media/recorder.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/log.hpp"

namespace samling::media {

namespace fs = std::filesystem;

recorder::recorder(control_executor control, hub& program, std::string dir, std::function<void()> changed)
    : control_(control),
      dir_(std::move(dir)),
      changed_(std::move(changed)),
      pipe_(control, program),
      split_timer_(control),
      restart_timer_(control) {}

recorder::~recorder() {
  *alive_ = false;
  split_timer_.cancel();
  restart_timer_.cancel();
  pipe_.close();
}

void recorder::start() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    core::log(core::log_level::error, "recording_dir_failed", {{"dir", dir_}, {"error", ec.message()}});
    return;
  }
  run_start_ms_ = utc_ms();
  chapters_.clear();
  first_rt_ms_.reset();
  open();
}

std::string recorder::name_fragment(unsigned index) {
  std::lock_guard lock(m_);
  auto now = utc_ms();
  const session_slot* s = session_at(schedule_, now);
  std::string title = s ? s->title : std::string();
  std::string name = recording_file_name(now, static_cast<int>(index) + 1, title);
  titles_[name] = title;
  return (fs::path(dir_) / name).string();
}

void recorder::open() {
  opened_.clear();
  ts_fragment_options opts;
  opts.location = (fs::path(dir_) / "rec%05u.ts").string();
  opts.max_size_time = 0;
  opts.start_index = static_cast<unsigned>(chapters_.size());
  opts.name_fragment = [this](unsigned i) { return name_fragment(i); };
  try {
    pipe_.open("recording", consumer_sources() + ts_fragment_branches(), [this](const bus_event& ev) { on_bus(ev); },
               [&](pipeline& p) { add_ts_fragments(p, opts); });
  } catch (const std::exception& e) {
    core::log(core::log_level::error, "recording_failed", {{"error", e.what()}});
    return;
  }
  schedule_split();
  if (changed_) changed_();
}

void recorder::stop() {
  split_timer_.cancel();
  restart_timer_.cancel();
  pipe_.close();
  // The last file ends where the data ends; close its chapter at the last known time.
  if (!chapters_.empty() && chapters_.back().end_ms <= chapters_.back().start_ms && first_rt_ms_)
    chapters_.back().end_ms = utc_ms() - first_utc_ms_;
  write_chapters();
  current_.clear();
  if (changed_) changed_();
}

void recorder::set_schedule(std::vector<session_slot> schedule) {
  {
    std::lock_guard lock(m_);
    schedule_ = std::move(schedule);
  }
  if (pipe_.is_open()) schedule_split();
}

void recorder::schedule_split() {
  std::int64_t next;
  {
    std::lock_guard lock(m_);
    next = next_boundary_after(schedule_, utc_ms());
  }
  split_timer_.cancel();
  if (next == INT64_MAX) return;
  auto delay = std::chrono::milliseconds(std::max<std::int64_t>(0, next - utc_ms()));
  split_timer_.expires_after(delay);
  auto alive = alive_;
  split_timer_.async_wait([this, alive](boost::system::error_code ec) {
    if (ec || !*alive || !pipe_.is_open()) return;
    split_after(*pipe_.get());
    schedule_split();
  });
}

void recorder::on_bus(const bus_event& ev) {
  bool opened = false;
  std::string location;
  GstClockTime rt = 0;
  if (fragment_message(ev, opened, location, rt)) {
    auto name = fs::path(location).filename().string();
    std::string title;
    {
      std::lock_guard lock(m_);
      title = titles_[name];
    }
    // Chapter times count from the run's first file (the consumer's running time does not
    // start at 0: it follows its pipeline's clock).
    if (!first_rt_ms_) {
      first_rt_ms_ = static_cast<std::int64_t>(rt / GST_MSECOND);
      first_utc_ms_ = utc_ms();
    }
    auto rt_ms = static_cast<std::int64_t>(rt / GST_MSECOND) - *first_rt_ms_;
    if (opened) {
      remember_title(name, title);
      if (!chapters_.empty() && chapters_.back().end_ms <= chapters_.back().start_ms) chapters_.back().end_ms = rt_ms;
      chapters_.push_back({rt_ms, rt_ms, title.empty() ? name : title});
      current_ = name;
      core::log(core::log_level::info, "recording_file", {{"file", name}});
      if (changed_) changed_();
    } else if (!chapters_.empty()) {
      chapters_.back().end_ms = rt_ms;
    }
    write_chapters();
    return;
  }
  if (ev.kind == bus_event::error || ev.kind == bus_event::eos) {
    core::log(core::log_level::warn, "recording_error", {{"element", ev.source}, {"error", ev.message}, {"debug", ev.debug}});
    pipe_.close();
    restart_timer_.expires_after(std::chrono::seconds(1));
    auto alive = alive_;
    restart_timer_.async_wait([this, alive](boost::system::error_code ec) {
      if (!ec && *alive) open();
    });
  }
}

void recorder::write_chapters() {
  if (chapters_.empty()) return;
  std::string stamp = recording_file_name(run_start_ms_, 0, "");
  stamp = stamp.substr(0, stamp.find('_'));
  auto path = fs::path(dir_) / (stamp + "_chapters.vtt");
  auto tmp = fs::path(dir_) / (".chapters.tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << render_webvtt_chapters(chapters_);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
}

std::string recorder::current_file() const { return current_; }

// The session title of each file, kept beside the recordings (".titles": name TAB title per
// line) so that a listing after a stop or a restart still names them.
void recorder::remember_title(const std::string& name, const std::string& title) {
  if (title.empty()) return;
  std::ofstream out(fs::path(dir_) / ".titles", std::ios::app);
  out << name << '\t' << title << '\n';
}

std::vector<recording_file> recorder::list() const {
  std::map<std::string, std::string> saved_titles;
  {
    std::ifstream in(fs::path(dir_) / ".titles");
    std::string line;
    while (std::getline(in, line))
      if (auto tab = line.find('\t'); tab != std::string::npos) saved_titles[line.substr(0, tab)] = line.substr(tab + 1);
  }
  std::vector<recording_file> out;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(dir_, ec)) {
    if (!entry.is_regular_file()) continue;
    auto name = entry.path().filename().string();
    if (!is_recording_file_name(name)) continue;
    recording_file f;
    f.name = name;
    f.size = entry.file_size(ec);
    auto mtime = entry.last_write_time(ec);
    f.modified_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::file_clock::to_sys(mtime).time_since_epoch()).count();
    {
      std::lock_guard lock(m_);
      if (auto it = titles_.find(name); it != titles_.end()) f.session = it->second;
      else if (auto saved = saved_titles.find(name); saved != saved_titles.end()) f.session = saved->second;
    }
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.modified_ms != b.modified_ms ? a.modified_ms > b.modified_ms : a.name > b.name; });
  return out;
}

}  // namespace samling::media
