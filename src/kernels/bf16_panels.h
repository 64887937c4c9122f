// BF16 weights laid out for the fast matmul's broadcast kernel
// (DType::BF16_PANELS). A [rows, cols] weight becomes ceil(rows / 64) panels of
// 64 output rows; panel p holds, for each pair of inputs k = 2j, 2j + 1, the
// 64 rows' values side by side:
//
//   element (o, k) at  (o / 64) * 64 * cols  +  (k / 2) * 128  +  (o % 64) * 2  +  k % 2
//
// so each 64-byte line is what vdpbf16ps multiplies by a broadcast pair of x,
// giving 16 outputs with no horizontal sum, and a panel, read in order, is
// one sequential stream (decode reads weights from DRAM: one stream per
// thread is what the prefetchers serve best). Rows past `rows` in the last
// panel are zero; cols must be even.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

constexpr int64_t kPanelRows = 64;

inline int64_t bf16_panel_count(int64_t rows) { return (rows + kPanelRows - 1) / kPanelRows; }

// The panels of a row-major BF16 weight w into out[bf16_panel_count(w.rows) * kPanelRows * w.cols]
// (bit for bit: only the order changes). Throws Error unless w is BF16 with even cols.
void pack_bf16_panels(const WeightView& w, std::span<uint16_t> out);

// Row `row` of a BF16_PANELS weight, widened to f32 (exact).
void bf16_panels_row_to_f32(const WeightView& w, int64_t row, std::span<float> out);

}  // namespace smolvlm::kernels
