#include "program/now_next.hpp"

#include <algorithm>

#include "program/timezone.hpp"

namespace samling::program {

namespace {

// The event's non-cancelled sessions with their UTC times, by start.
std::vector<timed_session> timed(const event& e) {
  std::vector<timed_session> out;
  for (const session& s : e.sessions) {
    if (s.cancelled) continue;
    auto start = to_utc(s.day, s.starts_at, e.timezone), end = to_utc(s.day, s.ends_at, e.timezone);
    if (!start || !end || *end <= *start) continue;  // validate() refuses these; a DST gap may fold one
    out.push_back({&s, *start, *end});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const timed_session& a, const timed_session& b) { return a.starts_utc < b.starts_utc; });
  return out;
}

}  // namespace

std::vector<room_now_next> now_next(const event& e, std::int64_t t_utc) {
  auto all = timed(e);
  std::vector<room_now_next> out;
  for (const room& r : e.rooms) {
    room_now_next rn{r.id, std::nullopt, std::nullopt};
    for (auto& ts : all) {
      if (ts.s->room_id != r.id) continue;
      if (ts.starts_utc <= t_utc && t_utc < ts.ends_utc && !rn.now) rn.now = ts;
      else if (ts.starts_utc > t_utc && !rn.next) rn.next = ts;
    }
    out.push_back(std::move(rn));
  }
  return out;
}

std::optional<std::int64_t> next_boundary(const event& e, std::int64_t t_utc) {
  std::optional<std::int64_t> best;
  for (auto& ts : timed(e))
    for (auto b : {ts.starts_utc, ts.ends_utc})
      if (b > t_utc && (!best || b < *best)) best = b;
  return best;
}

}  // namespace samling::program
