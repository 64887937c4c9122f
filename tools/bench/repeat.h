// Warm-up runs, then timed repetitions: the pattern of every measurement.
#pragma once

#include <chrono>
#include <vector>

namespace smolvlm::bench {

struct Repetitions {
  int reps = 1;
  int warmup = 1;  // untimed first runs: page faults, caches, lazily built tables
};

// Runs fn `warmup` times, then `reps` timed times; seconds per timed run.
// before_each runs, untimed, just before each timed run.
template <class Fn, class Before = void (*)()>
std::vector<double> repeat(const Repetitions& r, Fn&& fn, Before&& before_each = [] {}) {
  for (int i = 0; i < r.warmup; ++i) fn();
  std::vector<double> seconds;
  for (int i = 0; i < r.reps; ++i) {
    before_each();
    const auto start = std::chrono::steady_clock::now();
    fn();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return seconds;
}

}  // namespace smolvlm::bench
