#include "kernels/quant_panels.h"

#include <cstring>
#include <string>

#include "core/dtype.h"
#include "core/error.h"
#include "kernels/parallel.h"
#include "kernels/quant_formats.h"

namespace smolvlm::kernels {
namespace {

constexpr int64_t kScaleBytes = 2 * kQuantPanelRows;

// Group g's 4 bytes of panel row i in a panel block.
inline int64_t group_offset(int64_t g, int64_t i) { return (g * kQuantPanelRows + i) * 4; }

void pack_block(DType dtype, const uint8_t* gguf_block, int64_t i, uint8_t* block) {
  uint16_t d;
  std::memcpy(&d, gguf_block, 2);
  const uint8_t* q = gguf_block + 2;
  if (dtype == DType::Q8_0) {
    for (int64_t e = 0; e < kQuantBlock; ++e) block[group_offset(e / 4, i) + e % 4] = static_cast<uint8_t>(q[e] ^ 0x80u);
    std::memcpy(block + 8 * kQuantPanelRows * 4 + 2 * i, &d, 2);
  } else {
    for (int64_t g = 0; g < 4; ++g) std::memcpy(block + group_offset(g, i), q + 4 * g, 4);
    std::memcpy(block + 4 * kQuantPanelRows * 4 + 2 * i, &d, 2);
  }
}

}  // namespace

bool is_quant_panels(DType dtype) { return dtype == DType::Q8_0_PANELS || dtype == DType::Q4_0_PANELS; }

DType quant_panels_of(DType rows_dtype) {
  if (rows_dtype == DType::Q8_0) return DType::Q8_0_PANELS;
  if (rows_dtype == DType::Q4_0) return DType::Q4_0_PANELS;
  throw Error("kernels::quant_panels_of", std::string(dtype_name(rows_dtype)) + " has no panel layout");
}

int64_t quant_panel_block_bytes(DType panels_dtype) {
  return (panels_dtype == DType::Q8_0_PANELS ? 8 : 4) * kQuantPanelRows * 4 + kScaleBytes;
}

void pack_quant_panels(const WeightView& w, std::span<uint8_t> out) {
  const DType dtype = w.dtype, panels_dtype = quant_panels_of(dtype);
  const int64_t R = w.rows, blocks = w.cols / kQuantBlock, panels = (R + kQuantPanelRows - 1) / kQuantPanelRows;
  const int64_t row_bytes = static_cast<int64_t>(quant_row_bytes(dtype, w.cols));
  const int64_t block_bytes = quant_panel_block_bytes(panels_dtype);
  const int64_t gguf_block = static_cast<int64_t>(dtype_block_bytes(dtype));
  if (static_cast<int64_t>(out.size()) != panels * blocks * block_bytes)
    throw Error("kernels::pack_quant_panels", "output of " + std::to_string(out.size()) + " bytes for a [" +
                                                  std::to_string(R) + ", " + std::to_string(w.cols) + "] weight");
  const auto* rows = static_cast<const uint8_t*>(w.data);
  parallel_chunks(panels, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      uint8_t* panel = out.data() + p * blocks * block_bytes;
      std::memset(panel, 0, static_cast<size_t>(blocks * block_bytes));  // rows past R: q = 0 (Q8_0: 0x80 below), d = 0
      for (int64_t i = 0; i < kQuantPanelRows; ++i) {
        const int64_t row = p * kQuantPanelRows + i;
        for (int64_t b = 0; b < blocks; ++b) {
          if (row < R) {
            pack_block(dtype, rows + row * row_bytes + b * gguf_block, i, panel + b * block_bytes);
          } else if (dtype == DType::Q8_0) {
            for (int64_t g = 0; g < 8; ++g) std::memset(panel + b * block_bytes + group_offset(g, i), 0x80, 4);
          } else {
            for (int64_t g = 0; g < 4; ++g) std::memset(panel + b * block_bytes + group_offset(g, i), 0x88, 4);
          }
        }
      }
    }
  });
}

void quant_panels_row_to_f32(const WeightView& w, int64_t row, std::span<float> out) {
  const int64_t blocks = w.cols / kQuantBlock, block_bytes = quant_panel_block_bytes(w.dtype);
  const bool q8 = w.dtype == DType::Q8_0_PANELS;
  const int64_t i = row % kQuantPanelRows, groups = q8 ? 8 : 4;
  const auto* panel = static_cast<const uint8_t*>(w.data) + row / kQuantPanelRows * blocks * block_bytes;
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* block = panel + b * block_bytes;
    uint16_t h;
    std::memcpy(&h, block + groups * kQuantPanelRows * 4 + 2 * i, 2);
    const float d = f16_to_f32(h);
    float* y = out.data() + b * kQuantBlock;
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t j = 0; j < 4; ++j) {
        const uint8_t byte = block[group_offset(g, i) + j];
        if (q8) {
          y[4 * g + j] = static_cast<float>(static_cast<int>(byte) - 128) * d;
        } else {
          y[4 * g + j] = static_cast<float>(static_cast<int>(byte & 0x0f) - 8) * d;
          y[16 + 4 * g + j] = static_cast<float>(static_cast<int>(byte >> 4) - 8) * d;
        }
      }
  }
}

}  // namespace smolvlm::kernels
