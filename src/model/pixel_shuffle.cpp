#include "model/pixel_shuffle.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace smolvlm {

void pixel_shuffle(std::span<const float> x, int64_t seq, int64_t dim, int64_t scale, std::span<float> y) {
  // transformers: h = w = int(sqrt(seq)), a float square root then truncation.
  const int64_t N = static_cast<int64_t>(std::sqrt(static_cast<double>(seq)));
  if (N * N != seq || scale <= 0 || N % scale != 0)
    throw Error("pixel shuffle", std::to_string(seq) + " tokens are not an N x N grid with N divisible by scale " +
                                     std::to_string(scale));
  const int64_t S = scale, M = N / S, OUT_DIM = dim * S * S;
  if (static_cast<int64_t>(x.size()) != seq * dim || static_cast<int64_t>(y.size()) != M * M * OUT_DIM)
    throw Error("pixel shuffle", "buffers hold " + std::to_string(x.size()) + " and " + std::to_string(y.size()) +
                                     " floats, expected " + std::to_string(seq * dim) + " and " +
                                     std::to_string(M * M * OUT_DIM));
  // Output token (I, J) concatenates its block's input tokens row-major within the block.
  for (int64_t I = 0; I < M; ++I)
    for (int64_t J = 0; J < M; ++J) {
      float* dst = y.data() + (I * M + J) * OUT_DIM;
      for (int64_t a = 0; a < S; ++a)
        for (int64_t b = 0; b < S; ++b) {
          const float* src = x.data() + ((I * S + a) * N + (J * S + b)) * dim;
          dst = std::copy(src, src + dim, dst);
        }
    }
}

}  // namespace smolvlm
