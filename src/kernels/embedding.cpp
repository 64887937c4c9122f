#include "kernels/embedding.h"

#include <string>

#include "core/error.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {

void embedding_rows(const WeightView& table, std::span<const int32_t> ids, std::span<float> out) {
  const int64_t N = static_cast<int64_t>(ids.size()), V = table.rows, H = table.cols;
  check_size("embedding_rows", "out", out.size(), N * H);
  for (int64_t t = 0; t < N; ++t) {
    if (ids[t] < 0 || ids[t] >= V)
      throw Error("embedding", "token id " + std::to_string(ids[t]) + " at index " + std::to_string(t) +
                                   " is outside the vocabulary [0, " + std::to_string(V) + ")");
    weight_row_to_f32(table, ids[t], out.subspan(t * H, H));
  }
}

}  // namespace smolvlm::kernels
