#pragma once
// The wire and storage names of the Q&A enums ("pending", "hall", "multiple", …): one list,
// used by the JSON views (qa/views.cpp) and by the store (store/sqlite_qa_store.cpp), so a
// status is spelled the same on the wire and on disk. Header-only: the store reads and writes
// them without linking the rules.
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "qa/model.hpp"
#include "qa/ops.hpp"

namespace samling::qa {

namespace detail {
template <typename E, std::size_t N>
constexpr std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E e) {
  for (const auto& [value, name] : names)
    if (value == e) return name;
  return {};
}
template <typename E, std::size_t N>
constexpr std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& names,
                                    std::string_view s) {
  for (const auto& [value, name] : names)
    if (name == s) return value;
  return std::nullopt;
}

inline constexpr std::array<std::pair<question_status, std::string_view>, 6> status_names{{
    {question_status::pending, "pending"},
    {question_status::approved, "approved"},
    {question_status::answered, "answered"},
    {question_status::rejected, "rejected"},
    {question_status::archived, "archived"},
    {question_status::merged, "merged"},
}};
inline constexpr std::array<std::pair<question_source, std::string_view>, 2> source_names{{
    {question_source::online, "online"},
    {question_source::hall, "hall"},
}};
inline constexpr std::array<std::pair<poll_kind, std::string_view>, 2> kind_names{{
    {poll_kind::single, "single"},
    {poll_kind::multiple, "multiple"},
}};
inline constexpr std::array<std::pair<poll_state, std::string_view>, 4> state_names{{
    {poll_state::draft, "draft"},
    {poll_state::open, "open"},
    {poll_state::closed, "closed"},
    {poll_state::archived, "archived"},
}};
inline constexpr std::array<std::pair<poll_results, std::string_view>, 3> results_names{{
    {poll_results::live, "live"},
    {poll_results::hidden, "hidden"},
    {poll_results::revealed, "revealed"},
}};
inline constexpr std::array<std::pair<question_action, std::string_view>, 9> question_action_names{{
    {question_action::approve, "approve"},
    {question_action::reject, "reject"},
    {question_action::edit, "edit"},
    {question_action::merge, "merge"},
    {question_action::pin, "pin"},
    {question_action::unpin, "unpin"},
    {question_action::answered, "answered"},
    {question_action::archive, "archive"},
    {question_action::restore, "restore"},
}};
inline constexpr std::array<std::pair<poll_action, std::string_view>, 5> poll_action_names{{
    {poll_action::open, "open"},
    {poll_action::close, "close"},
    {poll_action::reveal, "reveal"},
    {poll_action::hide, "hide"},
    {poll_action::archive, "archive"},
}};
}  // namespace detail

constexpr std::string_view to_string(question_status s) { return detail::name_of(detail::status_names, s); }
constexpr std::string_view to_string(question_source s) { return detail::name_of(detail::source_names, s); }
constexpr std::string_view to_string(poll_kind k) { return detail::name_of(detail::kind_names, k); }
constexpr std::string_view to_string(poll_state s) { return detail::name_of(detail::state_names, s); }
constexpr std::string_view to_string(poll_results r) { return detail::name_of(detail::results_names, r); }
// The `action` of the `question` and `poll` requests (docs/protocol.md).
constexpr std::string_view to_string(question_action a) { return detail::name_of(detail::question_action_names, a); }
constexpr std::string_view to_string(poll_action a) { return detail::name_of(detail::poll_action_names, a); }

// nullopt for a name this binary does not know (case-sensitive).
constexpr std::optional<question_status> status_from_string(std::string_view s) {
  return detail::value_of(detail::status_names, s);
}
constexpr std::optional<question_source> source_from_string(std::string_view s) {
  return detail::value_of(detail::source_names, s);
}
constexpr std::optional<poll_kind> kind_from_string(std::string_view s) {
  return detail::value_of(detail::kind_names, s);
}
constexpr std::optional<poll_state> state_from_string(std::string_view s) {
  return detail::value_of(detail::state_names, s);
}
constexpr std::optional<poll_results> results_from_string(std::string_view s) {
  return detail::value_of(detail::results_names, s);
}
constexpr std::optional<question_action> question_action_from_string(std::string_view s) {
  return detail::value_of(detail::question_action_names, s);
}
constexpr std::optional<poll_action> poll_action_from_string(std::string_view s) {
  return detail::value_of(detail::poll_action_names, s);
}

// What the audience may see: an approved or answered question (the others reach only their
// asker and the staff), an open or closed poll (a draft is the staff's, an archived one gone).
constexpr bool is_public(question_status s) {
  return s == question_status::approved || s == question_status::answered;
}
constexpr bool is_public(poll_state s) { return s == poll_state::open || s == poll_state::closed; }

}  // namespace samling::qa
