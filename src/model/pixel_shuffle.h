// The connector's pixel shuffle (space-to-depth, SPEC §4.1): each s x s block
// of vision tokens becomes one token holding their channels side by side.
#pragma once

#include <cstdint>
#include <span>

namespace smolvlm {

// x [seq, dim] with seq = N*N and N divisible by scale (else Error);
// y [seq / scale², dim * scale²] with
//   y[I*(N/s) + J][(a*s + b)*dim + e] = x[(I*s + a)*N + (J*s + b)][e].
void pixel_shuffle(std::span<const float> x, int64_t seq, int64_t dim, int64_t scale, std::span<float> y);

}  // namespace smolvlm
