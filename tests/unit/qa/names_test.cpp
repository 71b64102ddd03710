// qa/names.hpp: every enum value has one name, and the name reads back as that value.
#include "qa/names.hpp"

#include <set>

#include <gtest/gtest.h>

namespace samling::qa {
namespace {

template <typename E, typename From>
void round_trips(std::initializer_list<E> all, From from) {
  std::set<std::string_view> names;
  for (auto e : all) {
    const auto name = to_string(e);
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(from(name), e) << name;
  }
  EXPECT_FALSE(from(""));
  EXPECT_FALSE(from("Approved"));  // case-sensitive
}

TEST(QaNamesTest, EveryValueRoundTrips) {
  using enum question_status;
  round_trips({pending, approved, answered, rejected, archived, merged},
              [](std::string_view s) { return status_from_string(s); });
  round_trips({question_source::online, question_source::hall},
              [](std::string_view s) { return source_from_string(s); });
  round_trips({poll_kind::single, poll_kind::multiple}, [](std::string_view s) { return kind_from_string(s); });
  round_trips({poll_state::draft, poll_state::open, poll_state::closed, poll_state::archived},
              [](std::string_view s) { return state_from_string(s); });
  round_trips({poll_results::live, poll_results::hidden, poll_results::revealed},
              [](std::string_view s) { return results_from_string(s); });
  round_trips({question_action::approve, question_action::reject, question_action::edit, question_action::merge,
               question_action::pin, question_action::unpin, question_action::answered, question_action::archive,
               question_action::restore},
              [](std::string_view s) { return question_action_from_string(s); });
  round_trips({poll_action::open, poll_action::close, poll_action::reveal, poll_action::hide, poll_action::archive},
              [](std::string_view s) { return poll_action_from_string(s); });
}

TEST(QaNamesTest, TheWireNamesAreTheContracts) {
  EXPECT_EQ(to_string(question_status::answered), "answered");
  EXPECT_EQ(to_string(question_action::answered), "answered");
  EXPECT_EQ(to_string(poll_results::revealed), "revealed");
  static_assert(is_public(question_status::approved) && is_public(question_status::answered));
  static_assert(!is_public(question_status::pending) && !is_public(question_status::merged));
  static_assert(is_public(poll_state::open) && is_public(poll_state::closed) && !is_public(poll_state::draft));
}

}  // namespace
}  // namespace samling::qa
