#include "machine_bounds.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "cpu_features.h"
#include "isa_loops.h"
#include "read_bandwidth.h"

namespace smolvlm::bench {
namespace {

// 1 GiB: 32x the 32 MiB L3 of this class of CPU, so caches add nothing.
constexpr size_t kBandwidthBytes = size_t{1} << 30;
constexpr int kTries = 5;
// Rounds of 16 instructions per thread and try: ~0.05 s at 2 per cycle, 3 GHz.
constexpr int64_t kPeakRounds = int64_t{1} << 23;

// Runs `loop` on every pool thread at once: the best of kTries rates in 1e9
// operations per second.
double peak_rate(PeakLoop loop) {
  ThreadPool& pool = shared_pool();
  double best = 0;
  for (int t = 0; t < kTries; ++t) {
    std::vector<double> ops(static_cast<size_t>(pool.size()), 0.0);
    const auto start = std::chrono::steady_clock::now();
    pool.parallel_for(pool.size(), [&](int64_t t0, int64_t t1) {
      for (int64_t i = t0; i < t1; ++i) ops[static_cast<size_t>(i)] = loop(kPeakRounds);
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double total = 0;
    for (double o : ops) total += o;
    best = std::max(best, total / s / 1e9);
  }
  return best;
}

}  // namespace

MachineBounds measure_machine_bounds() {
  MachineBounds b;
  b.bandwidth_gb_s = measure_read_bandwidth_gb_s(kBandwidthBytes, kTries);
  if (PeakLoop loop = avx512_bf16_peak_loop(); loop && cpu_has_avx512_bf16()) b.bf16_peak_gflops = peak_rate(loop);
  if (PeakLoop loop = avx512_vnni_peak_loop(); loop && cpu_has_avx512_vnni()) b.int8_peak_gops = peak_rate(loop);
  return b;
}

MachineBounds best_of(const MachineBounds& a, const MachineBounds& b) {
  const auto larger = [](const std::optional<double>& x, const std::optional<double>& y) -> std::optional<double> {
    if (!x || !y) return x ? x : y;
    return std::max(*x, *y);
  };
  return {std::max(a.bandwidth_gb_s, b.bandwidth_gb_s), larger(a.bf16_peak_gflops, b.bf16_peak_gflops),
          larger(a.int8_peak_gops, b.int8_peak_gops)};
}

}  // namespace smolvlm::bench
