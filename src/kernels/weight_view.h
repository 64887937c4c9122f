// A read-only 2-D weight matrix in its stored dtype (a view into an mmapped
// checkpoint). Kernels widen rows to f32 on the fly; no f32 copy of a weight
// matrix is ever made.
#pragma once

#include <cstdint>
#include <span>

#include "core/dtype.h"

namespace smolvlm::kernels {

struct WeightView {
  DType dtype = DType::F32;  // BF16, F16, F32, Q8_0 / Q4_0 / Q4_K (quant_formats.h: rows of blocks)
                             // or BF16_PANELS / Q8_0_PANELS / Q4_0_PANELS (bf16_panels.h, quant_panels.h)
  int64_t rows = 0;          // out features (1 for a vector such as a norm weight)
  int64_t cols = 0;          // in features
  const void* data = nullptr;
};

// True for the dtypes the kernels read (those above).
bool is_supported_weight_dtype(DType dtype);

// Widens row `row` of `w` into out[cols] (exact: every BF16/F16 value and
// every dequantized block value is an f32).
void weight_row_to_f32(const WeightView& w, int64_t row, std::span<float> out);

}  // namespace smolvlm::kernels
