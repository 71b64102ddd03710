#include "api/press_context.hpp"

#include <chrono>

namespace samling::api {

std::int64_t press_context::now_millis() const {
  if (now_ms) return now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

// public_url without the trailing slash a configuration (or the listening URL) may carry.
std::string base_of(const press_context& ctx) {
  auto u = ctx.public_url;
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u;
}

}  // namespace

// The tokens are base64url (and the grant's dots): nothing to escape in a fragment.
std::string press_link(const press_context& ctx, std::string_view grant_token) {
  return base_of(ctx) + "/#press=" + std::string(grant_token);
}

std::string manage_link(const press_context& ctx, std::string_view manage_token) {
  return base_of(ctx) + "/#accreditation=" + std::string(manage_token);
}

std::string speaker_link(const press_context& ctx, std::string_view speaker_token) {
  return base_of(ctx) + "/#interview=" + std::string(speaker_token);
}

}  // namespace samling::api
