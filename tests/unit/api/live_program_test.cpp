// The live program service with in-memory stores, a recording sink and an injected clock:
// publishing (baseline version 1, the diff, no version for an edit that changes nothing, none
// for an invalid one, sequences), who hears of it, and the now/next timer at a boundary.
#include "api/live_program.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include "program/program_json.hpp"
#include "program/timezone.hpp"

namespace samling::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

struct memory_programs final : program::program_store {
  std::map<std::string, program::event> events;
  bool has_events() override { return !events.empty(); }
  std::vector<program::event_summary> list_events() override {
    std::vector<program::event_summary> out;
    for (auto& [id, e] : events) out.push_back(program::summary_of(e));
    return out;
  }
  std::optional<program::event> find_event(std::string_view id) override {
    auto it = events.find(std::string(id));
    if (it == events.end()) return std::nullopt;
    return it->second;
  }
  void save_event(const program::event& e) override { events[e.id] = e; }
};

struct memory_versions final : program::program_versions_store {
  explicit memory_versions(program::program_store& p) : programs(p) {}
  program::program_store& programs;
  std::map<std::string, std::vector<program::version_record>> rows;
  std::vector<program::version_summary> list(std::string_view id) override {
    std::vector<program::version_summary> out;
    for (auto& r : rows[std::string(id)]) out.push_back(r.summary);
    return out;
  }
  std::optional<program::version_record> get(std::string_view id, int n) override {
    auto& all = rows[std::string(id)];
    if (n < 1 || n > static_cast<int>(all.size())) return std::nullopt;
    return all[static_cast<std::size_t>(n - 1)];
  }
  std::optional<program::version_record> latest(std::string_view id) override {
    auto& all = rows[std::string(id)];
    if (all.empty()) return std::nullopt;
    return all.back();
  }
  int publish(const program::event& e, const program::version_summary& s) override {
    programs.save_event(e);
    auto& all = rows[e.id];
    program::version_record r{s, json::serialize(program::to_json(e))};
    r.summary.version = static_cast<int>(all.size()) + 1;
    all.push_back(r);
    return r.summary.version;
  }
};

struct recording_sink final : net::ws_sink {
  std::mutex m;
  std::vector<std::pair<std::string, std::string>> sent;  // (frame, coalesce key)
  void send(std::shared_ptr<const std::string> frame, std::string_view key) override {
    std::lock_guard lock(m);
    sent.emplace_back(*frame, std::string(key));
  }
  void reply(std::shared_ptr<const std::string>) override {}
  void close(core::ws_close) override {}
  std::vector<json::object> of_type(const std::string& type) {
    std::lock_guard lock(m);
    std::vector<json::object> out;
    for (auto& [f, k] : sent) {
      auto o = json::parse(f).as_object();
      if (o.at("type").as_string() == type) out.push_back(o);
    }
    return out;
  }
};

program::session make_session(std::string id, std::string start, std::string end) {
  program::session s;
  s.id = std::move(id);
  s.room_id = "main";
  s.day = "2027-02-09";
  s.starts_at = std::move(start);
  s.ends_at = std::move(end);
  s.title = {{"sv", s.id}};
  return s;
}

program::event day() {
  program::event e;
  e.id = "dag";
  e.title = {{"sv", "Dagen"}};
  e.timezone = "Europe/Stockholm";
  e.days = {"2027-02-09"};
  e.rooms = {program::room{"main", program::room_kind::main_stage, {{"sv", "Salen"}}, 0, false}};
  e.sessions = {make_session("a", "09:00", "10:00"), make_session("b", "10:00", "11:00")};
  return e;
}

std::int64_t system_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct fixture {
  memory_programs programs;
  memory_versions versions{programs};
  core::blocking_pool db{1};
  program_board board;
  asio::io_context ioc;
  std::atomic<std::int64_t> offset{0};  // the injected clock: system time + offset
  std::unique_ptr<live_program> live;
  std::shared_ptr<recording_sink> sink = std::make_shared<recording_sink>();

  fixture() {
    programs.save_event(day());
    live_program_services s;
    s.programs = &programs;
    s.versions = &versions;
    s.db_pool = &db;
    s.board = &board;
    s.clock = [this] { return system_s() + offset.load(); };
    live = std::make_unique<live_program>(ioc.get_executor(), s);
    board.watch(sink, "dag");
  }
  ~fixture() {
    live->stop();
    db.stop();
  }

  publish_outcome publish(std::function<void(program::event&)> change) {
    auto edit = [change](const std::optional<program::event>& current) {
      edit_result r;
      r.next = *current;
      change(*r.next);
      return r;
    };
    auto f = asio::co_spawn(ioc, live->publish("dag", false, edit, {"u-olga", "Olga", "127.0.0.1"}), asio::use_future);
    ioc.restart();
    while (f.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) ioc.run_one_for(std::chrono::milliseconds(10));
    return f.get();
  }
};

TEST(live_program, the_first_publish_keeps_the_program_as_version_1) {
  fixture fx;
  auto o = fx.publish([](program::event& e) { e.sessions[1].starts_at = "10:15"; e.sessions[1].ends_at = "11:15"; });
  ASSERT_EQ(o.error, core::errc::ok) << o.message;
  EXPECT_EQ(o.version, 2);
  ASSERT_EQ(fx.versions.list("dag").size(), 2u);
  EXPECT_EQ(fx.versions.list("dag")[0].actor, "system");
  EXPECT_EQ(fx.versions.list("dag")[1].actor, "u-olga");
  ASSERT_EQ(o.changes.size(), 1u);
  EXPECT_EQ(o.changes[0].change, program::change_kind::moved);
  EXPECT_EQ(o.published->sessions[1].sequence, 1);
  EXPECT_EQ(fx.programs.events["dag"].sessions[1].sequence, 1);
  EXPECT_EQ(fx.programs.events["dag"].sessions[1].starts_at, "10:15");
  // The watcher got the program event (never coalesced) and a now_next (coalesced by event).
  auto programs = fx.sink->of_type("program");
  ASSERT_EQ(programs.size(), 1u);
  EXPECT_EQ(programs[0].at("version"), json::value(2));
  EXPECT_EQ(fx.sink->of_type("now_next").size(), 1u);
  EXPECT_EQ(fx.sink->sent[0].second, "");
  EXPECT_EQ(fx.sink->sent[1].second, "now_next:dag");
  // The state: current and first.
  auto st = fx.live->load("dag");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->version, 2);
  EXPECT_EQ(st->first.sessions[1].starts_at, "10:00");
}

TEST(live_program, nothing_changed_or_invalid_publishes_nothing) {
  fixture fx;
  auto same = fx.publish([](program::event&) {});
  EXPECT_TRUE(same.unchanged);
  EXPECT_EQ(same.version, 1);
  EXPECT_TRUE(fx.versions.list("dag").empty());
  auto bad = fx.publish([](program::event& e) { e.sessions[1].starts_at = "09:30"; });  // overlaps a
  EXPECT_EQ(bad.error, core::errc::program_invalid);
  ASSERT_FALSE(bad.problems.empty());
  EXPECT_NE(bad.problems[0].find("overlaps"), std::string::npos) << bad.problems[0];
  EXPECT_TRUE(fx.versions.list("dag").empty());
  EXPECT_EQ(fx.programs.events["dag"].sessions[1].starts_at, "10:00");
  EXPECT_TRUE(fx.sink->sent.empty());
}

TEST(live_program, sequences_count_the_versions_that_changed_a_session) {
  fixture fx;
  fx.publish([](program::event& e) { e.sessions[0].title["sv"] = "A1"; });
  fx.publish([](program::event& e) { e.sessions[0].title["sv"] = "A2"; });
  auto o = fx.publish([](program::event& e) { e.sessions[1].cancelled = true; });
  EXPECT_EQ(o.version, 4);
  EXPECT_EQ(o.published->sessions[0].sequence, 2);
  EXPECT_EQ(o.published->sessions[1].sequence, 1);
  EXPECT_TRUE(o.published->sessions[1].cancelled);
  auto st = fx.live->load("dag");
  EXPECT_TRUE(st->current.sessions[1].cancelled);
  EXPECT_EQ(st->current.sessions[0].sequence, 2);
  EXPECT_EQ(st->current.sessions[1].sequence, 1);
}

TEST(live_program, the_edit_cannot_set_sequences) {
  fixture fx;
  // An edit that only says another sequence changes nothing.
  auto same = fx.publish([](program::event& e) { e.sessions[0].sequence = 7; });
  EXPECT_TRUE(same.unchanged);
  EXPECT_TRUE(fx.versions.list("dag").empty());
  // With a real change elsewhere: the changed session gets +1, the other keeps its own.
  auto o = fx.publish([](program::event& e) {
    e.sessions[0].sequence = 7;
    e.sessions[1].sequence = 9;
    e.sessions[1].title["sv"] = "B1";
  });
  ASSERT_EQ(o.error, core::errc::ok) << o.message;
  ASSERT_EQ(o.changes.size(), 1u);
  EXPECT_EQ(o.changes[0].session, "b");
  EXPECT_EQ(o.published->sessions[0].sequence, 0);
  EXPECT_EQ(o.published->sessions[1].sequence, 1);
  // A new session starts at 0, whatever the edit said.
  auto added = fx.publish([](program::event& e) {
    auto c = make_session("c", "11:00", "12:00");
    c.sequence = 5;
    e.sessions.push_back(c);
  });
  ASSERT_EQ(added.error, core::errc::ok) << added.message;
  EXPECT_EQ(added.published->sessions.at(2).sequence, 0);
  EXPECT_EQ(fx.programs.events["dag"].sessions.at(2).sequence, 0);
}

TEST(live_program, an_edit_error_carries_the_import_problems) {
  fixture fx;
  auto edit = [](const std::optional<program::event>&) {
    edit_result r;
    r.error = core::errc::import_invalid;
    r.import_problems = {{3, "starts_at", "not a time"}};
    return r;
  };
  auto f = asio::co_spawn(fx.ioc, fx.live->publish("dag", false, edit, {"u-olga", "Olga", "127.0.0.1"}),
                          asio::use_future);
  while (f.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
    fx.ioc.run_one_for(std::chrono::milliseconds(10));
  auto o = f.get();
  EXPECT_EQ(o.error, core::errc::import_invalid);
  ASSERT_EQ(o.import_problems.size(), 1u);
  EXPECT_EQ(o.import_problems[0].line, 3u);
  EXPECT_TRUE(fx.versions.list("dag").empty());
  EXPECT_TRUE(fx.sink->sent.empty());
}

TEST(live_program, the_timer_pushes_now_next_at_the_next_boundary) {
  fixture fx;
  // The clock says 09:59:59 Stockholm time on the day: session a ends and b begins in 1 s.
  auto boundary = *program::to_utc("2027-02-09", "10:00", "Europe/Stockholm");
  fx.offset = boundary - 1 - system_s();
  fx.live->start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (fx.sink->of_type("now_next").empty() && std::chrono::steady_clock::now() < deadline)
    fx.ioc.run_one_for(std::chrono::milliseconds(50));
  auto pushed = fx.sink->of_type("now_next");
  ASSERT_EQ(pushed.size(), 1u) << "no now_next at the boundary";
  EXPECT_GE(fx.live->clock_now(), boundary);
  auto& room = pushed[0].at("rooms").as_array().at(0).as_object();
  EXPECT_EQ(room.at("now").as_object().at("id"), json::value("b"));
  EXPECT_EQ(room.at("next"), json::value(nullptr));
  EXPECT_EQ(room.at("now").as_object().at("starts_utc"), json::value("2027-02-09T09:00:00Z"));
}

}  // namespace
}  // namespace samling::api
