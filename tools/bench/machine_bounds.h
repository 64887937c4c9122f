// This machine's limits, measured in the same run as the model timings so the
// model's figures can be read as fractions of them despite a noisy, shared
// host: the read bandwidth (bounds decode) and the BF16 / INT8 multiply-add
// peaks (bound prefill and the vision tower). Each is the best of a few tries
// on as many threads as the kernels use (run_together.h).
#pragma once

#include <optional>

namespace smolvlm::bench {

struct MachineBounds {
  double bandwidth_gb_s = 0;               // streaming reads of a buffer far beyond the caches
  std::optional<double> bf16_peak_gflops;  // vdpbf16ps; none where the CPU lacks AVX-512 BF16
  std::optional<double> int8_peak_gops;    // vpdpbusd; none where the CPU lacks AVX-512 VNNI
};

MachineBounds measure_machine_bounds();

// The read bandwidth alone, as measure_machine_bounds() measures it, the best
// of `tries` passes: a probe taken next to one timing.
double measure_bandwidth_gb_s(int tries);

// Each limit the higher of two measurements: a bound is the best the machine
// did, and tries at two moments are likelier to catch it undisturbed.
MachineBounds best_of(const MachineBounds& a, const MachineBounds& b);

}  // namespace smolvlm::bench
