#include "kernels/weight_view.h"

#include <cstring>
#include <string>

#include "core/error.h"
#include "kernels/bf16_panels.h"
#include "kernels/quant_formats.h"
#include "kernels/quant_panels.h"

namespace smolvlm::kernels {

bool is_supported_weight_dtype(DType dtype) {
  return dtype == DType::BF16 || dtype == DType::F16 || dtype == DType::F32 || dtype == DType::BF16_PANELS ||
         dtype_is_quantized(dtype) || is_quant_panels(dtype);
}

void weight_row_to_f32(const WeightView& w, int64_t row, std::span<float> out) {
  const int64_t C = w.cols;
  if (row < 0 || row >= w.rows || static_cast<int64_t>(out.size()) != C)
    throw Error("kernels::weight_row_to_f32", "row " + std::to_string(row) + " of a [" + std::to_string(w.rows) +
                                                  ", " + std::to_string(C) + "] weight into " +
                                                  std::to_string(out.size()) + " floats");
  switch (w.dtype) {
    case DType::F32:
      std::memcpy(out.data(), static_cast<const float*>(w.data) + row * C, C * sizeof(float));
      return;
    case DType::BF16: {
      const uint16_t* src = static_cast<const uint16_t*>(w.data) + row * C;
      for (int64_t i = 0; i < C; ++i) out[i] = bf16_to_f32(src[i]);
      return;
    }
    case DType::F16: {
      const uint16_t* src = static_cast<const uint16_t*>(w.data) + row * C;
      for (int64_t i = 0; i < C; ++i) out[i] = f16_to_f32(src[i]);
      return;
    }
    case DType::BF16_PANELS:
      bf16_panels_row_to_f32(w, row, out);
      return;
    case DType::Q8_0_PANELS:
    case DType::Q4_0_PANELS:
      quant_panels_row_to_f32(w, row, out);
      return;
    case DType::Q8_0:
    case DType::Q4_0:
    case DType::Q4_K:
      dequantize_row(w.dtype, static_cast<const uint8_t*>(w.data) + row * quant_row_bytes(w.dtype, C), out);
      return;
    default:
      throw Error("kernels::weight_row_to_f32", "unsupported weight dtype " + std::string(dtype_name(w.dtype)));
  }
}

}  // namespace smolvlm::kernels
