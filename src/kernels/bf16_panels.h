// BF16 weights laid out for the fast matmul's broadcast kernel
// (DType::BF16_PANELS). A [rows, cols] weight becomes ceil(rows / 16) panels of
// 16 output rows; panel p holds, for each pair of inputs k = 2j, 2j + 1, the
// 16 rows' values side by side:
//
//   element (o, k) at  (o / 16) * 16 * cols  +  (k / 2) * 32  +  (o % 16) * 2  +  k % 2
//
// so one 64-byte load is what vdpbf16ps multiplies by a broadcast pair of x,
// giving 16 outputs with no horizontal sum, and a panel streams sequentially.
// Rows past `rows` in the last panel are zero; cols must be even.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

constexpr int64_t kPanelRows = 16;

inline int64_t bf16_panel_count(int64_t rows) { return (rows + kPanelRows - 1) / kPanelRows; }

// The panels of a row-major BF16 weight w into out[bf16_panel_count(w.rows) * 16 * w.cols]
// (bit for bit: only the order changes). Throws Error unless w is BF16 with even cols.
void pack_bf16_panels(const WeightView& w, std::span<uint16_t> out);

// Row `row` of a BF16_PANELS weight, widened to f32 (exact).
void bf16_panels_row_to_f32(const WeightView& w, int64_t row, std::span<float> out);

}  // namespace smolvlm::kernels
