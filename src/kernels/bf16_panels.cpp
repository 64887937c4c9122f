#include "kernels/bf16_panels.h"

#include <string>

#include "core/error.h"
#include "kernels/parallel.h"

namespace smolvlm::kernels {

void pack_bf16_panels(const WeightView& w, std::span<uint16_t> out) {
  const int64_t R = w.rows, C = w.cols, panels = bf16_panel_count(R);
  if (w.dtype != DType::BF16 || C % 2 != 0)
    throw Error("kernels::pack_bf16_panels", std::string(dtype_name(w.dtype)) + " weight with " + std::to_string(C) +
                                                 " columns (needs BF16 and an even count)");
  if (static_cast<int64_t>(out.size()) != panels * kPanelRows * C)
    throw Error("kernels::pack_bf16_panels", "output of " + std::to_string(out.size()) + " values for a [" +
                                                 std::to_string(R) + ", " + std::to_string(C) + "] weight");
  const uint16_t* src = static_cast<const uint16_t*>(w.data);
  parallel_chunks(panels, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      uint16_t* panel = out.data() + p * kPanelRows * C;
      for (int64_t i = 0; i < kPanelRows; ++i) {
        const int64_t row = p * kPanelRows + i;
        for (int64_t k = 0; k < C; ++k) panel[(k / 2) * 2 * kPanelRows + i * 2 + k % 2] = row < R ? src[row * C + k] : 0;
      }
    }
  });
}

void bf16_panels_row_to_f32(const WeightView& w, int64_t row, std::span<float> out) {
  const int64_t C = w.cols;
  const uint16_t* panel = static_cast<const uint16_t*>(w.data) + row / kPanelRows * kPanelRows * C;
  const int64_t i = row % kPanelRows;
  for (int64_t k = 0; k < C; ++k) out[k] = bf16_to_f32(panel[(k / 2) * 2 * kPanelRows + i * 2 + k % 2]);
}

}  // namespace smolvlm::kernels
