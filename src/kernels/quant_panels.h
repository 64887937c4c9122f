// Q8_0 / Q4_0 weights re-laid out for the integer kernel (DType::Q8_0_PANELS,
// Q4_0_PANELS), made at load from GGUF rows (quant_formats.h): the same
// blocks, values and f16 scales, in the order vpdpbusd reads them. A
// [rows, cols] weight becomes ceil(rows / 16) panels of 16 output rows; panel
// p holds its 16 rows' block b, for b in order, as
//
//   Q8_0: 8 groups g x 16 rows x 4 bytes q + 128 (elements 4g .. 4g + 3),
//         then the 16 rows' f16 d                               544 bytes
//   Q4_0: 4 groups g x 16 rows x the GGUF row's bytes 4g .. 4g + 3 (low
//         nibbles: elements 4g.., high: 16 + 4g..), then 16 f16 d  288 bytes
//
// so one 64-byte load times a broadcast group of x gives 16 rows' partial
// block sums in 16 lanes (no horizontal sum) and a panel streams in order.
// The bytes per value are GGUF's; rows past `rows` are zero with d = 0.
#pragma once

#include <cstdint>
#include <span>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

constexpr int64_t kQuantPanelRows = 16;

bool is_quant_panels(DType dtype);  // Q8_0_PANELS or Q4_0_PANELS
// Q8_0 -> Q8_0_PANELS, Q4_0 -> Q4_0_PANELS; Throws Error for other dtypes.
DType quant_panels_of(DType rows_dtype);
// Bytes of one panel's block (544 or 288).
int64_t quant_panel_block_bytes(DType panels_dtype);

// The panels of a Q8_0 / Q4_0 weight w into out[dtype_tensor_bytes(quant_panels_of(w.dtype), ...)].
void pack_quant_panels(const WeightView& w, std::span<uint8_t> out);

// Row `row` of a panels weight, dequantized (the bits dequantize_row gives).
void quant_panels_row_to_f32(const WeightView& w, int64_t row, std::span<float> out);

}  // namespace smolvlm::kernels
