#pragma once
// "Now" and "next" per room: the session running at a moment and the one after it, compared in
// UTC (program/timezone.hpp converts each session's event-local times, so a DST night is
// counted in real seconds), and the next moment at which any of that changes. Cancelled
// sessions are neither now nor next. Plain values; the caller passes the clock.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "program/model.hpp"

namespace samling::program {

struct timed_session {
  const session* s = nullptr;
  std::int64_t starts_utc = 0;  // seconds since the epoch
  std::int64_t ends_utc = 0;
};

struct room_now_next {
  std::string room;                   // room id
  std::optional<timed_session> now;   // starts_utc <= t < ends_utc
  std::optional<timed_session> next;  // the first with starts_utc > t (after `now`, if any)
};

// Every room of `e` in the program's order with its now and next at `t_utc`. Pointers refer
// into `e`, which must outlive the result.
std::vector<room_now_next> now_next(const event& e, std::int64_t t_utc);

// The first start or end of a non-cancelled session strictly after `t_utc`: when now_next()
// changes next. nullopt when there is none.
std::optional<std::int64_t> next_boundary(const event& e, std::int64_t t_utc);

}  // namespace samling::program
