#include "run_together.h"

#include <chrono>
#include <latch>
#include <thread>
#include <vector>

namespace smolvlm::bench {

double run_together(int n, const std::function<void(int)>& fn) {
  std::latch ready(n);
  std::vector<std::jthread> others;
  for (int t = 1; t < n; ++t)
    others.emplace_back([&, t] {
      ready.arrive_and_wait();
      fn(t);
    });
  ready.arrive_and_wait();
  const auto start = std::chrono::steady_clock::now();
  fn(0);
  for (std::jthread& thread : others) thread.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace smolvlm::bench
