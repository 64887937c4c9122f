#include "read_bandwidth.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include "core/thread_pool.h"
#include "cpu_features.h"
#include "isa_loops.h"

namespace smolvlm::bench {
namespace {

// The portable loop: eight independent sums, so the adds never limit the loads.
uint64_t sum_words(const uint64_t* p, size_t n) {
  uint64_t s[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += p[i + j];
  for (; i < n; ++i) s[0] += p[i];
  return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

}  // namespace

double measure_read_bandwidth_gb_s(size_t buffer_bytes, int passes) {
  SumLoop sum = sum_words;
  if (SumLoop wide = avx512_sum_loop(); wide && cpu_has_avx512f()) sum = wide;
  ThreadPool& pool = shared_pool();
  const size_t words = buffer_bytes / sizeof(uint64_t);
  const std::unique_ptr<uint64_t[]> buffer(new uint64_t[words]);
  const int64_t threads = pool.size();
  const auto slice = [&](int64_t t) { return std::pair(words * t / threads, words * (t + 1) / threads); };
  // Each thread first writes the slice it will read, so its pages are really
  // mapped (and on a NUMA host, near that thread).
  pool.parallel_for(threads, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t)
      for (size_t i = slice(t).first; i < slice(t).second; ++i) buffer[i] = i;
  });

  double best_s = 0;
  std::atomic<uint64_t> total{0};
  for (int pass = 0; pass < passes; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    pool.parallel_for(threads, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const auto [begin, end] = slice(t);
        total += sum(buffer.get() + begin, end - begin);
      }
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (pass == 0 || s < best_s) best_s = s;
  }
  // Publishing the sums keeps the reads from being optimised away.
  volatile uint64_t sink = total.load();
  (void)sink;
  return static_cast<double>(words * sizeof(uint64_t)) / best_s / 1e9;
}

}  // namespace smolvlm::bench
