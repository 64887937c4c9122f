// The inner product every reference kernel uses.
#pragma once

#include <cstdint>

namespace smolvlm::kernels {

// a·b over `len` contiguous floats, f32 products and sums in a fixed order
// (eight interleaved partial sums, combined pairwise, then the tail). The
// order depends only on `len`, so a result never depends on how a caller
// batches rows: incremental decode gives the same bits as a full recompute.
float dot_f32(const float* a, const float* b, int64_t len);

}  // namespace smolvlm::kernels
