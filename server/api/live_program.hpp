#pragma once
// The live program: publishing an edit of an event's program as a new version, and "now and
// next" per room at session boundaries. Publishing validates the edited event, computes what
// changed against the current version, stores the event and its version row in one transaction
// (on the store's thread), then tells everyone who needs to know:
//   - every WebSocket session of the event: a `program` event (program_board);
//   - the rooms registry, when the rooms changed (it caches an event's rooms);
//   - the media engine: the recording schedule of the stages in the rooms that changed, so a
//     session moved or renamed while the server runs is split and named by the new program;
//   - the audit log (program.published);
//   - the now/next timer, re-armed for the new program.
// No Beast: routes (api/program_routes) and the protocol session call it.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/fwd.hpp>

#include "api/program_board.hpp"
#include "auth/audit_log.hpp"
#include "core/blocking.hpp"
#include "core/errors.hpp"
#include "media/recording_plan.hpp"
#include "program/import_problem.hpp"
#include "program/now_next.hpp"
#include "program/program_versions.hpp"
#include "rooms/registry.hpp"

namespace samling::media {
class engine;
}

namespace samling::api {

struct live_program_services {
  program::program_store* programs = nullptr;          // used only on db_pool
  program::program_versions_store* versions = nullptr;  // used only on db_pool
  core::blocking_pool* db_pool = nullptr;
  program_board* board = nullptr;
  rooms::room_registry* rooms = nullptr;   // null: no rooms to tell
  media::engine* engine = nullptr;         // null: media off
  // TODO(integrator): the accounts slice's audit log; null here: nothing recorded.
  auth::audit_log* audit = nullptr;
  // UTC seconds since the epoch; tests inject their own. Empty: the system clock.
  std::function<std::int64_t()> clock;
};

// Who publishes (the principal of the request).
struct publisher {
  std::string id;
  std::string name;
  std::string remote;
};

// What an edit produced: the program to publish, or why not.
struct edit_result {
  std::optional<program::event> next;
  core::errc error = core::errc::ok;     // program_invalid, no_such_session, bad_request, …
  std::string message;
  std::vector<std::string> problems;     // program_invalid: each problem, naming the item
  std::vector<program::import_problem> import_problems;  // import_invalid: each with its line
};

struct publish_outcome {
  core::errc error = core::errc::ok;
  std::string message;
  std::vector<std::string> problems;
  std::vector<program::import_problem> import_problems;
  bool unchanged = false;  // the edit changed nothing: no version was made
  int version = 0;         // the current version afterwards
  std::vector<program::session_change> changes;
  std::optional<program::event> published;
};

// The recording schedule of `room` in `e`: its non-cancelled sessions in UTC (through
// program/timezone), titled in the event's first language. Thread-safe (no TZ switching).
std::vector<media::session_slot> recording_schedule(const program::event& e, const std::string& room);

// {"room","now":S|null,"next":S|null} per room, S = {"id","title","kind","day","starts_at",
// "ends_at","starts_utc","ends_utc"}: GET …/now and the now_next event.
boost::json::array now_next_json(const program::event& e, std::int64_t t_utc);

// The event's JSON for GET /api/v1/events/{id}: program_json's form (each session with its
// "cancelled" and "sequence") plus "version" and, per session, "change"
// (null|"moved"|"cancelled"|"new"|"renamed") and "was" (null, or where it was in version 1).
boost::json::value marked_event_json(const program::event& first, const program::event& now,
                                     int version);

class live_program {
 public:
  // `timer_ex`: where the now/next timer runs (the main io_context).
  live_program(boost::asio::any_io_executor timer_ex, live_program_services services);
  ~live_program();
  live_program(const live_program&) = delete;
  live_program& operator=(const live_program&) = delete;

  // Loads every event's current program for the now/next timer and arms it. Blocking (runs on
  // db_pool and waits): call at start-up, before the io_context runs.
  void start();
  // Cancels the timer (any thread); no events after it.
  void stop();

  // The current program of `event_id` (the store's event), the first published version (the
  // current one when none was published yet), and the current version number (1 when none
  // was published). On the store's thread.
  struct state {
    program::event current;
    program::event first;
    int version = 1;
  };
  std::optional<state> load(const std::string& event_id);  // blocking: db_pool only

  // Applies `edit` to the current program of `event_id` (or to nothing, when `create`: the
  // event must not exist yet) and publishes the result as a new version. `edit` runs on the
  // store's thread. An edit that changes nothing publishes nothing (`unchanged`). The edit's
  // sequences are ignored: each session keeps the current one, +1 when the edit changed it.
  boost::asio::awaitable<publish_outcome> publish(
      std::string event_id, bool create,
      std::function<edit_result(const std::optional<program::event>&)> edit, publisher who);

  // Now and next per room of `event_id` at the clock's now; nullopt for an unknown event.
  boost::asio::awaitable<std::optional<boost::json::array>> now(std::string event_id);

  std::int64_t clock_now() const;

 private:
  void notify(const publish_outcome& o, const program::event& before, const std::string& event_id);
  void arm_locked();
  void on_timer(std::uint64_t generation);

  boost::asio::any_io_executor timer_ex_;
  live_program_services services_;
  std::mutex m_;
  std::map<std::string, program::event> programs_;  // by event id, for now/next
  std::int64_t checked_until_ = 0;  // now_next sent for every boundary up to this time
  std::uint64_t generation_ = 0;    // the armed timer's; a late older one does nothing
  bool stopped_ = false;
  boost::asio::steady_timer timer_;
};

}  // namespace samling::api
