#pragma once
// HLS for the browser: the stage's program cut into MPEG-TS segments at keyframes (in
// passthrough the encoder's keyframe interval decides their length; in produced mode our
// encoder's), a live playlist with EXT-X-PROGRAM-DATE-TIME and a rewind window, written into
// `dir` as index.m3u8 (atomically) and seg%05u.ts. The server's /live/ route serves the files.
#include <deque>
#include <map>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "media/consumer.hpp"
#include "media/hls_playlist.hpp"
#include "media/ingest.hpp"

namespace samling::media {

class hls_output {
 public:
  hls_output(control_executor control, hub& program, const timeline& clock, std::string dir, double segment_s,
             double window_s, std::function<void()> changed);
  ~hls_output();
  void start();
  // Stops and removes the playlist and segments (the stream is offline).
  void stop();
  std::uint64_t segments_written() const { return written_; }
  std::string dot() const { return pipe_.is_open() ? pipe_.get()->dot() : std::string(); }

 private:
  void open();
  void on_bus(const bus_event& ev);
  void write_playlist();
  void delete_expired(bool all);

  control_executor control_;
  const timeline& clock_;
  std::string dir_;
  double segment_s_, window_s_;
  std::function<void()> changed_;
  consumer_pipeline pipe_;
  hls_playlist playlist_;
  std::map<std::string, GstClockTime> opened_;  // location -> running time at open
  std::map<std::string, std::int64_t> opened_pdt_;
  std::string run_;  // segment name prefix, unique per start
  unsigned next_index_ = 0;
  std::uint64_t next_sequence_ = 0;
  bool discontinuity_ = false;
  std::uint64_t written_ = 0;
  std::deque<std::pair<std::int64_t, std::string>> to_delete_;  // (steady ms due, path)
  boost::asio::steady_timer restart_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace samling::media
