#include "machine_bounds.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "cpu_features.h"
#include "isa_loops.h"
#include "read_bandwidth.h"
#include "run_together.h"

namespace smolvlm::bench {
namespace {

// 1 GiB: 32x the 32 MiB L3 of this class of CPU, so caches add nothing.
constexpr size_t kBandwidthBytes = size_t{1} << 30;
constexpr int kTries = 5;
// Rounds of 16 instructions per thread and try: ~0.05 s at 2 per cycle, 3 GHz.
constexpr int64_t kPeakRounds = int64_t{1} << 23;

// Runs `loop` on as many threads as the kernels use, all at once: the best of
// kTries rates in 1e9 operations per second.
double peak_rate(PeakLoop loop) {
  const int threads = shared_pool().size();
  double best = 0;
  for (int t = 0; t < kTries; ++t) {
    std::vector<double> ops(static_cast<size_t>(threads), 0.0);
    const double s = run_together(threads, [&](int i) { ops[static_cast<size_t>(i)] = loop(kPeakRounds); });
    double total = 0;
    for (double o : ops) total += o;
    best = std::max(best, total / s / 1e9);
  }
  return best;
}

}  // namespace

double measure_bandwidth_gb_s(int tries) { return measure_read_bandwidth_gb_s(kBandwidthBytes, tries); }

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
