// Read bandwidth: as many threads as the kernels use each stream their slice
// of one buffer far larger than the last-level cache, summing it so no read
// can be skipped; with 512-bit loads where the CPU has them. The best of
// `passes` passes, in GB/s (1e9 bytes per second).
#pragma once

#include <cstddef>

namespace smolvlm::bench {

double measure_read_bandwidth_gb_s(size_t buffer_bytes, int passes);

}  // namespace smolvlm::bench
