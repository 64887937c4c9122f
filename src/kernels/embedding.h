// Token embedding lookup (SPEC §2 step 1).
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// out [ids.size(), table.cols] = table rows ids[i], widened to f32 (exact).
// An id outside [0, table.rows) throws Error naming the id and the vocabulary size.
void embedding_rows(const WeightView& table, std::span<const int32_t> ids, std::span<float> out);

}  // namespace smolvlm::kernels
