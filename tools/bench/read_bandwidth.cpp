#include "read_bandwidth.h"

#include <cstdint>
#include <memory>
#include <vector>

#include "core/thread_pool.h"
#include "cpu_features.h"
#include "isa_loops.h"
#include "run_together.h"

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
  const int threads = shared_pool().size();
  const size_t words = buffer_bytes / sizeof(uint64_t);
  const std::unique_ptr<uint64_t[]> buffer(new uint64_t[words]);
  const auto first = [&](int t) { return words * static_cast<size_t>(t) / static_cast<size_t>(threads); };
  // Each thread first writes the slice it will read, so its pages are really
  // mapped (and on a NUMA host, near that thread).
  run_together(threads, [&](int t) {
    for (size_t i = first(t); i < first(t + 1); ++i) buffer[i] = i;
  });

  double best_s = 0;
  std::vector<uint64_t> sums(static_cast<size_t>(threads));
  for (int pass = 0; pass < passes; ++pass) {
    const double s = run_together(threads, [&](int t) {
      sums[static_cast<size_t>(t)] += sum(buffer.get() + first(t), first(t + 1) - first(t));
    });
    if (pass == 0 || s < best_s) best_s = s;
  }
  // Publishing the sums keeps the reads from being optimised away.
  volatile uint64_t sink = 0;
  for (uint64_t s : sums) sink = sink + s;
  return static_cast<double>(words * sizeof(uint64_t)) / best_s / 1e9;
}

}  // namespace smolvlm::bench
