// torchvision's `F.resize(uint8 tensor, size, BICUBIC, antialias=True)` on
// CPU, which transformers >= 4.52's SmolVLM video processor runs on every
// frame (SPEC §9.3 [HEAD]): PyTorch's `_upsample_bicubic2d_aa` uint8 path
// (aten/src/ATen/native/cpu/UpSampleKernel.cpp, UpSampleKernelAVXAntialias.h).
//
// Separable, width first, then height, each pass rounding to uint8 (a pass
// whose size does not change is skipped). Per axis, as in Pillow: scale =
// in / out, support = 2 * max(scale, 1), the Keys cubic with a = -0.5
// stretched by max(scale, 1), weights normalised to sum 1 in double. The
// weights are then turned into int16 at the largest precision (bits) for which
// the axis's largest weight, doubled, still fits in 15 bits; each output is
// the integer sum of weight x sample plus half an LSB, shifted down and
// clamped to [0, 255]. The AVX2 kernels and the scalar fallback compute the
// same integers.
#pragma once

#include <cstdint>
#include <vector>

#include "vision/image.h"

namespace smolvlm {

// One axis' taps: output i reads `count[i]` inputs from `first[i]` with
// weights[i * taps ...] at `precision` fractional bits.
struct BicubicAaTaps {
  std::vector<int64_t> first;
  std::vector<int64_t> count;
  std::vector<int16_t> weights;  // [out, taps]
  int64_t taps = 0;
  int precision = 0;
};

// The taps for resizing an axis of `in_size` samples to `out_size` (both >= 1).
BicubicAaTaps bicubic_aa_taps(int64_t in_size, int64_t out_size);

// `rgb` (PixelMode::RGB) resized to width x height. Throws Error("image
// processor", ...) for another mode or a size below 1.
Image resize_bicubic_aa(const Image& rgb, int64_t width, int64_t height);

}  // namespace smolvlm
