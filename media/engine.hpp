#pragma once
// The media engine as the rest of the server sees it, without GStreamer: the stages by id,
// the organizer's actions on them, their status, and the control thread they run on. The
// implementation (engine.cpp, stage.cpp) is where GStreamer is; the API and the app include
// only this header (a CMake check keeps it so).
//
// Threads: every call on a stage_control, and engine's start_autostart/find/stages/shutdown,
// run on the engine's control thread (one thread; callers elsewhere use
// core::run_blocking(engine.control(), …)).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/blocking.hpp"
#include "media/layout.hpp"
#include "media/recording_plan.hpp"
#include "media/relay_timing.hpp"
#include "media/stage_spec.hpp"
#include "media/status.hpp"

namespace samling::media {

class destination_store;

struct engine_options {
  std::string dir = "var/media";  // the files' layout under it: layout.hpp
  relay_timing relay;
};

// One stage, as the server drives it. Owned by the engine.
class stage_control {
 public:
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual bool running() const = 0;
  virtual stage_status status() const = 0;
  virtual const stage_spec& spec() const = 0;

  // Organizer actions. Each returns an error message for the person, or nullopt on success.
  virtual std::optional<std::string> add_output(output_spec o) = 0;  // o.id empty = made from the name
  virtual std::optional<std::string> remove_output(const std::string& id) = 0;
  virtual std::optional<std::string> stop_output(const std::string& id) = 0;
  virtual std::optional<std::string> start_output(const std::string& id) = 0;
  virtual std::optional<output_status> output(const std::string& id) const = 0;

  virtual void set_schedule(std::vector<session_slot> schedule) = 0;
  // Every recording and chapters file of the stage, newest first.
  virtual std::vector<recording_file> recordings() const = 0;
  // The stage's pipelines in Graphviz dot (stream keys masked); empty when stopped.
  virtual std::string dot() const = 0;

 protected:
  ~stage_control() = default;
};

class engine {
 public:
  // `destinations` (may be null: nothing is kept) keeps organizer-added destinations across
  // restarts; it must outlive the engine. `on_change` runs on the control thread with a fresh
  // snapshot whenever a stage changed (at once, then coalesced: at most 10 a second) and every
  // 2 s while a stage runs (bitrates).
  engine(engine_options opts, std::vector<stage_spec> stages, destination_store* destinations,
         std::function<void(const stage_status&)> on_change);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  core::blocking_pool& control();
  const media::layout& layout() const;

  // On the control thread:
  void start_autostart();
  stage_control* find(const std::string& id) const;
  std::vector<stage_control*> stages() const;
  void shutdown();  // stops every stage; after this the engine only answers status

  // Any thread: libsrt refused an SRT caller that no stage's listener claimed (from the log
  // hook; see srt_refusals.hpp). Counted on the only running SRT stage if there is one;
  // otherwise only logged, since which stage it was is unknown.
  void caller_rejected(const std::string& reason, const std::string& detail);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace samling::media
