#include "api/live_program.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <set>

#include <boost/json.hpp>

#include "core/log.hpp"
#include "media/engine.hpp"
#include "program/program_json.hpp"
#include "program/timezone.hpp"
#include "protocol/frames.hpp"

namespace samling::api {

namespace asio = boost::asio;
namespace json = boost::json;
using core::errc;

namespace {

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json::value timed_json(const std::optional<program::timed_session>& t) {
  if (!t) return nullptr;
  const program::session& s = *t->s;
  return json::object{{"id", s.id},
                      {"title", program::to_json(s.title)},
                      {"kind", program::to_string(s.kind)},
                      {"day", s.day},
                      {"starts_at", s.starts_at},
                      {"ends_at", s.ends_at},
                      {"starts_utc", program::utc_iso(t->starts_utc)},
                      {"ends_utc", program::utc_iso(t->ends_utc)}};
}

// A version's snapshot; empty when it cannot be read (a snapshot the store wrote itself: only a
// damaged file gets here, and the program itself is still the store's).
std::optional<program::event> read_snapshot(const std::string& text, const std::string& where) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  std::vector<std::string> errors;
  std::optional<program::event> p;
  if (!ec) p = program::event_from_json(v, errors);
  if (!p)
    core::log(core::log_level::error, "program_snapshot_unreadable",
              {{"version", where}, {"error", errors.empty() ? std::string("not JSON") : errors.front()}});
  return p;
}

}  // namespace

std::vector<media::session_slot> recording_schedule(const program::event& e, const std::string& room) {
  std::vector<media::session_slot> out;
  if (room.empty()) return out;
  const std::string lang = e.languages.empty() ? "sv" : e.languages.front();
  for (auto& s : e.sessions) {
    if (s.room_id != room || s.cancelled) continue;
    auto start = program::to_utc(s.day, s.starts_at, e.timezone);
    auto end = program::to_utc(s.day, s.ends_at, e.timezone);
    if (start && end && *end > *start) out.push_back({*start * 1000, *end * 1000, program::localized(s.title, lang)});
  }
  return out;
}

json::array now_next_json(const program::event& e, std::int64_t t_utc) {
  json::array rooms;
  for (auto& r : program::now_next(e, t_utc))
    rooms.push_back(json::object{{"room", r.room}, {"now", timed_json(r.now)}, {"next", timed_json(r.next)}});
  return rooms;
}

json::value marked_event_json(const program::event& first, const program::event& now,
                              int version) {
  json::value v = program::to_json(now);
  auto& o = v.as_object();
  o["version"] = version;
  for (auto& sv : o["sessions"].as_array()) {
    auto& so = sv.as_object();
    const std::string id(so["id"].as_string());
    const program::session* s = nullptr;
    for (auto& x : now.sessions)
      if (x.id == id) s = &x;
    auto m = s ? program::mark(first, *s) : program::session_mark{};
    so["change"] = m.change ? json::value(program::to_string(*m.change)) : json::value(nullptr);
    so["was"] = m.was ? json::value(program::to_json(*m.was)) : json::value(nullptr);
  }
  return v;
}

live_program::live_program(asio::any_io_executor timer_ex, live_program_services services)
    : timer_ex_(timer_ex), services_(std::move(services)), timer_(timer_ex) {}

live_program::~live_program() { stop(); }

std::int64_t live_program::clock_now() const { return services_.clock ? services_.clock() : system_now(); }

std::optional<live_program::state> live_program::load(const std::string& event_id) {
  auto e = services_.programs->find_event(event_id);
  if (!e) return std::nullopt;
  state st;
  st.current = std::move(*e);
  if (auto latest = services_.versions->latest(event_id)) {
    st.version = latest->summary.version;
    if (st.version == 1) {
      st.first = st.current;
    } else if (auto first = services_.versions->get(event_id, 1)) {
      if (auto snap = read_snapshot(first->snapshot_json, event_id + "#1")) st.first = std::move(*snap);
      else st.first = st.current;
    } else {
      st.first = st.current;
    }
  } else {
    st.first = st.current;  // never published: the program as it is counts as version 1
  }
  return st;
}

void live_program::start() {
  auto* programs = services_.programs;
  std::map<std::string, program::event> all;
  auto task = [&] {
    for (auto& summary : programs->list_events())
      if (auto st = load(summary.id)) all.emplace(summary.id, std::move(st->current));
  };
  // Blocking by design (start-up): the same wait app::serve's on_pool does.
  std::promise<void> done;
  auto f = done.get_future();
  asio::post(services_.db_pool->executor(), [&] {
    try {
      task();
      done.set_value();
    } catch (...) {
      done.set_exception(std::current_exception());
    }
  });
  f.get();
  std::lock_guard lock(m_);
  programs_ = std::move(all);
  checked_until_ = clock_now();
  arm_locked();
}

void live_program::stop() {
  std::lock_guard lock(m_);
  stopped_ = true;
  ++generation_;
  timer_.cancel();
}

void live_program::arm_locked() {
  if (stopped_) return;
  std::optional<std::int64_t> next;
  for (auto& [id, p] : programs_)
    if (auto b = program::next_boundary(p, checked_until_); b && (!next || *b < *next)) next = b;
  const auto generation = ++generation_;
  timer_.cancel();
  if (!next) return;
  // The clock may be a test's (whole seconds); the wait is real time, from now to the
  // boundary, less the part of the current second already gone, so the event leaves at the
  // boundary rather than up to a second after it. Woken a moment early, on_timer waits again.
  const auto ms_into_second = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count() % 1000;
  auto delay = std::chrono::milliseconds(std::max<std::int64_t>(1, (*next - clock_now()) * 1000 - ms_into_second));
  timer_.expires_after(delay);
  timer_.async_wait([this, generation](boost::system::error_code ec) {
    if (!ec) on_timer(generation);
  });
}

void live_program::on_timer(std::uint64_t generation) {
  std::vector<std::pair<std::string, protocol::frame_ptr>> frames;
  {
    std::lock_guard lock(m_);
    if (stopped_ || generation != generation_) return;
    const auto now = clock_now();
    if (now < checked_until_) {  // woke early (the clocks disagree by a little): wait again
      arm_locked();
      return;
    }
    for (auto& [id, p] : programs_) {
      auto b = program::next_boundary(p, checked_until_);
      if (!b || *b > now) continue;
      auto rooms = json::serialize(now_next_json(p, now));
      frames.emplace_back(id, protocol::event(protocol::now_next_event{id, rooms}));
    }
    checked_until_ = now;
    arm_locked();
  }
  for (auto& [id, frame] : frames) services_.board->send(id, frame, "now_next:" + id);
}

asio::awaitable<std::optional<json::array>> live_program::now(std::string event_id) {
  auto t = clock_now();
  auto task = [this, event_id, t]() -> std::optional<json::array> {
    auto st = load(event_id);
    if (!st) return std::nullopt;
    return now_next_json(st->current, t);
  };  // named: GCC 12
  co_return co_await core::run_blocking(*services_.db_pool, std::move(task));
}

asio::awaitable<publish_outcome> live_program::publish(
    std::string event_id, bool create,
    std::function<edit_result(const std::optional<program::event>&)> edit, publisher who) {
  const auto at = clock_now();
  struct result {
    publish_outcome outcome;
    program::event before;
  };
  // Load, edit, compare and store in one task on the store's one thread: two organizers
  // publishing at once are serialised, each against the version the other made.
  auto task = [this, event_id, create, edit = std::move(edit), who, at]() -> result {
    result r;
    auto st = load(event_id);
    if (create && st) {
      r.outcome.error = errc::event_exists;
      r.outcome.message = "An event with id \"" + event_id + "\" exists; PUT /api/v1/events/" + event_id + " edits it.";
      return r;
    }
    if (!create && !st) {
      r.outcome.error = errc::not_found;
      r.outcome.message = "No event with id \"" + event_id + "\".";
      return r;
    }
    std::optional<program::event> current;
    if (st) current = st->current;
    auto edited = edit(current);
    if (!edited.next) {
      r.outcome.error = edited.error == errc::ok ? errc::program_invalid : edited.error;
      r.outcome.message = std::move(edited.message);
      r.outcome.problems = std::move(edited.problems);
      r.outcome.import_problems = std::move(edited.import_problems);
      return r;
    }
    auto& next = *edited.next;
    if (auto problems = program::validate(next); !problems.empty()) {
      r.outcome.error = errc::program_invalid;
      r.outcome.message = "The program would not be valid: nothing was stored.";
      r.outcome.problems = std::move(problems);
      return r;
    }
    program::normalize(next);
    program::event before = current.value_or(program::event{});
    if (!current) before.id = event_id;
    auto changes = current ? program::diff(before, next) : std::vector<program::session_change>{};
    if (current && changes.empty() && !program::event_fields_differ(before, next)) {
      r.outcome.unchanged = true;
      r.outcome.version = st->version;
      r.outcome.published = std::move(*current);
      return r;
    }
    // Each changed session's SEQUENCE goes up by one (RFC 5545: calendar apps take the higher);
    // the others keep theirs, whatever the edit said.
    program::bump_sequences(before, next, changes);
    // The first publish of a program that exists (seeded, imported) keeps it as version 1, so
    // the page's marks have something to be relative to.
    if (current && !services_.versions->latest(event_id))
      services_.versions->publish(before, {0, at, "system", "Samling", "[]"});
    auto changes_json = json::serialize(program::to_json(changes));
    r.outcome.version = services_.versions->publish(next, {0, at, who.id, who.name, changes_json});
    r.outcome.changes = std::move(changes);
    r.outcome.published = std::move(next);
    r.before = std::move(before);
    if (services_.audit) {
      auth::audit_entry a;
      a.at_ms = at * 1000;
      a.actor = who.id;
      a.actor_name = who.name;
      a.event_id = event_id;
      a.action = "program.published";
      a.target = std::to_string(r.outcome.version);
      a.detail = json::serialize(json::object{{"version", r.outcome.version},
                                              {"changes", r.outcome.changes.size()}});
      a.remote = who.remote;
      services_.audit->record(a);
    }
    return r;
  };  // named: GCC 12
  auto r = co_await core::run_blocking(*services_.db_pool, std::move(task));
  if (r.outcome.error == errc::ok && !r.outcome.unchanged) {
    notify(r.outcome, r.before, event_id);
    if (services_.engine) {
      // The recording schedule of every stage in a room whose sessions changed (all of the
      // event's stages when the event is new or its rooms changed), on the control thread.
      std::set<std::string> rooms;
      for (auto& c : r.outcome.changes) {
        if (c.was) rooms.insert(c.was->room);
        if (c.now) rooms.insert(c.now->room);
      }
      const bool all_rooms = r.before.rooms != r.outcome.published->rooms;
      auto* engine = services_.engine;
      auto program = *r.outcome.published;
      auto apply = [engine, program, rooms, all_rooms] {
        for (auto* st : engine->stages()) {
          auto& spec = st->spec();
          if (spec.event != program.id || spec.room.empty()) continue;
          if (!all_rooms && !rooms.count(spec.room)) continue;
          st->set_schedule(recording_schedule(program, spec.room));
        }
      };  // named: GCC 12
      co_await core::run_blocking(engine->control(), std::move(apply));
    }
  }
  co_return std::move(r.outcome);
}

void live_program::notify(const publish_outcome& o, const program::event& before,
                          const std::string& event_id) {
  const auto& after = *o.published;
  auto changes = json::serialize(program::to_json(o.changes));
  services_.board->send(event_id, protocol::event(protocol::program_event{event_id, o.version, changes}));
  if (services_.rooms && before.rooms != after.rooms) services_.rooms->forget_event(event_id);
  core::log(core::log_level::info, "program_published",
            {{"event", event_id}, {"version", o.version}, {"changes", static_cast<long long>(o.changes.size())}});
  std::shared_ptr<const std::string> now_frame;
  {
    std::lock_guard lock(m_);
    programs_[event_id] = after;
    const auto now = clock_now();
    auto rooms = json::serialize(now_next_json(after, now));
    now_frame = protocol::event(protocol::now_next_event{event_id, rooms});
    checked_until_ = std::max(checked_until_, now);
    arm_locked();
  }
  // What is on now may have changed with the program: say so at once, not at the next boundary.
  services_.board->send(event_id, now_frame, "now_next:" + event_id);
}

}  // namespace samling::api
