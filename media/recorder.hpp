#pragma once
// Recording: the stage's program written to disk as MPEG-TS (every packet is written as it
// comes, so a crash loses at most what the file system had not flushed: a few seconds), one
// file per program session (named after the session's title) and a WebVTT chapters file per
// recording run. The schedule comes from the program (set_schedule); at each session boundary
// the recorder asks for a new file, which starts on the next keyframe.
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "media/consumer.hpp"
#include "media/layout.hpp"
#include "media/recording_plan.hpp"

namespace samling::media {

class recorder {
 public:
  recorder(control_executor control, hub& program, std::string dir, std::function<void()> changed);
  ~recorder();
  void start();
  void stop();
  void set_schedule(std::vector<session_slot> schedule);
  bool recording() const { return pipe_.is_open(); }
  std::string current_file() const;
  // Every recording and chapters file in the directory, newest first.
  std::vector<recording_file> list() const;
  const std::string& dir() const { return dir_; }
  std::string dot() const { return pipe_.is_open() ? pipe_.get()->dot() : std::string(); }

 private:
  void open();
  void on_bus(const bus_event& ev);
  void schedule_split();
  void write_chapters();
  std::string name_fragment(unsigned index);
  void remember_title(const std::string& name, const std::string& title);

  control_executor control_;
  std::string dir_;
  std::function<void()> changed_;
  consumer_pipeline pipe_;
  mutable std::mutex m_;  // schedule_, titles_ (name_fragment runs on a streaming thread)
  std::vector<session_slot> schedule_;
  std::map<std::string, std::string> titles_;  // file name -> session title
  std::string current_;
  std::int64_t run_start_ms_ = 0;
  std::vector<chapter> chapters_;
  std::optional<std::int64_t> first_rt_ms_;  // running time of the run's first file
  std::int64_t first_utc_ms_ = 0;
  std::map<std::string, GstClockTime> opened_;
  boost::asio::steady_timer split_timer_, restart_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace samling::media
