#pragma once
// What the fuzz targets share: a property check that stops the run like a crash, so libFuzzer
// saves the input that broke it (a wrong answer is a bug as much as an out-of-bounds read).
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                              \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)
