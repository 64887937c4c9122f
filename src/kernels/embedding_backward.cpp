#include "kernels/embedding_backward.h"

#include <string>

#include "core/error.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

void embedding_rows_backward(std::span<const int32_t> ids, std::span<const float> dx, int64_t dim,
                             std::span<float> dtable) {
  const int64_t N = static_cast<int64_t>(ids.size()), V = static_cast<int64_t>(dtable.size()) / dim;
  check_size("embedding_rows_backward", "dx", dx.size(), N * dim);
  check_size("embedding_rows_backward", "dtable", dtable.size(), V * dim);
  // Positions in order: a token seen twice adds its rows in sequence order.
  for (int64_t t = 0; t < N; ++t) {
    if (ids[t] < 0) continue;
    if (ids[t] >= V)
      throw Error("embedding", "token id " + std::to_string(ids[t]) + " at index " + std::to_string(t) +
                                   " is outside the vocabulary [0, " + std::to_string(V) + ")");
    float* row = dtable.data() + static_cast<int64_t>(ids[t]) * dim;
    for (int64_t i = 0; i < dim; ++i) row[i] += dx[t * dim + i];
  }
}

}  // namespace smolvlm::kernels
