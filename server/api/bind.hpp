#pragma once
// Binds a context pointer to a route handler that takes it first, for router::add. Plain
// functions, no capturing coroutine lambdas: the lambda only forwards to a coroutine whose
// parameters are values (a coroutine lambda's captures die with the lambda object, before the
// coroutine has run to its end).
#include <utility>

#include "net/router.hpp"

namespace samling::api {

template <typename Context, typename F>
net::handler with(Context* ctx, F f) {
  return [ctx, f](net::request r) { return f(ctx, std::move(r)); };
}

}  // namespace samling::api
