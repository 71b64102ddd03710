#include "qa/views.hpp"

#include <gtest/gtest.h>

namespace samling::qa {
namespace {

TEST(QaViewsTest, Placeholder) { SUCCEED(); }

}  // namespace
}  // namespace samling::qa
